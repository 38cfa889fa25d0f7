/* elementwise.c: unary maps, binary ops with broadcasting, variadic ops
 * (Sum, Mean, Max, Min), Where and Clip.  The scalar operation of each op is
 * the row's aux string (refined by attributes for Mod and BitShift); kernels
 * are <type>_<op>__scalar (templates/elementwise.def).  float16 and bfloat16
 * have no arithmetic kernels: their operands are widened to float and the
 * result rounded back, once per node, as numpy computes half precision. */
#include <string.h>

#include "ops_util.h"
#include "onnxcc_rt.h"
#include "elementwise.h"	/* ONNXCC_EWC_COUNT */

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

/* Same shape as the input; bool for IsNaN and IsInf. */
int unary_infer(Node *n)
{
	Value *x = n->in[0];
	const char *approx = attr_s(n, "approximate", "none");  /* Gelu's */

	if (strcmp(approx, "none") != 0 && strcmp(approx, "tanh") != 0)
		return node_error(n, "approximate is '%s', expected 'none' or 'tanh'", approx);
	return set_out(n, 0, is_predicate(n->op->aux) ? DT_BOOL : x->dtype, x->rank, x->dims);
}

/* The float parameters of unary ops, from their attributes: one row an op
 * (its scalar operation), each parameter an attribute read as a float, an
 * integer, or Gelu's `approximate` (1 for "tanh"), with its default. */
static const struct UnaryAttrs {
	const char *aux;
	char kind;	/* 'f', 'i' or 's' */
	const char *name[2];
	double def[2];
} unary_attrs[] = {
	{"leakyrelu", 'f', {"alpha", NULL}, {0.01, 0}},
	{"elu", 'f', {"alpha", NULL}, {1.0, 0}},
	{"celu", 'f', {"alpha", NULL}, {1.0, 0}},
	{"thresholdedrelu", 'f', {"alpha", NULL}, {1.0, 0}},
	{"selu", 'f', {"alpha", "gamma"}, {1.67326319217681884765625, 1.05070102214813232421875}},
	{"hardsigmoid", 'f', {"alpha", "beta"}, {0.2, 0.5}},
	{"isinf", 'i', {"detect_positive", "detect_negative"}, {1, 1}},
	{"shrink", 'f', {"bias", "lambd"}, {0.0, 0.5}},
	{"gelu", 's', {"approximate", NULL}, {0, 0}},
};

/* Float parameters of unary ops, in the order their scalar operation reads
 * f[] (at most 2): their count. */
int unary_fparams(const Node *n, double *f)
{
	size_t r;
	int i;

	for (r = 0; r < sizeof unary_attrs / sizeof unary_attrs[0]; r++) {
		const struct UnaryAttrs *u = &unary_attrs[r];
		if (strcmp(n->op->aux, u->aux) != 0)
			continue;
		for (i = 0; i < 2 && u->name[i]; i++)
			f[i] = u->kind == 'f' ? attr_f(n, u->name[i], u->def[i])
			     : u->kind == 'i' ? (double)attr_i(n, u->name[i], (int64_t)u->def[i])
					      : strcmp(attr_s(n, u->name[i], "none"), "tanh") == 0;
		return i;
	}
	return 0;
}

