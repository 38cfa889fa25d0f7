/* shape.c: views (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout),
 * shape queries (Shape, Size) and constants (Constant, ConstantOfShape).
 * Views lower to a byte copy; the memory planner may later alias them. */
#include <stdlib.h>
#include <string.h>

#include "ops_util.h"

/* Lowering of every view: output = input's bytes. */
static int lower_view(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	KCall *k;

	if (value_nbytes(y) == 0)
		return 0;
	if (!(k = lower_call(L, "x8_copy__scalar")))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_i(k, value_nbytes(y));
	return 0;
}

/* A constant integer list input (shape, axes): its length, or -1 after an error. */
static int const_ints(const Node *n, int i, int64_t *out, int max)
{
	const Value *v = n->in[i];
	int64_t k, len;

	if (!v->data)
		return node_error(n, "input %d ('%s') must be a compile-time constant: its value "
				  "determines the output shape", i, v->name);
	if (!dt_is_int(v->dtype))
		return node_error(n, "input %d ('%s') has element type %s, expected int64",
				  i, v->name, dt_name(v->dtype));
	len = value_numel(v);
	if (v->rank > 1 || len > max)
		return node_error(n, "input %d ('%s') must be a list of at most %d integers",
				  i, v->name, max);
	for (k = 0; k < len; k++)
		out[k] = const_i64(v, k);
	return (int)len;
}

int reshape_infer(Node *n)
{
	Value *x = n->in[0];
	int64_t shape[IR_MAX_RANK], known = 1, numel = value_numel(x);
	int r, i, infer_at = -1, allowzero = (int)attr_i(n, "allowzero", 0);

	if ((r = const_ints(n, 1, shape, IR_MAX_RANK)) < 0)
		return -1;
	for (i = 0; i < r; i++) {
		if (shape[i] == 0 && !allowzero) {
			if (i >= x->rank)
				return node_error(n, "shape[%d] is 0 but the input has rank %d", i, x->rank);
			shape[i] = x->dims[i];
		}
		if (shape[i] == -1) {
			if (infer_at >= 0)
				return node_error(n, "shape has more than one -1");
			infer_at = i;
		} else if (shape[i] < 0) {
			return node_error(n, "shape[%d] is %lld", i, (long long)shape[i]);
		} else {
			known *= shape[i];
		}
	}
	if (infer_at >= 0) {
		if (known == 0 || numel % known)
			return node_error(n, "cannot infer the -1 dimension: %lld elements into blocks of %lld",
					  (long long)numel, (long long)known);
		shape[infer_at] = numel / known;
		known *= shape[infer_at];
	}
	if (known != numel)
		return node_error(n, "cannot reshape %lld elements into %lld", (long long)numel,
				  (long long)known);
	return set_out(n, 0, x->dtype, r, shape);
}

int reshape_lower(Node *n, Lower *L) { return lower_view(n, L); }

int flatten_infer(Node *n)
{
	Value *x = n->in[0];
	int64_t axis, dims[2] = {1, 1};
	int i;

	if (n->version < 11 && attr_i(n, "axis", 1) < 0)
		return node_error(n, "negative axis needs opset 11");
	if (attr_i(n, "axis", 1) == x->rank)
		axis = x->rank;
	else if (norm_axis(n, attr_i(n, "axis", 1), x->rank, &axis) != 0)
		return -1;
	for (i = 0; i < x->rank; i++)
		dims[i < axis ? 0 : 1] *= x->dims[i];
	return set_out(n, 0, x->dtype, 2, dims);
}

int flatten_lower(Node *n, Lower *L) { return lower_view(n, L); }

/* Axes of Squeeze/Unsqueeze: an attribute before opset 13, input 1 after. */
static int view_axes(const Node *n, int64_t *axes)
{
	const int64_t *a;
	int k;

	if (n->version >= 13)
		return n->nin > 1 && n->in[1] ? const_ints(n, 1, axes, IR_MAX_RANK) : 0;
	k = attr_ints(n, "axes", &a);
	if (k > IR_MAX_RANK)
		return node_error(n, "too many axes");
	if (k > 0)
		memcpy(axes, a, sizeof(int64_t) * k);
	return k < 0 ? 0 : k;
}

