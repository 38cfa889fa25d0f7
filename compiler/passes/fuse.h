/* fuse.h: what the rewrites of passes/fuse.c and passes/fuse_ew.c share. */
#ifndef ONNXCC_FUSE_H
#define ONNXCC_FUSE_H

#include "ir.h"

typedef struct Fuse {
	Graph *g;
	int *uses;       /* reads by live nodes and guards; graph outputs count many */
	Node **first, **last;   /* the first and last live node reading a value */
	int *pos;        /* position of each value's producer in g->nodes, or -1 */
	int fused;       /* rewrites done */
} Fuse;

/* (Re)count the uses, readers and producer positions of every value. */
void fuse_count_uses(Fuse *f);
/* The one node reading v (under guard gd), or NULL. */
Node *fuse_sole_user(const Fuse *f, const Value *v, const Guard *gd);
/* "Conv(name)": how --report names a node (malloc'd). */
char *fuse_node_label(const Node *n);

/* Chains of float32 elementwise nodes into EwChain nodes (fuse_ew.c). */
void fuse_ew_chains(Fuse *f);

#endif
