/* pending.c: families not written yet; each reports the node as unsupported.
 * Delete a family from here when its ops/<file>.c lands. */
#include "ops_util.h"

#define PENDING(family) \
	int family##_infer(Node *n) { return node_error(n, "operator %s is not implemented yet", n->op_type); } \
	int family##_lower(Node *n, Lower *L) { (void)L; die("%s lowered before inference", n->name); }

