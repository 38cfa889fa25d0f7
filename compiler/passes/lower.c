/* lower.c (pass): the live nodes become one list of kernel calls.
 * Splat constants are materialized by a fill call before their first use (an
 * init call: once, at the first run), and graph outputs that are constants or
 * inputs get a copy. */
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "passes.h"

static const char *fill_kernel(int dtype)
{
	switch (dt_size(dtype)) {
	case 1: return "x8_fill__scalar";
	case 2: return "x16_fill__scalar";
	case 4: return "x32_fill__scalar";
	default: return "x64_fill__scalar";
	}
}

/* Append a call that writes constant or input src into dst. */
static KCall *copy_into(Lower *L, Value *src, Value *dst)
{
	KCall *k = lower_call(L, src->is_splat ? fill_kernel(src->dtype) : "x8_copy__scalar");

	if (!k)
		die("no copy kernel");
	kcall_buf(k, src);
	kcall_buf(k, dst);
	kcall_i(k, src->is_splat ? value_numel(dst) : value_nbytes(dst));
	return k;
}

/* A graph output that no call writes (a constant, an input, or a value listed
 * again: two elements of a sequence output can be one tensor) gets a fresh
 * value of its own, filled by a copy. */
static void detach_outputs(Graph *g, KCallList *calls)
{
	Lower L = {g, calls, NULL, lower_cpu};
	int i, first;

	for (i = 0; i < g->noutputs; i++) {
		Value *v = g->outputs[i], *o;
		for (first = 0; first < i && g->outputs[first] != v; first++)
			;
		if (!v->data && !v->is_input && first == i)
			continue;
		o = graph_value(g, v->name);
		value_set_shape(o, v->dtype, v->rank, v->dims);
		o->is_output = 1;
		o->io_index = i;
		if (first == i)
			v->is_output = 0;
		else
			v->io_index = first;
		g->outputs[i] = o;
		copy_into(&L, v, o)->node = NULL;
	}
}

int pass_lower(Graph *g)
{
	KCallList *calls = xcalloc(1, sizeof *calls), node_calls = {0};
	Value **filled = xcalloc(g->nvalues, sizeof(Value *));
	int nvalues0 = g->nvalues, i, j, b, rc = 0;

	for (i = 0; rc == 0 && i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		Lower L = {g, calls, n, lower_cpu};
		if (n->dead)
			continue;
		node_calls.n = 0;
		rc = lower_node_cpu(g, n, &node_calls, lower_cpu);
		for (j = 0; rc == 0 && j < node_calls.n; j++) {
			KCall *c = &node_calls.v[j];
			for (b = 0; b < c->nbuf; b++) {
				Value *v = c->buf[b];
				if (!v->is_splat)
					continue;
				if (v->id >= nvalues0)
					die("splat scratch tensor");
				if (!filled[v->id]) {
					/* filled once, at the first run (and unguarded:
					 * later uses outside the guard need it too) */
					filled[v->id] = lower_init_temp(&L, v->dtype, v->rank, v->dims);
					kcall_init(copy_into(&L, v, filled[v->id]));
				}
				c->buf[b] = filled[v->id];
			}
			if (calls->n == calls->cap) {
				calls->cap = calls->cap ? 2 * calls->cap : 64;
				calls->v = xrealloc(calls->v, calls->cap * sizeof(KCall));
			}
			calls->v[calls->n++] = *c;
		}
		for (j = 0; rc != 0 && j < node_calls.n; j++) {	/* a node that failed half-way */
			free(node_calls.v[j].p);
			free(node_calls.v[j].f);
		}
	}
	free(node_calls.v);
	free(filled);
	if (rc != 0) {
		kcalls_free(calls);
		return -1;
	}
	detach_outputs(g, calls);
	g->calls = calls;
	return 0;
}