int squeeze_infer(Node *n)
{
	Value *x = n->in[0];
	int64_t axes[IR_MAX_RANK], dims[IR_MAX_RANK], ax;
	char drop[IR_MAX_RANK] = {0};
	int na, i, r = 0;

	if ((na = view_axes(n, axes)) < 0)
		return -1;
	for (i = 0; i < na; i++) {
		if (norm_axis(n, axes[i], x->rank, &ax) != 0)
			return -1;
		if (x->dims[ax] != 1)
			return node_error(n, "cannot squeeze axis %lld of size %lld", (long long)axes[i],
					  (long long)x->dims[ax]);
		drop[ax] = 1;
	}
	for (i = 0; i < x->rank; i++)
		if (!(na ? drop[i] : x->dims[i] == 1))
			dims[r++] = x->dims[i];
	return set_out(n, 0, x->dtype, r, dims);
}

int squeeze_lower(Node *n, Lower *L) { return lower_view(n, L); }

int unsqueeze_infer(Node *n)
{
	Value *x = n->in[0];
	int64_t axes[IR_MAX_RANK], dims[IR_MAX_RANK], ax;
	char ins[IR_MAX_RANK] = {0};
	int na, i, j = 0, r;

	if ((na = view_axes(n, axes)) < 0)
		return -1;
	r = x->rank + na;
	if (r > IR_MAX_RANK)
		return node_error(n, "output rank %d is more than %d", r, IR_MAX_RANK);
	for (i = 0; i < na; i++) {
		if (norm_axis(n, axes[i], r, &ax) != 0)
			return -1;
		if (ins[ax])
			return node_error(n, "axis %lld is repeated", (long long)axes[i]);
		ins[ax] = 1;
	}
	for (i = 0; i < r; i++)
		dims[i] = ins[i] ? 1 : x->dims[j++];
	return set_out(n, 0, x->dtype, r, dims);
}

int unsqueeze_lower(Node *n, Lower *L) { return lower_view(n, L); }

int identity_infer(Node *n)
{
	return set_out(n, 0, n->in[0]->dtype, n->in[0]->rank, n->in[0]->dims);
}

int identity_lower(Node *n, Lower *L) { return lower_view(n, L); }

/* Dropout at inference: identity, and an all-true mask if asked for. */
int dropout_infer(Node *n)
{
	Value *x = n->in[0];

	if (n->nin > 2 && n->in[2] && n->in[2]->data && const_i64(n->in[2], 0))
		return node_error(n, "training_mode=true is not supported (inference only)");
	if (n->nin > 2 && n->in[2] && !n->in[2]->data)
		return node_error(n, "training_mode must be a compile-time constant");
	if (set_out(n, 0, x->dtype, x->rank, x->dims) != 0)
		return -1;
	if (n->nout > 1 && n->out[1]) {
		uint8_t *one = xmalloc(1);
		if (set_out(n, 1, n->version < 10 ? x->dtype : DT_BOOL, x->rank, x->dims) != 0) {
			free(one);
			return -1;
		}
		if (n->version < 10) {
			free(one);
			return node_error(n, "the mask output before opset 10 is not supported");
		}
		*one = 1;
		value_set_const(n->out[1], one, 1);
	}
	return 0;
}

int dropout_lower(Node *n, Lower *L) { return lower_view(n, L); }

/* Shape: a constant, since every shape is static (start/end since opset 15). */
int shape_infer(Node *n)
{
	Value *x = n->in[0];
	int64_t start = attr_i(n, "start", 0), end = attr_i(n, "end", x->rank), len, *data;
	int i;

	if (start < 0)
		start += x->rank;
	if (end < 0)
		end += x->rank;
	start = start < 0 ? 0 : start > x->rank ? x->rank : start;
	end = end < 0 ? 0 : end > x->rank ? x->rank : end;
	len = end > start ? end - start : 0;
	if (set_out(n, 0, DT_INT64, 1, &len) != 0)
		return -1;
	data = xcalloc(len ? len : 1, sizeof(int64_t));
	for (i = 0; i < len; i++)
		data[i] = x->dims[start + i];
	value_set_const(n->out[0], data, 0);
	return 0;
}

