/* test_fuse.c: passes/fuse.c.  Each test builds a small model, runs the
 * passes as the driver does at -O0 (no fusion) and at -O2, checks the live
 * operators after fusion, and runs the lowered calls in the compiler (the
 * kernels the generated code uses) for the portable and the host's SIMD
 * kernels: the fused outputs must match the unfused ones. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "lower.h"
#include "ops.h"
#include "passes/passes.h"

typedef void (*Build)(MB *b);

/* Deterministic values in [-1, 1). */
static void fill(float *x, int64_t n, unsigned seed)
{
	int64_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		x[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
	}
}

/* Fill a float input with fill(), seeded by its position. */
static void fill_input(const Value *v, void *buf, int i)
{
	fill(buf, value_numel(v), 7u + (unsigned)i);
}

/* Build the model, run the passes at `opt` for `cpu`, and return the output
 * "Y" (value_numel floats, malloc'd; *n its count); *ops gets the live ops
 * after fusion. */
static float *run(Build build, int opset, int opt, int cpu, int64_t *n, char *ops, size_t nops)
{
	MB *b = mb_new(opset);
	Graph *g;
	float *out;

	build(b);
	g = unit_load(b);
	ck_assert_msg(g != NULL, "load: %s", ir_last_error());
	ck_assert_msg(pass_infer(g) == 0, "infer: %s", ir_last_error());
	ck_assert_msg(pass_fold(g) == 0, "fold: %s", ir_last_error());
	ck_assert_msg(pass_dce(g) == 0, "dce: %s", ir_last_error());
	pass_opt_level = opt;
	ck_assert_msg(pass_fuse(g) == 0, "fuse: %s", ir_last_error());
	ir_verify(g, "fuse");
	snprintf(ops, nops, "%s", unit_live_ops(g));
	lower_cpu = cpu;
	ck_assert_msg(pass_lower(g) == 0, "lower: %s", ir_last_error());
	out = unit_run_calls(g, fill_input, "Y", n);
	pass_opt_level = 2;
	graph_free(g);
	return out;
}

/* The model fuses into `want` (live ops at -O2), and gives the same output as
 * at -O0 within rtol (the BatchNormalization and bias folds round differently)
 * on the portable kernels and on the host's. */
static void check(Build build, int opset, const char *unfused, const char *want, double rtol)
{
	int cpus[2] = {CPU_GENERIC, cpu_native()}, c;
	char ops[1024];

	for (c = 0; c < 2; c++) {
		int64_t n0, n1, i;
		float *ref = run(build, opset, 0, cpus[c], &n0, ops, sizeof ops);
		float *got;
		ck_assert_str_eq(ops, unfused);
		got = run(build, opset, 2, cpus[c], &n1, ops, sizeof ops);
		ck_assert_str_eq(ops, want);
		ck_assert_int_eq(n0, n1);
		for (i = 0; i < n0; i++)
			ck_assert_msg(fabs(got[i] - ref[i]) <= rtol * (1 + fabs(ref[i])),
				      "cpu %s: Y[%lld] = %.9g fused, %.9g unfused", cpu_name(cpus[c]),
				      (long long)i, got[i], ref[i]);
		free(ref);
		free(got);
	}
}

/* Conv -> BatchNormalization -> Add(residual input) -> Relu. */
static void conv_bn_add_relu(MB *b)
{
	static const int64_t dx[] = {2, 8, 9, 7}, dw[] = {16, 8, 3, 3}, dc[] = {16};
	static const int64_t dy[] = {2, 16, 9, 7}, pads[] = {1, 1, 1, 1};
	float w[16 * 8 * 9], bias[16], sc[16], bb[16], mean[16], var[16];
	int i;

	fill(w, 16 * 8 * 9, 1);
	fill(bias, 16, 2);
	fill(sc, 16, 3);
	fill(bb, 16, 4);
	fill(mean, 16, 5);
	fill(var, 16, 6);
	for (i = 0; i < 16; i++)
		var[i] = var[i] * var[i] + 0.1f;
	mb_input(b, "X", DT_FLOAT, 4, dx);
	mb_input(b, "R", DT_FLOAT, 4, dy);
	mb_init_f32(b, "W", 4, dw, w);
	mb_init_f32(b, "B", 1, dc, bias);
	mb_init_f32(b, "s", 1, dc, sc);
	mb_init_f32(b, "bb", 1, dc, bb);
	mb_init_f32(b, "m", 1, dc, mean);
	mb_init_f32(b, "v", 1, dc, var);
	mb_attr_ints(mb_node(b, "Conv", "conv", "X,W,B", "C"), "pads", 4, pads);
	mb_node(b, "BatchNormalization", "bn", "C,s,bb,m,v", "N");
	mb_node(b, "Add", "add", "N,R", "S");
	mb_node(b, "Relu", "relu", "S", "Y");
	mb_output(b, "Y", DT_FLOAT, 4, dy);
}

