/* test_fold.c: constant folding and dead code elimination.  Each test builds
 * a graph, runs pass_infer, pass_fold and pass_dce as the driver does, and
 * checks the list of live operators and the values that became constants. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "ops.h"
#include "passes/passes.h"
#include "onnxcc_rt.h"

/* Load b and run infer, fold and dce; NULL if infer fails (message kept). */
static Graph *folded(MB *b)
{
	Graph *g = unit_load(b);

	ck_assert_msg(g != NULL, "load: %s", ir_last_error());
	if (pass_infer(g) != 0) {
		graph_free(g);
		return NULL;
	}
	ck_assert_msg(pass_fold(g) == 0, "fold: %s", ir_last_error());
	ck_assert_msg(pass_dce(g) == 0, "dce: %s", ir_last_error());
	return g;
}

static void expect_const_ints(Graph *g, const char *name, int n, const int64_t *want)
{
	Value *v = graph_find(g, name);
	int i;

	ck_assert_ptr_nonnull(v);
	ck_assert_msg(v->data != NULL, "%s is not constant", name);
	ck_assert_int_eq(value_numel(v), n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(const_i64(v, i), want[i]);
}

/* The classic flatten idiom: Reshape(X, Concat(Gather(Shape(X), 0), [-1])). */
START_TEST(shape_gather_concat_reshape)
{
	MB *b = mb_new(13);
	static const int64_t x[] = {2, 3, 4}, zero = 0, minus1 = -1, one = 1, want[] = {2, -1};
	Onnx__NodeProto *n;
	Graph *g;

	mb_input(b, "X", DT_FLOAT, 3, x);
	mb_init_i64(b, "i0", 1, &one, &zero);
	mb_init_i64(b, "rest", 1, &one, &minus1);
	mb_node(b, "Shape", "shape", "X", "S");
	mb_node(b, "Gather", "gather", "S,i0", "N");
	n = mb_node(b, "Concat", "concat", "N,rest", "NS");
	mb_attr_i(n, "axis", 0);
	mb_node(b, "Reshape", "reshape", "X,NS", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	g = folded(b);
	ck_assert_msg(g != NULL, "infer: %s", ir_last_error());
	ck_assert_str_eq(unit_live_ops(g), "Reshape");
	expect_const_ints(g, "NS", 2, want);
	ck_assert_int_eq(graph_find(g, "Y")->rank, 2);
	ck_assert_int_eq(graph_find(g, "Y")->dims[1], 12);
	graph_free(g);
}
END_TEST

/* Shape arithmetic with elementwise ops: Reshape(X, Shape(X)[:2] * [1,0] + [0,-1]). */
START_TEST(shape_arithmetic_reshape)
{
	MB *b = mb_new(15);
	static const int64_t x[] = {2, 3, 4}, two = 2, mul[] = {1, 0}, add[] = {0, -1}, want[] = {2, -1};
	Graph *g;

	mb_input(b, "X", DT_FLOAT, 3, x);
	mb_init_i64(b, "m", 1, &two, mul);
	mb_init_i64(b, "a", 1, &two, add);
	mb_attr_i(mb_node(b, "Shape", "shape", "X", "S"), "end", 2);
	mb_node(b, "Mul", "mul", "S,m", "M");
	mb_node(b, "Add", "add", "M,a", "NS");
	mb_node(b, "Reshape", "reshape", "X,NS", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	g = folded(b);
	ck_assert_msg(g != NULL, "infer: %s", ir_last_error());
	ck_assert_str_eq(unit_live_ops(g), "Reshape");
	expect_const_ints(g, "NS", 2, want);
	ck_assert_int_eq(graph_find(g, "Y")->rank, 2);
	ck_assert_int_eq(graph_find(g, "Y")->dims[0], 2);
	ck_assert_int_eq(graph_find(g, "Y")->dims[1], 12);
	graph_free(g);
}
END_TEST

/* Constant subgraphs feeding a live op fold away; the live op stays. */
START_TEST(constant_chain_folds)
{
	MB *b = mb_new(13);
	static const int64_t x[] = {4};
	static const float w[] = {-1, 2, -3, 4};
	Graph *g;
	Value *r;

	mb_input(b, "X", DT_FLOAT, 1, x);
	mb_init_f32(b, "W", 1, x, w);
	mb_node(b, "Relu", "relu", "W", "R");
	mb_node(b, "Neg", "neg", "R", "N");
	mb_node(b, "Add", "add", "X,N", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	g = folded(b);
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(unit_live_ops(g), "Add");
	r = graph_find(g, "N");
	ck_assert_ptr_nonnull(r->data);
	ck_assert_double_eq(const_f64(r, 0), 0);
	ck_assert_double_eq(const_f64(r, 1), -2);
	ck_assert_double_eq(const_f64(r, 3), -4);
	graph_free(g);
}
END_TEST

/* A large uniform constant stays one element through elementwise ops. */
START_TEST(splat_stays_splat)
{
	MB *b = mb_new(13);
	static const int64_t x[] = {1024, 1024}, one = 1, two = 2;
	static const float value = 3;
	Graph *g;
	Value *n;

	mb_input(b, "X", DT_FLOAT, 2, x);
	mb_init_i64(b, "shape", 1, &two, x);
	mb_attr_tensor_f32(mb_node(b, "ConstantOfShape", "c", "shape", "C"), "value", 1, &one, &value);
	mb_node(b, "Neg", "neg", "C", "N");
	mb_node(b, "Mul", "mul", "X,N", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	g = folded(b);
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(unit_live_ops(g), "Mul");
	n = graph_find(g, "N");
	ck_assert_ptr_nonnull(n->data);
	ck_assert(n->is_splat);
	ck_assert_double_eq(const_f64(n, 0), -3);
	graph_free(g);
}
END_TEST

/* NonMaxSuppression on constants: its output count is known, and the
 * selection itself folds (box 1 overlaps box 0 and is suppressed). */
START_TEST(nms_constant_inputs_fold)
{
	MB *b = mb_new(11);
	static const int64_t bd[] = {1, 3, 4}, sd[] = {1, 1, 3}, one = 1, two = 2;
	static const int64_t want[] = {0, 0, 0, 0, 0, 2};
	static const float boxes[] = {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 5, 1, 6};
	static const float scores[] = {0.9f, 0.8f, 0.7f}, iou = 0.5f;
	Graph *g;

	mb_init_f32(b, "B", 3, bd, boxes);
	mb_init_f32(b, "S", 3, sd, scores);
	mb_init_i64(b, "M", 1, &one, &two);
	mb_init_f32(b, "T", 1, &one, &iou);
	mb_node(b, "NonMaxSuppression", "nms", "B,S,M,T", "Y");
	mb_output(b, "Y", DT_INT64, -1, NULL);
	g = folded(b);
	ck_assert_msg(g != NULL, "infer: %s", ir_last_error());
	ck_assert_str_eq(unit_live_ops(g), "");
	ck_assert_int_eq(graph_find(g, "Y")->rank, 2);
	expect_const_ints(g, "Y", 6, want);
	graph_free(g);
}
END_TEST

/* Nodes whose outputs nothing reads are dropped. */
START_TEST(dce_drops_unused)
{
	MB *b = mb_new(13);
	static const int64_t x[] = {8};
	Graph *g;

	mb_input(b, "X", DT_FLOAT, 1, x);
	mb_node(b, "Neg", "unused1", "X", "U1");
	mb_node(b, "Relu", "relu", "X", "R");
	mb_node(b, "Exp", "unused2", "U1", "U2");
	mb_node(b, "Sigmoid", "sig", "R", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	g = folded(b);
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(unit_live_ops(g), "Relu Sigmoid");
	graph_free(g);
}
END_TEST

/* NonZero of a constant: the count and the coordinates at compile time. */
START_TEST(nonzero_of_constant)
{
	MB *b = mb_new(13);
	static const int64_t d[] = {2, 3}, v[] = {0, 5, 0, 7, 0, 9}, want[] = {0, 1, 1, 1, 0, 2};
	Graph *g;

	mb_init_i64(b, "C", 2, d, v);
	mb_node(b, "NonZero", "nz", "C", "Y");
	mb_output(b, "Y", DT_INT64, -1, NULL);
	g = folded(b);
	ck_assert_msg(g != NULL, "infer: %s", ir_last_error());
	ck_assert_str_eq(unit_live_ops(g), "");
	expect_const_ints(g, "Y", 6, want);
	ck_assert_int_eq(graph_find(g, "Y")->dims[1], 3);
	graph_free(g);
}
END_TEST

/* Unique of a constant, in first-occurrence order, with all four outputs. */
START_TEST(unique_of_constant)
{
	MB *b = mb_new(11);
	static const int64_t d = 6, v[] = {2, 1, 1, 3, 4, 3};
	static const int64_t y[] = {2, 1, 3, 4}, ix[] = {0, 1, 3, 4}, inv[] = {0, 1, 1, 2, 3, 2},
		cnt[] = {1, 2, 2, 1};
	Onnx__NodeProto *n;
	Graph *g;

	mb_init_i64(b, "X", 1, &d, v);
	n = mb_node(b, "Unique", "u", "X", "Y,I,V,N");
	mb_attr_i(n, "sorted", 0);
	mb_output(b, "Y", DT_INT64, -1, NULL);
	mb_output(b, "I", DT_INT64, -1, NULL);
	mb_output(b, "V", DT_INT64, -1, NULL);
	mb_output(b, "N", DT_INT64, -1, NULL);
	g = folded(b);
	ck_assert_msg(g != NULL, "infer: %s", ir_last_error());
	expect_const_ints(g, "Y", 4, y);
	expect_const_ints(g, "I", 4, ix);
	expect_const_ints(g, "V", 6, inv);
	expect_const_ints(g, "N", 4, cnt);
	graph_free(g);
}
END_TEST

/* Gradient of y = (a - b) / b * a at constants: the backward nodes fold.
 * dy/da = 1/b * a + (a-b)/b = 2a/b - 1, dy/db = -a/b - (a-b)/b^2 * a. */
START_TEST(gradient_of_constants)
{
	MB *b = mb_new(13);
	static const int64_t d = 2;
	static const float av[] = {3, 4}, bv[] = {2, 8};
	Onnx__NodeProto *n;
	Graph *g;
	int i;

	mb_opset(b, "ai.onnx.preview.training", 1);
	mb_init_f32(b, "A", 1, &d, av);
	mb_init_f32(b, "B", 1, &d, bv);
	mb_node(b, "Sub", "sub", "A,B", "S");
	mb_node(b, "Div", "div", "S,B", "Q");
	mb_node(b, "Mul", "mul", "Q,A", "Y");
	n = mb_node(b, "Gradient", "grad", "A,B", "dA,dB");
	n->domain = "ai.onnx.preview.training";
	mb_attr_strings(n, "xs", "A,B");
	mb_attr_s(n, "y", "Y");
	mb_output(b, "dA", DT_FLOAT, 1, &d);
	mb_output(b, "dB", DT_FLOAT, 1, &d);
	g = folded(b);
	ck_assert_msg(g != NULL, "infer: %s", ir_last_error());
	for (i = 0; i < 2; i++) {
		double a = av[i], bb = bv[i];
		ck_assert_double_eq_tol(const_f64(graph_find(g, "dA"), i), 2 * a / bb - 1, 1e-6);
		ck_assert_double_eq_tol(const_f64(graph_find(g, "dB"), i),
					-a / bb - (a - bb) / (bb * bb) * a, 1e-6);
	}
	graph_free(g);
}
END_TEST

/* The runtime's half conversions (folding and the generated code share
 * them): every half widens exactly and narrows back to itself (a NaN to a
 * NaN), and narrowing a float lands on the nearest half, ties to the even
 * one, checked in double for a spread of floats and for every half's
 * midpoint to the next and that midpoint's neighbours. */
static double half_value(uint16_t h)
{
	int e = (h >> 10) & 0x1f, m = h & 0x3ff;
	double v = e == 31 ? INFINITY : e ? ldexp(1024 + m, e - 25) : ldexp(m, -24);

	return h & 0x8000 ? -v : v;
}

static uint16_t nearest_half(double x)
{
	uint16_t lo = 0, hi = 0x7c00, s = signbit(x) ? 0x8000 : 0;
	double a = fabs(x), dl, dh;

	if (a >= 65520.0)
		return s | 0x7c00;
	while (hi - lo > 1) {          /* half_value(lo) <= a < half_value(hi) */
		uint16_t mid = (uint16_t)((lo + hi) / 2);
		if (half_value(mid) <= a)
			lo = mid;
		else
			hi = mid;
	}
	dl = a - half_value(lo);
	dh = half_value(hi) - a;
	return s | (dl < dh || (dl == dh && !(lo & 1)) ? lo : hi);
}

static void check_narrow(float f)
{
	uint16_t got = onnxcc_f32_to_f16(f), want = nearest_half((double)f);

	ck_assert_msg(got == want, "f32_to_f16(%a) = 0x%04x, want 0x%04x", (double)f, got, want);
}

START_TEST(half_conversions)
{
	uint32_t h, u;
	float f;

	for (h = 0; h < 0x10000; h++) {
		float w = onnxcc_f16_to_f32((uint16_t)h);
		int nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff);

		ck_assert_msg(nan ? isnan(w) : (double)w == half_value((uint16_t)h),
			      "f16_to_f32(0x%04x) = %a", h, (double)w);
		if (nan) {
			ck_assert(isnan(onnxcc_f16_to_f32(onnxcc_f32_to_f16(w))));
			continue;
		}
		ck_assert_uint_eq(onnxcc_f32_to_f16(w), h);
		if ((h & 0x7fff) < 0x7c00) {
			double v = half_value((uint16_t)h), up = (h & 0x7fff) == 0x7bff ? 65536.0
				   : fabs(half_value((uint16_t)(h + 1)));
			f = (float)((fabs(v) + up) / 2);   /* the tie, exact in float */
			if (h & 0x8000)
				f = -f;
			check_narrow(f);
			check_narrow(nextafterf(f, 0.0f));
			check_narrow(nextafterf(f, 2 * f));
		}
	}
	for (u = 0; u < 0x7f800000u; u += 4093) {
		memcpy(&f, &u, 4);
		check_narrow(f);
		check_narrow(-f);
	}
	ck_assert_uint_eq(onnxcc_f32_to_f16(INFINITY), 0x7c00);
	ck_assert_uint_eq(onnxcc_f32_to_f16(-INFINITY), 0xfc00);
	ck_assert_uint_eq(onnxcc_f32_to_f16(NAN) & 0x7e00, 0x7e00);
}
END_TEST

static Suite *fold_suite(void)
{
	Suite *s = suite_create("fold");
	TCase *tc = tcase_create("fold");

	tcase_add_test(tc, shape_gather_concat_reshape);
	tcase_add_test(tc, shape_arithmetic_reshape);
	tcase_add_test(tc, constant_chain_folds);
	tcase_add_test(tc, splat_stays_splat);
	tcase_add_test(tc, dce_drops_unused);
	tcase_add_test(tc, nms_constant_inputs_fold);
	tcase_add_test(tc, nonzero_of_constant);
	tcase_add_test(tc, unique_of_constant);
	tcase_add_test(tc, gradient_of_constants);
	tcase_add_test(tc, half_conversions);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(fold_suite());
}
