/* fuse.c: graph rewrites before lowering, at -O1 and above (pass_opt_level).
 *
 *  - Transpose(Transpose(x, p1), p2) reads x with the composed permutation;
 *    an identity becomes Identity (a view: no copy).
 *  - Slice(Slice(x)) with constant lists and positive steps reads x once,
 *    with the composed starts and steps (one strided copy instead of two).
 *  - BatchNormalization in inference mode, with constant parameters, after a
 *    Conv or Gemm with constant weights (and bias), is folded into new weights
 *    and bias, computed in double and rounded to float once.
 *  - Epilogues (float32): a Conv, Gemm or MatMul whose output goes only to
 *    the next node of the chain takes in turn a bias Add (Conv: per channel,
 *    into its bias; MatMul and Gemm without C: as C, along the last axis), a
 *    residual Add (or Sum of two) of a tensor shaped as the output (it
 *    becomes input 3) and one
 *    activation (Node.epi_act: Relu, LeakyRelu, Clip with constant bounds,
 *    Sigmoid, HardSigmoid, HardSwish, Gelu, Tanh, Elu, and SiLU as
 *    Mul(x, Sigmoid(x))), which the GEMM applies to each finished tile
 *    (templates/linalg.h, ONNXCC_GEMM_EPI).  The fused node takes the place
 *    of the chain's last node, whose output it now makes; Node.fused names
 *    the merged nodes for --report.  A float16 or bfloat16 Conv takes only a
 *    Relu or Clip, the activations that commute with rounding its output.
 *
 *  - Mul and Add by per-channel constants after an inference
 *    BatchNormalization fold into its scale and bias (before the Conv
 *    folding, so Conv + BatchNormalization + Mul + Add + Relu is one node);
 *    a BatchNormalization left over takes a Relu after it.
 *  - Last, chains of float32 elementwise nodes left become one EwChain node
 *    (fuse_ew.c).
 *
 * Only nodes under the same guard are merged.  The nodes left unused go
 * (pass_dce) at the end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "passes.h"
#include "fuse.h"

/* Activation kinds: templates/linalg.h's ONNXCC_ACT_*. */
enum { ACT_NONE, ACT_RELU, ACT_LEAKYRELU, ACT_CLIP, ACT_SIGMOID, ACT_HARDSIGMOID,
       ACT_HARDSWISH, ACT_GELU, ACT_SILU, ACT_TANH, ACT_ELU };

int pass_opt_level = 2;

/* Elements of a splat Conv weight that BatchNormalization folding may expand. */
#define BN_SPLAT_MAX ((int64_t)1 << 20)

static int is_op(const Node *n, const char *op)
{
	return n && !n->dead && n->op && strcmp(n->op_type, op) == 0 && !*n->domain;
}

void fuse_count_uses(Fuse *f)
{
	Graph *g = f->g;
	int i, j;
	const Guard *gd;

	free(f->uses);
	free(f->first);
	free(f->last);
	free(f->pos);
	f->uses = xcalloc(g->nvalues, sizeof(int));
	f->first = xcalloc(g->nvalues, sizeof(Node *));
	f->last = xcalloc(g->nvalues, sizeof(Node *));
	f->pos = xmalloc(g->nvalues * sizeof(int));
	for (i = 0; i < g->nvalues; i++)
		f->pos[i] = -1;
	for (i = 0; i < g->noutputs; i++)
		f->uses[g->outputs[i]->id] += 1000;
	for (i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead)
			continue;
		for (j = 0; j < n->nout; j++)
			if (n->out[j])
				f->pos[n->out[j]->id] = i;
		for (j = 0; j < n->nin; j++) {
			Value *v = n->in[j];
			if (!v)
				continue;
			f->uses[v->id]++;
			if (!f->first[v->id])
				f->first[v->id] = n;
			f->last[v->id] = n;
		}
		for (j = 0; j < n->ncaps; j++)
			f->uses[n->caps[j]->id] += 1000;
		for (gd = n->guard; gd; gd = gd->up)
			f->uses[gd->cond->id] += 1000;
	}
	/* a sequence's elements are read through it */
	for (i = 0; i < g->nvalues; i++)
		for (j = 0; g->values[i]->is_seq && j < g->values[i]->nelems; j++)
			f->uses[g->values[i]->elems[j]->id] += 1000;
}

