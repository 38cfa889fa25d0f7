/* test_frontend.c: the ONNX loader's error paths.  Each test builds a model
 * that is wrong in one way, loads it, and checks that onnx_load returns NULL
 * with exactly the expected message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

static const int64_t d23[] = {2, 3};

/* Y = Relu(X) over float[2,3]: a valid model the tests then break. */
static MB *relu_model(void)
{
	MB *b = mb_new(13);

	mb_input(b, "X", DT_FLOAT, 2, d23);
	mb_node(b, "Relu", "r", "X", "Y");
	mb_output(b, "Y", DT_FLOAT, 2, d23);
	return b;
}

/* Load raw bytes from a temporary file and expect "PATH: <msg>". */
static void expect_bytes_error(const uint8_t *bytes, size_t len, const char *msg)
{
	MB *b = mb_new(13);
	const char *path = mb_write_tmp(b, bytes, len);
	char want[512];
	Graph *g = onnx_load(path, NULL, 0);

	unlink(path);
	snprintf(want, sizeof want, "%s: %s", path, msg);
	ck_assert_ptr_null(g);
	ck_assert_str_eq(ir_last_error(), want);
}

/* Load a built model and expect exactly msg. */
static void expect_error(MB *b, const char *msg)
{
	ck_assert_ptr_null(unit_load(b));
	ck_assert_str_eq(ir_last_error(), msg);
}

START_TEST(valid_model_loads)
{
	Graph *g = unit_load(relu_model());

	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(g->nnodes, 1);
	ck_assert_int_eq(g->ninputs, 1);
	ck_assert_int_eq(g->noutputs, 1);
	ck_assert_int_eq(g->opset, 13);
	ck_assert_int_eq(g->inputs[0]->rank, 2);
	graph_free(g);
}
END_TEST

START_TEST(truncated_file)
{
	size_t len;
	uint8_t *bytes = mb_bytes(relu_model(), &len);

	expect_bytes_error(bytes, len - 1, "not a valid ONNX model (protobuf parse failed)");
	expect_bytes_error(bytes, len / 2, "not a valid ONNX model (protobuf parse failed)");
}
END_TEST

START_TEST(random_bytes)
{
	uint8_t bytes[512];
	uint32_t x = 12345;
	size_t i;

	for (i = 0; i < sizeof bytes; i++) {
		x = x * 1103515245u + 12345u;
		bytes[i] = (uint8_t)(x >> 24);
	}
	expect_bytes_error(bytes, sizeof bytes, "not a valid ONNX model (protobuf parse failed)");
}
END_TEST

START_TEST(empty_file)
{
	expect_bytes_error((const uint8_t *)"", 0, "the model file is empty");
}
END_TEST

START_TEST(missing_file)
{
	ck_assert_ptr_null(onnx_load("/nonexistent/model.onnx", NULL, 0));
	ck_assert_str_eq(ir_last_error(), "/nonexistent/model.onnx: cannot open the model file");
}
END_TEST

START_TEST(undefined_value)
{
	MB *b = mb_new(13);

	mb_input(b, "X", DT_FLOAT, 2, d23);
	mb_node(b, "Add", "add", "X,nowhere", "Y");
	mb_output(b, "Y", DT_FLOAT, 2, d23);
	expect_error(b, "node 'add' (Add): input 'nowhere' is not produced by any node, "
			"initializer or graph input");
}
END_TEST

START_TEST(unknown_operator)
{
	MB *b = mb_new(13);

	mb_input(b, "X", DT_FLOAT, 2, d23);
	mb_node(b, "FrobnicateAll", "f", "X", "Y");
	mb_output(b, "Y", DT_FLOAT, 2, d23);
	expect_error(b, "node 'f' (FrobnicateAll): operator 'FrobnicateAll' is not supported");
}
END_TEST

START_TEST(unknown_domain_operator)
{
	MB *b = mb_new(13);

	mb_opset(b, "com.example", 1);
	mb_input(b, "X", DT_FLOAT, 2, d23);
	mb_node(b, "Relu", "r", "X", "Y")->domain = "com.example";
	mb_output(b, "Y", DT_FLOAT, 2, d23);
	expect_error(b, "node 'r' (Relu): operator 'com.example.Relu' is not supported");
}
END_TEST

START_TEST(domain_not_imported)
{
	MB *b = mb_new(13);

	mb_input(b, "X", DT_FLOAT, 2, d23);
	mb_node(b, "Relu", "r", "X", "Y")->domain = "com.example";
	mb_output(b, "Y", DT_FLOAT, 2, d23);
	expect_error(b, "node 'r' (Relu): the model imports no opset for domain 'com.example'");
}
END_TEST

