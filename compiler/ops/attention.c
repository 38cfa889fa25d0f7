/* attention.c: Attention (opsets 23 to 25) and RotaryEmbedding.
 *
 * Attention lowers to two batched gemm calls (templates/linalg.h) around one
 * attnsoftmax call (templates/attention.h):
 *
 *     S = scale Q K^T      gemm, batch (batch, kv head, group); a 3-D input
 *                          is the 4-D one seen through strides, and grouped
 *                          query heads share a K head by a zero stride
 *     S = softmax(...)     softcap, mask, causal / padding / window bias, the
 *                          fully-masked-row guard, the optional QK output
 *     Y = S V              gemm, then a strided copy for a 3-D Y
 *
 * With past_key / past_value, K and V are first concatenated after the past
 * along the sequence into present_key / present_value (or scratch).  float16
 * and bfloat16 compute in float, so softmax_precision (float or wider for
 * the half types) needs nothing more; double stays double.  A mask of
 * another type than bool or the compute type is converted first.
 * RotaryEmbedding is one rotary call. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "expand.h"
#include "ops_util.h"

/* Q, K, V seen as 4-D (batch, heads, sequence, head size) tensors. */
typedef struct AttnShape {
	int64_t nb, qh, kvh, sq, skv, past, t, d, dv;
	/* Element strides of batch, head and sequence; the head is contiguous. */
	int64_t qs[3], ks[3], vs[3];
} AttnShape;

/* Whether dt is one of Attention's and RotaryEmbedding's value types. */
static int float_type(int dt)
{
	return dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_FLOAT16 || dt == DT_BFLOAT16;
}

/* The type kernels compute dt in: float for the half types. */
static int compute_type(int dt)
{
	return dt == DT_FLOAT16 || dt == DT_BFLOAT16 ? DT_FLOAT : dt;
}

/* Strides of v as (batch, heads, sequence, hd): a 4-D v is that layout, a
 * 3-D one is (batch, sequence, heads * hd). */
static void head_strides(const Value *v, int64_t heads, int64_t hd, int64_t *st)
{
	if (v->rank == 4) {
		st[0] = v->dims[1] * v->dims[2] * v->dims[3];
		st[1] = v->dims[2] * v->dims[3];
		st[2] = v->dims[3];
	} else {
		st[0] = v->dims[1] * heads * hd;
		st[1] = hd;
		st[2] = heads * hd;
	}
}

/* Heads and head size of a 3-D input whose last dimension holds `heads` heads. */
static int split_heads(const Node *n, const Value *v, const char *what, int64_t heads,
		       int64_t *hd)
{
	if (v->dims[2] % heads != 0)
		return node_error(n, "%s's hidden size %lld is not a multiple of %lld heads", what,
				  (long long)v->dims[2], (long long)heads);
	*hd = v->dims[2] / heads;
	return 0;
}

