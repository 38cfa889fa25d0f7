/* test_judge.c: how onnxcc-run judges outputs of random operators (judge.h).
 * Each test builds a model, compiles it as onnxcc-run does (probes on), checks
 * the rule derived for each output, and feeds judge_check() good and bad
 * values: a wrong value must be rejected.  The last tests run onnxcc-run on a
 * model with random and deterministic outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unit.h"
#include "driver.h"
#include "passes/passes.h"

/* Compile b with the io description filled in, as onnxcc-run does. */
static void compiled(MB *b, CompiledIO *io)
{
	size_t len;
	uint8_t *bytes = mb_bytes(b, &len);
	CompileOptions co = {0};

	co.input = mb_write_tmp(b, bytes, len);
	co.io = io;
	co.probe_random = 1;
	ck_assert_msg(compile(&co) == 0, "compile: %s", ir_last_error());
	unlink(b->path);
	free(bytes);
}

static int check_f32(const Judge *j, const float *v, size_t n, char *msg)
{
	JudgeData d = {0};

	d.dtype = DT_FLOAT;
	d.n = n;
	d.got = v;
	return judge_check(j, &d, msg, 256);
}

START_TEST(bernoulli_value_set)
{
	MB *b = mb_new(15);
	static const int64_t dims[] = {2, 3};
	static const float good[] = {0, 1, 1, 0, 0, 1}, two[] = {0, 1, 2, 0, 0, 1},
			   half[] = {0, 0.5f, 1, 0, 0, 1};
	static CompiledIO io;
	char msg[256], how[256];

	mb_input(b, "P", DT_FLOAT, 2, dims);
	mb_node(b, "Bernoulli", "bern", "P", "Y");
	mb_node(b, "Relu", "relu", "P", "R");
	mb_output(b, "Y", DT_FLOAT, 2, dims);
	mb_output(b, "R", DT_FLOAT, 2, dims);
	compiled(b, &io);
	ck_assert_int_eq(io.noutputs, 2);
	ck_assert_int_eq(io.judge[0].kind, JUDGE_RANGE);
	ck_assert_int_eq(io.judge[1].kind, JUDGE_EXACT);
	ck_assert_str_eq(judge_describe(&io.judge[0], how, sizeof how),
			 "random (Bernoulli): judged by shape and value set {0, 1}");
	ck_assert_int_eq(check_f32(&io.judge[0], good, 6, msg), 1);
	ck_assert_int_eq(check_f32(&io.judge[0], two, 6, msg), 0);
	ck_assert_str_eq(msg, "element 2 is 2, outside the value set");
	ck_assert_int_eq(check_f32(&io.judge[0], half, 6, msg), 0);
	ck_assert_int_eq(check_f32(&io.judge[1], good, 6, msg), -1);
}
END_TEST

/* Bernoulli as its function expands it: Cast(Less(RandomUniformLike(P), P)). */
START_TEST(derived_through_cast)
{
	MB *b = mb_new(15);
	static const int64_t dims[] = {4};
	static const float good[] = {0, 1, 1, 0}, bad[] = {0, 1, -1, 0};
	static CompiledIO io;
	Onnx__NodeProto *n;
	char msg[256];

	mb_input(b, "P", DT_FLOAT, 1, dims);
	mb_node(b, "RandomUniformLike", "u", "P", "U");
	mb_node(b, "Less", "less", "U,P", "L");
	n = mb_node(b, "Cast", "cast", "L", "Y");
	mb_attr_i(n, "to", DT_FLOAT);
	mb_node(b, "Exp", "exp", "U", "E");
	mb_output(b, "Y", DT_FLOAT, 1, dims);
	mb_output(b, "E", DT_FLOAT, 1, dims);
	compiled(b, &io);
	ck_assert_int_eq(io.judge[0].kind, JUDGE_RANGE);
	ck_assert_int_eq(io.judge[0].derived, 1);
	ck_assert_int_eq(check_f32(&io.judge[0], good, 4, msg), 1);
	ck_assert_int_eq(check_f32(&io.judge[0], bad, 4, msg), 0);
	/* through Exp only the type and shape can be judged */
	ck_assert_int_eq(io.judge[1].kind, JUDGE_SHAPE);
}
END_TEST

