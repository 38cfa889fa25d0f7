/* test_memplan.c: the static memory plan (pass_memplan).  Each test lowers a
 * graph through the whole pipeline, then checks the plan against lifetimes it
 * computes itself from the kernel-call list: tensors alive at the same call
 * never overlap, and space is reused once a tensor is dead. */
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "unit.h"
#include "passes/passes.h"

typedef struct Plan {
	Graph *g;
	int *first, *last;   /* call indices by value id, -1 if not in the arena */
	int64_t sum;         /* total bytes of the arena tensors */
	int count;           /* number of arena tensors */
} Plan;

/* Run every pass and derive each arena tensor's lifetime from the calls. */
static Plan planned(MB *b)
{
	Plan p = {0};
	int i, j;

	p.g = unit_load(b);
	ck_assert_msg(p.g != NULL, "load: %s", ir_last_error());
	ck_assert_msg(pass_infer(p.g) == 0, "infer: %s", ir_last_error());
	ck_assert_msg(pass_fold(p.g) == 0, "fold: %s", ir_last_error());
	ck_assert_msg(pass_dce(p.g) == 0, "dce: %s", ir_last_error());
	ck_assert_msg(pass_lower(p.g) == 0, "lower: %s", ir_last_error());
	ck_assert_msg(pass_memplan(p.g) == 0, "memplan: %s", ir_last_error());
	p.first = malloc(p.g->nvalues * sizeof(int));
	p.last = malloc(p.g->nvalues * sizeof(int));
	for (i = 0; i < p.g->nvalues; i++)
		p.first[i] = p.last[i] = -1;
	for (i = 0; i < p.g->calls->n; i++)
		for (j = 0; j < p.g->calls->v[i].nbuf; j++) {
			const Value *v = p.g->calls->v[i].buf[j];
			if (v->mem != MEM_ARENA)
				continue;
			if (p.first[v->id] < 0) {
				p.first[v->id] = i;
				p.sum += value_nbytes(v);
				p.count++;
			}
			p.last[v->id] = i;
		}
	return p;
}

/* Every pair of arena tensors alive at a common call occupies disjoint bytes,
 * and every tensor lies inside the arena. */
static void check_no_overlap(const Plan *p)
{
	const Graph *g = p->g;
	int i, j;

	for (i = 0; i < g->nvalues; i++) {
		const Value *a = g->values[i];
		if (p->first[i] < 0)
			continue;
		ck_assert_int_ge(a->offset, 0);
		ck_assert_int_le(a->offset + value_nbytes(a), g->arena_size);
		for (j = i + 1; j < g->nvalues; j++) {
			const Value *b = g->values[j];
			if (p->first[j] < 0 || p->last[i] < p->first[j] || p->last[j] < p->first[i])
				continue;
			ck_assert_msg(a->offset + value_nbytes(a) <= b->offset ||
					      b->offset + value_nbytes(b) <= a->offset,
				      "'%s' [%lld,+%lld) and '%s' [%lld,+%lld) are alive together and overlap",
				      a->name, (long long)a->offset, (long long)value_nbytes(a), b->name,
				      (long long)b->offset, (long long)value_nbytes(b));
		}
	}
}

/* X -> Relu -> Neg -> Exp -> Relu -> Add(_, first Relu): four 1 KiB temporaries,
 * at most three alive at once. */
