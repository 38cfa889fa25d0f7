/* passes.h: the compile-time passes, run in this order by compile() in driver.c. */
#ifndef ONNXCC_PASSES_H
#define ONNXCC_PASSES_H

#include "ir.h"

int pass_infer(Graph *g);      /* types and shapes; folds small constant nodes (shape math) */
int pass_fold(Graph *g);       /* evaluates every remaining node with constant inputs */
int pass_dce(Graph *g);        /* drops nodes whose outputs nothing uses */
int pass_fuse(Graph *g);       /* graph rewrites and epilogue fusion (-O1 and up) */
int pass_lower(Graph *g);      /* nodes -> kernel calls (lower.h) */
int pass_memplan(Graph *g);    /* arena offsets by liveness, constant blob offsets */

/* The -O level (0..3) the passes run at; compile() sets it.  -O0 fuses nothing. */
extern int pass_opt_level;

/* Infer (and, if its inputs are constant and its outputs small, fold) one
 * node; control flow nodes expand into the nodes after them (ops/control.c). */
int infer_node(Graph *g, Node *n);

/* Evaluate one node whose inputs are all constant; its outputs become constants.
 * Returns 0 if folded, 1 if left alone (too large, not foldable), -1 on error. */
int fold_node(Graph *g, Node *n, int64_t max_bytes);

#endif