/* The one node reading v (under guard gd), or NULL. */
Node *fuse_sole_user(const Fuse *f, const Value *v, const Guard *gd)
{
	Node *n = f->uses[v->id] == 1 ? f->last[v->id] : NULL;

	return n && n->guard == gd ? n : NULL;
}

/* "Conv(name)": how --report names a node. */
char *fuse_node_label(const Node *n)
{
	char *s = xmalloc(strlen(n->op_type) + strlen(n->name) + 3);

	sprintf(s, *n->name ? "%s(%s)" : "%s", n->op_type, n->name);
	return s;
}

static void note_fused(Node *p, const Node *n)
{
	char *a = p->fused ? p->fused : fuse_node_label(p), *b = fuse_node_label(n);
	char *s = xmalloc(strlen(a) + strlen(b) + 4);

	sprintf(s, "%s + %s", a, b);
	free(a);
	free(b);
	p->fused = s;
}

/* A new constant of type dtype named after `like`, holding data (malloc'd). */
static Value *new_value(Graph *g, const Value *like, const char *suffix, int dtype, int rank,
			const int64_t *dims, void *data)
{
	char *name = xmalloc(strlen(like->name) + strlen(suffix) + 24);
	Value *v;

	sprintf(name, "%s%s_%d", like->name, suffix, g->nvalues);	/* unique */
	v = graph_value(g, name);
	free(name);
	if (value_set_shape(v, dtype, rank, dims) != 0)
		die("fuse: cannot shape %s", v->name);
	value_set_const(v, data, 0);
	return v;
}

/* A new float constant named after `like`. */
static Value *new_const(Graph *g, const Value *like, const char *suffix, int rank,
			const int64_t *dims, float *data)
{
	return new_value(g, like, suffix, DT_FLOAT, rank, dims, data);
}

/* A constant float parameter vector of m elements (or a single one). */
static int const_vec(const Value *v, int64_t m)
{
	return v && v->data && v->rank >= 0 && (value_numel(v) == m || v->is_splat) &&
	       dt_is_float(v->dtype);
}

/* A constant holding one value, whatever its shape. */
static int splat_like(const Value *v)
{
	return v->is_splat || value_numel(v) == 1;
}

static int outputs_unused(const Fuse *f, const Node *n)
{
	int j;

	for (j = 1; j < n->nout; j++)
		if (n->out[j] && f->uses[n->out[j]->id])
			return 0;
	return 1;
}

/* BatchNormalization bn after Conv p: new weights and bias. */
static int fold_bn(Fuse *f, Node *p, Node *bn)
{
	Value *w = p->in[1], *b = node_in(p, 2), *y = p->out[0];
	Value *sc = bn->in[1], *bb = bn->in[2], *mean = bn->in[3], *var = bn->in[4];
	int64_t m = w->dims[0], per, o, i;
	int splat;
	double eps = attr_f(bn, "epsilon", 1e-5);
	float *nw, *nb;

	if (bn->nin != 5 || bn->in[0] != y || !outputs_unused(f, bn) ||
	    attr_i(bn, "training_mode", 0) != 0 || (bn->version < 9 && attr_i(bn, "spatial", 1) != 1) ||
	    (bn->version < 7 && !attr_i(bn, "is_test", 0) && bn->nout > 1) ||
	    !w->data || w->dtype != DT_FLOAT || (b && (!b->data || b->dtype != DT_FLOAT)) ||
	    y->rank < 2 || y->dims[1] != m || !const_vec(sc, m) || !const_vec(bb, m) ||
	    !const_vec(mean, m) || !const_vec(var, m) || bn->out[0]->dtype != DT_FLOAT)
		return 0;
	/* a splat weight (ConstantOfShape) stays one, if the scale is uniform too;
	 * else only a small one is materialized */
	splat = w->is_splat && splat_like(sc) && splat_like(var);
	if (w->is_splat && !splat && value_numel(w) > BN_SPLAT_MAX)
		return 0;
	per = value_numel(w) / (m ? m : 1);
	nw = xmalloc((size_t)(splat || value_numel(w) < 1 ? 1 : value_numel(w)) * sizeof(float));
	nb = xmalloc((size_t)(m > 0 ? m : 1) * sizeof(float));
	for (o = 0; o < m; o++) {
		double k = const_f64(sc, sc->is_splat ? 0 : o) /
			   sqrt(const_f64(var, var->is_splat ? 0 : o) + eps);
		double b0 = b ? const_f64(b, b->is_splat ? 0 : o) : 0.0;
		for (i = 0; i < (splat ? (o == 0) : per); i++)
			nw[o * per + i] = (float)(const_f64(w, w->is_splat ? 0 : o * per + i) * k);
		nb[o] = (float)((b0 - const_f64(mean, mean->is_splat ? 0 : o)) * k +
				const_f64(bb, bb->is_splat ? 0 : o));
	}
	p->in[1] = new_const(f->g, w, "_bn", w->rank, w->dims, nw);
	if (splat)
		p->in[1]->is_splat = 1;
	b = new_const(f->g, w, "_bn_bias", 1, &m, nb);
	if (p->nin < 3)
		node_add_input(p, b);
	else
		p->in[2] = b;
	return 1;
}

