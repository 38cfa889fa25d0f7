/* ops_util.h: helpers the op families share. */
#ifndef ONNXCC_OPS_UTIL_H
#define ONNXCC_OPS_UTIL_H

#include "lower.h"
#include "ops.h"

/* Checked int64 arithmetic for sizes computed from a model's attributes:
 * on overflow the result is 0 and *ovf is set (sticky), so a formula is
 * written once and checked once. */
static inline int64_t ck_add(int64_t a, int64_t b, int *ovf)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r)) {
		*ovf = 1;
		return 0;
	}
	return r;
}

static inline int64_t ck_sub(int64_t a, int64_t b, int *ovf)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r)) {
		*ovf = 1;
		return 0;
	}
	return r;
}

static inline int64_t ck_mul(int64_t a, int64_t b, int *ovf)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r)) {
		*ovf = 1;
		return 0;
	}
	return r;
}

/* The epilogue parameters of a Conv, Gemm or MatMul call (ir.h, Node.epi_act;
 * templates/linalg.h): appends act and has_res to k's p, act_a and act_b to
 * its f.  The residual's buffer (node_in(n, 3)) the caller appends last. */
void kcall_epilogue(KCall *k, const Node *n);
/* y (m x n) = a (m x k) b, b (k x n) or, with transb, (n x k): one GEMM call
 * with no bias or epilogue (ops/linalg.c). */
int lower_matmul_plain(Lower *L, Value *a, Value *b, Value *y, int64_t m, int64_t n, int64_t k,
		       int transb);

/* The float parameters (f[], at most 2) of a unary map's scalar operation
 * (ops/elementwise.c): their count.  For its kernel and for passes/fuse_ew.c. */
int unary_fparams(const Node *n, double *f);

/* numpy-style broadcast of the non-NULL inputs' shapes into out (rank, dims). */
int broadcast_shapes(const Node *n, Value *const *ins, int nins, int *rank, int64_t *dims);

/* Parameters for a broadcasting kernel writing `out` contiguously: appends
 * {r, dims[r], strides of in[0][r], strides of in[1][r], ...} to k, with
 * dimensions of size 1 dropped and contiguous runs merged. */
void kcall_broadcast(KCall *k, const Value *out, Value *const *ins, int nins);

/* Normalize an axis attribute against rank (negative counts from the end);
 * -1 after node_error if out of range. */
int norm_axis(const Node *n, int64_t axis, int rank, int64_t *out);

/* Kernel name prefix by element width, for type-agnostic movement kernels. */
const char *width_prefix(int dtype);

/* For kernels that move words: the widest word prefix that divides an
 * element of dtype, and how many words an element is (string records: many). */
const char *word_prefix(int dtype, int64_t *words);

/* kcall_broadcast for elements of `words` words (word_prefix): with more than
 * one, the broadcast runs over one more dimension, the words, along which an
 * input with scalar[i] set (Where's condition) repeats.  -1 after
 * node_error() when the rank leaves no room. */
int kcall_broadcast_words(KCall *k, const Node *n, const Value *out, Value *const *ins, int nins,
			  int64_t words, const int *scalar);

/* Contiguous element strides of a value, or of a shape. */
void value_strides(const Value *v, int64_t *st);
void dims_strides(int r, const int64_t *dims, int64_t *st);

/* The node's output i, typed and shaped. */
int set_out(Node *n, int i, int dtype, int rank, const int64_t *dims);

/* One element of type dtype holding v (malloc'd): a splat's data. */
void *scalar_of(int dtype, double v);

/* A constant integer list input (shape, axes, pads): its length, or -1 after
 * node_error() if the input is not a compile-time constant list of at most max. */
int const_ints(const Node *n, int i, int64_t *out, int max);

/* Output i's shape when it depends on run-time data (a shape or axes input
 * that is not constant): the shape the model declares for it, else an error
 * naming `input`.  The lowering must then check the data at run time. */
int set_out_declared(Node *n, int i, int dtype, const Value *input);
/* The value whose declared shape v has: v, or a value a chain of consumers
 * makes of v without changing its shape; NULL if none (depth: call with 0). */
const Value *declared_via(const Value *v, int depth);

/* Float16 and bfloat16 through float kernels: widen_half() replaces a half
 * operand *v (NULL or other types: unchanged) by a float copy in scratch;
 * half_out() is the value a kernel writes for output y (a float scratch if y
 * is half, else y) and narrow_half() converts it into y after the kernel call.
 * -1 / NULL after node_error() when no conversion kernel exists. */
/* y = x's bytes (the whole tensor); nothing for an empty one. */
int lower_copy(Lower *L, Value *x, Value *y);
/* y = x converted to y's element type (a copy if the types agree). */
int lower_convert(Lower *L, Value *x, Value *y);
int widen_half(Lower *L, Value **v);
Value *half_out(Lower *L, Value *y);
int narrow_half(Lower *L, Value *t, Value *y);

/* An optional integer list attribute of length len (default def when absent);
 * -1 after node_error() if it has another length or a value below min. */
int attr_list(const Node *n, const char *name, int len, int64_t def, int64_t min, int64_t *out);

/* y[yoff + i.sy] = x[xoff + i.sx] over the r-dimensional index space dims
 * (offsets and strides in elements): one strided-copy call with size-1
 * dimensions dropped and contiguous neighbours merged; none for an empty space. */
int lower_strided(Lower *L, Value *x, int64_t xoff, Value *y, int64_t yoff, int r,
		  const int64_t *dims, const int64_t *sx, const int64_t *sy);

/* Axis slabs, for ops built from Split and Concat steps (movement.c).
 * lower_axis_slice: y's bytes = x[..., pos:pos+len, ...] along axis (y's own
 * shape may differ by size-1 dimensions).  lower_axis_place: x's bytes, shaped
 * as y with `len` along axis, go to y[..., pos:pos+len, ...]. */
int lower_axis_slice(Lower *L, Value *x, int64_t axis, int64_t pos, int64_t len, Value *y);
int lower_axis_place(Lower *L, Value *x, Value *y, int64_t axis, int64_t pos, int64_t len);

/* Equal on string tensors (strings.c), for binary_lower. */
int str_equal_lower(Node *n, Lower *L);

#endif
