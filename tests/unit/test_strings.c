/* test_strings.c: string tensors.  Constant string inputs make pass_infer
 * evaluate the string ops inside the compiler, with the kernels the generated
 * code uses, so these tests check the kernels' results and the compile-time
 * errors (records too small, unsupported patterns, ops without strings). */
#include <math.h>
#include <string.h>

#include "unit.h"
#include "ops.h"
#include "passes/passes.h"

/* Load and infer; NULL if infer fails (message kept). */
static Graph *inferred(MB *b)
{
	Graph *g = unit_load(b);

	if (!g)
		return NULL;
	if (pass_infer(g) != 0) {
		graph_free(g);
		return NULL;
	}
	return g;
}

static const char *str_at(const Value *v, int64_t i)
{
	return (const char *)v->data + (v->is_splat ? 0 : i) * dt_string_bytes();
}

static const struct {
	const char *pattern, *text;
	int match;
} regex_cases[] = {
#include "regex_cases.inc"
};

START_TEST(regex_full_match)
{
	MB *b = mb_new(20);
	const char *texts[1] = {regex_cases[_i].text};
	int64_t one = 1;
	Onnx__NodeProto *n;
	Graph *g;
	Value *y;

	mb_init_str(b, "X", 1, &one, texts);
	n = mb_node(b, "RegexFullMatch", "re", "X", "Y");
	mb_attr_s(n, "pattern", regex_cases[_i].pattern);
	mb_output(b, "Y", DT_BOOL, 1, &one);
	g = inferred(b);
	ck_assert_msg(g != NULL, "%s", ir_last_error());
	y = graph_find(g, "Y");
	ck_assert_ptr_nonnull(y->data);
	ck_assert_msg(((uint8_t *)y->data)[0] == regex_cases[_i].match, "/%s/ on \"%s\": got %d",
		      regex_cases[_i].pattern, regex_cases[_i].text, ((uint8_t *)y->data)[0]);
	graph_free(g);
}
END_TEST

/* Patterns outside the supported subset are compile errors that say so. */
START_TEST(regex_unsupported)
{
	static const char *const bad[] = {"(?i)abc", "\\p{Greek}", "[[:alpha:]]", "a**", "(ab", "ab)",
					  "[b-a]", "x{1001}", "\\1"};
	MB *b = mb_new(20);
	const char *texts[1] = {"abc"};
	int64_t one = 1;
	Onnx__NodeProto *n;

	mb_init_str(b, "X", 1, &one, texts);
	n = mb_node(b, "RegexFullMatch", "re", "X", "Y");
	mb_attr_s(n, "pattern", bad[_i]);
	mb_output(b, "Y", DT_BOOL, 1, &one);
	ck_assert_ptr_null(inferred(b));
	ck_assert_msg(strstr(ir_last_error(), "node 're' (RegexFullMatch): pattern") != NULL, "%s",
		      ir_last_error());
}
END_TEST

START_TEST(split_folds)
{
	MB *b = mb_new(20);
	static const char *const texts[] = {"a,b,,c", "d"};
	static const char *const want[] = {"a", "b", "", "c", "d", "", "", ""};
	static const int64_t lens[] = {4, 1};
	int64_t two = 2, i;
	Onnx__NodeProto *n;
	Graph *g;
	Value *y, *l;

	mb_init_str(b, "X", 1, &two, texts);
	n = mb_node(b, "StringSplit", "split", "X", "Y,L");
	mb_attr_s(n, "delimiter", ",");
	mb_output(b, "Y", DT_STRING, -1, NULL);
	mb_output(b, "L", DT_INT64, -1, NULL);
	g = inferred(b);
	ck_assert_msg(g != NULL, "%s", ir_last_error());
	y = graph_find(g, "Y");
	l = graph_find(g, "L");
	ck_assert_int_eq(y->rank, 2);
	ck_assert_int_eq(y->dims[1], 4);
	for (i = 0; i < 8; i++)
		ck_assert_str_eq(str_at(y, i), want[i]);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(const_i64(l, i), lens[i]);
	graph_free(g);
}
END_TEST