/* BatchNormalization bn after Gemm p (y is M x N, N channels): op(B)'s columns
 * scaled, C' = (beta C - mean) k + bias (N, or M x N if C varies along rows),
 * beta 1.  B must be a constant (not a large splat). */
static int fold_bn_gemm(Fuse *f, Node *p, Node *bn)
{
	Value *w = p->in[1], *c = node_in(p, 2), *y = p->out[0];
	Value *sc = bn->in[1], *bb = bn->in[2], *mean = bn->in[3], *var = bn->in[4];
	int tb = attr_i(p, "transB", 0) != 0;
	double beta = attr_f(p, "beta", 1.0), eps = attr_f(bn, "epsilon", 1e-5), *k;
	int64_t n, rows, cd[2], r, j, i;
	float *nw, *nc;
	Attr *ab;

	if (bn->nin != 5 || bn->in[0] != y || !outputs_unused(f, bn) || y->rank != 2 ||
	    attr_i(bn, "training_mode", 0) != 0 || (bn->version < 9 && attr_i(bn, "spatial", 1) != 1) ||
	    (bn->version < 7 && !attr_i(bn, "is_test", 0) && bn->nout > 1) ||
	    !w->data || w->dtype != DT_FLOAT || w->rank != 2 ||
	    (w->is_splat && value_numel(w) > BN_SPLAT_MAX) || bn->out[0]->dtype != DT_FLOAT)
		return 0;
	n = y->dims[1];
	if (beta == 0)
		c = NULL;
	if (c && (!c->data || c->dtype != DT_FLOAT || c->rank > 2))
		return 0;
	if (!const_vec(sc, n) || !const_vec(bb, n) || !const_vec(mean, n) || !const_vec(var, n))
		return 0;
	rows = c && c->rank == 2 && c->dims[0] != 1 ? y->dims[0] : 1;
	k = xmalloc((size_t)(n > 0 ? n : 1) * sizeof(double));
	for (j = 0; j < n; j++)
		k[j] = const_f64(sc, sc->is_splat ? 0 : j) /
		       sqrt(const_f64(var, var->is_splat ? 0 : j) + eps);
	nw = xmalloc((size_t)(value_numel(w) > 0 ? value_numel(w) : 1) * sizeof(float));
	for (r = 0; r < w->dims[0]; r++)
		for (i = 0; i < w->dims[1]; i++) {
			int64_t e = r * w->dims[1] + i;
			nw[e] = (float)(const_f64(w, w->is_splat ? 0 : e) * k[tb ? r : i]);
		}
	nc = xmalloc((size_t)(rows * n > 0 ? rows * n : 1) * sizeof(float));
	for (r = 0; r < rows; r++)
		for (j = 0; j < n; j++) {
			double cv = 0;
			if (c) {	/* C broadcast to (rows, N) */
				int64_t cr = c->rank == 2 && c->dims[0] != 1 ? r : 0;
				int64_t cc = c->rank >= 1 && c->dims[c->rank - 1] != 1 ? j : 0;
				int64_t cols = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
				cv = beta * const_f64(c, c->is_splat ? 0 : cr * cols + cc);
			}
			nc[r * n + j] = (float)((cv - const_f64(mean, mean->is_splat ? 0 : j)) * k[j] +
						const_f64(bb, bb->is_splat ? 0 : j));
		}
	free(k);
	p->in[1] = new_const(f->g, w, "_bn", 2, w->dims, nw);
	cd[0] = rows;
	cd[1] = n;
	c = new_const(f->g, w, "_bn_bias", rows == 1 ? 1 : 2, rows == 1 ? cd + 1 : cd, nc);
	if (p->nin < 3)
		node_add_input(p, c);
	else
		p->in[2] = c;
	if ((ab = (Attr *)node_attr(p, "beta")))
		ab->f = 1.0;
	return 1;
}

