/* run_main.c: onnxcc-run, compile a model, build it, run it on a data set and
 * compare with the expected outputs.
 *
 * exit status: 0 PASS, 1 FAIL (outputs differ), 2 bad usage, 3 the model
 * cannot be compiled, 4 the generated C does not build, 5 the generated code
 * failed at run time. */

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "lower.h"
#include "frontend/frontend.h"

enum { EXIT_PASS = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_COMPILE = 3, EXIT_BUILD = 4, EXIT_RUN = 5 };

static const char usage[] =
	"usage: onnxcc-run MODEL.onnx [DATASET_DIR] [options]\n"
	"\n"
	"Compile MODEL with onnxcc, build it with the system C compiler, run it on\n"
	"DATASET_DIR/input_*.pb (zeros where there are none) and compare with\n"
	"DATASET_DIR/output_*.pb when present.\n"
	"\n"
	"options:\n"
	"  --rtol R        relative tolerance (default 1e-3)\n"
	"  --atol A        absolute tolerance (default 1e-7)\n"
	"  --save DIR      write the produced outputs as DIR/output_K.pb\n"
	"  --repeat N      run N more times after a warm-up; print median_ms=<ms>\n"
	"  --backend c|llvm  code generator: C source built with $CC (default), or an\n"
	"                  object file from onnxcc's LLVM backend linked with $CC\n"
	"  --cflags FLAGS  extra flags for the C compiler ($CC, default cc)\n"
	"  --cc CC         the C compiler (default $CC, or cc), e.g. a cross compiler\n"
	"  --exec CMD      run the built program through CMD, e.g. an emulator:\n"
	"                  --cc aarch64-linux-gnu-gcc --exec 'qemu-aarch64 -L /usr/aarch64-linux-gnu'\n"
	"  --keep DIR      build in DIR and keep it (default: a temporary folder)\n"
	"  --string-bytes N  bytes of one string element (onnxcc --string-bytes)\n"
	"  -O0..-O3        onnxcc optimization level\n"
	"  --cpu NAME      target CPU (onnxcc --cpu: generic, avx2, avx512f, neon, native)\n"
	"  --threads N     threads of the generated code (onnxcc --threads; N > 1\n"
	"                  builds with -pthread)\n"
	"\n"
	"exit status: 0 PASS, 1 FAIL, 2 bad usage, 3 compile error, 4 C build error,\n"
	"5 run-time error\n";

typedef struct Tensor {
	char *name;
	int dtype, rank;
	int64_t dims[IR_MAX_RANK];
	void *data;
	size_t nbytes;
} Tensor;

typedef struct Options {
	const char *model, *dataset, *save, *cflags, *keep, *cpu, *cc, *exec;
	double rtol, atol;
	int repeat, opt, string_bytes, threads;
	int llvm;               /* --backend llvm */
} Options;

/* A model input or output: its name and whether it is a tensor, a sequence
 * or an optional (its data file is a TensorProto, SequenceProto or
 * OptionalProto). */
enum { KIND_TENSOR, KIND_SEQ, KIND_OPT };

typedef struct Slot {
	char *name;
	int kind;
} Slot;

#define MAX_IO 256

/* TensorProto t -> out; 0 or -1. */
static int tensor_in(const Onnx__TensorProto *t, const char *path, Tensor *out)
{
	Value v = {0};

	v.name = t->name && *t->name ? t->name : (char *)path;
	if (tensor_from_proto(t, &v, "tensor") != 0)
		return -1;
	out->name = xstrdup(t->name ? t->name : "");
	out->dtype = v.dtype;
	out->rank = v.rank;
	memcpy(out->dims, v.dims, sizeof v.dims);
	out->data = v.data;
	out->nbytes = (size_t)value_nbytes(&v);
	return 0;
}

/* The tensors of a sequence, appended to t[*n..max). */
static int seq_in(const Onnx__SequenceProto *s, const char *path, Tensor *t, int *n, int max)
{
	size_t i;

	if (s->n_sequence_values || s->n_optional_values)
		return ir_error("%s: sequences of sequences or optionals are not supported", path);
	for (i = 0; i < s->n_tensor_values; i++) {
		if (*n == max)
			return ir_error("%s: more than %d tensors in the data set", path, MAX_IO);
		if (tensor_in(s->tensor_values[i], path, &t[(*n)++]) != 0)
			return -1;
	}
	return 0;
}

