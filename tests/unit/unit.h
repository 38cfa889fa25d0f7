/* unit.h: what every Check unit test includes: the model builder, loading a
 * built model through the real frontend, and running a suite. */
#ifndef ONNXCC_TEST_UNIT_H
#define ONNXCC_TEST_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend/frontend.h"
#include "lower.h"
#include "model_builder.h"

/* Serialize, write and onnx_load the model (NULL with ir_last_error set). */
static inline Graph *unit_load(MB *b)
{
	size_t len;
	uint8_t *bytes = mb_bytes(b, &len);
	Graph *g = onnx_load(mb_write_tmp(b, bytes, len), NULL, 0);

	unlink(b->path);
	free(bytes);
	return g;
}

/* The op types of the live nodes, space-separated, in order ("Reshape"). */
static inline const char *unit_live_ops(const Graph *g)
{
	static char buf[1024];
	size_t len = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < g->nnodes; i++)
		if (!g->nodes[i]->dead)
			len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? " " : "",
						g->nodes[i]->op_type);
	return buf;
}

/* Fills graph input i, value v, whose bytes are at buf. */
typedef void (*UnitFill)(const Value *v, void *buf, int i);

/* Run g's lowered calls (after pass_lower) in the compiler, with the kernels
 * the generated code uses: graph inputs filled by fill, constants their
 * data, the other values zeroed.  Returns a malloc'd copy of value `name`'s
 * bytes (*n its elements). */
static inline void *unit_run_calls(Graph *g, UnitFill fill, const char *name, int64_t *n)
{
	void **bufs = xcalloc((size_t)g->nvalues, sizeof(void *)), *out;
	Value *y;
	int i, j;

	for (i = 0; i < g->ninputs; i++) {
		Value *v = g->inputs[i];
		bufs[v->id] = xmalloc((size_t)value_nbytes(v) + 1);
		fill(v, bufs[v->id], i);
	}
	for (i = 0; i < g->calls->n; i++)
		for (j = 0; j < g->calls->v[i].nbuf; j++) {
			Value *v = g->calls->v[i].buf[j];
			if (bufs[v->id])
				continue;
			ck_assert_msg(!v->is_splat || value_numel(v) == 1, "%s is a splat", v->name);
			bufs[v->id] = v->data ? v->data : xcalloc(1, (size_t)value_nbytes(v) + 1);
		}
	ck_assert_int_eq(kernels_run(g->calls, bufs), 0);
	y = graph_find(g, name);
	ck_assert_ptr_nonnull(y);
	ck_assert_ptr_nonnull(bufs[y->id]);
	*n = value_numel(y);
	out = xmalloc((size_t)value_nbytes(y) + 1);
	memcpy(out, bufs[y->id], (size_t)value_nbytes(y));
	for (i = 0; i < g->nvalues; i++)
		if (bufs[i] && !g->values[i]->data)
			free(bufs[i]);
	free(bufs);
	return out;
}

/* Run a suite; the process exit status. */
static inline int unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
