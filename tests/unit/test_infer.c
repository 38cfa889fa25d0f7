/* test_infer.c: shape and type inference (pass_infer).  Each test builds a
 * graph, runs inference and checks the shapes and types it gives, or its
 * exact error. */
#include <string.h>

#include "unit.h"
#include "passes/passes.h"

/* Load b and run pass_infer, which must succeed. */
static Graph *inferred(MB *b)
{
	Graph *g = unit_load(b);

	ck_assert_msg(g != NULL, "load: %s", ir_last_error());
	ck_assert_msg(pass_infer(g) == 0, "infer: %s", ir_last_error());
	return g;
}

/* Assert that value `name` of g has type dtype and shape want[rank]. */
static void expect_shape(Graph *g, const char *name, int dtype, int rank, const int64_t *want)
{
	Value *v = graph_find(g, name);
	int i;

	ck_assert_msg(v != NULL, "no value %s", name);
	ck_assert_int_eq(v->dtype, dtype);
	ck_assert_int_eq(v->rank, rank);
	for (i = 0; i < rank; i++)
		ck_assert_int_eq(v->dims[i], want[i]);
}

START_TEST(broadcast_add)
{
	MB *b = mb_new(13);
	static const int64_t a[] = {2, 1, 4}, c[] = {3, 1}, y[] = {2, 3, 4};
	Graph *g;

	mb_input(b, "A", DT_FLOAT, 3, a);
	mb_input(b, "B", DT_FLOAT, 2, c);
	mb_node(b, "Add", "add", "A,B", "Y");
	mb_output(b, "Y", DT_FLOAT, 3, y);
	g = inferred(b);
	expect_shape(g, "Y", DT_FLOAT, 3, y);
	graph_free(g);
}
END_TEST

START_TEST(broadcast_scalar)
{
	MB *b = mb_new(13);
	static const int64_t a[] = {5, 7};
	Graph *g;

	mb_input(b, "A", DT_INT32, 2, a);
	mb_input(b, "B", DT_INT32, 0, NULL);
	mb_node(b, "Mul", "mul", "B,A", "Y");
	mb_output(b, "Y", DT_INT32, 2, a);
	g = inferred(b);
	expect_shape(g, "Y", DT_INT32, 2, a);
	graph_free(g);
}
END_TEST

START_TEST(broadcast_mismatch)
{
	MB *b = mb_new(13);
	static const int64_t a[] = {2, 3}, c[] = {4};
	Graph *g;

	mb_input(b, "A", DT_FLOAT, 2, a);
	mb_input(b, "B", DT_FLOAT, 1, c);
	mb_node(b, "Add", "add", "A,B", "Y");
	mb_output(b, "Y", DT_FLOAT, 2, a);
	g = unit_load(b);
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(pass_infer(g), -1);
	ck_assert_str_eq(ir_last_error(),
			 "node 'add' (Add): shapes do not broadcast: input 'B' [4] against [2,3]");
	graph_free(g);
}
END_TEST

START_TEST(mixed_types)
{
	MB *b = mb_new(13);
	static const int64_t a[] = {2};
	Graph *g;

	mb_input(b, "A", DT_FLOAT, 1, a);
	mb_input(b, "B", DT_INT64, 1, a);
	mb_node(b, "Add", "add", "A,B", "Y");
	mb_output(b, "Y", DT_FLOAT, 1, a);
	g = unit_load(b);
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(pass_infer(g), -1);
	ck_assert_str_eq(ir_last_error(),
			 "node 'add' (Add): inputs have different element types (float and int64)");
	graph_free(g);
}
END_TEST

/* Reshape X float[2,3,4] by the constant `shape`; returns the graph. */
static Graph *reshape(int n, const int64_t *shape, int allowzero)
{
	MB *b = mb_new(14);
	static const int64_t x[] = {2, 3, 4};
	int64_t len = n;
	Onnx__NodeProto *r;

	mb_input(b, "X", DT_FLOAT, 3, x);
	mb_init_i64(b, "shape", 1, &len, shape);
	r = mb_node(b, "Reshape", "rs", "X,shape", "Y");
	if (allowzero)
		mb_attr_i(r, "allowzero", 1);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	return unit_load(b);
}

