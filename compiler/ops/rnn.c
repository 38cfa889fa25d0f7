/* rnn.c: recurrent and stateful sequence operators.
 *
 * RNN, GRU and LSTM (all opsets) lower to one kernel call each
 * (templates/rnn.h) that runs the whole recurrence, every direction and
 * batch entry, with the gate math in double; layout 1 is the kernel's
 * strides, float16 / bfloat16 operands are widened to float first.
 * LinearAttention and CausalConvWithState (opset 27), the recurrent state
 * updates of linear-attention and state-space models, are one call each, as
 * is TensorScatter (opset 24), the KV-cache write whose positions are
 * run-time data (checked). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ops_util.h"
#include "onnxcc_rt.h"
#include "rnn.h"

/* Inputs of the recurrent ops, in ONNX order (LSTM's last two). */
enum { RI_X, RI_W, RI_R, RI_B, RI_SEQ, RI_H0, RI_C0, RI_P };

/* A cell's gates and activation count (RNN, GRU, LSTM). */
typedef struct Cell {
	const char *aux, *kernel;
	int ng, nact;
	const char *defaults[3];
} Cell;

static const Cell cells[] = {
	{"rnn", "rnn", 1, 1, {"Tanh"}},
	{"gru", "gru", 3, 2, {"Sigmoid", "Tanh"}},
	{"lstm", "lstm", 4, 3, {"Sigmoid", "Tanh", "Tanh"}},
};

/* The sizes a recurrent node works with. */
typedef struct Rnn {
	const Cell *cell;
	int64_t ns, nb, ni, nh, ndir, reverse, layout;
} Rnn;

/* Activation spellings, in the order of ONNXCC_RNN_ACT_*: their default alpha
 * and beta, and whether they take them from the attribute lists. */
static const struct {
	const char *name;
	double alpha, beta;
	int takes_alpha, takes_beta;
} acts[] = {
	{"Relu", 0, 0, 0, 0},        {"Tanh", 0, 0, 0, 0},
	{"Sigmoid", 0, 0, 0, 0},     {"Affine", 1.0, 0.0, 1, 1},
	{"LeakyRelu", 0.01, 0, 1, 0}, {"ThresholdedRelu", 1.0, 0, 1, 0},
	{"ScaledTanh", 1.0, 1.0, 1, 1}, {"HardSigmoid", 0.2, 0.5, 1, 1},
	{"Elu", 1.0, 0, 1, 0},       {"Softsign", 0, 0, 0, 0},
	{"Softplus", 0, 0, 0, 0},
};

static const Cell *cell_of(const Node *n)
{
	size_t i;

	for (i = 0; i < sizeof cells / sizeof cells[0]; i++)
		if (strcmp(n->op->aux, cells[i].aux) == 0)
			return &cells[i];
	die("rnn: unknown cell '%s'", n->op->aux);
}

/* An optional input must have element type dt and the given shape. */
static int check_input(const Node *n, int i, const char *what, int dt, int rank,
		       const int64_t *dims)
{
	const Value *v = node_in(n, i);
	int d;

	if (!v)
		return 0;
	if (v->dtype != dt)
		return node_error(n, "%s has element type %s, expected %s", what, dt_name(v->dtype),
				  dt_name(dt));
	for (d = 0; d < rank && v->rank == rank; d++)
		if (v->dims[d] != dims[d])
			break;
	if (v->rank != rank || d < rank) {
		char buf[128];
		int o = 0;
		for (d = 0; d < rank; d++)
			o += snprintf(buf + o, sizeof buf - o, "%s%lld", d ? ", " : "",
				      (long long)dims[d]);
		return node_error(n, "%s must have shape (%s)", what, buf);
	}
	return 0;
}

/* direction and layout attributes. */
static int rnn_attrs(const Node *n, Rnn *r)
{
	const char *dir = attr_s(n, "direction", "forward");

	if (strcmp(dir, "forward") == 0 || strcmp(dir, "reverse") == 0) {
		r->ndir = 1;
		r->reverse = dir[0] == 'r';
	} else if (strcmp(dir, "bidirectional") == 0) {
		r->ndir = 2;
		r->reverse = 0;
	} else {
		return node_error(n, "direction '%s' is not forward, reverse or bidirectional", dir);
	}
	r->layout = n->version >= 14 ? attr_i(n, "layout", 0) : 0;
	if (r->layout != 0 && r->layout != 1)
		return node_error(n, "layout is %lld, expected 0 or 1", (long long)r->layout);
	if (node_attr(n, "clip") && attr_f(n, "clip", 0) < 0)
		return node_error(n, "clip must not be negative");
	return 0;
}

