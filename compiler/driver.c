/* driver.c: the pipeline, top to bottom, with the verifier between passes. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/backend.h"
#include "driver.h"
#include "lower.h"
#include "passes/passes.h"

typedef struct Pass {
	const char *name;
	int (*run)(Graph *g);
} Pass;

static const Pass pipeline[] = {
	{"infer", pass_infer},
	{"fold", pass_fold},
	{"dce", pass_dce},
	{"fuse", pass_fuse},
	{"lower", pass_lower},
	{"memplan", pass_memplan},
};

void name_from_path(const char *path, char *buf, size_t n)
{
	const char *base = strrchr(path, '/');
	size_t i = 0;

	base = base ? base + 1 : path;
	if (isdigit((unsigned char)*base) && n > 2)
		buf[i++] = '_';
	for (; *base && *base != '.' && i + 1 < n; base++)
		buf[i++] = isalnum((unsigned char)*base) ? *base : '_';
	if (i == 0 && n > 6) {
		strcpy(buf, "model");
		return;
	}
	buf[i] = 0;
}

/* An open temporary file beside `path`, renamed over it by commit_file. */
typedef struct OutFile {
	char *path, *tmp;
	FILE *f;
} OutFile;

static int open_out(OutFile *o, const char *path)
{
	int fd;

	o->path = xstrdup(path);
	o->tmp = xmalloc(strlen(path) + 16);
	sprintf(o->tmp, "%s.tmpXXXXXX", path);
	fd = mkstemp(o->tmp);
	if (fd >= 0) {
		/* mkstemp makes the file private; give it the usual mode */
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if (fd < 0 || !(o->f = fdopen(fd, "w")))
		return ir_error("%s: cannot create: %s", path, strerror(errno));
	return 0;
}

static void discard_out(OutFile *o)
{
	if (o->f)
		fclose(o->f);
	if (o->tmp && o->f)
		unlink(o->tmp);
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof *o);
}

static int close_out(OutFile *o)
{
	int bad = ferror(o->f) | fclose(o->f);

	o->f = NULL;
	if (bad) {
		unlink(o->tmp);
		return ir_error("%s: write failed", o->path);
	}
	return 0;
}

