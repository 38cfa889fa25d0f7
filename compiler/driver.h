/* driver.h: the compile pipeline, shared by onnxcc and onnxcc-run. */
#ifndef ONNXCC_DRIVER_H
#define ONNXCC_DRIVER_H

#include "frontend/frontend.h"
#include "judge.h"

/* What a compiled model's inputs and outputs are, for onnxcc-run. */
typedef struct CompiledTensor {
	int dtype, rank;
	int64_t dims[IR_MAX_RANK];
	int64_t nbytes;
} CompiledTensor;

/* A model output as declared: a tensor, a sequence, or an optional (an empty
 * one: SHAPE_NONE) stands for `count` interface outputs from `first` on. */
typedef struct CompiledGroup {
	int kind;             /* SHAPE_TENSOR, SHAPE_SEQ, SHAPE_NONE */
	int first, count;
} CompiledGroup;

/* outputs[noutputs .. noutputs + nprobes - 1] are the probes judge_probe()
 * added (CompileOptions.probe_random); judge[k] says how output k is judged. */
typedef struct CompiledIO {
	int ninputs, noutputs, nprobes;
	CompiledTensor inputs[256], outputs[256];
	int ngroups;
	CompiledGroup groups[256];
	int out_group[256];   /* the group of each output */
	Judge judge[256];
} CompiledIO;

typedef struct CompileOptions {
	const char *input;        /* model.onnx */
	const char *output;       /* model.c (the header goes beside it); NULL: no output */
	const char *name;         /* symbol prefix; NULL: the output's stem */
	int opt_level;            /* -O0 .. -O3 */
	int opt_size;             /* -Os: the LLVM backend optimizes for size (-O2 otherwise) */
	const char *dump_ir;      /* NULL, "" (after the last pass) or a pass name */
	int report;               /* --report: arena size and lower bound */
	const InputShape *shapes; /* --shape */
	int nshapes;
	int string_bytes;         /* --string-bytes: size of a string record; 0: default */
	CompiledIO *io;           /* if set, filled in on success */
	int probe_random;         /* add the operands of random outputs' checks as outputs */
	const char *cpu;          /* --cpu: generic, avx2, avx512f, neon, native; NULL: native */
	const char *emit;         /* --emit: c, obj, asm, llvm-ir; NULL: from the output's
				   * extension (.o obj, .s asm, .ll llvm-ir, else c) */
	const char *target;       /* --target: an LLVM target triple; NULL: the host's */
	int threads;              /* --threads: 0 or 1 single-threaded (no pthreads) */
} CompileOptions;

/* Compile a model; 0 on success, -1 with ir_last_error() set on bad input.
 * Output files appear whole or not at all. */
int compile(const CompileOptions *o);

/* Derive a C identifier from a path's stem ("out/my-model.c" -> "my_model"). */
void name_from_path(const char *path, char *buf, size_t n);

#endif
