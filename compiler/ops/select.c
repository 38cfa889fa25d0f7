/* select.c: NonZero, Compress and Unique, whose output sizes depend on data.
 * The size is computed here when the deciding input is a compile-time
 * constant; otherwise it is the shape the model declares for the output
 * (set_out_declared).  Either way the kernel
 * (templates/select.h) counts again and returns ONNXCC_ERR_SHAPE instead of
 * writing when the count differs. */
#include <math.h>
#include <string.h>

#include "ops_util.h"

/* Whether element i of constant v is nonzero (NaN is). */
static int const_nonzero(const Value *v, int64_t i)
{
	double x = const_f64(v, i);
	return x != 0 || x != x;
}

/* NonZero: int64 [rank, count]. */
int nonzero_infer(Node *n)
{
	Value *x = n->in[0];
	int64_t dims[2] = {x->rank, 0}, i, numel = value_numel(x);

	if (x->rank == 0)
		return node_error(n, "input is a scalar, expected rank 1 or more");
	if (!dt_size(x->dtype) || x->dtype == DT_STRING)
		return node_error(n, "element type %s is not supported", dt_name(x->dtype));
	if (!x->data) {
		const Value *o = n->out[0];
		if (set_out_declared(n, 0, DT_INT64, x) != 0)
			return -1;
		if (o->rank != 2 || o->dims[0] != x->rank)
			return node_error(n, "output '%s' is declared with another shape than "
					  "[%d, count]", o->name, x->rank);
		return 0;
	}
	for (i = 0; i < numel; i++)
		dims[1] += const_nonzero(x, i);
	return set_out(n, 0, DT_INT64, 2, dims);
}