/* Read the data file of a slot of kind `kind`: its tensors are appended to
 * t[*n..max); *shape_kind says what it held (SHAPE_TENSOR, SHAPE_SEQ or, for
 * an empty optional, SHAPE_NONE).  0 or -1 (ir_last_error). */
static int read_value(const char *path, int kind, Tensor *t, int *n, int max, int *shape_kind)
{
	int rc = 0;

	if (kind == KIND_TENSOR) {
		Onnx__TensorProto *tp = tensor_read_file(path);
		if (!tp)
			return -1;
		if (*n == max)
			rc = ir_error("%s: more than %d tensors in the data set", path, MAX_IO);
		else
			rc = tensor_in(tp, path, &t[(*n)++]);
		onnx__tensor_proto__free_unpacked(tp, NULL);
		*shape_kind = SHAPE_TENSOR;
	} else if (kind == KIND_SEQ) {
		Onnx__SequenceProto *sp = sequence_read_file(path);
		if (!sp)
			return -1;
		rc = seq_in(sp, path, t, n, max);
		onnx__sequence_proto__free_unpacked(sp, NULL);
		*shape_kind = SHAPE_SEQ;
	} else {
		Onnx__OptionalProto *op = optional_read_file(path);
		if (!op)
			return -1;
		*shape_kind = SHAPE_NONE;
		if (op->tensor_value) {
			*shape_kind = SHAPE_TENSOR;
			if (*n == max)
				rc = ir_error("%s: more than %d tensors in the data set", path, MAX_IO);
			else
				rc = tensor_in(op->tensor_value, path, &t[(*n)++]);
		} else if (op->sequence_value) {
			*shape_kind = SHAPE_SEQ;
			rc = seq_in(op->sequence_value, path, t, n, max);
		} else if (op->optional_value) {
			rc = ir_error("%s: optionals of optionals are not supported", path);
		}
		onnx__optional_proto__free_unpacked(op, NULL);
	}
	return rc;
}

static int slot_kind(const Onnx__ValueInfoProto *vi)
{
	const Onnx__TypeProto *tp = vi->type;

	if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE)
		return KIND_SEQ;
	if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE)
		return KIND_OPT;
	return KIND_TENSOR;
}

/* The graph inputs that are not initializers, and the outputs, in order;
 * -1 if the model cannot be read (compile() then says why). */
