/* topk.c: TopK, CumProd, ReverseSequence, Swish, SwiGLU, Det and Einsum
 * (kernels in templates/topk.h).
 *
 * TopK's k decides its output shape: a constant k is read now; a run-time one
 * takes the model's declared output shape and the kernel checks it.  Einsum's
 * equation is parsed here into one generic contraction: every label becomes a
 * dimension of the loop nest, with each input's element stride along it.
 * float16 and bfloat16 compute in float (widen_half / narrow_half). */
#include <string.h>

#include "ops_util.h"

/* The product of dims[from..to). */
static int64_t dims_prod(const int64_t *dims, int from, int to)
{
	int64_t p = 1;

	for (; from < to; from++)
		p *= dims[from];
	return p;
}

/* Float16 and bfloat16 are computed in float. */
static int is_half(int dt)
{
	return dt == DT_FLOAT16 || dt == DT_BFLOAT16;
}

/* Float types only (Swish, SwiGLU, Det). */
static int check_float(const Node *n, const Value *v)
{
	if (v->dtype != DT_FLOAT && v->dtype != DT_DOUBLE && !is_half(v->dtype))
		return node_error(n, "element type %s is not supported, expected a float type",
				  dt_name(v->dtype));
	return 0;
}

/* Numeric types with typed kernels (half through float). */
static int check_numeric(const Node *n, const Value *v)
{
	if (!dt_is_int(v->dtype) && !dt_is_float(v->dtype))
		return node_error(n, "element type %s is not supported", dt_name(v->dtype));
	return 0;
}

/* TopK ----------------------------------------------------------------------- */

/* The axis, and k from the attribute (opset 1) or the constant input; *k = -1
 * when the input is run-time data. */
static int topk_params(const Node *n, int64_t *axis, int64_t *k)
{
	const Value *x = n->in[0], *kv = node_in(n, 1);

	if (x->rank < 1)
		return node_error(n, "input must have rank at least 1");
	if (norm_axis(n, attr_i(n, "axis", -1), x->rank, axis) != 0)
		return -1;
	if (n->version < 10) {
		if (!node_attr(n, "k"))
			return node_error(n, "attribute k is missing");
		*k = attr_i(n, "k", 0);
	} else {
		if (!kv)
			return node_error(n, "input K is missing");
		if (kv->dtype != DT_INT64 || value_numel(kv) != 1 || kv->rank > 1)
			return node_error(n, "K must be a 1-element int64 tensor");
		*k = kv->data ? const_i64(kv, 0) : -1;
		if (!kv->data)
			return 0;
	}
	if (*k < 0 || *k > x->dims[*axis])
		return node_error(n, "k = %lld is out of range for an axis of length %lld",
				  (long long)*k, (long long)x->dims[*axis]);
	return 0;
}

int topk_infer(Node *n)
{
	const Value *x = n->in[0];
	int64_t axis, k, dims[IR_MAX_RANK];
	int d;

	if (check_numeric(n, x) != 0 || topk_params(n, &axis, &k) != 0)
		return -1;
	if (k < 0) {
		/* Run-time k: the declared shapes, which must agree off the axis. */
		if (set_out_declared(n, 0, x->dtype, n->in[1]) != 0 ||
		    set_out_declared(n, 1, DT_INT64, n->in[1]) != 0)
			return -1;
		for (d = 0; d < n->nout; d++) {
			const Value *o = n->out[d];
			int e;
			if (!o)
				continue;
			if (o->rank != x->rank)
				return node_error(n, "declared output rank %d differs from the input's %d",
						  o->rank, x->rank);
			for (e = 0; e < x->rank; e++)
				if (e != axis ? o->dims[e] != x->dims[e] :
				    o->dims[e] > x->dims[e] || o->dims[e] != n->out[0]->dims[e])
					return node_error(n, "declared output shape does not fit the input");
		}
		return 0;
	}
	memcpy(dims, x->dims, sizeof dims);
	dims[axis] = k;
	if (set_out(n, 0, x->dtype, x->rank, dims) != 0)
		return -1;
	return set_out(n, 1, DT_INT64, x->rank, dims);
}