/* The Add's other operand, if it is a bias of p's output y that p can take:
 * Conv: varies along the channel axis only (folded into a constant bias);
 * MatMul, Gemm (without C): varies along the last axis only (becomes C). */
static int take_bias(Fuse *f, Node *p, Value *y, Value *c)
{
	int d, off = y->rank - c->rank, ax;

	if (c->dtype != DT_FLOAT || c->rank < 0 || c->rank > y->rank)
		return 0;
	ax = is_op(p, "Conv") ? 1 : y->rank - 1;
	for (d = 0; d < c->rank; d++)
		if (c->dims[d] != 1 && (d + off != ax || c->dims[d] != y->dims[ax]))
			return 0;
	if (is_op(p, "Conv")) {
		Value *b = node_in(p, 2);
		int64_t m = y->dims[1], o;
		float *nb;
		if (!c->data || (b && (!b->data || b->dtype != DT_FLOAT)) || node_in(p, 3))
			return 0;
		nb = xmalloc((size_t)(m > 0 ? m : 1) * sizeof(float));
		for (o = 0; o < m; o++)
			nb[o] = (float)(b ? const_f64(b, b->is_splat ? 0 : o) : 0.0) +
				(float)const_f64(c, value_numel(c) == 1 ? 0 : o);
		b = new_const(f->g, p->in[1], "_bias", 1, &m, nb);
		if (p->nin < 3)
			node_add_input(p, b);
		else
			p->in[2] = b;
		return 1;
	}
	if (node_in(p, 2) || node_in(p, 3))
		return 0;
	if (is_op(p, "Gemm")) {
		if (attr_f(p, "beta", 1.0) != 1.0 || c->rank > 2)
			return 0;
	} else if (value_numel(c) != 1 &&
		   (p->in[1]->rank < 2 || value_numel(c) != y->dims[y->rank - 1])) {
		return 0;	/* a 1-D B makes the last axis M's */
	}
	while (p->nin < 2)
		node_add_input(p, NULL);
	node_add_input(p, c);
	return 1;
}

/* Input i of n if it is a constant scalar (Clip's bounds); *ok cleared otherwise. */
static double const_scalar(const Node *n, int i, double def, int *ok)
{
	const Value *v = node_in(n, i);

	if (!v || !v->name || !*v->name)
		return def;
	if (!v->data || value_numel(v) != 1) {
		*ok = 0;
		return 0;
	}
	return const_f64(v, 0);
}

