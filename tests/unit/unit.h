/* unit.h: what every Check unit test includes: the model builder, loading a
 * built model through the real frontend, and running a suite. */
#ifndef ONNXCC_TEST_UNIT_H
#define ONNXCC_TEST_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "frontend/frontend.h"
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
