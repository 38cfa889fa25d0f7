/* onnxcc_harness.c: a generic driver for any model onnxcc compiled with
 * --name onnxcc_model.  onnxcc-run builds it with the generated model.c.
 *
 * usage: harness DIR REPEAT
 * Reads DIR/in_K.bin (raw little-endian data, metadata order; a missing file
 * means zeros), runs the model, writes DIR/out_K.bin.  With REPEAT > 0 it
 * runs REPEAT more times after the first and prints median_ms=<ms>. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"

static void *load(const char *dir, int k, size_t nbytes)
{
	char path[4096];
	void *p = calloc(1, nbytes ? nbytes : 1);
	FILE *f;

	if (!p)
		return NULL;
	snprintf(path, sizeof path, "%s/in_%d.bin", dir, k);
	f = fopen(path, "rb");
	if (f) {
		if (fread(p, 1, nbytes, f) != nbytes) {
			fprintf(stderr, "harness: %s: short read\n", path);
			fclose(f);
			free(p);
			return NULL;
		}
		fclose(f);
	}
	return p;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	void *in[ONNXCC_MODEL_NUM_INPUTS + 1] = {0}, *out[ONNXCC_MODEL_NUM_OUTPUTS + 1] = {0};
	void *arena = NULL;
	size_t arena_bytes = ONNXCC_MODEL_ARENA_SIZE;
	int k, repeat, rc = 1, status;

	if (argc != 3) {
		fprintf(stderr, "usage: harness DIR REPEAT\n");
		return 2;
	}
	repeat = atoi(argv[2]);
	for (k = 0; k < ONNXCC_MODEL_NUM_INPUTS; k++)
		if (!(in[k] = load(argv[1], k, onnxcc_model_inputs[k].nbytes)))
			goto done;
	for (k = 0; k < ONNXCC_MODEL_NUM_OUTPUTS; k++)
		if (!(out[k] = calloc(1, onnxcc_model_outputs[k].nbytes + 1)))
			goto done;
	if (arena_bytes) {
		arena_bytes = (arena_bytes + ONNXCC_MODEL_ARENA_ALIGN - 1) / ONNXCC_MODEL_ARENA_ALIGN *
			      ONNXCC_MODEL_ARENA_ALIGN;
		if (posix_memalign(&arena, ONNXCC_MODEL_ARENA_ALIGN, arena_bytes) != 0)
			goto done;
	}
	status = onnxcc_model_run_generic((const void *const *)in, out, arena);
	if (status != 0) {
		fprintf(stderr, "harness: the model returned status %d\n", status);
		goto done;
	}
	if (repeat > 0) {
		double *t = malloc(sizeof(double) * (size_t)repeat);
		if (!t)
			goto done;
		for (k = 0; k < repeat; k++) {
			double t0 = now_ms();
			onnxcc_model_run_generic((const void *const *)in, out, arena);
			t[k] = now_ms() - t0;
		}
		qsort(t, (size_t)repeat, sizeof(double), cmp_double);
		printf("median_ms=%.4f\n", t[repeat / 2]);
		free(t);
	}
	for (k = 0; k < ONNXCC_MODEL_NUM_OUTPUTS; k++) {
		char path[4096];
		FILE *f;
		snprintf(path, sizeof path, "%s/out_%d.bin", argv[1], k);
		f = fopen(path, "wb");
		if (!f || fwrite(out[k], 1, onnxcc_model_outputs[k].nbytes, f) != onnxcc_model_outputs[k].nbytes) {
			fprintf(stderr, "harness: cannot write %s\n", path);
			if (f)
				fclose(f);
			goto done;
		}
		fclose(f);
	}
	rc = 0;
done:
#if ONNXCC_MODEL_THREADS > 1
	onnxcc_model_threads_join();
#endif
	for (k = 0; k < ONNXCC_MODEL_NUM_INPUTS; k++)
		free(in[k]);
	for (k = 0; k < ONNXCC_MODEL_NUM_OUTPUTS; k++)
		free(out[k]);
	free(arena);
	return rc;
}