/* n as an activation of x (of x's type): its kind and parameters, or ACT_NONE. */
static int activation(const Node *n, const Value *x, double *a, double *b)
{
	int ok = 1;

	*a = *b = 0;
	if (n->nin < 1 || n->in[0] != x || n->nout != 1 || n->out[0]->dtype != x->dtype)
		return ACT_NONE;
	if (is_op(n, "Relu"))
		return ACT_RELU;
	if (is_op(n, "LeakyRelu")) {
		*a = attr_f(n, "alpha", 0.01);
		return ACT_LEAKYRELU;
	}
	if (is_op(n, "Sigmoid"))
		return ACT_SIGMOID;
	if (is_op(n, "HardSigmoid")) {
		*a = attr_f(n, "alpha", 0.2);
		*b = attr_f(n, "beta", 0.5);
		return ACT_HARDSIGMOID;
	}
	if (is_op(n, "HardSwish"))
		return ACT_HARDSWISH;
	if (is_op(n, "Tanh"))
		return ACT_TANH;
	if (is_op(n, "Elu")) {
		*a = attr_f(n, "alpha", 1.0);
		return ACT_ELU;
	}
	if (is_op(n, "Gelu")) {
		const char *ap = attr_s(n, "approximate", "none");
		if (strcmp(ap, "none") != 0 && strcmp(ap, "tanh") != 0)
			return ACT_NONE;
		*a = strcmp(ap, "tanh") == 0;
		return ACT_GELU;
	}
	if (is_op(n, "Clip")) {
		if (n->version < 11) {
			*a = node_attr(n, "min") ? attr_f(n, "min", 0) : -INFINITY;
			*b = node_attr(n, "max") ? attr_f(n, "max", 0) : INFINITY;
		} else {
			*a = const_scalar(n, 1, -INFINITY, &ok);
			*b = const_scalar(n, 2, INFINITY, &ok);
		}
		return ok ? ACT_CLIP : ACT_NONE;
	}
	return ACT_NONE;
}

/* SiLU: x read by exactly Sigmoid(x) -> s and Mul(x, s) (either order), s read
 * by the Mul only.  Returns the Mul and sets *sig. */
static Node *silu(const Fuse *f, const Value *x, const Guard *gd, Node **sig)
{
	Node *a, *b, *s, *m;

	if (f->uses[x->id] != 2)
		return NULL;
	a = f->first[x->id];
	b = f->last[x->id];
	s = is_op(a, "Sigmoid") ? a : b;
	m = s == a ? b : a;
	if (!is_op(s, "Sigmoid") || !is_op(m, "Mul") || s->guard != gd || m->guard != gd ||
	    s->nout != 1 || m->nin != 2 || s->out[0]->dtype != DT_FLOAT ||
	    fuse_sole_user(f, s->out[0], gd) != m ||
	    !((m->in[0] == x && m->in[1] == s->out[0]) || (m->in[1] == x && m->in[0] == s->out[0])))
		return NULL;
	*sig = s;
	return m;
}

/* Node n (consumed into p) dies; its position becomes p's. */
static void absorb(Node *p, Node *n, int *at, const Fuse *f)
{
	int np = f->pos[n->out[0]->id], j;

	note_fused(p, n);
	n->dead = 1;
	for (j = 0; j < n->nout; j++)	/* so that dce leaves it dead */
		n->out[j] = NULL;
	if (np > *at)
		*at = np;
}