START_TEST(cycle)
{
	MB *b = mb_new(13);

	mb_input(b, "X", DT_FLOAT, 2, d23);
	mb_node(b, "Add", "a1", "X,b", "a");
	mb_node(b, "Relu", "r2", "a", "b");
	mb_output(b, "a", DT_FLOAT, 2, d23);
	expect_error(b, "node 'a1' (Add): is part of a cycle: a1 -> r2 -> a1");
}
END_TEST

START_TEST(unsupported_ir_version)
{
	MB *b = relu_model();
	char want[512];
	Graph *g;

	b->m.ir_version = 99;
	g = unit_load(b);
	snprintf(want, sizeof want, "%s: IR version 99 is not supported (3 to 13 are)", b->path);
	ck_assert_ptr_null(g);
	ck_assert_str_eq(ir_last_error(), want);
}
END_TEST

START_TEST(unsupported_opset)
{
	MB *b = mb_new(99);
	char want[512];
	Graph *g;

	mb_input(b, "X", DT_FLOAT, 2, d23);
	mb_node(b, "Relu", "r", "X", "Y");
	mb_output(b, "Y", DT_FLOAT, 2, d23);
	g = unit_load(b);
	snprintf(want, sizeof want, "%s: default-domain opset 99 is not supported (1 to 28 are)", b->path);
	ck_assert_ptr_null(g);
	ck_assert_str_eq(ir_last_error(), want);
}
END_TEST

START_TEST(operator_version_not_covered)
{
	MB *b = mb_new(4);
	static const int64_t shape[] = {6};

	mb_input(b, "X", DT_FLOAT, 2, d23);
	mb_init_i64(b, "s", 1, (const int64_t[]){1}, shape);
	mb_node(b, "Reshape", "rs", "X,s", "Y");
	mb_output(b, "Y", DT_FLOAT, 1, shape);
	expect_error(b, "node 'rs' (Reshape): opset version 4 of Reshape is not supported (opsets 5 to 28 are)");
}
END_TEST

START_TEST(wrong_input_count)
{
	MB *b = mb_new(13);

	mb_input(b, "X", DT_FLOAT, 2, d23);
	mb_node(b, "Add", "add", "X", "Y");
	mb_output(b, "Y", DT_FLOAT, 2, d23);
	expect_error(b, "node 'add' (Add): has 1 inputs, expected 2 to 2");
}
END_TEST

START_TEST(output_defined_twice)
{
	MB *b = mb_new(13);

	mb_input(b, "X", DT_FLOAT, 2, d23);
	mb_node(b, "Relu", "r1", "X", "Y");
	mb_node(b, "Relu", "r2", "X", "Y");
	mb_output(b, "Y", DT_FLOAT, 2, d23);
	expect_error(b, "node 'r2' (Relu): output 'Y' is already produced by node 'r1'");
}
END_TEST

START_TEST(dynamic_input_shape)
{
	MB *b = mb_new(13);

	mb_input(b, "X", DT_FLOAT, -1, NULL);
	mb_node(b, "Relu", "r", "X", "Y");
	mb_output(b, "Y", DT_FLOAT, 2, d23);
	expect_error(b, "graph input 'X' has a dynamic shape; give it with --shape X=D0,D1,...");
}
END_TEST

