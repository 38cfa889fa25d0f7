/* main.c: the onnxcc command line.  Exit 0 on success, 1 when the model
 * cannot be compiled, 2 on bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "lower.h"

static const char usage[] =
	"usage: onnxcc MODEL.onnx -o OUT.c|OUT.o [options]\n"
	"\n"
	"Compile an ONNX model ahead of time into C (OUT.c) or, through LLVM, an\n"
	"object file (OUT.o), with OUT.h beside it.\n"
	"The header declares NAME_run(inputs..., outputs..., arena), a generic entry\n"
	"NAME_run_generic, NAME_ARENA_SIZE and metadata tables.\n"
	"\n"
	"options:\n"
	"  -o FILE               output file (the header is FILE with .h)\n"
	"  --emit=KIND           c (C source, the C backend), obj (object file),\n"
	"                        asm or llvm-ir (the LLVM backend); default from\n"
	"                        FILE's extension: .o obj, .s asm, .ll llvm-ir, else c\n"
	"  --target TRIPLE       LLVM backend target: x86_64-linux-gnu,\n"
	"                        aarch64-linux-gnu, thumbv7em-none-eabihf\n"
	"                        (Cortex-M4F); default: this machine\n"
	"  --name NAME           symbol prefix (default: the output file's stem)\n"
	"  -O0 | -O1 | -O2 | -O3 optimization level (default -O2; -O0 fuses no nodes)\n"
	"  -Os                   -O2 without transforms that grow the constants\n"
	"                        (Winograd convolution), and the LLVM backend\n"
	"                        optimizes for code size (firmware); the C backend\n"
	"                        leaves that to your cc\n"
	"  --shape NAME=D0,D1,.. static shape for an input with symbolic dimensions\n"
	"  --shape NAME=seq:D0,D1;D0,D1;..  a sequence input: its elements' shapes\n"
	"                       ('-' is a scalar element, 'seq:' an empty sequence)\n"
	"  --shape NAME=none    an optional input that is absent\n"
	"  --string-bytes N      bytes of one string element (text, NUL, zero padding),\n"
	"                        default 64; longer results make the run function\n"
	"                        return NAME_ERR_STRING\n"
	"  --dump-ir[=PASS]      print the IR after PASS (infer, fold, dce, fuse, lower,\n"
	"                        memplan) or after the last pass\n"
	"  --cpu NAME            target CPU of the kernels: generic (portable C),\n"
	"                        avx2 (AVX2+FMA), avx512f, neon (AArch64 Advanced\n"
	"                        SIMD), native (default: what this machine supports)\n"
	"  --threads N           run the heavy kernels (GEMM, convolution) on N\n"
	"                        threads (a pthread pool; link with -pthread, and\n"
	"                        an object with libonnxcc_runtime_min.a, which has\n"
	"                        its pool); default 1: single-threaded, no pthreads\n"
	"  --report              print the target CPU, the arena size and its lower bound,\n"
	"                        and the nodes fused together\n"
	"  --help                this text\n"
	"  --version             the version\n"
	"\n"
	"exit status: 0 success, 1 the model cannot be compiled, 2 bad usage\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "onnxcc: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\ntry 'onnxcc --help'\n");
	return 2;
}

/* D0,D1,... up to `stop` (an empty list is a scalar); 0 or -1. */
static int parse_dims(const char *p, const char *stop, int *rank, int64_t *dims)
{
	char *end;

	*rank = 0;
	while (p < stop) {
		long long d = strtoll(p, &end, 10);
		if (end == p || end > stop || d < 0 || *rank == IR_MAX_RANK)
			return -1;
		dims[(*rank)++] = d;
		p = end;
		if (p < stop && *p == ',')
			p++;
		else if (p < stop)
			return -1;
	}
	return 0;
}

/* NAME=D0,D1,... ("NAME=" alone is a scalar), NAME=seq:D0,D1;D0,D1;... (a
 * sequence; "seq:" alone is empty, "-" a scalar element) or NAME=none (an
 * absent optional). */
static int parse_shape(const char *arg, InputShape *s)
{
	const char *eq = strchr(arg, '='), *p, *semi;

	memset(s, 0, sizeof *s);
	if (!eq || eq == arg)
		return -1;
	s->name = strndup(arg, (size_t)(eq - arg));
	p = eq + 1;
	if (strcmp(p, "none") == 0) {
		s->kind = SHAPE_NONE;
		return 0;
	}
	if (strncmp(p, "seq:", 4) != 0) {
		s->kind = SHAPE_TENSOR;
		return parse_dims(p, p + strlen(p), &s->rank, s->dims);
	}
	s->kind = SHAPE_SEQ;
	for (p += 4; *p; p = *semi ? semi + 1 : semi) {
		semi = strchr(p, ';');
		if (!semi)
			semi = p + strlen(p);
		s->elems = realloc(s->elems, (s->nelems + 1) * sizeof(ElemShape));
		if (!s->elems)
			return -1;
		if (semi - p == 1 && *p == '-')
			s->elems[s->nelems].rank = 0;
		else if (parse_dims(p, semi, &s->elems[s->nelems].rank, s->elems[s->nelems].dims) != 0)
			return -1;
		s->nelems++;
	}
	return 0;
}

