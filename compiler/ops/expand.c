/* expand.c: replacing a node by other nodes during inference.
 *
 * Control flow (control.c), FlexAttention (attention.c) and Gradient
 * (training.c) are not lowered to kernels: their inference appends new nodes
 * to the graph (each inferred at once, so constants fold and nested expansions
 * happen in turn), moves them right after the node, gives the node's outputs
 * to the last of them and retires the node.  Subgraph templates (Attr.g) are
 * copied with clone_body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"
#include "../passes/passes.h"


/* The opset versions of the helper nodes an expansion makes. */
static const struct {
	const char *op;
	int version;
} helper_ops[] = {
	{"Identity", 16}, {"Where", 16}, {"And", 7}, {"Not", 1}, {"Less", 13},
	{"Gather", 13}, {"Unsqueeze", 13}, {"Concat", 13}, {"SequenceConstruct", 11},
	{"SequenceEmpty", 11}, {"Mul", 14}, {"MatMul", 13}, {"Transpose", 13}, {"Cast", 13},
	{"Softmax", 13}, {"Add", 14}, {"Neg", 13}, {"Div", 14},
};


static int index_of(const Graph *g, const Node *n)
{
	int i;

	for (i = g->nnodes - 1; i >= 0; i--)
		if (g->nodes[i] == n)
			return i;
	die("node '%s' is not in its graph", n->name);
}

Value *expand_value(Expand *c, const char *what)
{
	char name[512];

	snprintf(name, sizeof name, "%s/%s#%d", c->n->name, what, c->seq++);
	return graph_value(c->g, name);
}

Value *expand_scalar(Expand *c, int dtype, int64_t x)
{
	Value *v = expand_value(c, "const");

	value_set_shape(v, dtype, 0, NULL);
	value_set_const(v, scalar_of(dtype, (double)x), 0);
	return v;
}

Value *expand_axes(Expand *c, int64_t axis)
{
	Value *v = expand_value(c, "axes");
	int64_t one = 1, *d = xmalloc(sizeof(int64_t));

	*d = axis;
	value_set_shape(v, DT_INT64, 1, &one);
	value_set_const(v, d, 0);
	return v;
}

/* Append helper node `op` under guard gd, not yet inferred; its output is
 * `out` (the control node's own output) or a new value. */
Node *expand_node(Expand *c, Guard *gd, const char *op, Value *const *in, int nin, Value *out)
{
	char name[512];
	Node *m;
	size_t i;
	int version = 0, j;

	for (i = 0; i < sizeof helper_ops / sizeof helper_ops[0]; i++)
		if (strcmp(helper_ops[i].op, op) == 0)
			version = helper_ops[i].version;
	snprintf(name, sizeof name, "%s/%s#%d", c->n->name, op, c->seq++);
	m = graph_node(c->g, name, op, "");
	m->version = version;
	m->op = op_lookup("", op, version);
	if (!m->op)
		die("no operator row for helper %s-%d", op, version);
	m->guard = gd;
	for (j = 0; j < nin; j++)
		node_add_input(m, in[j]);
	node_add_output(m, out ? out : expand_value(c, op));
	return m;
}

/* Infer a helper node; its output, or NULL after an error. */
Value *expand_done(Expand *c, Node *m)
{
	return infer_node(c->g, m) == 0 ? m->out[0] : NULL;
}

/* A helper node, inferred at once; axis != NO_AXIS sets the attribute "axis". */
Value *expand_op(Expand *c, Guard *gd, const char *op, Value *const *in, int nin, Value *out,
		     int64_t axis)
{
	Node *m = expand_node(c, gd, op, in, nin, out);

	if (axis != NO_AXIS)
		node_add_attr(m, "axis", AT_INT)->i = axis;
	return expand_done(c, m);
}

Value *expand_check(Expand *c, Value *cond)
{
	char name[512];
	Node *m;

	snprintf(name, sizeof name, "%s/Check#%d", c->n->name, c->seq++);
	m = graph_node(c->g, name, "Check", "onnxcc.internal");
	m->version = 1;
	m->op = op_lookup("onnxcc.internal", "Check", 1);
	m->guard = c->n->guard;
	node_add_input(m, cond);
	return infer_node(c->g, m) == 0 ? cond : NULL;
}


/* The value that body value v stands for in the copy (map, filled as nodes
 * are copied; constants are copied on first use). */
