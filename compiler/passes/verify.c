/* verify.c: the IR verifier, run between passes (and after the last).
 * A failure is an internal bug, so it dies naming the pass that broke it. */
#include <stdlib.h>

#include "lower.h"
#include "ops.h"
#include "passes.h"

static void check_node(const Graph *g, const Node *n, const char *after, const char *defined)
{
	int i;

	if (!n->op)
		die("after %s: node '%s' has no operator row", after, n->name);
	for (i = 0; i < n->nin; i++) {
		const Value *v = n->in[i];
		if (!v)
			continue;
		if (g->inferred && v->rank < 0 && !v->is_seq && v->producer && !v->producer->dead)
			die("after %s: input '%s' of '%s' has no shape", after, v->name, n->name);
		if (!defined[v->id])
			die("after %s: node '%s' reads '%s' before it is defined", after, n->name, v->name);
	}
}

/* Arena tensors alive at the same call must not overlap. */
static void check_plan(const Graph *g, const char *after)
{
	const KCallList *l = g->calls;
	int *first = xmalloc(g->nvalues * sizeof(int)), *last = xmalloc(g->nvalues * sizeof(int));
	int i, j;

	for (i = 0; i < g->nvalues; i++)
		first[i] = last[i] = -1;
	for (i = 0; i < l->n; i++) {
		const Value *v;
		for (j = 0; (v = kcall_value(&l->v[i], j)); j++) {
			if (l->v[i].init && v->mem != MEM_CONST && v->mem != MEM_STATIC)
				die("after %s: init call %d (%s) touches '%s', neither constant nor "
				    "static", after, i, kernels[l->v[i].kernel].name, v->name);
			if (v->mem == MEM_STATIC &&
			    (v->offset < 0 || v->offset + value_nbytes(v) > g->static_size))
				die("after %s: '%s' lies outside static storage", after, v->name);
			if (v->mem != MEM_ARENA)
				continue;
			if (first[v->id] < 0)
				first[v->id] = i;
			last[v->id] = i;
			if (v->offset < 0 || v->offset + value_nbytes(v) > g->arena_size)
				die("after %s: '%s' lies outside the arena", after, v->name);
		}
	}
	for (i = 0; i < g->nvalues; i++)
		for (j = i + 1; first[i] >= 0 && j < g->nvalues; j++) {
			const Value *a = g->values[i], *b = g->values[j];
			if (first[j] < 0 || last[i] < first[j] || last[j] < first[i])
				continue;
			if (a->offset < b->offset + value_nbytes(b) && b->offset < a->offset + value_nbytes(a) &&
			    value_nbytes(a) && value_nbytes(b))
				die("after %s: '%s' and '%s' are alive together and overlap", after,
				    a->name, b->name);
		}
	free(first);
	free(last);
}

/* A node's output is defined, and so are the tensors of a sequence it makes. */
static void define(char *defined, const Value *v)
{
	int i;

	defined[v->id] = 1;
	for (i = 0; v->is_seq && i < v->nelems; i++)
		define(defined, v->elems[i]);
}

int ir_verify(Graph *g, const char *after)
{
	char *defined = xcalloc(g->nvalues, 1);
	int i, j;

	for (i = 0; i < g->nvalues; i++)
		defined[i] = g->values[i]->is_input || g->values[i]->data != NULL ||
			     (g->values[i]->is_seq && !g->values[i]->producer);
	for (i = 0; i < g->nnodes; i++) {
		const Node *n = g->nodes[i];
		if (n->dead)
			continue;
		check_node(g, n, after, defined);
		for (j = 0; j < n->nout; j++)
			if (n->out[j])
				define(defined, n->out[j]);
	}
	for (i = 0; i < g->noutputs; i++)
		if (!defined[g->outputs[i]->id] && !g->calls)
			die("after %s: graph output '%s' is not defined", after, g->outputs[i]->name);
	if (g->planned)
		check_plan(g, after);
	free(defined);
	return 0;
}
