/* memplan.c: static memory planning.
 *
 * Every tensor a kernel call touches gets a home: the caller's input or
 * output buffer, the constant blob, or an offset in the one arena.  Arena
 * tensors live from the first call that touches them to the last; they are
 * placed largest first, each at the lowest offset that overlaps no placed
 * tensor alive at the same time.  The lower bound reported next to the arena
 * size is the largest total of simultaneously live bytes.  What the init
 * calls write (lower.h) lives in static storage instead, one tensor after the
 * other: it is written once and read by every run. */
#include <stdlib.h>

#include <string.h>

#include "lower.h"
#include "ops.h"
#include "passes.h"

#define ALIGN 64
/* Limits: offsets stay far inside int64 (each tensor is at most 2^40 bytes,
 * ir.c), and the constants must fit in one C array of the generated file. */
#define MAX_ARENA_BYTES ((int64_t)1 << 40)
#define MAX_CONST_BYTES ((int64_t)1 << 32)

typedef struct Live {
	Value *v;
	int first, last;
	int64_t size;
} Live;

static int64_t align_up(int64_t x)
{
	return (x + ALIGN - 1) / ALIGN * ALIGN;
}

/* Placement orders: each gives a plan, the smallest arena wins.  Every one
 * ends in a total order, so the plan never depends on qsort. */
static int tie(const Live *x, const Live *y)
{
	if (x->first != y->first)
		return x->first - y->first;
	return x->v->id - y->v->id;
}

static int by_size_desc(const void *a, const void *b)
{
	const Live *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return tie(x, y);
}

/* Largest area (bytes times calls alive) first. */
static int by_area_desc(const void *a, const void *b)
{
	const Live *x = a, *y = b;
	double ax = (double)x->size * (x->last - x->first + 1);
	double ay = (double)y->size * (y->last - y->first + 1);

	if (ax != ay)
		return ax < ay ? 1 : -1;
	return by_size_desc(a, b);
}

/* Longest-lived first. */
static int by_life_desc(const void *a, const void *b)
{
	const Live *x = a, *y = b;

	if (x->last - x->first != y->last - y->first)
		return (y->last - y->first) - (x->last - x->first);
	return by_size_desc(a, b);
}

static int (*const orders[])(const void *, const void *) = {by_size_desc, by_area_desc,
							      by_life_desc};

/* Lowest offset where [off, off+size) meets no placed interval overlapping in time. */
static int64_t place(const Live *placed, int nplaced, const Live *t)
{
	int64_t off = 0;
	int moved = 1, i;

	while (moved) {
		moved = 0;
		for (i = 0; i < nplaced; i++) {
			const Live *p = &placed[i];
			if (p->last < t->first || t->last < p->first)
				continue;
			if (off < p->v->offset + p->size && p->v->offset < off + t->size) {
				off = align_up(p->v->offset + p->size);
				moved = 1;
			}
		}
	}
	return off;
}

/* Place the n tensors in `order`, each at its lowest offset; the arena size
 * (past MAX_ARENA_BYTES it stops early: the caller reports it). */
static int64_t plan(Live *lv, int n, int (*order)(const void *, const void *))
{
	int64_t size = 0;
	int i;

	qsort(lv, n, sizeof(Live), order);
	for (i = 0; i < n && size <= MAX_ARENA_BYTES; i++) {
		lv[i].v->offset = place(lv, i, &lv[i]);
		if (lv[i].v->offset + lv[i].size > size)
			size = lv[i].v->offset + lv[i].size;
	}
	return size;
}

static int64_t lower_bound(const Live *lv, int n, int ncalls)
{
	int64_t *delta = xcalloc(ncalls + 1, sizeof(int64_t)), cur = 0, best = 0;
	int i;

	for (i = 0; i < n; i++) {
		delta[lv[i].first] += lv[i].size;
		delta[lv[i].last + 1] -= lv[i].size;
	}
	for (i = 0; i <= ncalls; i++) {
		cur += delta[i];
		if (cur > best)
			best = cur;
	}
	free(delta);
	return best;
}

/* The value whose bytes v stands for; *off gets v's byte offset in it. */
static Value *root(Value **alias, const int64_t *aoff, Value *v, int64_t *off)
{
	*off = 0;
	while (alias[v->id]) {
		*off += aoff[v->id];
		v = alias[v->id];
	}
	return v;
}

/* Whether v is computed by the run into the arena: no input, output,
 * constant or init-time tensor. */
static int computed_here(const Value *v)
{
	return !v->is_input && !v->is_output && !v->data && v->mem != MEM_STATIC;
}

/* Whether x may live at byte offset off of y for good: both computed here,
 * x not already living elsewhere, the slab aligned as the arena's tensors are. */
static int may_live_in(Value **alias, const Value *x, const Value *y, int64_t off)
{
	return computed_here(x) && computed_here(y) && !alias[x->id] && x != y &&
	       off % ALIGN == 0 && x->dtype != DT_STRING;
}

/* Drop the copies that only move bytes, and let the copied tensor stand for
 * the bytes instead: a view (Reshape, ...) is its input's bytes; an input
 * of a Concat copied whole into its slab of the output is computed in that
 * slab (its producer writes there, its readers read there), so the output
 * is assembled with no copy.  A Concat's calls write their slabs and
 * nothing else, each tensor is written only by the calls that compute it,
 * and the output is never written again, so the slab holds the input for
 * as long as either lives (their lifetimes become the output's).  Not under
 * a guard (conditions are whole tensors). */
