/* normalization.c: LayerNormalization and RMSNormalization (layernorm),
 * GroupNormalization and InstanceNormalization (groupnorm),
 * MeanVarianceNormalization and LpNormalization (axesnorm); the row's aux
 * tells the two ops of a family apart.  Kernels: templates/normalization.h.
 *
 * The first two families view X as rows of contiguous elements normalized on
 * their own (normrows), with scale and bias looked up per segment of a row;
 * the third reduces over arbitrary axes with strides (normaxes).  Kernels
 * exist for float and double; float16 and bfloat16 operands are converted to
 * float and the results rounded back, as are mixed types (RMSNormalization's
 * scale, LayerNormalization's stash_type statistics) to X's compute type. */
#include <string.h>

#include "ops_util.h"

/* The type kernels compute dtype in. */
static int compute_type(int dtype)
{
	return dtype == DT_FLOAT16 || dtype == DT_BFLOAT16 ? DT_FLOAT : dtype;
}

/* v converted to type ct in scratch, or v itself if it has that type. */
static Value *as_type(Lower *L, Value *v, int ct)
{
	Value *t;

	if (!v || v->dtype == ct)
		return v;
	t = lower_temp(L, ct, v->rank, v->dims);
	return lower_convert(L, v, t) == 0 ? t : NULL;
}

/* Where a kernel of type ct writes output y: y, or a scratch that
 * out_finish() converts into y. */
static Value *out_as(Lower *L, Value *y, int ct)
{
	if (!y || y->dtype == ct)
		return y;
	return lower_temp(L, ct, y->rank, y->dims);
}

static int out_finish(Lower *L, Value *t, Value *y)
{
	return lower_convert(L, t, y);
}

/* An error unless v has a float element type. */
static int check_float(const Node *n, const Value *v, const char *what)
{
	if (!dt_is_float(v->dtype))
		return node_error(n, "%s ('%s') has element type %s, expected a float type", what,
				  v->name, dt_name(v->dtype));
	return 0;
}

/* An error unless v has element type dt. */
static int check_type(const Node *n, const Value *v, const char *what, int dt)
{
	if (v->dtype != dt)
		return node_error(n, "%s ('%s') has element type %s, expected %s", what, v->name,
				  dt_name(v->dtype), dt_name(dt));
	return 0;
}

/* One normrows call: X as R rows of K, parameters per segment as the
 * template describes; M and I may be NULL. */
static int lower_normrows(Lower *L, Value *x, Value *s, Value *b, Value *y, Value *m,
			  Value *i, const int64_t *v, int center, double eps)
{
	KCall *k = lower_callf(L, "%s_normrows__scalar", dt_short(x->dtype));

	if (!k)
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, s);
	if (b)
		kcall_buf(k, b);
	kcall_buf(k, y);
	if (m)
		kcall_buf(k, m);
	if (i)
		kcall_buf(k, i);
	kcall_ints(k, v, 5);
	kcall_i(k, center | (b ? 2 : 0) | (m ? 4 : 0) | (i ? 8 : 0));
	kcall_f(k, eps);
	return 0;
}

/* LayerNormalization / RMSNormalization ------------------------------------ */

/* Whether the node is LayerNormalization (else RMSNormalization). */
static int is_layer(const Node *n)
{
	return strcmp(n->op->aux, "layer") == 0;
}

/* An error unless p broadcasts unidirectionally to x. */
static int check_unidir(const Node *n, const Value *p, const Value *x, const char *what)
{
	int i;

	if (p->rank > x->rank)
		return node_error(n, "%s ('%s') has rank %d, more than X's %d", what, p->name,
				  p->rank, x->rank);
	for (i = 0; i < p->rank; i++) {
		int64_t pd = p->dims[i], xd = x->dims[x->rank - p->rank + i];
		if (pd != 1 && pd != xd) {
			char a[128], b[128];
			return node_error(n, "%s ('%s') %s does not broadcast to X %s", what,
					  p->name, shape_str(p, a, sizeof a),
					  shape_str(x, b, sizeof b));
		}
	}
	return 0;
}