static void fuse_chain(Fuse *f, Node *p, int at)
{
	Graph *g = f->g;
	Value *y = p->out[0], *y0 = y;
	int stage, start = at, half;
	Node *n, *sig;

	/* A float16 or bfloat16 Conv computes in float and rounds its output
	 * once (ops/conv.c).  Relu and Clip (bounds of the half type) commute
	 * with that rounding, so they fuse exactly; the other steps would
	 * round once where the model rounds twice: such a Conv starts at the
	 * last stage, the activation, and takes only those two. */
	half = is_op(p, "Conv") && (y->dtype == DT_FLOAT16 || y->dtype == DT_BFLOAT16) &&
	       p->in[0]->dtype == y->dtype;
	if (p->nout != 1 || (!half && (y->dtype != DT_FLOAT || p->in[0]->dtype != DT_FLOAT)) ||
	    p->epi_act || node_in(p, 3))
		return;
	stage = half ? 3 : is_op(p, "MatMul") ? 1 : 0;
	for (;;) {
		double a, b;
		int act;
		if (!half && (n = silu(f, y, p->guard, &sig))) {
			p->epi_act = ACT_SILU;
			y = n->out[0];
			absorb(p, sig, &at, f);
			absorb(p, n, &at, f);
			break;
		}
		if (!(n = fuse_sole_user(f, y, p->guard)))
			break;
		if (stage == 0 && is_op(n, "BatchNormalization") &&
		    (is_op(p, "Conv") ? fold_bn(f, p, n) : fold_bn_gemm(f, p, n))) {
			y = n->out[0];
			absorb(p, n, &at, f);
			stage = 1;
			continue;
		}
		if (stage <= 2 && (is_op(n, "Add") || is_op(n, "Sum")) && n->nin == 2 && n->nout == 1 &&
		    value_same_shape(n->out[0], y) && n->out[0]->dtype == DT_FLOAT) {
			Value *c = n->in[0] == y ? n->in[1] : n->in[0];
			if (c == y)
				break;
			if (stage <= 1 && take_bias(f, p, y, c)) {
				stage = 2;
			} else if (value_same_shape(c, y) && c->dtype == DT_FLOAT && !c->is_splat) {
				while (p->nin < 3)
					node_add_input(p, NULL);
				node_add_input(p, c);
				stage = 3;
			} else {
				break;
			}
			y = n->out[0];
			absorb(p, n, &at, f);
			continue;
		}
		act = activation(n, y, &a, &b);
		if (act != ACT_NONE && (!half || act == ACT_RELU || act == ACT_CLIP)) {
			p->epi_act = act;
			p->epi_a = a;
			p->epi_b = b;
			y = n->out[0];
			absorb(p, n, &at, f);
		}
		break;
	}
	if (y == y0)
		return;
	/* p now makes y, in the place of the chain's last node */
	p->out[0] = y;
	y->producer = p;
	y0->producer = NULL;
	g->nodes[start] = g->nodes[at];
	g->nodes[at] = p;
	f->pos[y->id] = at;
	f->fused++;
}

/* BatchNormalization in inference mode with constant float parameters. */
static int bn_inference(const Fuse *f, const Node *bn)
{
	const Value *y = bn->out[0];
	int64_t m = y->rank >= 2 ? y->dims[1] : -1;
	int i;

	if (!is_op(bn, "BatchNormalization") || bn->nin != 5 || !outputs_unused(f, bn) ||
	    attr_i(bn, "training_mode", 0) != 0 || (bn->version < 9 && attr_i(bn, "spatial", 1) != 1) ||
	    (bn->version < 7 && !attr_i(bn, "is_test", 0) && bn->nout > 1) ||
	    y->dtype != DT_FLOAT || m < 0 || bn->epi_act)
		return 0;
	for (i = 1; i < 5; i++)
		if (!const_vec(bn->in[i], m) || bn->in[i]->dtype != DT_FLOAT)
			return 0;
	return 1;
}

/* A constant that Mul or Add applies per channel to y (N x C x ...): one
 * value, or C values along axis 1 (shape [C, 1, ...] or [1, C, 1, ...]). */
static int per_channel(const Value *c, const Value *y)
{
	int i, ax;

	if (!c->data || c->dtype != DT_FLOAT || c->rank < 0 || c->rank > y->rank)
		return 0;
	if (splat_like(c))
		return 1;
	ax = 1 - (y->rank - c->rank);	/* the axis of c aligned with y's axis 1 */
	if (ax < 0)
		return 0;
	for (i = 0; i < c->rank; i++)
		if (c->dims[i] != (i == ax ? y->dims[1] : 1))
			return 0;
	return 1;
}

/* p absorbs n, the sole reader of its output: p makes n's output (n's readers
 * all come after n) and n dies. */
static void take_output(Fuse *f, Node *p, Node *n)
{
	note_fused(p, n);
	p->out[0]->producer = NULL;
	p->out[0] = n->out[0];
	p->out[0]->producer = p;
	n->dead = 1;
	n->out[0] = NULL;
	f->fused++;
	fuse_count_uses(f);
}

/* Mul and Add by per-channel constants after an inference BatchNormalization
 * become part of its scale and bias: y = s (x - mean) / sqrt(var + eps) + b,
 * then (y m) gives s m and b m, (y + a) gives b + a. */
