/* print.c: the IR printer behind --dump-ir. */
#include <stdio.h>

#include "lower.h"
#include "ops.h"

static void print_value(FILE *f, const Value *v)
{
	char buf[160];

	if (!v) {
		fputs("_", f);
		return;
	}
	fprintf(f, "%%%s:%s%s", v->name, dt_name(v->dtype), v->rank >= 0 ? shape_str(v, buf, sizeof buf) : "[?]");
	if (v->data)
		fputs(v->is_splat ? "=splat" : "=const", f);
}

static void print_attr(FILE *f, const Attr *a)
{
	int i;

	fprintf(f, " %s=", a->name);
	switch (a->type) {
	case AT_INT: fprintf(f, "%lld", (long long)a->i); break;
	case AT_FLOAT: fprintf(f, "%g", a->f); break;
	case AT_STRING: fprintf(f, "\"%s\"", a->s); break;
	case AT_INTS:
		fputc('[', f);
		for (i = 0; i < a->n; i++)
			fprintf(f, "%s%lld", i ? "," : "", (long long)a->ints[i]);
		fputc(']', f);
		break;
	case AT_FLOATS:
		fputc('[', f);
		for (i = 0; i < a->n; i++)
			fprintf(f, "%s%g", i ? "," : "", a->floats[i]);
		fputc(']', f);
		break;
	case AT_STRINGS:
		fputc('[', f);
		for (i = 0; i < a->n; i++)
			fprintf(f, "%s\"%s\"", i ? "," : "", a->strs[i]);
		fputc(']', f);
		break;
	case AT_TENSOR: print_value(f, a->t); break;
	default: fputs("?", f);
	}
}

static void print_calls(FILE *f, const KCallList *l)
{
	int i, j;

	for (i = 0; i < l->n; i++) {
		const KCall *c = &l->v[i];
		fprintf(f, "  call %s(", kernels[c->kernel].name);
		for (j = 0; j < c->nbuf; j++) {
			fprintf(f, "%s%%%s", j ? ", " : "", c->buf[j]->name);
			if (c->boff[j])
				fprintf(f, "+%lld", (long long)c->boff[j]);
		}
		fprintf(f, ") p=%d f=%d  ; %s\n", c->np, c->nf, c->node ? c->node->name : "output copy");
	}
}

void ir_print(Graph *g, void *file)
{
	FILE *f = file;
	int i, j;

	fprintf(f, "graph %s (ir %d, opset %lld)\n", g->name, g->ir_version, (long long)g->opset);
	for (i = 0; i < g->ninputs; i++) {
		fputs("  input ", f);
		print_value(f, g->inputs[i]);
		fputc('\n', f);
	}
	for (i = 0; i < g->nnodes; i++) {
		const Node *n = g->nodes[i];
		if (n->dead)
			continue;
		fputs("  ", f);
		for (j = 0; j < n->nout; j++) {
			fputs(j ? ", " : "", f);
			print_value(f, n->out[j]);
		}
		fprintf(f, " = %s", n->op_type);
		if (n->version)
			fprintf(f, "-%d", n->version);
		fputc('(', f);
		for (j = 0; j < n->nin; j++) {
			fputs(j ? ", " : "", f);
			print_value(f, n->in[j]);
		}
		fputc(')', f);
		for (j = 0; j < n->nattrs; j++)
			print_attr(f, &n->attrs[j]);
		fprintf(f, "  ; %s\n", n->name);
	}
	for (i = 0; i < g->noutputs; i++) {
		fputs("  output ", f);
		print_value(f, g->outputs[i]);
		fputc('\n', f);
	}
	if (g->calls)
		print_calls(f, g->calls);
	if (g->planned)
		fprintf(f, "  arena %lld bytes (lower bound %lld), constants %lld bytes\n",
			(long long)g->arena_size, (long long)g->arena_lower_bound, (long long)g->const_size);
}
