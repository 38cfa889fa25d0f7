/* emit_c.c: the portable C backend.
 *
 * Output layout: the shared runtime header and the kernel templates the model
 * uses (pasted, so the file stands alone), one instantiation line per kernel,
 * the constant blob as one aligned string literal, the metadata tables, and
 * the run function: one block per kernel call with its parameters as static
 * constant arrays, so that after inlining every shape is a literal. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "embedded.h"
#include "lower.h"

static const char *embedded(const char *name)
{
	int i;

	for (i = 0; embedded_files[i].name; i++)
		if (strcmp(embedded_files[i].name, name) == 0)
			return embedded_files[i].text;
	die("template '%s' is not embedded", name);
}

/* Paste a template once; `tmpl` may list several, space-separated, in order. */
static void paste_templates(FILE *out, const char *tmpl, char ***done, int *ndone)
{
	char name[64];
	const char *s = tmpl;
	int i, len;

	while (*s) {
		while (*s == ' ')
			s++;
		for (len = 0; s[len] && s[len] != ' '; len++)
			;
		if (!len)
			break;
		snprintf(name, sizeof name, "%.*s", len, s);
		s += len;
		for (i = 0; i < *ndone; i++)
			if (strcmp((*done)[i], name) == 0)
				break;
		if (i < *ndone)
			continue;
		*done = xrealloc(*done, (*ndone + 1) * sizeof(char *));
		(*done)[(*ndone)++] = xstrdup(name);
		fprintf(out, "\n/* ---- templates/%s ---- */\n%s", name, embedded(name));
	}
}

static void emit_kernels(Graph *g, FILE *out)
{
	char *used = xcalloc(nkernels, 1), **done = NULL;
	int ndone = 0, i;

	if (lower_threads > 1)
		fprintf(out, "\n/* --threads: the kernels' pool (runtime_min/onnxcc_rt.h) */\n"
			"#define ONNXCC_THREADS %d\n", lower_threads);
	fprintf(out, "\n/* ---- runtime_min/onnxcc_rt.h ---- */\n%s", embedded("onnxcc_rt.h"));
	for (i = 0; i < g->calls->n; i++)
		used[g->calls->v[i].kernel] = 1;
	for (i = 0; i < nkernels; i++)
		if (used[i])
			paste_templates(out, kernels[i].tmpl, &done, &ndone);
	fprintf(out, "\n/* ---- kernels ---- */\n");
	for (i = 0; i < nkernels; i++)
		if (used[i])
			fprintf(out, "%s\n", kernels[i].inst);
	for (i = 0; i < ndone; i++)
		free(done[i]);
	free(done);
	free(used);
}

/* The constant blob: every constant a call reads, at its planned offset. */
static void emit_consts(Graph *g, const EmitOptions *o, FILE *out)
{
	unsigned char *blob;
	int64_t i, col = 0;
	int j;

	if (g->const_size == 0)
		return;
	blob = xcalloc(1, (size_t)g->const_size);
	for (j = 0; j < g->nvalues; j++) {
		const Value *v = g->values[j];
		if (v->mem == MEM_CONST)
			memcpy(blob + v->offset, v->data,
			       (size_t)(v->is_splat ? dt_size(v->dtype) : value_nbytes(v)));
	}
	fprintf(out, "\n/* Constants, %lld bytes, little-endian. */\n", (long long)g->const_size);
	fprintf(out, "static const union {\n\tunsigned char b[%lld];\n\tuint64_t align_;\n} %s_consts ONNXCC_ALIGNED(64) = {\n\"",
		(long long)g->const_size, o->name);
	for (i = 0; i < g->const_size; i++) {
		unsigned c = blob[i];
		if (col >= 96) {
			fputs("\"\n\"", out);
			col = 0;
		}
		if (c >= 32 && c < 127 && c != '\\' && c != '"' && c != '?') {
			fputc((int)c, out);
			col++;
		} else {
			fprintf(out, "\\%03o", c);
			col += 4;
		}
	}
	fputs("\"\n};\n", out);
	free(blob);
}

/* A C string literal for an arbitrary name. */
static void emit_cstring(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 32 && c < 127 && c != '\\' && c != '"' && c != '?')
			fputc(c, out);
		else
			fprintf(out, "\\%03o", c);
	}
	fputc('"', out);
}

static void emit_info(FILE *out, const Graph *g, const EmitOptions *o, const char *which,
		      Value **vals, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		fprintf(out, "static const int64_t %s_shape_%s%d[] = {", o->name, which, i);
		for (j = 0; j < vals[i]->rank; j++)
			fprintf(out, "%s%lld", j ? ", " : "", (long long)vals[i]->dims[j]);
		fprintf(out, "%s};\n", vals[i]->rank ? "" : "0");
	}
	fprintf(out, "const %s_tensor_info %s_%s[] = {\n", o->name, o->name, which);
	for (i = 0; i < n; i++)
	{
		fputs("\t{", out);
		emit_cstring(out, vals[i]->name);
		fprintf(out, ", %d, %d, %s_shape_%s%d, %lld},\n", vals[i]->dtype,
			vals[i]->rank, o->name, which, i, (long long)value_nbytes(vals[i]));
	}
	if (!n)
		fprintf(out, "\t{0, 0, 0, 0, 0}\n");
	fprintf(out, "};\n");
	(void)g;
}