/* Heads, sequence lengths and head sizes of Q, K and V. */
static int qkv_shape(const Node *n, AttnShape *a)
{
	const Value *q = n->in[0], *k = n->in[1], *v = n->in[2];
	int64_t dk = 0;

	if (q->rank != k->rank || q->rank != v->rank || (q->rank != 3 && q->rank != 4))
		return node_error(n, "Q, K and V must all be 3-D or all 4-D (they have rank %d, %d "
				  "and %d)", q->rank, k->rank, v->rank);
	if (q->rank == 3) {
		a->qh = attr_i(n, "q_num_heads", 0);
		a->kvh = attr_i(n, "kv_num_heads", 0);
		if (a->qh <= 0 || a->kvh <= 0)
			return node_error(n, "3-D inputs need positive q_num_heads and kv_num_heads");
		if (split_heads(n, q, "Q", a->qh, &a->d) != 0 ||
		    split_heads(n, k, "K", a->kvh, &dk) != 0 ||
		    split_heads(n, v, "V", a->kvh, &a->dv) != 0)
			return -1;
		a->sq = q->dims[1];
		a->skv = k->dims[1];
		if (v->dims[1] != a->skv)
			return node_error(n, "K and V have different sequence lengths (%lld and %lld)",
					  (long long)a->skv, (long long)v->dims[1]);
	} else {
		a->qh = q->dims[1];
		a->kvh = k->dims[1];
		a->d = q->dims[3];
		dk = k->dims[3];
		a->dv = v->dims[3];
		a->sq = q->dims[2];
		a->skv = k->dims[2];
		if (v->dims[1] != a->kvh || v->dims[2] != a->skv)
			return node_error(n, "V's heads and sequence (%lld, %lld) differ from K's "
					  "(%lld, %lld)", (long long)v->dims[1], (long long)v->dims[2],
					  (long long)a->kvh, (long long)a->skv);
	}
	a->nb = q->dims[0];
	if (k->dims[0] != a->nb || v->dims[0] != a->nb)
		return node_error(n, "Q, K and V have different batch sizes");
	if (dk != a->d)
		return node_error(n, "Q's head size %lld differs from K's %lld", (long long)a->d,
				  (long long)dk);
	if (a->kvh == 0 || a->qh % a->kvh != 0)
		return node_error(n, "%lld query heads cannot be grouped over %lld key/value heads",
				  (long long)a->qh, (long long)a->kvh);
	head_strides(q, a->qh, a->d, a->qs);
	head_strides(k, a->kvh, a->d, a->ks);
	head_strides(v, a->kvh, a->dv, a->vs);
	return 0;
}

/* A past cache must be (batch, kv heads, past, hd) of the new entries' type. */
static int check_past(const Node *n, const Value *past, const Value *x, const AttnShape *a,
		      int64_t hd, const char *what)
{
	if (past->dtype != x->dtype)
		return node_error(n, "%s has element type %s, expected %s", what,
				  dt_name(past->dtype), dt_name(x->dtype));
	if (past->rank != 4 || past->dims[0] != a->nb || past->dims[1] != a->kvh ||
	    past->dims[3] != hd)
		return node_error(n, "%s must have shape (%lld, %lld, past, %lld)", what,
				  (long long)a->nb, (long long)a->kvh, (long long)hd);
	return 0;
}

/* past_key and past_value, which go together: the past length. */
static int past_shape(const Node *n, AttnShape *a)
{
	const Value *pk = node_in(n, 4), *pv = node_in(n, 5);

	a->past = 0;
	if (!pk && !pv)
		return 0;
	if (!pk || !pv)
		return node_error(n, "past_key and past_value must be given together");
	if (check_past(n, pk, n->in[1], a, a->d, "past_key") != 0 ||
	    check_past(n, pv, n->in[2], a, a->dv, "past_value") != 0)
		return -1;
	if (pk->dims[2] != pv->dims[2])
		return node_error(n, "past_key and past_value have different lengths");
	a->past = pk->dims[2];
	return 0;
}

/* attn_mask must broadcast to (batch, q heads, q sequence, total), its last
 * dimension at most total (a shorter one is padded with masked keys). */
static int check_mask(const Node *n, const AttnShape *a)
{
	const Value *m = node_in(n, 3);
	int64_t want[4] = {a->nb, a->qh, a->sq, a->t};
	int d;

	if (!m)
		return 0;
	if (m->dtype != DT_BOOL && dt_size(m->dtype) == 0)
		return node_error(n, "attn_mask has unsupported element type %s", dt_name(m->dtype));
	if (m->rank < 1 || m->rank > 4)
		return node_error(n, "attn_mask has rank %d, expected 1 to 4", m->rank);
	if (m->dims[m->rank - 1] > a->t)
		return node_error(n, "attn_mask's last dimension %lld exceeds the total sequence "
				  "length %lld", (long long)m->dims[m->rank - 1], (long long)a->t);
	for (d = 0; d < m->rank - 1; d++) {
		int64_t w = want[4 - m->rank + d];
		if (m->dims[d] != w && m->dims[d] != 1)
			return node_error(n, "attn_mask's dimension %d is %lld, expected %lld or 1", d,
					  (long long)m->dims[d], (long long)w);
	}
	return 0;
}