static void fold_affine(Fuse *f, Node *bn)
{
	Value *y = bn->out[0], *c, *s, *b;
	int64_t m, j;
	Node *n;
	float *ns, *nb;
	int s1, b1;	/* the new scale, bias: one value (splats stay splats) */

	while (bn_inference(f, bn) && (n = fuse_sole_user(f, y, bn->guard)) &&
	       (is_op(n, "Mul") || is_op(n, "Add")) && n->nin == 2 && n->nout == 1 &&
	       n->in[0] != n->in[1] && value_same_shape(n->out[0], y) &&
	       n->out[0]->dtype == DT_FLOAT) {
		c = n->in[0] == y ? n->in[1] : n->in[0];
		if (!per_channel(c, y))
			return;
		m = y->dims[1];
		s = bn->in[1];
		b = bn->in[2];
		s1 = splat_like(s) && splat_like(c);
		b1 = splat_like(b) && splat_like(c);
		ns = xmalloc((size_t)(m > 0 && !s1 ? m : 1) * sizeof(float));
		nb = xmalloc((size_t)(m > 0 && !b1 ? m : 1) * sizeof(float));
		for (j = 0; j < m; j++) {
			double cv = const_f64(c, splat_like(c) ? 0 : j);
			double sv = const_f64(s, s->is_splat ? 0 : j), bv = const_f64(b, b->is_splat ? 0 : j);
			if (!s1 || j == 0)
				ns[j] = (float)(is_op(n, "Mul") ? sv * cv : sv);
			if (!b1 || j == 0)
				nb[j] = (float)(is_op(n, "Mul") ? bv * cv : bv + cv);
		}
		bn->in[1] = new_const(f->g, s, "_fold", 1, &m, ns);
		bn->in[1]->is_splat = s1;
		bn->in[2] = new_const(f->g, b, "_fold", 1, &m, nb);
		bn->in[2]->is_splat = b1;
		take_output(f, bn, n);
		y = bn->out[0];
	}
}

/* An inference BatchNormalization left over (not folded into a Conv) takes
 * the Relu after it: the kernel applies it (ONNXCC_BNAPPLY). */
static void fuse_bn_relu(Fuse *f, Node *bn)
{
	Value *y = bn->out[0];
	Node *n;
	double a, b;

	if (!bn_inference(f, bn) || !(n = fuse_sole_user(f, y, bn->guard)) ||
	    activation(n, y, &a, &b) != ACT_RELU)
		return;
	bn->epi_act = ACT_RELU;
	take_output(f, bn, n);
}

/* Transpose's permutation (default: reversed axes) into perm; its length. */
static int get_perm(const Node *n, int rank, int64_t *perm)
{
	const int64_t *p;
	int i, len = attr_ints(n, "perm", &p);

	for (i = 0; i < rank; i++)
		perm[i] = len == rank ? p[i] : rank - 1 - i;
	return len < 0 || len == rank;
}

static void fuse_transposes(Fuse *f, Node *t2)
{
	Node *t1;
	Value *x;
	int64_t p1[IR_MAX_RANK], p2[IR_MAX_RANK], q[IR_MAX_RANK];
	int r, i, ident = 1;
	Attr *a;

	if (t2->nin != 1 || !(t1 = t2->in[0]->producer) || !is_op(t1, "Transpose") ||
	    t1->guard != t2->guard || t1->nin != 1)
		return;
	x = t1->in[0];
	r = x->rank;
	if (r < 0 || x->is_seq || !get_perm(t1, r, p1) || !get_perm(t2, r, p2))
		return;
	for (i = 0; i < r; i++) {
		if (p1[i] < 0 || p1[i] >= r || p2[i] < 0 || p2[i] >= r)
			return;
		q[i] = p1[p2[i]];
		ident &= q[i] == i;
	}
	t2->in[0] = x;
	free(t2->fused);
	t2->fused = fuse_node_label(t1);
	note_fused(t2, t2);
	if (ident) {
		const OpInfo *op = op_lookup("", "Identity", 13);
		if (!op)
			die("fuse: no Identity row");
		t2->op = op;
		free(t2->op_type);
		t2->op_type = xstrdup("Identity");
		t2->version = 13;
	}
	a = (Attr *)node_attr(t2, "perm");
	if (!a) {
		a = node_add_attr(t2, "perm", AT_INTS);
		a->ints = xmalloc(IR_MAX_RANK * sizeof(int64_t));
	}
	a->n = r;
	memcpy(a->ints, q, (size_t)r * sizeof(int64_t));
	f->fused++;
}