static void emit_double(FILE *out, double x)
{
	if (isnan(x))
		fputs("NAN", out);
	else if (isinf(x))
		fputs(x > 0 ? "HUGE_VAL" : "-HUGE_VAL", out);
	else
		fprintf(out, "%a", x);
}

static void emit_buffer(FILE *out, const Graph *g, const Value *v, int64_t off)
{
	char pname[128];

	switch (v->mem) {
	case MEM_ARENA:
		fprintf(out, "A + %lld", (long long)(v->offset + off));
		break;
	case MEM_CONST:
		fprintf(out, "(void *)(C + %lld)", (long long)(v->offset + off));
		break;
	case MEM_STATIC:
		fprintf(out, "S + %lld", (long long)(v->offset + off));
		break;
	case MEM_INPUT:
	case MEM_OUTPUT:
		emit_param_name(g, v, pname, sizeof pname);
		if (off)
			fprintf(out, "(void *)((%sunsigned char *)%s + %lld)",
				v->mem == MEM_INPUT ? "const " : "", pname, (long long)off);
		else
			fprintf(out, "(void *)%s", pname);
		break;
	default:
		die("tensor '%s' has no memory", v->name);
	}
}

static void emit_call(FILE *out, const Graph *g, const KCall *c, const KCall *prev)
{
	int i;

	if (c->node && (!prev || prev->node != c->node))
		fprintf(out, "\t/* node '%s' (%s) */\n", c->node->name, c->node->op_type);
	else if (!c->node)
		fprintf(out, "\t/* graph output copy */\n");
	fprintf(out, "\t{\n");
	if (c->np) {
		fprintf(out, "\t\tstatic const int64_t p[] = {");
		for (i = 0; i < c->np; i++)
			fprintf(out, "%s%lld", i ? ", " : "", (long long)c->p[i]);
		fprintf(out, "};\n");
	}
	if (c->nf) {
		fprintf(out, "\t\tstatic const double f[] = {");
		for (i = 0; i < c->nf; i++) {
			fputs(i ? ", " : "", out);
			emit_double(out, c->f[i]);
		}
		fprintf(out, "};\n");
	}
	fprintf(out, "\t\tvoid *const b[] = {");
	for (i = 0; i < c->nbuf; i++) {
		fputs(i ? ", " : "", out);
		emit_buffer(out, g, c->buf[i], c->boff[i]);
	}
	if (c->checks)
		fprintf(out, "%s&status", c->nbuf ? ", " : "");
	fprintf(out, "%s};\n", c->nbuf || c->checks ? "" : "0");
	fprintf(out, "\t\t%s(b, %s, %s);\n", kernels[c->kernel].name, c->np ? "p" : "0",
		c->nf ? "f" : "0");
	fprintf(out, "\t\tONNXCC_BARRIER();\n");
	if (c->checks)
		fprintf(out, "\t\tif (status)\n\t\t\treturn status;\n");
	fprintf(out, "\t}\n");
}

/* Close and open `if (cond) {` blocks so that exactly the guards of the
 * next call are open (open[0..nopen) is the chain from the outermost). */
static int emit_guards(FILE *out, const Graph *g, const Guard *want, const Guard **open, int nopen)
{
	const Guard *chain[64];
	int common, depth = guard_chain(want, chain, open, nopen, &common);

	for (; nopen > common; nopen--)
		fprintf(out, "\t}\n");
	for (; nopen < depth; nopen++) {
		fprintf(out, "\tif (*(const unsigned char *)(");
		emit_buffer(out, g, chain[nopen]->cond, 0);
		fprintf(out, ")) {\n");
		open[nopen] = chain[nopen];
	}
	return nopen;
}

/* Static storage and NAME_init(), which runs the init calls once. */
static void emit_init(FILE *out, const Graph *g, const EmitOptions *o)
{
	const KCall *prev = NULL;
	int i;

	if (g->static_size)
		fprintf(out, "\n/* Static storage, %lld bytes: what %s_init computes from the "
			"constants. */\nstatic union {\n\tunsigned char b[%lld];\n\tuint64_t align_;\n"
			"} %s_static ONNXCC_ALIGNED(64);\n", (long long)g->static_size, o->name,
			(long long)g->static_size, o->name);
	fprintf(out, "static int %s_ready;\n\nvoid %s_init(void)\n{\n", o->name, o->name);
	if (g->static_size)
		fprintf(out, "\tunsigned char *S = %s_static.b;\n", o->name);
	if (g->const_size)
		fprintf(out, "\tconst unsigned char *C = %s_consts.b;\n\n\t(void)C;\n", o->name);
	fprintf(out, "\n\tif (%s_ready)\n\t\treturn;\n", o->name);
	for (i = 0; i < g->calls->n; i++)
		if (g->calls->v[i].init) {
			emit_call(out, g, &g->calls->v[i], prev);
			prev = &g->calls->v[i];
		}
	fprintf(out, "\t%s_ready = 1;\n}\n", o->name);
}

