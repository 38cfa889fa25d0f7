/* frontend.h: reading ONNX models and tensors into the IR. */
#ifndef ONNXCC_FRONTEND_H
#define ONNXCC_FRONTEND_H

#include "ir.h"
#include "onnx.pb-c.h"

/* A user-given shape for a graph input with symbolic dimensions (--shape). */
typedef struct InputShape {
	const char *name;
	int rank;
	int64_t dims[IR_MAX_RANK];
} InputShape;

/* Read an .onnx file into a new graph; NULL on error (see ir_last_error). */
Graph *onnx_load(const char *path, const InputShape *shapes, int nshapes);

/* TensorProto -> constant value (shape, type and data); `what` names the
 * tensor's role in messages ("initializer", "attribute"). */
int tensor_from_proto(const Onnx__TensorProto *t, Value *v, const char *what);
/* Read a serialized TensorProto file; NULL on error. */
Onnx__TensorProto *tensor_read_file(const char *path);
/* Write raw little-endian data as a TensorProto file. */
int tensor_write_file(const char *path, const char *name, int dtype, int rank,
		      const int64_t *dims, const void *data, size_t nbytes);

#endif