/* Sizes from X, W and R, and the optional inputs checked against them. */
static int rnn_shape(const Node *n, Rnn *r)
{
	const Value *x = n->in[RI_X], *w = n->in[RI_W];
	int64_t ng, want[3];
	int dt = x->dtype;

	r->cell = cell_of(n);
	ng = r->cell->ng;
	if (rnn_attrs(n, r) != 0)
		return -1;
	if (!dt_is_float(dt))
		return node_error(n, "element type %s is not supported (float, double, float16, "
				  "bfloat16 are)", dt_name(dt));
	if (x->rank != 3)
		return node_error(n, "X has rank %d, expected 3", x->rank);
	r->ns = x->dims[r->layout ? 1 : 0];
	r->nb = x->dims[r->layout ? 0 : 1];
	r->ni = x->dims[2];
	if (w->rank != 3 || w->dims[1] % ng != 0)
		return node_error(n, "W must be 3-D (num_directions, %lld * hidden_size, input_size)",
				  (long long)ng);
	r->nh = attr_i(n, "hidden_size", w->dims[1] / ng);
	if (r->nh < 0)
		return node_error(n, "hidden_size is negative");
	want[0] = r->ndir;
	want[1] = ng * r->nh;
	want[2] = r->ni;
	if (check_input(n, RI_W, "W", dt, 3, want) != 0)
		return -1;
	want[2] = r->nh;
	if (check_input(n, RI_R, "R", dt, 3, want) != 0)
		return -1;
	want[1] = 2 * ng * r->nh;
	if (check_input(n, RI_B, "B", dt, 2, want) != 0 ||
	    check_input(n, RI_SEQ, "sequence_lens", DT_INT32, 1, &r->nb) != 0)
		return -1;
	want[0] = r->layout ? r->nb : r->ndir;
	want[1] = r->layout ? r->ndir : r->nb;
	want[2] = r->nh;
	if (check_input(n, RI_H0, "initial_h", dt, 3, want) != 0)
		return -1;
	if (ng != 4)
		return 0;
	if (check_input(n, RI_C0, "initial_c", dt, 3, want) != 0)
		return -1;
	want[0] = r->ndir;
	want[1] = 3 * r->nh;
	return check_input(n, RI_P, "P", dt, 2, want);
}

/* The activations of both directions: kinds into k, alphas and betas into
 * al and be (ndir * nact each).  Alphas and betas are consumed, in list
 * order, by the functions that take them; a list for one direction serves
 * both. */
static int rnn_acts(const Node *n, const Rnn *r, int64_t *k, double *al, double *be)
{
	char *const *names = NULL;
	const Attr *aa = node_attr(n, "activation_alpha"), *ab = node_attr(n, "activation_beta");
	int nact = r->cell->nact, total = nact * (int)r->ndir, m, i, ia = 0, ib = 0;
	size_t j;

	m = attr_strings(n, "activations", &names, NULL);
	if (m >= 0 && m != nact && m != total)
		return node_error(n, "activations has %d names, expected %d", m, total);
	for (i = 0; i < total; i++) {
		const char *s = m > 0 ? names[i % m] : r->cell->defaults[i % nact];
		for (j = 0; j < sizeof acts / sizeof acts[0]; j++)
			if (strcasecmp(s, acts[j].name) == 0)
				break;
		if (j == sizeof acts / sizeof acts[0])
			return node_error(n, "activation '%s' is not supported", s);
		k[i] = (int64_t)j;
		al[i] = acts[j].alpha;
		be[i] = acts[j].beta;
		if (i >= m && m > 0) {	/* the second direction repeats the first */
			al[i] = al[i - m];
			be[i] = be[i - m];
			continue;
		}
		if (acts[j].takes_alpha && aa && aa->type == AT_FLOATS && ia < aa->n)
			al[i] = aa->floats[ia++];
		if (acts[j].takes_beta && ab && ab->type == AT_FLOATS && ib < ab->n)
			be[i] = ab->floats[ib++];
	}
	return 0;
}

