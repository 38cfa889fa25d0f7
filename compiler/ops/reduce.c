/* reduce.c: ReduceSum, ReduceMean, ... over a set of axes, and ArgMax/ArgMin
 * over one axis.  The reduction is the row's aux string; kernels are
 * <type>_reduce_<aux>__scalar and <type>_arg<aux>__scalar (templates/reduce.def). */
#include <string.h>

#include "ops_util.h"
#include "onnxcc_rt.h"
#include "reduce.h"

/* Opset from which axes is input 1 instead of an attribute: ReduceSum moved
 * at 13, the other reductions at 18. */
static int axes_input_since(const Node *n)
{
	return strcmp(n->op->aux, "sum") == 0 ? 13 : 18;
}

/* The axes input when its values are run-time data (a non-empty tensor
 * without constant data), else NULL. */
static Value *runtime_axes(const Node *n)
{
	Value *a = n->nin > 1 ? n->in[1] : NULL;

	if (n->version < axes_input_since(n) || !a || a->data || value_numel(a) == 0)
		return NULL;
	return a;
}

/* The axes the node lists, from the attribute or the constant input: their
 * count, or -1 after an error. */
static int listed_axes(const Node *n, int64_t *axes)
{
	const int64_t *a;
	int k;

	if (n->version >= axes_input_since(n)) {
		if (n->nin < 2 || !n->in[1] || value_numel(n->in[1]) == 0)
			return 0;
		return const_ints(n, 1, axes, IR_MAX_RANK);
	}
	k = attr_ints(n, "axes", &a);
	if (k > IR_MAX_RANK)
		return node_error(n, "too many axes (%d)", k);
	if (k > 0)
		memcpy(axes, a, sizeof(int64_t) * k);
	return k < 0 ? 0 : k;
}

/* red[d] = 1 for each reduced dimension of the input (constant axes); -1
 * after an error. */
static int reduced_dims(const Node *n, char *red)
{
	const Value *x = n->in[0];
	int64_t axes[IR_MAX_RANK];
	int na;

	if ((na = listed_axes(n, axes)) < 0)
		return -1;
	if (onnxcc_reduce_axes(axes, na, attr_i(n, "noop_with_empty_axes", 0), x->rank, red) != 0)
		return node_error(n, "axes are out of range for rank %d or repeated", x->rank);
	return 0;
}

int reduce_infer(Node *n)
{
	const Value *x = n->in[0], *a = runtime_axes(n);
	int64_t dims[IR_MAX_RANK];
	char red[IR_MAX_RANK];
	int keep = attr_i(n, "keepdims", 1) != 0;

	if (a) {
		/* The declared shape; the kernel checks the axes against it. */
		if (a->dtype != DT_INT64 || a->rank != 1)
			return node_error(n, "axes input '%s' must be a 1-D int64 tensor", a->name);
		return set_out_declared(n, 0, x->dtype, a);
	}
	if (reduced_dims(n, red) != 0)
		return -1;
	return set_out(n, 0, x->dtype, (int)onnxcc_reduce_dims(x->dims, x->rank, red, keep, dims),
		       dims);
}

/* Run-time axes: the kernel makes the plan after checking the axes. */
static int lower_runtime_axes(Node *n, Lower *L, Value *a)
{
	Value *x = n->in[0], *y = n->out[0], *yt;
	KCall *k;

	if (widen_half(L, &x) != 0 || !(yt = half_out(L, y)) ||
	    !(k = lower_callf(L, "%s_reduce_%s_axes__scalar", dt_short(x->dtype), n->op->aux)))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, a);
	kcall_buf(k, yt);
	kcall_checks(k);
	kcall_i(k, value_numel(a));
	kcall_i(k, attr_i(n, "keepdims", 1) != 0);
	kcall_i(k, attr_i(n, "noop_with_empty_axes", 0));
	kcall_i(k, x->rank);
	kcall_ints(k, x->dims, x->rank);
	kcall_i(k, y->rank);
	kcall_ints(k, y->dims, y->rank);
	return narrow_half(L, yt, y);
}

int reduce_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *a = runtime_axes(n), *yt;
	int64_t kd[IR_MAX_RANK], ks[IR_MAX_RANK], rd[IR_MAX_RANK], rs[IR_MAX_RANK], nk, nr;
	char red[IR_MAX_RANK];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (a)
		return lower_runtime_axes(n, L, a);
	if (reduced_dims(n, red) != 0)
		return -1;
	onnxcc_reduce_plan(x->dims, x->rank, red, kd, ks, &nk, rd, rs, &nr);
	/* float16 and bfloat16 reduce in float, rounded once at the end */
	if (widen_half(L, &x) != 0 || !(yt = half_out(L, y)) ||
	    !(k = lower_callf(L, "%s_reduce_%s__scalar", dt_short(x->dtype), n->op->aux)))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, yt);
	kcall_i(k, nk);
	kcall_ints(k, kd, (int)nk);
	kcall_ints(k, ks, (int)nk);
	kcall_i(k, nr);
	kcall_ints(k, rd, (int)nr);
	kcall_ints(k, rs, (int)nr);
	return narrow_half(L, yt, y);
}

/* ArgMax/ArgMin: the axis (normalized), or -1 after an error. */
static int arg_axis(const Node *n, int64_t *axis)
{
	const Value *x = n->in[0];

	if (norm_axis(n, attr_i(n, "axis", 0), x->rank, axis) != 0)
		return -1;
	if (x->dims[*axis] == 0) {
		int64_t rest = 1;
		int d;
		for (d = 0; d < x->rank; d++)
			if (d != *axis)
				rest *= x->dims[d];
		if (rest != 0)
			return node_error(n, "axis %lld has size 0: no index to return",
					  (long long)*axis);
	}
	return 0;
}

int argreduce_infer(Node *n)
{
	const Value *x = n->in[0];
	int64_t dims[IR_MAX_RANK], axis;
	int keep = attr_i(n, "keepdims", 1) != 0, r = 0, d;

	if (x->rank == 0)
		return node_error(n, "input is a scalar, expected rank 1 or more");
	if (arg_axis(n, &axis) != 0)
		return -1;
	for (d = 0; d < x->rank; d++)
		if (d != axis)
			dims[r++] = x->dims[d];
		else if (keep)
			dims[r++] = 1;
	return set_out(n, 0, DT_INT64, r, dims);
}

/* X viewed as (outer, n, inner) around the axis. */
int argreduce_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t axis, outer = 1, inner = 1;
	int d;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (arg_axis(n, &axis) != 0)
		return -1;
	for (d = 0; d < x->rank; d++)
		if (d < axis)
			outer *= x->dims[d];
		else if (d > axis)
			inner *= x->dims[d];
	if (widen_half(L, &x) != 0 ||
	    !(k = lower_callf(L, "%s_arg%s__scalar", dt_short(x->dtype), n->op->aux)))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_i(k, outer);
	kcall_i(k, x->dims[axis]);
	kcall_i(k, inner);
	kcall_i(k, attr_i(n, "select_last_index", 0) != 0);
	return 0;
}