int layernorm_infer(Node *n)
{
	Value *x = n->in[0], *s = n->in[1], *b = node_in(n, 2);
	int64_t axis, dims[IR_MAX_RANK];
	int stash = (int)attr_i(n, "stash_type", 1), i;

	if (check_float(n, x, "input X") != 0 ||
	    norm_axis(n, attr_i(n, "axis", -1), x->rank, &axis) != 0)
		return -1;
	if (stash != DT_FLOAT && stash != DT_DOUBLE && stash != DT_FLOAT16 && stash != DT_BFLOAT16)
		return node_error(n, "stash_type is %d, expected a float type", stash);
	if (!s)
		return node_error(n, "input 1 (scale) is missing");
	if ((is_layer(n) ? check_type(n, s, "scale", x->dtype) : check_float(n, s, "scale")) != 0 ||
	    check_unidir(n, s, x, "scale") != 0)
		return -1;
	if (b && (check_type(n, b, "bias", x->dtype) != 0 || check_unidir(n, b, x, "bias") != 0))
		return -1;
	/* RMSNormalization's Y has the scale's type. */
	if (set_out(n, 0, is_layer(n) ? x->dtype : s->dtype, x->rank, x->dims) != 0)
		return -1;
	for (i = 0; i < x->rank; i++)
		dims[i] = i < axis ? x->dims[i] : 1;
	return set_out(n, 1, stash, x->rank, dims) != 0 ? -1 : set_out(n, 2, stash, x->rank, dims);
}

/* The first dimension of x where scale or bias varies, at most axis: rows
 * of x from there to axis have their own parameters. */
static int param_lead(const Value *x, Value *const *ps, int np, int axis)
{
	int lead = axis, i, j;

	for (j = 0; j < np; j++)
		for (i = 0; ps[j] && i < lead; i++) {
			int pd = i - (x->rank - ps[j]->rank);
			if (pd >= 0 && ps[j]->dims[pd] != 1)
				lead = i;
		}
	return lead;
}

/* Parameter p laid out contiguously with x's dimensions from lead on: p
 * itself when it has every one of them, else an expanded copy in scratch. */
static Value *param_full(Lower *L, Value *p, const Value *x, int lead)
{
	Value *t, *ins[1] = {p};
	int64_t need = 1;
	KCall *k;
	int i;

	for (i = lead; i < x->rank; i++)
		need *= x->dims[i];
	if (!p || value_numel(p) == need)
		return p;
	t = lower_temp(L, p->dtype, x->rank - lead, x->dims + lead);
	if (!(k = lower_callf(L, "%s_expand__scalar", width_prefix(p->dtype))))
		return NULL;
	kcall_buf(k, p);
	kcall_buf(k, t);
	kcall_broadcast(k, t, ins, 1);
	return t;
}

/* The rows of X and the parameter lookup {R, K, a, c, d} for scale s and
 * bias b (NULL if absent), expanding them when their shapes need it. */
static int layer_params(Lower *L, const Value *x, int axis, Value **s, Value **b, int64_t *v)
{
	Value *ps[2] = {*s, *b};
	int lead = param_lead(x, ps, 2, axis), i;

	v[0] = v[1] = 1;
	for (i = 0; i < x->rank; i++)
		v[i < axis ? 0 : 1] *= x->dims[i];
	/* One scale and bias for everything: no lookup. */
	if (value_numel(*s) == 1 && (!*b || value_numel(*b) == 1)) {
		v[2] = v[3] = 1;
		v[4] = v[1];
		return 0;
	}
	if (!(*s = param_full(L, *s, x, lead)) || (*b && !(*b = param_full(L, *b, x, lead))))
		return -1;
	v[2] = 1;
	for (i = lead; i < axis; i++)
		v[2] *= x->dims[i];
	v[3] = v[1];
	v[4] = 1;
	return 0;
}