static void unary_params(const Node *n, KCall *k)
{
	double f[2];
	int i, nf = unary_fparams(n, f);

	for (i = 0; i < nf; i++)
		kcall_f(k, f[i]);
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

/* float16 and bfloat16, which have no arithmetic kernels. */
static int is_half(int dtype)
{
	return dtype == DT_FLOAT16 || dtype == DT_BFLOAT16;
}

/* The type a kernel computes dtype in. */
static int compute_type(int dtype)
{
	return is_half(dtype) ? DT_FLOAT : dtype;
}

/* Operand v in its compute type (a float copy of a half tensor), or NULL. */
static Value *widen(Lower *L, Value *v)
{
	return is_half(v->dtype) ? cast_temp(L, v, DT_FLOAT) : v;
}

/* Where a kernel writes output y: y itself, or a float temp for a half y. */
static Value *wide_out(Lower *L, Value *y)
{
	return is_half(y->dtype) ? lower_temp(L, DT_FLOAT, y->rank, y->dims) : y;
}

/* Round a wide_out() result t back into y. */
static int narrow(Lower *L, Value *t, Value *y)
{
	return lower_convert(L, t, y);
}

/* One map call over the flat tensor. */
int unary_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *t;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (!(x = widen(L, x)))
		return -1;
	t = wide_out(L, y);
	if (!(k = lower_callf(L, "%s_%s__scalar", dt_short(x->dtype), n->op->aux)))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, t);
	kcall_i(k, value_numel(y));
	unary_params(n, k);
	return narrow(L, t, y);
}

/* Before opset 7, PRelu's one-dimensional slope held one value per channel
 * (dimension 1 of X). */
static int prelu_per_channel(const Node *n)
{
	const Value *a = n->in[0], *b = n->in[1];

	return strcmp(n->op->aux, "prelu") == 0 && b->rank == 1 && a->rank >= 2 &&
	       b->dims[0] != 1 && b->dims[0] == a->dims[1];
}

/* Before opset 7, a binary op broadcast only with broadcast=1, aligning B's
 * dimensions to A's at `axis` (default: the trailing ones). */
static int legacy_broadcast(const Node *n, int64_t *bdims, int *brank)
{
	const Value *a = n->in[0], *b = n->in[1];
	int64_t axis = 1;
	int i;

	*brank = b->rank;
	memcpy(bdims, b->dims, sizeof(int64_t) * b->rank);
	if (n->version >= 7)
		return 0;
	if (!prelu_per_channel(n)) {
		if (!attr_i(n, "broadcast", 0) || !node_attr(n, "axis"))
			return 0;
		if (norm_axis(n, attr_i(n, "axis", 0), a->rank, &axis) != 0)
			return -1;
	}
	if (axis + b->rank > a->rank)
		return node_error(n, "input B of rank %d does not fit at axis %lld", b->rank,
				  (long long)axis);
	for (i = 0; i < a->rank; i++)
		bdims[i] = i >= axis && i < axis + b->rank ? b->dims[i - axis] : 1;
	*brank = a->rank;
	return 0;
}

/* The scalar operation of a binary node: the row's aux, or for Mod and
 * BitShift the variant their attribute selects. */
static const char *binary_op(const Node *n)
{
	const char *a = n->op->aux;

	if (strcmp(a, "mod") == 0)
		return attr_i(n, "fmod", 0) ? "fmod" : "mod";
	if (strcmp(a, "bitshift") == 0)
		return strcmp(attr_s(n, "direction", ""), "LEFT") == 0 ? "shl" : "shr";
	return a;
}

