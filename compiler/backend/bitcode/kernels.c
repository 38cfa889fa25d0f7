/* kernels.c: every kernel of templates/kernels.def in one translation unit,
 * compiled by clang to LLVM bitcode at onnxcc's build time, once per target
 * triple, and embedded in onnxcc.  The LLVM backend (emit_llvm.c) parses it,
 * adds the model's constants and run function calling these kernels, and lets
 * LLVM inline and specialize them: the kernels the C backend pastes as text,
 * compiled from the same templates, no second copy. */
#define ONNXCC_RT_LINKED 1	/* the thread count is the model's, the pool the library's */
#include "onnxcc_rt.h"
#include "kernels_all.h"

#define K(name, tmpl, inst) inst
#include "kernels.def"
#undef K

/* Takes every kernel's address so that clang emits them all; the backend
 * deletes this table before optimizing. */
void (*const onnxcc_kernel_table[])(void *const *, const int64_t *, const double *) = {
#define K(name, tmpl, inst) name,
#include "kernels.def"
#undef K
};