int rnn_infer(Node *n)
{
	int dt = n->in[RI_X]->dtype;
	int64_t y[4], yh[3], kinds[6];
	double al[6], be[6];
	Rnn r;

	if (rnn_shape(n, &r) != 0 || rnn_acts(n, &r, kinds, al, be) != 0)
		return -1;
	if (r.layout) {
		y[0] = yh[0] = r.nb;
		y[1] = r.ns;
		y[2] = yh[1] = r.ndir;
	} else {
		y[0] = r.ns;
		y[1] = yh[0] = r.ndir;
		y[2] = yh[1] = r.nb;
	}
	y[3] = yh[2] = r.nh;
	if (set_out(n, 0, dt, 4, y) != 0 || set_out(n, 1, dt, 3, yh) != 0)
		return -1;
	return set_out(n, 2, dt, 3, yh);
}

/* Element strides of X, Y and the states for the layout. */
static void rnn_strides(const Rnn *r, int64_t *st)
{
	if (r->layout) {
		st[0] = r->ni;                          /* xt */
		st[1] = r->ns * r->ni;                  /* xb */
		st[2] = r->ndir * r->nh;                /* yt */
		st[3] = r->nh;                          /* yd */
		st[4] = r->ns * r->ndir * r->nh;        /* yb */
		st[5] = r->nh;                          /* sd */
		st[6] = r->ndir * r->nh;                /* sb */
	} else {
		st[0] = r->nb * r->ni;
		st[1] = r->ni;
		st[2] = r->ndir * r->nb * r->nh;
		st[3] = r->nb * r->nh;
		st[4] = r->nh;
		st[5] = r->nb * r->nh;
		st[6] = r->nh;
	}
}

/* The flags and integer parameters of the kernel call. */
static void rnn_params(const Node *n, const Rnn *r, KCall *k, int64_t fl, const int64_t *kinds)
{
	int64_t st[7];

	if (node_attr(n, "clip"))
		fl |= ONNXCC_RNN_CLIP;
	if ((r->cell->ng == 3 && n->version >= 3 && attr_i(n, "linear_before_reset", 0) != 0) ||
	    (r->cell->ng == 4 && attr_i(n, "input_forget", 0) != 0))
		fl |= ONNXCC_RNN_LBR;
	rnn_strides(r, st);
	kcall_i(k, r->ns);
	kcall_i(k, r->nb);
	kcall_i(k, r->ni);
	kcall_i(k, r->nh);
	kcall_i(k, r->ndir);
	kcall_i(k, r->reverse);
	kcall_i(k, fl);
	kcall_ints(k, st, 7);
	kcall_i(k, r->cell->nact);
	kcall_ints(k, kinds, r->cell->nact * (int)r->ndir);
	/* the rows of X (and of the projections) a step and a batch entry apart */
	kcall_i(k, r->ni ? st[0] / r->ni : 0);
	kcall_i(k, r->ni ? st[1] / r->ni : 0);
}