START_TEST(diamond_reuses_space)
{
	MB *b = mb_new(13);
	static const int64_t x[] = {256};
	Plan p;

	mb_input(b, "X", DT_FLOAT, 1, x);
	mb_node(b, "Relu", "r1", "X", "a");
	mb_node(b, "Neg", "n", "a", "b");
	mb_node(b, "Exp", "e", "b", "c");
	mb_node(b, "Relu", "r2", "c", "d");
	mb_node(b, "Add", "add", "d,a", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	p = planned(b);
	check_no_overlap(&p);
	ck_assert_int_eq(p.count, 4);
	ck_assert_int_eq(p.sum, 4 * 1024);
	ck_assert_int_lt(p.g->arena_size, p.sum);
	ck_assert_int_ge(p.g->arena_size, p.g->arena_lower_bound);
	ck_assert_int_le(p.g->arena_lower_bound, 3 * 1024);
	/* a is read by the last call, so it is alive throughout */
	ck_assert_int_eq(p.last[graph_find(p.g, "a")->id], p.g->calls->n - 1);
	graph_free(p.g);
}
END_TEST

/* A chain of eight unary ops needs two buffers, not seven. */
START_TEST(chain_needs_two_buffers)
{
	static const char *ops[] = {"Relu", "Neg", "Exp", "Neg", "Relu", "Sigmoid", "Tanh", "Abs"};
	static const char *names[] = {"X", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "Y"};
	MB *b = mb_new(13);
	static const int64_t x[] = {4, 64};
	Plan p;
	int i;

	mb_input(b, "X", DT_FLOAT, 2, x);
	for (i = 0; i < 8; i++)
		mb_node(b, ops[i], names[i + 1], names[i], names[i + 1]);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	p = planned(b);
	check_no_overlap(&p);
	ck_assert_int_eq(p.count, 7);
	ck_assert_int_le(p.g->arena_size, 2 * 1024);
	ck_assert_int_lt(p.g->arena_size, p.sum);
	graph_free(p.g);
}
END_TEST

/* Tensors of different sizes with interleaved lifetimes. */
START_TEST(mixed_sizes)
{
	MB *b = mb_new(13);
	static const int64_t small[] = {16}, big[] = {8, 16}, big3[] = {4, 8, 16};
	Plan p;

	mb_input(b, "S", DT_FLOAT, 1, small);
	mb_input(b, "B", DT_FLOAT, 2, big);
	mb_input(b, "C", DT_FLOAT, 3, big3);
	mb_node(b, "Relu", "r1", "S", "s1");
	mb_node(b, "Add", "a1", "B,s1", "b1");
	mb_node(b, "Mul", "m1", "C,b1", "c1");
	mb_node(b, "Neg", "n1", "s1", "s2");
	mb_node(b, "Sub", "s", "c1,s2", "c2");
	mb_node(b, "Relu", "r2", "c2", "c3");
	mb_node(b, "Add", "a2", "c3,b1", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	p = planned(b);
	check_no_overlap(&p);
	ck_assert_int_ge(p.g->arena_size, p.g->arena_lower_bound);
	ck_assert_int_lt(p.g->arena_size, p.sum);
	graph_free(p.g);
}
END_TEST

/* The calls of kernel `name` (lower.h). */
static int calls_of(const Graph *g, const char *name)
{
	int k = kernel_find(name), i, n = 0;

	for (i = 0; i < g->calls->n; i++)
		n += g->calls->v[i].kernel == k;
	return n;
}

/* The call computing `name` before memplan, now: which value and offset it writes. */
static const KCall *writer(const Graph *g, const char *node)
{
	int i;

	for (i = 0; i < g->calls->n; i++)
		if (g->calls->v[i].node && strcmp(g->calls->v[i].node->name, node) == 0)
			return &g->calls->v[i];
	ck_abort_msg("no call of node '%s'", node);
	return NULL;
}

/* Concat(a, b) of two computed tensors: a and b are computed in their slabs
 * of c, with no copy; a, read again after the Concat, is read there.  A
 * second Concat of X (an input) and a copies both: X lives in the caller's
 * buffer, a already lives in c. */
START_TEST(concat_inputs_live_in_their_slabs)
{
	MB *b = mb_new(13);
	static const int64_t x[] = {16, 16};
	const Value *c;
	const KCall *k;
	Plan p;

	mb_input(b, "X", DT_FLOAT, 2, x);
	mb_node(b, "Relu", "relu", "X", "a");
	mb_node(b, "Neg", "neg", "X", "b");
	mb_attr_i(mb_node(b, "Concat", "cat", "a,b", "c"), "axis", 0);
	mb_node(b, "Exp", "exp", "c", "Y");
	mb_node(b, "Sigmoid", "sig", "a", "Z");
	mb_attr_i(mb_node(b, "Concat", "cat2", "X,a", "W"), "axis", 1);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	mb_output(b, "Z", DT_FLOAT, -1, NULL);
	mb_output(b, "W", DT_FLOAT, -1, NULL);
	p = planned(b);
	check_no_overlap(&p);
	c = graph_find(p.g, "c");
	ck_assert_int_eq(calls_of(p.g, "x32_strided__scalar"), 2);	/* cat2's two */
	k = writer(p.g, "relu");
	ck_assert_ptr_eq(k->buf[1], c);
	ck_assert_int_eq(k->boff[1], 0);
	k = writer(p.g, "neg");
	ck_assert_ptr_eq(k->buf[1], c);
	ck_assert_int_eq(k->boff[1], 1024);
	k = writer(p.g, "sig");
	ck_assert_ptr_eq(k->buf[0], c);
	ck_assert_int_eq(k->boff[0], 0);
	ck_assert_int_eq(p.count, 1);	/* c alone is in the arena */
	ck_assert_int_eq(p.g->arena_size, 2048);
	graph_free(p.g);
}
END_TEST

static Suite *memplan_suite(void)
{
	Suite *s = suite_create("memplan");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, diamond_reuses_space);
	tcase_add_test(tc, chain_needs_two_buffers);
	tcase_add_test(tc, mixed_sizes);
	tcase_add_test(tc, concat_inputs_live_in_their_slabs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(memplan_suite());
}
