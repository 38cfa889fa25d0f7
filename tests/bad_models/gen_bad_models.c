/* gen_bad_models.c: writes the corpus of bad models and the message onnxcc
 * must give for each (issue 7).
 *
 *   gen_bad_models DIR
 *
 * writes DIR/NAME.onnx for every case below, the files the external-data
 * cases point at (DIR/weights.bin, symbolic links, ...), and DIR/expected.tsv:
 * one line "NAME<TAB>MESSAGE" per case, MESSAGE being the whole line onnxcc
 * must print on stderr after "onnxcc: " when run in DIR on NAME.onnx.
 *
 * It also writes DIR/good_external/: a model whose weight lives in an
 * external file (offset 16 of weights.bin), with a test data set, which must
 * compile and compute y = x + w. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_builder.h"

static const char *dir;
static FILE *expected;

static const int64_t d23[] = {2, 3};
static const float w23[] = {0.5f, -1, 2, 4, 8, -16};

/* The file DIR/name.onnx and its expected message. */
static void save(MB *b, const char *name, const char *msg)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s.onnx", dir, name);
	mb_save(b, path);
	fprintf(expected, "%s\t%s\n", name, msg);
}

static void save_bytes(const uint8_t *bytes, size_t len, const char *name, const char *msg)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s.onnx", dir, name);
	mb_write_file(path, bytes, len);
	fprintf(expected, "%s\t%s\n", name, msg);
}

/* x: float[2,3] in, y: float[2,3] out; the case adds what makes y. */
static MB *base(int64_t opset)
{
	MB *b = mb_new(opset);

	mb_input(b, "x", DT_FLOAT, 2, d23);
	mb_output(b, "y", DT_FLOAT, 2, d23);
	return b;
}

/* The same model as a file's bytes: y = x + w. */
static uint8_t *add_bytes(size_t *len)
{
	MB *b = base(13);

	mb_init_f32(b, "w", 2, d23, w23);
	mb_node(b, "Add", "add", "x,w", "y");
	return mb_bytes(b, len);
}

/* Deterministic pseudo-random bytes. */
static void fill_random(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (uint8_t)(seed >> 24);
	}
}

/* A ModelProto (ir_version 8) whose graph field holds `levels` repetitions of
 * the nested fields `cycle` (outermost first), each a length-delimited
 * message around the next, around nothing: built inside out. */
static void save_nested(const char *name, const int *cycle, int ncycle, int levels,
			const char *msg)
{
	int total = levels * ncycle, k;
	uint64_t *len = malloc((size_t)total * sizeof *len), inner = 0;
	MBBuf b = {0}, tmp = {0};

	for (k = total - 1; k >= 0; k--) {	/* the length each field wraps */
		len[k] = inner;
		tmp.len = 0;
		mb_pb_varint(&tmp, (uint64_t)cycle[k % ncycle] << 3 | 2);
		mb_pb_varint(&tmp, inner);
		inner += tmp.len;
	}
	mb_pb_field_varint(&b, 1, 8);
	mb_pb_varint(&b, 7 << 3 | 2);
	mb_pb_varint(&b, inner);
	for (k = 0; k < total; k++) {
		mb_pb_varint(&b, (uint64_t)cycle[k % ncycle] << 3 | 2);
		mb_pb_varint(&b, len[k]);
	}
	save_bytes(b.p, b.len, name, msg);
	free(len);
	free(b.p);
	free(tmp.p);
}

static void file_cases(void)
{
	uint8_t rnd[4096], *add;
	size_t len;
	MBBuf h = {0}, opset = {0}, h2 = {0};

	save_bytes(NULL, 0, "empty", "empty.onnx: the model file is empty");
	add = add_bytes(&len);
	save_bytes(add, len / 2, "truncated",
		   "truncated.onnx: not a valid ONNX model (protobuf parse failed)");
	save_bytes(add, len - 1, "truncated_last_byte",
		   "truncated_last_byte.onnx: not a valid ONNX model (protobuf parse failed)");
	fill_random(rnd, sizeof rnd, 7);
	save_bytes(rnd, sizeof rnd, "random_bytes",
		   "random_bytes.onnx: not a valid ONNX model (protobuf parse failed)");
	/* a valid header (ir_version, opset_import) and then garbage */
	mb_pb_field_varint(&h, 1, 8);
	mb_pb_field_varint(&opset, 2, 13);
	mb_pb_field_bytes(&h, 8, opset.p, opset.len);
	h2 = h;
	h2.p = malloc(h.len + 1);
	h2.cap = h.len + 1;
	memcpy(h2.p, h.p, h.len);
	save_bytes(h.p, h.len, "header_only", "header_only.onnx: the model has no graph");
	mb_pb_raw(&h, rnd, 300);
	save_bytes(h.p, h.len, "header_then_garbage",
		   "header_then_garbage.onnx: not a valid ONNX model (protobuf parse failed)");
	/* the graph field says 1000 bytes, 20 follow */
	mb_pb_varint(&h2, 7 << 3 | 2);
	mb_pb_varint(&h2, 1000);
	mb_pb_raw(&h2, rnd, 20);
	save_bytes(h2.p, h2.len, "graph_length_past_end",
		   "graph_length_past_end.onnx: not a valid ONNX model (protobuf parse failed)");
	/* graph > node > attribute > graph ... 100,000 deep: would overflow the
	 * parser's stack */
	save_nested("subgraphs_nested_100000", (const int[]){1, 5, 6}, 3, 100000,
		    "subgraphs_nested_100000.onnx: messages nest more than 200 deep (subgraphs "
		    "or types within each other)");
	/* graph > input > type > sequence > type > sequence ... */
	{
		MBBuf t = {0};
		int k;
		uint64_t *len, inner = 0;
		const int levels = 100000;
		len = malloc(2 * (size_t)levels * sizeof *len);
		for (k = 2 * levels - 1; k >= 0; k--) {
			MBBuf tmp = {0};
			len[k] = inner;
			mb_pb_varint(&tmp, (uint64_t)(k % 2 ? 1 : 4) << 3 | 2);
			mb_pb_varint(&tmp, inner);
			inner += tmp.len;
			free(tmp.p);
		}
		/* ValueInfoProto {type: ...} inside GraphProto.input inside ModelProto.graph */
		{
			MBBuf head = {0};
			uint64_t vi = inner + 1 + (inner < 128 ? 1 : inner < 16384 ? 2 : inner < 2097152 ? 3 : 4);
			uint64_t gi = vi + 1 + (vi < 128 ? 1 : vi < 16384 ? 2 : vi < 2097152 ? 3 : 4);
			mb_pb_field_varint(&t, 1, 8);
			mb_pb_varint(&t, 7 << 3 | 2);
			mb_pb_varint(&t, gi);
			mb_pb_varint(&t, 11 << 3 | 2);
			mb_pb_varint(&t, vi);
			mb_pb_varint(&t, 2 << 3 | 2);
			mb_pb_varint(&t, inner);
			for (k = 0; k < 2 * levels; k++) {
				mb_pb_varint(&t, (uint64_t)(k % 2 ? 1 : 4) << 3 | 2);
				mb_pb_varint(&t, len[k]);
			}
			free(head.p);
		}
		save_bytes(t.p, t.len, "sequence_types_nested_100000",
			   "sequence_types_nested_100000.onnx: messages nest more than 200 deep "
			   "(subgraphs or types within each other)");
		free(len);
		free(t.p);
	}
}