int rnn_lower(Node *n, Lower *L)
{
	/* The flag of each buffer after X, W, R: inputs B to P, outputs Y to Y_c. */
	static const int64_t bits[] = {
		ONNXCC_RNN_HAS_B, ONNXCC_RNN_HAS_SEQ, ONNXCC_RNN_HAS_H0, ONNXCC_RNN_HAS_C0,
		ONNXCC_RNN_HAS_P, ONNXCC_RNN_HAS_Y, ONNXCC_RNN_HAS_YH, ONNXCC_RNN_HAS_YC,
	};
	Value *v[RI_P + 4] = {0}, *tmp, *gx = NULL;
	int64_t kinds[6], fl = 0, tdim;
	double al[6], be[6];
	int i, nact;
	KCall *k;
	Rnn r;

	if (rnn_shape(n, &r) != 0 || rnn_acts(n, &r, kinds, al, be) != 0)
		return -1;
	for (i = 0; i < 3; i++)
		v[RI_P + 1 + i] = node_out(n, i);
	if (!v[RI_P + 1] && !v[RI_P + 2] && !v[RI_P + 3])
		return 0;
	for (i = 0; i <= RI_P; i++)
		if ((v[i] = node_in(n, i)) && widen_half(L, &v[i]) != 0)
			return -1;
	for (i = RI_P + 1; i < RI_P + 4; i++)
		if (v[i] && !(v[i] = half_out(L, v[i])))
			return -1;
	/* float32 on a target with a fast GEMM: the input projections W x of
	 * every step, direction and batch entry first, as one product of X's
	 * rows by all of W (ndir G nh rows), then the kernel */
	if (v[RI_X]->dtype == DT_FLOAT && gemm_isa(L->cpu) && r.ni > 0) {
		int64_t pd[2];
		pd[0] = r.ns * r.nb;
		pd[1] = r.ndir * r.cell->ng * r.nh;
		gx = lower_temp(L, DT_FLOAT, 2, pd);
		if (lower_matmul_plain(L, v[RI_X], v[RI_W], gx, pd[0], pd[1], r.ni, 1) != 0)
			return -1;
		fl |= ONNXCC_RNN_GX;
	}
	if (!(k = lower_callf(L, "%s_%s__scalar", dt_short(v[RI_X]->dtype), r.cell->kernel)))
		return -1;
	for (i = 0; i < RI_P + 4; i++)
		if (v[i]) {
			kcall_buf(k, v[i]);
			fl |= i > RI_R ? bits[i - RI_B] : 0;
		}
	if (gx)
		kcall_buf(k, gx);
	/* templates/rnn.h: the projections of one step with gx, else of all */
	tdim = (r.cell->ng + 5 + (gx ? 1 : r.ns) * r.cell->ng) * r.nh;
	tmp = lower_temp(L, DT_DOUBLE, 1, &tdim);
	kcall_buf(k, tmp);
	if (fl & ONNXCC_RNN_HAS_SEQ)
		kcall_checks(k);
	rnn_params(n, &r, k, fl, kinds);
	nact = r.cell->nact * (int)r.ndir;
	kcall_f(k, attr_f(n, "clip", 0.0));
	for (i = 0; i < nact; i++)
		kcall_f(k, al[i]);
	for (i = 0; i < nact; i++)
		kcall_f(k, be[i]);
	for (i = 0; i < 3; i++)
		if (v[RI_P + 1 + i] && narrow_half(L, v[RI_P + 1 + i], n->out[i]) != 0)
			return -1;
	return 0;
}

/* LinearAttention ---------------------------------------------------------- */

/* Heads and sizes of a LinearAttention node. */
typedef struct LinAttn {
	int64_t nb, nt, hq, hkv, dk, dv, gated, delta, dlen, blen;
} LinAttn;

/* The element types: activations T and state S (past_state's, else T's). */
static int linattn_types(const Node *n, int *ct)
{
	const Value *q = n->in[0], *ps = node_in(n, 3);
	int i, t = q->dtype, half = t == DT_FLOAT16 || t == DT_BFLOAT16;

	if (t != DT_FLOAT && t != DT_DOUBLE && !half)
		return node_error(n, "element type %s is not supported (float, float16, bfloat16 are)",
				  dt_name(t));
	for (i = 1; i < n->nin; i++)
		if (i != 3 && n->in[i] && n->in[i]->dtype != t)
			return node_error(n, "input %d has element type %s, expected %s", i,
					  dt_name(n->in[i]->dtype), dt_name(t));
	*ct = t == DT_DOUBLE ? DT_DOUBLE : DT_FLOAT;
	if (ps && ps->dtype != t && (t == DT_DOUBLE || ps->dtype == DT_DOUBLE ||
				     !dt_is_float(ps->dtype)))
		return node_error(n, "past_state has element type %s, which does not go with %s",
				  dt_name(ps->dtype), dt_name(t));
	return 0;
}

/* A 3-D (nb, nt, heads * size) input: its size per head. */
static int packed(const Node *n, const Value *v, const char *what, int64_t nb, int64_t nt,
		  int64_t heads, int64_t *size)
{
	if (v->rank != 3 || v->dims[0] != nb || v->dims[1] != nt)
		return node_error(n, "%s must be 3-D (%lld, %lld, heads * size)", what, (long long)nb,
				  (long long)nt);
	if (v->dims[2] % heads != 0)
		return node_error(n, "%s's last dimension %lld is not a multiple of %lld heads", what,
				  (long long)v->dims[2], (long long)heads);
	*size = v->dims[2] / heads;
	return 0;
}

