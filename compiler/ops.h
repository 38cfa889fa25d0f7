/* ops.h: the operator table.
 *
 * Every ONNX operator onnxcc knows is one row of ops.def:
 *
 *   OP(Name, "domain", since, until, min_in, max_in, min_out, max_out, family, aux, flags)
 *
 * `since`..`until` is the range of opset versions the row implements; a
 * model's node gets the row that covers its domain's opset version, and the
 * family functions read n->version where semantics changed between versions.
 * `family` names two functions in ops/<family>.c:
 *
 *   int <family>_infer(Node *n);            set output types and shapes (and, for
 *                                           ops such as Shape, constant data)
 *   int <family>_lower(Node *n, Lower *L);  append kernel calls (lower.h)
 *
 * `aux` is a per-row string the family interprets (e.g. the scalar operation
 * "add" for Add).  `flags` are properties that passes read (OPF_*). */
#ifndef ONNXCC_OPS_H
#define ONNXCC_OPS_H

#include "ir.h"

typedef struct Lower Lower;

enum {
	OPF_ELEMENTWISE = 1 << 0, /* output[i] depends on input[i] only (after broadcasting) */
	OPF_SPLAT = 1 << 1,       /* all-splat inputs give a splat output */
	OPF_NOFOLD = 1 << 2,      /* never evaluate at compile time (random ops) */
	OPF_VIEW = 1 << 3,        /* output is input 0's bytes reinterpreted (Reshape, ...) */
	OPF_EFFECT = 1 << 4,      /* kept even when no node reads its outputs (run-time checks) */
	OPF_RANDOM = 1 << 5,      /* may draw random values: onnxcc-run judges its outputs by
				   * their value sets (judge.h, random_value_set) */
	OPF_STRING = 1 << 6,      /* takes string tensors (for a view: as input 0 only) */
	OPF_EMPTY_LEAD = 1 << 7,  /* inputs below min_in may be empty (Loop's M and cond,
				   * Scan 8's sequence_lens); elsewhere they are required */
	OPF_SLABS = 1 << 8,       /* its calls copy each input into its own slab of the
				   * output and write nothing else (Concat): memplan may
				   * let an input live in its slab */
};

struct OpInfo {
	const char *name, *domain;
	int since, until;
	int min_in, max_in, min_out, max_out;
	int (*infer)(Node *n);
	int (*lower)(Node *n, Lower *L);
	const char *aux;
	unsigned flags;
};

/* The row for (domain, op_type, version), or NULL. */
const OpInfo *op_lookup(const char *domain, const char *op_type, int version);
/* Whether any row has this (domain, op_type), whatever the version. */
int op_known(const char *domain, const char *op_type);
/* The same, with the lowest and highest versions any row covers. */
int op_versions(const char *domain, const char *op_type, int *since, int *until);

/* A Slice whose starts, ends, axes and steps are constants (movement.c):
 * 1 with the first index, step and length of each axis of its input, else 0. */
int slice_static(const Node *n, int64_t *start, int64_t *step, int64_t *len);

/* conv_lower for a float32 Conv of integer values whose every sum is exact in
 * float (quant.c's ConvInteger on the float GEMM): the forms that add the
 * products as they are, never Winograd's, whose transforms round (conv.c). */
int conv_lower_exact(Node *n, Lower *L);

/* Family functions, declared from ops.def. */
#define OP(name, domain, since, until, mini, maxi, mino, maxo, family, aux, flags) \
	int family##_infer(Node *n); int family##_lower(Node *n, Lower *L);
#include "ops.def"
#undef OP

#endif