/* Types, the optional inputs and attributes that depend on the opset. */
static int check_rest(const Node *n, const AttnShape *a)
{
	const Value *q = n->in[0], *k = n->in[1], *v = n->in[2], *np = node_in(n, 6);
	int64_t mode = attr_i(n, "qk_matmul_output_mode", 0);

	if (!float_type(q->dtype) || !float_type(v->dtype))
		return node_error(n, "element types %s / %s are not supported (float, double, "
				  "float16, bfloat16 are)", dt_name(q->dtype), dt_name(v->dtype));
	if (k->dtype != q->dtype)
		return node_error(n, "Q and K have different element types (%s and %s)",
				  dt_name(q->dtype), dt_name(k->dtype));
	if (compute_type(v->dtype) != compute_type(q->dtype))
		return node_error(n, "V's element type %s does not go with Q's %s",
				  dt_name(v->dtype), dt_name(q->dtype));
	if (mode < 0 || mode > 3)
		return node_error(n, "qk_matmul_output_mode is %lld, expected 0 to 3", (long long)mode);
	if (!np)
		return 0;
	if (n->version < 24)
		return node_error(n, "nonpad_kv_seqlen needs opset 24 or later");
	if (np->dtype != DT_INT64 || np->rank != 1 || np->dims[0] != a->nb)
		return node_error(n, "nonpad_kv_seqlen must be an int64 vector of %lld (batch size)",
				  (long long)a->nb);
	return 0;
}

/* Everything Attention checks; fills a. */
static int attn_shape(const Node *n, AttnShape *a)
{
	if (qkv_shape(n, a) != 0 || past_shape(n, a) != 0)
		return -1;
	a->t = a->past + a->skv;
	return check_mask(n, a) != 0 || check_rest(n, a) != 0 ? -1 : 0;
}

int attention_infer(Node *n)
{
	const Value *q = n->in[0];
	AttnShape a;
	int64_t y3[3], y4[4], pk[4], pv[4], qk[4];

	if (attn_shape(n, &a) != 0)
		return -1;
	y3[0] = y4[0] = pk[0] = pv[0] = qk[0] = a.nb;
	y3[1] = a.sq;
	y3[2] = a.qh * a.dv;
	y4[1] = qk[1] = a.qh;
	y4[2] = qk[2] = a.sq;
	y4[3] = a.dv;
	pk[1] = pv[1] = a.kvh;
	pk[2] = pv[2] = qk[3] = a.t;
	pk[3] = a.d;
	pv[3] = a.dv;
	if (set_out(n, 0, q->dtype, q->rank, q->rank == 3 ? y3 : y4) != 0 ||
	    set_out(n, 1, n->in[1]->dtype, 4, pk) != 0 ||
	    set_out(n, 2, n->in[2]->dtype, 4, pv) != 0)
		return -1;
	return set_out(n, 3, q->dtype, 4, qk);
}


/* K (which 0) or V (1) for the products: the input itself, or past and the
 * input concatenated along the sequence into present (or scratch).  Sets
 * *view and its (batch, head, sequence) strides; writes present when asked. */
static int kv_cache(Lower *L, const Node *n, const AttnShape *a, int which, Value **view,
		    int64_t *st)
{
	Value *x = n->in[1 + which], *past = node_in(n, 4 + which), *pres = node_out(n, 1 + which);
	int64_t hd = which ? a->dv : a->d, one[4], cst[4], pst[4], xst[4];

	memcpy(xst, which ? a->vs : a->ks, 3 * sizeof(int64_t));
	xst[3] = 1;
	cst[0] = a->kvh * a->t * hd;
	cst[1] = a->t * hd;
	cst[2] = hd;
	cst[3] = 1;
	one[0] = a->nb;
	one[1] = a->kvh;
	one[2] = a->skv;
	one[3] = hd;
	if (!past) {
		*view = x;
		memcpy(st, xst, 3 * sizeof(int64_t));
		return pres ? lower_strided(L, x, 0, pres, 0, 4, one, xst, cst) : 0;
	}
	if (!pres) {
		int64_t dims[4] = {a->nb, a->kvh, a->t, hd};
		pres = lower_temp(L, x->dtype, 4, dims);
	}
	pst[0] = a->kvh * a->past * hd;
	pst[1] = a->past * hd;
	pst[2] = hd;
	pst[3] = 1;
	one[2] = a->past;
	if (lower_strided(L, past, 0, pres, 0, 4, one, pst, cst) != 0)
		return -1;
	one[2] = a->skv;
	if (lower_strided(L, x, 0, pres, a->past * hd, 4, one, xst, cst) != 0)
		return -1;
	*view = pres;
	memcpy(st, cst, 3 * sizeof(int64_t));
	return 0;
}

