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
	"  --backend c     code generator (only c for now)\n"
	"  --cflags FLAGS  extra flags for the C compiler ($CC, default cc)\n"
	"  --keep DIR      build in DIR and keep it (default: a temporary folder)\n"
	"  --string-bytes N  bytes of one string element (onnxcc --string-bytes)\n"
	"  -O0..-O3        onnxcc optimization level\n"
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
	const char *model, *dataset, *save, *cflags, *keep;
	double rtol, atol;
	int repeat, opt, string_bytes;
} Options;

/* Read DIR/<prefix>K.pb for K = 0, 1, ... into tensors; returns the count or -1. */
static int read_set(const char *dir, const char *prefix, Tensor *out, int max)
{
	char path[4096];
	int k;

	for (k = 0; k < max; k++) {
		Onnx__TensorProto *t;
		Value v = {0};
		struct stat st;
		snprintf(path, sizeof path, "%s/%s%d.pb", dir, prefix, k);
		if (stat(path, &st) != 0)
			break;
		if (!(t = tensor_read_file(path)))
			return -1;
		v.name = t->name && *t->name ? t->name : path;
		if (tensor_from_proto(t, &v, "tensor") != 0) {
			onnx__tensor_proto__free_unpacked(t, NULL);
			return -1;
		}
		out[k].name = xstrdup(t->name ? t->name : "");
		out[k].dtype = v.dtype;
		out[k].rank = v.rank;
		memcpy(out[k].dims, v.dims, sizeof v.dims);
		out[k].data = v.data;
		out[k].nbytes = (size_t)value_nbytes(&v);
		onnx__tensor_proto__free_unpacked(t, NULL);
	}
	return k;
}