int nonzero_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	KCall *k;

	if (widen_half(L, &x) != 0 ||
	    !(k = lower_callf(L, "%s_nonzero__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_checks(k);
	kcall_i(k, x->rank);
	kcall_ints(k, x->dims, x->rank);
	kcall_i(k, y->dims[1]);
	return 0;
}

/* Compress's view of X around the axis (no axis: X flattened): outer, len,
 * inner; the axis, or -1 without one. */
static int compress_view(const Node *n, int64_t *v, int64_t *axis)
{
	const Value *x = n->in[0];
	int d;

	*axis = -1;
	if (node_attr(n, "axis") && norm_axis(n, attr_i(n, "axis", 0), x->rank, axis) != 0)
		return -1;
	v[0] = v[1] = v[2] = 1;
	for (d = 0; d < x->rank; d++)
		v[*axis < 0 || d == *axis ? 1 : d < *axis ? 0 : 2] *= x->dims[d];
	return 0;
}

int compress_infer(Node *n)
{
	Value *x = n->in[0], *c = n->in[1], *o = n->out[0];
	int64_t v[3], axis, dims[IR_MAX_RANK], i, cnt = 0;
	int d;

	if (compress_view(n, v, &axis) != 0)
		return -1;
	if (c->dtype != DT_BOOL || c->rank != 1)
		return node_error(n, "condition '%s' must be a 1-D bool tensor", c->name);
	if (!dt_size(x->dtype))
		return node_error(n, "element type %s is not supported", dt_name(x->dtype));
	for (d = 0; d < x->rank; d++)
		dims[d] = x->dims[d];
	if (!c->data) {
		if (set_out_declared(n, 0, x->dtype, c) != 0)
			return -1;
		if (axis < 0 ? o->rank != 1 : o->rank != x->rank)
			return node_error(n, "output '%s' is declared with rank %d, expected %d",
					  o->name, o->rank, axis < 0 ? 1 : x->rank);
		for (d = 0; axis >= 0 && d < x->rank; d++)
			if (d != axis && o->dims[d] != x->dims[d])
				return node_error(n, "output '%s' is declared with dimension %d of %lld, "
						  "expected %lld", o->name, d, (long long)o->dims[d],
						  (long long)x->dims[d]);
		return 0;
	}
	for (i = 0; i < c->dims[0]; i++)
		if (const_i64(c, i)) {
			if (i >= v[1])
				return node_error(n, "condition selects index %lld, beyond the %lld "
						  "slices", (long long)i, (long long)v[1]);
			cnt++;
		}
	if (axis < 0)
		return set_out(n, 0, x->dtype, 1, &cnt);
	dims[axis] = cnt;
	return set_out(n, 0, x->dtype, x->rank, dims);
}

int compress_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *c = n->in[1], *y = n->out[0];
	int64_t v[3], axis;
	KCall *k;

	if (compress_view(n, v, &axis) != 0)
		return -1;
	if (!(k = lower_callf(L, "%s_compress__scalar", width_prefix(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, c);
	kcall_buf(k, y);
	kcall_checks(k);
	kcall_ints(k, v, 3);
	kcall_i(k, c->dims[0]);
	kcall_i(k, axis < 0 ? y->dims[0] : y->dims[axis]);
	return 0;
}

/* Unique's view of X: (outer, len, inner) around the axis, or X flattened. */
static int unique_view(const Node *n, int64_t *v, int64_t *axis)
{
	return compress_view(n, v, axis);
}

/* Slices a and b of constant x, viewed as v, compare equal (NaN equals NaN). */
static int const_same_slice(const Value *x, const int64_t *v, int64_t a, int64_t b)
{
	int64_t o, i;

	for (o = 0; o < v[0]; o++)
		for (i = 0; i < v[2]; i++) {
			double p = const_f64(x, (o * v[1] + a) * v[2] + i);
			double q = const_f64(x, (o * v[1] + b) * v[2] + i);
			if (p != q && !(p != p && q != q))
				return 0;
		}
	return 1;
}

/* The number of distinct slices: from the constant input, else from the
 * declared shapes of Y, indices or counts; -1 after an error. */
static int64_t unique_count(const Node *n, const int64_t *v, int64_t axis)
{
	const Value *x = n->in[0];
	int64_t j, k, u = 0;
	int i;

	if (x->data) {
		for (j = 0; j < v[1]; j++) {
			for (k = 0; k < j && !const_same_slice(x, v, k, j); k++)
				;
			u += k == j;
		}
		return u;
	}
	for (i = 0; i < n->nout; i++) {
		const Value *o = n->out[i];
		if (!o || i == 2 || o->decl_rank < 0)
			continue;
		if (i > 0)
			return o->decl_rank == 1 ? o->decl_dims[0] : node_error(n, "output '%s' is "
				"declared with rank %d, expected 1", o->name, o->decl_rank);
		if (o->decl_rank != (axis < 0 ? 1 : x->rank))
			return node_error(n, "output '%s' is declared with rank %d, expected %d",
					  o->name, o->decl_rank, axis < 0 ? 1 : x->rank);
		for (k = 0; axis >= 0 && k < x->rank; k++)
			if (k != axis && o->decl_dims[k] != x->dims[k])
				return node_error(n, "output '%s' is declared with dimension %d of %lld, "
						  "expected %lld", o->name, (int)k,
						  (long long)o->decl_dims[k], (long long)x->dims[k]);
		return o->decl_dims[axis < 0 ? 0 : axis];
	}
	return node_error(n, "input '%s' is not a compile-time constant and the model does not "
			  "declare a static shape for output '%s'", x->name, n->out[0]->name);
}

int unique_infer(Node *n)
{
	Value *x = n->in[0];
	int64_t v[3], axis, u, dims[IR_MAX_RANK];
	int d;

	if (unique_view(n, v, &axis) != 0)
		return -1;
	if (!dt_size(x->dtype))
		return node_error(n, "element type %s is not supported", dt_name(x->dtype));
	if ((u = unique_count(n, v, axis)) < 0)
		return -1;
	for (d = 0; d < x->rank; d++)
		dims[d] = x->dims[d];
	if (axis >= 0)
		dims[axis] = u;
	if (set_out(n, 0, x->dtype, axis < 0 ? 1 : x->rank, axis < 0 ? &u : dims) != 0 ||
	    set_out(n, 1, DT_INT64, 1, &u) != 0 || set_out(n, 2, DT_INT64, 1, &v[1]) != 0)
		return -1;
	return set_out(n, 3, DT_INT64, 1, &u);
}

int unique_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *yt, *bufs[3];
	int64_t v[3], axis, u, sz;
	int i;
	KCall *k;

	if (unique_view(n, v, &axis) != 0)
		return -1;
	u = axis < 0 ? y->dims[0] : y->dims[axis];
	for (i = 0; i < 3; i++) {
		sz = i == 1 ? v[1] : u;
		bufs[i] = node_out(n, i + 1) ? n->out[i + 1] : lower_temp(L, DT_INT64, 1, &sz);
	}
	sz = 5 * v[1];
	if (widen_half(L, &x) != 0 || !(yt = half_out(L, y)) ||
	    !(k = lower_callf(L, "%s_unique__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, yt);
	for (i = 0; i < 3; i++)
		kcall_buf(k, bufs[i]);
	kcall_buf(k, lower_temp(L, DT_INT64, 1, &sz));
	kcall_checks(k);
	kcall_ints(k, v, 3);
	kcall_i(k, u);
	kcall_i(k, attr_i(n, "sorted", 1) != 0);
	return narrow_half(L, yt, y);
}
