/* mkmodel.c: writes the small models the CLI test compiles.
 *
 *   mkmodel add OUT.onnx          y/out = x:0 + bias (float[2,3] + float[3])
 *   mkmodel unsupported OUT.onnx  a node of an operator nobody implements
 *   mkmodel strcat OUT.onnx       y = StringConcat(x, suffix) (string[2] + string[1])
 *
 * Names with ':' and '/' check that the generated interface makes C
 * identifiers of them. */
#include <stdio.h>
#include <string.h>

#include "model_builder.h"

static const int64_t d23[] = {2, 3}, d3[] = {3};
static const float bias[] = {1, 2, 3};

int main(int argc, char **argv)
{
	MB *b = mb_new(13);
	static const int64_t d1[] = {1}, d2[] = {2};
	static const char *const suffix[] = {"-ok"};

	if (argc != 3) {
		fprintf(stderr, "usage: mkmodel add|unsupported|strcat OUT.onnx\n");
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