static void alias_views(Graph *g, KCallList *calls)
{
	Value **alias = xcalloc(g->nvalues, sizeof(Value *));
	int64_t *aoff = xcalloc(g->nvalues, sizeof(int64_t)), off;
	int copy = kernel_find("x8_copy__scalar"), i, j, n = 0;

	for (i = 0; i < calls->n; i++) {
		KCall *c = &calls->v[i];
		Value *x, *y;
		if (c->kernel == copy && c->node && (c->node->op->flags & OPF_VIEW) && c->nbuf == 2 &&
		    !c->boff[0] && !c->boff[1] && c->np == 1) {
			x = root(alias, aoff, c->buf[0], &off);
			y = c->buf[1];
			if (!y->is_output && !y->is_input && !y->data && x != y &&
			    c->p[0] == value_nbytes(y) && value_nbytes(c->buf[0]) == value_nbytes(y)) {
				alias[y->id] = x;
				aoff[y->id] = off;
				free(c->p);
				free(c->f);
				continue;	/* dropped */
			}
		}
		/* a strided copy of one contiguous run: p = {1, n, 1, 1} */
		if (c->node && (c->node->op->flags & OPF_SLABS) && c->nbuf == 2 && !c->guard &&
		    !c->init && !g->nguards && !c->boff[0] && c->np == 4 && c->p[0] == 1 &&
		    c->p[2] == 1 && c->p[3] == 1 && c->p[1] == value_numel(c->buf[0])) {
			x = root(alias, aoff, c->buf[0], &off);
			y = c->buf[1];
			if (!off && value_nbytes(x) == value_nbytes(c->buf[0]) &&
			    may_live_in(alias, x, y, c->boff[1])) {
				alias[x->id] = y;
				aoff[x->id] = c->boff[1];
				free(c->p);
				free(c->f);
				continue;	/* dropped */
			}
		}
		calls->v[n++] = *c;
	}
	calls->n = n;
	for (i = 0; i < calls->n; i++)
		for (j = 0; j < calls->v[i].nbuf; j++) {
			calls->v[i].buf[j] = root(alias, aoff, calls->v[i].buf[j], &off);
			calls->v[i].boff[j] += off;
		}
	for (i = 0; i < g->nguards; i++)
		g->guards[i]->cond = root(alias, aoff, g->guards[i]->cond, &off);
	free(alias);
	free(aoff);
}

int pass_memplan(Graph *g)
{
	KCallList *calls = g->calls;
	Live *lv = xcalloc(g->nvalues, sizeof(Live));
	int *slot = xmalloc(g->nvalues * sizeof(int));
	int n = 0, i, j, o, best;
	int64_t blob = 0, arena = 0, stat = 0;

	for (i = 0; i < g->nvalues; i++)
		slot[i] = -1;
	alias_views(g, calls);
	for (i = 0; i < calls->n; i++) {
		Value *v;
		for (j = 0; (v = kcall_value(&calls->v[i], j)); j++) {
			if (v->is_input || v->is_output) {
				v->mem = v->is_input ? MEM_INPUT : MEM_OUTPUT;
				continue;
			}
			if (v->data) {
				if (v->mem != MEM_CONST) {
					int64_t sz = v->is_splat ? dt_size(v->dtype) : value_nbytes(v);
					v->mem = MEM_CONST;
					v->offset = blob;
					/* at least one byte, so an empty constant still has an address */
					blob = align_up(blob + (sz ? sz : 1));
					if (blob > MAX_CONST_BYTES) {
						free(lv);
						free(slot);
						return ir_error("the constants exceed the limit of 2^32 bytes "
								"(4 GiB) at '%s' (%s)", v->name,
								shape_str(v, (char[128]){0}, 128));
					}
				}
				continue;
			}
			if (v->mem == MEM_STATIC) {
				if (slot[v->id] == -1) {
					slot[v->id] = -2;	/* placed */
					v->offset = stat;
					stat = align_up(stat + (value_nbytes(v) ? value_nbytes(v) : 1));
					if (stat > MAX_ARENA_BYTES) {
						free(lv);
						free(slot);
						return ir_error("static storage would exceed the limit of "
								"2^40 bytes (1 TiB) at '%s'", v->name);
					}
				}
				continue;
			}
			if (slot[v->id] < 0) {
				slot[v->id] = n;
				lv[n].v = v;
				lv[n].first = i;
				lv[n].size = align_up(value_nbytes(v));
				v->mem = MEM_ARENA;
				n++;
			}
			lv[slot[v->id]].last = i;
		}
	}
	g->arena_lower_bound = lower_bound(lv, n, calls->n);
	/* try each order; place once more in the best one */
	for (o = 0, best = 0, arena = -1; o < (int)(sizeof orders / sizeof orders[0]); o++) {
		int64_t size = plan(lv, n, orders[o]);
		if (arena < 0 || size < arena) {
			arena = size;
			best = o;
		}
	}
	plan(lv, n, orders[best]);
	for (i = 0, arena = 0; i < n; i++) {
		if (lv[i].v->offset + lv[i].size > arena)
			arena = lv[i].v->offset + lv[i].size;
		if (arena > MAX_ARENA_BYTES) {
			const Value *v = lv[i].v;
			char sh[128];
			ir_error("the arena would exceed the limit of 2^40 bytes (1 TiB): tensor '%s' "
				 "(%s%s, %lld bytes) goes at offset %lld", v->name, dt_name(v->dtype),
				 shape_str(v, sh, sizeof sh), (long long)value_nbytes(v),
				 (long long)v->offset);
			free(lv);
			free(slot);
			return -1;
		}
	}
	g->arena_size = arena;
	g->const_size = blob;
	g->static_size = stat;
	g->planned = 1;
	free(lv);
	free(slot);
	return 0;
}