/* One batched product Y = alpha A B (gemm of linalg.h): mnk, A's and B's
 * row / column strides, and batch dimensions (batch, kv head, group) with
 * A's and B's strides; size-1 batch dimensions are dropped. */
static int attn_gemm(Lower *L, Value *a, Value *b, Value *y, const int64_t *mnk,
		     const int64_t *rc, const int64_t *dims, const int64_t *sa, const int64_t *sb,
		     double alpha)
{
	int64_t kd[3], ka[3], kb[3];
	int d, r = 0;
	KCall *k;

	for (d = 0; d < 3; d++)
		if (dims[d] != 1) {
			kd[r] = dims[d];
			ka[r] = sa[d];
			kb[r++] = sb[d];
		}
	if (!(k = lower_callf(L, "%s_gemm__scalar", dt_short(y->dtype))))
		return -1;
	kcall_buf(k, a);
	kcall_buf(k, b);
	kcall_buf(k, y);
	kcall_ints(k, mnk, 3);
	kcall_ints(k, rc, 4);
	kcall_i(k, 0);	/* no C */
	kcall_i(k, 0);
	kcall_i(k, 0);
	kcall_i(k, r);
	kcall_ints(k, kd, r);
	kcall_ints(k, ka, r);
	kcall_ints(k, kb, r);
	kcall_f(k, alpha);
	kcall_f(k, 0.0);
	kcall_epilogue(k, NULL);
	return 0;
}

/* The mask as the kernel reads it: bool as is, anything else in type ct. */
static Value *mask_value(Lower *L, Value *m, int ct)
{
	Value *t;
	KCall *k;

	if (!m || m->dtype == DT_BOOL || m->dtype == ct)
		return m;
	t = lower_temp(L, ct, m->rank, m->dims);
	if (!(k = lower_callf(L, "%s_to_%s__scalar", dt_short(m->dtype), dt_short(ct))))
		return NULL;
	kcall_buf(k, m);
	kcall_buf(k, t);
	kcall_i(k, value_numel(m));
	return t;
}

/* Appends the mask's parameters {has_mask, mask_bool, mask_len, mb, mh, mi}:
 * its element strides against (batch, q heads, q sequence), 0 where broadcast. */
static void mask_params(KCall *k, const Value *m)
{
	int64_t st[3] = {0, 0, 0}, s;
	int d;

	if (!m) {
		int64_t none[6] = {0};
		kcall_ints(k, none, 6);
		return;
	}
	s = m->dims[m->rank - 1];
	for (d = m->rank - 2; d >= 0; d--) {
		int pos = 3 - (m->rank - 1) + d;
		if (m->dims[d] != 1)
			st[pos] = s;
		s *= m->dims[d];
	}
	kcall_i(k, 1);
	kcall_i(k, m->dtype == DT_BOOL);
	kcall_i(k, m->dims[m->rank - 1]);
	kcall_ints(k, st, 3);
}

/* The attnsoftmax call on the scores S, writing qk (may be NULL). */
static int attn_softmax(Lower *L, const Node *n, const AttnShape *a, Value *s, Value *m,
			Value *qk)
{
	Value *np = node_in(n, 6);
	int win = n->version >= 25;
	KCall *k;

	if (!(k = lower_callf(L, "%s_attnsoftmax__scalar", dt_short(s->dtype))))
		return -1;
	kcall_buf(k, s);
	if (m)
		kcall_buf(k, m);
	if (np)
		kcall_buf(k, np);
	if (qk)
		kcall_buf(k, qk);
	kcall_i(k, a->nb);
	kcall_i(k, a->qh);
	kcall_i(k, a->sq);
	kcall_i(k, a->t);
	mask_params(k, m);
	kcall_i(k, attr_i(n, "is_causal", 0) != 0);
	kcall_i(k, a->past);
	kcall_i(k, np != NULL);
	kcall_i(k, np != NULL && !node_in(n, 4));	/* offset from nonpad */
	kcall_i(k, win ? attr_i(n, "left_window_size", -1) : -1);
	kcall_i(k, win ? attr_i(n, "right_window_size", -1) : -1);
	kcall_i(k, qk ? attr_i(n, "qk_matmul_output_mode", 0) : -1);
	kcall_f(k, attr_f(n, "softcap", 0.0));
	return 0;
}

