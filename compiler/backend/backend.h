/* backend.h: what a backend is.  The driver picks one and calls emit; it does
 * not know which one runs (QBE's Target). */
#ifndef ONNXCC_BACKEND_H
#define ONNXCC_BACKEND_H

#include <stdio.h>

#include "ir.h"

typedef struct EmitOptions {
	const char *name;        /* symbol prefix, a C identifier */
	const char *header_name; /* file name the source includes: "model.h" */
	const char *model_path;  /* for the banner */
	int emit;                /* EMIT_*: what the LLVM backend writes */
	const char *target;      /* LLVM backend: target triple ("x86_64-linux-gnu") */
	const char *cpu;         /* LLVM backend: --cpu as given; NULL: native */
	int opt_level;           /* onnxcc -O: LLVM's pipeline is O3 at -O3, else O2 */
	int opt_size;            /* onnxcc -Os: LLVM's Os pipeline, kernels inlined as LLVM sees fit */
} EmitOptions;

/* What onnxcc writes (--emit): C source, or through LLVM an object file,
 * assembly or textual LLVM IR. */
enum { EMIT_C, EMIT_OBJ, EMIT_ASM, EMIT_LLVM_IR };

typedef struct Backend {
	const char *name;
	/* Write the model's implementation (C source, object, ...) to out. */
	int (*emit)(Graph *g, const EmitOptions *o, FILE *out);
} Backend;

extern const Backend backend_c;
extern const Backend backend_llvm;

/* The kernels compiled to LLVM bitcode for one target triple, embedded in
 * onnxcc at build time (CMakeLists.txt, compiler/backend/bitcode/kernels.c). */
typedef struct EmbeddedBitcode {
	const char *triple;
	const unsigned char *start, *end;
} EmbeddedBitcode;
/* Terminated by a NULL triple; empty when onnxcc was built without LLVM. */
extern const EmbeddedBitcode embedded_bitcode[];
/* Whether the LLVM backend can write code for this triple. */
int emit_llvm_available(const char *target);

/* The header both backends share: entry points, arena macros, metadata. */
int emit_header(Graph *g, const EmitOptions *o, FILE *out);
/* "int NAME_run(inputs..., outputs..., void *arena)", without the semicolon. */
void emit_run_prototype(FILE *out, const Graph *g, const char *name);
/* C identifier for a graph input or output parameter ("in_x", "out_y"). */
void emit_param_name(const Graph *g, const Value *v, char *buf, size_t n);

#endif
