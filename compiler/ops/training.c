/* training.c: the optimizers of ai.onnx.preview.training: Adagrad, Adam and
 * Momentum (kernels in templates/training.h).
 *
 * Inputs are R (learning rate, float/double scalar), T (int64 scalar update
 * count), then k groups of tensors: the k tensors X, their k gradients, and
 * one or two groups of state (Adagrad: H; Adam: V, H; Momentum: V).  Outputs
 * are the groups' new values: X_new, then the new states, k of each.  Every
 * group member has the shape of its X (the spec's broadcasting is not needed
 * for these element-aligned updates and is refused). */
#include <stdlib.h>
#include <string.h>

#include "expand.h"
#include "ops_util.h"

/* Tensor groups among the inputs (X, G, states) and among the outputs. */
static void optim_groups(const Node *n, int *in_groups, int *out_groups)
{
	const char *aux = n->op->aux;

	*in_groups = !strcmp(aux, "adam") ? 4 : 3;
	*out_groups = *in_groups - 1;
}

int optim_infer(Node *n)
{
	int ig, og, k, i, j;
	const Value *r = n->in[0], *t = n->in[1];

	optim_groups(n, &ig, &og);
	if ((n->nin - 2) % ig != 0 || n->nin - 2 < ig)
		return node_error(n, "%d inputs: expected R, T and %d groups of tensors", n->nin, ig);
	k = (n->nin - 2) / ig;
	if (n->nout != og * k)
		return node_error(n, "%d outputs for %d optimized tensors, expected %d", n->nout, k,
				  og * k);
	if ((r->dtype != DT_FLOAT && r->dtype != DT_DOUBLE) || value_numel(r) != 1)
		return node_error(n, "input 0 ('%s') must be a float or double scalar", r->name);
	if (t->dtype != DT_INT64 || value_numel(t) != 1)
		return node_error(n, "input 1 ('%s') must be an int64 scalar", t->name);
	for (i = 0; i < k; i++) {
		const Value *x = n->in[2 + i];
		if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE)
			return node_error(n, "input %d ('%s') has element type %s, expected float or "
					  "double", 2 + i, x->name, dt_name(x->dtype));
		for (j = 1; j < ig; j++) {
			const Value *v = n->in[2 + j * k + i];
			if (v->dtype != x->dtype || !value_same_shape(v, x))
				return node_error(n, "input %d ('%s') must have the type and shape of "
						  "input %d ('%s')", 2 + j * k + i, v->name, 2 + i,
						  x->name);
		}
		for (j = 0; j < og; j++)
			if (set_out(n, j * k + i, x->dtype, x->rank, x->dims) != 0)
				return -1;
	}
	if (!strcmp(n->op->aux, "momentum")) {
		const char *mode = attr_s(n, "mode", "");
		if (strcmp(mode, "standard") && strcmp(mode, "nesterov"))
			return node_error(n, "attribute mode '%s': expected 'standard' or 'nesterov'",
					  mode);
	}
	return 0;
}

/* Adam: the new states, then X_new from them (templates/training.h). */
static int lower_adam(const Node *n, Lower *L, Value *const *in, Value *const *out)
{
	const char *t = dt_short(in[0]->dtype);
	KCall *c;
	int j;

	if (!(c = lower_callf(L, "%s_adam_state__scalar", t)))
		return -1;
	for (j = 0; j < 4; j++)
		kcall_buf(c, in[j]);
	kcall_buf(c, out[1]);
	kcall_buf(c, out[2]);
	kcall_i(c, value_numel(in[0]));
	kcall_f(c, attr_f(n, "norm_coefficient", 0.0));
	kcall_f(c, attr_f(n, "alpha", 0.9));
	kcall_f(c, attr_f(n, "beta", 0.999));
	if (!(c = lower_callf(L, "%s_adam_step__scalar", t)))
		return -1;
	kcall_buf(c, n->in[0]);
	kcall_buf(c, n->in[1]);
	kcall_buf(c, in[0]);
	kcall_buf(c, out[1]);
	kcall_buf(c, out[2]);
	kcall_buf(c, out[0]);
	kcall_i(c, value_numel(in[0]));
	kcall_i(c, n->in[0]->dtype == DT_DOUBLE);
	kcall_f(c, attr_f(n, "norm_coefficient_post", 0.0));
	kcall_f(c, attr_f(n, "alpha", 0.9));
	kcall_f(c, attr_f(n, "beta", 0.999));
	kcall_f(c, attr_f(n, "epsilon", 0.0));
	return 0;
}