static void version_cases(void)
{
	MB *b;

	b = base(13);
	b->m.ir_version = 99;
	mb_node(b, "Relu", "relu", "x", "y");
	save(b, "ir_version_99", "ir_version_99.onnx: IR version 99 is not supported (3 to 13 are)");
	b = base(99);
	mb_node(b, "Relu", "relu", "x", "y");
	save(b, "opset_99", "opset_99.onnx: default-domain opset 99 is not supported (1 to 28 are)");
	b = base(0);
	mb_node(b, "Relu", "relu", "x", "y");
	save(b, "opset_0", "opset_0.onnx: default-domain opset 0 is not supported (1 to 28 are)");
	b = base(-5);
	mb_node(b, "Relu", "relu", "x", "y");
	save(b, "opset_negative",
	     "opset_negative.onnx: default-domain opset -5 is not supported (1 to 28 are)");
	b = base(5);
	mb_node(b, "Gelu", "gelu", "x", "y");
	save(b, "op_newer_than_opset",
	     "node 'gelu' (Gelu): opset version 5 of Gelu is not supported (opsets 20 to 28 are)");
	b = base(13);
	mb_node(b, "Frobnicate", "frob", "x", "y");
	save(b, "unknown_op", "node 'frob' (Frobnicate): operator 'Frobnicate' is not supported");
	b = base(13);
	mb_opset(b, "com.example", 1);
	mb_node(b, "Relu", "relu", "x", "y")->domain = "com.example";
	save(b, "unknown_domain",
	     "node 'relu' (Relu): operator 'com.example.Relu' is not supported");
	b = base(13);
	mb_node(b, "Relu", "relu", "x", "y")->domain = "com.other";
	save(b, "domain_not_imported",
	     "node 'relu' (Relu): the model imports no opset for domain 'com.other'");
	b = base(13);
	mb_node(b, "", "nameless", "x", "y");
	save(b, "no_op_type", "node 0 ('nameless') has no op_type");
}