/* Y, and LayerNormalization's Mean and InvStdDev, in one normrows call. */
int layernorm_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *s = n->in[1], *b = node_in(n, 2), *y = n->out[0];
	Value *m = node_out(n, 1), *iv = node_out(n, 2), *ty, *tm, *ti;
	int ct = compute_type(x->dtype);
	int64_t axis, v[5];

	if (value_numel(x) == 0)
		return 0;
	if (norm_axis(n, attr_i(n, "axis", -1), x->rank, &axis) != 0)
		return -1;
	if (!(x = as_type(L, x, ct)) || !(s = as_type(L, s, ct)) || (b && !(b = as_type(L, b, ct))))
		return -1;
	if (layer_params(L, x, (int)axis, &s, &b, v) != 0)
		return -1;
	ty = out_as(L, y, ct);
	tm = out_as(L, m, ct);
	ti = out_as(L, iv, ct);
	if (lower_normrows(L, x, s, b, ty, tm, ti, v, is_layer(n), attr_f(n, "epsilon", 1e-5)) != 0)
		return -1;
	if (out_finish(L, ty, y) != 0 || (m && out_finish(L, tm, m) != 0))
		return -1;
	return iv ? out_finish(L, ti, iv) : 0;
}

/* GroupNormalization / InstanceNormalization ------------------------------- */

/* The number of groups: num_groups, or one per channel for InstanceNormalization. */
static int64_t group_count(const Node *n)
{
	return strcmp(n->op->aux, "instance") == 0 ? n->in[0]->dims[1] : attr_i(n, "num_groups", 0);
}

int groupnorm_infer(Node *n)
{
	Value *x = n->in[0];
	int64_t C, G = group_count(n);
	int i;

	if (check_float(n, x, "input X") != 0)
		return -1;
	if (x->rank < 2)
		return node_error(n, "input X has rank %d, expected N x C x ... (rank >= 2)",
				  x->rank);
	C = x->dims[1];
	if (G <= 0 || (C > 0 && C % G != 0))
		return node_error(n, "num_groups is %lld, expected a positive divisor of the %lld "
				  "channels", (long long)G, (long long)C);
	for (i = 1; i < 3; i++) {
		Value *p = n->in[i];
		if (check_type(n, p, i == 1 ? "scale" : "bias", x->dtype) != 0)
			return -1;
		/* Before opset 21 GroupNormalization's parameters are per group;
		 * per-channel ones (opset 21's layout) are accepted there too. */
		if (strcmp(n->op->aux, "group") == 0 && n->version < 21 && value_numel(p) != C &&
		    value_numel(p) != G)
			return node_error(n, "input %d ('%s') has %lld elements, expected one per "
					  "group (%lld) at opset %d", i, p->name,
					  (long long)value_numel(p), (long long)G, n->version);
		if (value_numel(p) != C && (n->version >= 21 || value_numel(p) != G))
			return node_error(n, "input %d ('%s') has %lld elements, expected one per "
					  "channel (%lld)", i, p->name, (long long)value_numel(p),
					  (long long)C);
	}
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

/* Rows are (sample, group); a segment of a row is one channel's spatial
 * extent, whose parameters are per channel or (old GroupNormalization) per group. */
int groupnorm_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *s = n->in[1], *b = n->in[2], *y = n->out[0], *ty;
	int64_t G = group_count(n), C = x->dims[1], inner = 1, v[5];
	int ct = compute_type(x->dtype), i;

	if (value_numel(x) == 0)
		return 0;
	for (i = 2; i < x->rank; i++)
		inner *= x->dims[i];
	v[0] = x->dims[0] * G;
	v[1] = C / G * inner;
	v[2] = G;
	v[3] = value_numel(s) == C ? C / G : 1;
	v[4] = value_numel(s) == C ? inner : v[1];
	if (!(x = as_type(L, x, ct)) || !(s = as_type(L, s, ct)) || !(b = as_type(L, b, ct)))
		return -1;
	ty = out_as(L, y, ct);
	if (lower_normrows(L, x, s, b, ty, NULL, NULL, v, 1, attr_f(n, "epsilon", 1e-5)) != 0)
		return -1;
	return out_finish(L, ty, y);
}