START_TEST(uniform_normal_multinomial)
{
	MB *b = mb_new(15);
	static const int64_t shape[] = {2, 2}, xd[] = {2, 3}, yd[] = {2, 5};
	static const float in[] = {-1, 0, 1.5f, 1.999f}, high[] = {-1, 0, 2, 1},
			   low[] = {-1.001f, 0, 1, 1}, inf[] = {0, 1e30f, 1.0f / 0.0f, 0};
	static const int32_t cls[] = {0, 2, 1, 1, 0, 2, 2, 2, 0, 1}, out3[] = {0, 3, 1, 1, 0, 2, 2, 2, 0, 1};
	static CompiledIO io;
	Onnx__NodeProto *n;
	JudgeData d = {0};
	char msg[256];

	mb_input(b, "X", DT_FLOAT, 2, xd);
	n = mb_node(b, "RandomUniform", "u", "", "U");
	mb_attr_ints(n, "shape", 2, shape);
	mb_attr_f(n, "low", -1);
	mb_attr_f(n, "high", 2);
	mb_node(b, "RandomNormalLike", "nl", "X", "N");
	n = mb_node(b, "Multinomial", "m", "X", "M");
	mb_attr_i(n, "sample_size", 5);
	mb_output(b, "U", DT_FLOAT, 2, shape);
	mb_output(b, "N", DT_FLOAT, 2, xd);
	mb_output(b, "M", DT_INT32, 2, yd);
	compiled(b, &io);
	ck_assert_int_eq(check_f32(&io.judge[0], in, 4, msg), 1);
	ck_assert_int_eq(check_f32(&io.judge[0], high, 4, msg), 0);
	ck_assert_int_eq(check_f32(&io.judge[0], low, 4, msg), 0);
	ck_assert_int_eq(io.judge[1].kind, JUDGE_FINITE);
	ck_assert_int_eq(check_f32(&io.judge[1], in, 4, msg), 1);
	ck_assert_int_eq(check_f32(&io.judge[1], inf, 4, msg), 0);
	d.dtype = DT_INT32;
	d.n = 10;
	d.got = cls;
	ck_assert_int_eq(judge_check(&io.judge[2], &d, msg, sizeof msg), 1);
	d.got = out3;
	ck_assert_int_eq(judge_check(&io.judge[2], &d, msg, sizeof msg), 0);
}
END_TEST

/* Dropout with run-time ratio and training_mode: 0 or x / (1 - ratio), as the mask says. */
START_TEST(dropout_training)
{
	MB *b = mb_new(13);
	static const int64_t dims[] = {4};
	static const float x[] = {1, 2, 3, 4}, ratio = 0.5f, y[] = {2, 0, 6, 0}, ybad[] = {2, 1, 6, 0};
	static const uint8_t on = 1, off = 0, mask[] = {1, 0, 1, 0}, mbad[] = {1, 1, 1, 0};
	static CompiledIO io;
	JudgeData d = {0};
	char msg[256];

	mb_input(b, "X", DT_FLOAT, 1, dims);
	mb_input(b, "R", DT_FLOAT, 0, NULL);
	mb_input(b, "T", DT_BOOL, 0, NULL);
	mb_node(b, "Dropout", "drop", "X,R,T", "Y,M");
	mb_output(b, "Y", DT_FLOAT, 1, dims);
	mb_output(b, "M", DT_BOOL, 1, dims);
	compiled(b, &io);
	ck_assert_int_eq(io.nprobes, 0);
	ck_assert_int_eq(io.judge[0].kind, JUDGE_DROPOUT);
	ck_assert_int_eq(io.judge[1].kind, JUDGE_DROPOUT_MASK);
	ck_assert_int_eq(io.judge[0].x.where, OPD_INPUT);
	ck_assert_int_eq(io.judge[0].ratio.index, 1);
	ck_assert_int_eq(io.judge[0].mask, 1);
	d.dtype = DT_FLOAT;
	d.n = 4;
	d.x = x;
	d.x_dtype = DT_FLOAT;
	d.x_n = 4;
	d.ratio = &ratio;
	d.ratio_dtype = DT_FLOAT;
	d.train = &on;
	d.got = d.y = y;
	d.mask = mask;
	d.rtol = 1e-3;
	ck_assert_int_eq(judge_check(&io.judge[0], &d, msg, sizeof msg), 1);
	d.mask = mbad;
	ck_assert_int_eq(judge_check(&io.judge[0], &d, msg, sizeof msg), 0);
	d.mask = NULL;
	d.got = d.y = ybad;
	ck_assert_int_eq(judge_check(&io.judge[0], &d, msg, sizeof msg), 0);
	d.train = &off;
	ck_assert_int_eq(judge_check(&io.judge[0], &d, msg, sizeof msg), -1);
}
END_TEST