static void graph_cases(void)
{
	MB *b;

	b = base(13);
	mb_node(b, "Relu", "a", "x,t2", "t1");
	mb_node(b, "Add", "b", "t1,x", "t2");
	mb_node(b, "Identity", "c", "t2", "y");
	b->g.node[0]->op_type = "Add";
	save(b, "cycle", "node 'a' (Add): is part of a cycle: a -> b -> a");
	b = base(13);
	mb_node(b, "Relu", "self", "y", "y");
	save(b, "self_cycle", "node 'self' (Relu): is part of a cycle: self -> self");
	b = base(13);
	mb_node(b, "Add", "add", "x,ghost", "y");
	save(b, "undefined_input",
	     "node 'add' (Add): input 'ghost' is not produced by any node, initializer or graph input");
	b = base(13);
	mb_node(b, "Relu", "first", "x", "y");
	mb_node(b, "Neg", "second", "x", "y");
	save(b, "duplicate_output",
	     "node 'second' (Neg): output 'y' is already produced by node 'first'");
	b = base(13);
	mb_node(b, "Relu", "relu", "x", "x");
	mb_node(b, "Neg", "neg", "x", "y");
	save(b, "output_is_input", "node 'relu' (Relu): output 'x' is already a graph input");
	b = base(13);
	mb_init_f32(b, "w", 2, d23, w23);
	mb_node(b, "Relu", "relu", "x", "w");
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "output_is_initializer", "node 'relu' (Relu): output 'w' is already an initializer");
	b = base(13);
	mb_node(b, "Relu", "relu", "x", "y");
	mb_output(b, "y", DT_FLOAT, 2, d23);
	save(b, "graph_output_twice", "graph output 'y' is listed twice");
	b = base(13);
	mb_node(b, "Relu", "relu", "x", "t");
	save(b, "graph_output_undefined",
	     "graph output 'y' is not produced by any node, initializer or graph input");
	b = mb_new(13);
	mb_input(b, "x", DT_FLOAT, 2, d23);
	mb_node(b, "Relu", "relu", "x", "y");
	save(b, "no_outputs", "the graph has no outputs");
	b = base(13);
	mb_init_f32(b, "w", 2, d23, w23);
	mb_init_f32(b, "w", 2, d23, w23);
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "initializer_twice", "initializer 'w' is defined twice");
	b = base(13);
	mb_input(b, "x", DT_FLOAT, 2, d23);
	mb_node(b, "Relu", "relu", "x", "y");
	save(b, "input_twice", "graph input 'x' is listed twice");
	b = base(13);
	b->g.input[0]->type = NULL;
	mb_node(b, "Relu", "relu", "x", "y");
	save(b, "input_without_type", "graph input 'x' has no type");
	b = base(13);
	mb_node(b, "Relu", "relu", "x,x", "y");
	save(b, "too_many_inputs", "node 'relu' (Relu): has 2 inputs, expected 1 to 1");
	b = base(13);
	mb_node(b, "Add", "add", "x", "y");
	save(b, "too_few_inputs", "node 'add' (Add): has 1 inputs, expected 2 to 2");
}

static void shape_cases(void)
{
	static const int64_t neg[] = {-2, 3}, huge[] = {(int64_t)1 << 62, (int64_t)1 << 62, 4};
	static const int64_t big_in[] = {(int64_t)1 << 30, (int64_t)1 << 30, 4};
	static const int64_t r9[] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, negin[] = {2, -3};
	static const int64_t rep[] = {(int64_t)1 << 62, (int64_t)3 << 61};
	static const int64_t cos_shape[] = {(int64_t)1 << 32, (int64_t)1 << 32, 3};
	static const int64_t pads[] = {0, 0, INT64_MAX, INT64_MAX};
	static const int64_t half_tb[] = {(int64_t)1 << 20, (int64_t)1 << 17};
	float zeros[6] = {0};
	MB *b;
	Onnx__TensorProto *t;
	Onnx__NodeProto *n;

	b = base(13);
	mb_init_raw(b, "w", DT_FLOAT, 2, neg, NULL, 0);
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "negative_dim_initializer",
	     "initializer tensor 'w': dimension 0 is -2, expected >= 0");
	b = base(13);
	mb_init_raw(b, "w", DT_FLOAT, 3, huge, NULL, 0);
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "overflowing_initializer",
	     "initializer tensor 'w': shape [4611686018427387904,4611686018427387904,4] of float "
	     "is too large (more than 2^40 bytes, the limit for one tensor)");
	b = mb_new(13);
	mb_input(b, "x", DT_FLOAT, 3, big_in);
	mb_output(b, "y", DT_FLOAT, 3, big_in);
	mb_node(b, "Relu", "relu", "x", "y");
	save(b, "huge_input",
	     "tensor 'x': shape [1073741824,1073741824,4] of float is too large "
	     "(more than 2^40 bytes, the limit for one tensor)");
	b = mb_new(13);
	mb_input(b, "x", DT_FLOAT, 2, negin);
	mb_output(b, "y", DT_FLOAT, 2, d23);
	mb_node(b, "Relu", "relu", "x", "y");
	save(b, "negative_dim_input", "graph input 'x': dimension 1 is -3; give the shape with --shape x=D0,D1,...");
	b = mb_new(13);
	mb_input(b, "x", DT_FLOAT, 9, r9);
	mb_output(b, "y", DT_FLOAT, 2, d23);
	mb_node(b, "Relu", "relu", "x", "y");
	save(b, "rank_9_input", "value 'x': rank 9 is not supported (at most 8)");
	b = base(13);
	mb_init_raw(b, "w", DT_FLOAT, 9, r9, zeros, 4);
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "rank_9_initializer", "initializer 'w': rank 9 is not supported (at most 8)");
	b = base(13);
	mb_init_raw(b, "w", DT_FLOAT, 2, d23, zeros, 8);
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "initializer_short_raw_data",
	     "initializer 'w': raw_data has 8 bytes, its shape [2,3] needs 24");
	b = base(13);
	t = mb_init_raw(b, "w", DT_FLOAT, 2, d23, NULL, 0);
	t->has_raw_data = 0;
	t->n_float_data = 5;
	t->float_data = zeros;
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "initializer_few_floats",
	     "initializer 'w': has 5 values, its shape [2,3] needs 6");
	b = base(13);
	mb_init_raw(b, "w", DT_STRING, 2, d23, NULL, 0);
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "string_initializer_raw_data", "initializer 'w': a string tensor cannot have raw_data");
	b = base(13);
	mb_init_raw(b, "w", DT_STRING, 2, d23, NULL, 0)->has_raw_data = 0;
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "string_initializer_few_strings",
	     "initializer 'w': has 0 strings, its shape [2,3] needs 6");
	b = base(13);
	mb_init_external(b, "w", DT_STRING, 2, d23, "data.bin", NULL, NULL);
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "string_initializer_external",
	     "initializer 'w': external data of a string tensor is not supported");
	b = base(13);
	mb_init_raw(b, "w", 77, 2, d23, NULL, 0);
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "bad_element_type", "initializer 'w': element type 77 is not supported");
	/* shape computations that overflow 64 bits */
	b = base(13);
	mb_init_i64(b, "reps", 1, (const int64_t[]){2}, rep);
	mb_node(b, "Tile", "tile", "x,reps", "y");
	save(b, "tile_overflow",
	     "node 'tile' (Tile): repeats must be >= 0 and give sizes that fit int64");
	b = base(13);
	mb_init_i64(b, "shape", 1, (const int64_t[]){3}, cos_shape);
	mb_node(b, "ConstantOfShape", "cos", "shape", "y");
	save(b, "constant_of_shape_huge",
	     "node 'cos' (ConstantOfShape): tensor 'y': shape [4294967296,4294967296,3] of float is "
	     "too large (more than 2^40 bytes, the limit for one tensor)");
	b = base(13);
	mb_init_i64(b, "pads", 1, (const int64_t[]){4}, pads);
	mb_node(b, "Pad", "pad", "x,pads", "y");
	save(b, "pad_overflow", "node 'pad' (Pad): pads[2] is 9223372036854775807, out of range (at most 2^40 "
	     "either way)");
	b = base(13);
	n = mb_node(b, "Resize", "resize", "x,,sc", "y");
	mb_init_raw(b, "sc", DT_FLOAT, 1, (const int64_t[]){2}, (const float[]){1e30f, 1e30f}, 8);
	(void)n;
	save(b, "resize_huge_scale", "node 'resize' (Resize): scales must be positive and finite, sizes not negative");
	/* limits: an arena over 2^40 bytes (three live 2^39-byte intermediates;
	 * t1 read twice and a Sum of three, so no elementwise chain fuses) */
	b = mb_new(13);
	mb_input(b, "x", DT_FLOAT, 2, half_tb);
	mb_output(b, "y", DT_FLOAT, 2, half_tb);
	mb_node(b, "Neg", "a", "x", "t1");
	mb_node(b, "Abs", "b", "x", "t2");
	mb_node(b, "Relu", "c", "t1", "t3");
	mb_node(b, "Sum", "d", "t1,t2,t3", "y");
	save(b, "arena_too_large",
	     "the arena would exceed the limit of 2^40 bytes (1 TiB): tensor 't3' "
	     "(float[1048576,131072], 549755813888 bytes) goes at offset 1099511627776");
}