int topk_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *kv = node_in(n, 1), *y = n->out[0], *ix = n->out[1], *t, *s;
	int64_t axis, k, len;
	KCall *k2;

	if (topk_params(n, &axis, &k) != 0)
		return -1;
	k = y->dims[axis];
	len = 2 * x->dims[axis];
	if (value_numel(y) == 0)
		return 0;
	if (!ix)
		ix = lower_temp(L, DT_INT64, y->rank, y->dims);
	if (widen_half(L, &x) != 0 || !(t = half_out(L, y)))
		return -1;
	s = lower_temp(L, DT_INT64, 1, &len);
	if (!(k2 = lower_callf(L, "%s_topk__scalar", dt_short(t->dtype))))
		return -1;
	kcall_buf(k2, x);
	kcall_buf(k2, t);
	kcall_buf(k2, ix);
	kcall_buf(k2, s);
	if (n->version >= 10 && !kv->data) {
		kcall_buf(k2, kv);
		kcall_checks(k2);
	}
	kcall_i(k2, dims_prod(x->dims, 0, (int)axis));
	kcall_i(k2, x->dims[axis]);
	kcall_i(k2, dims_prod(x->dims, (int)axis + 1, x->rank));
	kcall_i(k2, k);
	kcall_i(k2, attr_i(n, "largest", 1) != 0);
	kcall_i(k2, n->version >= 10 && !kv->data);
	return narrow_half(L, t, y);
}

/* ReverseSequence ------------------------------------------------------------ */

/* batch_axis and time_axis are 0 and 1 in either order; lengths are int64 [batch]. */
static int revseq_axes(const Node *n, int64_t *ba, int64_t *ta)
{
	const Value *x = n->in[0], *l = n->in[1];
	int s = dt_size(x->dtype);

	*ba = attr_i(n, "batch_axis", 1);
	*ta = attr_i(n, "time_axis", 0);
	if (x->rank < 2)
		return node_error(n, "input must have rank at least 2");
	if (!((*ba == 0 && *ta == 1) || (*ba == 1 && *ta == 0)))
		return node_error(n, "batch_axis and time_axis must be 0 and 1 in some order");
	if (x->dtype == DT_STRING || (s != 1 && s != 2 && s != 4 && s != 8))
		return node_error(n, "element type %s is not supported", dt_name(x->dtype));
	if (l->dtype != DT_INT64 || l->rank != 1 || l->dims[0] != x->dims[*ba])
		return node_error(n, "sequence_lens must be int64 of shape [%lld]",
				  (long long)x->dims[*ba]);
	return 0;
}

