/* test_quant.c: the integer convolution on the float32 GEMM (quant.c's
 * qconv_f32).  Each model's ConvInteger or QLinearConv has constant weights;
 * lowered for the host's SIMD kernels it must take the float path the
 * weights allow (plain, split into high and low parts, or none: the int32
 * path) and give exactly the int32 path's result, which the portable
 * lowering computes (and the conformance suite checks). */
#include <string.h>

#include "unit.h"
#include "passes/passes.h"

typedef void (*Build)(MB *b);

static unsigned next(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/* Inputs: random bytes (uint8 and int8 tensors, and their zero points). */
static void fill_bytes(const Value *v, void *buf, int i)
{
	unsigned seed = 11u + (unsigned)i;
	int64_t j, n = value_nbytes(v);

	for (j = 0; j < n; j++)
		((uint8_t *)buf)[j] = (uint8_t)next(&seed);
}

/* A weight tensor of n bytes: random, or all `v` when v >= 0. */
static uint8_t *weights(int64_t n, unsigned seed, int v)
{
	uint8_t *w = xmalloc((size_t)n);
	int64_t i;

	for (i = 0; i < n; i++)
		w[i] = (uint8_t)(v >= 0 ? v : (int)next(&seed));
	return w;
}

/* Build, lower for cpu, run: Y's int32 values (malloc'd, *n of them); *path
 * gets which convolution ran: "f32", "f32 split" or "i32". */
static int32_t *run(Build build, int cpu, int64_t *n, const char **path)
{
	MB *b = mb_new(21);
	Graph *g;
	int32_t *y;
	int i, f32 = 0, hilo = 0, i32 = 0;

	build(b);
	g = unit_load(b);
	ck_assert_msg(g != NULL, "load: %s", ir_last_error());
	ck_assert_msg(pass_infer(g) == 0, "infer: %s", ir_last_error());
	ck_assert_msg(pass_fold(g) == 0, "fold: %s", ir_last_error());
	ck_assert_msg(pass_dce(g) == 0, "dce: %s", ir_last_error());
	ck_assert_msg(pass_fuse(g) == 0, "fuse: %s", ir_last_error());
	lower_cpu = cpu;
	ck_assert_msg(pass_lower(g) == 0, "lower: %s", ir_last_error());
	for (i = 0; i < g->calls->n; i++) {
		const char *k = kernels[g->calls->v[i].kernel].name;
		f32 += strncmp(k, "f32_conv_", 9) == 0;
		hilo += strcmp(k, "f32_hilo__scalar") == 0 && g->calls->v[i].p[2] > 1;
		i32 += strcmp(k, "i32_conv__scalar") == 0;
	}
	ck_assert_int_eq(f32 + i32, 1);
	*path = i32 ? "i32" : hilo ? "f32 split" : "f32";
	y = unit_run_calls(g, fill_bytes, "Y", n);
	graph_free(g);
	return y;
}

/* The host's lowering takes `path` (the portable one always "i32") and both
 * give the same Y, bit for bit. */
static void check(Build build, const char *path)
{
	int64_t n0, n1, i;
	const char *p0, *p1;
	int32_t *ref = run(build, CPU_GENERIC, &n0, &p0);
	int32_t *got = run(build, cpu_native(), &n1, &p1);

	ck_assert_str_eq(p0, "i32");
	ck_assert_str_eq(p1, gemm_isa(cpu_native()) ? path : "i32");
	ck_assert_int_eq(n0, n1);
	for (i = 0; i < n0; i++)
		ck_assert_msg(got[i] == ref[i], "Y[%lld] = %d on %s, %d on the portable kernels",
			      (long long)i, got[i], cpu_name(cpu_native()), ref[i]);
	free(ref);
	free(got);
}

/* ConvInteger: uint8 x with a run-time zero point, 2 groups, per-channel
 * weight zero points, pads, strides and dilations. */
static void conv_u8(MB *b)
{
	static const int64_t dx[] = {2, 6, 9, 8}, dw[] = {8, 3, 3, 3}, dz[] = {8}, one[] = {1};
	static const int64_t dy[] = {2, 8, 5, 6}, pads[] = {1, 2, 1, 0}, st[] = {2, 1};
	static const int64_t dil[] = {1, 2};
	Onnx__NodeProto *n;

	mb_input(b, "X", DT_UINT8, 4, dx);
	mb_input(b, "xz", DT_UINT8, 1, one);
	mb_init_raw(b, "W", DT_UINT8, 4, dw, weights(8 * 27, 1, -1), 8 * 27);
	mb_init_raw(b, "wz", DT_UINT8, 1, dz, weights(8, 2, -1), 8);
	n = mb_node(b, "ConvInteger", "conv", "X,W,xz,wz", "Y");
	mb_attr_i(n, "group", 2);
	mb_attr_ints(n, "pads", 4, pads);
	mb_attr_ints(n, "strides", 2, st);
	mb_attr_ints(n, "dilations", 2, dil);
	mb_output(b, "Y", DT_INT32, 4, dy);
}

/* ConvInteger: int8 x and weights, a scalar weight zero point, 1x1. */
static void conv_i8(MB *b)
{
	static const int64_t dx[] = {1, 40, 5, 6}, dw[] = {12, 40, 1, 1}, dy[] = {1, 12, 5, 6};

	mb_input(b, "X", DT_INT8, 4, dx);
	mb_init_raw(b, "W", DT_INT8, 4, dw, weights(12 * 40, 3, -1), 12 * 40);
	mb_init_raw(b, "wz", DT_INT8, 0, NULL, weights(1, 4, -1), 1);
	mb_node(b, "ConvInteger", "conv", "X,W,,wz", "Y");
	mb_output(b, "Y", DT_INT32, 4, dy);
}

/* Weights 0 and 255 around a zero point of 128: |w - wz| about 128 over
 * 576 products, 255 * 128 * 576 > 2^24, so the float path splits them (2
 * images, 2 groups: the high and low planes of each). */
static void conv_split(MB *b)
{
	static const int64_t dx[] = {2, 128, 6, 5}, dw[] = {4, 64, 3, 3}, dy[] = {2, 4, 6, 5};
	static const int64_t pads[] = {1, 1, 1, 1};
	uint8_t *w = weights(4 * 576, 5, -1), z = 128;
	Onnx__NodeProto *n;
	int i;

	for (i = 0; i < 4 * 576; i++)
		w[i] = w[i] & 1 ? 255 : 0;
	mb_input(b, "X", DT_UINT8, 4, dx);
	mb_input(b, "xz", DT_UINT8, 0, NULL);
	mb_init_raw(b, "W", DT_UINT8, 4, dw, w, 4 * 576);
	mb_init_raw(b, "wz", DT_UINT8, 0, NULL, &z, 1);
	n = mb_node(b, "ConvInteger", "conv", "X,W,xz,wz", "Y");
	mb_attr_i(n, "group", 2);
	mb_attr_ints(n, "pads", 4, pads);
	mb_output(b, "Y", DT_INT32, 4, dy);
}

/* Random weights around a zero point of 128 over 20000 products: whatever
 * the split, the high or the low parts of a row sum to more than 2^24 / 255,
 * so the int32 path runs. */
static void conv_wide(MB *b)
{
	static const int64_t dx[] = {1, 20000, 1, 2}, dw[] = {2, 20000, 1, 1}, dy[] = {1, 2, 1, 2};
	uint8_t z = 128;

	mb_input(b, "X", DT_UINT8, 4, dx);
	mb_init_raw(b, "W", DT_UINT8, 4, dw, weights(40000, 8, -1), 40000);
	mb_init_raw(b, "wz", DT_UINT8, 0, NULL, &z, 1);
	mb_node(b, "ConvInteger", "conv", "X,W,,wz", "Y");
	mb_output(b, "Y", DT_INT32, 4, dy);
}

/* QLinearConv with an int32 bias, its int32 product requantized to uint8:
 * compared through a Cast to int32. */
static void qlinear_bias(MB *b)
{
	static const int64_t dx[] = {1, 16, 7, 7}, dw[] = {8, 16, 3, 3}, dc[] = {8};
	static const int64_t dy[] = {1, 8, 7, 7}, pads[] = {1, 1, 1, 1};
	float xs = 0.05f, ws[8] = {0.01f, 0.02f, 0.03f, 0.015f, 0.025f, 0.01f, 0.02f, 0.03f};
	float ys = 0.9f;
	int32_t bias[8] = {-3000, 100, 2500, 0, 77, -12345, 4000, 9};
	uint8_t xz = 120, yz = 100;

	mb_input(b, "X", DT_UINT8, 4, dx);
	mb_init_f32(b, "xs", 0, NULL, &xs);
	mb_init_raw(b, "xz", DT_UINT8, 0, NULL, &xz, 1);
	mb_init_raw(b, "W", DT_UINT8, 4, dw, weights(8 * 144, 6, -1), 8 * 144);
	mb_init_f32(b, "ws", 1, dc, ws);
	mb_init_raw(b, "wz", DT_UINT8, 1, dc, weights(8, 7, -1), 8);
	mb_init_f32(b, "ys", 0, NULL, &ys);
	mb_init_raw(b, "yz", DT_UINT8, 0, NULL, &yz, 1);
	mb_init_i32(b, "B", 1, dc, bias);
	mb_attr_ints(mb_node(b, "QLinearConv", "conv", "X,xs,xz,W,ws,wz,ys,yz,B", "Q"), "pads", 4,
		     pads);
	mb_attr_i(mb_node(b, "Cast", "cast", "Q", "Y"), "to", DT_INT32);
	mb_output(b, "Y", DT_INT32, 4, dy);
}

START_TEST(convinteger_u8) { check(conv_u8, "f32"); }
END_TEST
START_TEST(convinteger_i8) { check(conv_i8, "f32"); }
END_TEST
START_TEST(convinteger_split) { check(conv_split, "f32 split"); }
END_TEST
START_TEST(convinteger_wide) { check(conv_wide, "i32"); }
END_TEST
START_TEST(qlinearconv_bias) { check(qlinear_bias, "f32"); }
END_TEST

int main(void)
{
	Suite *s = suite_create("quant");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, convinteger_u8);
	tcase_add_test(tc, convinteger_i8);
	tcase_add_test(tc, convinteger_split);
	tcase_add_test(tc, convinteger_wide);
	tcase_add_test(tc, qlinearconv_bias);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