START_TEST(normalizer_folds)
{
	MB *b = mb_new(20);
	static const char *const texts[] = {"Monday", "tuesday", "MONDAY", "caf\xc3\xa9"};
	static const char *const stops[] = {"monday"};
	int64_t four = 4;
	Onnx__NodeProto *n;
	Graph *g;
	Value *y;

	mb_init_str(b, "X", 1, &four, texts);
	n = mb_node(b, "StringNormalizer", "norm", "X", "Y");
	mb_attr_s(n, "case_change_action", "UPPER");
	mb_attr_strv(n, "stopwords", 1, stops);
	mb_output(b, "Y", DT_STRING, -1, NULL);
	g = inferred(b);
	ck_assert_msg(g != NULL, "%s", ir_last_error());
	y = graph_find(g, "Y");
	ck_assert_int_eq(y->dims[0], 2);
	ck_assert_str_eq(str_at(y, 0), "TUESDAY");
	ck_assert_str_eq(str_at(y, 1), "CAF\xc3\xa9");
	graph_free(g);
}
END_TEST

/* A result longer than a record fails the fold with the string status; a
 * constant longer than a record is an error naming it. */
START_TEST(record_too_small)
{
	MB *b = mb_new(20);
	char long_text[100];
	const char *texts[1] = {long_text};
	int64_t one = 1;

	memset(long_text, 'x', 40);
	long_text[40] = 0;
	mb_init_str(b, "X", 1, &one, texts);
	mb_node(b, "StringConcat", "cat", "X,X", "Y");
	mb_output(b, "Y", DT_STRING, 1, &one);
	ck_assert_ptr_null(inferred(b));
	ck_assert_msg(strstr(ir_last_error(), "--string-bytes") != NULL, "%s", ir_last_error());

	memset(long_text, 'x', 99);
	long_text[99] = 0;
	b = mb_new(20);
	mb_init_str(b, "X", 1, &one, texts);
	mb_node(b, "Identity", "id", "X", "Y");
	mb_output(b, "Y", DT_STRING, 1, &one);
	ck_assert_ptr_null(unit_load(b));
	ck_assert_str_eq(ir_last_error(), "initializer 'X': string 0 has 99 bytes; string records "
			 "hold at most 63 (raise --string-bytes)");
}
END_TEST

START_TEST(op_without_strings)
{
	MB *b = mb_new(20);
	const char *texts[1] = {"a"};
	int64_t one = 1;

	mb_input(b, "X", DT_STRING, 1, &one);
	mb_init_str(b, "C", 1, &one, texts);
	mb_node(b, "Add", "add", "X,C", "Y");
	mb_output(b, "Y", DT_STRING, 1, &one);
	ck_assert_ptr_null(inferred(b));
	ck_assert_str_eq(ir_last_error(), "node 'add' (Add): input 0 ('X') has element type string, "
			 "which Add does not support");
}
END_TEST

/* Byte movers move whole records: Transpose, Gather, Concat, Slice, Tile. */
START_TEST(movers_fold)
{
	MB *b = mb_new(20);
	static const char *const texts[] = {"a", "bb", "ccc", "dddd", "", "f\xc3\xa9"};
	static const char *const want[] = {"ccc", "a", "ccc", "a", "f\xc3\xa9", "dddd", "f\xc3\xa9", "dddd"};
	static const int64_t dims[] = {2, 3}, two = 2, idx[] = {2, 0}, one = 1, st[] = {0},
			     en[] = {1}, rep[] = {1, 2};
	static const int64_t perm[] = {1, 0};
	Onnx__NodeProto *n;
	Graph *g;
	Value *y;
	int i;

	mb_init_str(b, "X", 2, dims, texts);
	mb_init_i64(b, "idx", 1, &two, idx);
	mb_init_i64(b, "st", 1, &one, st);
	mb_init_i64(b, "en", 1, &one, en);
	mb_init_i64(b, "rep", 1, &two, rep);
	n = mb_node(b, "Transpose", "t", "X", "T");
	mb_attr_ints(n, "perm", 2, perm);
	n = mb_node(b, "Gather", "g", "X,idx", "G");
	mb_attr_i(n, "axis", 1);
	n = mb_node(b, "Concat", "c", "G,G", "C");
	mb_attr_i(n, "axis", 1);
	mb_node(b, "Slice", "s", "T,st,en", "S");
	mb_node(b, "Tile", "r", "S,rep", "R");
	mb_output(b, "C", DT_STRING, -1, NULL);
	mb_output(b, "R", DT_STRING, -1, NULL);
	g = inferred(b);
	ck_assert_msg(g != NULL, "%s", ir_last_error());
	y = graph_find(g, "C");
	ck_assert_int_eq(y->dims[1], 4);
	for (i = 0; i < 8; i++)
		ck_assert_str_eq(str_at(y, i), want[i]);
	y = graph_find(g, "R");	/* Tile(T[0:1]) = [[a, dddd, a, dddd]] */
	ck_assert_int_eq(value_numel(y), 4);
	ck_assert_str_eq(str_at(y, 0), "a");
	ck_assert_str_eq(str_at(y, 1), "dddd");
	ck_assert_str_eq(str_at(y, 2), "a");
	ck_assert_str_eq(str_at(y, 3), "dddd");
	graph_free(g);
}
END_TEST

