/* infer.c: shape and type inference, in topological order.  Each operator's
 * family infers its outputs; a node whose inputs are all constant and whose
 * outputs are small is evaluated on the spot, so that shape computations
 * (Shape -> Gather -> Concat -> Reshape) resolve to constants before the
 * nodes that consume them are inferred. */
#include "passes.h"
#include "ops.h"

/* Outputs up to this size are folded during inference. */
#define INFER_FOLD_BYTES (1 << 20)

static int check_inputs(const Node *n)
{
	int i;

	for (i = 0; i < n->nin; i++) {
		const Value *v = n->in[i];
		if (!v || v->is_seq)
			continue;
		if (v->rank < 0)
			die("input '%s' of node '%s' has no shape", v->name, n->name);
		if (!dt_size(v->dtype))
			return node_error(n, "input %d ('%s') has element type %s, which is not supported",
					  i, v->name, dt_name(v->dtype));
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

int infer_node(Graph *g, Node *n)
{
	int j;

	n->inferred = 1;
	if (check_inputs(n) != 0 || n->op->infer(n) != 0)
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
	for (i = 0; i < g->noutputs; i++)
		if (g->outputs[i]->is_seq)
			return ir_error("graph output '%s' is a sequence; the generated interface "
					"takes tensors only", g->outputs[i]->name);
	g->inferred = 1;
	return 0;
}