START_TEST(reshape_minus_one)
{
	static const int64_t s[] = {-1, 4}, y[] = {6, 4};
	Graph *g = reshape(2, s, 0);

	ck_assert_int_eq(pass_infer(g), 0);
	expect_shape(g, "Y", DT_FLOAT, 2, y);
	graph_free(g);
}
END_TEST

START_TEST(reshape_zero_copies)
{
	static const int64_t s[] = {0, -1}, y[] = {2, 12};
	static const int64_t s2[] = {4, 0, -1}, y2[] = {4, 3, 2};
	Graph *g = reshape(2, s, 0), *g2 = reshape(3, s2, 0);

	ck_assert_int_eq(pass_infer(g), 0);
	expect_shape(g, "Y", DT_FLOAT, 2, y);
	ck_assert_int_eq(pass_infer(g2), 0);
	expect_shape(g2, "Y", DT_FLOAT, 3, y2);
	graph_free(g);
	graph_free(g2);
}
END_TEST

START_TEST(reshape_bad_count)
{
	static const int64_t s[] = {5, -1};
	Graph *g = reshape(2, s, 0);

	ck_assert_int_eq(pass_infer(g), -1);
	ck_assert_str_eq(ir_last_error(), "node 'rs' (Reshape): cannot reshape [2,3,4] into [5,-1]: "
			 "the -1 cannot be inferred");
	graph_free(g);
}
END_TEST

START_TEST(reshape_allowzero)
{
	/* with allowzero a 0 is a real zero: 24 elements cannot fit [0,-1] */
	static const int64_t s[] = {0, -1};
	Graph *g = reshape(2, s, 1);

	ck_assert_int_eq(pass_infer(g), -1);
	ck_assert_str_eq(ir_last_error(), "node 'rs' (Reshape): cannot reshape [2,3,4] into [0,-1]: "
			 "the -1 cannot be inferred");
	graph_free(g);
}
END_TEST

START_TEST(shape_is_constant)
{
	MB *b = mb_new(15);
	static const int64_t x[] = {2, 3, 4, 5};
	Onnx__NodeProto *n;
	Graph *g;
	Value *s, *t;

	mb_input(b, "X", DT_FLOAT, 4, x);
	mb_node(b, "Shape", "shape", "X", "S");
	n = mb_node(b, "Shape", "tail", "X", "T");
	mb_attr_i(n, "start", -2);
	mb_output(b, "S", DT_INT64, -1, NULL);
	mb_output(b, "T", DT_INT64, -1, NULL);
	g = inferred(b);
	expect_shape(g, "S", DT_INT64, 1, (const int64_t[]){4});
	expect_shape(g, "T", DT_INT64, 1, (const int64_t[]){2});
	s = graph_find(g, "S");
	t = graph_find(g, "T");
	ck_assert_ptr_nonnull(s->data);
	ck_assert_int_eq(const_i64(s, 0), 2);
	ck_assert_int_eq(const_i64(s, 3), 5);
	ck_assert_int_eq(const_i64(t, 0), 4);
	ck_assert_int_eq(const_i64(t, 1), 5);
	graph_free(g);
}
END_TEST

