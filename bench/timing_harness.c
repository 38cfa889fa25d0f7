/* timing_harness.c: the onnxcc side of the benchmark (bench/run.sh builds it
 * with a model that onnxcc compiled with --name onnxcc_model).
 *
 * usage: timing_harness DIR
 * On start it prints one JSON line describing the model's inputs and outputs
 * (name, elem_type, shape, nbytes) and the arena size, then serves commands
 * read from stdin, one a line, answering each with one line:
 *   load      read DIR/in_K.bin (raw little-endian data, exactly nbytes each)
 *   run N     run the model N times; answer the N times in milliseconds
 *   save      write the outputs of the last run to DIR/out_K.bin
 * An answer that starts with "error" is a failure.  The node driver
 * (bench/bench.js) alternates these runs with ONNX Runtime's. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"

static void *in[ONNXCC_MODEL_NUM_INPUTS + 1], *out[ONNXCC_MODEL_NUM_OUTPUTS + 1];

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void print_info(const char *key, const onnxcc_model_tensor_info *t, int n)
{
	int k, d;

	printf("\"%s\":[", key);
	for (k = 0; k < n; k++) {
		printf("%s{\"name\":\"", k ? "," : "");
		for (const char *c = t[k].name; *c; c++)
			printf(*c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
		printf("\",\"elem_type\":%d,\"nbytes\":%zu,\"shape\":[", (int)t[k].elem_type,
		       t[k].nbytes);
		for (d = 0; d < t[k].rank; d++)
			printf("%s%lld", d ? "," : "", (long long)t[k].shape[d]);
		printf("]}");
	}
	printf("]");
}

static int load(const char *dir)
{
	char path[4096];
	int k;

	for (k = 0; k < ONNXCC_MODEL_NUM_INPUTS; k++) {
		size_t n = onnxcc_model_inputs[k].nbytes;
		FILE *f;
		long size;

		snprintf(path, sizeof path, "%s/in_%d.bin", dir, k);
		if (!(f = fopen(path, "rb"))) {
			printf("error cannot open %s\n", path);
			return -1;
		}
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		fseek(f, 0, SEEK_SET);
		if (size != (long)n || (n && fread(in[k], 1, n, f) != n)) {
			printf("error %s has %ld bytes, the model takes %zu\n", path, size, n);
			fclose(f);
			return -1;
		}
		fclose(f);
	}
	return 0;
}

static int save(const char *dir)
{
	char path[4096];
	int k;

	for (k = 0; k < ONNXCC_MODEL_NUM_OUTPUTS; k++) {
		size_t n = onnxcc_model_outputs[k].nbytes;
		FILE *f;

		snprintf(path, sizeof path, "%s/out_%d.bin", dir, k);
		f = fopen(path, "wb");
		if (!f || fwrite(out[k], 1, n, f) != n) {
			printf("error cannot write %s\n", path);
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
	}
	return 0;
}

int main(int argc, char **argv)
{
	size_t arena_bytes = ONNXCC_MODEL_ARENA_SIZE;
	void *arena = NULL;
	char line[256];
	double *t = NULL;
	int k;

	if (argc != 2) {
		fprintf(stderr, "usage: timing_harness DIR\n");
		return 2;
	}
	for (k = 0; k < ONNXCC_MODEL_NUM_INPUTS; k++)
		if (!(in[k] = calloc(1, onnxcc_model_inputs[k].nbytes + 1)))
			return 1;
	for (k = 0; k < ONNXCC_MODEL_NUM_OUTPUTS; k++)
		if (!(out[k] = calloc(1, onnxcc_model_outputs[k].nbytes + 1)))
			return 1;
	if (arena_bytes) {
		arena_bytes = (arena_bytes + ONNXCC_MODEL_ARENA_ALIGN - 1) / ONNXCC_MODEL_ARENA_ALIGN *
			      ONNXCC_MODEL_ARENA_ALIGN;
		if (posix_memalign(&arena, ONNXCC_MODEL_ARENA_ALIGN, arena_bytes) != 0)
			return 1;
		memset(arena, 0, arena_bytes); /* touch every page before timing */
	}
	printf("{\"arena\":%zu,", (size_t)ONNXCC_MODEL_ARENA_SIZE);
	print_info("inputs", onnxcc_model_inputs, ONNXCC_MODEL_NUM_INPUTS);
	printf(",");
	print_info("outputs", onnxcc_model_outputs, ONNXCC_MODEL_NUM_OUTPUTS);
	printf("}\n");
	fflush(stdout);
	while (fgets(line, sizeof line, stdin)) {
		int n;

		if (!strcmp(line, "load\n")) {
			if (load(argv[1]) == 0)
				printf("ok\n");
		} else if (!strcmp(line, "save\n")) {
			if (save(argv[1]) == 0)
				printf("ok\n");
		} else if (sscanf(line, "run %d", &n) == 1 && n > 0 && n <= 100000) {
			int i, rc = 0;

			free(t);
			if (!(t = malloc(sizeof *t * (size_t)n)))
				return 1;
			for (i = 0; i < n && rc == 0; i++) {
				double t0 = now_ms();
				rc = onnxcc_model_run_generic((const void *const *)in, out, arena);
				t[i] = now_ms() - t0;
			}
			if (rc != 0) {
				printf("error the model returned status %d\n", rc);
			} else {
				for (i = 0; i < n; i++)
					printf("%s%.4f", i ? " " : "", t[i]);
				printf("\n");
			}
		} else {
			printf("error unknown command\n");
		}
		fflush(stdout);
	}
	return 0;
}