/* --emit, or what the output's extension says; -1 if unknown. */
static int emit_kind(const CompileOptions *co)
{
	static const char *const names[] = {"c", "obj", "asm", "llvm-ir"};
	const char *dot, *slash;
	int i;

	if (co->emit) {
		for (i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
			if (strcmp(co->emit, names[i]) == 0)
				return i;
		return -1;
	}
	dot = co->output ? strrchr(co->output, '.') : NULL;
	slash = co->output ? strrchr(co->output, '/') : NULL;
	if (!dot || (slash && dot < slash))
		return EMIT_C;
	if (strcmp(dot, ".o") == 0 || strcmp(dot, ".obj") == 0)
		return EMIT_OBJ;
	if (strcmp(dot, ".s") == 0 || strcmp(dot, ".S") == 0)
		return EMIT_ASM;
	if (strcmp(dot, ".ll") == 0)
		return EMIT_LLVM_IR;
	return EMIT_C;
}

/* The triple the LLVM backend targets by default: the host's. */
static const char *host_triple(void)
{
#if defined(__x86_64__)
	return "x86_64-linux-gnu";
#elif defined(__aarch64__)
	return "aarch64-linux-gnu";
#else
	return "unknown";
#endif
}

static int write_outputs(Graph *g, const CompileOptions *co)
{
	char name[96], hpath[4096], *dot;
	const char *slash;
	OutFile src = {0}, hdr = {0};
	EmitOptions eo;
	int rc;

	if (co->name)
		snprintf(name, sizeof name, "%s", co->name);
	else
		name_from_path(co->output, name, sizeof name);
	snprintf(hpath, sizeof hpath, "%s", co->output);
	dot = strrchr(hpath, '.');
	slash = strrchr(hpath, '/');
	if (dot && (!slash || dot > slash))
		*dot = 0;
	strncat(hpath, ".h", sizeof hpath - strlen(hpath) - 1);
	slash = strrchr(hpath, '/');
	eo.name = name;
	eo.header_name = slash ? slash + 1 : hpath;
	/* the model's file name only, so the output does not depend on where it was run */
	eo.model_path = strrchr(co->input, '/') ? strrchr(co->input, '/') + 1 : co->input;
	eo.emit = emit_kind(co);
	eo.target = co->target ? co->target : host_triple();
	eo.cpu = co->cpu;
	eo.opt_level = co->opt_level;
	eo.opt_size = co->opt_size;
	if (strcmp(hpath, co->output) == 0)
		return ir_error("%s: the output must not end in .h (the header goes beside it)", co->output);
	rc = open_out(&src, co->output);
	if (rc == 0)
		rc = open_out(&hdr, hpath);
	if (rc == 0)
		rc = (eo.emit == EMIT_C ? &backend_c : &backend_llvm)->emit(g, &eo, src.f);
	if (rc == 0)
		rc = emit_header(g, &eo, hdr.f);
	if (rc == 0)
		rc = close_out(&src);
	if (rc == 0)
		rc = close_out(&hdr);
	if (rc == 0 && rename(hdr.tmp, hdr.path) != 0)
		rc = ir_error("%s: cannot rename into place: %s", hdr.path, strerror(errno));
	if (rc == 0 && rename(src.tmp, src.path) != 0) {
		unlink(hdr.path);
		rc = ir_error("%s: cannot rename into place: %s", src.path, strerror(errno));
	}
	if (rc != 0) {
		if (src.tmp)
			unlink(src.tmp);
		if (hdr.tmp)
			unlink(hdr.tmp);
	}
	discard_out(&src);
	discard_out(&hdr);
	return rc;
}

static void describe(const Value *v, CompiledTensor *t)
{
	t->dtype = v->dtype;
	t->rank = v->rank;
	memcpy(t->dims, v->dims, sizeof v->dims);
	t->nbytes = value_nbytes(v);
}

static int describe_io(const Graph *g, CompiledIO *io, int nprobes)
{
	int i;

	if (g->ninputs > 256 || g->noutputs > 256)
		return ir_error("the model has more than 256 inputs or outputs");
	io->ninputs = g->ninputs;
	io->noutputs = g->noutputs - nprobes;
	io->nprobes = nprobes;
	for (i = 0; i < g->ninputs; i++)
		describe(g->inputs[i], &io->inputs[i]);
	for (i = 0; i < g->noutputs; i++)
		describe(g->outputs[i], &io->outputs[i]);
	if (g->niface_out > 256)
		return ir_error("the model has more than 256 outputs");
	io->ngroups = g->niface_out - nprobes;   /* probes come last, one tensor each */
	for (i = 0; i < io->ngroups; i++) {
		const Value *v = g->iface_out[i];
		CompiledGroup *c = &io->groups[i];
		int k;
		c->first = i ? io->groups[i - 1].first + io->groups[i - 1].count : 0;
		c->count = iface_flatten(v, NULL, 0);
		while (v->is_opt && v->nelems)
			v = v->elems[0];
		c->kind = v->is_opt ? SHAPE_NONE : v->is_seq ? SHAPE_SEQ : SHAPE_TENSOR;
		for (k = c->first; k < c->first + c->count && k < 256; k++)
			io->out_group[k] = i;
	}
	judge_outputs(g, io->noutputs, io->judge);
	return 0;
}

static int valid_identifier(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* --report: the nodes passes/fuse.c merged, one group a line. */
static void report_fused(const Graph *g)
{
	int i, n = 0;

	for (i = 0; i < g->nnodes; i++)
		n += !g->nodes[i]->dead && g->nodes[i]->fused;
	printf("fused: %d\n", n);
	for (i = 0; i < g->nnodes; i++)
		if (!g->nodes[i]->dead && g->nodes[i]->fused)
			printf("  %s\n", g->nodes[i]->fused);
}

int compile(const CompileOptions *co)
{
	Graph *g;
	size_t i;
	int rc = 0, nprobes = 0;

	if (co->name && !valid_identifier(co->name))
		return ir_error("--name %s: not a C identifier", co->name);
	lower_cpu = cpu_parse(co->cpu ? co->cpu : "native");
	if (lower_cpu < 0)
		return ir_error("--cpu %s: expected generic, avx2, avx512f, neon or native", co->cpu);
	if (emit_kind(co) < 0)
		return ir_error("--emit %s: expected c, obj, asm or llvm-ir", co->emit);
	if (co->target && emit_kind(co) == EMIT_C)
		return ir_error("--target %s: C output is portable; --target is for --emit=obj, asm "
				"or llvm-ir", co->target);
	if (co->target && !emit_llvm_available(co->target))
		return ir_error("--target %s: not a target of this onnxcc (x86_64-linux-gnu, "
				"aarch64-linux-gnu, thumbv7em-none-eabihf)", co->target);
	if (co->target) {
		/* The kernels a target has: x86-64's SIMD ones, AArch64's NEON ones
		 * (every AArch64 CPU has Advanced SIMD), else the portable ones. */
		int x86 = strncmp(co->target, "x86_64", 6) == 0;
		int arm64 = strncmp(co->target, "aarch64", 7) == 0;
		int native = !co->cpu || strcmp(co->cpu, "native") == 0;
		if (!x86 && native)
			lower_cpu = arm64 ? CPU_NEON : CPU_GENERIC;
		else if (!x86 && lower_cpu != CPU_GENERIC && !(arm64 && lower_cpu == CPU_NEON))
			return ir_error("--cpu %s: an x86-64 CPU, but --target is %s", co->cpu, co->target);
		else if (x86 && lower_cpu == CPU_NEON)
			return ir_error("--cpu %s: an AArch64 CPU, but --target is %s", co->cpu, co->target);
	}
	if (co->threads < 0 || co->threads > LOWER_MAX_THREADS)
		return ir_error("--threads %d: expected 1 to %d", co->threads, LOWER_MAX_THREADS);
	if (co->threads > 1 && emit_kind(co) != EMIT_C && co->target && strstr(co->target, "-none-"))
		return ir_error("--threads %d: %s is bare metal, without threads", co->threads,
				co->target);
	lower_threads = co->threads > 1 ? co->threads : 1;
	lower_small = co->opt_size;
	if (co->string_bytes && (co->string_bytes < 2 || co->string_bytes > DT_STRING_BYTES_MAX))
		return ir_error("--string-bytes %d: expected 2 to %d", co->string_bytes,
				DT_STRING_BYTES_MAX);
	dt_set_string_bytes(co->string_bytes ? co->string_bytes : DT_STRING_BYTES_DEFAULT);
	pass_opt_level = co->opt_level;
	g = onnx_load(co->input, co->shapes, co->nshapes);
	if (!g)
		return -1;
	if (co->probe_random)
		nprobes = judge_probe(g);
	ir_verify(g, "load");
	for (i = 0; rc == 0 && i < sizeof pipeline / sizeof pipeline[0]; i++) {
		rc = pipeline[i].run(g);
		if (rc == 0)
			ir_verify(g, pipeline[i].name);
		if (rc == 0 && co->dump_ir && strcmp(co->dump_ir, pipeline[i].name) == 0)
			ir_print(g, stdout);
	}
	if (rc == 0 && co->dump_ir && !*co->dump_ir)
		ir_print(g, stdout);
	if (rc == 0 && co->report)
		printf("cpu: %s\n"
		       "arena: %lld bytes (lower bound %lld, %.3fx), constants: %lld bytes, kernel calls: %d\n",
		       cpu_name(lower_cpu),
		       (long long)g->arena_size, (long long)g->arena_lower_bound,
		       g->arena_lower_bound ? (double)g->arena_size / (double)g->arena_lower_bound : 1.0,
		       (long long)g->const_size, g->calls->n);
	if (rc == 0 && co->report) {
		int ninit = 0, j;
		for (j = 0; j < g->calls->n; j++)
			ninit += g->calls->v[j].init;
		printf("static: %lld bytes, filled once by %d init calls\n", (long long)g->static_size,
		       ninit);
		report_fused(g);
	}
	if (rc == 0 && co->output)
		rc = write_outputs(g, co);
	if (rc == 0 && co->io)
		rc = describe_io(g, co->io, nprobes);
	graph_free(g);
	return rc;
}