/* Names of the graph inputs that are not initializers, in order. */
static int model_inputs(const char *path, char ***names)
{
	FILE *f = fopen(path, "rb");
	Onnx__ModelProto *m;
	uint8_t *buf;
	long len;
	size_t i, j;
	int n = 0;

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
	*names = xcalloc(m->graph->n_input + 1, sizeof(char *));
	for (i = 0; i < m->graph->n_input; i++) {
		const char *nm = m->graph->input[i]->name ? m->graph->input[i]->name : "";
		int init = 0;
		for (j = 0; j < m->graph->n_initializer; j++)
			if (m->graph->initializer[j]->name && strcmp(m->graph->initializer[j]->name, nm) == 0)
				init = 1;
		if (!init)
			(*names)[n++] = xstrdup(nm);
	}
	onnx__model_proto__free_unpacked(m, NULL);
	return n;
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

/* The value of float8 bits u (dt 17..20: E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ). */
static double f8_value(int dt, unsigned u)
{
	int mb = dt <= 18 ? 3 : 2, bias = dt == 17 ? 7 : dt == 18 ? 8 : dt == 19 ? 15 : 16;
	int fnuz = dt == 18 || dt == 20, e = (int)(u & 0x7f) >> mb, m = (int)u & ((1 << mb) - 1);
	double v;

	if (fnuz ? u == 0x80 : dt == 17 ? (u & 0x7f) == 0x7f : e == 31 && m)
		return NAN;
	v = dt == 19 && e == 31 ? INFINITY
		: e ? ldexp(m | 1 << mb, e - bias - mb) : ldexp(m, 1 - bias - mb);
	return u & 0x80 ? -v : v;
}

/* Element i of raw data of type dt as double (ints exactly up to 2^53). */
static double elem(const void *p, int dt, size_t i)
{
	switch (dt) {
	case 17: case 18: case 19: case 20: return f8_value(dt, ((const uint8_t *)p)[i]);
	case DT_FLOAT: return ((const float *)p)[i];
	case DT_DOUBLE: return ((const double *)p)[i];
	case DT_INT8: return ((const int8_t *)p)[i];
	case DT_UINT8: case DT_BOOL: return ((const uint8_t *)p)[i];
	case DT_INT16: return ((const int16_t *)p)[i];
	case DT_UINT16: return ((const uint16_t *)p)[i];
	case DT_INT32: return ((const int32_t *)p)[i];
	case DT_UINT32: return ((const uint32_t *)p)[i];
	case DT_INT64: return (double)((const int64_t *)p)[i];
	case DT_UINT64: return (double)((const uint64_t *)p)[i];
	case DT_FLOAT16: {
		uint16_t h = ((const uint16_t *)p)[i];
		int e = (h >> 10) & 0x1f, mant = h & 0x3ff;
		double v = e == 0 ? ldexp(mant, -24) : e == 31 ? (mant ? NAN : INFINITY)
							       : ldexp(mant | 0x400, e - 25);
		return h & 0x8000 ? -v : v;
	}
	case DT_BFLOAT16: {
		uint32_t u = (uint32_t)((const uint16_t *)p)[i] << 16;
		float fl;
		memcpy(&fl, &u, 4);
		return fl;
	}
	}
	return 0;
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
		double e = elem(want->data, dtype, i), g = elem(got, dtype, i), d;
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

static int run_cmd(const char *cmd)
{
	int rc = system(cmd);

	return rc == -1 ? -1 : rc;
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
			if (strcmp(argv[++i], "c") != 0) {
				fprintf(stderr, "onnxcc-run: backend '%s' is not available\n", argv[i]);
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

#define MAX_IO 256

static int run(const Options *o, const char *dir)
{
	static Tensor in[MAX_IO], want[MAX_IO];
	static InputShape shapes[MAX_IO];
	char path[4096], cmd[16384], **names = NULL;
	static CompiledIO io;
	static char bad_data[1024];
	CompileOptions co = {0};
	int nin = 0, nwant = 0, nnames, k, pass = 1;

	/* A data set we cannot read is reported after compiling: if the model
	 * itself is unsupported (sequence inputs, ...), that is the better message. */
	dt_set_string_bytes(o->string_bytes ? o->string_bytes : DT_STRING_BYTES_DEFAULT);
	if (o->dataset) {
		nin = read_set(o->dataset, "input_", in, MAX_IO);
		if (nin >= 0)
			nwant = read_set(o->dataset, "output_", want, MAX_IO);
		if (nin < 0 || nwant < 0)
			snprintf(bad_data, sizeof bad_data, "%s", ir_last_error());
		nin = nin < 0 ? 0 : nin;
		nwant = nwant < 0 ? 0 : nwant;
	}
	nnames = model_inputs(o->model, &names);
	for (k = 0; k < nin && k < nnames; k++) {
		shapes[k].name = names[k];
		shapes[k].rank = in[k].rank;
		memcpy(shapes[k].dims, in[k].dims, sizeof in[k].dims);
	}
	snprintf(path, sizeof path, "%s/model.c", dir);
	co.input = o->model;
	co.output = path;
	co.name = "onnxcc_model";
	co.opt_level = o->opt;
	co.string_bytes = o->string_bytes;
	co.shapes = shapes;
	co.nshapes = nnames >= 0 && nin <= nnames ? nin : 0;
	co.io = &io;
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
		 "%s -std=c99 -O2 -Wall -Wextra -Werror %s -I'%s' '%s' '%s/model.c' -o '%s/harness' -lm "
		 "> '%s/cc.log' 2>&1",
		 getenv("CC") ? getenv("CC") : "cc", o->cflags, dir, ONNXCC_HARNESS, dir, dir, dir);
	if (run_cmd(cmd) != 0) {
		snprintf(cmd, sizeof cmd, "head -c 4000 '%s/cc.log' >&2", dir);
		run_cmd(cmd);
		fprintf(stderr, "onnxcc-run: the generated code does not build (%s/model.c)\n", dir);
		return EXIT_BUILD;
	}
	snprintf(cmd, sizeof cmd, "'%s/harness' '%s' %d", dir, dir, o->repeat);
	fflush(stdout);
	if (run_cmd(cmd) != 0) {
		fprintf(stderr, "onnxcc-run: the generated code failed at run time\n");
		return EXIT_RUN;
	}
	for (k = 0; k < io.noutputs; k++) {
		int64_t nbytes = io.outputs[k].nbytes;
		void *got;
		snprintf(path, sizeof path, "%s/out_%d.bin", dir, k);
		if (!(got = read_raw(path, (size_t)nbytes))) {
			fprintf(stderr, "onnxcc-run: missing output %d\n", k);
			return EXIT_RUN;
		}
		if (k < nwant && !compare(k, &want[k], io.outputs[k].dtype, got, (size_t)nbytes, o))
			pass = 0;
		if (o->save) {
			char name[32];
			snprintf(path, sizeof path, "%s/output_%d.pb", o->save, k);
			snprintf(name, sizeof name, "output_%d", k);
			if (tensor_write_file(path, k < nwant ? want[k].name : name, io.outputs[k].dtype,
					      io.outputs[k].rank, io.outputs[k].dims, got, (size_t)nbytes) != 0)
				fprintf(stderr, "onnxcc-run: %s\n", ir_last_error());
		}
		free(got);
	}
	if (io.noutputs < nwant) {
		printf("FAIL: the model has %d outputs, the data set %d\n", io.noutputs, nwant);
		pass = 0;
	}
	if (nwant == 0) {
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
