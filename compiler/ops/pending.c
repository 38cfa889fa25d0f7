/* pending.c: families not written yet; each reports the node as unsupported.
 * Delete a family from here when its ops/<file>.c lands. */
#include "ops_util.h"

#define PENDING(family) \
	int family##_infer(Node *n) { return node_error(n, "operator %s is not implemented yet", n->op_type); } \
	int family##_lower(Node *n, Lower *L) { (void)L; die("%s lowered before inference", n->name); }

PENDING(clip)
PENDING(cast)
PENDING(matmul)
PENDING(gemm)
PENDING(conv)
PENDING(pool)
PENDING(globalpool)
PENDING(batchnorm)
PENDING(lrn)
PENDING(softmax)
PENDING(range)
PENDING(transpose)
PENDING(concat)
PENDING(split)
PENDING(slice)
PENDING(gather)
PENDING(expand)
PENDING(tile)
PENDING(pad)
PENDING(reduce)
PENDING(argreduce)
