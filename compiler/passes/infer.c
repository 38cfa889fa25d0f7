/* infer.c: shape and type inference, in topological order.  Each operator's
 * family infers its outputs; a node whose inputs are all constant and whose
 * outputs are small is evaluated on the spot, so that shape computations
 * (Shape -> Gather -> Concat -> Reshape) resolve to constants before the
 * nodes that consume them are inferred. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passes.h"
#include "ops.h"

/* Outputs up to this size are folded during inference. */
#define INFER_FOLD_BYTES (1 << 20)

/* Only rows flagged OPF_STRING see string tensors; a view only as its data. */
static int strings_ok(const Node *n, int i)
{
	unsigned fl = n->op->flags;

	return (fl & OPF_STRING) && (i == 0 || !(fl & OPF_VIEW));
}

static int check_inputs(const Node *n)
{
	int i;

	for (i = 0; i < n->nin; i++) {
		const Value *v = n->in[i];
		/* the inputs below an op's minimum count are required (but see
		 * OPF_EMPTY_LEAD), and so is every input of a variadic elementwise op */
		if (!v && ((i < n->op->min_in && !(n->op->flags & OPF_EMPTY_LEAD)) ||
			   ((n->op->flags & OPF_ELEMENTWISE) && n->op->max_in == INT32_MAX)))
			return node_error(n, "input %d is required, but its name is empty", i);
		if (!v || v->is_seq)
			continue;
		if (v->dyn_elem)
			return node_error(n, "input %d ('%s') is a tensor of a sequence whose shapes depend "
					  "on run-time split sizes", i, v->name);
		if (v->rank < 0)
			die("input '%s' of node '%s' has no shape", v->name, n->name);
		if (!dt_size(v->dtype))
			return node_error(n, "input %d ('%s') has element type %s, which is not supported",
					  i, v->name, dt_name(v->dtype));
		if (v->dtype == DT_STRING && !strings_ok(n, i))
			return node_error(n, "input %d ('%s') has element type string, which %s does "
					  "not support", i, v->name, n->op_type);
	}
	return 0;
}

static int all_inputs_const(const Node *n)
{
	int i;

	for (i = 0; i < n->nin; i++)
		if (n->in[i] && !n->in[i]->data)
			return 0;
	return 1;
}

/* The model's outputs, now typed, become the tensors of the interface: a
 * sequence output gives one output per element ("y[0]", ...), an optional
 * none or its element.  The declared list is kept in g->iface_out. */
static int flatten_outputs(Graph *g)
{
	Value **flat = NULL;
	int nflat = 0, i, j, k;
	char name[1024];

	g->iface_out = xmalloc((g->noutputs + 1) * sizeof(Value *));
	g->niface_out = g->noutputs;
	memcpy(g->iface_out, g->outputs, g->noutputs * sizeof(Value *));
	for (i = 0; i < g->noutputs; i++) {
		Value *o = g->outputs[i];
		int n = iface_flatten(o, NULL, 0);
		flat = xrealloc(flat, (nflat + n + 1) * sizeof(Value *));
		iface_flatten(o, flat + nflat, n);
		for (j = 0; j < n; j++)
			if (flat[nflat + j]->dyn_elem) {
				free(flat);
				return ir_error("graph output '%s' is a sequence whose tensors' shapes "
						"depend on run-time split sizes", o->name);
			}
		if (o->is_seq) {
			o->is_output = 0;
			for (j = 0; j < n; j++) {
				Value *e = flat[nflat + j];
				int seen = e->is_output || e->is_input || e->data;
				for (k = 0; k < nflat + j; k++)
					seen |= flat[k] == e;
				if (seen)
					continue;	/* a copy is made by pass_lower */
				if (o->is_opt && n == 1)
					snprintf(name, sizeof name, "%s", o->name);
				else
					snprintf(name, sizeof name, "%s[%d]", o->name, j);
				free(e->name);
				e->name = xstrdup(name);
				e->is_output = 1;
			}
		}
		nflat += n;
	}
	free(g->outputs);
	g->outputs = flat ? flat : xmalloc(sizeof(Value *));
	g->noutputs = nflat;
	for (i = 0; i < nflat; i++) {
		g->outputs[i]->is_output = 1;
		g->outputs[i]->io_index = i;
	}
	return 0;
}

int infer_node(Graph *g, Node *n)
{
	int j;

	n->inferred = 1;
	attr_mismatch_clear();
	if (check_inputs(n) != 0)
		return -1;
	if (n->op->infer(n) != 0) {
		attr_mismatch(n);	/* the wrong type explains the failure better */
		return -1;
	}
	if (attr_mismatch(n) != 0)
		return -1;
	if (n->dead)
		return 0;	/* expanded into other nodes (control flow) */
	for (j = 0; j < n->nout; j++) {
		Value *o = n->out[j];
		if (o && o->rank < 0 && !o->is_seq)
			die("%s_infer left output %d of '%s' without a shape", n->op->name, j, n->name);
		if (o && !dt_size(o->dtype))
			return node_error(n, "output %d has element type %s, which is not supported",
					  j, dt_name(o->dtype));
		if (o && o->dtype == DT_STRING && !(n->op->flags & OPF_STRING))
			return node_error(n, "output %d has element type string, which %s does "
					  "not support", j, n->op_type);
	}
	if (all_inputs_const(n) && !(n->op->flags & OPF_NOFOLD) &&
	    fold_node(g, n, INFER_FOLD_BYTES) < 0)
		return -1;
	return 0;
}

int pass_infer(Graph *g)
{
	int i;

	/* Control flow expands into nodes right after its own, already inferred. */
	for (i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead || n->inferred)
			continue;
		if (infer_node(g, n) != 0)
			return -1;
	}
	if (flatten_outputs(g) != 0)
		return -1;
	g->inferred = 1;
	return 0;
}