static int is_pass_name(const char *s)
{
	static const char *names[] = {"infer", "fold", "dce", "fuse", "lower", "memplan"};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	CompileOptions co = {0};
	InputShape shapes[64];
	int i;

	co.opt_level = 2;
	co.shapes = shapes;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("onnxcc %s\n", ONNXCC_VERSION);
			return 0;
		} else if (strcmp(a, "-o") == 0) {
			if (++i == argc)
				return usage_error("%s needs a file name", a);
			co.output = argv[i];
		} else if (strcmp(a, "--name") == 0) {
			if (++i == argc)
				return usage_error("%s needs a name", a);
			co.name = argv[i];
		} else if (strcmp(a, "--shape") == 0) {
			if (++i == argc)
				return usage_error("%s needs NAME=D0,D1,...", a);
			if (co.nshapes == (int)(sizeof shapes / sizeof shapes[0]) ||
			    parse_shape(argv[i], &shapes[co.nshapes]) != 0)
				return usage_error("--shape %s: expected NAME=D0,D1,..., NAME=seq:D0,D1;... or NAME=none", argv[i]);
			co.nshapes++;
		} else if (strcmp(a, "--string-bytes") == 0) {
			char *end;
			long v;
			if (++i == argc)
				return usage_error("%s needs a size in bytes", a);
			v = strtol(argv[i], &end, 10);
			if (*end || end == argv[i] || v < 2 || v > DT_STRING_BYTES_MAX)
				return usage_error("--string-bytes %s: expected 2 to 65536", argv[i]);
			co.string_bytes = (int)v;
		} else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
			co.opt_level = a[2] - '0';
			co.opt_size = 0;
		} else if (strcmp(a, "-Os") == 0) {
			co.opt_level = 2;
			co.opt_size = 1;
		} else if (strcmp(a, "--dump-ir") == 0) {
			co.dump_ir = "";
		} else if (strncmp(a, "--dump-ir=", 10) == 0) {
			co.dump_ir = a + 10;
			if (strncmp(co.dump_ir, "after-", 6) == 0)
				co.dump_ir += 6;
			if (!is_pass_name(co.dump_ir))
				return usage_error("%s: unknown pass", a);
		} else if (strcmp(a, "--cpu") == 0) {
			if (++i == argc)
				return usage_error("%s needs generic, avx2, avx512f, neon or native", a);
			if (cpu_parse(argv[i]) < 0)
				return usage_error("--cpu %s: expected generic, avx2, avx512f, neon or native", argv[i]);
			co.cpu = argv[i];
		} else if (strncmp(a, "--emit=", 7) == 0 || strcmp(a, "--emit") == 0) {
			if (!a[6] && ++i == argc)
				return usage_error("%s needs c, obj, asm or llvm-ir", a);
			co.emit = a[6] ? a + 7 : argv[i];
			if (strcmp(co.emit, "c") && strcmp(co.emit, "obj") && strcmp(co.emit, "asm") &&
			    strcmp(co.emit, "llvm-ir"))
				return usage_error("--emit %s: expected c, obj, asm or llvm-ir", co.emit);
		} else if (strcmp(a, "--target") == 0) {
			if (++i == argc)
				return usage_error("%s needs a target triple", a);
			co.target = argv[i];
		} else if (strcmp(a, "--threads") == 0) {
			char *end;
			long v;
			if (++i == argc)
				return usage_error("%s needs a number of threads", a);
			v = strtol(argv[i], &end, 10);
			if (*end || end == argv[i] || v < 1 || v > LOWER_MAX_THREADS)
				return usage_error("--threads %s: expected 1 to 64", argv[i]);
			co.threads = (int)v;
		} else if (strcmp(a, "--report") == 0) {
			co.report = 1;
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option %s", a);
		} else if (co.input) {
			return usage_error("more than one model given (%s)", a);
		} else {
			co.input = a;
		}
	}
	if (!co.input)
		return usage_error("%s", "no model given");
	if (!co.output && !co.dump_ir && !co.report)
		return usage_error("%s", "no output given (-o FILE.c or -o FILE.o)");
	if (compile(&co) != 0) {
		fprintf(stderr, "onnxcc: %s\n", ir_last_error());
		return 1;
	}
	return 0;
}