START_TEST(unsqueeze_axes_input)
{
	MB *b = mb_new(13);
	static const int64_t x[] = {2, 3}, axes[] = {0, 3}, y[] = {1, 2, 3, 1};
	Graph *g;

	mb_input(b, "X", DT_FLOAT, 2, x);
	mb_init_i64(b, "axes", 1, (const int64_t[]){2}, axes);
	mb_node(b, "Unsqueeze", "u", "X,axes", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	g = inferred(b);
	expect_shape(g, "Y", DT_FLOAT, 4, y);
	graph_free(g);
}
END_TEST

START_TEST(unsqueeze_axes_attribute)
{
	MB *b = mb_new(11);
	static const int64_t x[] = {2, 3}, axes[] = {-1}, y[] = {2, 3, 1};
	Graph *g;

	mb_input(b, "X", DT_FLOAT, 2, x);
	mb_attr_ints(mb_node(b, "Unsqueeze", "u", "X", "Y"), "axes", 1, axes);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	g = inferred(b);
	expect_shape(g, "Y", DT_FLOAT, 3, y);
	graph_free(g);
}
END_TEST

START_TEST(constant_of_shape_is_splat)
{
	MB *b = mb_new(13);
	static const int64_t shape[] = {3, 5}, one = 1;
	static const float value = 2.5f;
	Graph *g;
	Value *y;

	mb_init_i64(b, "shape", 1, (const int64_t[]){2}, shape);
	mb_attr_tensor_f32(mb_node(b, "ConstantOfShape", "c", "shape", "Y"), "value", 1, &one, &value);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	g = inferred(b);
	expect_shape(g, "Y", DT_FLOAT, 2, shape);
	y = graph_find(g, "Y");
	ck_assert_ptr_nonnull(y->data);
	ck_assert(y->is_splat);
	ck_assert_double_eq(const_f64(y, 0), 2.5);
	graph_free(g);
}
END_TEST

START_TEST(chain_keeps_type)
{
	MB *b = mb_new(13);
	static const int64_t x[] = {4, 1, 2}, c[] = {3, 1};
	Graph *g;

	mb_input(b, "X", DT_DOUBLE, 3, x);
	mb_input(b, "C", DT_DOUBLE, 2, c);
	mb_node(b, "Relu", "r", "X", "R");
	mb_node(b, "Sub", "s", "R,C", "S");
	mb_node(b, "Neg", "n", "S", "Y");
	mb_output(b, "Y", DT_DOUBLE, -1, NULL);
	g = inferred(b);
	expect_shape(g, "R", DT_DOUBLE, 3, x);
	expect_shape(g, "Y", DT_DOUBLE, 3, (const int64_t[]){4, 3, 2});
	graph_free(g);
}
END_TEST

/* NonMaxSuppression on run-time boxes: the declared output shape, or an error. */
START_TEST(nms_runtime_count)
{
	static const int64_t bd[] = {1, 6, 4}, sd[] = {1, 2, 6}, one = 1, y[] = {5, 3};
	int declared;

	for (declared = 0; declared < 2; declared++) {
		MB *b = mb_new(11);
		Graph *g;

		mb_input(b, "B", DT_FLOAT, 3, bd);
		mb_input(b, "S", DT_FLOAT, 3, sd);
		mb_input(b, "M", DT_INT64, 1, &one);
		mb_node(b, "NonMaxSuppression", "nms", "B,S,M", "Y");
		mb_output(b, "Y", DT_INT64, declared ? 2 : -1, y);
		if (declared) {
			g = inferred(b);
			expect_shape(g, "Y", DT_INT64, 2, y);
			graph_free(g);
			continue;
		}
		g = unit_load(b);
		ck_assert_ptr_nonnull(g);
		ck_assert_int_eq(pass_infer(g), -1);
		ck_assert_str_eq(ir_last_error(),
				 "node 'nms' (NonMaxSuppression): input 'S' is not a compile-time "
				 "constant and the model does not declare a static shape for output 'Y'");
		graph_free(g);
	}
}
END_TEST

/* CenterCropPad with a constant shape: cropped and padded axes, the rest kept. */
START_TEST(center_crop_pad_shape)
{
	MB *b = mb_new(18);
	static const int64_t x[] = {5, 6, 3}, two = 2, sh[] = {3, 8}, axes[] = {-3, 1};
	Graph *g;

	mb_input(b, "X", DT_FLOAT, 3, x);
	mb_init_i64(b, "shape", 1, &two, sh);
	mb_attr_ints(mb_node(b, "CenterCropPad", "ccp", "X,shape", "Y"), "axes", 2, axes);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	g = inferred(b);
	expect_shape(g, "Y", DT_FLOAT, 3, (const int64_t[]){3, 8, 3});
	graph_free(g);
}
END_TEST

/* NonZero of run-time data takes the declared output shape, or says why not. */
START_TEST(nonzero_declared)
{
	MB *b = mb_new(13);
	static const int64_t x[] = {2, 3}, y[] = {2, 4};
	Graph *g;

	mb_input(b, "X", DT_FLOAT, 2, x);
	mb_node(b, "NonZero", "nz", "X", "Y");
	mb_output(b, "Y", DT_INT64, 2, y);
	g = inferred(b);
	expect_shape(g, "Y", DT_INT64, 2, y);
	graph_free(g);
}
END_TEST

START_TEST(nonzero_undeclared)
{
	MB *b = mb_new(13);
	static const int64_t x[] = {2, 3};
	Graph *g;

	mb_input(b, "X", DT_FLOAT, 2, x);
	mb_node(b, "NonZero", "nz", "X", "Y");
	mb_output(b, "Y", DT_INT64, -1, NULL);
	g = unit_load(b);
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(pass_infer(g), -1);
	ck_assert_str_eq(ir_last_error(), "node 'nz' (NonZero): input 'X' is not a compile-time "
			 "constant and the model does not declare a static shape for output 'Y'");
	graph_free(g);
}
END_TEST

/* BitCast needs the same width. */
START_TEST(bitcast_width)
{
	MB *b = mb_new(26);
	static const int64_t x[] = {4};
	Graph *g;

	mb_input(b, "X", DT_FLOAT, 1, x);
	mb_attr_i(mb_node(b, "BitCast", "bc", "X", "Y"), "to", DT_INT64);
	mb_output(b, "Y", DT_INT64, -1, NULL);
	g = unit_load(b);
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(pass_infer(g), -1);
	ck_assert_str_eq(ir_last_error(), "node 'bc' (BitCast): cannot bitcast float (4 bytes) to "
			 "int64 (8 bytes): widths differ");
	graph_free(g);
}
END_TEST

/* Model-local functions ---------------------------------------------------- */

static const int64_t d3[] = {3};
static const float x123[] = {1, 2, 3};

/* my.fns.ScaleClip(x, lo) -> y = Clip(x * alpha, lo); alpha defaults to 2. */
static void scale_clip(MB *b)
{
	MB *body = mb_new(13);
	Onnx__FunctionProto *f;

	mb_attr_ref(mb_node(body, "Constant", "a", "", "a"), "value_float", AT_FLOAT, "alpha");
	mb_node(body, "Mul", "m", "x,a", "m");
	mb_node(body, "Clip", "c", "m,lo", "y");
	f = mb_function(b, "my.fns", "ScaleClip", "x,lo", "y", "", body);
	mb_function_default_f(f, "alpha", 2);
	mb_opset(b, "my.fns", 1);
}

/* Infer b; y must be the constant want[3]. */
static void expect_y(MB *b, const float *want)
{
	Graph *g = inferred(b);
	Value *y = graph_find(g, "y");
	int i;

	ck_assert_msg(y && y->data, "y is not a constant");
	ck_assert_int_eq(value_numel(y), 3);
	for (i = 0; i < 3; i++)
		ck_assert_msg(const_f64(y, i) == want[i], "y[%d] = %g, expected %g", i,
			      const_f64(y, i), want[i]);
	graph_free(g);
}

START_TEST(function_call_attribute)
{
	MB *b = mb_new(13);
	static const float lo[] = {4};

	scale_clip(b);
	mb_init_f32(b, "x", 1, d3, x123);
	mb_init_f32(b, "lo", 0, NULL, lo);
	mb_attr_f(mb_node(b, "ScaleClip", "call", "x,lo", "y"), "alpha", 3);
	b->g.node[0]->domain = "my.fns";
	mb_output(b, "y", DT_FLOAT, 1, d3);
	expect_y(b, (const float[]){4, 6, 9});
}
END_TEST

START_TEST(function_default_and_missing_input)
{
	MB *b = mb_new(13);

	scale_clip(b);
	mb_init_f32(b, "x", 1, d3, x123);
	mb_node(b, "ScaleClip", "call", "x", "y")->domain = "my.fns";
	mb_output(b, "y", DT_FLOAT, 1, d3);
	expect_y(b, (const float[]){2, 4, 6});
}
END_TEST

/* Twice(x) = ScaleClip(ScaleClip(x, alpha=k), alpha=k): a function calling a
 * function, the inner attribute a reference to the outer one. */
START_TEST(function_nested)
{
	MB *b = mb_new(13), *body = mb_new(13);

	scale_clip(b);
	mb_opset(body, "my.fns", 1);
	mb_attr_ref(mb_node(body, "ScaleClip", "s1", "x", "t"), "alpha", AT_FLOAT, "k");
	mb_attr_ref(mb_node(body, "ScaleClip", "s2", "t", "y"), "alpha", AT_FLOAT, "k");
	body->g.node[0]->domain = body->g.node[1]->domain = "my.fns";
	mb_function(b, "my.fns", "Twice", "x", "y", "k", body);
	mb_init_f32(b, "x", 1, d3, x123);
	mb_attr_f(mb_node(b, "Twice", "call", "x", "y"), "k", 3);
	b->g.node[0]->domain = "my.fns";
	mb_output(b, "y", DT_FLOAT, 1, d3);
	expect_y(b, (const float[]){9, 18, 27});
}
END_TEST

/* The body binds to the function's opset (13: ReduceSum's axes are an input)
 * while the model imports opset 11 (an attribute there). */
START_TEST(function_own_opset)
{
	MB *b = mb_new(11), *body = mb_new(13);
	static const int64_t d23[] = {2, 3}, zero[] = {0}, d1[] = {1};
	static const float x[] = {1, 2, 3, 10, 20, 30};
	Onnx__NodeProto *n;

	n = mb_node(body, "ReduceSum", "r", "x,axes", "y");
	mb_attr_i(n, "keepdims", 0);
	mb_function(b, "my.fns", "SumRows", "x,axes", "y", "", body);
	mb_opset(b, "my.fns", 1);
	mb_init_f32(b, "x", 2, d23, x);
	mb_init_i64(b, "axes", 1, d1, zero);
	mb_node(b, "SumRows", "call", "x,axes", "y")->domain = "my.fns";
	mb_output(b, "y", DT_FLOAT, 1, d3);
	expect_y(b, (const float[]){11, 22, 33});
}
END_TEST

/* Two overloads of one function name (IR version 10): the node's overload picks. */
START_TEST(function_overload)
{
	MB *b = mb_new(13), *neg = mb_new(13), *id = mb_new(13);

	mb_node(neg, "Neg", "n", "x", "y");
	mb_node(id, "Identity", "i", "x", "y");
	mb_function_overload(mb_function(b, "my.fns", "Pick", "x", "y", "", id), "id");
	mb_function_overload(mb_function(b, "my.fns", "Pick", "x", "y", "", neg), "neg");
	mb_opset(b, "my.fns", 1);
	mb_init_f32(b, "x", 1, d3, x123);
	mb_node_overload(mb_node(b, "Pick", "call", "x", "y"), "neg");
	b->g.node[0]->domain = "my.fns";
	mb_output(b, "y", DT_FLOAT, 1, d3);
	expect_y(b, (const float[]){-1, -2, -3});
}
END_TEST

/* A reference with neither a value at the call nor a default is left out:
 * LeakyRelu keeps its own default alpha (0.01). */
START_TEST(function_reference_left_out)
{
	MB *b = mb_new(13), *body = mb_new(13);
	static const float x[] = {-100, 1, 2};

	mb_attr_ref(mb_node(body, "LeakyRelu", "l", "x", "y"), "alpha", AT_FLOAT, "slope");
	mb_function(b, "my.fns", "Leaky", "x", "y", "slope", body);
	mb_opset(b, "my.fns", 1);
	mb_init_f32(b, "x", 1, d3, x);
	mb_node(b, "Leaky", "call", "x", "y")->domain = "my.fns";
	mb_output(b, "y", DT_FLOAT, 1, d3);
	expect_y(b, (const float[]){-100 * 0.01f, 1, 2});
}
END_TEST

/* Load (or infer) b, which must fail with exactly `msg`. */
static void expect_error(MB *b, const char *msg)
{
	Graph *g = unit_load(b);

	if (g) {
		ck_assert_int_eq(pass_infer(g), -1);
		graph_free(g);
	}
	ck_assert_str_eq(ir_last_error(), msg);
}

START_TEST(function_errors)
{
	MB *b = mb_new(13), *body = mb_new(13), *rec = mb_new(13);

	/* a body reading a name it does not define (functions have no outer scope) */
	mb_node(body, "Add", "a", "x,zz", "y");
	mb_function(b, "my.fns", "Bad", "x", "y", "", body);
	mb_opset(b, "my.fns", 1);
	mb_input(b, "x", DT_FLOAT, 1, d3);
	mb_node(b, "Bad", "call", "x", "y")->domain = "my.fns";
	mb_output(b, "y", DT_FLOAT, 1, d3);
	expect_error(b, "node 'call' (Bad): in function 'Bad': the body reads 'zz', which it "
		     "does not define");

	/* a function calling itself */
	b = mb_new(13);
	mb_opset(rec, "my.fns", 1);
	mb_node(rec, "Self", "again", "x", "y")->domain = "my.fns";
	mb_function(b, "my.fns", "Self", "x", "y", "", rec);
	mb_opset(b, "my.fns", 1);
	mb_input(b, "x", DT_FLOAT, 1, d3);
	mb_node(b, "Self", "call", "x", "y")->domain = "my.fns";
	mb_output(b, "y", DT_FLOAT, 1, d3);
	expect_error(b, "node 'call' (Self): its functions or subgraphs nest more than 32 deep");

	/* more inputs than the function takes */
	b = mb_new(13);
	scale_clip(b);
	mb_input(b, "x", DT_FLOAT, 1, d3);
	mb_node(b, "ScaleClip", "call", "x,x,x", "y")->domain = "my.fns";
	mb_output(b, "y", DT_FLOAT, 1, d3);
	expect_error(b, "node 'call' (ScaleClip): has 3 inputs and 1 outputs, but function "
		     "'ScaleClip' takes 2 and gives 1");

	/* our internal domain is not for models */
	b = mb_new(13);
	mb_opset(b, "onnxcc.internal", 1);
	mb_input(b, "x", DT_BOOL, 0, NULL);
	mb_node(b, "Check", "chk", "x", "")->domain = "onnxcc.internal";
	mb_node(b, "Not", "not", "x", "y");
	mb_output(b, "y", DT_BOOL, 0, NULL);
	expect_error(b, "node 'chk' (Check): domain 'onnxcc.internal' is reserved for onnxcc's "
		     "own operators");
}
END_TEST

static Suite *infer_suite(void)
{
	Suite *s = suite_create("infer");
	TCase *tc = tcase_create("shapes");

	tcase_add_test(tc, broadcast_add);
	tcase_add_test(tc, broadcast_scalar);
	tcase_add_test(tc, broadcast_mismatch);
	tcase_add_test(tc, mixed_types);
	tcase_add_test(tc, reshape_minus_one);
	tcase_add_test(tc, reshape_zero_copies);
	tcase_add_test(tc, reshape_bad_count);
	tcase_add_test(tc, reshape_allowzero);
	tcase_add_test(tc, shape_is_constant);
	tcase_add_test(tc, unsqueeze_axes_input);
	tcase_add_test(tc, unsqueeze_axes_attribute);
	tcase_add_test(tc, constant_of_shape_is_splat);
	tcase_add_test(tc, chain_keeps_type);
	tcase_add_test(tc, nms_runtime_count);
	tcase_add_test(tc, center_crop_pad_shape);
	tcase_add_test(tc, nonzero_declared);
	tcase_add_test(tc, nonzero_undeclared);
	tcase_add_test(tc, bitcast_width);
	tcase_add_test(tc, function_call_attribute);
	tcase_add_test(tc, function_default_and_missing_input);
	tcase_add_test(tc, function_nested);
	tcase_add_test(tc, function_own_opset);
	tcase_add_test(tc, function_overload);
	tcase_add_test(tc, function_reference_left_out);
	tcase_add_test(tc, function_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(infer_suite());
}