static void emit_run(FILE *out, const Graph *g, const EmitOptions *o)
{
	char pname[128];
	const Guard **open = xcalloc(64, sizeof(Guard *));
	int i, nopen = 0;

	emit_init(out, g, o);
	fprintf(out, "\n");
	emit_run_prototype(out, g, o->name);
	fprintf(out, "\n{\n\tunsigned char *A = (unsigned char *)arena;\n");
	if (g->const_size)
		fprintf(out, "\tconst unsigned char *C = %s_consts.b;\n", o->name);
	if (g->static_size)
		fprintf(out, "\tunsigned char *S = %s_static.b;\n", o->name);
	fprintf(out, "\n\tif (");
	for (i = 0; i < g->ninputs + g->noutputs; i++) {
		emit_param_name(g, i < g->ninputs ? g->inputs[i] : g->outputs[i - g->ninputs],
				pname, sizeof pname);
		fprintf(out, "%s!%s", i ? " || " : "", pname);
	}
	if (g->arena_size)
		fprintf(out, " || !arena");
	fprintf(out, ")\n\t\treturn 1;\n\t(void)A;\n%s%s\tif (!%s_ready)\n\t\t%s_init();\n",
		g->const_size ? "\t(void)C;\n" : "", g->static_size ? "\t(void)S;\n" : "", o->name, o->name);
	for (i = 0; i < g->calls->n && !g->calls->v[i].checks; i++)
		;
	if (i < g->calls->n)
		fprintf(out, "\tint status = 0;\n");
	for (i = 0; i < g->calls->n; i++) {
		if (g->calls->v[i].init)
			continue;
		nopen = emit_guards(out, g, g->calls->v[i].guard, open, nopen);
		emit_call(out, g, &g->calls->v[i], i ? &g->calls->v[i - 1] : NULL);
	}
	emit_guards(out, g, NULL, open, nopen);
	free(open);
	fprintf(out, "\treturn 0;\n}\n");
}

static void emit_generic(FILE *out, const Graph *g, const EmitOptions *o)
{
	int i;

	fprintf(out, "\nint %s_run_generic(const void *const *inputs, void *const *outputs, void *arena)\n{\n",
		o->name);
	if (g->ninputs)
		fprintf(out, "\tif (!inputs || !outputs)\n\t\treturn 1;\n");
	else
		fprintf(out, "\t(void)inputs;\n\tif (!outputs)\n\t\treturn 1;\n");
	fprintf(out, "\treturn %s_run(", o->name);
	for (i = 0; i < g->ninputs; i++)
		fprintf(out, "(const %s *)inputs[%d], ", dt_ctype(g->inputs[i]->dtype), i);
	for (i = 0; i < g->noutputs; i++)
		fprintf(out, "(%s *)outputs[%d], ", dt_ctype(g->outputs[i]->dtype), i);
	fprintf(out, "arena);\n}\n");
}

static int emit_c(Graph *g, const EmitOptions *o, FILE *out)
{
	fprintf(out, "/* generated by onnxcc %s from %s, do not edit.\n"
		" * Kernels come from onnxcc's templates/ (named in each section).\n"
		" * Target CPU: %s (--cpu)%s. */\n",
		ONNXCC_VERSION, o->model_path, cpu_name(lower_cpu),
		lower_cpu == CPU_GENERIC ? "" : ": run it only on a CPU with these instructions");
	if (lower_threads > 1)	/* the pool's CPU affinity (onnxcc_rt.h) */
		fprintf(out, "#if defined(__linux__) && !defined(_GNU_SOURCE)\n"
			"#define _GNU_SOURCE\n#endif\n");
	fprintf(out, "#include \"%s\"\n", o->header_name);
	emit_kernels(g, out);
	emit_consts(g, o, out);
	fprintf(out, "\n");
	emit_info(out, g, o, "inputs", g->inputs, g->ninputs);
	emit_info(out, g, o, "outputs", g->outputs, g->noutputs);
	emit_run(out, g, o);
	emit_generic(out, g, o);
	if (lower_threads > 1)
		fprintf(out, "\nvoid %s_threads_join(void)\n{\n\tonnxcc_pool_join();\n}\n", o->name);
	return ferror(out) ? ir_error("cannot write the C source") : 0;
}

const Backend backend_c = {"c", emit_c};