/* The broadcast shape of A and B; bool for comparisons. */
int binary_infer(Node *n)
{
	Value *a = n->in[0], *b = n->in[1], bb = *n->in[1];
	Value *ins[2] = {a, &bb};
	int64_t dims[IR_MAX_RANK];
	int rank, dt = a->dtype;

	if (legacy_broadcast(n, bb.dims, &bb.rank) != 0)
		return -1;
	if (strcmp(n->op->aux, "bitshift") == 0) {
		const char *dir = attr_s(n, "direction", "");
		if (strcmp(dir, "LEFT") != 0 && strcmp(dir, "RIGHT") != 0)
			return node_error(n, "direction is '%s', expected 'LEFT' or 'RIGHT'", dir);
	}
	if (a->dtype != b->dtype && strcmp(n->op->aux, "pow") != 0)
		return node_error(n, "inputs have different element types (%s and %s)",
				  dt_name(a->dtype), dt_name(b->dtype));
	if (broadcast_shapes(n, ins, 2, &rank, dims) != 0)
		return -1;
	if (is_predicate(n->op->aux))
		dt = DT_BOOL;
	return set_out(n, 0, dt, rank, dims);
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

/* One broadcasting call, with Pow's exponent converted first. */
int binary_lower(Node *n, Lower *L)
{
	Value *a = n->in[0], *b = n->in[1], *y = n->out[0], bb, *t;
	int64_t dims[IR_MAX_RANK];
	int rank, ct = compute_type(a->dtype);

	if (value_numel(y) == 0)
		return 0;
	if (a->dtype == DT_STRING)
		return str_equal_lower(n, L);	/* only Equal's row takes strings */
	if (legacy_broadcast(n, dims, &rank) != 0)
		return -1;
	/* Pow's exponent may have another type: convert it to the base's. */
	if (!(a = widen(L, a)) || (b->dtype != ct && !(b = cast_temp(L, b, ct))))
		return -1;
	t = wide_out(L, y);
	if (rank != b->rank) {
		/* Legacy broadcast: view B with A's rank. */
		bb = *b;
		bb.rank = rank;
		memcpy(bb.dims, dims, sizeof(int64_t) * rank);
		if (lower_binary_op(L, binary_op(n), a, &bb, t) != 0)
			return -1;
		L->out->v[L->out->n - 1].buf[1] = b;
	} else if (lower_binary_op(L, binary_op(n), a, b, t) != 0) {
		return -1;
	}
	return narrow(L, t, y);
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
	Value *y = n->out[0], *t, *x0, *x1;
	const char *op = strcmp(n->op->aux, "mean") == 0 ? "add" : n->op->aux;
	KCall *k;
	int i;

	if (value_numel(y) == 0)
		return 0;
	if (!(x0 = widen(L, n->in[0])))
		return -1;
	t = wide_out(L, y);
	if (n->nin == 1) {
		/* t = x0, broadcast (a no-op op with itself would double it) */
		Value *ins[1] = {x0};
		if (!(k = lower_callf(L, "%s_expand__scalar", width_prefix(t->dtype))))
			return -1;
		kcall_buf(k, x0);
		kcall_buf(k, t);
		kcall_broadcast(k, t, ins, 1);
	}
	for (i = 1; i < n->nin; i++, x0 = t)
		if (!(x1 = widen(L, n->in[i])) || lower_binary_op(L, op, x0, x1, t) != 0)
			return -1;
	if (strcmp(n->op->aux, "mean") == 0) {
		if (!(k = lower_callf(L, "%s_scale__scalar", dt_short(t->dtype))))
			return -1;
		kcall_buf(k, t);
		kcall_buf(k, t);
		kcall_i(k, value_numel(t));
		kcall_f(k, 1.0 / n->nin);
	}
	return narrow(L, t, y);
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
	int64_t words;
	const char *prefix = word_prefix(y->dtype, &words);
	static const int cond_scalar[3] = {1, 0, 0};
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (!(k = lower_callf(L, "%s_where__scalar", prefix)))
		return -1;
	kcall_buf(k, n->in[0]);
	kcall_buf(k, n->in[1]);
	kcall_buf(k, n->in[2]);
	kcall_buf(k, y);
	return kcall_broadcast_words(k, n, y, n->in, 3, words, cond_scalar);
}

/* Clip's bound i (1: min, 2: max) when given as an input (opset 11+), else NULL. */
static Value *clip_bound(const Node *n, int i)
{
	Value *v = node_in(n, i);

	return v && v->name && *v->name ? v : NULL;
}

/* Same shape as the input; bounds are scalars of its type. */
int clip_infer(Node *n)
{
	Value *x = n->in[0];
	int i;

	if (n->version < 11 && n->nin > 1)
		return node_error(n, "has %d inputs; before opset 11 min and max are attributes",
				  n->nin);
	if (n->version < 11 && !dt_is_float(x->dtype))
		return node_error(n, "input has element type %s; before opset 11 Clip takes floats",
				  dt_name(x->dtype));
	for (i = 1; i <= 2; i++) {
		Value *v = clip_bound(n, i);
		if (!v)
			continue;
		if (v->dtype != x->dtype)
			return node_error(n, "input %d has element type %s, expected %s like the input",
					  i, dt_name(v->dtype), dt_name(x->dtype));
		if (value_numel(v) != 1)
			return node_error(n, "input %d ('%s') must be a scalar", i, v->name);
	}
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

/* Where a bound comes from, as ONNXCC_CLIP's p[1] and p[2] encode it. */
static int clip_source(const Node *n, int i, const char *attr)
{
	if (clip_bound(n, i))
		return 1;
	return n->version < 11 && node_attr(n, attr) ? 2 : 0;
}

/* One clip call reading each bound from a buffer or from f[]. */
int clip_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *lo = clip_bound(n, 1), *hi = clip_bound(n, 2), *t;
	int from_lo = clip_source(n, 1, "min"), from_hi = clip_source(n, 2, "max");
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (!(x = widen(L, x)) || (lo && !(lo = widen(L, lo))) || (hi && !(hi = widen(L, hi))))
		return -1;
	t = wide_out(L, y);
	if (!(k = lower_callf(L, "%s_clip__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, t);
	if (lo)
		kcall_buf(k, lo);
	if (hi)
		kcall_buf(k, hi);
	kcall_i(k, value_numel(y));
	kcall_i(k, from_lo);
	kcall_i(k, from_hi);
	if (from_lo == 2 || from_hi == 2) {
		kcall_f(k, attr_f(n, "min", 0.0));
		kcall_f(k, attr_f(n, "max", 0.0));
	}
	return narrow(L, t, y);
}

/* EwChain (passes/fuse_ew.c made it, with its output shaped): inputs X and
 * the operands, attributes "steps" (5 ints a step, ONNXCC_EWCHAIN's p) and
 * "params" (2 floats a step). */
int ewchain_infer(Node *n)
{
	if (!n->out[0] || n->out[0]->rank < 0)
		return node_error(n, "output has no shape");
	return 0;
}

/* One ewchain call; the program is checked against the buffers first. */
int ewchain_lower(Node *n, Lower *L)
{
	const int64_t *st;
	const Attr *fp = node_attr(n, "params");
	int ns = attr_ints(n, "steps", &st) / 5, i;
	Value *y = n->out[0];
	KCall *k;

	if (ns < 1 || !fp || fp->type != AT_FLOATS || fp->n != 2 * ns || n->nin + 1 > KCALL_MAX_BUF)
		die("EwChain '%s': bad program", n->name);
	for (i = 0; i < n->nin; i++)
		if (n->in[i]->dtype != DT_FLOAT || (i == 0 && value_numel(n->in[i]) != value_numel(y)))
			die("EwChain '%s': bad input %d", n->name, i);
	for (i = 0; i < ns; i++) {
		const int64_t *s = st + 5 * i;
		if (s[0] < 0 || s[0] >= ONNXCC_EWC_COUNT || s[1] < 0 || s[1] >= n->nin ||
		    s[2] < 1 || s[3] < 1 || (s[1] && value_numel(n->in[s[1]]) != s[3]))
			die("EwChain '%s': bad step %d", n->name, i);
	}
	if (value_numel(y) == 0)
		return 0;
	if (!(k = lower_call(L, "f32_ewchain__scalar")))
		return -1;
	kcall_buf(k, n->in[0]);
	kcall_buf(k, y);
	for (i = 1; i < n->nin; i++)
		kcall_buf(k, n->in[i]);
	kcall_i(k, value_numel(y));
	kcall_i(k, ns);
	for (i = 0; i < 5 * ns; i++)	/* operand i of the node is buffer i + 1 */
		kcall_i(k, i % 5 == 1 && st[i] ? st[i] + 1 : st[i]);
	for (i = 0; i < 2 * ns; i++)
		kcall_f(k, fp->floats[i]);
	return 0;
}