static void attr_cases(void)
{
	MB *b;
	Onnx__NodeProto *n;
	Onnx__AttributeProto *a;

	b = base(13);
	mb_node(b, "Cast", "cast", "x", "y");
	save(b, "missing_attribute", "node 'cast' (Cast): attribute 'to' is missing");
	b = base(13);
	n = mb_node(b, "Transpose", "tr", "x", "t");
	mb_attr_f(n, "perm", 1.0f);
	mb_node(b, "Identity", "id", "t", "y");
	save(b, "mistyped_attribute",
	     "node 'tr' (Transpose): attribute 'perm' is a float, expected ints");
	b = base(13);
	n = mb_node(b, "Cast", "cast", "x", "y");
	mb_attr_s(n, "to", "float");
	save(b, "mistyped_attribute_string",
	     "node 'cast' (Cast): attribute 'to' is a string, expected an int");
	b = base(13);
	n = mb_node(b, "Relu", "relu", "x", "y");
	a = mb_attr_raw(n, "alpha", AT_FLOAT);
	a->has_type = 0;
	save(b, "attribute_without_type", "node 'relu' (Relu): attribute 'alpha' has no type");
	b = base(13);
	n = mb_node(b, "Relu", "relu", "x", "y");
	mb_attr_raw(n, "alpha", 42);
	save(b, "attribute_unknown_type",
	     "node 'relu' (Relu): attribute 'alpha' has unsupported type 42");
	b = base(13);
	n = mb_node(b, "Concat", "cat", "x", "y");
	save(b, "concat_without_axis", "node 'cat' (Concat): attribute 'axis' is required");
	b = base(13);
	n = mb_node(b, "Transpose", "tr", "x", "y");
	mb_attr_ints(n, "perm", 2, (const int64_t[]){0, 5});
	save(b, "transpose_bad_perm", "node 'tr' (Transpose): perm is not a permutation of 0..1");
	b = base(13);
	mb_node(b, "Constant", "const", "", "y");
	save(b, "constant_without_value",
	     "node 'const' (Constant): has no value attribute");
	b = base(13);
	n = mb_node(b, "Constant", "const", "", "y");
	a = mb_attr_raw(n, "value", AT_TENSOR);
	save(b, "tensor_attribute_without_tensor",
	     "node 'const' (Constant): attribute 'value' has no tensor");
}


/* A one-node model: inputs x (float, shape xd) and whatever `ins` names
 * besides (initializers the caller adds), output y declared float[2,3]. */
static MB *one(int rank, const int64_t *xd)
{
	MB *b = mb_new(18);

	mb_input(b, "x", DT_FLOAT, rank, xd);
	mb_output(b, "y", DT_FLOAT, 2, d23);
	return b;
}