static int model_io(const char *path, Slot *ins, int *nin, Slot *outs, int *nout)
{
	FILE *f = fopen(path, "rb");
	Onnx__ModelProto *m;
	uint8_t *buf;
	long len;
	size_t i, j;

	*nin = *nout = 0;
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc(len > 0 ? (size_t)len : 1);
	if (len <= 0 || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	m = onnx__model_proto__unpack(NULL, (size_t)len, buf);
	free(buf);
	if (!m || !m->graph) {
		if (m)
			onnx__model_proto__free_unpacked(m, NULL);
		return -1;
	}
	for (i = 0; i < m->graph->n_input && *nin < MAX_IO; i++) {
		const char *nm = m->graph->input[i]->name ? m->graph->input[i]->name : "";
		int init = 0;
		for (j = 0; j < m->graph->n_initializer; j++)
			if (m->graph->initializer[j]->name && strcmp(m->graph->initializer[j]->name, nm) == 0)
				init = 1;
		if (init)
			continue;
		ins[*nin].name = xstrdup(nm);
		ins[(*nin)++].kind = slot_kind(m->graph->input[i]);
	}
	for (i = 0; i < m->graph->n_output && *nout < MAX_IO; i++) {
		outs[*nout].name = xstrdup(m->graph->output[i]->name ? m->graph->output[i]->name : "");
		outs[(*nout)++].kind = slot_kind(m->graph->output[i]);
	}
	onnx__model_proto__free_unpacked(m, NULL);
	return 0;
}

static int write_raw(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, n, f) == n;

	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static void *read_raw(const char *path, size_t n)
{
	FILE *f = fopen(path, "rb");
	void *p = xcalloc(1, n ? n : 1);

	if (!f || fread(p, 1, n, f) != n) {
		if (f)
			fclose(f);
		free(p);
		return NULL;
	}
	fclose(f);
	return p;
}

/* String records compare exactly (text up to the NUL); the first
 * difference is shown. */
static int compare_strings(int k, const Tensor *want, const void *got, size_t nbytes)
{
	size_t s = (size_t)dt_string_bytes(), n = nbytes / s, i, bad = 0, first = n;

	for (i = 0; i < n; i++)
		if (strncmp((const char *)want->data + i * s, (const char *)got + i * s, s) != 0) {
			if (!bad)
				first = i;
			bad++;
		}
	printf("output %d '%s': mismatches=%zu/%zu %s\n", k, want->name, bad, n, bad ? "FAIL" : "PASS");
	if (bad)
		printf("  element %zu: expected \"%.*s\", got \"%.*s\"\n", first, (int)s,
		       (const char *)want->data + first * s, (int)s, (const char *)got + first * s);
	return bad == 0;
}

/* Compare one output; prints a line and returns 1 on PASS. */
static int compare(int k, const Tensor *want, int dtype, const void *got, size_t nbytes,
		   const Options *o)
{
	size_t n, i, bad = 0;
	double max_abs = 0, max_rel = 0;
	int exact = !dt_is_float(dtype) && dtype != DT_FLOAT16 && dtype != DT_BFLOAT16;

	if (want->dtype != dtype || want->nbytes != nbytes) {
		printf("output %d '%s': FAIL: expected %s of %zu bytes, got %s of %zu bytes\n", k,
		       want->name, dt_name(want->dtype), want->nbytes, dt_name(dtype), nbytes);
		return 0;
	}
	if (dtype == DT_STRING)
		return compare_strings(k, want, got, nbytes);
	if (!dt_size(dtype) || dtype == DT_COMPLEX64 || dtype == DT_COMPLEX128) {
		printf("output %d '%s': FAIL: cannot compare element type %s\n", k, want->name,
		       dt_name(dtype));
		return 0;
	}
	n = nbytes / dt_size(dtype);
	for (i = 0; i < n; i++) {
		double e = judge_elem(want->data, dtype, i), g = judge_elem(got, dtype, i), d;
		if (exact && dt_size(dtype) == 8) {
			if (memcmp((const char *)want->data + 8 * i, (const char *)got + 8 * i, 8))
				bad++;
			continue;
		}
		if (isnan(e) || isnan(g)) {
			bad += !(isnan(e) && isnan(g));
			continue;
		}
		if (isinf(e) || isinf(g)) {
			bad += e != g;
			continue;
		}
		d = fabs(e - g);
		if (d > max_abs)
			max_abs = d;
		if (e != 0 && d / fabs(e) > max_rel)
			max_rel = d / fabs(e);
		if (exact ? d != 0 : d > o->atol + o->rtol * fabs(e))
			bad++;
	}
	printf("output %d '%s': max_abs_err=%g max_rel_err=%g mismatches=%zu/%zu %s\n", k, want->name,
	       max_abs, max_rel, bad, n, bad ? "FAIL" : "PASS");
	return bad == 0;
}

/* Where a judge's operand is at run time: a data-set input (zeros if the data
 * set has none), a produced output or probe, or nowhere (NULL). */
static const void *operand_data(const Operand *o, const CompiledIO *io, const Tensor *in, int nin,
				void *const *got, int *dtype, size_t *n)
{
	const CompiledTensor *t = o->where == OPD_INPUT ? &io->inputs[o->index]
				  : o->where == OPD_OUTPUT ? &io->outputs[o->index] : NULL;
	static const uint8_t zeros[8];

	if (!t)
		return NULL;
	*dtype = t->dtype;
	*n = dt_size(t->dtype) ? (size_t)t->nbytes / dt_size(t->dtype) : 0;
	if (o->where == OPD_OUTPUT)
		return got[o->index];
	if (o->index < nin)
		return in[o->index].data;
	return t->nbytes <= 8 ? zeros : NULL;
}

/* Judge output k of a random op by type, shape and value set (judge.h); an
 * output that turns out not random at run time is compared normally. */
static int judged(int k, const Tensor *want, const CompiledIO *io, const Tensor *in, int nin,
		  void *const *got, const Options *o)
{
	const Judge *j = &io->judge[k];
	const CompiledTensor *t = &io->outputs[k];
	JudgeData d = {0};
	char how[256], msg[512];
	int ydt = t->dtype, rc;

	judge_describe(j, how, sizeof how);
	if (want->dtype != t->dtype || want->rank != t->rank ||
	    memcmp(want->dims, t->dims, sizeof(int64_t) * (size_t)t->rank) != 0) {
		char ws[128], gs[128];
		Value a = {0}, b = {0};
		a.rank = want->rank;
		memcpy(a.dims, want->dims, sizeof a.dims);
		b.rank = t->rank;
		memcpy(b.dims, t->dims, sizeof b.dims);
		printf("output %d '%s': %s: FAIL: expected %s %s, got %s %s\n", k, want->name, how,
		       dt_name(want->dtype), shape_str(&a, ws, sizeof ws), dt_name(t->dtype),
		       shape_str(&b, gs, sizeof gs));
		return 0;
	}
	d.dtype = t->dtype;
	d.n = dt_size(t->dtype) ? (size_t)t->nbytes / dt_size(t->dtype) : 0;
	d.got = got[k];
	d.rtol = o->rtol;
	d.atol = o->atol;
	if (j->kind == JUDGE_DROPOUT || j->kind == JUDGE_DROPOUT_MASK) {
		size_t nr;
		int tdt;
		d.x = operand_data(&j->x, io, in, nin, got, &d.x_dtype, &d.x_n);
		d.ratio = operand_data(&j->ratio, io, in, nin, got, &d.ratio_dtype, &nr);
		d.train = operand_data(&j->train, io, in, nin, got, &tdt, &nr);
		d.y = j->kind == JUDGE_DROPOUT ? got[k] : j->y >= 0 ? got[j->y] : NULL;
		d.mask = j->kind == JUDGE_DROPOUT_MASK ? got[k] : j->mask >= 0 ? got[j->mask] : NULL;
		if (j->kind == JUDGE_DROPOUT_MASK && j->y >= 0)
			ydt = io->outputs[j->y].dtype;
		d.dtype = ydt;
	}
	rc = judge_check(j, &d, msg, sizeof msg);
	if (rc < 0) {
		printf("output %d '%s': %s; not random at this run (training_mode false or ratio 0): "
		       "compared element by element\n", k, want->name, how);
		return compare(k, want, t->dtype, got[k], (size_t)t->nbytes, o);
	}
	printf("output %d '%s': %s: %s%s%s\n", k, want->name, how, rc ? "PASS" : "FAIL",
	       rc ? "" : ": ", msg);
	return rc;
}

static int run_cmd(const char *cmd)
{
	int rc = system(cmd);

	return rc == -1 ? -1 : rc;
}

/* PREFIX/rel, PREFIX the installed prefix of this executable (PREFIX/bin),
 * into path (n bytes) when it is readable; else NULL. */
static const char *beside_exe(const char *rel, char *path, size_t n0)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return NULL;
	*slash = '\0';
	if (snprintf(path, n0, "%s/../%s", exe, rel) >= (int)n0 || access(path, R_OK) != 0)
		return NULL;
	return path;
}