/* The update rule's decay and beta inputs. */
static int linattn_gates(const Node *n, LinAttn *a)
{
	const char *rule = attr_s(n, "update_rule", "gated_delta");
	const Value *g = node_in(n, 4), *b = node_in(n, 5);

	if (strcmp(rule, "linear") && strcmp(rule, "gated") && strcmp(rule, "delta") &&
	    strcmp(rule, "gated_delta"))
		return node_error(n, "update_rule '%s' is not supported", rule);
	a->gated = strncmp(rule, "gated", 5) == 0;
	a->delta = strstr(rule, "delta") != NULL;
	if (a->gated != (g != NULL) || a->delta != (b != NULL))
		return node_error(n, "update_rule '%s' %s decay and %s beta", rule,
				  a->gated ? "needs" : "takes no", a->delta ? "needs" : "takes no");
	if (g) {
		if (packed(n, g, "decay", a->nb, a->nt, 1, &a->dlen) != 0)
			return -1;
		if (a->dlen != a->hkv && a->dlen != a->hkv * a->dk)
			return node_error(n, "decay's last dimension must be kv_num_heads (%lld) or "
					  "kv_num_heads * d_k (%lld)", (long long)a->hkv,
					  (long long)(a->hkv * a->dk));
	}
	if (b) {
		if (packed(n, b, "beta", a->nb, a->nt, 1, &a->blen) != 0)
			return -1;
		if (a->blen != a->hkv && a->blen != 1)
			return node_error(n, "beta's last dimension must be kv_num_heads (%lld) or 1",
					  (long long)a->hkv);
	}
	return 0;
}

static int linattn_shape(const Node *n, LinAttn *a)
{
	const Value *q = n->in[0], *ps = node_in(n, 3);
	int64_t dk2, want[4];
	int ct, d;

	memset(a, 0, sizeof *a);
	a->hq = attr_i(n, "q_num_heads", 0);
	a->hkv = attr_i(n, "kv_num_heads", 0);
	if (a->hq <= 0 || a->hkv <= 0 || a->hq % a->hkv != 0)
		return node_error(n, "q_num_heads (%lld) must be a positive multiple of kv_num_heads "
				  "(%lld)", (long long)a->hq, (long long)a->hkv);
	if (linattn_types(n, &ct) != 0)
		return -1;
	if (q->rank != 3)
		return node_error(n, "query has rank %d, expected 3", q->rank);
	a->nb = q->dims[0];
	a->nt = q->dims[1];
	if (packed(n, q, "query", a->nb, a->nt, a->hq, &a->dk) != 0 ||
	    packed(n, n->in[1], "key", a->nb, a->nt, a->hkv, &dk2) != 0 ||
	    packed(n, n->in[2], "value", a->nb, a->nt, a->hkv, &a->dv) != 0)
		return -1;
	if (dk2 != a->dk)
		return node_error(n, "key's head size %lld differs from query's %lld", (long long)dk2,
				  (long long)a->dk);
	want[0] = a->nb;
	want[1] = a->hkv;
	want[2] = a->dk;
	want[3] = a->dv;
	for (d = 0; ps && d < 4; d++)
		if (ps->rank != 4 || ps->dims[d] != want[d])
			return node_error(n, "past_state must have shape (%lld, %lld, %lld, %lld)",
					  (long long)want[0], (long long)want[1], (long long)want[2],
					  (long long)want[3]);
	return linattn_gates(n, a);
}

int linattn_infer(Node *n)
{
	const Value *q = n->in[0], *ps = node_in(n, 3);
	int64_t y[3], s[4];
	LinAttn a;

	if (linattn_shape(n, &a) != 0)
		return -1;
	y[0] = s[0] = a.nb;
	y[1] = a.nt;
	y[2] = a.hq * a.dv;
	s[1] = a.hkv;
	s[2] = a.dk;
	s[3] = a.dv;
	if (set_out(n, 0, q->dtype, 3, y) != 0)
		return -1;
	return set_out(n, 1, ps ? ps->dtype : q->dtype, 4, s);
}