/* Attributes and constants chosen so that shape arithmetic overflows 64 bits. */
static void overflow_cases(void)
{
	static const int64_t x3[] = {1, 1, 5}, w3[] = {1, 1, 3}, x4[] = {1, 4, 2, 2};
	static const int64_t big = (int64_t)1 << 62;
	MB *b;
	Onnx__NodeProto *n;

	b = one(3, x3);
	mb_init_f32(b, "w", 3, w3, w23);
	n = mb_node(b, "Conv", "conv", "x,w", "y");
	mb_attr_ints(n, "dilations", 1, &big);
	save(b, "conv_huge_dilation",
	     "node 'conv' (Conv): spatial axis 0: kernel 3, dilation 4611686018427387904, "
	     "stride 1 and pads 0, 0 give sizes that overflow 64 bits");
	b = one(3, x3);
	mb_init_f32(b, "w", 3, w3, w23);
	n = mb_node(b, "Conv", "conv", "x,w", "y");
	mb_attr_ints(n, "pads", 2, (const int64_t[]){big, big});
	save(b, "conv_huge_pads",
	     "node 'conv' (Conv): spatial axis 0: kernel 3, dilation 1, stride 1 and pads "
	     "4611686018427387904, 4611686018427387904 give sizes that overflow 64 bits");
	b = one(3, x3);
	mb_init_f32(b, "w", 3, w3, w23);
	n = mb_node(b, "ConvTranspose", "convt", "x,w", "y");
	mb_attr_ints(n, "strides", 1, &big);
	save(b, "convtranspose_huge_stride",
	     "node 'convt' (ConvTranspose): spatial axis 0: stride 4611686018427387904, "
	     "output_padding 0, kernel 3 and dilation 1 give sizes that overflow 64 bits");
	b = one(3, x3);
	mb_init_f32(b, "w", 3, w3, w23);
	n = mb_node(b, "ConvTranspose", "convt", "x,w", "y");
	mb_attr_ints(n, "output_padding", 1, (const int64_t[]){INT64_MAX});
	save(b, "convtranspose_huge_output_padding",
	     "node 'convt' (ConvTranspose): spatial axis 0: stride 1, output_padding "
	     "9223372036854775807, kernel 3 and dilation 1 give sizes that overflow 64 bits");
	b = one(3, x3);
	n = mb_node(b, "MaxPool", "pool", "x", "y");
	mb_attr_ints(n, "kernel_shape", 1, (const int64_t[]){3});
	mb_attr_ints(n, "dilations", 1, &big);
	save(b, "maxpool_huge_dilation",
	     "node 'pool' (MaxPool): spatial axis 0: kernel 3, dilation 4611686018427387904 "
	     "and pads 0, 0 give sizes that overflow 64 bits");
	b = one(3, x3);
	n = mb_node(b, "AveragePool", "pool", "x", "y");
	mb_attr_ints(n, "kernel_shape", 1, (const int64_t[]){INT64_MAX});
	mb_attr_ints(n, "pads", 2, (const int64_t[]){big, big});
	save(b, "avgpool_huge_kernel",
	     "node 'pool' (AveragePool): spatial axis 0: kernel 9223372036854775807, dilation "
	     "1 and pads 4611686018427387904, 4611686018427387904 give sizes that overflow 64 "
	     "bits");
	b = one(4, x4);
	n = mb_node(b, "DepthToSpace", "d2s", "x", "y");
	mb_attr_i(n, "blocksize", (int64_t)1 << 32);
	save(b, "depth_to_space_huge_block",
	     "node 'd2s' (DepthToSpace): blocksize 4294967296 is too large for any tensor (at "
	     "most 2^20)");
	b = one(4, x4);
	n = mb_node(b, "SpaceToDepth", "s2d", "x", "y");
	mb_attr_i(n, "blocksize", (int64_t)1 << 32);
	save(b, "space_to_depth_huge_block",
	     "node 's2d' (SpaceToDepth): blocksize 4294967296 is too large for any tensor (at "
	     "most 2^20)");
	b = one(2, d23);
	mb_init_raw(b, "start", DT_FLOAT, 0, NULL, (const float[]){0}, 4);
	mb_init_raw(b, "limit", DT_FLOAT, 0, NULL, (const float[]){1e30f}, 4);
	mb_init_raw(b, "delta", DT_FLOAT, 0, NULL, (const float[]){1}, 4);
	mb_node(b, "Range", "range", "start,limit,delta", "y");
	save(b, "range_huge",
	     "node 'range' (Range): the output would have 1e15 elements or more");
	b = one(2, d23);
	mb_init_i64(b, "start", 0, NULL, (const int64_t[]){INT64_MIN});
	mb_init_i64(b, "limit", 0, NULL, (const int64_t[]){INT64_MAX});
	mb_init_i64(b, "delta", 0, NULL, (const int64_t[]){1});
	mb_node(b, "Range", "range", "start,limit,delta", "y");
	save(b, "range_int64_span_overflows",
	     "node 'range' (Range): the output would have 2^63 elements or more");
	b = one(2, d23);
	mb_init_raw(b, "depth", DT_FLOAT, 0, NULL, (const float[]){1e30f}, 4);
	mb_init_i64(b, "vals", 1, (const int64_t[]){2}, (const int64_t[]){0, 1});
	mb_node(b, "OneHot", "onehot", "x,depth,vals", "y");
	save(b, "onehot_huge_depth",
	     "node 'onehot' (OneHot): depth is 1e+30, expected 1 to 2^63");
	b = one(2, d23);
	mb_init_i64(b, "split", 1, (const int64_t[]){2}, (const int64_t[]){big, big});
	mb_node(b, "Split", "split", "x,split", "y,z");
	save(b, "split_sum_overflows",
	     "node 'split' (Split): split sizes must be >= 0 and add up to 2, the size of "
	     "axis 0");
	b = one(2, d23);
	mb_init_i64(b, "shape", 1, (const int64_t[]){3},
		    (const int64_t[]){(int64_t)1 << 40, (int64_t)1 << 40, -1});
	mb_node(b, "Reshape", "reshape", "x,shape", "y");
	save(b, "reshape_product_overflows",
	     "node 'reshape' (Reshape): cannot reshape [2,3] into [1099511627776,1099511627776,-1]: "
	     "the product of its sizes overflows 64 bits");
	b = one(2, d23);
	mb_init_i64(b, "shape", 1, (const int64_t[]){2}, (const int64_t[]){big, big});
	mb_node(b, "Expand", "expand", "x,shape", "y");
	save(b, "expand_huge",
	     "node 'expand' (Expand): input shape [2,3] does not broadcast with the shape "
	     "input's values");
	b = one(2, d23);
	mb_init_i64(b, "idx", 1, (const int64_t[]){1}, (const int64_t[]){INT64_MIN});
	n = mb_node(b, "Gather", "gather", "x,idx", "y");
	mb_attr_i(n, "axis", INT64_MIN);
	save(b, "gather_extreme_axis",
	     "node 'gather' (Gather): axis -9223372036854775808 is out of range for rank 2");
	b = one(2, d23);
	mb_init_i64(b, "axes", 1, (const int64_t[]){1}, (const int64_t[]){INT64_MIN});
	mb_node(b, "Unsqueeze", "unsq", "x,axes", "y");
	save(b, "unsqueeze_extreme_axis",
	     "node 'unsq' (Unsqueeze): invalid axes for input shape [2,3]");
	b = one(2, d23);
	n = mb_node(b, "Flatten", "flat", "x", "y");
	mb_attr_i(n, "axis", INT64_MIN);
	save(b, "flatten_extreme_axis",
	     "node 'flat' (Flatten): axis -9223372036854775808 is out of range for rank 2");
	b = one(2, d23);
	mb_init_i64(b, "k", 1, (const int64_t[]){1}, (const int64_t[]){INT64_MAX});
	n = mb_node(b, "TopK", "topk", "x,k", "y,i");
	save(b, "topk_huge_k",
	     "node 'topk' (TopK): k = 9223372036854775807 is out of range for an axis of "
	     "length 3");
	b = one(2, d23);
	n = mb_node(b, "Transpose", "tr", "x", "y");
	mb_attr_ints(n, "perm", 2, (const int64_t[]){INT64_MIN, INT64_MAX});
	save(b, "transpose_extreme_perm",
	     "node 'tr' (Transpose): perm is not a permutation of 0..1");
	b = one(3, x3);
	mb_init_i64(b, "shape", 1, (const int64_t[]){3}, (const int64_t[]){1, 1, big});
	mb_node(b, "CenterCropPad", "ccp", "x,shape", "y");
	save(b, "centercroppad_huge",
	     "node 'ccp' (CenterCropPad): tensor 'y': shape [1,1,4611686018427387904] of float is "
	     "too large (more than 2^40 bytes, the limit for one tensor)");
	b = one(2, d23);
	mb_init_i64(b, "reps", 1, (const int64_t[]){2}, (const int64_t[]){-1, 2});
	mb_node(b, "Tile", "tile", "x,reps", "y");
	save(b, "tile_negative",
	     "node 'tile' (Tile): repeats must be >= 0 and give sizes that fit int64");
	b = one(2, d23);
	n = mb_node(b, "Resize", "resize", "x,,,sizes", "y");
	mb_init_i64(b, "sizes", 1, (const int64_t[]){2}, (const int64_t[]){big, big});
	save(b, "resize_huge_sizes",
	     "node 'resize' (Resize): tensor 'y': shape "
	     "[4611686018427387904,4611686018427387904] of float is too large (more than 2^40 "
	     "bytes, the limit for one tensor)");
}