/* X computed inside the graph: onnxcc-run gets it from an extra probe output. */
START_TEST(dropout_probe)
{
	MB *b = mb_new(13);
	static const int64_t dims[] = {4};
	static CompiledIO io;

	mb_input(b, "X", DT_FLOAT, 1, dims);
	mb_input(b, "T", DT_BOOL, 0, NULL);
	mb_node(b, "Relu", "relu", "X", "XR");
	mb_node(b, "Dropout", "drop", "XR,,T", "Y");
	mb_output(b, "Y", DT_FLOAT, 1, dims);
	compiled(b, &io);
	ck_assert_int_eq(io.noutputs, 1);
	ck_assert_int_eq(io.nprobes, 1);
	ck_assert_int_eq(io.judge[0].kind, JUDGE_DROPOUT);
	ck_assert_int_eq(io.judge[0].x.where, OPD_OUTPUT);
	ck_assert_int_eq(io.judge[0].x.index, 1);
	ck_assert_int_eq(io.judge[0].ratio.where, OPD_CONST);
	ck_assert(io.judge[0].ratio.value == 0.5);
}
END_TEST

/* A training Dropout over constants folds, and is still judged as random. */
START_TEST(dropout_folded)
{
	MB *b = mb_new(13);
	static const int64_t dims[] = {4};
	static const float x[] = {1, 2, 3, 4};
	static CompiledIO io;
	Onnx__NodeProto *n;

	mb_input(b, "T", DT_BOOL, 0, NULL);
	mb_init_f32(b, "X", 1, dims, x);
	n = mb_node(b, "Constant", "one", "", "On");
	mb_attr_tensor_f32(n, "value", 0, NULL, x);
	mb_node(b, "Greater", "gt", "On,On", "F");
	mb_node(b, "Not", "not", "F", "Tr");
	mb_node(b, "Dropout", "drop", "X,,Tr", "Y");
	mb_node(b, "Identity", "id", "T", "TO");
	mb_output(b, "Y", DT_FLOAT, 1, dims);
	mb_output(b, "TO", DT_BOOL, 0, NULL);
	compiled(b, &io);
	ck_assert_int_eq(io.judge[0].kind, JUDGE_SHAPE);
	ck_assert_str_eq(io.judge[0].source, "Dropout");
	ck_assert_int_eq(io.judge[1].kind, JUDGE_EXACT);
}
END_TEST

/* Bad random nodes: exact messages. */
START_TEST(random_errors)
{
	static const int64_t dims[] = {4};
	static const float one = 1;
	MB *b = mb_new(13);
	Graph *g;

	mb_node(b, "RandomUniform", "u", "", "U");
	mb_output(b, "U", DT_FLOAT, 1, dims);
	ck_assert_ptr_nonnull(g = unit_load(b));
	ck_assert_int_eq(pass_infer(g), -1);
	ck_assert_str_eq(ir_last_error(), "node 'u' (RandomUniform): attribute shape is required");
	graph_free(g);
	b = mb_new(13);
	mb_input(b, "X", DT_FLOAT, 1, dims);
	mb_input(b, "T", DT_BOOL, 0, NULL);
	mb_init_f32(b, "R", 0, NULL, &one);
	mb_node(b, "Dropout", "drop", "X,R,T", "Y");
	mb_output(b, "Y", DT_FLOAT, 1, dims);
	ck_assert_ptr_nonnull(g = unit_load(b));
	ck_assert_int_eq(pass_infer(g), -1);
	ck_assert_str_eq(ir_last_error(), "node 'drop' (Dropout): ratio 1 is outside [0, 1)");
	graph_free(g);
}
END_TEST

