/* dce.c: dead code elimination.  A node stays only if one of its outputs is
 * not constant and is a graph output or read by a node that stays (as an
 * input or as the condition of its guard), or if it is a run-time check. */
#include <stdlib.h>

#include "ops.h"
#include "passes.h"

/* A sequence or optional is used if one of its elements is (a sequence output
 * of the model is read through its elements). */
static int is_used(const char *used, const Value *v)
{
	int i;

	if (used[v->id])
		return 1;
	for (i = 0; v->is_seq && i < v->nelems; i++)
		if (is_used(used, v->elems[i]))
			return 1;
	return 0;
}

int pass_dce(Graph *g)
{
	char *used = xcalloc(g->nvalues, 1);
	const Guard *gd;
	int i, j;

	for (i = 0; i < g->noutputs; i++)
		used[g->outputs[i]->id] = 1;
	for (i = g->nnodes - 1; i >= 0; i--) {
		Node *n = g->nodes[i];
		int live = n->op && (n->op->flags & OPF_EFFECT) && !n->dead;
		for (j = 0; j < n->nout; j++)
			if (n->out[j] && is_used(used, n->out[j]) && !n->out[j]->data)
				live = 1;
		n->dead = !live;
		for (j = 0; live && j < n->nin; j++)
			if (n->in[j])
				used[n->in[j]->id] = 1;
		for (gd = n->guard; live && gd; gd = gd->up)	/* a guard reads its condition */
			used[gd->cond->id] = 1;
	}
	free(used);
	return 0;
}
