/* mkmodel.c: writes the small models the CLI test compiles.
 *
 *   mkmodel add OUT.onnx          y/out = x:0 + bias (float[2,3] + float[3])
 *   mkmodel unsupported OUT.onnx  a node of an operator nobody implements
 *   mkmodel strcat OUT.onnx       y = StringConcat(x, suffix) (string[2] + string[1])
 *   mkmodel int4 OUT.onnx         t = Transpose(x: int4[2,3]); f = float(t);
 *                                 e = EyeLike(t, dtype int4): sub-byte types
 *                                 at the interface and in data movement
 *
 *   mkmodel matmul DIR M N K [const]
 *                                 DIR/model.onnx: y = MatMul(a, b), a float[M,K] input,
 *                                 b float[K,N] an input (or, with `const`, an
 *                                 initializer), and DIR/test_data_set_0 with random
 *                                 inputs and y computed in double
 *   mkmodel random OUT.onnx       y = x + RandomUniformLike(x) + RandomNormalLike(x,
 *                                 seed 7): generated values, the same every run
 *
 *   mkmodel control DIR           DIR/model.onnx: y = If(c, x*x, -x) with c a run-time
 *                                 bool; a Loop adding x to acc n times (n a run-time
 *                                 int64, its scan output declared 3 rows long), and
 *                                 data sets DIR/then, DIR/else (n = 3) and DIR/short
 *                                 (n = 2: the run must fail with a shape error)
 *   mkmodel function DIR          DIR/model.onnx: model-local functions, inlined:
 *                                 y = Twice(x, k=2) (a function calling ScaleClip
 *                                 twice, alpha=k) = 4x and z = ScaleClip(x, lo)
 *                                 = max(2x, lo) (alpha's default 2); data sets
 *                                 DIR/right and DIR/wrong (z off by one: must fail)
 *
 * Names with ':' and '/' check that the generated interface makes C
 * identifiers of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_builder.h"

static const int64_t d23[] = {2, 3}, d3[] = {3}, d32[] = {3, 2};
static const float bias[] = {1, 2, 3};

static void save_set(const char *dir, const char *set, uint8_t c, int64_t n, const float *y,
		     const float *z, const float *scan)
{
	static const int64_t d3x[] = {3}, d33[] = {3, 3};
	char path[1024];

	snprintf(path, sizeof path, "mkdir -p '%s/%s'", dir, set);
	if (system(path) != 0)
		exit(1);
	snprintf(path, sizeof path, "%s/%s/input_0.pb", dir, set);
	mb_save_tensor(path, "c", DT_BOOL, 0, NULL, &c, 1);
	snprintf(path, sizeof path, "%s/%s/input_1.pb", dir, set);
	mb_save_tensor_f32(path, "x", 1, d3x, (const float[]){1, 2, 3});
	snprintf(path, sizeof path, "%s/%s/input_2.pb", dir, set);
	mb_save_tensor(path, "n", DT_INT64, 0, NULL, &n, 8);
	snprintf(path, sizeof path, "%s/%s/output_0.pb", dir, set);
	mb_save_tensor_f32(path, "y", 1, d3x, y);
	snprintf(path, sizeof path, "%s/%s/output_1.pb", dir, set);
	mb_save_tensor_f32(path, "z", 1, d3x, z);
	snprintf(path, sizeof path, "%s/%s/output_2.pb", dir, set);
	mb_save_tensor_f32(path, "rows", 2, d33, scan);
}

static int control(MB *b, const char *dir)
{
	static const int64_t d3x[] = {3}, d33[] = {3, 3};
	static const float z[] = {4, 8, 12}, rows[] = {2, 4, 6, 3, 6, 9, 4, 8, 12};
	MB *then = mb_new(13), *els = mb_new(13), *body = mb_new(13);
	Onnx__NodeProto *n;
	char path[1024];

	mb_input(b, "c", DT_BOOL, 0, NULL);
	mb_input(b, "x", DT_FLOAT, 1, d3x);
	mb_input(b, "n", DT_INT64, 0, NULL);
	/* the branches read x from the outer graph */
	mb_node(then, "Mul", "sq", "x,x", "t");
	mb_output(then, "t", DT_FLOAT, 1, d3x);
	mb_node(els, "Neg", "neg", "x", "e");
	mb_output(els, "e", DT_FLOAT, 1, d3x);
	n = mb_node(b, "If", "if", "c", "y");
	mb_attr_graph(n, "then_branch", then);
	mb_attr_graph(n, "else_branch", els);
	mb_input(body, "i", DT_INT64, 0, NULL);
	mb_input(body, "cond", DT_BOOL, 0, NULL);
	mb_input(body, "acc", DT_FLOAT, 1, d3x);
	mb_node(body, "Identity", "keep", "cond", "cond_out");
	mb_node(body, "Add", "add", "acc,x", "acc_out");
	mb_node(body, "Identity", "row", "acc_out", "row");
	mb_output(body, "cond_out", DT_BOOL, 0, NULL);
	mb_output(body, "acc_out", DT_FLOAT, 1, d3x);
	mb_output(body, "row", DT_FLOAT, 1, d3x);
	n = mb_node(b, "Loop", "loop", "n,,x", "z,rows");
	mb_attr_graph(n, "body", body);
	mb_output(b, "y", DT_FLOAT, 1, d3x);
	mb_output(b, "z", DT_FLOAT, 1, d3x);
	mb_output(b, "rows", DT_FLOAT, 2, d33);
	snprintf(path, sizeof path, "mkdir -p '%s'", dir);
	if (system(path) != 0)
		return 1;
	snprintf(path, sizeof path, "%s/model.onnx", dir);
	mb_save(b, path);
	save_set(dir, "then", 1, 3, (const float[]){1, 4, 9}, z, rows);
	save_set(dir, "else", 0, 3, (const float[]){-1, -2, -3}, z, rows);
	save_set(dir, "short", 1, 2, (const float[]){1, 4, 9}, z, rows);
	return 0;
}