/* If(c) with then = a branch of body_ins reading outer names */
static void subgraph_cases(void)
{
	MB *b, *then, *els, *body, *inner, *t2, *e2;
	Onnx__NodeProto *n;
	static const int64_t d3[] = {3};
	int i;

	b = base(13);
	mb_input(b, "c", DT_BOOL, 0, NULL);
	then = mb_new(13);
	els = mb_new(13);
	mb_node(then, "Add", "then_add", "x,ghost", "t");
	mb_output(then, "t", DT_FLOAT, 2, d23);
	mb_node(els, "Neg", "else_neg", "x", "e");
	mb_output(els, "e", DT_FLOAT, 2, d23);
	n = mb_node(b, "If", "if", "c", "y");
	mb_attr_graph(n, "then_branch", then);
	mb_attr_graph(n, "else_branch", els);
	save(b, "if_missing_outer_value",
	     "node 'if' (If): its subgraph 'then_branch' reads 'ghost', which no enclosing graph defines");

	b = base(13);
	mb_input(b, "n", DT_INT64, 0, NULL);
	mb_output(b, "z", DT_FLOAT, 1, d3);
	body = mb_new(13);
	mb_input(body, "i", DT_INT64, 0, NULL);
	mb_input(body, "cond", DT_BOOL, 0, NULL);
	mb_input(body, "acc", DT_FLOAT, 2, d23);
	mb_node(body, "Identity", "keep", "cond", "cond_out");
	mb_node(body, "Add", "body_add", "acc,phantom", "acc_out");
	mb_output(body, "cond_out", DT_BOOL, 0, NULL);
	mb_output(body, "acc_out", DT_FLOAT, 2, d23);
	n = mb_node(b, "Loop", "loop", "n,,x", "y");
	mb_attr_graph(n, "body", body);
	b->g.n_output = 1;
	save(b, "loop_missing_outer_value",
	     "node 'loop' (Loop): its subgraph 'body' reads 'phantom', which no enclosing graph defines");

	/* nested: the inner If's branch reads a name no level defines */
	b = base(13);
	mb_input(b, "c", DT_BOOL, 0, NULL);
	then = mb_new(13);
	els = mb_new(13);
	t2 = mb_new(13);
	e2 = mb_new(13);
	mb_node(t2, "Mul", "deep_mul", "x,nowhere", "t2");
	mb_output(t2, "t2", DT_FLOAT, 2, d23);
	mb_node(e2, "Neg", "deep_neg", "x", "e2");
	mb_output(e2, "e2", DT_FLOAT, 2, d23);
	n = mb_node(then, "If", "inner_if", "c", "t");
	mb_attr_graph(n, "then_branch", t2);
	mb_attr_graph(n, "else_branch", e2);
	mb_output(then, "t", DT_FLOAT, 2, d23);
	mb_node(els, "Neg", "else_neg", "x", "e");
	mb_output(els, "e", DT_FLOAT, 2, d23);
	n = mb_node(b, "If", "outer_if", "c", "y");
	mb_attr_graph(n, "then_branch", then);
	mb_attr_graph(n, "else_branch", els);
	save(b, "nested_if_missing_outer_value",
	     "node 'outer_if' (If): its subgraph 'then_branch' reads 'nowhere', which no enclosing "
	     "graph defines");

	b = base(13);
	mb_input(b, "c", DT_BOOL, 0, NULL);
	then = mb_new(13);
	mb_node(then, "Neg", "then_neg", "x", "t");
	mb_output(then, "t", DT_FLOAT, 2, d23);
	n = mb_node(b, "If", "if", "c", "y");
	mb_attr_graph(n, "then_branch", then);
	save(b, "if_without_else", "node 'if' (If): attribute 'else_branch' (a graph) is missing");

	/* subgraphs nested 40 deep */
	inner = mb_new(13);
	mb_node(inner, "Neg", "leaf", "x", "t");
	mb_output(inner, "t", DT_FLOAT, 2, d23);
	for (i = 0; i < 40; i++) {
		MB *up = mb_new(13), *e = mb_new(13);
		mb_node(e, "Neg", "neg", "x", "t");
		mb_output(e, "t", DT_FLOAT, 2, d23);
		n = mb_node(up, "If", "if", "c", "t");
		mb_attr_graph(n, "then_branch", inner);
		mb_attr_graph(n, "else_branch", e);
		mb_output(up, "t", DT_FLOAT, 2, d23);
		inner = up;
	}
	b = base(13);
	mb_input(b, "c", DT_BOOL, 0, NULL);
	b->g.n_node = inner->g.n_node;
	b->g.node = inner->g.node;
	b->g.node[0]->output[0] = "y";
	save(b, "subgraphs_too_deep", "node 'if' (If): its subgraphs nest more than 32 deep");
}

