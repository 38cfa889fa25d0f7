/* frontend.h: reading ONNX models and tensors into the IR. */
#ifndef ONNXCC_FRONTEND_H
#define ONNXCC_FRONTEND_H

#include "ir.h"
#include "onnx.pb-c.h"
#include "onnx_data.pb-c.h"

/* A user-given shape for a graph input with symbolic dimensions (--shape).
 * A sequence input needs its length and element shapes, an optional input
 * whether it is present: the generated code is specialized to them. */
enum { SHAPE_TENSOR, SHAPE_SEQ, SHAPE_NONE };

typedef struct ElemShape {
	int rank;
	int64_t dims[IR_MAX_RANK];
} ElemShape;

typedef struct InputShape {
	const char *name;
	int kind;             /* SHAPE_* */
	int rank;             /* SHAPE_TENSOR */
	int64_t dims[IR_MAX_RANK];
	int nelems;           /* SHAPE_SEQ: the elements' shapes */
	ElemShape *elems;
} InputShape;

/* Read an .onnx file into a new graph; NULL on error (see ir_last_error). */
Graph *onnx_load(const char *path, const InputShape *shapes, int nshapes);

/* TensorProto -> constant value (shape, type and data; the sub-byte types
 * unpacked to one element per byte); `what` names the tensor's role in
 * messages ("initializer", "attribute"). */
int tensor_from_proto(const Onnx__TensorProto *t, Value *v, const char *what);
/* The same for a model's tensor: external data (data_location EXTERNAL) is
 * read from the file its location names, relative to dir, the model's folder,
 * under the rules of ExternalDataSecurity.md (no absolute path, no '..', no
 * symbolic link, nothing outside the folder, offset and length inside the
 * file).  tensor_from_proto refuses external data. */
int tensor_from_proto_at(const Onnx__TensorProto *t, Value *v, const char *what, const char *dir);
/* Read a serialized TensorProto file; NULL on error. */
Onnx__TensorProto *tensor_read_file(const char *path);
/* Read a serialized SequenceProto / OptionalProto file (test data); NULL on error. */
Onnx__SequenceProto *sequence_read_file(const char *path);
Onnx__OptionalProto *optional_read_file(const char *path);
/* Write raw little-endian data as a TensorProto file (the sub-byte types
 * given one element per byte, written packed). */
int tensor_write_file(const char *path, const char *name, int dtype, int rank,
		      const int64_t *dims, const void *data, size_t nbytes);

#endif
