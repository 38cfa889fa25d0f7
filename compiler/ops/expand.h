/* expand.h: replacing a node by other nodes during inference (expand.c). */
#ifndef ONNXCC_EXPAND_H
#define ONNXCC_EXPAND_H

#include "ops_util.h"

/* Expansions stop with an error beyond this many nodes in the graph. */
#define MAX_EXPANDED_NODES 200000

/* No "axis" attribute for expand_op. */
#define NO_AXIS (-1000)

typedef struct Expand {
	Graph *g;
	Node *n;              /* the node being replaced */
	int seq;              /* for unique names */
} Expand;

/* Begin replacing n; expand_finish(e, rc) moves the new nodes right after n and,
 * if rc is 0, retires n (its outputs now belong to the new nodes).  Returns rc. */
void expand_start(Expand *e, Node *n, int *from);
int expand_finish(Expand *e, int from, int rc);

/* A new value named after the node; a constant scalar; a constant 1-D axes list. */
Value *expand_value(Expand *e, const char *what);
Value *expand_scalar(Expand *e, int dtype, int64_t x);
Value *expand_axes(Expand *e, int64_t axis);

/* A new default-domain node (op from the table in expand.c) under guard gd, with
 * output `out` or a new value: expand_node makes it (add attributes, then
 * expand_done infers it); expand_op does both, setting "axis" unless NO_AXIS.
 * They return the output, or NULL after an error. */
Node *expand_node(Expand *e, Guard *gd, const char *op, Value *const *in, int nin, Value *out);
Value *expand_done(Expand *e, Node *m);
Value *expand_op(Expand *e, Guard *gd, const char *op, Value *const *in, int nin, Value *out,
		 int64_t axis);
/* A run-time check that bool scalar cond holds (else NAME_ERR_SHAPE). */
Value *expand_check(Expand *e, Value *cond);

/* Copy subgraph b under guard gd: its inputs are args[0..nargs), the names it
 * reads from outer scopes resolve through the node's captures; res[i] gets the
 * value of b's output i.  tag prefixes the copies' names. */
int expand_clone(Expand *e, const Graph *b, Value *const *args, int nargs, Guard *gd,
		 const char *tag, Value **res);
/* The graph attribute `name` of n, or NULL after an error. */
const Graph *node_subgraph(const Node *n, const char *name);

static inline int is_const_true(const Value *v) { return v->data && const_i64(v, 0) != 0; }
static inline int is_const_false(const Value *v) { return v->data && const_i64(v, 0) == 0; }

#endif