static Value *mapped(Expand *c, Value **map, const Value *v)
{
	if (!map[v->id] && v->data) {
		Value *k = expand_value(c, v->name);
		size_t nb = (size_t)(v->is_splat ? dt_size(v->dtype) : value_nbytes(v));
		value_set_shape(k, v->dtype, v->rank, v->dims);
		value_set_const(k, memcpy(xmalloc(nb + 1), v->data, nb), v->is_splat);
		map[v->id] = k;
	}
	return map[v->id];
}

/* Copy subgraph b into the graph under guard gd: its inputs are args[0..nargs)
 * (an absent one is an error if used), its outer names resolve through the
 * control node's captures.  res[i] receives the value of b's output i. */
int expand_clone(Expand *c, const Graph *b, Value *const *args, int nargs, Guard *gd,
		      const char *tag, Value **res)
{
	Value **map = xcalloc(b->nvalues ? b->nvalues : 1, sizeof(Value *));
	char name[512];
	int i, j, k, rc = 0;

	if (c->g->nnodes + b->nnodes > MAX_EXPANDED_NODES) {
		free(map);
		return node_error(c->n, "expanding its subgraphs exceeds %d nodes", MAX_EXPANDED_NODES);
	}
	for (i = 0; i < b->ninputs; i++)
		map[b->inputs[i]->id] = i < nargs ? args[i] : NULL;
	for (i = 0; i < b->nfree; i++)
		for (j = 0; j < c->n->ncaps; j++)
			if (strcmp(c->n->caps[j]->name, b->free_vals[i]->name) == 0)
				map[b->free_vals[i]->id] = c->n->caps[j];
	for (i = 0; rc == 0 && i < b->nnodes; i++) {
		const Node *bn = b->nodes[i];
		Node *m;
		snprintf(name, sizeof name, "%s/%s", tag, bn->name);
		m = graph_node(c->g, name, bn->op_type, bn->domain);
		m->version = bn->version;
		m->op = bn->op;
		m->guard = gd;
		for (j = 0; rc == 0 && j < bn->nin; j++) {
			Value *v = bn->in[j] ? mapped(c, map, bn->in[j]) : NULL;
			if (bn->in[j] && !v)
				rc = node_error(c->n, "subgraph value '%s' has no value here", bn->in[j]->name);
			node_add_input(m, v);
		}
		for (j = 0; j < bn->nout; j++) {
			Value *o = bn->out[j], *v = NULL;
			if (o) {
				snprintf(name, sizeof name, "%s/%s", tag, o->name);
				v = graph_value(c->g, name);
				v->decl_dtype = o->decl_dtype;
				v->decl_rank = o->decl_rank;
				for (k = 0; k < o->decl_rank; k++)
					v->decl_dims[k] = o->decl_dims[k];
				map[o->id] = v;
			}
			node_add_output(m, v);
		}
		for (j = 0; j < bn->nattrs; j++)
			node_copy_attr(m, &bn->attrs[j]);
		for (j = 0; rc == 0 && j < bn->ncaps; j++) {
			Value *v = mapped(c, map, bn->caps[j]);
			if (!v)
				rc = node_error(c->n, "subgraph value '%s' has no value here",
						bn->caps[j]->name);
			else
				node_add_cap(m, v);
		}
		if (rc == 0)
			rc = infer_node(c->g, m);
	}
	for (i = 0; rc == 0 && i < b->noutputs; i++) {
		res[i] = mapped(c, map, b->outputs[i]);
		if (!res[i])
			rc = node_error(c->n, "subgraph output '%s' has no value", b->outputs[i]->name);
	}
	free(map);
	return rc;
}

const Graph *node_subgraph(const Node *n, const char *name)
{
	const Attr *a = node_attr(n, name);

	if (!a || a->type != AT_GRAPH || !a->g) {
		node_error(n, "attribute '%s' (a graph) is missing", name);
		return NULL;
	}
	return a->g;
}

/* Start an expansion; finish() moves the new nodes after n and retires n. */
void expand_start(Expand *c, Node *n, int *from)
{
	c->g = n->graph;
	c->n = n;
	c->seq = 0;
	*from = c->g->nnodes;
}

int expand_finish(Expand *c, int from, int rc)
{
	graph_move_tail(c->g, from, index_of(c->g, c->n));
	if (rc == 0) {
		c->n->dead = 1;
		c->n->nin = c->n->nout = c->n->ncaps = 0;
	}
	return rc;
}

