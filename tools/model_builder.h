/* model_builder.h: build ONNX models in memory with the protobuf-c bindings.
 * The unit tests state their input graphs with it, the CLI test and the
 * example write their models with it.  Memory is never freed (its users are
 * short-lived processes: Check runs every test in a process of its own), and
 * failures (out of memory, a file that cannot be written) abort. */
#ifndef ONNXCC_MODEL_BUILDER_H
#define ONNXCC_MODEL_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "ir.h"          /* DT_* and AT_* */
#include "onnx.pb-c.h"

typedef struct MB {
	Onnx__ModelProto m;
	Onnx__GraphProto g;
	char path[256];   /* the last file mb_write_tmp wrote */
} MB;

/* A model with one graph, IR version 8 and the default-domain opset. */
MB *mb_new(int64_t opset);
/* Import another domain's opset. */
void mb_opset(MB *b, const char *domain, int64_t version);
/* Graph inputs and outputs; rank -1 leaves the shape out (dynamic). */
void mb_input(MB *b, const char *name, int dtype, int rank, const int64_t *dims);
void mb_output(MB *b, const char *name, int dtype, int rank, const int64_t *dims);
/* An int64 or float initializer of the given shape. */
void mb_init_i64(MB *b, const char *name, int rank, const int64_t *dims, const int64_t *v);
void mb_init_f32(MB *b, const char *name, int rank, const int64_t *dims, const float *v);
/* A string initializer (string_data), NUL-terminated texts in row-major order. */
void mb_init_str(MB *b, const char *name, int rank, const int64_t *dims, const char *const *v);
void mb_init_i32(MB *b, const char *name, int rank, const int64_t *dims, const int32_t *v);
/* A node; ins and outs are comma-separated names ("" between commas: absent). */
Onnx__NodeProto *mb_node(MB *b, const char *op, const char *name, const char *ins, const char *outs);
void mb_attr_i(Onnx__NodeProto *n, const char *name, int64_t v);
void mb_attr_ints(Onnx__NodeProto *n, const char *name, int count, const int64_t *v);
void mb_attr_f(Onnx__NodeProto *n, const char *name, float v);
void mb_attr_floats(Onnx__NodeProto *n, const char *name, int count, const float *v);
void mb_attr_s(Onnx__NodeProto *n, const char *name, const char *v);
/* A string list attribute from comma-separated names ("Sigmoid,Tanh"). */
void mb_attr_strings(Onnx__NodeProto *n, const char *name, const char *list);
/* The same from an array of count strings (which may hold commas). */
void mb_attr_strv(Onnx__NodeProto *n, const char *name, int count, const char *const *v);
/* A tensor attribute (Constant's value, ConstantOfShape's value): float data. */
void mb_attr_tensor_f32(Onnx__NodeProto *n, const char *name, int rank, const int64_t *dims,
			const float *v);

/* A graph attribute (If's branches, Loop's body): body's graph, built with
 * mb_input/mb_node/mb_output on an MB of its own. */
void mb_attr_graph(Onnx__NodeProto *n, const char *name, MB *body);

/* A model-local function domain.name(ins) -> outs (comma-separated names)
 * whose body is body's nodes, binding to body's opset imports; `attrs` lists
 * its attribute parameters without defaults ("" for none). */
Onnx__FunctionProto *mb_function(MB *b, const char *domain, const char *name, const char *ins,
				 const char *outs, const char *attrs, MB *body);
/* A default for function attribute `name` (FunctionProto.attribute_proto). */
void mb_function_default_f(Onnx__FunctionProto *f, const char *name, float v);
/* Attribute `name` of a node in a function body refers to the function's
 * attribute `ref` (ref_attr_name). */
void mb_attr_ref(Onnx__NodeProto *n, const char *name, int type, const char *ref);
/* The overload of a function or of a node calling one (IR version 10). */
void mb_function_overload(Onnx__FunctionProto *f, const char *overload);
void mb_node_overload(Onnx__NodeProto *n, const char *overload);

/* Serialize; returns malloc'ed bytes and their count. */
uint8_t *mb_bytes(MB *b, size_t *len);
/* Write bytes to a new temporary file; returns its path (kept in b->path). */
const char *mb_write_tmp(MB *b, const uint8_t *bytes, size_t len);
/* Serialize the model into a file. */
void mb_save(MB *b, const char *path);
/* Write a float tensor as a TensorProto file (a test data set's input_0.pb). */
void mb_save_tensor_f32(const char *path, const char *name, int rank, const int64_t *dims,
			const float *v);
/* Same for any element type of elem bytes (raw little-endian data). */
void mb_save_tensor(const char *path, const char *name, int dtype, int rank, const int64_t *dims,
		    const void *v, size_t elem);

/* An initializer with raw_data of any length (it need not match the shape:
 * the bad-model corpus uses this); returns it for further changes. */
Onnx__TensorProto *mb_init_raw(MB *b, const char *name, int dtype, int rank, const int64_t *dims,
			       const void *data, size_t len);
/* An initializer whose data lives in an external file (data_location
 * EXTERNAL): location, offset and length as the key/value entries say
 * (NULL leaves an entry out).  Returns it for further changes. */
Onnx__TensorProto *mb_init_external(MB *b, const char *name, int dtype, int rank,
				    const int64_t *dims, const char *location,
				    const char *offset, const char *length);
/* Add a key/value entry to a tensor's external_data. */
void mb_external_entry(Onnx__TensorProto *t, const char *key, const char *value);
/* An attribute of any type with no value set (a mistyped attribute). */
Onnx__AttributeProto *mb_attr_raw(Onnx__NodeProto *n, const char *name, int type);

/* Raw protobuf writing, for files the protobuf-c structures cannot express:
 * append a varint field or a length-delimited field to a growing buffer. */
typedef struct MBBuf {
	uint8_t *p;
	size_t len, cap;
} MBBuf;
void mb_pb_varint(MBBuf *b, uint64_t v);
void mb_pb_field_varint(MBBuf *b, int field, uint64_t v);
void mb_pb_field_bytes(MBBuf *b, int field, const void *data, size_t len);
void mb_pb_raw(MBBuf *b, const void *data, size_t len);
/* Write bytes to a file (abort on failure). */
void mb_write_file(const char *path, const uint8_t *bytes, size_t len);

#endif