START_TEST(dynamic_input_shape_given)
{
	MB *b = mb_new(13);
	size_t len;
	uint8_t *bytes;
	InputShape s = {.name = "X", .kind = SHAPE_TENSOR, .rank = 2, .dims = {4, 5}};
	Graph *g;

	mb_input(b, "X", DT_FLOAT, -1, NULL);
	mb_node(b, "Relu", "r", "X", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	bytes = mb_bytes(b, &len);
	g = onnx_load(mb_write_tmp(b, bytes, len), &s, 1);
	unlink(b->path);
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(g->inputs[0]->rank, 2);
	ck_assert_int_eq(g->inputs[0]->dims[1], 5);
	graph_free(g);
}
END_TEST

START_TEST(no_outputs)
{
	MB *b = mb_new(13);

	mb_input(b, "X", DT_FLOAT, 2, d23);
	mb_node(b, "Relu", "r", "X", "Y");
	expect_error(b, "the graph has no outputs");
}
END_TEST

START_TEST(output_not_produced)
{
	MB *b = relu_model();

	mb_output(b, "Z", DT_FLOAT, 2, d23);
	expect_error(b, "graph output 'Z' is not produced by any node, initializer or graph input");
}
END_TEST

/* A TensorProto of type dt and one dimension n holding raw bytes (raw) or
 * int32_data entries, read with tensor_from_proto. */
static int sub_byte_tensor(Value *v, int dt, int64_t n, const uint8_t *bytes, size_t len, int raw)
{
	Onnx__TensorProto t = ONNX__TENSOR_PROTO__INIT;
	int32_t i32[16];
	size_t i;

	t.n_dims = 1;
	t.dims = &n;
	t.has_data_type = 1;
	t.data_type = dt;
	if (raw) {
		t.has_raw_data = 1;
		t.raw_data.len = len;
		t.raw_data.data = (uint8_t *)bytes;
	} else {
		for (i = 0; i < len; i++)
			i32[i] = bytes[i];
		t.n_int32_data = len;
		t.int32_data = i32;
	}
	memset(v, 0, sizeof *v);
	v->name = "t";
	return tensor_from_proto(&t, v, "tensor");
}

/* int4 is packed low nibble first and sign-extended, one element per byte. */
START_TEST(int4_unpacks)
{
	static const uint8_t bytes[] = {0x8f, 0x07};
	Value v;
	const int8_t *d;

	ck_assert_int_eq(sub_byte_tensor(&v, DT_INT4, 3, bytes, 2, 1), 0);
	d = v.data;
	ck_assert_int_eq(value_nbytes(&v), 3);
	ck_assert_int_eq(d[0], -1);
	ck_assert_int_eq(d[1], -8);
	ck_assert_int_eq(d[2], 7);
	free(v.data);
}
END_TEST

/* uint2 in int32_data: one packed byte per entry, lowest bits first. */
START_TEST(uint2_unpacks_from_int32_data)
{
	static const uint8_t bytes[] = {0xe4, 0x0b};
	static const uint8_t want[] = {0, 1, 2, 3, 3, 2};
	Value v;
	int i;

	ck_assert_int_eq(sub_byte_tensor(&v, DT_UINT2, 6, bytes, 2, 0), 0);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(((const uint8_t *)v.data)[i], want[i]);
	free(v.data);
}
END_TEST

START_TEST(sub_byte_wrong_size)
{
	static const uint8_t bytes[] = {0x11, 0x22};
	Value v;

	ck_assert_int_eq(sub_byte_tensor(&v, DT_FLOAT4E2M1, 5, bytes, 2, 1), -1);
	ck_assert_str_eq(ir_last_error(), "tensor 't': has 2 raw_data bytes, its shape [5] needs 3 "
			 "packed float4e2m1 bytes");
}
END_TEST

/* tensor_write_file packs; reading the file back gives the elements. */
START_TEST(int2_round_trip)
{
	static const int8_t elems[] = {-2, 1, 0, -1, 1};
	char path[] = "/tmp/onnxcc_int2_XXXXXX";
	int64_t n = 5;
	Onnx__TensorProto *t;
	Value v = {0};
	int fd = mkstemp(path), i;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(tensor_write_file(path, "t", DT_INT2, 1, &n, elems, 5), 0);
	t = tensor_read_file(path);
	unlink(path);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->raw_data.len, 2);
	ck_assert_int_eq(t->raw_data.data[0], 0xc6);
	ck_assert_int_eq(t->raw_data.data[1], 0x01);
	v.name = "t";
	ck_assert_int_eq(tensor_from_proto(t, &v, "tensor"), 0);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(((const int8_t *)v.data)[i], elems[i]);
	free(v.data);
	onnx__tensor_proto__free_unpacked(t, NULL);
}
END_TEST

static Suite *frontend_suite(void)
{
	Suite *s = suite_create("frontend");
	TCase *tc = tcase_create("errors");

	tcase_add_test(tc, valid_model_loads);
	tcase_add_test(tc, truncated_file);
	tcase_add_test(tc, random_bytes);
	tcase_add_test(tc, empty_file);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, undefined_value);
	tcase_add_test(tc, unknown_operator);
	tcase_add_test(tc, unknown_domain_operator);
	tcase_add_test(tc, domain_not_imported);
	tcase_add_test(tc, cycle);
	tcase_add_test(tc, unsupported_ir_version);
	tcase_add_test(tc, unsupported_opset);
	tcase_add_test(tc, operator_version_not_covered);
	tcase_add_test(tc, wrong_input_count);
	tcase_add_test(tc, output_defined_twice);
	tcase_add_test(tc, dynamic_input_shape);
	tcase_add_test(tc, dynamic_input_shape_given);
	tcase_add_test(tc, no_outputs);
	tcase_add_test(tc, output_not_produced);
	tcase_add_test(tc, int4_unpacks);
	tcase_add_test(tc, uint2_unpacks_from_int32_data);
	tcase_add_test(tc, sub_byte_wrong_size);
	tcase_add_test(tc, int2_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(frontend_suite());
}