/* Adagrad and Momentum: one call. */
static int lower_single(const Node *n, Lower *L, Value *const *in, Value *const *out)
{
	int adagrad = !strcmp(n->op->aux, "adagrad"), j;
	KCall *c;

	if (!(c = lower_callf(L, "%s_%s__scalar", dt_short(in[0]->dtype), n->op->aux)))
		return -1;
	kcall_buf(c, n->in[0]);
	kcall_buf(c, n->in[1]);
	for (j = 0; j < 3; j++)
		kcall_buf(c, in[j]);
	kcall_buf(c, out[0]);
	kcall_buf(c, out[1]);
	kcall_i(c, value_numel(in[0]));
	kcall_i(c, n->in[0]->dtype == DT_DOUBLE);
	kcall_f(c, attr_f(n, "norm_coefficient", 0.0));
	if (adagrad) {
		kcall_f(c, attr_f(n, "epsilon", 0.0));
		kcall_f(c, attr_f(n, "decay_factor", 0.0));
	} else {
		kcall_i(c, !strcmp(attr_s(n, "mode", ""), "nesterov"));
		kcall_f(c, attr_f(n, "alpha", 0.0));
		kcall_f(c, attr_f(n, "beta", 0.0));
	}
	return 0;
}

/* Per optimized tensor; an absent output is written to scratch. */
int optim_lower(Node *n, Lower *L)
{
	int ig, og, k, i, j, any;

	optim_groups(n, &ig, &og);
	k = (n->nin - 2) / ig;
	for (i = 0; i < k; i++) {
		Value *x = n->in[2 + i], *in[4], *out[3];
		for (j = 0; j < ig; j++)
			in[j] = n->in[2 + j * k + i];
		for (any = j = 0; j < og; j++)
			any |= n->out[j * k + i] != NULL;
		if (!any)
			continue;
		for (j = 0; j < og; j++)
			out[j] = n->out[j * k + i] ? n->out[j * k + i]
				: lower_temp(L, x->dtype, x->rank, x->dims);
		if ((ig == 4 ? lower_adam(n, L, in, out) : lower_single(n, L, in, out)) != 0)
			return -1;
	}
	return 0;
}

/* Gradient: reverse-mode differentiation at compile time.  The graph that
 * computes y from xs (and zs) is already in place before the Gradient node;
 * its expansion (expand.c) walks the nodes that lead to y backwards from a
 * seed of ones, appending for each one the nodes of its input gradients, and
 * sums the contributions that reach each x.  Differentiable here: Add, Sub,
 * Mul, Div, Neg and Identity on operands of one shape (no broadcasting);
 * anything else on the path is refused by name. ----------------------------- */

/* grad[v] += d, as a new Add node when v already has a gradient. */
static int accumulate(Expand *e, Value **grad, Value *v, Value *d)
{
	Value *in[2] = {grad[v->id], d};

	if (!grad[v->id]) {
		grad[v->id] = d;
		return 0;
	}
	grad[v->id] = expand_op(e, e->n->guard, "Add", in, 2, NULL, NO_AXIS);
	return grad[v->id] ? 0 : -1;
}

static Value *binop(Expand *e, const char *op, Value *a, Value *b)
{
	Value *in[2] = {a, b};

	return expand_op(e, e->n->guard, op, in, 2, NULL, NO_AXIS);
}