/* A file of n bytes: i & 0xff at byte i. */
static void data_file(const char *name, size_t n)
{
	char path[1024];
	uint8_t *p = malloc(n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)i;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	mb_write_file(path, p, n);
	free(p);
}

static void ext_case(const char *name, const char *loc, const char *off, const char *len,
		     const char *msg)
{
	MB *b = base(13);

	mb_init_external(b, "w", DT_FLOAT, 2, d23, loc, off, len);
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, name, msg);
}

static void external_cases(void)
{
	char path[1024], target[1024];
	MB *b;
	Onnx__TensorProto *t;
	Onnx__NodeProto *n;

	data_file("data.bin", 40);
	data_file("hard.bin", 24);
	snprintf(path, sizeof path, "%s/hard_link.bin", dir);
	unlink(path);
	snprintf(target, sizeof target, "%s/hard.bin", dir);
	if (link(target, path) != 0)
		perror(path), exit(1);
	snprintf(path, sizeof path, "%s/passwd_link", dir);
	unlink(path);
	if (symlink("/etc/passwd", path) != 0)
		perror(path), exit(1);
	snprintf(path, sizeof path, "%s/inside_link", dir);
	unlink(path);
	if (symlink("data.bin", path) != 0)
		perror(path), exit(1);
	snprintf(path, sizeof path, "%s/etc_link", dir);
	unlink(path);
	if (symlink("/etc", path) != 0)
		perror(path), exit(1);
	snprintf(path, sizeof path, "%s/subdir", dir);
	mkdir(path, 0777);

	ext_case("ext_absolute", "/etc/passwd", NULL, NULL,
		 "initializer 'w': external data location '/etc/passwd' is an absolute path; it "
		 "must be relative to the model's folder");
	ext_case("ext_dotdot", "../../etc/passwd", NULL, NULL,
		 "initializer 'w': external data location '../../etc/passwd' leaves the model's "
		 "folder ('..')");
	ext_case("ext_dotdot_inside", "subdir/../data.bin", "0", "24",
		 "initializer 'w': external data location 'subdir/../data.bin' leaves the model's "
		 "folder ('..')");
	ext_case("ext_symlink", "passwd_link", "0", "24",
		 "initializer 'w': external data file 'passwd_link' is a symbolic link");
	ext_case("ext_symlink_inside", "inside_link", "0", "24",
		 "initializer 'w': external data file 'inside_link' is a symbolic link");
	ext_case("ext_symlink_dir", "etc_link/passwd", "0", "24",
		 "initializer 'w': external data location 'etc_link/passwd' resolves outside the "
		 "model's folder");
	ext_case("ext_hard_link", "hard.bin", NULL, NULL,
		 "initializer 'w': external data file 'hard.bin' has 2 hard links (only a file "
		 "with one is read)");
	ext_case("ext_directory", "subdir", NULL, NULL,
		 "initializer 'w': external data file 'subdir' is not a regular file");
	ext_case("ext_missing_file", "missing.bin", NULL, NULL,
		 "initializer 'w': cannot open external data file 'missing.bin': No such file or "
		 "directory");
	ext_case("ext_no_location", NULL, "0", "24",
		 "initializer 'w': external data has no 'location' entry");
	ext_case("ext_empty_location", "", "0", "24",
		 "initializer 'w': external data location is empty");
	ext_case("ext_offset_past_end", "data.bin", "1000", "24",
		 "initializer 'w': external data offset 1000 is beyond the end of 'data.bin' (40 bytes)");
	ext_case("ext_length_past_end", "data.bin", "24", "24",
		 "initializer 'w': external data offset 24 + length 24 is beyond the end of "
		 "'data.bin' (40 bytes)");
	ext_case("ext_huge_length", "data.bin", "8", "9223372036854775807",
		 "initializer 'w': external data offset 8 + length 9223372036854775807 is beyond the "
		 "end of 'data.bin' (40 bytes)");
	ext_case("ext_length_overflows", "data.bin", "0", "99999999999999999999",
		 "initializer 'w': external data length '99999999999999999999' is not a "
		 "non-negative integer");
	ext_case("ext_negative_offset", "data.bin", "-8", "24",
		 "initializer 'w': external data offset '-8' is not a non-negative integer");
	ext_case("ext_bad_number", "data.bin", "4k", "24",
		 "initializer 'w': external data offset '4k' is not a non-negative integer");
	ext_case("ext_wrong_length", "data.bin", "0", "16",
		 "initializer 'w': external data has 16 bytes, its shape needs 24");
	ext_case("ext_rest_of_file_wrong_size", "data.bin", "8", NULL,
		 "initializer 'w': external data has 32 bytes, its shape needs 24");
	b = base(13);
	t = mb_init_external(b, "w", DT_FLOAT, 2, d23, "data.bin", "0", "24");
	mb_external_entry(t, "offset", "8");
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "ext_offset_twice", "initializer 'w': external data entry 'offset' is given twice");
	/* a Constant node's tensor attribute with external data */
	b = base(13);
	n = mb_node(b, "Constant", "const", "", "w");
	mb_attr_tensor_f32(n, "value", 2, d23, w23);
	t = n->attribute[0]->t;
	t->has_raw_data = 0;
	t->has_data_location = 1;
	t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
	mb_external_entry(t, "location", "../outside.bin");
	mb_node(b, "Add", "add", "x,w", "y");
	save(b, "ext_constant_dotdot",
	     "node 'const' (Constant): attribute tensor 'value': external data location "
	     "'../outside.bin' leaves the model's folder ('..')");
}