/* The harness's source: installed as PREFIX/share/onnxcc/onnxcc_harness.c
 * beside PREFIX/bin/onnxcc-run (cmake --install), else the source tree's. */
static const char *harness_path(void)
{
	static char path[4096];
	const char *p = beside_exe("share/onnxcc/onnxcc_harness.c", path, sizeof path);

	return p ? p : ONNXCC_HARNESS;
}

/* libonnxcc_runtime_min.a for the host, which an LLVM object links: the
 * installed one beside this executable, else the build tree's. */
static const char *runtime_lib_path(void)
{
	static char path[4096];
	const char *p = beside_exe(ONNXCC_INSTALL_LIBDIR "/libonnxcc_runtime_min.a", path,
				   sizeof path);

	return p ? p : ONNXCC_RUNTIME_LIB;
}

static int parse_args(int argc, char **argv, Options *o)
{
	int i;

	o->rtol = 1e-3;
	o->atol = 1e-7;
	o->opt = 2;
	o->cflags = "";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(a, "--rtol") && more) {
			o->rtol = atof(argv[++i]);
		} else if (!strcmp(a, "--atol") && more) {
			o->atol = atof(argv[++i]);
		} else if (!strcmp(a, "--save") && more) {
			o->save = argv[++i];
		} else if (!strcmp(a, "--repeat") && more) {
			o->repeat = atoi(argv[++i]);
		} else if (!strcmp(a, "--cflags") && more) {
			o->cflags = argv[++i];
		} else if (!strcmp(a, "--cc") && more) {
			o->cc = argv[++i];
		} else if (!strcmp(a, "--exec") && more) {
			o->exec = argv[++i];
		} else if (!strcmp(a, "--cpu") && more) {
			o->cpu = argv[++i];
			if (cpu_parse(o->cpu) < 0) {
				fprintf(stderr, "onnxcc-run: --cpu %s: expected generic, avx2, avx512f, neon or native\n",
					o->cpu);
				return -1;
			}
		} else if (!strcmp(a, "--threads") && more) {
			o->threads = atoi(argv[++i]);
			if (o->threads < 1 || o->threads > LOWER_MAX_THREADS) {
				fprintf(stderr, "onnxcc-run: --threads %s: expected 1 to %d\n", argv[i],
					LOWER_MAX_THREADS);
				return -1;
			}
		} else if (!strcmp(a, "--string-bytes") && more) {
			o->string_bytes = atoi(argv[++i]);
			if (o->string_bytes < 2 || o->string_bytes > DT_STRING_BYTES_MAX) {
				fprintf(stderr, "onnxcc-run: --string-bytes %s: expected 2 to %d\n",
					argv[i], DT_STRING_BYTES_MAX);
				return -1;
			}
		} else if (!strcmp(a, "--keep") && more) {
			o->keep = argv[++i];
		} else if (!strcmp(a, "--backend") && more) {
			o->llvm = strcmp(argv[++i], "llvm") == 0;
			if (strcmp(argv[i], "c") != 0 && !o->llvm) {
				fprintf(stderr, "onnxcc-run: backend '%s' is not available (c or llvm)\n",
					argv[i]);
				return -1;
			}
		} else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
			o->opt = a[2] - '0';
		} else if (a[0] == '-') {
			fprintf(stderr, "onnxcc-run: unknown or incomplete option %s\n", a);
			return -1;
		} else if (!o->model) {
			o->model = a;
		} else if (!o->dataset) {
			o->dataset = a;
		} else {
			fprintf(stderr, "onnxcc-run: unexpected argument %s\n", a);
			return -1;
		}
	}
	if (!o->model) {
		fprintf(stderr, "onnxcc-run: no model given\ntry 'onnxcc-run --help'\n");
		return -1;
	}
	return 0;
}