START_TEST(conv_batchnorm_residual_relu)
{
	check(conv_bn_add_relu, 13, "Conv BatchNormalization Add Relu", "Conv", 1e-5);
}
END_TEST

/* A pointwise grouped Conv (2 groups) with a per-channel bias Add and Clip(0, 6). */
static void conv_bias_clip(MB *b)
{
	static const int64_t dx[] = {1, 8, 5, 6}, dw[] = {12, 4, 1, 1}, dc[] = {12, 1, 1};
	static const int64_t one = 1;
	static const float lo = 0, hi = 0.5f;
	float w[12 * 4], bias[12];
	Onnx__NodeProto *n;

	fill(w, 48, 11);
	fill(bias, 12, 12);
	mb_input(b, "X", DT_FLOAT, 4, dx);
	mb_init_f32(b, "W", 4, dw, w);
	mb_init_f32(b, "c", 3, dc, bias);
	mb_init_f32(b, "lo", 0, &one, &lo);
	mb_init_f32(b, "hi", 0, &one, &hi);
	n = mb_node(b, "Conv", "conv", "X,W", "C");
	mb_attr_i(n, "group", 2);
	mb_node(b, "Add", "add", "c,C", "S");
	mb_node(b, "Clip", "clip", "S,lo,hi", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
}

START_TEST(conv_bias_add_clip)
{
	check(conv_bias_clip, 13, "Conv Add Clip", "Conv", 1e-6);
}
END_TEST

/* MatMul (batched A, constant B) + Add(bias) -> SiLU as Mul(x, Sigmoid(x)). */
static void matmul_bias_silu(MB *b)
{
	static const int64_t da[] = {2, 5, 24}, dw[] = {24, 40}, dc[] = {40};
	float w[24 * 40], bias[40];

	fill(w, 24 * 40, 21);
	fill(bias, 40, 22);
	mb_input(b, "X", DT_FLOAT, 3, da);
	mb_init_f32(b, "W", 2, dw, w);
	mb_init_f32(b, "c", 1, dc, bias);
	mb_node(b, "MatMul", "mm", "X,W", "M");
	mb_node(b, "Add", "add", "M,c", "S");
	mb_node(b, "Sigmoid", "sig", "S", "G");
	mb_node(b, "Mul", "mul", "S,G", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
}

START_TEST(matmul_bias_add_silu)
{
	check(matmul_bias_silu, 13, "MatMul Add Sigmoid Mul", "MatMul", 1e-6);
}
END_TEST

/* Gemm (transB, run-time operands) + Add(residual) -> LeakyRelu; 3 columns
 * only, so the portable and SIMD products run transposed. */
static void gemm_residual_leaky(MB *b)
{
	static const int64_t da[] = {37, 19}, db[] = {3, 19}, dy[] = {37, 3};
	Onnx__NodeProto *n;

	mb_input(b, "A", DT_FLOAT, 2, da);
	mb_input(b, "B", DT_FLOAT, 2, db);
	mb_input(b, "R", DT_FLOAT, 2, dy);
	n = mb_node(b, "Gemm", "gemm", "A,B", "G");
	mb_attr_i(n, "transB", 1);
	mb_attr_f(n, "alpha", 0.5f);
	mb_node(b, "Add", "add", "R,G", "S");
	mb_attr_f(mb_node(b, "LeakyRelu", "lrelu", "S", "Y"), "alpha", 0.1f);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
}

START_TEST(gemm_residual_leakyrelu)
{
	check(gemm_residual_leaky, 13, "Gemm Add LeakyRelu", "Gemm", 1e-6);
}
END_TEST

/* MatMul with 3 columns (computed transposed) -> Clip(-0.2, 0.3) with min > max
 * nowhere, then the same with min > max (the upper bound wins). */
static void matmul_clip_both(MB *b, float lo, float hi)
{
	static const int64_t da[] = {29, 11}, db[] = {11, 3}, one = 1;

	mb_input(b, "A", DT_FLOAT, 2, da);
	mb_input(b, "B", DT_FLOAT, 2, db);
	mb_init_f32(b, "lo", 0, &one, &lo);
	mb_init_f32(b, "hi", 0, &one, &hi);
	mb_node(b, "MatMul", "mm", "A,B", "M");
	mb_node(b, "Clip", "clip", "M,lo,hi", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
}

static void matmul_clip(MB *b)
{
	matmul_clip_both(b, -0.2f, 0.3f);
}

static void matmul_clip_crossed(MB *b)
{
	matmul_clip_both(b, 0.3f, -0.2f);
}

START_TEST(matmul_transposed_clip)
{
	check(matmul_clip, 13, "MatMul Clip", "MatMul", 0);
	check(matmul_clip_crossed, 13, "MatMul Clip", "MatMul", 0);
}
END_TEST

/* Gemm (transB, constant B and a row-varying C, beta 0.5) -> BatchNormalization
 * -> Relu. */
static void gemm_bn(MB *b)
{
	static const int64_t da[] = {6, 10}, dw[] = {12, 10}, dc[] = {6, 1}, dn[] = {12};
	float w[120], c[6], sc[12], bb[12], mean[12], var[12];
	Onnx__NodeProto *n;
	int i;

	fill(w, 120, 41);
	fill(c, 6, 42);
	fill(sc, 12, 43);
	fill(bb, 12, 44);
	fill(mean, 12, 45);
	fill(var, 12, 46);
	for (i = 0; i < 12; i++)
		var[i] = var[i] * var[i] + 0.1f;
	mb_input(b, "A", DT_FLOAT, 2, da);
	mb_init_f32(b, "W", 2, dw, w);
	mb_init_f32(b, "C", 2, dc, c);
	mb_init_f32(b, "s", 1, dn, sc);
	mb_init_f32(b, "bb", 1, dn, bb);
	mb_init_f32(b, "m", 1, dn, mean);
	mb_init_f32(b, "v", 1, dn, var);
	n = mb_node(b, "Gemm", "gemm", "A,W,C", "G");
	mb_attr_i(n, "transB", 1);
	mb_attr_f(n, "beta", 0.5f);
	mb_node(b, "BatchNormalization", "bn", "G,s,bb,m,v", "N");
	mb_node(b, "Relu", "relu", "N", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
}

START_TEST(gemm_batchnorm_relu)
{
	check(gemm_bn, 13, "Gemm BatchNormalization Relu", "Gemm", 1e-5);
}
END_TEST

/* X (2 x 6 x 5 x 4) -> [Conv] -> BatchNormalization -> Mul(m) -> Add(a) ->
 * Relu, m and a per channel ([6, 1, 1] and [1, 6, 1, 1]); with `spatial`, m
 * varies along the last axis instead ([4]), which is not per channel. */
static void bn_affine(MB *b, int conv, int spatial)
{
	static const int64_t dx[] = {2, 6, 5, 4}, dw[] = {6, 6, 1, 1}, dn[] = {6};
	static const int64_t dm[] = {6, 1, 1}, da[] = {1, 6, 1, 1}, ds[] = {4};
	float w[36], sc[6], bb[6], mean[6], var[6], m[6], a[6];
	int i;

	fill(w, 36, 51);
	fill(sc, 6, 52);
	fill(bb, 6, 53);
	fill(mean, 6, 54);
	fill(var, 6, 55);
	fill(m, 6, 56);
	fill(a, 6, 57);
	for (i = 0; i < 6; i++)
		var[i] = var[i] * var[i] + 0.1f;
	mb_input(b, "X", DT_FLOAT, 4, dx);
	mb_init_f32(b, "W", 4, dw, w);
	mb_init_f32(b, "s", 1, dn, sc);
	mb_init_f32(b, "bb", 1, dn, bb);
	mb_init_f32(b, "mu", 1, dn, mean);
	mb_init_f32(b, "v", 1, dn, var);
	mb_init_f32(b, "m", spatial ? 1 : 3, spatial ? ds : dm, m);
	mb_init_f32(b, "a", 4, da, a);
	mb_node(b, conv ? "Conv" : "Neg", "first", conv ? "X,W" : "X", "C");
	mb_node(b, "BatchNormalization", "bn", "C,s,bb,mu,v", "N");
	mb_node(b, "Mul", "mul", "N,m", "M");
	mb_node(b, "Add", "add", "a,M", "S");
	mb_node(b, "Relu", "relu", "S", "Y");
	mb_output(b, "Y", DT_FLOAT, 4, dx);
}

static void neg_bn_affine(MB *b)
{
	bn_affine(b, 0, 0);
}

static void conv_bn_affine(MB *b)
{
	bn_affine(b, 1, 0);
}

static void neg_bn_spatial_mul(MB *b)
{
	bn_affine(b, 0, 1);
}

START_TEST(batchnorm_affine_relu)
{
	check(neg_bn_affine, 13, "Neg BatchNormalization Mul Add Relu", "Neg BatchNormalization",
	      1e-5);
	check(conv_bn_affine, 13, "Conv BatchNormalization Mul Add Relu", "Conv", 1e-5);
	/* a Mul along the last axis stays out of the BatchNormalization; with
	 * the Add and Relu after it, it is an elementwise chain */
	check(neg_bn_spatial_mul, 13, "Neg BatchNormalization Mul Add Relu",
	      "Neg BatchNormalization EwChain", 0);
}
END_TEST

/* A Conv output read twice is not fused with either reader (the Relu and
 * the Add, which reads it again, are an elementwise chain). */
static void conv_two_uses(MB *b)
{
	static const int64_t dx[] = {1, 3, 6, 6}, dw[] = {4, 3, 3, 3};
	float w[4 * 27];

	fill(w, 4 * 27, 31);
	mb_input(b, "X", DT_FLOAT, 4, dx);
	mb_init_f32(b, "W", 4, dw, w);
	mb_node(b, "Conv", "conv", "X,W", "C");
	mb_node(b, "Relu", "relu", "C", "Z");
	mb_node(b, "Add", "add", "C,Z", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
}

START_TEST(shared_output_not_fused)
{
	check(conv_two_uses, 13, "Conv Relu Add", "Conv EwChain", 0);
}
END_TEST

/* Transpose pairs: perm (0 2 1) twice is the identity (a view); (1 2 0) then
 * (0 2 1) compose into one Transpose reading X. */
static void transposes(MB *b)
{
	static const int64_t dx[] = {2, 3, 4}, p021[] = {0, 2, 1}, p120[] = {1, 2, 0};

	mb_input(b, "X", DT_FLOAT, 3, dx);
	mb_attr_ints(mb_node(b, "Transpose", "t1", "X", "T1"), "perm", 3, p021);
	mb_attr_ints(mb_node(b, "Transpose", "t2", "T1", "T2"), "perm", 3, p021);
	mb_attr_ints(mb_node(b, "Transpose", "t3", "X", "T3"), "perm", 3, p120);
	mb_attr_ints(mb_node(b, "Transpose", "t4", "T3", "T4"), "perm", 3, p021);
	mb_node(b, "Relu", "relu", "T4", "U");	/* (3, 2, 4) */
	mb_node(b, "Reshape", "r", "U,shape", "V");
	mb_node(b, "Add", "add", "T2,V", "Y");
	{
		static const int64_t two = 3, shape[] = {2, 3, 4};
		mb_init_i64(b, "shape", 1, &two, shape);
	}
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
}

START_TEST(transpose_pairs)
{
	check(transposes, 13, "Transpose Transpose Transpose Transpose Relu Reshape Add",
	      "Identity Transpose Relu Reshape Add", 0);
}
END_TEST

/* Slice pairs: A, the Focus layer's X[..., ::2, 1::2], B, two slices of one
 * axis (the outer's start from the end) and another, and E, one element
 * with steps of 2^62 (composed, they would overflow), read X once; T1 stays
 * for the Relu.  C's inner slice steps backwards: not fused. */
static void slices(MB *b)
{
	static const int64_t dx[] = {2, 5, 9, 8}, one = 1, two = 2;

	mb_input(b, "X", DT_FLOAT, 4, dx);
	mb_init_i64(b, "z", 1, &one, (const int64_t[]){0});
	mb_init_i64(b, "i1", 1, &one, (const int64_t[]){1});
	mb_init_i64(b, "big", 1, &one, (const int64_t[]){1000});
	mb_init_i64(b, "ax1", 1, &one, (const int64_t[]){1});
	mb_init_i64(b, "ax2", 1, &one, (const int64_t[]){2});
	mb_init_i64(b, "ax3", 1, &one, (const int64_t[]){3});
	mb_init_i64(b, "st2", 1, &one, (const int64_t[]){2});
	mb_init_i64(b, "e8", 1, &one, (const int64_t[]){8});
	mb_init_i64(b, "bs", 1, &two, (const int64_t[]){-3, 1});
	mb_init_i64(b, "be", 1, &two, (const int64_t[]){100, 9});
	mb_init_i64(b, "bax", 1, &two, (const int64_t[]){-1, 2});
	mb_init_i64(b, "bst", 1, &two, (const int64_t[]){1, 3});
	mb_init_i64(b, "m1", 1, &one, (const int64_t[]){-1});
	mb_init_i64(b, "m100", 1, &one, (const int64_t[]){-100});
	mb_init_i64(b, "m2", 1, &one, (const int64_t[]){-2});
	mb_node(b, "Slice", "s1", "X,z,big,ax2,st2", "T1");	/* (2, 5, 5, 8) */
	mb_node(b, "Slice", "s2", "T1,i1,big,ax3,st2", "A");	/* (2, 5, 5, 4) */
	mb_node(b, "Slice", "s3", "X,i1,e8,ax3,st2", "T2");	/* (2, 5, 9, 4) */
	mb_node(b, "Slice", "s4", "T2,bs,be,bax,bst", "B");	/* (2, 5, 3, 3) */
	mb_node(b, "Slice", "s5", "X,m1,m100,ax1,m2", "T3");	/* (2, 3, 9, 8) */
	mb_node(b, "Slice", "s6", "T3,z,st2,ax1", "C");	/* (2, 2, 9, 8) */
	mb_init_i64(b, "huge", 1, &one, (const int64_t[]){(int64_t)1 << 62});
	mb_node(b, "Slice", "s7", "X,i1,big,ax3,huge", "T4");	/* (2, 5, 9, 1) */
	mb_node(b, "Slice", "s8", "T4,z,big,ax3,huge", "E");	/* one element: step 1 */
	mb_node(b, "Relu", "relu", "T1", "D");
	mb_node(b, "Flatten", "fa", "A", "FA");
	mb_node(b, "Flatten", "fb", "B", "FB");
	mb_node(b, "Flatten", "fc", "C", "FC");
	mb_node(b, "Flatten", "fd", "D", "FD");
	mb_node(b, "Flatten", "fe", "E", "FE");
	mb_attr_i(mb_node(b, "Concat", "cat", "FA,FB,FC,FD,FE", "Y"), "axis", 1);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
}

static void fused_labels(Build build, int opset, char *out, size_t nout);

START_TEST(slice_pairs)
{
	char labels[512];

	check(slices, 13,
	      "Slice Slice Slice Slice Slice Slice Slice Slice Relu Flatten Flatten Flatten Flatten "
	      "Flatten Concat",
	      "Slice Slice Slice Slice Slice Slice Relu Flatten Flatten Flatten Flatten Flatten Concat",
	      0);
	fused_labels(slices, 13, labels, sizeof labels);
	ck_assert_str_eq(labels, "Slice(s2) + Slice(s1); Slice(s4) + Slice(s3); Slice(s8) + Slice(s7)");
}
END_TEST

/* Elementwise chains (fuse_ew.c) ------------------------------------------ */

/* The labels --report prints for the model's fused nodes, "; "-separated. */
static void fused_labels(Build build, int opset, char *out, size_t nout)
{
	MB *b = mb_new(opset);
	Graph *g;
	size_t len = 0;
	int i;

	build(b);
	g = unit_load(b);
	ck_assert_msg(g != NULL, "load: %s", ir_last_error());
	ck_assert_msg(pass_infer(g) == 0 && pass_fold(g) == 0 && pass_dce(g) == 0, "%s",
		      ir_last_error());
	ck_assert_msg(pass_fuse(g) == 0, "fuse: %s", ir_last_error());
	out[0] = 0;
	for (i = 0; i < g->nnodes; i++)
		if (!g->nodes[i]->dead && g->nodes[i]->fused)
			len += (size_t)snprintf(out + len, nout - len, "%s%s", len ? "; " : "",
						g->nodes[i]->fused);
	graph_free(g);
}

/* GELU decomposed: Y = X * (Erf(X / sqrt 2) + 1) * 0.5. */
static void gelu_decomposed(MB *b)
{
	static const int64_t dx[] = {2, 3, 5, 37}, one = 1;
	static const float r2 = 1.4142135f, c1 = 1, half = 0.5f;

	mb_input(b, "X", DT_FLOAT, 4, dx);
	mb_init_f32(b, "r2", 0, &one, &r2);
	mb_init_f32(b, "c1", 1, &one, &c1);
	mb_init_f32(b, "half", 0, &one, &half);
	mb_node(b, "Div", "div", "X,r2", "D");
	mb_node(b, "Erf", "erf", "D", "E");
	mb_node(b, "Add", "add", "c1,E", "A");
	mb_node(b, "Mul", "mul", "X,A", "M");
	mb_node(b, "Mul", "half", "M,half", "Y");
	mb_output(b, "Y", DT_FLOAT, 4, dx);
}

START_TEST(ew_chain_gelu)
{
	char labels[512];

	check(gelu_decomposed, 13, "Div Erf Add Mul Mul", "EwChain", 1e-6);
	fused_labels(gelu_decomposed, 13, labels, sizeof labels);
	ck_assert_str_eq(labels, "Div(div) + Erf(erf) + Add(add) + Mul(mul) + Mul(half)");
}
END_TEST

/* X (2 x 6 x 5 x 40) * m + a -> Sigmoid -> v - . -> Max w, with m per
 * channel ([6, 1, 1], constant), a per channel ([1, 6, 1, 1], a run-time
 * input, on the left), v along the last axis ([40], on the left) and w
 * along axes 1 and 2 ([6, 5, 1]): blocks of 256 elements cross channels
 * and rows. */
static void per_channel_chain(MB *b)
{
	static const int64_t dx[] = {2, 6, 5, 40}, dm[] = {6, 1, 1}, da[] = {1, 6, 1, 1};
	static const int64_t dv[] = {40}, dw[] = {6, 5, 1};
	float m[6], v[40], w[30];

	fill(m, 6, 61);
	fill(v, 40, 62);
	fill(w, 30, 63);
	mb_input(b, "X", DT_FLOAT, 4, dx);
	mb_input(b, "a", DT_FLOAT, 4, da);
	mb_init_f32(b, "m", 3, dm, m);
	mb_init_f32(b, "v", 1, dv, v);
	mb_init_f32(b, "w", 3, dw, w);
	mb_node(b, "Mul", "mul", "X,m", "M");
	mb_node(b, "Add", "add", "a,M", "A");
	mb_node(b, "Sigmoid", "sig", "A", "S");
	mb_node(b, "Sub", "sub", "v,S", "D");
	mb_node(b, "Max", "max", "w,D", "Y");
	mb_output(b, "Y", DT_FLOAT, 4, dx);
}

START_TEST(ew_chain_per_channel)
{
	check(per_channel_chain, 13, "Mul Add Sigmoid Sub Max", "EwChain", 1e-6);
}
END_TEST

/* D = (0.5 - B) / (X^2 - 0.25), then Clip(2^D, 0.5, 3): scalar operands on
 * either side (Pow with the chain value on the right), a full one on the
 * left (0.5 - B, from another input), Clip's constant bounds (both hit);
 * the first node reads X twice. */
static void scalar_pow_chain(MB *b)
{
	static const int64_t dx[] = {3, 7, 19}, one = 1;
	static const float q = 0.25f, h = 0.5f, two = 2, lo = 0.5f, hi = 3;

	mb_input(b, "X", DT_FLOAT, 3, dx);
	mb_input(b, "B", DT_FLOAT, 3, dx);
	mb_init_f32(b, "q", 0, &one, &q);
	mb_init_f32(b, "h", 0, &one, &h);
	mb_init_f32(b, "two", 0, &one, &two);
	mb_init_f32(b, "lo", 0, &one, &lo);
	mb_init_f32(b, "hi", 0, &one, &hi);
	mb_node(b, "Mul", "sq", "X,X", "P");
	mb_node(b, "Sub", "sub", "P,q", "S");
	mb_node(b, "Sub", "hb", "h,B", "HB");
	mb_node(b, "Div", "div", "HB,S", "D");
	mb_node(b, "Pow", "pow", "two,D", "E");
	mb_node(b, "Clip", "clip", "E,lo,hi", "Y");
	mb_output(b, "Y", DT_FLOAT, 3, dx);
}

/* Pow(X, 3) -> Mul(0.044715) -> Tanh: a scalar exponent. */
static void pow_exponent_chain(MB *b)
{
	static const int64_t dx[] = {4, 33}, one = 1;
	static const float three = 3, k = 0.044715f;

	mb_input(b, "X", DT_FLOAT, 2, dx);
	mb_init_f32(b, "three", 0, &one, &three);
	mb_init_f32(b, "k", 0, &one, &k);
	mb_node(b, "Pow", "pow", "X,three", "P");
	mb_node(b, "Mul", "mul", "P,k", "M");
	mb_node(b, "Tanh", "tanh", "M", "Y");
	mb_output(b, "Y", DT_FLOAT, 2, dx);
}

START_TEST(ew_chain_scalar_pow)
{
	/* HB = h - B is a chain of one node: it stays, and Div reads it */
	check(scalar_pow_chain, 13, "Mul Sub Sub Div Pow Clip", "Sub EwChain", 1e-6);
	check(pow_exponent_chain, 13, "Pow Mul Tanh", "EwChain", 1e-6);
}
END_TEST

/* Relu's output has two readers, so the chain starts after it: Exp -> Add(N)
 * (N = Neg(R), made before the Add) fuse; so does nothing through "E2", a
 * graph output. */
static void second_user(MB *b)
{
	static const int64_t dx[] = {5, 11};

	mb_input(b, "X", DT_FLOAT, 2, dx);
	mb_node(b, "Relu", "relu", "X", "R");
	mb_node(b, "Exp", "exp", "R", "E");
	mb_node(b, "Neg", "neg", "R", "N");
	mb_node(b, "Add", "add", "E,N", "Y");
	mb_node(b, "Tanh", "tanh", "X", "E2");
	mb_node(b, "Abs", "abs", "E2", "Z");
	mb_output(b, "Y", DT_FLOAT, 2, dx);
	mb_output(b, "E2", DT_FLOAT, 2, dx);
	mb_output(b, "Z", DT_FLOAT, 2, dx);
}

/* A vector that broadcasts along two separate runs of axes ([3, 1, 5]
 * against 2 x 3 x 4 x 5) ends a chain. */
static void two_runs(MB *b)
{
	static const int64_t dx[] = {2, 3, 4, 5}, dc[] = {3, 1, 5};
	float c[15];

	fill(c, 15, 71);
	mb_input(b, "X", DT_FLOAT, 4, dx);
	mb_init_f32(b, "c", 3, dc, c);
	mb_node(b, "Neg", "neg", "X", "N");
	mb_node(b, "Exp", "exp", "N", "E");
	mb_node(b, "Mul", "mul", "E,c", "M");
	mb_node(b, "Abs", "abs", "M", "Y");
	mb_output(b, "Y", DT_FLOAT, 4, dx);
}

START_TEST(ew_chain_broken)
{
	check(second_user, 13, "Relu Exp Neg Add Tanh Abs", "Relu Neg EwChain Tanh Abs", 0);
	check(two_runs, 13, "Neg Exp Mul Abs", "EwChain Mul Abs", 0);
}
END_TEST

/* A float16 or bfloat16 Conv and an activation (half_act), between Casts
 * from and to float: Relu and Clip fuse, exactly (rtol 0), LeakyRelu not. */
static const char *half_act;
static int half_type;
static void conv_half_act(MB *b)
{
	static const int64_t dx[] = {1, 6, 7, 5}, dw[] = {8, 6, 3, 3}, dc[] = {8};
	static const int64_t pads[] = {1, 1, 1, 1};
	static const float lo = -0.25f, hi = 0.5f;
	float w[8 * 54], bias[8];
	Onnx__NodeProto *n;

	fill(w, 8 * 54, 21);
	fill(bias, 8, 22);
	mb_input(b, "X", DT_FLOAT, 4, dx);
	mb_init_f32(b, "W", 4, dw, w);
	mb_init_f32(b, "B", 1, dc, bias);
	mb_init_f32(b, "lo", 0, NULL, &lo);
	mb_init_f32(b, "hi", 0, NULL, &hi);
	mb_attr_i(mb_node(b, "Cast", "cx", "X", "Xh"), "to", half_type);
	mb_attr_i(mb_node(b, "Cast", "cw", "W", "Wh"), "to", half_type);
	mb_attr_i(mb_node(b, "Cast", "cb", "B", "Bh"), "to", half_type);
	mb_attr_i(mb_node(b, "Cast", "clo", "lo", "loh"), "to", half_type);
	mb_attr_i(mb_node(b, "Cast", "chi", "hi", "hih"), "to", half_type);
	mb_attr_ints(mb_node(b, "Conv", "conv", "Xh,Wh,Bh", "C"), "pads", 4, pads);
	n = mb_node(b, half_act, "act", strcmp(half_act, "Clip") ? "C" : "C,loh,hih", "A");
	if (strcmp(half_act, "LeakyRelu") == 0)
		mb_attr_f(n, "alpha", 0.1f);
	mb_attr_i(mb_node(b, "Cast", "cy", "A", "Y"), "to", DT_FLOAT);
	mb_output(b, "Y", DT_FLOAT, 4, (const int64_t[]){1, 8, 7, 5});
}

START_TEST(conv_half_relu_clip)
{
	static const int types[2] = {DT_FLOAT16, DT_BFLOAT16};
	int i;

	for (i = 0; i < 2; i++) {
		half_type = types[i];
		half_act = "Relu";
		check(conv_half_act, 13, "Cast Conv Relu Cast", "Cast Conv Cast", 0);
		half_act = "Clip";
		check(conv_half_act, 13, "Cast Conv Clip Cast", "Cast Conv Cast", 0);
		half_act = "LeakyRelu";
		check(conv_half_act, 13, "Cast Conv LeakyRelu Cast", "Cast Conv LeakyRelu Cast", 0);
	}
}
END_TEST

static Suite *fuse_suite(void)
{
	Suite *s = suite_create("fuse");
	TCase *tc = tcase_create("fuse");

	tcase_add_test(tc, conv_batchnorm_residual_relu);
	tcase_add_test(tc, conv_bias_add_clip);
	tcase_add_test(tc, conv_half_relu_clip);
	tcase_add_test(tc, matmul_bias_add_silu);
	tcase_add_test(tc, gemm_residual_leakyrelu);
	tcase_add_test(tc, matmul_transposed_clip);
	tcase_add_test(tc, gemm_batchnorm_relu);
	tcase_add_test(tc, batchnorm_affine_relu);
	tcase_add_test(tc, shared_output_not_fused);
	tcase_add_test(tc, transpose_pairs);
	tcase_add_test(tc, slice_pairs);
	tcase_add_test(tc, ew_chain_gelu);
	tcase_add_test(tc, ew_chain_per_channel);
	tcase_add_test(tc, ew_chain_scalar_pow);
	tcase_add_test(tc, ew_chain_broken);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(fuse_suite());
}