int reversesequence_infer(Node *n)
{
	const Value *x = n->in[0];
	int64_t ba, ta;

	if (revseq_axes(n, &ba, &ta) != 0)
		return -1;
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

int reversesequence_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t ba, ta, inner, st[2];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (revseq_axes(n, &ba, &ta) != 0)
		return -1;
	inner = dims_prod(x->dims, 2, x->rank);
	st[0] = x->dims[1] * inner;
	st[1] = inner;
	if (!(k = lower_callf(L, "%s_revseq__scalar", width_prefix(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, n->in[1]);
	kcall_buf(k, y);
	kcall_checks(k);
	kcall_i(k, x->dims[ba]);
	kcall_i(k, x->dims[ta]);
	kcall_i(k, inner);
	kcall_i(k, st[ba]);
	kcall_i(k, st[ta]);
	return 0;
}

/* Swish and SwiGLU: aux "swish" (one input) or "swiglu" (gate and value). ---- */

int swish_infer(Node *n)
{
	const Value *x = n->in[0], *v = node_in(n, 1);

	if (check_float(n, x) != 0)
		return -1;
	if (v && (v->dtype != x->dtype || !value_same_shape(x, v)))
		return node_error(n, "inputs must have the same type and shape");
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

int swish_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *v = node_in(n, 1), *y = n->out[0], *t;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (widen_half(L, &x) != 0 || widen_half(L, &v) != 0 || !(t = half_out(L, y)))
		return -1;
	if (!(k = lower_callf(L, "%s_%s__scalar", dt_short(t->dtype), n->op->aux)))
		return -1;
	kcall_buf(k, x);
	if (v)
		kcall_buf(k, v);
	kcall_buf(k, t);
	kcall_i(k, value_numel(y));
	kcall_f(k, attr_f(n, "alpha", 1.0));
	return narrow_half(L, t, y);
}

/* Det ------------------------------------------------------------------------ */

int det_infer(Node *n)
{
	const Value *x = n->in[0];

	if (check_float(n, x) != 0)
		return -1;
	if (x->rank < 2 || x->dims[x->rank - 1] != x->dims[x->rank - 2])
		return node_error(n, "input must be [*, M, M]");
	return set_out(n, 0, x->dtype, x->rank - 2, x->dims);
}

int det_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *t, *s;
	int64_t m = x->dims[x->rank - 1], sq = m * m > 0 ? m * m : 1;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (widen_half(L, &x) != 0 || !(t = half_out(L, y)))
		return -1;
	s = lower_temp(L, DT_DOUBLE, 1, &sq);
	if (!(k = lower_callf(L, "%s_det__scalar", dt_short(t->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, t);
	kcall_buf(k, s);
	kcall_i(k, value_numel(y));
	kcall_i(k, m);
	return narrow_half(L, t, y);
}

/* Einsum --------------------------------------------------------------------- */

/* Labels: a-z are 0..25, A-Z 26..51, and the dimensions an ellipsis covers
 * 52..59, right-aligned so that ellipses of different ranks broadcast. */
#define EIN_LETTERS 52
#define EIN_LABELS (EIN_LETTERS + IR_MAX_RANK)
#define EIN_MAX_IN (KCALL_MAX_BUF - 1)

typedef struct Einsum {
	int nin;
	int lab[EIN_MAX_IN][IR_MAX_RANK];  /* each input dimension's label */
	int nout, out[EIN_LABELS];         /* output labels in order */
	int64_t size[EIN_LABELS];          /* -1: the label does not occur */
} Einsum;

/* The label of a letter, or -1. */
static int ein_letter(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return 26 + c - 'A';
	return -1;
}

/* One term's labels for a tensor of rank `rank` (out: rank < 0, the ellipsis
 * rank given by ell): their count, or -1 if malformed. */
static int ein_term(const char *s, size_t len, int rank, int ell, int *lab)
{
	int nl = 0, cnt = 0, j, e, has_ell = 0;
	size_t i;

	for (i = 0; i < len; i++)
		if (ein_letter(s[i]) >= 0)
			nl++;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (has_ell || i + 2 >= len || s[i + 1] != '.' || s[i + 2] != '.')
				return -1;
			has_ell = 1;
			e = rank >= 0 ? rank - nl : ell;
			if (e < 0 || e > IR_MAX_RANK)
				return -1;
			for (j = 0; j < e; j++)
				lab[cnt++] = EIN_LETTERS + IR_MAX_RANK - e + j;
			i += 2;
		} else if (ein_letter(s[i]) >= 0) {
			if (cnt >= IR_MAX_RANK && rank >= 0)
				return -1;
			lab[cnt++] = ein_letter(s[i]);
		} else {
			return -1;
		}
	}
	if (rank >= 0 && cnt != rank)
		return -1;
	return cnt;
}

/* Record a dimension of size d for label l; sizes 1 broadcast. */
static int ein_size(const Node *n, Einsum *e, int l, int64_t d)
{
	if (e->size[l] < 0 || e->size[l] == 1)
		e->size[l] = d;
	else if (d != 1 && d != e->size[l])
		return node_error(n, "equation labels a dimension of size %lld and one of size %lld "
				  "alike", (long long)e->size[l], (long long)d);
	return 0;
}

/* Parse the equation against the inputs' shapes. */
static int ein_parse(const Node *n, Einsum *e)
{
	const char *eq = attr_s(n, "equation", NULL);
	char buf[512], *arrow, *term;
	size_t i, j = 0;
	int q, d, l, ell = 0, cnt[EIN_LABELS] = {0};

	if (!eq)
		return node_error(n, "attribute equation is missing");
	for (i = 0; eq[i]; i++)
		if (eq[i] != ' ' && j + 1 < sizeof buf)
			buf[j++] = eq[i];
	buf[j] = 0;
	memset(e, 0, sizeof *e);
	for (l = 0; l < EIN_LABELS; l++)
		e->size[l] = -1;
	e->nin = n->nin;
	if (n->nin < 1 || n->nin > EIN_MAX_IN)
		return node_error(n, "%d inputs, at most %d supported", n->nin, EIN_MAX_IN);
	arrow = strstr(buf, "->");
	if (arrow)
		*arrow = 0;
	term = buf;
	for (q = 0; q < n->nin; q++) {
		const Value *x = n->in[q];
		char *end = strchr(term, ',');
		size_t len = end ? (size_t)(end - term) : strlen(term);
		if ((end == NULL) != (q == n->nin - 1))
			return node_error(n, "equation has a different number of terms than inputs");
		if (ein_term(term, len, x->rank, 0, e->lab[q]) < 0)
			return node_error(n, "equation term %d does not fit input rank %d", q, x->rank);
		for (d = 0; d < x->rank; d++) {
			l = e->lab[q][d];
			if (ein_size(n, e, l, x->dims[d]) != 0)
				return -1;
			if (l >= EIN_LETTERS && EIN_LABELS - l > ell)
				ell = EIN_LABELS - l;
			cnt[l]++;
		}
		term = end ? end + 1 : term + len;
	}
	if (arrow) {
		const char *o = arrow + 2;
		if ((e->nout = ein_term(o, strlen(o), -1, ell, e->out)) < 0)
			return node_error(n, "malformed output term '%s'", o);
		for (i = 0; i < (size_t)e->nout; i++) {
			l = e->out[i];
			if (e->size[l] < 0)
				return node_error(n, "output label of the equation is not in any input");
			for (j = 0; j < i; j++)
				if (e->out[j] == l)
					return node_error(n, "output label repeated in the equation");
		}
	} else {
		/* Implicit output: the ellipsis, then labels seen once in character order. */
		static const int order[EIN_LETTERS] = {
			26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
			45, 46, 47, 48, 49, 50, 51, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
			14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
		};
		for (l = EIN_LABELS - ell; l < EIN_LABELS; l++)
			e->out[e->nout++] = l;
		for (i = 0; i < EIN_LETTERS; i++)
			if (cnt[order[i]] == 1)
				e->out[e->nout++] = order[i];
	}
	if (e->nout > IR_MAX_RANK)
		return node_error(n, "output rank %d exceeds %d", e->nout, IR_MAX_RANK);
	return 0;
}

int einsum_infer(Node *n)
{
	Einsum e;
	int64_t dims[IR_MAX_RANK];
	int q, i;

	for (q = 0; q < n->nin; q++) {
		if (!n->in[q] || n->in[q]->dtype != n->in[0]->dtype)
			return node_error(n, "inputs must all be present and of one element type");
	}
	if (check_numeric(n, n->in[0]) != 0 || ein_parse(n, &e) != 0)
		return -1;
	for (i = 0; i < e.nout; i++)
		dims[i] = e.size[e.out[i]];
	return set_out(n, 0, n->in[0]->dtype, e.nout, dims);
}


int einsum_lower(Node *n, Lower *L)
{
	Einsum e;
	Value *ins[EIN_MAX_IN], *y = n->out[0], *t;
	int pos[EIN_LABELS], lab[EIN_LABELS], r = 0, q, d, l;
	int64_t dims[EIN_LABELS], st[EIN_MAX_IN][EIN_LABELS], xs[IR_MAX_RANK];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (ein_parse(n, &e) != 0)
		return -1;
	/* Loop dimensions: the output's labels, then the summed ones. */
	for (l = 0; l < EIN_LABELS; l++)
		pos[l] = -1;
	for (d = 0; d < e.nout; d++) {
		pos[e.out[d]] = r;
		lab[r++] = e.out[d];
	}
	for (l = 0; l < EIN_LABELS; l++)
		if (e.size[l] >= 0 && pos[l] < 0) {
			pos[l] = r;
			lab[r++] = l;
		}
	if (r > 64)
		return node_error(n, "equation has more than 64 labels");
	for (d = 0; d < r; d++)
		dims[d] = e.size[lab[d]];
	memset(st, 0, sizeof st);
	for (q = 0; q < e.nin; q++) {
		ins[q] = n->in[q];
		value_strides(ins[q], xs);
		for (d = 0; d < ins[q]->rank; d++)
			if (ins[q]->dims[d] != 1)
				st[q][pos[e.lab[q][d]]] += xs[d];
		if (widen_half(L, &ins[q]) != 0)
			return -1;
	}
	if (!(t = half_out(L, y)))
		return -1;
	if (!(k = lower_callf(L, "%s_einsum__scalar", dt_short(t->dtype))))
		return -1;
	for (q = 0; q < e.nin; q++)
		kcall_buf(k, ins[q]);
	kcall_buf(k, t);
	kcall_i(k, e.nin);
	kcall_i(k, r);
	kcall_i(k, e.nout);
	kcall_ints(k, dims, r);
	for (q = 0; q < e.nin; q++)
		kcall_ints(k, st[q], r);
	return narrow_half(L, t, y);
}
