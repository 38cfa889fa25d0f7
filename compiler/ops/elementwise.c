/* elementwise.c: unary maps, binary ops with broadcasting, variadic ops
 * (Sum, Mean, Max, Min) and Where.  The scalar operation of each op is the
 * row's aux string; kernels are <type>_<aux>__scalar (templates/elementwise.def). */
#include <string.h>

#include "ops_util.h"

/* Ops whose output is bool whatever the input type. */
static int is_predicate(const char *aux)
{
	static const char *const preds[] = {
		"equal", "less", "greater", "lessorequal", "greaterorequal", "isnan", "isinf",
	};
	size_t i;

	for (i = 0; i < sizeof preds / sizeof preds[0]; i++)
		if (strcmp(aux, preds[i]) == 0)
			return 1;
	return 0;
}

int unary_infer(Node *n)
{
	Value *x = n->in[0];

	return set_out(n, 0, is_predicate(n->op->aux) ? DT_BOOL : x->dtype, x->rank, x->dims);
}

/* Float parameters of unary ops, in the order their scalar operation reads f[]. */
static void unary_params(const Node *n, KCall *k)
{
	const char *a = n->op->aux;

	if (strcmp(a, "leakyrelu") == 0)
		kcall_f(k, attr_f(n, "alpha", 0.01));
	else if (strcmp(a, "elu") == 0 || strcmp(a, "celu") == 0 || strcmp(a, "thresholdedrelu") == 0)
		kcall_f(k, attr_f(n, "alpha", 1.0));
	else if (strcmp(a, "selu") == 0) {
		kcall_f(k, attr_f(n, "alpha", 1.67326319217681884765625));
		kcall_f(k, attr_f(n, "gamma", 1.05070102214813232421875));
	} else if (strcmp(a, "hardsigmoid") == 0) {
		kcall_f(k, attr_f(n, "alpha", 0.2));
		kcall_f(k, attr_f(n, "beta", 0.5));
	} else if (strcmp(a, "isinf") == 0) {
		kcall_f(k, (double)attr_i(n, "detect_positive", 1));
		kcall_f(k, (double)attr_i(n, "detect_negative", 1));
	}
}

int unary_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (!(k = lower_callf(L, "%s_%s__scalar", dt_short(x->dtype), n->op->aux)))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_i(k, value_numel(y));
	unary_params(n, k);
	return 0;
}

/* Before opset 7, a binary op broadcast only with broadcast=1, aligning B's
 * dimensions to A's at `axis` (default: the trailing ones). */
static int legacy_broadcast(const Node *n, int64_t *bdims, int *brank)
{
	const Value *a = n->in[0], *b = n->in[1];
	int64_t axis;
	int i;

	*brank = b->rank;
	memcpy(bdims, b->dims, sizeof(int64_t) * b->rank);
	if (n->version >= 7 || !attr_i(n, "broadcast", 0) || !node_attr(n, "axis"))
		return 0;
	if (norm_axis(n, attr_i(n, "axis", 0), a->rank, &axis) != 0)
		return -1;
	if (axis + b->rank > a->rank)
		return node_error(n, "input B of rank %d does not fit at axis %lld", b->rank,
				  (long long)axis);
	for (i = 0; i < a->rank; i++)
		bdims[i] = i >= axis && i < axis + b->rank ? b->dims[i - axis] : 1;
	*brank = a->rank;
	return 0;
}

int binary_infer(Node *n)
{
	Value *a = n->in[0], *b = n->in[1], bb = *n->in[1];
	Value *ins[2] = {a, &bb};
	int64_t dims[IR_MAX_RANK];
	int rank, dt = a->dtype;

	if (legacy_broadcast(n, bb.dims, &bb.rank) != 0)
		return -1;
	if (a->dtype != b->dtype && strcmp(n->op->aux, "pow") != 0)
		return node_error(n, "inputs have different element types (%s and %s)",
				  dt_name(a->dtype), dt_name(b->dtype));
	if (broadcast_shapes(n, ins, 2, &rank, dims) != 0)
		return -1;
	if (is_predicate(n->op->aux))
		dt = DT_BOOL;
	return set_out(n, 0, dt, rank, dims);
}

/* A cast of v to dtype into a scratch tensor (Pow's exponent, ...). */
static Value *cast_temp(Lower *L, Value *v, int dtype)
{
	Value *t = lower_temp(L, dtype, v->rank, v->dims);
	KCall *k = lower_callf(L, "%s_to_%s__scalar", dt_short(v->dtype), dt_short(dtype));

	if (!k)
		return NULL;
	kcall_buf(k, v);
	kcall_buf(k, t);
	kcall_i(k, value_numel(v));
	return t;
}