static int run(const Options *o, const char *dir)
{
	static Tensor in[MAX_IO], want[MAX_IO];
	static InputShape shapes[MAX_IO];
	static Slot mins[MAX_IO], mouts[MAX_IO];
	static int wfirst[MAX_IO], wcount[MAX_IO], wkind[MAX_IO];
	char path[4096], cmd[16384];
	static CompiledIO io;
	static char bad_data[1024];
	static void *got[MAX_IO];
	CompileOptions co = {0};
	int nin = 0, nwant = 0, nfiles = 0, nmin = 0, nmout = 0, nshapes = 0, k, i, pass = 1;
	struct stat st;

	/* A data set we cannot read is reported after compiling: if the model
	 * itself is unsupported, that is the better message. */
	dt_set_string_bytes(o->string_bytes ? o->string_bytes : DT_STRING_BYTES_DEFAULT);
	model_io(o->model, mins, &nmin, mouts, &nmout);
	for (k = 0; o->dataset && k < nmin && !bad_data[0]; k++) {
		int first = nin, kind;
		snprintf(path, sizeof path, "%s/input_%d.pb", o->dataset, k);
		if (stat(path, &st) != 0)
			break;
		if (read_value(path, mins[k].kind, in, &nin, MAX_IO, &kind) != 0) {
			snprintf(bad_data, sizeof bad_data, "%s", ir_last_error());
			break;
		}
		shapes[nshapes].name = mins[k].name;
		shapes[nshapes].kind = kind;
		if (kind == SHAPE_TENSOR) {
			shapes[nshapes].rank = in[first].rank;
			memcpy(shapes[nshapes].dims, in[first].dims, sizeof in[first].dims);
		} else if (kind == SHAPE_SEQ) {
			shapes[nshapes].nelems = nin - first;
			shapes[nshapes].elems = xcalloc(nin - first + 1, sizeof(ElemShape));
			for (i = first; i < nin; i++) {
				shapes[nshapes].elems[i - first].rank = in[i].rank;
				memcpy(shapes[nshapes].elems[i - first].dims, in[i].dims, sizeof in[i].dims);
			}
		}
		nshapes++;
	}
	for (k = 0; o->dataset && k < nmout && !bad_data[0]; k++) {
		snprintf(path, sizeof path, "%s/output_%d.pb", o->dataset, k);
		if (stat(path, &st) != 0)
			break;
		wfirst[k] = nwant;
		if (read_value(path, mouts[k].kind, want, &nwant, MAX_IO, &wkind[k]) != 0) {
			snprintf(bad_data, sizeof bad_data, "%s", ir_last_error());
			break;
		}
		wcount[k] = nwant - wfirst[k];
		nfiles++;
	}
	snprintf(path, sizeof path, "%s/model.%s", dir, o->llvm ? "o" : "c");
	co.input = o->model;
	co.output = path;
	co.name = "onnxcc_model";
	co.opt_level = o->opt;
	co.cpu = o->cpu;
	co.threads = o->threads;
	co.string_bytes = o->string_bytes;
	co.shapes = shapes;
	co.nshapes = nshapes;
	co.io = &io;
	co.probe_random = 1;
	if (compile(&co) != 0) {
		fprintf(stderr, "onnxcc: %s\n", ir_last_error());
		return EXIT_COMPILE;
	}
	if (bad_data[0]) {
		fprintf(stderr, "onnxcc-run: %s\n", bad_data);
		return EXIT_USAGE;
	}
	if (nin > io.ninputs) {
		fprintf(stderr, "onnxcc-run: the data set has %d inputs, the model %d\n", nin, io.ninputs);
		return EXIT_USAGE;
	}
	for (k = 0; k < nin; k++)
		if (in[k].dtype != io.inputs[k].dtype || (int64_t)in[k].nbytes != io.inputs[k].nbytes) {
			fprintf(stderr, "onnxcc-run: input %d: the data set has %s of %zu bytes, the model "
				"takes %s of %lld bytes\n", k, dt_name(in[k].dtype), in[k].nbytes,
				dt_name(io.inputs[k].dtype), (long long)io.inputs[k].nbytes);
			return EXIT_USAGE;
		}
	for (k = 0; k < nin; k++) {
		snprintf(path, sizeof path, "%s/in_%d.bin", dir, k);
		if (write_raw(path, in[k].data, in[k].nbytes) != 0) {
			fprintf(stderr, "onnxcc-run: cannot write %s\n", path);
			return EXIT_RUN;
		}
	}
	snprintf(cmd, sizeof cmd,
		 "%s -std=c99 -O2 -Wall -Wextra -Werror%s %s -I'%s' '%s' '%s/model.%s'%s%s%s -o '%s/harness' -lm "
		 "> '%s/cc.log' 2>&1",
		 o->cc ? o->cc : getenv("CC") ? getenv("CC") : "cc", o->threads > 1 ? " -pthread" : "",
		 o->cflags, dir, harness_path(), dir, o->llvm ? "o" : "c", o->llvm ? " '" : "",
		 o->llvm ? runtime_lib_path() : "", o->llvm ? "'" : "", dir, dir);
	if (run_cmd(cmd) != 0) {
		snprintf(cmd, sizeof cmd, "head -c 4000 '%s/cc.log' >&2", dir);
		run_cmd(cmd);
		fprintf(stderr, "onnxcc-run: the generated code does not build (%s/model.%s)\n", dir,
			o->llvm ? "o" : "c");
		return EXIT_BUILD;
	}
	snprintf(cmd, sizeof cmd, "%s%s'%s/harness' '%s' %d", o->exec ? o->exec : "", o->exec ? " " : "",
		 dir, dir, o->repeat);
	fflush(stdout);
	if (run_cmd(cmd) != 0) {
		fprintf(stderr, "onnxcc-run: the generated code failed at run time\n");
		return EXIT_RUN;
	}
	for (k = 0; k < io.noutputs + io.nprobes; k++) {
		snprintf(path, sizeof path, "%s/out_%d.bin", dir, k);
		if (!(got[k] = read_raw(path, (size_t)io.outputs[k].nbytes))) {
			fprintf(stderr, "onnxcc-run: missing output %d\n", k);
			return EXIT_RUN;
		}
	}
	for (k = 0; k < io.noutputs; k++) {
		int64_t nbytes = io.outputs[k].nbytes;
		int g = io.out_group[k], w = wfirst[g] + (k - io.groups[g].first);
		if (g < nfiles && io.groups[g].count == wcount[g] &&
		    !(io.judge[k].kind == JUDGE_EXACT
		      ? compare(k, &want[w], io.outputs[k].dtype, got[k], (size_t)nbytes, o)
		      : judged(k, &want[w], &io, in, nin, got, o)))
			pass = 0;
		if (o->save) {
			char name[32];
			if (io.groups[g].kind == SHAPE_TENSOR)
				snprintf(path, sizeof path, "%s/output_%d.pb", o->save, g);
			else	/* an element of a sequence or optional */
				snprintf(path, sizeof path, "%s/output_%d_%d.pb", o->save, g,
					 k - io.groups[g].first);
			snprintf(name, sizeof name, "output_%d", k);
			if (tensor_write_file(path, g < nfiles && io.groups[g].count == wcount[g] ?
					      want[w].name : name, io.outputs[k].dtype,
					      io.outputs[k].rank, io.outputs[k].dims, got[k], (size_t)nbytes) != 0)
				fprintf(stderr, "onnxcc-run: %s\n", ir_last_error());
		}
	}
	for (k = 0; k < io.noutputs + io.nprobes; k++)
		free(got[k]);
	for (k = 0; k < nfiles && k < io.ngroups; k++)
		if (io.groups[k].count != wcount[k]) {
			printf("output group %d '%s': FAIL: the data set has %s of %d tensors, the model "
			       "gives %d\n", k, mouts[k].name,
			       wkind[k] == SHAPE_NONE ? "an empty optional" : wkind[k] == SHAPE_SEQ ?
			       "a sequence" : "a value", wcount[k], io.groups[k].count);
			pass = 0;
		}
	if (io.ngroups < nfiles) {
		printf("FAIL: the model has %d outputs, the data set %d\n", io.ngroups, nfiles);
		pass = 0;
	}
	if (nfiles == 0) {
		printf("no expected outputs to compare with\n");
		return EXIT_PASS;
	}
	printf("%s\n", pass ? "PASS" : "FAIL");
	return pass ? EXIT_PASS : EXIT_FAIL;
}

int main(int argc, char **argv)
{
	Options o = {0};
	char tmpl[4096], cmd[8192];
	const char *dir;
	int rc;

	if (parse_args(argc, argv, &o) != 0)
		return EXIT_USAGE;
	if (o.keep) {
		mkdir(o.keep, 0777);
		dir = o.keep;
	} else {
		snprintf(tmpl, sizeof tmpl, "%s/onnxcc-run.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!(dir = mkdtemp(tmpl))) {
			perror("onnxcc-run: mkdtemp");
			return EXIT_RUN;
		}
	}
	if (o.save)
		mkdir(o.save, 0777);
	rc = run(&o, dir);
	if (!o.keep) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		run_cmd(cmd);
	}
	return rc;
}