static void function_set(const char *dir, const char *set, const float *z)
{
	static const int64_t d3x[] = {3};
	static const float lo = 3;
	char path[1024];

	snprintf(path, sizeof path, "mkdir -p '%s/%s'", dir, set);
	if (system(path) != 0)
		exit(1);
	snprintf(path, sizeof path, "%s/%s/input_0.pb", dir, set);
	mb_save_tensor_f32(path, "x", 1, d3x, (const float[]){1, 2, 3});
	snprintf(path, sizeof path, "%s/%s/input_1.pb", dir, set);
	mb_save_tensor_f32(path, "lo", 0, NULL, &lo);
	snprintf(path, sizeof path, "%s/%s/output_0.pb", dir, set);
	mb_save_tensor_f32(path, "y", 1, d3x, (const float[]){4, 8, 12});
	snprintf(path, sizeof path, "%s/%s/output_1.pb", dir, set);
	mb_save_tensor_f32(path, "z", 1, d3x, z);
}

static int functions(MB *b, const char *dir)
{
	static const int64_t d3x[] = {3};
	MB *sc = mb_new(13), *twice = mb_new(13);
	Onnx__NodeProto *n;
	char path[1024];

	/* ScaleClip(x, lo) = Clip(x * alpha, lo), alpha 2 unless the call says */
	mb_attr_ref(mb_node(sc, "Constant", "a", "", "a"), "value_float", AT_FLOAT, "alpha");
	mb_node(sc, "Mul", "m", "x,a", "m");
	mb_node(sc, "Clip", "c", "m,lo", "y");
	mb_function_default_f(mb_function(b, "my.fns", "ScaleClip", "x,lo", "y", "", sc),
			      "alpha", 2);
	/* Twice(x) = ScaleClip(ScaleClip(x, alpha=k), alpha=k) */
	mb_opset(twice, "my.fns", 1);
	n = mb_node(twice, "ScaleClip", "s1", "x", "t");
	n->domain = "my.fns";
	mb_attr_ref(n, "alpha", AT_FLOAT, "k");
	n = mb_node(twice, "ScaleClip", "s2", "t", "y");
	n->domain = "my.fns";
	mb_attr_ref(n, "alpha", AT_FLOAT, "k");
	mb_function(b, "my.fns", "Twice", "x", "y", "k", twice);
	mb_opset(b, "my.fns", 1);
	mb_input(b, "x", DT_FLOAT, 1, d3x);
	mb_input(b, "lo", DT_FLOAT, 0, NULL);
	n = mb_node(b, "Twice", "twice", "x", "y");
	n->domain = "my.fns";
	mb_attr_f(n, "k", 2);
	mb_node(b, "ScaleClip", "clip", "x,lo", "z")->domain = "my.fns";
	mb_output(b, "y", DT_FLOAT, 1, d3x);
	mb_output(b, "z", DT_FLOAT, 1, d3x);
	snprintf(path, sizeof path, "mkdir -p '%s'", dir);
	if (system(path) != 0)
		return 1;
	snprintf(path, sizeof path, "%s/model.onnx", dir);
	mb_save(b, path);
	function_set(dir, "right", (const float[]){3, 4, 6});
	function_set(dir, "wrong", (const float[]){3, 4, 7});
	return 0;
}

static float *random_matrix(int64_t n, unsigned *seed)
{
	float *x = malloc((size_t)(n ? n : 1) * sizeof(float));
	int64_t i;

	for (i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		x[i] = (float)((*seed >> 8) & 0xffff) / 32768.0f - 1.0f;
	}
	return x;
}