/* One broadcasting binary call y = a OP b. */
static int lower_binary_op(Lower *L, const char *op, Value *a, Value *b, Value *y)
{
	Value *ins[2] = {a, b};
	KCall *k;

	if (!(k = lower_callf(L, "%s_%s__scalar", dt_short(a->dtype), op)))
		return -1;
	kcall_buf(k, a);
	kcall_buf(k, b);
	kcall_buf(k, y);
	kcall_broadcast(k, y, ins, 2);
	return 0;
}

int binary_lower(Node *n, Lower *L)
{
	Value *a = n->in[0], *b = n->in[1], *y = n->out[0], bb;
	int64_t dims[IR_MAX_RANK];
	int rank;

	if (value_numel(y) == 0)
		return 0;
	if (legacy_broadcast(n, dims, &rank) != 0)
		return -1;
	if (rank != b->rank) {
		/* Legacy broadcast: view B with A's rank. */
		bb = *b;
		bb.rank = rank;
		memcpy(bb.dims, dims, sizeof(int64_t) * rank);
		if (lower_binary_op(L, n->op->aux, a, &bb, y) != 0)
			return -1;
		L->out->v[L->out->n - 1].buf[1] = b;
		return 0;
	}
	if (b->dtype != a->dtype && !(b = cast_temp(L, b, a->dtype)))
		return -1;
	return lower_binary_op(L, n->op->aux, a, b, y);
}

/* Sum, Mean, Max, Min: a chain of binary ops accumulating into the output. */
int variadic_infer(Node *n)
{
	int64_t dims[IR_MAX_RANK];
	int rank, i;

	for (i = 0; i < n->nin; i++) {
		if (!n->in[i])
			return node_error(n, "input %d is missing", i);
		if (n->in[i]->dtype != n->in[0]->dtype)
			return node_error(n, "inputs have different element types (%s and %s)",
					  dt_name(n->in[0]->dtype), dt_name(n->in[i]->dtype));
	}
	if (broadcast_shapes(n, n->in, n->nin, &rank, dims) != 0)
		return -1;
	return set_out(n, 0, n->in[0]->dtype, rank, dims);
}

int variadic_lower(Node *n, Lower *L)
{
	Value *y = n->out[0];
	const char *op = strcmp(n->op->aux, "mean") == 0 ? "add" : n->op->aux;
	KCall *k;
	int i;

	if (value_numel(y) == 0)
		return 0;
	if (n->nin == 1) {
		/* y = x0, broadcast (a no-op op with itself would double it) */
		Value *ins[1] = {n->in[0]};
		if (!(k = lower_callf(L, "%s_expand__scalar", width_prefix(y->dtype))))
			return -1;
		kcall_buf(k, n->in[0]);
		kcall_buf(k, y);
		kcall_broadcast(k, y, ins, 1);
	} else if (lower_binary_op(L, op, n->in[0], n->in[1], y) != 0) {
		return -1;
	}
	for (i = 2; i < n->nin; i++)
		if (lower_binary_op(L, op, y, n->in[i], y) != 0)
			return -1;
	if (strcmp(n->op->aux, "mean") == 0) {
		if (!(k = lower_callf(L, "%s_scale__scalar", dt_short(y->dtype))))
			return -1;
		kcall_buf(k, y);
		kcall_buf(k, y);
		kcall_i(k, value_numel(y));
		kcall_f(k, 1.0 / n->nin);
	}
	return 0;
}

int where_infer(Node *n)
{
	int64_t dims[IR_MAX_RANK];
	int rank;

	if (n->in[0]->dtype != DT_BOOL)
		return node_error(n, "condition has element type %s, expected bool",
				  dt_name(n->in[0]->dtype));
	if (n->in[1]->dtype != n->in[2]->dtype)
		return node_error(n, "X and Y have different element types (%s and %s)",
				  dt_name(n->in[1]->dtype), dt_name(n->in[2]->dtype));
	if (broadcast_shapes(n, n->in, 3, &rank, dims) != 0)
		return -1;
	return set_out(n, 0, n->in[1]->dtype, rank, dims);
}

int where_lower(Node *n, Lower *L)
{
	Value *y = n->out[0];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (!(k = lower_callf(L, "%s_where__scalar", width_prefix(y->dtype))))
		return -1;
	kcall_buf(k, n->in[0]);
	kcall_buf(k, n->in[1]);
	kcall_buf(k, n->in[2]);
	kcall_buf(k, y);
	kcall_broadcast(k, y, n->in, 3);
	return 0;
}
