/* lower.h: the kernel-call list, the last IR before a backend.
 *
 * Every node lowers to a sequence of calls of kernels from templates/.  All
 * kernels share one signature,
 *
 *     static void k(void *const *b, const int64_t *p, const double *f);
 *
 * b: the buffers (inputs first, then outputs, then scratch, as the kernel's
 * template documents), p: integer parameters (shapes, strides, axes), f:
 * floating parameters (alpha, epsilon, ...).  A backend emits p and f as
 * constant arrays next to the call, so after inlining every shape is a
 * literal.  The same kernels are compiled into onnxcc itself, which is how
 * constant folding evaluates a node (kernels_run): the semantics of an
 * operator are written once, in its template.
 *
 * A checking call (kcall_checks) gets one more buffer after its own: an
 * `int *` status.  The kernel sets it to an ONNXCC_ERR_* code when run-time
 * data contradicts what the compiler assumed (a shape input that disagrees
 * with the declared shape, an index out of range); the run function then
 * returns that code. */
#ifndef ONNXCC_LOWER_H
#define ONNXCC_LOWER_H

#include "ir.h"

#define KCALL_MAX_BUF 16

typedef void (*KernelFn)(void *const *b, const int64_t *p, const double *f);

typedef struct Kernel {
	const char *name;      /* f32_add__scalar */
	const char *tmpl;      /* template file that defines its macro: "elementwise.h" */
	const char *inst;      /* instantiation text for the generated file */
	KernelFn fn;           /* the same kernel, compiled into onnxcc */
} Kernel;

extern const Kernel kernels[];
extern const int nkernels;
/* Index of a kernel by name, or -1. */
int kernel_find(const char *name);

typedef struct KCall {
	int kernel;
	const Node *node;      /* the node it implements, for comments and errors */
	int nbuf;
	Value *buf[KCALL_MAX_BUF];
	int64_t boff[KCALL_MAX_BUF];  /* byte offset into the buffer's value */
	int np, capp;
	int64_t *p;
	int nf, capf;
	double *f;
	int checks;            /* gets an int *status after its buffers */
	Guard *guard;          /* runs only when its guard's conditions hold (ir.h) */
	int init;              /* an init call (lower_init_temp): runs once, at the first run */
} KCall;

typedef struct KCallList {
	KCall *v;
	int n, cap;
} KCallList;

/* The CPU the generated code targets (onnxcc --cpu): which kernel variants
 * the lowering picks.  Constant folding always lowers for CPU_GENERIC, so
 * it runs on any host. */
enum { CPU_GENERIC, CPU_AVX2, CPU_AVX512F, CPU_NEON };
/* The target of pass_lower (set by compile()). */
extern int lower_cpu;
/* Code size over speed (onnxcc -Os, set by compile()): no lowering that
 * multiplies the constants (Winograd convolution's weights are 4 times the
 * kernel's). */
extern int lower_small;
/* Threads of the generated code (onnxcc --threads, set by compile()): the
 * parallel kernels' per-thread scratch is sized for this many; 1 (the
 * default) gives single-threaded code with no pthreads at all. */
#define LOWER_MAX_THREADS 64
extern int lower_threads;
/* generic, avx2, avx512f, neon or native (this host); -1 if unknown. */
int cpu_parse(const char *name);
const char *cpu_name(int cpu);
/* The best target the host running onnxcc supports (neon on AArch64). */
int cpu_native(void);

/* The float32 GEMM of a target CPU (templates/gemm_simd.h): the kernels'
 * name part after f32_gemm_ / f32_conv_ ("6x16__avx2"), tile and blocking. */
typedef struct GemmIsa {
	const char *suffix;
	int64_t mr, nr, kc, mc, nc;
} GemmIsa;
/* NULL: the target has no fast float32 GEMM (use the __scalar kernels). */
const GemmIsa *gemm_isa(int cpu);

typedef struct Lower Lower;
struct Lower {
	Graph *g;
	KCallList *out;
	const Node *node;
	int cpu;               /* CPU_*: kernel variants to pick */
};

/* Append a call of the named kernel.  An unknown name means the node's element
 * type has no kernel: returns NULL after node_error(), so callers do
 * `if (!(k = lower_call(L, name))) return -1;`. */