static int matmul(MB *b, const char *dir, int64_t m, int64_t n, int64_t k, int cnst)
{
	int64_t da[2] = {m, k}, db[2] = {k, n}, dy[2] = {m, n}, i, j, kk;
	unsigned seed = (unsigned)(m * 7 + n * 3 + k);
	float *a = random_matrix(m * k, &seed), *bm = random_matrix(k * n, &seed);
	float *y = malloc((size_t)(m * n > 0 ? m * n : 1) * sizeof(float));
	char path[1024];

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			double s = 0;
			for (kk = 0; kk < k; kk++)
				s += (double)a[i * k + kk] * bm[kk * n + j];
			y[i * n + j] = (float)s;
		}
	mb_input(b, "a", DT_FLOAT, 2, da);
	if (cnst)
		mb_init_f32(b, "b", 2, db, bm);
	else
		mb_input(b, "b", DT_FLOAT, 2, db);
	mb_node(b, "MatMul", "mm", "a,b", "y");
	mb_output(b, "y", DT_FLOAT, 2, dy);
	snprintf(path, sizeof path, "mkdir -p '%s/test_data_set_0'", dir);
	if (system(path) != 0)
		return 1;
	snprintf(path, sizeof path, "%s/model.onnx", dir);
	mb_save(b, path);
	snprintf(path, sizeof path, "%s/test_data_set_0/input_0.pb", dir);
	mb_save_tensor_f32(path, "a", 2, da, a);
	if (!cnst) {
		snprintf(path, sizeof path, "%s/test_data_set_0/input_1.pb", dir);
		mb_save_tensor_f32(path, "b", 2, db, bm);
	}
	snprintf(path, sizeof path, "%s/test_data_set_0/output_0.pb", dir);
	mb_save_tensor_f32(path, "y", 2, dy, y);
	free(a);
	free(bm);
	free(y);
	return 0;
}

int main(int argc, char **argv)
{
	MB *b = mb_new(13);
	static const int64_t d1[] = {1}, d2[] = {2};
	static const char *const suffix[] = {"-ok"};

	if (argc >= 6 && strcmp(argv[1], "matmul") == 0)
		return matmul(b, argv[2], atoll(argv[3]), atoll(argv[4]), atoll(argv[5]),
			      argc > 6 && strcmp(argv[6], "const") == 0);
	if (argc != 3) {
		fprintf(stderr, "usage: mkmodel add|unsupported|int4|strcat OUT.onnx | control|function DIR | matmul DIR M N K [const]\n");
		return 2;
	}
	if (strcmp(argv[1], "strcat") == 0) {
		b = mb_new(20);
		mb_input(b, "x", DT_STRING, 1, d2);
		mb_init_str(b, "suffix", 1, d1, suffix);
		mb_node(b, "StringConcat", "cat", "x,suffix", "y");
		mb_output(b, "y", DT_STRING, 1, d2);
		mb_save(b, argv[2]);
		return 0;
	}
	if (strcmp(argv[1], "control") == 0)
		return control(b, argv[2]);
	if (strcmp(argv[1], "function") == 0)
		return functions(b, argv[2]);
	if (strcmp(argv[1], "random") == 0) {
		Onnx__NodeProto *n;
		mb_input(b, "x", DT_FLOAT, 2, d23);
		mb_node(b, "RandomUniformLike", "uniform", "x", "u");
		n = mb_node(b, "RandomNormalLike", "normal", "x", "g");
		mb_attr_f(n, "seed", 7.0f);
		mb_node(b, "Add", "add1", "x,u", "t");
		mb_node(b, "Add", "add2", "t,g", "y");
		mb_output(b, "y", DT_FLOAT, 2, d23);
		mb_save(b, argv[2]);
		return 0;
	}
	if (strcmp(argv[1], "int4") == 0) {
		Onnx__NodeProto *n;
		mb_input(b, "x", DT_INT4, 2, d23);
		mb_node(b, "Transpose", "tr", "x", "t");
		n = mb_node(b, "Cast", "cast", "t", "f");
		mb_attr_i(n, "to", DT_FLOAT);
		n = mb_node(b, "EyeLike", "eye", "t", "e");
		mb_attr_i(n, "dtype", DT_INT4);
		mb_output(b, "t", DT_INT4, 2, d32);
		mb_output(b, "f", DT_FLOAT, 2, d32);
		mb_output(b, "e", DT_INT4, 2, d32);
		mb_save(b, argv[2]);
		return 0;
	}
	mb_input(b, "x:0", DT_FLOAT, 2, d23);
	mb_init_f32(b, "bias", 1, d3, bias);
	if (strcmp(argv[1], "add") == 0) {
		mb_node(b, "Add", "add", "x:0,bias", "y/out");
	} else if (strcmp(argv[1], "unsupported") == 0) {
		mb_node(b, "FrobnicateAll", "frob", "x:0,bias", "y/out");
	} else {
		fprintf(stderr, "mkmodel: unknown model %s\n", argv[1]);
		return 2;
	}
	mb_output(b, "y/out", DT_FLOAT, 2, d23);
	mb_save(b, argv[2]);
	return 0;
}