/* MeanVarianceNormalization / LpNormalization ------------------------------ */

/* Which axes of the input are reduced: MVN's axes (default 0, 2, 3) or Lp's axis. */
static int reduced_axes(const Node *n, int *red)
{
	static const int64_t mvn_default[3] = {0, 2, 3};
	const int64_t *axes = mvn_default;
	int rank = n->in[0]->rank, na = 3, i;
	int64_t a, one;

	for (i = 0; i < rank; i++)
		red[i] = 0;
	if (strcmp(n->op->aux, "lp") == 0) {
		one = attr_i(n, "axis", -1);
		axes = &one;
		na = 1;
	} else if (node_attr(n, "axes")) {
		na = attr_ints(n, "axes", &axes);
	}
	for (i = 0; i < na; i++) {
		if (norm_axis(n, axes[i], rank, &a) != 0)
			return -1;
		if (red[a])
			return node_error(n, "axis %lld appears twice", (long long)axes[i]);
		red[a] = 1;
	}
	return 0;
}

/* The kernel's mode: 0 for MVN, else Lp's p. */
static int64_t axesnorm_mode(const Node *n)
{
	return strcmp(n->op->aux, "lp") == 0 ? attr_i(n, "p", 2) : 0;
}

int axesnorm_infer(Node *n)
{
	Value *x = n->in[0];
	int red[IR_MAX_RANK];
	int64_t mode = axesnorm_mode(n);

	if (check_float(n, x, "input") != 0 || reduced_axes(n, red) != 0)
		return -1;
	if (strcmp(n->op->aux, "lp") == 0 && mode != 1 && mode != 2)
		return node_error(n, "p is %lld, expected 1 or 2", (long long)mode);
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

/* Append dimension d (element stride s) to a list built innermost first,
 * merged into the previous entry when the two are adjacent in memory. */
static void dim_push(int64_t *dims, int64_t *st, int64_t *r, int64_t d, int64_t s)
{
	if (*r > 0 && s == st[*r - 1] * dims[*r - 1]) {
		dims[*r - 1] *= d;
		return;
	}
	dims[*r] = d;
	st[*r] = s;
	(*r)++;
}

/* p = {rk, kd, ks, rr, rd, rs}: the kept and reduced dimensions of x, size 1
 * dimensions dropped and neighbours merged; each list has at least one entry. */
static void axes_view(KCall *k, const Value *x, const int *red)
{
	int64_t d[2][IR_MAX_RANK], st[2][IR_MAX_RANK], r[2] = {0, 0}, s = 1;
	int i, c;

	for (i = x->rank - 1; i >= 0; s *= x->dims[i], i--)
		if (x->dims[i] != 1)
			dim_push(d[red[i]], st[red[i]], &r[red[i]], x->dims[i], s);
	for (c = 0; c < 2; c++) {
		int64_t rd[IR_MAX_RANK], rs[IR_MAX_RANK];
		if (r[c] == 0)
			dim_push(d[c], st[c], &r[c], 1, 0);
		/* dim_push saw the innermost first: reverse into outermost first. */
		for (i = 0; i < r[c]; i++) {
			rd[i] = d[c][r[c] - 1 - i];
			rs[i] = st[c][r[c] - 1 - i];
		}
		kcall_i(k, r[c]);
		kcall_ints(k, rd, (int)r[c]);
		kcall_ints(k, rs, (int)r[c]);
	}
}

int axesnorm_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *ty;
	int red[IR_MAX_RANK], ct = compute_type(x->dtype);
	KCall *k;

	if (value_numel(x) == 0)
		return 0;
	if (reduced_axes(n, red) != 0 || !(x = as_type(L, x, ct)))
		return -1;
	ty = out_as(L, y, ct);
	if (!(k = lower_callf(L, "%s_normaxes__scalar", dt_short(ct))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, ty);
	axes_view(k, x, red);
	kcall_i(k, axesnorm_mode(n));
	kcall_f(k, 1e-9);
	return out_finish(L, ty, y);
}