/* good_external/: y = x + w, w's 24 bytes at offset 16 of weights.bin. */
static void good_external(void)
{
	static const float x[6] = {1, 2, 3, 4, 5, 6};
	char path[1024];
	uint8_t bytes[64];
	float y[6];
	MB *b = base(13);
	int i;

	snprintf(path, sizeof path, "%s/good_external/test_data_set_0", dir);
	{
		char cmd[1200];
		snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
		if (system(cmd) != 0)
			exit(1);
	}
	fill_random(bytes, sizeof bytes, 3);
	memcpy(bytes + 16, w23, sizeof w23);
	snprintf(path, sizeof path, "%s/good_external/weights.bin", dir);
	mb_write_file(path, bytes, sizeof bytes);
	mb_init_external(b, "w", DT_FLOAT, 2, d23, "weights.bin", "16", "24");
	mb_node(b, "Add", "add", "x,w", "y");
	snprintf(path, sizeof path, "%s/good_external/model.onnx", dir);
	mb_save(b, path);
	for (i = 0; i < 6; i++)
		y[i] = x[i] + w23[i];
	snprintf(path, sizeof path, "%s/good_external/test_data_set_0/input_0.pb", dir);
	mb_save_tensor_f32(path, "x", 2, d23, x);
	snprintf(path, sizeof path, "%s/good_external/test_data_set_0/output_0.pb", dir);
	mb_save_tensor_f32(path, "y", 2, d23, y);
}

int main(int argc, char **argv)
{
	char path[1024];

	if (argc != 2) {
		fprintf(stderr, "usage: gen_bad_models DIR\n");
		return 2;
	}
	dir = argv[1];
	mkdir(dir, 0777);
	snprintf(path, sizeof path, "%s/expected.tsv", dir);
	expected = fopen(path, "w");
	if (!expected)
		perror(path), exit(1);
	file_cases();
	version_cases();
	graph_cases();
	shape_cases();
	attr_cases();
	overflow_cases();
	subgraph_cases();
	external_cases();
	good_external();
	return fclose(expected) != 0;
}
