/* shape.c: views (Reshape, Flatten, Squeeze, Unsqueeze, Identity),
 * shape queries (Shape, Size) and constants (Constant, ConstantOfShape).
 * Views lower to a byte copy; the memory planner may later alias them. */
#include <stdlib.h>
#include <string.h>

#include "ops_util.h"
#include "onnxcc_rt.h"
#include "shape.h"

/* Lowering of every view: output = input's bytes. */
static int lower_view(Node *n, Lower *L)
{
	return lower_copy(L, n->in[0], n->out[0]);
}

int reshape_infer(Node *n)
{
	Value *x = n->in[0], *s = n->in[1];
	int64_t shape[IR_MAX_RANK], dims[IR_MAX_RANK];
	int r, rc;

	if (!s->data) {
		if (set_out_declared(n, 0, x->dtype, s) != 0)
			return -1;
		if (s->rank != 1 || s->dims[0] != n->out[0]->rank || s->dtype != DT_INT64)
			return node_error(n, "shape input '%s' does not match the declared output rank %d",
					  s->name, n->out[0]->rank);
		return 0;
	}
	if ((r = const_ints(n, 1, shape, IR_MAX_RANK)) < 0)
		return -1;
	if ((rc = onnxcc_reshape_dims(shape, r, attr_i(n, "allowzero", 0), x->dims, x->rank, dims)) != 0) {
		static const char *why[] = {
			"", "a 0 copies a dimension the input does not have", "it has more than one -1",
			"it has a negative size other than -1", "the -1 cannot be inferred",
			"the element counts differ", "the product of its sizes overflows 64 bits",
		};
		char a[128], b[256];
		Value tmp = {0};
		tmp.rank = r;
		memcpy(tmp.dims, shape, sizeof(int64_t) * (size_t)r);
		return node_error(n, "cannot reshape %s into %s: %s", shape_str(x, a, sizeof a),
				  shape_str(&tmp, b, sizeof b), rc >= 1 && rc <= 6 ? why[rc] : "invalid");
	}
	return set_out(n, 0, x->dtype, r, dims);
}

/* p = {flag, in_rank, in_dims, out_rank, out_dims}: the layout of the *_check kernels. */
static void check_params(KCall *k, int64_t flag, const Value *x, const Value *y)
{
	kcall_i(k, flag);
	kcall_i(k, x->rank);
	kcall_ints(k, x->dims, x->rank);
	kcall_i(k, y->rank);
	kcall_ints(k, y->dims, y->rank);
}

/* A view whose shape came from run-time data checks that data first. */
static int lower_checked_view(Node *n, Lower *L, const char *check, int64_t flag)
{
	Value *param = node_in(n, 1);
	KCall *k;

	if (param && !param->data) {
		if (!(k = lower_call(L, check)))
			return -1;
		kcall_buf(k, param);
		kcall_checks(k);
		check_params(k, flag, n->in[0], n->out[0]);
	}
	return lower_view(n, L);
}

int reshape_lower(Node *n, Lower *L)
{
	return lower_checked_view(n, L, "i64_reshape_check__scalar", attr_i(n, "allowzero", 0));
}

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

/* Squeeze and Unsqueeze: axes from the attribute (before opset 13) or input 1. */
static int squeeze_common(Node *n, int unsqueeze)
{
	Value *x = n->in[0], *a = n->nin > 1 ? n->in[1] : NULL;
	int64_t axes[IR_MAX_RANK], dims[IR_MAX_RANK], r;
	const int64_t *attr;
	int na = 0, i;

	if (n->version < 13) {
		na = attr_ints(n, "axes", &attr);
		if (na > IR_MAX_RANK)
			return node_error(n, "too many axes");
		for (i = 0; i < na; i++)
			axes[i] = attr[i];
		na = na < 0 ? 0 : na;
	} else if (a && !a->data) {
		if (set_out_declared(n, 0, x->dtype, a) != 0)
			return -1;
		if (a->dtype != DT_INT64 || a->rank != 1)
			return node_error(n, "axes input '%s' must be a 1-D int64 tensor", a->name);
		return 0;
	} else if (a && (na = const_ints(n, 1, axes, IR_MAX_RANK)) < 0) {
		return -1;
	}
	if (!unsqueeze && na == 0) {
		/* Squeeze without axes drops every dimension of size 1. */
		for (i = 0, r = 0; i < x->rank; i++)
			if (x->dims[i] != 1)
				dims[r++] = x->dims[i];
	} else if (onnxcc_squeeze_dims(axes, na, unsqueeze, x->dims, x->rank, dims, &r) != 0) {
		return node_error(n, "invalid axes for input shape %s",
				  shape_str(x, (char[128]){0}, 128));
	}
	return set_out(n, 0, x->dtype, (int)r, dims);
}

int squeeze_infer(Node *n) { return squeeze_common(n, 0); }

