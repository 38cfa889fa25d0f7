/* infer.c: shape and type inference, in topological order.  Each operator's
 * family infers its outputs; a node whose inputs are all constant and whose
 * outputs are small is evaluated on the spot, so that shape computations
 * (Shape -> Gather -> Concat -> Reshape) resolve to constants before the
 * nodes that consume them are inferred. */
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
		if (!v || v->is_seq)
			continue;
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

int pass_infer(Graph *g)
{
	int i, j;

	for (i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		if (n->dead)
			continue;
		if (check_inputs(n) != 0 || n->op->infer(n) != 0)
			return -1;
		for (j = 0; j < n->nout; j++) {
			Value *o = n->out[j];
			if (o && o->rank < 0 && !o->is_seq)
				die("%s_infer left output %d of '%s' without a shape",
				    n->op->name, j, n->name);
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
	}
	for (i = 0; i < g->noutputs; i++)
		if (g->outputs[i]->is_seq)
			return ir_error("graph output '%s' is a sequence; the generated interface "
					"takes tensors only", g->outputs[i]->name);
	g->inferred = 1;
	return 0;
}