/* S = scale Q K^T, then the softmax stage (and the QK output). */
static int attn_scores(Lower *L, const Node *n, const AttnShape *a, Value *q, Value *k,
		       const int64_t *ks, Value *s)
{
	Value *qk = node_out(n, 3), *qkt = NULL, *m = node_in(n, 3);
	int64_t reps = a->qh / a->kvh;
	int64_t mnk[3] = {a->sq, a->t, a->d}, rc[4] = {a->qs[2], 1, 1, ks[2]};
	int64_t dims[3] = {a->nb, a->kvh, reps};
	int64_t sa[3] = {a->qs[0], a->qs[1] * reps, a->qs[1]}, sb[3] = {ks[0], ks[1], 0};
	double scale = node_attr(n, "scale") ? attr_f(n, "scale", 1.0) : 1.0 / sqrt((double)a->d);

	if (attn_gemm(L, q, k, s, mnk, rc, dims, sa, sb, scale) != 0)
		return -1;
	if (m && !(m = mask_value(L, m, s->dtype)))
		return -1;
	if (qk && !(qkt = half_out(L, qk)))
		return -1;
	if (attn_softmax(L, n, a, s, m, qkt) != 0)
		return -1;
	return qk ? narrow_half(L, qkt, qk) : 0;
}

/* Y = P V: straight into a 4-D Y, through scratch and a strided copy into a
 * 3-D one (batch, sequence, heads * dv). */
static int attn_output(Lower *L, const Node *n, const AttnShape *a, Value *p, Value *v,
		       const int64_t *vs)
{
	Value *y = n->out[0], *yt, *o;
	int64_t reps = a->qh / a->kvh;
	int64_t mnk[3] = {a->sq, a->dv, a->t}, rc[4] = {a->t, 1, vs[2], 1};
	int64_t dims[3] = {a->nb, a->kvh, reps}, pl = a->sq * a->t;
	int64_t sa[3] = {a->qh * pl, reps * pl, pl}, sb[3] = {vs[0], vs[1], 0};
	int64_t odims[4] = {a->nb, a->qh, a->sq, a->dv}, ost[4], yst[4];

	if (!(yt = half_out(L, y)))
		return -1;
	o = y->rank == 4 ? yt : lower_temp(L, p->dtype, 4, odims);
	if (attn_gemm(L, p, v, o, mnk, rc, dims, sa, sb, 1.0) != 0)
		return -1;
	if (y->rank == 3) {
		ost[0] = a->qh * a->sq * a->dv;
		ost[1] = a->sq * a->dv;
		ost[2] = a->dv;
		ost[3] = yst[3] = 1;
		yst[0] = a->sq * a->qh * a->dv;
		yst[1] = a->dv;
		yst[2] = a->qh * a->dv;
		if (lower_strided(L, o, 0, yt, 0, 4, odims, ost, yst) != 0)
			return -1;
	}
	return narrow_half(L, yt, y);
}

int attention_lower(Node *n, Lower *L)
{
	Value *q = n->in[0], *k, *v, *s, *qk = node_out(n, 3);
	AttnShape a;
	int64_t ks[3], vs[3], sdims[4];

	if (attn_shape(n, &a) != 0 || kv_cache(L, n, &a, 0, &k, ks) != 0 ||
	    kv_cache(L, n, &a, 1, &v, vs) != 0)
		return -1;
	if (value_numel(n->out[0]) == 0 && (!qk || value_numel(qk) == 0))
		return 0;
	if (widen_half(L, &q) != 0 || widen_half(L, &k) != 0 || widen_half(L, &v) != 0)
		return -1;
	sdims[0] = a.nb;
	sdims[1] = a.qh;
	sdims[2] = a.sq;
	sdims[3] = a.t;
	s = lower_temp(L, q->dtype, 4, sdims);
	if (value_numel(s) > 0 && attn_scores(L, n, &a, q, k, ks, s) != 0)
		return -1;
	if (value_numel(n->out[0]) == 0)
		return 0;
	return attn_output(L, n, &a, s, v, vs);
}

