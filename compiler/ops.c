/* ops.c: the operator table, generated from ops.def. */
#include <string.h>

#include "ops.h"

static const OpInfo op_table[] = {
#define OP(name, domain, since, until, mini, maxi, mino, maxo, family, aux, flags) \
	{#name, domain, since, until, mini, maxi, mino, maxo, family##_infer, family##_lower, aux, flags},
#include "ops.def"
#undef OP
};

#define NOPS ((int)(sizeof op_table / sizeof op_table[0]))

const OpInfo *op_lookup(const char *domain, const char *op_type, int version)
{
	int i;

	for (i = 0; i < NOPS; i++) {
		const OpInfo *o = &op_table[i];
		if (strcmp(o->name, op_type) == 0 && strcmp(o->domain, domain) == 0 &&
		    o->since <= version && version <= o->until)
			return o;
	}
	return NULL;
}

int op_known(const char *domain, const char *op_type)
{
	return op_versions(domain, op_type, NULL, NULL);
}

int op_versions(const char *domain, const char *op_type, int *since, int *until)
{
	int i, known = 0, lo = 0, hi = 0;

	for (i = 0; i < NOPS; i++) {
		const OpInfo *o = &op_table[i];
		if (strcmp(o->name, op_type) != 0 || strcmp(o->domain, domain) != 0)
			continue;
		if (!known || o->since < lo)
			lo = o->since;
		if (!known || o->until > hi)
			hi = o->until;
		known = 1;
	}
	if (since)
		*since = lo;
	if (until)
		*until = hi;
	return known;
}