int linattn_lower(Node *n, Lower *L)
{
	Value *in[6], *y = n->out[0], *ps = node_out(n, 1), *yt, *st;
	int64_t sdims[4];
	double scale = attr_f(n, "scale", 0.0);
	LinAttn a;
	KCall *k;
	int i, ct;

	if (linattn_shape(n, &a) != 0 || linattn_types(n, &ct) != 0)
		return -1;
	for (i = 0; i < 6; i++)
		if ((in[i] = node_in(n, i)) && in[i]->dtype != ct) {
			Value *t = lower_temp(L, ct, in[i]->rank, in[i]->dims);
			if (!(k = lower_callf(L, "%s_to_%s__scalar", dt_short(in[i]->dtype),
					      dt_short(ct))))
				return -1;
			kcall_buf(k, in[i]);
			kcall_buf(k, t);
			kcall_i(k, value_numel(t));
			in[i] = t;
		}
	sdims[0] = a.nb;
	sdims[1] = a.hkv;
	sdims[2] = a.dk;
	sdims[3] = a.dv;
	if (!(yt = half_out(L, y)))
		return -1;
	st = ps && ps->dtype == ct ? ps : lower_temp(L, ct, 4, sdims);
	if (!(k = lower_callf(L, "%s_linattn__scalar", dt_short(ct))))
		return -1;
	for (i = 0; i < 6; i++)
		if (in[i])
			kcall_buf(k, in[i]);
	kcall_buf(k, yt);
	kcall_buf(k, st);
	kcall_i(k, a.nb);
	kcall_i(k, a.nt);
	kcall_i(k, a.hq);
	kcall_i(k, a.hkv);
	kcall_i(k, a.dk);
	kcall_i(k, a.dv);
	kcall_i(k, a.gated);
	kcall_i(k, a.delta);
	kcall_i(k, in[3] != NULL);
	kcall_i(k, a.dlen);
	kcall_i(k, a.blen);
	kcall_f(k, scale != 0.0 ? scale : 1.0 / sqrt((double)a.dk));
	if (narrow_half(L, yt, y) != 0)
		return -1;
	if (ps && st != ps) {
		if (!(k = lower_callf(L, "%s_to_%s__scalar", dt_short(ct), dt_short(ps->dtype))))
			return -1;
		kcall_buf(k, st);
		kcall_buf(k, ps);
		kcall_i(k, value_numel(ps));
	}
	return 0;
}

/* CausalConvWithState ------------------------------------------------------ */

static int causalconv_shape(const Node *n, int64_t *nb, int64_t *nc, int64_t *nl, int64_t *kk)
{
	const Value *x = n->in[0], *w = n->in[1];
	const char *act = attr_s(n, "activation", "none");
	int64_t want[3];
	int dt = x->dtype;

	if (dt != DT_FLOAT && dt != DT_DOUBLE && dt != DT_FLOAT16 && dt != DT_BFLOAT16)
		return node_error(n, "element type %s is not supported (float, float16, bfloat16 are)",
				  dt_name(dt));
	if (strcmp(act, "none") && strcmp(act, "silu") && strcmp(act, "swish"))
		return node_error(n, "activation '%s' is not none, silu or swish", act);
	if (x->rank != 3)
		return node_error(n, "input has rank %d, expected 3", x->rank);
	*nb = x->dims[0];
	*nc = x->dims[1];
	*nl = x->dims[2];
	if (w->rank != 3 || w->dims[2] < 1)
		return node_error(n, "weight must be 3-D (channels, 1, k) with k >= 1");
	*kk = w->dims[2];
	want[0] = *nc;
	want[1] = 1;
	want[2] = *kk;
	if (check_input(n, 1, "weight", dt, 3, want) != 0 ||
	    check_input(n, 2, "bias", dt, 1, nc) != 0)
		return -1;
	want[0] = *nb;
	want[1] = *nc;
	want[2] = *kk - 1;
	return check_input(n, 3, "past_state", dt, 3, want);
}

int causalconv_infer(Node *n)
{
	const Value *x = n->in[0];
	int64_t nb, nc, nl, kk, st[3];

	if (causalconv_shape(n, &nb, &nc, &nl, &kk) != 0)
		return -1;
	st[0] = nb;
	st[1] = nc;
	st[2] = kk - 1;
	if (set_out(n, 0, x->dtype, 3, x->dims) != 0)
		return -1;
	return set_out(n, 1, x->dtype, 3, st);
}