/* RotaryEmbedding ---------------------------------------------------------- */

/* The input as (batch, heads, sequence, head size) with X's strides, and the
 * rotated width. */
typedef struct RopeShape {
	int64_t nb, nh, ns, hd, rd;
	int64_t xs[3];
} RopeShape;

/* A cos / sin cache: (positions, rd / 2) with position ids, else (batch,
 * sequence, rd / 2) or (sequence, rd / 2) broadcast over the batch. */
static int check_cache(const Node *n, const Value *c, const RopeShape *r, const char *what)
{
	const Value *x = n->in[0];
	int d;

	if (c->dtype != x->dtype)
		return node_error(n, "%s has element type %s, expected %s", what, dt_name(c->dtype),
				  dt_name(x->dtype));
	if (c->rank < 2 || c->dims[c->rank - 1] != r->rd / 2)
		return node_error(n, "%s's last dimension must be rotary_embedding_dim / 2 = %lld",
				  what, (long long)(r->rd / 2));
	if (node_in(n, 3)) {
		if (c->rank != 2)
			return node_error(n, "%s must be 2-D with position_ids", what);
		return 0;
	}
	if (c->rank > 3)
		return node_error(n, "%s must be 2-D or 3-D without position_ids", what);
	for (d = 0; d < c->rank - 1; d++) {
		int64_t want = d == c->rank - 2 ? r->ns : r->nb;
		if (c->dims[d] != want && c->dims[d] != 1)
			return node_error(n, "%s's dimension %d is %lld, expected %lld", what, d,
					  (long long)c->dims[d], (long long)want);
	}
	return 0;
}

/* position_ids: int64 (batch, sequence), either may be 1. */
static int check_pos(const Node *n, const RopeShape *r)
{
	const Value *p = node_in(n, 3);

	if (!p)
		return 0;
	if (p->dtype != DT_INT64 || p->rank != 2 || (p->dims[0] != r->nb && p->dims[0] != 1) ||
	    (p->dims[1] != r->ns && p->dims[1] != 1))
		return node_error(n, "position_ids must be int64 (%lld, %lld)", (long long)r->nb,
				  (long long)r->ns);
	return 0;
}

static int rope_shape(const Node *n, RopeShape *r)
{
	const Value *x = n->in[0];
	int64_t heads = attr_i(n, "num_heads", 0);

	if (!float_type(x->dtype))
		return node_error(n, "element type %s is not supported (float, double, float16, "
				  "bfloat16 are)", dt_name(x->dtype));
	if (x->rank == 4) {
		r->nb = x->dims[0];
		r->nh = x->dims[1];
		r->ns = x->dims[2];
		r->hd = x->dims[3];
	} else if (x->rank == 3) {
		if (heads <= 0)
			return node_error(n, "a 3-D input needs a positive num_heads");
		if (x->dims[2] % heads != 0)
			return node_error(n, "hidden size %lld is not a multiple of num_heads %lld",
					  (long long)x->dims[2], (long long)heads);
		r->nb = x->dims[0];
		r->nh = heads;
		r->ns = x->dims[1];
		r->hd = x->dims[2] / heads;
	} else {
		return node_error(n, "input has rank %d, expected 3 or 4", x->rank);
	}
	head_strides(x, r->nh, r->hd, r->xs);
	r->rd = attr_i(n, "rotary_embedding_dim", 0);
	if (r->rd == 0)
		r->rd = r->hd;
	if (r->rd < 0 || r->rd > r->hd || r->rd % 2 != 0)
		return node_error(n, "rotary_embedding_dim %lld must be even and at most the head "
				  "size %lld", (long long)r->rd, (long long)r->hd);
	if (check_cache(n, n->in[1], r, "cos_cache") != 0 ||
	    check_cache(n, n->in[2], r, "sin_cache") != 0)
		return -1;
	if (!value_same_shape(n->in[1], n->in[2]))
		return node_error(n, "cos_cache and sin_cache have different shapes");
	return check_pos(n, r);
}

