/* fold.c: constant folding.  A node whose inputs are all constant is lowered
 * to kernel calls and run inside the compiler, with the very kernels the
 * generated code uses.  Splat constants (one value filling a shape, as
 * ConstantOfShape makes) stay splats through elementwise and movement ops,
 * so folding never materializes a large uniform tensor. */
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "ops.h"
#include "passes.h"
#include "onnxcc_rt.h"

/* Remaining constant nodes are folded up to this output size. */
#define FOLD_BYTES ((int64_t)64 << 20)

static int splat_like(const Value *v)
{
	return v->is_splat || value_numel(v) == 1;
}

/* A full-size copy of constant v (expanding a splat). */
static void *materialize(const Value *v)
{
	int64_t n = value_numel(v), i, sz = dt_size(v->dtype);
	char *p = xmalloc((size_t)(n * sz));

	if (!v->is_splat)
		return memcpy(p, v->data, (size_t)(n * sz));
	for (i = 0; i < n; i++)
		memcpy(p + i * sz, v->data, (size_t)sz);
	return p;
}

/* Lower n and run its calls; outputs get full-size data. */
static int eval_node(Graph *g, Node *n)
{
	KCallList *l = xcalloc(1, sizeof *l);
	void **bufs;
	char *owned;
	int i, j, rc;

	if (lower_node(g, n, l) != 0) {
		kcalls_free(l);
		return -1;
	}
	bufs = xcalloc(g->nvalues, sizeof(void *));
	owned = xcalloc(g->nvalues, 1);
	for (i = 0; i < n->nout; i++)
		if (n->out[i]) {
			bufs[n->out[i]->id] = xcalloc(1, (size_t)value_nbytes(n->out[i]));
			owned[n->out[i]->id] = 1;
		}
	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->v[i].nbuf; j++) {
			Value *v = l->v[i].buf[j];
			if (bufs[v->id])
				continue;
			owned[v->id] = !v->data || v->is_splat;
			bufs[v->id] = !v->data ? xcalloc(1, (size_t)value_nbytes(v))
					       : v->is_splat ? materialize(v) : v->data;
		}
	rc = kernels_run(l, bufs);
	for (i = 0; rc == 0 && i < n->nout; i++)
		if (n->out[i]) {
			value_set_const(n->out[i], bufs[n->out[i]->id], 0);
			owned[n->out[i]->id] = 0;
		}
	for (i = 0; i < g->nvalues; i++)
		if (owned[i])
			free(bufs[i]);
	free(bufs);
	free(owned);
	kcalls_free(l);
	if (rc == ONNXCC_ERR_STRING)
		return node_error(n, "a string result is longer than the %d bytes a string record "
				  "holds (raise --string-bytes)", dt_string_bytes() - 1);
	if (rc)
		return node_error(n, "its constant inputs are inconsistent (kernel check %d failed)", rc);
	return 0;
}

/* Evaluate an elementwise node on one element of each (splat) input. */
static int eval_splat(Node *n)
{
	Graph *t = graph_new();
	Node *c = graph_node(t, n->name, n->op_type, n->domain);
	int i, rc;

	c->op = n->op;
	c->version = n->version;
	c->attrs = n->attrs;
	c->nattrs = n->nattrs;
	for (i = 0; i < n->nin; i++) {
		Value *v = NULL, *src = n->in[i];
		if (src) {
			v = graph_value(t, src->name);
			v->dtype = src->dtype;
			v->rank = 0;
			v->data = memcpy(xmalloc(dt_size(src->dtype)), src->data, dt_size(src->dtype));
		}
		node_add_input(c, v);
	}
	for (i = 0; i < n->nout; i++)
		node_add_output(c, n->out[i] ? graph_value(t, n->out[i]->name) : NULL);
	rc = c->op->infer(c);
	if (rc == 0)
		rc = eval_node(t, c);
	for (i = 0; rc == 0 && i < n->nout; i++)
		if (n->out[i]) {
			value_set_const(n->out[i], c->out[i]->data, 1);
			c->out[i]->data = NULL;
		}
	c->attrs = NULL;
	c->nattrs = 0;
	graph_free(t);
	return rc;
}

static int64_t outputs_bytes(const Node *n)
{
	int64_t total = 0;
	int i;

	for (i = 0; i < n->nout; i++)
		if (n->out[i])
			total += value_nbytes(n->out[i]);
	return total;
}

int fold_node(Graph *g, Node *n, int64_t max_bytes)
{
	const OpInfo *op = n->op;
	int i, all_splat = 1;

	if (op->flags & OPF_NOFOLD)
		return 1;
	for (i = 0; i < n->nout; i++)
		if (n->out[i] && n->out[i]->data)
			return 1;	/* already constant (Shape, Constant, ...) */
	for (i = 0; i < n->nin; i++)
		if (n->in[i] && !splat_like(n->in[i]))
			all_splat = 0;
	if ((op->flags & OPF_SPLAT) && (op->flags & OPF_ELEMENTWISE) && all_splat && n->nout == 1)
		return eval_splat(n);
	if ((op->flags & OPF_SPLAT) && !(op->flags & OPF_ELEMENTWISE) && n->in[0]->is_splat &&
	    n->nout == 1) {
		int sz = dt_size(n->in[0]->dtype);
		value_set_const(n->out[0], memcpy(xmalloc(sz), n->in[0]->data, sz), 1);
		return 0;
	}
	if (outputs_bytes(n) > max_bytes)
		return 1;
	return eval_node(g, n);
}

int pass_fold(Graph *g)
{
	int i, j, all;

	for (i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead)
			continue;
		all = 1;
		for (j = 0; j < n->nin; j++)
			if (n->in[j] && !n->in[j]->data)
				all = 0;
		if (all && fold_node(g, n, FOLD_BYTES) < 0)
			return -1;
	}
	return 0;
}