KCall *lower_call(Lower *L, const char *name);
/* Same, with the name built printf-style: lower_callf(L, "%s_add__scalar", dt_short(t)). */
KCall *lower_callf(Lower *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kcall_buf(KCall *k, Value *v);
void kcall_buf_at(KCall *k, Value *v, int64_t byte_offset);
void kcall_i(KCall *k, int64_t x);
void kcall_ints(KCall *k, const int64_t *x, int n);
void kcall_f(KCall *k, double x);
/* Mark a call as checking: its kernel receives an int *status as b[nbuf]. */
void kcall_checks(KCall *k);
/* A scratch tensor owned by the call sequence (the planner places it). */
Value *lower_temp(Lower *L, int dtype, int rank, const int64_t *dims);
/* Init calls compute, from constants alone, tensors too big to fold into the
 * constant blob: a splat (ConstantOfShape) materialized, or packed for a GEMM.
 * The generated code runs them once, at the first run (NAME_init), into
 * static storage, instead of at every run.  k becomes an init call (without
 * guards: its inputs are constants) and the tensor it writes, returned by
 * lower_init_temp, lives in static storage. */
void kcall_init(KCall *k);
Value *lower_init_temp(Lower *L, int dtype, int rank, const int64_t *dims);
/* An init call that packs splat constant w (float32, one element repeated)
 * as lower_prepack would: `batches` matrices of m x k in panels of `width`. */
Value *lower_prepack_splat(Lower *L, const Value *w, const GemmIsa *isa, int64_t width,
			   int64_t batches, int64_t m, int64_t k);

/* onnxcc_qsplit (templates/quant.h): the high (low 0) or low part of integer
 * v, at most 255 in magnitude, split by s, as the generated code splits it. */
double lower_qsplit(double v, int64_t s, int low);

/* Lower one node into calls appended to *out, for CPU_GENERIC (constant
 * folding) or a given target. */
int lower_node(Graph *g, Node *n, KCallList *out);
int lower_node_cpu(Graph *g, Node *n, KCallList *out, int cpu);

/* Elements of scratch one thread of the phase planes of the depthwise
 * convolution needs (2-D: out, k, stride, dil of 2; ONNXCC_PHASES_SCRATCH,
 * onnxcc_rt.h). */
int64_t phases_scratch(const int64_t *out, const int64_t *k, const int64_t *stride,
		       const int64_t *dil);
/* The same for separable 2-D pooling (in, out, stride of 2;
 * ONNXCC_POOL_SCRATCH, templates/pool.h). */
int64_t pool_scratch(const int64_t *in, const int64_t *out, const int64_t *stride);
/* Floats of packing scratch a float32 GEMM of isa needs (templates/gemm_simd.h). */
int64_t gemm_isa_scratch(const GemmIsa *isa, int64_t m, int64_t n, int64_t k, int packed_a,
			 int packed_b);
/* The forms of the SIMD convolution: ONNXCC_CONV_COLS, _ROWS, _PLANE, _WINO
 * and _WINO_ROWS of templates/gemm_simd.h (lower.c checks that they agree). */
enum { CONV_COLS, CONV_ROWS, CONV_PLANE, CONV_WINO, CONV_WINO_ROWS };
/* Floats of scratch a thread of the SIMD convolution needs, weights packed,
 * planes: the floats of a group's padded planes (CONV_PLANE) or the
 * transforms' buffers (CONV_WINO, wino_temps) (templates/gemm_simd.h). */
int64_t conv_isa_scratch(const GemmIsa *isa, int64_t mg, int64_t os, int64_t k, int64_t chunk,
			 int usecol, int form, int64_t planes);
/* A new constant: `batches` float32 matrices of constant w (the i-th at element
 * offset i * bstride), each rows [0, m) x steps [0, k) with element strides
 * rs, cs, packed ahead of time in panels of `width` (isa's MR for an A
 * operand, NR for a B operand) as templates/gemm_simd.h reads them. */
Value *lower_prepack(Lower *L, const Value *w, const GemmIsa *isa, int64_t width, int64_t batches,
		     int64_t bstride, int64_t m, int64_t k, int64_t rs, int64_t cs);
/* The Winograd weights (ONNXCC_CONV_WINO, templates/gemm_simd.h) of w, a
 * float32 constant or splat of shape (group mg) x cg x 3 x 3, packed for
 * isa in panels of width (MR, NR for CONV_WINO_ROWS): a constant computed
 * now (in double), a splat by an init call. */
Value *lower_wino_weights(Lower *L, const Value *w, const GemmIsa *isa, int64_t width,
			  int64_t group, int64_t mg, int64_t cg);
/* Floats of ONNXCC_CONV_WINO's transform buffers for chunks of `chunk` tile
 * slots (onnxcc_wino_temps). */
int64_t wino_temps(int64_t chunk);
void kcalls_free(KCallList *l);
/* The j-th value call c reads or writes: its buffers, then the conditions of
 * its guards (a guarded call reads them too); NULL past the last. */
Value *kcall_value(const KCall *c, int j);
/* The guards a call runs under, from the outermost, in chain[0..depth) (at
 * most 64; depth is returned), and in *common how many of the open guards
 * open[0..nopen) they keep: what a backend closes and opens between calls. */
int guard_chain(const Guard *want, const Guard **chain, const Guard *const *open, int nopen,
		int *common);

/* Run calls on host buffers: bufs[value id] points to each value's data.
 * Returns 0, or the status code of the first checking call that failed. */
int kernels_run(const KCallList *l, void **bufs);

#endif