int rotary_infer(Node *n)
{
	Value *x = n->in[0];
	RopeShape r;

	if (rope_shape(n, &r) != 0)
		return -1;
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

/* Element strides {cb, cs} of a cache without position ids over (batch, sequence). */
static void cache_strides(const Value *c, int64_t *st)
{
	int64_t row = c->dims[c->rank - 1];

	st[0] = c->rank == 3 && c->dims[0] != 1 ? c->dims[1] * row : 0;
	st[1] = c->dims[c->rank - 2] != 1 ? row : 0;
}

int rotary_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *c = n->in[1], *s = n->in[2], *pos = node_in(n, 3), *y = n->out[0], *yt;
	RopeShape r;
	int64_t cst[2] = {0, 0}, pst[2] = {0, 0};
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (rope_shape(n, &r) != 0)
		return -1;
	if (pos) {
		pst[0] = pos->dims[0] != 1 ? pos->dims[1] : 0;
		pst[1] = pos->dims[1] != 1 ? 1 : 0;
	} else {
		cache_strides(c, cst);
	}
	if (widen_half(L, &x) != 0 || widen_half(L, &c) != 0 || widen_half(L, &s) != 0 ||
	    !(yt = half_out(L, y)) || !(k = lower_callf(L, "%s_rotary__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, c);
	kcall_buf(k, s);
	if (pos) {
		kcall_buf(k, pos);
		kcall_checks(k);
	}
	kcall_buf(k, yt);
	kcall_i(k, r.nb);
	kcall_i(k, r.nh);
	kcall_i(k, r.ns);
	kcall_i(k, r.hd);
	kcall_i(k, r.rd);
	kcall_i(k, attr_i(n, "interleaved", 0) != 0);
	kcall_i(k, pos != NULL);
	kcall_i(k, pos ? c->dims[0] : 0);
	kcall_ints(k, r.xs, 3);
	kcall_ints(k, cst, 2);
	kcall_ints(k, pst, 2);
	return narrow_half(L, yt, y);
}

/* FlexAttention (ai.onnx.preview): attention whose scores and probabilities pass
 * through optional subgraphs, expanded like the function ONNX defines for it:
 * Q and K scaled by sqrt(scale) each, Q.K^T in the input type, then score_mod,
 * Softmax, prob_mod and the product with V in softmax_precision. ------------ */

static Value *cast_to(Expand *c, Value *x, int dtype, Value *out)
{
	Node *m;

	if (x->dtype == dtype && !out)
		return x;
	m = expand_node(c, c->n->guard, x->dtype == dtype ? "Identity" : "Cast", &x, 1, out);
	if (x->dtype != dtype)
		node_add_attr(m, "to", AT_INT)->i = dtype;
	return expand_done(c, m);
}

/* A modifier subgraph: one rank-4 input, one output of the same type and shape. */
static Value *modify(Expand *c, const char *attr, Value *x)
{
	const Attr *a = node_attr(c->n, attr);
	Value *res[2] = {NULL, NULL};
	char tag[512];

	if (!a)
		return x;
	if (a->type != AT_GRAPH || !a->g || a->g->ninputs != 1 || a->g->noutputs != 1) {
		node_error(c->n, "attribute '%s' must be a graph of one input and one output", attr);
		return NULL;
	}
	snprintf(tag, sizeof tag, "%s/%s", c->n->name, attr);
	if (expand_clone(c, a->g, &x, 1, c->n->guard, tag, res) != 0)
		return NULL;
	if (res[0]->is_seq || res[0]->dtype != x->dtype || !value_same_shape(res[0], x)) {
		node_error(c->n, "subgraph '%s' must keep its input's type and shape", attr);
		return NULL;
	}
	return res[0];
}

int flexattn_infer(Node *n)
{
	Value *q = n->in[0], *k = n->in[1], *v = n->in[2], *in[2], *x = NULL;
	int64_t hq, hkv, group, i, *idx;
	int dt = q->dtype, sp, from, rc = 0;
	double scale;
	Node *m;
	Expand c;

	if (q->rank != 4 || k->rank != 4 || v->rank != 4)
		return node_error(n, "Q, K and V must have rank 4");
	if (!dt_is_float(dt) || k->dtype != dt || v->dtype != dt)
		return node_error(n, "Q, K and V must have one floating type");
	hq = q->dims[1];
	hkv = k->dims[1];
	if (hkv <= 0 || hq % hkv != 0 || v->dims[1] != hkv || k->dims[0] != q->dims[0] ||
	    v->dims[0] != q->dims[0] || k->dims[3] != q->dims[3] || v->dims[2] != k->dims[2])
		return node_error(n, "Q, K and V have incompatible shapes");
	sp = (int)attr_i(n, "softmax_precision", dt == DT_DOUBLE ? DT_DOUBLE : DT_FLOAT);
	if (sp != DT_FLOAT && sp != DT_DOUBLE && sp != DT_FLOAT16 && sp != DT_BFLOAT16)
		return node_error(n, "softmax_precision %d is not a floating type", sp);
	scale = attr_f(n, "scale", q->dims[3] > 0 ? 1.0 / sqrt((double)q->dims[3]) : 1.0);
	expand_start(&c, n, &from);
	/* GQA: query head h reads K/V head h / group. */
	group = hq / hkv;
	if (group > 1) {
		Value *ix = expand_value(&c, "heads");
		idx = xmalloc((hq + 1) * sizeof(int64_t));
		for (i = 0; i < hq; i++)
			idx[i] = i / group;
		value_set_shape(ix, DT_INT64, 1, &hq);
		value_set_const(ix, idx, 0);
		in[0] = k;
		in[1] = ix;
		k = expand_op(&c, n->guard, "Gather", in, 2, NULL, 1);
		in[0] = v;
		v = k ? expand_op(&c, n->guard, "Gather", in, 2, NULL, 1) : NULL;
		if (!v)
			return expand_finish(&c, from, -1);
	}
	{
		Value *s = expand_value(&c, "sqrt_scale");
		value_set_shape(s, dt, 0, NULL);
		value_set_const(s, scalar_of(dt, sqrt(scale)), 0);
		in[0] = q;
		in[1] = s;
		q = expand_op(&c, n->guard, "Mul", in, 2, NULL, NO_AXIS);
		in[0] = k;
		k = q ? expand_op(&c, n->guard, "Mul", in, 2, NULL, NO_AXIS) : NULL;
	}
	if (!k)
		return expand_finish(&c, from, -1);
	m = expand_node(&c, n->guard, "Transpose", &k, 1, NULL);
	{
		static const int64_t perm[] = {0, 1, 3, 2};
		Attr *a = node_add_attr(m, "perm", AT_INTS);
		a->n = 4;
		a->ints = memcpy(xmalloc(sizeof perm), perm, sizeof perm);
	}
	in[0] = q;
	if (!(in[1] = expand_done(&c, m)) || !(x = expand_op(&c, n->guard, "MatMul", in, 2, NULL, NO_AXIS)) ||
	    !(x = cast_to(&c, x, sp, NULL)) || !(x = modify(&c, "score_mod", x)) ||
	    !(x = expand_op(&c, n->guard, "Softmax", &x, 1, NULL, 3)) || !(x = modify(&c, "prob_mod", x)) ||
	    !(in[1] = cast_to(&c, v, sp, NULL)))
		rc = -1;
	in[0] = x;
	if (rc == 0 && !(x = expand_op(&c, n->guard, "MatMul", in, 2, sp == dt ? n->out[0] : NULL, NO_AXIS)))
		rc = -1;
	if (rc == 0 && sp != dt && !cast_to(&c, x, dt, n->out[0]))
		rc = -1;
	return expand_finish(&c, from, rc);
}

int flexattn_lower(Node *n, Lower *L)
{
	(void)L;
	die("FlexAttention '%s' was not expanded", n->name);
}