/* Add the input gradients of forward node m, whose output has gradient g. */
static int backprop(Expand *e, Value **grad, const Node *m, Value *g)
{
	const char *op = m->op_type;
	Value *a = m->in[0], *b = m->nin > 1 ? m->in[1] : NULL, *t;

	if (*m->domain || m->nout != 1 || (b && !value_same_shape(a, b)) ||
	    !value_same_shape(a, m->out[0]))
		goto unsupported;
	if (!strcmp(op, "Identity"))
		return accumulate(e, grad, a, g);
	if (!strcmp(op, "Neg"))
		return (t = expand_op(e, e->n->guard, "Neg", &g, 1, NULL, NO_AXIS)) ?
			accumulate(e, grad, a, t) : -1;
	if (!b)
		goto unsupported;
	if (!strcmp(op, "Add"))
		return accumulate(e, grad, a, g) || accumulate(e, grad, b, g) ? -1 : 0;
	if (!strcmp(op, "Sub")) {
		Value *ng = expand_op(e, e->n->guard, "Neg", &g, 1, NULL, NO_AXIS);
		return !ng || accumulate(e, grad, a, g) || accumulate(e, grad, b, ng) ? -1 : 0;
	}
	if (!strcmp(op, "Mul")) {
		Value *ga = binop(e, "Mul", g, b), *gb = ga ? binop(e, "Mul", g, a) : NULL;
		return !gb || accumulate(e, grad, a, ga) || accumulate(e, grad, b, gb) ? -1 : 0;
	}
	if (!strcmp(op, "Div")) {
		/* d(a/b) = g/b da - g*a/b^2 db = g/b da - (g/b)*(a/b) db */
		Value *gdb = binop(e, "Div", g, b), *y = m->out[0], *t2 = gdb ? binop(e, "Mul", gdb, y) : NULL;
		Value *gb = t2 ? expand_op(e, e->n->guard, "Neg", &t2, 1, NULL, NO_AXIS) : NULL;
		return !gb || accumulate(e, grad, a, gdb) || accumulate(e, grad, b, gb) ? -1 : 0;
	}
unsupported:
	return node_error(e->n, "cannot differentiate node '%s' (%s): only Add, Sub, Mul, Div, Neg "
			  "and Identity on operands of one shape are supported", m->name, op);
}

int gradient_infer(Node *n)
{
	Graph *g = n->graph;
	char *const *xs;
	const char *yname = attr_s(n, "y", NULL);
	int nx = attr_strings(n, "xs", &xs, NULL), at, from, i, j, rc = 0;
	Value *y = yname ? graph_find(g, yname) : NULL, **grad, *seed;
	char *on_path;
	Expand e;

	if (nx < 0 || !yname)
		return node_error(n, "needs the attributes 'xs' and 'y'");
	if (nx != n->nout && n->nout > nx)
		return node_error(n, "has %d outputs for %d tensors in 'xs'", n->nout, nx);
	if (!y || y->rank < 0 || y->is_seq)
		return node_error(n, "y '%s' is not a tensor computed before this node", yname);
	if (!dt_is_float(y->dtype))
		return node_error(n, "y '%s' is not a floating-point tensor", yname);
	for (at = 0; g->nodes[at] != n; at++)
		;
	expand_start(&e, n, &from);
	grad = xcalloc(g->nvalues + 1, sizeof(Value *));
	on_path = xcalloc(g->nvalues + 1, 1);
	seed = expand_value(&e, "ones");
	value_set_shape(seed, y->dtype, y->rank, y->dims);
	value_set_const(seed, scalar_of(y->dtype, 1.0), 1);
	grad[y->id] = seed;
	on_path[y->id] = 1;
	/* The forward nodes before this one, last first; stop at the xs. */
	for (i = at - 1; rc == 0 && i >= 0; i--) {
		Node *m = g->nodes[i];
		int stop = 0;
		if (m->dead || m->nout < 1 || !m->out[0] || !on_path[m->out[0]->id] ||
		    !grad[m->out[0]->id])
			continue;
		for (j = 0; j < nx; j++)
			stop |= !strcmp(m->out[0]->name, xs[j]);
		if (stop)
			continue;
		rc = backprop(&e, grad, m, grad[m->out[0]->id]);
		for (j = 0; j < m->nin; j++)
			if (m->in[j])
				on_path[m->in[j]->id] = 1;
	}
	for (i = 0; rc == 0 && i < n->nout; i++) {
		Value *x = graph_find(g, xs[i]), *d;
		if (!n->out[i])
			continue;
		if (!x || x->rank < 0 || x->is_seq) {
			rc = node_error(n, "xs '%s' is not a tensor of the graph", xs[i]);
			break;
		}
		d = grad[x->id];
		if (!d) {	/* y does not depend on x */
			d = expand_value(&e, "zeros");
			value_set_shape(d, x->dtype, x->rank, x->dims);
			value_set_const(d, scalar_of(x->dtype, 0.0), 1);
		}
		if (!expand_op(&e, n->guard, "Identity", &d, 1, n->out[i], NO_AXIS))
			rc = -1;
	}
	free(grad);
	free(on_path);
	return expand_finish(&e, from, rc);
}

int gradient_lower(Node *n, Lower *L)
{
	(void)L;
	die("Gradient '%s' was not expanded", n->name);
}
