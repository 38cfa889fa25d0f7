/* mkmodel.c: writes the small models the CLI test compiles.
 *
 *   mkmodel add OUT.onnx          y/out = x:0 + bias (float[2,3] + float[3])
 *   mkmodel unsupported OUT.onnx  a node of an operator nobody implements
 *   mkmodel int4 OUT.onnx         t = Transpose(x: int4[2,3]); f = float(t);
 *                                 e = EyeLike(t, dtype int4): sub-byte types
 *                                 at the interface and in data movement
 *
 * Names with ':' and '/' check that the generated interface makes C
 * identifiers of them. */
#include <stdio.h>
#include <string.h>

#include "model_builder.h"

static const int64_t d23[] = {2, 3}, d3[] = {3}, d32[] = {3, 2};
static const float bias[] = {1, 2, 3};

int main(int argc, char **argv)
{
	MB *b = mb_new(13);

	if (argc != 3) {
		fprintf(stderr, "usage: mkmodel add|unsupported|int4 OUT.onnx\n");
		return 2;
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