#ifdef ONNXCC_RUN
/* onnxcc-run on a model with random and exact outputs: it passes, and fails
 * when the exact output or a random output's shape is wrong. */
START_TEST(onnxcc_run_judges)
{
	static const int64_t xd[] = {2, 3}, ud[] = {3, 2}, ud_wrong[] = {2, 3};
	static const float x[] = {0.1f, 0.9f, 0.5f, 0.0f, 1.0f, 0.3f}, any[] = {0, 0, 0, 0, 0, 0};
	float relu_bad[6];
	char dir[512], cmd[2048], path[600];
	MB *b = mb_new(15);
	Onnx__NodeProto *n;
	FILE *f;
	char out[8192];
	size_t len;
	int rc;

	snprintf(dir, sizeof dir, "%s/judge_run", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	mkdir(dir, 0777);
	mb_input(b, "X", DT_FLOAT, 2, xd);
	n = mb_node(b, "RandomUniform", "u", "", "U");
	mb_attr_ints(n, "shape", 2, ud);
	mb_node(b, "Bernoulli", "bern", "X", "B");
	mb_node(b, "Relu", "relu", "X", "R");
	mb_output(b, "U", DT_FLOAT, 2, ud);
	mb_output(b, "B", DT_FLOAT, 2, xd);
	mb_output(b, "R", DT_FLOAT, 2, xd);
	snprintf(path, sizeof path, "%s/model.onnx", dir);
	mb_save(b, path);
	snprintf(path, sizeof path, "%s/input_0.pb", dir);
	mb_save_tensor_f32(path, "X", 2, xd, x);
	snprintf(path, sizeof path, "%s/output_0.pb", dir);
	mb_save_tensor_f32(path, "U", 2, ud, any);
	snprintf(path, sizeof path, "%s/output_1.pb", dir);
	mb_save_tensor_f32(path, "B", 2, xd, any);
	snprintf(path, sizeof path, "%s/output_2.pb", dir);
	mb_save_tensor_f32(path, "R", 2, xd, x);
	snprintf(cmd, sizeof cmd, "'%s' '%s/model.onnx' '%s' > '%s/log' 2>&1", ONNXCC_RUN, dir, dir, dir);
	rc = system(cmd);
	snprintf(path, sizeof path, "%s/log", dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	len = fread(out, 1, sizeof out - 1, f);
	out[len] = 0;
	fclose(f);
	ck_assert_msg(rc == 0, "onnxcc-run failed:\n%s", out);
	ck_assert_msg(strstr(out, "output 0 'U': random (RandomUniform): judged by shape and value set "
			     "[0, 1): PASS") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "output 1 'B': random (Bernoulli): judged by shape and value set "
			     "{0, 1}: PASS") != NULL, "%s", out);
	/* a wrong exact output still fails */
	memcpy(relu_bad, x, sizeof relu_bad);
	relu_bad[4] = 2;
	snprintf(path, sizeof path, "%s/output_2.pb", dir);
	mb_save_tensor_f32(path, "R", 2, xd, relu_bad);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 1);
	mb_save_tensor_f32(path, "R", 2, xd, x);
	/* a random output of the wrong shape (same size) fails */
	snprintf(path, sizeof path, "%s/output_0.pb", dir);
	mb_save_tensor_f32(path, "U", 2, ud_wrong, any);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 1);
}
END_TEST
#endif

static Suite *judge_suite(void)
{
	Suite *s = suite_create("judge");
	TCase *tc = tcase_create("judge");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, bernoulli_value_set);
	tcase_add_test(tc, derived_through_cast);
	tcase_add_test(tc, uniform_normal_multinomial);
	tcase_add_test(tc, dropout_training);
	tcase_add_test(tc, dropout_probe);
	tcase_add_test(tc, dropout_folded);
	tcase_add_test(tc, random_errors);
#ifdef ONNXCC_RUN
	tcase_add_test(tc, onnxcc_run_judges);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(judge_suite());
}