/* A new int64 list constant of n elements named after `like`. */
static Value *new_ints(Graph *g, const Value *like, const char *suffix, int n,
		       const int64_t *vals)
{
	int64_t dims[1] = {n}, *data = xmalloc((size_t)(n ? n : 1) * sizeof(int64_t));

	memcpy(data, vals, (size_t)n * sizeof(int64_t));
	return new_value(g, like, suffix, DT_INT64, 1, dims, data);
}

/* Slice(Slice(x)) with constant lists reads x once: along each axis the
 * inner slice takes start a, step s and the outer start b, step t of that,
 * so together x[a + b s], step s t.  Only with positive steps, whose ends
 * start + (len - 1) step + 1 need no negative index, and outputs that are
 * not empty: every index and step then stays below the dimension (a single
 * element's step counts as 1), so nothing overflows. */
static void fuse_slices(Fuse *f, Node *s2)
{
	Node *s1;
	Value *x;
	int64_t a[IR_MAX_RANK], s[IR_MAX_RANK], n1[IR_MAX_RANK];
	int64_t b[IR_MAX_RANK], t[IR_MAX_RANK], n2[IR_MAX_RANK], end[IR_MAX_RANK], ax[IR_MAX_RANK];
	int r, i;

	if (s2->version < 10 || !(s1 = s2->in[0]->producer) || !is_op(s1, "Slice") ||
	    s1->guard != s2->guard || s2->in[0]->is_seq)
		return;
	x = s1->in[0];
	r = x->rank;
	if (r < 1 || !slice_static(s1, a, s, n1) || !slice_static(s2, b, t, n2))
		return;
	for (i = 0; i < r; i++) {
		if (s[i] < 1 || t[i] < 1 || n2[i] < 1)
			return;
		if (n2[i] == 1)
			t[i] = 1;
		a[i] += b[i] * s[i];
		s[i] *= t[i];
		end[i] = n2[i] ? a[i] + (n2[i] - 1) * s[i] + 1 : a[i];
		ax[i] = i;
	}
	s2->in[0] = x;
	s2->in[1] = new_ints(f->g, s2->out[0], "_starts", r, a);
	s2->in[2] = new_ints(f->g, s2->out[0], "_ends", r, end);
	while (s2->nin < 5)
		node_add_input(s2, NULL);
	s2->in[3] = new_ints(f->g, s2->out[0], "_axes", r, ax);
	s2->in[4] = new_ints(f->g, s2->out[0], "_steps", r, s);
	note_fused(s2, s1);
	f->fused++;
}

int pass_fuse(Graph *g)
{
	Fuse f = {0};
	int i;

	if (pass_opt_level < 1)
		return 0;
	f.g = g;
	fuse_count_uses(&f);
	for (i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (is_op(n, "Transpose"))
			fuse_transposes(&f, n);
		else if (is_op(n, "Slice"))
			fuse_slices(&f, n);
	}
	fuse_count_uses(&f);
	for (i = 0; i < g->nnodes; i++)
		if (is_op(g->nodes[i], "BatchNormalization"))
			fold_affine(&f, g->nodes[i]);
	for (i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (is_op(n, "Conv") || is_op(n, "Gemm") || is_op(n, "MatMul"))
			fuse_chain(&f, n, i);
	}
	for (i = 0; i < g->nnodes; i++)
		if (is_op(g->nodes[i], "BatchNormalization"))
			fuse_bn_relu(&f, g->nodes[i]);
	fuse_count_uses(&f);
	fuse_ew_chains(&f);
	free(f.uses);
	free(f.first);
	free(f.last);
	free(f.pos);
	return f.fused ? pass_dce(g) : 0;
}