/* Where picks whole records, the condition broadcast over them. */
START_TEST(where_folds)
{
	MB *b = mb_new(20);
	static const char *const x[] = {"left", "l2"}, *const y[] = {"right"};
	static const int64_t two = 2, one = 1, cond[] = {0, 1};
	Onnx__NodeProto *n;
	Graph *g;
	Value *z;

	mb_init_str(b, "X", 1, &two, x);
	mb_init_str(b, "Y", 1, &one, y);
	mb_init_i64(b, "c64", 1, &two, cond);
	n = mb_node(b, "Cast", "tob", "c64", "C");
	mb_attr_i(n, "to", DT_BOOL);
	mb_node(b, "Where", "w", "C,X,Y", "Z");
	mb_output(b, "Z", DT_STRING, -1, NULL);
	g = inferred(b);
	ck_assert_msg(g != NULL, "%s", ir_last_error());
	z = graph_find(g, "Z");
	ck_assert_str_eq(str_at(z, 0), "right");
	ck_assert_str_eq(str_at(z, 1), "l2");
	graph_free(g);
}
END_TEST

/* Cast both ways, folded: numpy-style shortest float text, strtod parsing. */
START_TEST(cast_folds)
{
	MB *b = mb_new(20);
	static const char *const texts[] = {"2.5", "1e-5", "-INF", "7"};
	static const float v[] = {0.1f, 100.0f, 1e-5f, 123456792.0f, -0.0f};
	static const char *const want[] = {"0.1", "100.0", "1e-05", "123456790.0", "-0.0"};
	int64_t four = 4, five = 5, i;
	Onnx__NodeProto *n;
	Graph *g;
	Value *y;

	mb_init_str(b, "T", 1, &four, texts);
	mb_init_f32(b, "V", 1, &five, v);
	n = mb_node(b, "Cast", "tof", "T", "F");
	mb_attr_i(n, "to", DT_FLOAT);
	n = mb_node(b, "Cast", "toi", "T", "I");
	mb_attr_i(n, "to", DT_INT32);
	n = mb_node(b, "Cast", "tos", "V", "S");
	mb_attr_i(n, "to", DT_STRING);
	mb_output(b, "F", DT_FLOAT, -1, NULL);
	mb_output(b, "I", DT_INT32, -1, NULL);
	mb_output(b, "S", DT_STRING, -1, NULL);
	g = inferred(b);
	ck_assert_msg(g != NULL, "%s", ir_last_error());
	y = graph_find(g, "F");
	ck_assert(((float *)y->data)[0] == 2.5f && ((float *)y->data)[1] == 1e-5f);
	ck_assert(isinf(((float *)y->data)[2]) && ((float *)y->data)[2] < 0);
	y = graph_find(g, "I");
	ck_assert_int_eq(((int32_t *)y->data)[2], INT32_MIN);
	ck_assert_int_eq(((int32_t *)y->data)[3], 7);
	y = graph_find(g, "S");
	for (i = 0; i < 5; i++)
		ck_assert_str_eq(str_at(y, i), want[i]);
	graph_free(g);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strings");
	TCase *t = tcase_create("strings");

	tcase_add_loop_test(t, regex_full_match, 0, (int)(sizeof regex_cases / sizeof regex_cases[0]));
	tcase_add_loop_test(t, regex_unsupported, 0, 9);
	tcase_add_test(t, split_folds);
	tcase_add_test(t, normalizer_folds);
	tcase_add_test(t, record_too_small);
	tcase_add_test(t, op_without_strings);
	tcase_add_test(t, movers_fold);
	tcase_add_test(t, cast_folds);
	tcase_add_test(t, where_folds);
	suite_add_tcase(s, t);
	return unit_run(s);
}