int shape_lower(Node *n, Lower *L)
{
	(void)L;
	die("Shape node '%s' reached lowering", n->name);
}

int size_infer(Node *n)
{
	int64_t *data = xmalloc(sizeof(int64_t));

	if (set_out(n, 0, DT_INT64, 0, NULL) != 0) {
		free(data);
		return -1;
	}
	*data = value_numel(n->in[0]);
	value_set_const(n->out[0], data, 0);
	return 0;
}

int size_lower(Node *n, Lower *L)
{
	(void)L;
	die("Size node '%s' reached lowering", n->name);
}

/* Constant: value (a tensor) or one of the value_* attributes. */
int constant_infer(Node *n)
{
	Value *y = n->out[0];
	const Attr *a;
	int64_t len;

	if ((a = node_attr(n, "value")) && a->type == AT_TENSOR) {
		void *data = xmalloc((size_t)value_nbytes(a->t));
		memcpy(data, a->t->data, (size_t)value_nbytes(a->t));
		if (set_out(n, 0, a->t->dtype, a->t->rank, a->t->dims) != 0) {
			free(data);
			return -1;
		}
		value_set_const(y, data, 0);
	} else if ((a = node_attr(n, "value_float")) && a->type == AT_FLOAT) {
		float *d = xmalloc(sizeof(float));
		*d = (float)a->f;
		set_out(n, 0, DT_FLOAT, 0, NULL);
		value_set_const(y, d, 0);
	} else if ((a = node_attr(n, "value_int")) && a->type == AT_INT) {
		int64_t *d = xmalloc(sizeof(int64_t));
		*d = a->i;
		set_out(n, 0, DT_INT64, 0, NULL);
		value_set_const(y, d, 0);
	} else if ((a = node_attr(n, "value_floats")) && a->type == AT_FLOATS) {
		float *d = xcalloc(a->n ? a->n : 1, sizeof(float));
		int i;
		for (i = 0; i < a->n; i++)
			d[i] = (float)a->floats[i];
		len = a->n;
		set_out(n, 0, DT_FLOAT, 1, &len);
		value_set_const(y, d, 0);
	} else if ((a = node_attr(n, "value_ints")) && a->type == AT_INTS) {
		int64_t *d = xcalloc(a->n ? a->n : 1, sizeof(int64_t));
		memcpy(d, a->ints, sizeof(int64_t) * a->n);
		len = a->n;
		set_out(n, 0, DT_INT64, 1, &len);
		value_set_const(y, d, 0);
	} else if (node_attr(n, "sparse_value") || node_attr(n, "value_string") ||
		   node_attr(n, "value_strings")) {
		return node_error(n, "sparse and string constants are not supported");
	} else {
		return node_error(n, "has no value attribute");
	}
	return 0;
}

int constant_lower(Node *n, Lower *L)
{
	(void)L;
	die("Constant node '%s' reached lowering", n->name);
}

/* ConstantOfShape: a splat of `value` (default float 0) with the given shape. */
int constantofshape_infer(Node *n)
{
	int64_t shape[IR_MAX_RANK];
	const Attr *a = node_attr(n, "value");
	int r, dt = DT_FLOAT, sz;
	void *data;

	if ((r = const_ints(n, 0, shape, IR_MAX_RANK)) < 0)
		return -1;
	if (a && a->type == AT_TENSOR) {
		if (value_numel(a->t) != 1)
			return node_error(n, "value must have one element");
		dt = a->t->dtype;
	}
	if (set_out(n, 0, dt, r, shape) != 0)
		return -1;
	sz = dt_size(dt);
	data = xcalloc(1, sz);
	if (a && a->type == AT_TENSOR)
		memcpy(data, a->t->data, sz);
	value_set_const(n->out[0], data, 1);
	return 0;
}

int constantofshape_lower(Node *n, Lower *L)
{
	(void)L;
	die("ConstantOfShape node '%s' reached lowering", n->name);
}