int causalconv_lower(Node *n, Lower *L)
{
	Value *in[4], *y = n->out[0], *ps = node_out(n, 1), *yt, *pt = NULL;
	int64_t nb, nc, nl, kk;
	KCall *k;
	int i;

	if (causalconv_shape(n, &nb, &nc, &nl, &kk) != 0)
		return -1;
	for (i = 0; i < 4; i++)
		if ((in[i] = node_in(n, i)) && widen_half(L, &in[i]) != 0)
			return -1;
	if (!(yt = half_out(L, y)) || (ps && !(pt = half_out(L, ps))))
		return -1;
	if (!(k = lower_callf(L, "%s_causalconv__scalar", dt_short(in[0]->dtype))))
		return -1;
	for (i = 0; i < 4; i++)
		if (in[i])
			kcall_buf(k, in[i]);
	kcall_buf(k, yt);
	if (pt)
		kcall_buf(k, pt);
	kcall_i(k, nb);
	kcall_i(k, nc);
	kcall_i(k, nl);
	kcall_i(k, kk);
	kcall_i(k, in[2] != NULL);
	kcall_i(k, in[3] != NULL);
	kcall_i(k, strcmp(attr_s(n, "activation", "none"), "none") != 0);
	if (narrow_half(L, yt, y) != 0)
		return -1;
	return pt ? narrow_half(L, pt, ps) : 0;
}

/* TensorScatter ------------------------------------------------------------ */

/* The sequence axis; update's shape is past_cache's but along it. */
static int tensorscatter_axis(const Node *n, int64_t *axis)
{
	const Value *x = n->in[0], *u = n->in[1], *wi = node_in(n, 2);
	const char *mode = attr_s(n, "mode", "linear");
	int s = dt_size(x->dtype), d;

	if (x->dtype == DT_STRING || (s != 1 && s != 2 && s != 4 && s != 8))
		return node_error(n, "element type %s is not supported", dt_name(x->dtype));
	if (strcmp(mode, "linear") != 0 && strcmp(mode, "circular") != 0)
		return node_error(n, "mode '%s' is not linear or circular", mode);
	if (x->rank < 2 || norm_axis(n, attr_i(n, "axis", -2), x->rank, axis) != 0)
		return x->rank < 2 ? node_error(n, "past_cache has rank %d, expected at least 2",
						x->rank) : -1;
	if (*axis == 0)
		return node_error(n, "axis must not be the batch dimension");
	if (u->dtype != x->dtype || u->rank != x->rank)
		return node_error(n, "update must have past_cache's element type and rank");
	for (d = 0; d < x->rank; d++)
		if (d == *axis ? u->dims[d] > x->dims[d] : u->dims[d] != x->dims[d])
			return node_error(n, "update's dimension %d is %lld, expected %s%lld", d,
					  (long long)u->dims[d], d == *axis ? "at most " : "",
					  (long long)x->dims[d]);
	if (wi && (wi->dtype != DT_INT64 || wi->rank != 1 || wi->dims[0] != x->dims[0]))
		return node_error(n, "write_indices must be an int64 vector of %lld (batch size)",
				  (long long)x->dims[0]);
	return 0;
}

int tensorscatter_infer(Node *n)
{
	const Value *x = n->in[0];
	int64_t axis;

	if (tensorscatter_axis(n, &axis) != 0)
		return -1;
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

int tensorscatter_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *u = n->in[1], *wi = node_in(n, 2), *y = n->out[0];
	int64_t axis, pre = 1, inner = 1;
	KCall *k;
	int d;

	if (tensorscatter_axis(n, &axis) != 0)
		return -1;
	if (value_numel(y) == 0)
		return 0;
	for (d = 1; d < axis; d++)
		pre *= x->dims[d];
	for (d = (int)axis + 1; d < x->rank; d++)
		inner *= x->dims[d];
	if (!(k = lower_callf(L, "%s_tensorscatter__scalar", width_prefix(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, u);
	if (wi)
		kcall_buf(k, wi);
	kcall_buf(k, y);
	kcall_checks(k);
	kcall_i(k, x->dims[0]);
	kcall_i(k, pre);
	kcall_i(k, x->dims[axis]);
	kcall_i(k, u->dims[axis]);
	kcall_i(k, inner);
	kcall_i(k, strcmp(attr_s(n, "mode", "linear"), "circular") == 0);
	kcall_i(k, wi != NULL);
	return 0;
}