int squeeze_lower(Node *n, Lower *L)
{
	return lower_checked_view(n, L, "i64_squeeze_check__scalar", n->nin > 1 && n->in[1] ?
				  value_numel(n->in[1]) : 0);
}

int unsqueeze_infer(Node *n) { return squeeze_common(n, 1); }

int unsqueeze_lower(Node *n, Lower *L)
{
	return lower_checked_view(n, L, "i64_unsqueeze_check__scalar", n->nin > 1 && n->in[1] ?
				  value_numel(n->in[1]) : 0);
}

int identity_infer(Node *n)
{
	Value *x = n->in[0];

	if (x->is_opt) {	/* sequences and optionals are compile-time lists */
		value_set_opt(n->out[0], x->dtype, x->nelems ? x->elems[0] : NULL);
		return 0;
	}
	if (x->is_seq) {
		value_set_seq(n->out[0], x->dtype, x->elems, x->nelems);
		return 0;
	}
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

int identity_lower(Node *n, Lower *L)
{
	return n->out[0]->is_seq ? 0 : lower_view(n, L);
}

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

/* Constant's value_string (rank 0) or value_strings (rank 1) as string records. */
static int constant_strings(Node *n, int rank, char *const *s, const size_t *len, int count)
{
	size_t S = (size_t)dt_string_bytes();
	int64_t dim = count;
	char *d = xcalloc((size_t)(count ? count : 1), S);
	int i;

	for (i = 0; i < count; i++)
		if (dt_put_string(d + i * S, s[i], len[i]) != 0) {
			free(d);
			return node_error(n, "string %d has %zu bytes or a NUL byte; string records hold "
					  "at most %zu (raise --string-bytes)", i, len[i], S - 1);
		}
	if (set_out(n, 0, DT_STRING, rank, &dim) != 0) {
		free(d);
		return -1;
	}
	value_set_const(n->out[0], d, 0);
	return 0;
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
	} else if ((a = node_attr(n, "value_string")) && a->type == AT_STRING) {
		if (constant_strings(n, 0, &a->s, &a->slen, 1) != 0)
			return -1;
	} else if ((a = node_attr(n, "value_strings")) && a->type == AT_STRINGS) {
		if (constant_strings(n, 1, a->strs, a->slens, a->n) != 0)
			return -1;
	} else if (node_attr(n, "sparse_value")) {
		return node_error(n, "sparse constants are not supported");
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

/* The fill value of ConstantOfShape: one element (default float 0). */
static int fill_value(const Node *n, int *dtype, void **data)
{
	const Attr *a = node_attr(n, "value");

	*dtype = DT_FLOAT;
	if (a && a->type == AT_TENSOR) {
		if (value_numel(a->t) != 1)
			return node_error(n, "value must have one element");
		*dtype = a->t->dtype;
	}
	*data = xcalloc(1, dt_size(*dtype));
	if (a && a->type == AT_TENSOR)
		memcpy(*data, a->t->data, dt_size(*dtype));
	return 0;
}

/* ConstantOfShape: a splat constant; with a run-time shape input, the
 * declared shape filled at run time after checking the input. */
int constantofshape_infer(Node *n)
{
	int64_t shape[IR_MAX_RANK];
	Value *s = n->in[0];
	void *data;
	int r, dt;

	if (fill_value(n, &dt, &data) != 0)
		return -1;
	if (!s->data) {
		free(data);
		if (set_out_declared(n, 0, dt, s) != 0)
			return -1;
		if (s->rank != 1 || s->dims[0] != n->out[0]->rank || s->dtype != DT_INT64)
			return node_error(n, "shape input '%s' does not match the declared output rank %d",
					  s->name, n->out[0]->rank);
		return 0;
	}
	if ((r = const_ints(n, 0, shape, IR_MAX_RANK)) < 0 || set_out(n, 0, dt, r, shape) != 0) {
		free(data);
		return -1;
	}
	value_set_const(n->out[0], data, 1);
	return 0;
}

int constantofshape_lower(Node *n, Lower *L)
{
	Value *y = n->out[0], *v;
	KCall *k;
	void *data;
	int dt;

	if (!(k = lower_call(L, "i64_shape_check__scalar")))
		return -1;
	kcall_buf(k, n->in[0]);
	kcall_checks(k);
	kcall_i(k, y->rank);
	kcall_ints(k, y->dims, y->rank);
	if (value_numel(y) == 0)
		return 0;
	if (fill_value(n, &dt, &data) != 0)
		return -1;
	v = lower_temp(L, dt, 0, NULL);
	value_set_const(v, data, 0);
	if (!(k = lower_callf(L, "%s_fill__scalar", width_prefix(dt))))
		return -1;
	kcall_buf(k, v);
	kcall_buf(k, y);
	kcall_i(k, value_numel(y));
	return 0;
}
