/* index.c: indexing ops (GatherElements, GatherND, Scatter/ScatterElements,
 * ScatterND, OneHot), CumSum, Trilu, EyeLike, DepthToSpace and SpaceToDepth.
 *
 * Index inputs are run-time data: the kernels (templates/index.h) check every
 * index and report one out of range as ONNXCC_ERR_INDEX, never touching
 * memory outside the tensors.  Moves are by element width; scatter
 * reductions and CumSum are typed, with float16 and bfloat16 computed in
 * float.  DepthToSpace and SpaceToDepth are 6-d transposes on movement's
 * strided copy. */
#include <stdlib.h>
#include <string.h>

#include "ops_util.h"

/* Indices must be int32 or int64 (kernels read either). */
static int check_index_type(const Node *n, int i)
{
	const Value *v = n->in[i];

	if (v->dtype != DT_INT32 && v->dtype != DT_INT64)
		return node_error(n, "input %d ('%s') has element type %s, expected int32 or int64",
				  i, v->name, dt_name(v->dtype));
	return 0;
}

/* Constant indices are checked now (run-time ones by the kernels): entry e
 * indexes an axis of length dims[e % k]. */
static int check_const_indices(const Node *n, const int64_t *dims, int64_t k)
{
	const Value *v = n->in[1];
	int64_t e, ix;

	for (e = 0; v->data && e < value_numel(v); e++) {
		ix = const_i64(v, e);
		if (ix < -dims[e % k] || ix >= dims[e % k])
			return node_error(n, "index %lld is out of range for an axis of length %lld",
					  (long long)ix, (long long)dims[e % k]);
	}
	return 0;
}


/* The product of dims[from..to). */
static int64_t prod(const int64_t *dims, int from, int to)
{
	int64_t p = 1;

	for (; from < to; from++)
		p *= dims[from];
	return p;
}

/* Movers are by width: the element type needs a 1, 2, 4 or 8-byte size. */
static int check_movable(const Node *n, int dtype)
{
	int s = dt_size(dtype);

	if (dtype == DT_STRING || (s != 1 && s != 2 && s != 4 && s != 8))
		return node_error(n, "element type %s is not supported", dt_name(dtype));
	return 0;
}

/* GatherElements ----------------------------------------------------------- */

/* The axis, with indices of data's rank and no larger than data off the axis. */
static int gather_elements_axis(const Node *n, int64_t *axis)
{
	const Value *x = n->in[0], *idx = n->in[1];
	int d;

	if (x->rank < 1 || idx->rank != x->rank)
		return node_error(n, "indices must have the rank of data (%d), at least 1", x->rank);
	if (norm_axis(n, attr_i(n, "axis", 0), x->rank, axis) != 0)
		return -1;
	for (d = 0; d < x->rank; d++)
		if (d != *axis && idx->dims[d] > x->dims[d])
			return node_error(n, "indices dimension %d (%lld) exceeds data's (%lld)", d,
					  (long long)idx->dims[d], (long long)x->dims[d]);
	return 0;
}

int gatherelements_infer(Node *n)
{
	int64_t axis;

	if (check_index_type(n, 1) != 0 || check_movable(n, n->in[0]->dtype) != 0 ||
	    gather_elements_axis(n, &axis) != 0 ||
	    check_const_indices(n, n->in[0]->dims + axis, 1) != 0)
		return -1;
	return set_out(n, 0, n->in[0]->dtype, n->in[1]->rank, n->in[1]->dims);
}

int gatherelements_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *idx = n->in[1], *y = n->out[0];
	int64_t axis, xst[IR_MAX_RANK];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (gather_elements_axis(n, &axis) != 0)
		return -1;
	value_strides(x, xst);
	if (!(k = lower_callf(L, "%s_gather_elements__scalar", width_prefix(y->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, idx);
	kcall_buf(k, y);
	kcall_checks(k);
	kcall_i(k, x->rank);
	kcall_i(k, axis);
	kcall_i(k, idx->dtype == DT_INT64);
	kcall_i(k, x->dims[axis]);
	kcall_ints(k, idx->dims, idx->rank);
	kcall_ints(k, xst, x->rank);
	return 0;
}

/* GatherND ------------------------------------------------------------------- */

/* batch_dims and the index tuple length k, checked against the shapes. */
static int gathernd_shape(const Node *n, int64_t *bd, int64_t *k)
{
	const Value *x = n->in[0], *idx = n->in[1];
	int r = x->rank, q = idx->rank, d;

	*bd = n->version >= 12 ? attr_i(n, "batch_dims", 0) : 0;
	if (q < 1 || r < 1)
		return node_error(n, "data and indices must have rank at least 1");
	if (*bd < 0 || *bd >= q || *bd >= r)
		return node_error(n, "batch_dims %lld must be below both ranks", (long long)*bd);
	*k = idx->dims[q - 1];
	if (*k < 1 || *k > r - *bd)
		return node_error(n, "the last indices dimension (%lld) must be in 1..%lld",
				  (long long)*k, (long long)(r - *bd));
	for (d = 0; d < *bd; d++)
		if (x->dims[d] != idx->dims[d])
			return node_error(n, "batch dimension %d differs between data and indices", d);
	if (q - 1 + r - *k - *bd > IR_MAX_RANK)
		return node_error(n, "output rank is more than %d", IR_MAX_RANK);
	return 0;
}

int gathernd_infer(Node *n)
{
	const Value *x = n->in[0], *idx = n->in[1];
	int64_t bd, k, dims[IR_MAX_RANK];
	int q = idx->rank, d, r = 0;

	if (check_index_type(n, 1) != 0 || check_movable(n, x->dtype) != 0 ||
	    gathernd_shape(n, &bd, &k) != 0 || check_const_indices(n, x->dims + bd, k) != 0)
		return -1;
	for (d = 0; d < q - 1; d++)
		dims[r++] = idx->dims[d];
	for (d = (int)(bd + k); d < x->rank; d++)
		dims[r++] = x->dims[d];
	return set_out(n, 0, x->dtype, r, dims);
}

int gathernd_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *idx = n->in[1], *y = n->out[0];
	int64_t bd, k, st[IR_MAX_RANK];
	int d;
	KCall *c;

	if (value_numel(y) == 0)
		return 0;
	if (gathernd_shape(n, &bd, &k) != 0)
		return -1;
	for (d = 0; d < k; d++)
		st[d] = prod(x->dims, (int)bd + d + 1, x->rank);
	if (!(c = lower_callf(L, "%s_gather_nd__scalar", width_prefix(y->dtype))))
		return -1;
	kcall_buf(c, x);
	kcall_buf(c, idx);
	kcall_buf(c, y);
	kcall_checks(c);
	kcall_i(c, prod(x->dims, 0, (int)bd));
	kcall_i(c, prod(idx->dims, (int)bd, idx->rank - 1));
	kcall_i(c, k);
	kcall_i(c, prod(x->dims, (int)(bd + k), x->rank));
	kcall_i(c, idx->dtype == DT_INT64);
	kcall_i(c, prod(x->dims, (int)bd, x->rank));
	kcall_ints(c, x->dims + bd, (int)k);
	kcall_ints(c, st, (int)k);
	return 0;
}

/* Scatters ------------------------------------------------------------------- */

/* The reduction attribute, checked against the opset ("" for none). */
static int scatter_reduction(const Node *n, const char **red)
{
	const char *s = attr_s(n, "reduction", "none");

	*red = "";
	if (strcmp(s, "none") == 0)
		return 0;
	if (n->version >= 16 && (strcmp(s, "add") == 0 || strcmp(s, "mul") == 0))
		*red = s;
	else if (n->version >= 18 && (strcmp(s, "max") == 0 || strcmp(s, "min") == 0))
		*red = s;
	else
		return node_error(n, "reduction '%s' is not supported at opset %d", s, n->version);
	return 0;
}

/* The kernel of a scatter: a mover without reduction, typed with one; for
 * half types, operands widened to float.  Appends the buffers
 * {X, I, U, Y, status}; the caller appends the parameters. */
static KCall *scatter_call(Node *n, Lower *L, const char *what)
{
	Value *x = n->in[0], *idx = n->in[1], *u = n->in[2], *y = n->out[0], *t = y;
	const char *red;
	KCall *k;

	if (scatter_reduction(n, &red) != 0)
		return NULL;
	if (!*red) {
		k = lower_callf(L, "%s_%s__scalar", width_prefix(y->dtype), what);
	} else {
		if (widen_half(L, &x) != 0 || widen_half(L, &u) != 0 || !(t = half_out(L, y)))
			return NULL;
		k = lower_callf(L, "%s_%s_%s__scalar", dt_short(t->dtype), what, red);
	}
	if (!k)
		return NULL;
	kcall_buf(k, x);
	kcall_buf(k, idx);
	kcall_buf(k, u);
	kcall_buf(k, t);
	kcall_checks(k);
	return k;
}

/* The half-type output a scatter computed in float, rounded into y. */
static int scatter_finish(Node *n, Lower *L, KCall *k)
{
	Value *t = k->buf[3];

	return narrow_half(L, t, n->out[0]);
}

/* Data, indices of its rank, updates shaped like the indices. */
static int scatter_elements_axis(const Node *n, int64_t *axis)
{
	const Value *x = n->in[0], *idx = n->in[1], *u = n->in[2];
	int d;

	if (x->rank < 1 || idx->rank != x->rank)
		return node_error(n, "indices must have the rank of data (%d), at least 1", x->rank);
	if (!value_same_shape(idx, u) || u->dtype != x->dtype)
		return node_error(n, "updates must have the shape of indices and the type of data");
	if (norm_axis(n, attr_i(n, "axis", 0), x->rank, axis) != 0)
		return -1;
	for (d = 0; d < x->rank; d++)
		if (d != *axis && idx->dims[d] > x->dims[d])
			return node_error(n, "indices dimension %d (%lld) exceeds data's (%lld)", d,
					  (long long)idx->dims[d], (long long)x->dims[d]);
	return 0;
}

int scatterelements_infer(Node *n)
{
	const Value *x = n->in[0];
	const char *red;
	int64_t axis;

	if (check_index_type(n, 1) != 0 || check_movable(n, x->dtype) != 0 ||
	    scatter_reduction(n, &red) != 0 || scatter_elements_axis(n, &axis) != 0 ||
	    check_const_indices(n, x->dims + axis, 1) != 0)
		return -1;
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

int scatterelements_lower(Node *n, Lower *L)
{
	Value *idx = n->in[1], *y = n->out[0];
	int64_t axis, yst[IR_MAX_RANK];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (scatter_elements_axis(n, &axis) != 0 || !(k = scatter_call(n, L, "scatter_elements")))
		return -1;
	value_strides(y, yst);
	kcall_i(k, y->rank);
	kcall_i(k, axis);
	kcall_i(k, idx->dtype == DT_INT64);
	kcall_i(k, y->dims[axis]);
	kcall_i(k, value_numel(y));
	kcall_ints(k, idx->dims, idx->rank);
	kcall_ints(k, yst, y->rank);
	return scatter_finish(n, L, k);
}

/* Index tuples of length k <= rank; updates shaped indices[:-1] ++ data[k:]. */
static int scatternd_shape(const Node *n, int64_t *k)
{
	const Value *x = n->in[0], *idx = n->in[1], *u = n->in[2];
	int q = idx->rank, d, ok;

	if (x->rank < 1 || q < 1)
		return node_error(n, "data and indices must have rank at least 1");
	*k = idx->dims[q - 1];
	if (*k < 1 || *k > x->rank)
		return node_error(n, "the last indices dimension (%lld) must be in 1..%d",
				  (long long)*k, x->rank);
	ok = u->dtype == x->dtype && u->rank == q - 1 + x->rank - *k;
	for (d = 0; ok && d < u->rank; d++)
		ok = u->dims[d] == (d < q - 1 ? idx->dims[d] : x->dims[*k + d - (q - 1)]);
	if (!ok)
		return node_error(n, "updates must have data's type and shape indices.shape[:-1] + "
				  "data.shape[%lld:]", (long long)*k);
	return 0;
}

int scatternd_infer(Node *n)
{
	const Value *x = n->in[0];
	const char *red;
	int64_t k;

	if (check_index_type(n, 1) != 0 || check_movable(n, x->dtype) != 0 ||
	    scatter_reduction(n, &red) != 0 || scatternd_shape(n, &k) != 0 ||
	    check_const_indices(n, x->dims, k) != 0)
		return -1;
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

int scatternd_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *idx = n->in[1], *y = n->out[0];
	int64_t k, st[IR_MAX_RANK];
	int d;
	KCall *c;

	if (value_numel(y) == 0)
		return 0;
	if (scatternd_shape(n, &k) != 0 || !(c = scatter_call(n, L, "scatter_nd")))
		return -1;
	for (d = 0; d < k; d++)
		st[d] = prod(x->dims, d + 1, x->rank);
	kcall_i(c, value_numel(y));
	kcall_i(c, prod(idx->dims, 0, idx->rank - 1));
	kcall_i(c, k);
	kcall_i(c, prod(x->dims, (int)k, x->rank));
	kcall_i(c, idx->dtype == DT_INT64);
	kcall_ints(c, x->dims, (int)k);
	kcall_ints(c, st, (int)k);
	return scatter_finish(n, L, c);
}

/* CumSum and CumProd (aux: the kernel, "cumsum" or "cumprod") ---------------- */

/* The axis input: one int32 or int64, in range when it is a constant. */
static int cumsum_check(const Node *n)
{
	const Value *x = n->in[0], *a = n->in[1];
	int64_t axis;

	if (x->rank < 1)
		return node_error(n, "input must have rank at least 1");
	if (check_index_type(n, 1) != 0)
		return -1;
	if (value_numel(a) != 1 || a->rank > 1)
		return node_error(n, "axis must be a scalar");
	return a->data ? norm_axis(n, const_i64(a, 0), x->rank, &axis) : 0;
}

int cumsum_infer(Node *n)
{
	const Value *x = n->in[0];

	if (cumsum_check(n) != 0)
		return -1;
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

int cumsum_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *t;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (cumsum_check(n) != 0 || widen_half(L, &x) != 0 || !(t = half_out(L, y)))
		return -1;
	if (!(k = lower_callf(L, "%s_%s__scalar", dt_short(t->dtype), n->op->aux)))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, n->in[1]);
	kcall_buf(k, t);
	kcall_checks(k);
	kcall_i(k, x->rank);
	kcall_i(k, n->in[1]->dtype == DT_INT64);
	kcall_i(k, attr_i(n, "exclusive", 0) != 0);
	kcall_i(k, attr_i(n, "reverse", 0) != 0);
	kcall_ints(k, x->dims, x->rank);
	return narrow_half(L, t, y);
}

/* Trilu ---------------------------------------------------------------------- */

int trilu_infer(Node *n)
{
	const Value *x = n->in[0], *kv = node_in(n, 1);

	if (x->rank < 2)
		return node_error(n, "input must have rank at least 2");
	if (check_movable(n, x->dtype) != 0)
		return -1;
	if (kv && (kv->dtype != DT_INT64 || value_numel(kv) != 1 || kv->rank > 1))
		return node_error(n, "k must be an int64 scalar");
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

int trilu_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *kv = node_in(n, 1), *y = n->out[0];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (!(k = lower_callf(L, "%s_trilu__scalar", width_prefix(y->dtype))))
		return -1;
	kcall_buf(k, x);
	if (kv)
		kcall_buf(k, kv);
	kcall_buf(k, y);
	kcall_i(k, prod(x->dims, 0, x->rank - 2));
	kcall_i(k, x->dims[x->rank - 2]);
	kcall_i(k, x->dims[x->rank - 1]);
	kcall_i(k, attr_i(n, "upper", 1) != 0);
	kcall_i(k, kv != NULL);
	return 0;
}

/* OneHot --------------------------------------------------------------------- */

/* The axis where depth goes in the output (rank of indices + 1). */
static int onehot_axis(const Node *n, int64_t *axis)
{
	const Value *ind = n->in[0], *depth = n->in[1], *vals = n->in[2];

	if (!dt_is_float(ind->dtype) && !dt_is_int(ind->dtype))
		return node_error(n, "indices have element type %s, expected a number",
				  dt_name(ind->dtype));
	if ((!dt_is_float(depth->dtype) && !dt_is_int(depth->dtype)) || value_numel(depth) != 1 ||
	    depth->rank > 1)
		return node_error(n, "depth must be one number");
	if (value_numel(vals) != 2 || vals->rank != 1)
		return node_error(n, "values must hold 2 elements (off, on)");
	if (ind->rank + 1 > IR_MAX_RANK)
		return node_error(n, "output rank is more than %d", IR_MAX_RANK);
	return norm_axis(n, attr_i(n, "axis", -1), ind->rank + 1, axis);
}

/* A declared output must be indices' shape with one more axis. */
static int onehot_declared(const Node *n, int64_t axis)
{
	const Value *ind = n->in[0], *y = n->out[0];
	int d;

	if (y->rank != ind->rank + 1 || y->dims[axis] < 1)
		return node_error(n, "declared output shape %s does not fit the indices",
				  shape_str(y, (char[128]){0}, 128));
	for (d = 0; d < ind->rank; d++)
		if (ind->dims[d] != y->dims[d < axis ? d : d + 1])
			return node_error(n, "declared output shape %s does not fit the indices",
					  shape_str(y, (char[128]){0}, 128));
	return 0;
}

int onehot_infer(Node *n)
{
	const Value *ind = n->in[0], *depth = n->in[1], *vals = n->in[2];
	int64_t axis, dims[IR_MAX_RANK], dv;
	int d;

	if (onehot_axis(n, &axis) != 0 || check_movable(n, vals->dtype) != 0)
		return -1;
	if (!depth->data)
		return set_out_declared(n, 0, vals->dtype, depth) != 0 ? -1 : onehot_declared(n, axis);
	{
		/* converted in range only: a float depth may be anything */
		double dd = const_f64(depth, 0);
		if (!(dd >= 1 && dd < 9.2e18))
			return node_error(n, "depth is %g, expected 1 to 2^63", dd);
		dv = (int64_t)dd;
	}
	for (d = 0; d <= ind->rank; d++)
		dims[d] = d < axis ? ind->dims[d] : d == axis ? dv : ind->dims[d - 1];
	return set_out(n, 0, vals->dtype, ind->rank + 1, dims);
}

/* v as int64 (a converted copy unless it is int64 already). */
static Value *as_i64(Lower *L, Value *v)
{
	Value *t;
	KCall *k;

	if (v->dtype == DT_INT64)
		return v;
	t = lower_temp(L, DT_INT64, v->rank, v->dims);
	if (!(k = lower_callf(L, "%s_to_i64__scalar", dt_short(v->dtype))))
		return NULL;
	kcall_buf(k, v);
	kcall_buf(k, t);
	kcall_i(k, value_numel(v));
	return t;
}

int onehot_lower(Node *n, Lower *L)
{
	Value *ind = n->in[0], *depth = n->in[1], *y = n->out[0];
	int64_t axis;
	KCall *k;

	if (onehot_axis(n, &axis) != 0 || onehot_declared(n, axis) != 0)
		return -1;
	if (value_numel(y) == 0)
		return 0;
	if (!depth->data) {
		/* A run-time depth must be the one the output was declared with. */
		if (!(depth = as_i64(L, depth)) || !(k = lower_call(L, "i64_shape_check__scalar")))
			return -1;
		kcall_buf(k, depth);
		kcall_checks(k);
		kcall_i(k, 1);
		kcall_i(k, y->dims[axis]);
	}
	if (!(ind = as_i64(L, ind)) ||
	    !(k = lower_callf(L, "%s_onehot__scalar", width_prefix(y->dtype))))
		return -1;
	kcall_buf(k, ind);
	kcall_buf(k, n->in[2]);
	kcall_buf(k, y);
	kcall_i(k, prod(y->dims, 0, (int)axis));
	kcall_i(k, y->dims[axis]);
	kcall_i(k, prod(y->dims, (int)axis + 1, y->rank));
	return 0;
}

/* EyeLike -------------------------------------------------------------------- */

/* The output type: the dtype attribute, else the input's. */
static int eyelike_type(const Node *n)
{
	int64_t dt = attr_i(n, "dtype", 0);

	return dt > 0 ? (int)dt : n->in[0]->dtype;
}

int eyelike_infer(Node *n)
{
	const Value *x = n->in[0];
	int dt = eyelike_type(n);

	if (x->rank != 2)
		return node_error(n, "input has rank %d, expected 2", x->rank);
	if (dt >= DT_COUNT || dt_size(dt) == 0 || check_movable(n, dt) != 0)
		return node_error(n, "dtype %d is not supported", dt);
	return set_out(n, 0, dt, 2, x->dims);
}

int eyelike_lower(Node *n, Lower *L)
{
	Value *y = n->out[0];
	int64_t rows = y->dims[0], cols = y->dims[1], k = attr_i(n, "k", 0), bits = 1;
	KCall *c;

	if (value_numel(y) == 0)
		return 0;
	/* A diagonal past the matrix has no ones; clamping keeps i + k exact. */
	k = k < -rows ? -rows : k > cols ? cols : k;
	if (y->dtype != DT_BOOL) {
		void *one = scalar_of(y->dtype, 1.0);
		bits = 0;
		memcpy(&bits, one, (size_t)dt_size(y->dtype));
		free(one);
	}
	if (!(c = lower_callf(L, "%s_eyelike__scalar", width_prefix(y->dtype))))
		return -1;
	kcall_buf(c, y);
	kcall_i(c, rows);
	kcall_i(c, cols);
	kcall_i(c, k);
	kcall_i(c, bits);
	return 0;
}

/* DepthToSpace and SpaceToDepth ---------------------------------------------- */

/* blocksize, for a rank-4 input. */
static int blocksize(const Node *n, int64_t *b)
{
	*b = attr_i(n, "blocksize", 0);
	if (n->in[0]->rank != 4)
		return node_error(n, "input has rank %d, expected 4", n->in[0]->rank);
	if (*b < 1)
		return node_error(n, "blocksize must be at least 1");
	/* blocksize^2 divides C (DepthToSpace) or H * W (SpaceToDepth): at most
	 * 2^40 elements; checked here so that b * b cannot overflow */
	if (*b > (int64_t)1 << 20)
		return node_error(n, "blocksize %lld is too large for any tensor (at most 2^20)",
				  (long long)*b);
	return check_movable(n, n->in[0]->dtype);
}

/* DepthToSpace's mode: 1 for CRD, 0 for DCR (the default, and the only mode before opset 11). */
static int d2s_mode(const Node *n, int *crd)
{
	const char *m = n->version >= 11 ? attr_s(n, "mode", "DCR") : "DCR";

	*crd = strcmp(m, "CRD") == 0;
	if (!*crd && strcmp(m, "DCR") != 0)
		return node_error(n, "mode '%s' is not supported", m);
	return 0;
}

int depthtospace_infer(Node *n)
{
	const Value *x = n->in[0];
	int64_t b, dims[4];
	int crd;

	if (blocksize(n, &b) != 0 || d2s_mode(n, &crd) != 0)
		return -1;
	if (x->dims[1] % (b * b) != 0)
		return node_error(n, "channels (%lld) are not a multiple of blocksize^2",
				  (long long)x->dims[1]);
	dims[0] = x->dims[0];
	dims[1] = x->dims[1] / (b * b);
	dims[2] = x->dims[2] * b;
	dims[3] = x->dims[3] * b;
	return set_out(n, 0, x->dtype, 4, dims);
}

/* Y, contiguous, viewed with 6 dims, reads X with strides sx. */
static int lower_6d(Lower *L, Value *x, Value *y, const int64_t *dims, const int64_t *sx)
{
	int64_t sy[6], s = 1;
	int d;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	for (d = 5; d >= 0; d--) {
		sy[d] = s;
		s *= dims[d];
	}
	if (!(k = lower_callf(L, "%s_strided__scalar", width_prefix(y->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_i(k, 6);
	kcall_ints(k, dims, 6);
	kcall_ints(k, sx, 6);
	kcall_ints(k, sy, 6);
	return 0;
}

/* Output [N, C', H, b, W, b]: input channel b1*b*C' + b2*C' + c' (DCR) or
 * c'*b*b + b1*b + b2 (CRD). */
int depthtospace_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t b, c, h = x->dims[2], w = x->dims[3], hw = h * w;
	int crd;

	if (blocksize(n, &b) != 0 || d2s_mode(n, &crd) != 0)
		return -1;
	c = x->dims[1] / (b * b);
	{
		const int64_t dims[6] = {x->dims[0], c, h, b, w, b};
		const int64_t dcr[6] = {x->dims[1] * hw, hw, w, b * c * hw, 1, c * hw};
		const int64_t crds[6] = {x->dims[1] * hw, b * b * hw, w, b * hw, 1, hw};
		return lower_6d(L, x, y, dims, crd ? crds : dcr);
	}
}

int spacetodepth_infer(Node *n)
{
	const Value *x = n->in[0];
	int64_t b, dims[4];

	if (blocksize(n, &b) != 0)
		return -1;
	if (x->dims[2] % b != 0 || x->dims[3] % b != 0)
		return node_error(n, "height and width must be multiples of blocksize %lld",
				  (long long)b);
	dims[0] = x->dims[0];
	dims[1] = x->dims[1] * b * b;
	dims[2] = x->dims[2] / b;
	dims[3] = x->dims[3] / b;
	return set_out(n, 0, x->dtype, 4, dims);
}

/* Output [N, b, b, C, H', W'] reads input (n, c, h'*b + b1, w'*b + b2). */
int spacetodepth_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t b, c = x->dims[1], w = x->dims[3], hw = x->dims[2] * w;

	if (blocksize(n, &b) != 0)
		return -1;
	{
		const int64_t dims[6] = {x->dims[0], b, b, c, x->dims[2] / b, w / b};
		const int64_t sx[6] = {c * hw, w, 1, hw, b * w, b};
		return lower_6d(L, x, y, dims, sx);
	}
}
