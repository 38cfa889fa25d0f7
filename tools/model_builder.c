/* model_builder.c: ONNX models built in memory (see model_builder.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_builder.h"

/* Append p to a protobuf-c repeated field (a count and an array of pointers). */
#define PUSH(count, array, p)                                                  \
	do {                                                                   \
		(array) = realloc((array), ((count) + 1) * sizeof *(array));   \
		(array)[(count)++] = (p);                                      \
	} while (0)

/* The builder's own failures (out of memory, a temporary file) end the program. */
static void need(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		abort();
	}
}

static void *zalloc(size_t n)
{
	void *p = calloc(1, n);

	need(p != NULL, "calloc");
	return p;
}

MB *mb_new(int64_t opset)
{
	MB *b = zalloc(sizeof *b);
	Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
	Onnx__GraphProto g = ONNX__GRAPH_PROTO__INIT;

	b->m = m;
	b->g = g;
	b->m.has_ir_version = 1;
	b->m.ir_version = 8;
	b->m.graph = &b->g;
	b->g.name = "test";
	mb_opset(b, "", opset);
	return b;
}

void mb_opset(MB *b, const char *domain, int64_t version)
{
	Onnx__OperatorSetIdProto *o = zalloc(sizeof *o), init = ONNX__OPERATOR_SET_ID_PROTO__INIT;

	*o = init;
	o->domain = (char *)domain;
	o->has_version = 1;
	o->version = version;
	PUSH(b->m.n_opset_import, b->m.opset_import, o);
}

static Onnx__ValueInfoProto *value_info(const char *name, int dtype, int rank, const int64_t *dims)
{
	Onnx__ValueInfoProto *vi = zalloc(sizeof *vi), vinit = ONNX__VALUE_INFO_PROTO__INIT;
	Onnx__TypeProto *tp = zalloc(sizeof *tp), tinit = ONNX__TYPE_PROTO__INIT;
	Onnx__TypeProto__Tensor *tt = zalloc(sizeof *tt), ttinit = ONNX__TYPE_PROTO__TENSOR__INIT;
	Onnx__TensorShapeProto *sh, shinit = ONNX__TENSOR_SHAPE_PROTO__INIT;
	int i;

	*vi = vinit;
	*tp = tinit;
	*tt = ttinit;
	vi->name = (char *)name;
	vi->type = tp;
	tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	tp->tensor_type = tt;
	tt->has_elem_type = 1;
	tt->elem_type = dtype;
	if (rank < 0)
		return vi;
	sh = zalloc(sizeof *sh);
	*sh = shinit;
	tt->shape = sh;
	for (i = 0; i < rank; i++) {
		Onnx__TensorShapeProto__Dimension *d = zalloc(sizeof *d),
			dinit = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT;
		*d = dinit;
		d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
		d->dim_value = dims[i];
		PUSH(sh->n_dim, sh->dim, d);
	}
	return vi;
}

void mb_input(MB *b, const char *name, int dtype, int rank, const int64_t *dims)
{
	PUSH(b->g.n_input, b->g.input, value_info(name, dtype, rank, dims));
}

void mb_output(MB *b, const char *name, int dtype, int rank, const int64_t *dims)
{
	PUSH(b->g.n_output, b->g.output, value_info(name, dtype, rank, dims));
}

/* A TensorProto with raw little-endian data. */
static Onnx__TensorProto *tensor(const char *name, int dtype, int rank, const int64_t *dims,
				 const void *data, size_t elem)
{
	Onnx__TensorProto *t = zalloc(sizeof *t), init = ONNX__TENSOR_PROTO__INIT;
	size_t n = 1;
	int i;

	*t = init;
	t->name = (char *)name;
	t->has_data_type = 1;
	t->data_type = dtype;
	t->n_dims = (size_t)rank;
	t->dims = zalloc((size_t)(rank + 1) * sizeof(int64_t));
	for (i = 0; i < rank; i++) {
		t->dims[i] = dims[i];
		n *= (size_t)dims[i];
	}
	t->has_raw_data = 1;
	t->raw_data.len = n * elem;
	t->raw_data.data = zalloc(n * elem + 1);
	memcpy(t->raw_data.data, data, n * elem);
	return t;
}

void mb_init_i64(MB *b, const char *name, int rank, const int64_t *dims, const int64_t *v)
{
	PUSH(b->g.n_initializer, b->g.initializer, tensor(name, DT_INT64, rank, dims, v, 8));
}

void mb_init_f32(MB *b, const char *name, int rank, const int64_t *dims, const float *v)
{
	PUSH(b->g.n_initializer, b->g.initializer, tensor(name, DT_FLOAT, rank, dims, v, 4));
}

/* A string initializer (string_data) of the given shape. */
void mb_init_str(MB *b, const char *name, int rank, const int64_t *dims, const char *const *v)
{
	Onnx__TensorProto *t = tensor(name, DT_STRING, rank, dims, "", 0);
	size_t n = 1, i;
	int d;

	for (d = 0; d < rank; d++)
		n *= (size_t)dims[d];
	t->has_raw_data = 0;
	t->n_string_data = n;
	t->string_data = zalloc((n + 1) * sizeof(ProtobufCBinaryData));
	for (i = 0; i < n; i++) {
		t->string_data[i].data = (uint8_t *)v[i];
		t->string_data[i].len = strlen(v[i]);
	}
	PUSH(b->g.n_initializer, b->g.initializer, t);
}

void mb_init_i32(MB *b, const char *name, int rank, const int64_t *dims, const int32_t *v)
{
	PUSH(b->g.n_initializer, b->g.initializer, tensor(name, DT_INT32, rank, dims, v, 4));
}

/* Split "a,,b" into {"a", "", "b"}; "" gives no names. */
static void split_names(const char *list, size_t *n, char ***out)
{
	char *s = strdup(list), *p = s, *comma;

	*n = 0;
	*out = NULL;
	if (!*s)
		return;
	for (;;) {
		comma = strchr(p, ',');
		if (comma)
			*comma = 0;
		PUSH(*n, *out, p);
		if (!comma)
			break;
		p = comma + 1;
	}
}

Onnx__NodeProto *mb_node(MB *b, const char *op, const char *name, const char *ins, const char *outs)
{
	Onnx__NodeProto *n = zalloc(sizeof *n), init = ONNX__NODE_PROTO__INIT;

	*n = init;
	n->op_type = (char *)op;
	n->name = (char *)name;
	split_names(ins, &n->n_input, &n->input);
	split_names(outs, &n->n_output, &n->output);
	PUSH(b->g.n_node, b->g.node, n);
	return n;
}

static Onnx__AttributeProto *attr(Onnx__NodeProto *n, const char *name, int type)
{
	Onnx__AttributeProto *a = zalloc(sizeof *a), init = ONNX__ATTRIBUTE_PROTO__INIT;

	*a = init;
	a->name = (char *)name;
	a->has_type = 1;
	a->type = (Onnx__AttributeProto__AttributeType)type;
	PUSH(n->n_attribute, n->attribute, a);
	return a;
}

void mb_attr_i(Onnx__NodeProto *n, const char *name, int64_t v)
{
	Onnx__AttributeProto *a = attr(n, name, AT_INT);

	a->has_i = 1;
	a->i = v;
}

void mb_attr_ints(Onnx__NodeProto *n, const char *name, int count, const int64_t *v)
{
	Onnx__AttributeProto *a = attr(n, name, AT_INTS);

	a->n_ints = (size_t)count;
	a->ints = zalloc((size_t)(count + 1) * sizeof(int64_t));
	memcpy(a->ints, v, (size_t)count * sizeof(int64_t));
}

void mb_attr_strv(Onnx__NodeProto *n, const char *name, int count, const char *const *v)
{
	Onnx__AttributeProto *a = attr(n, name, AT_STRINGS);
	int i;

	a->n_strings = (size_t)count;
	a->strings = zalloc((size_t)(count + 1) * sizeof(ProtobufCBinaryData));
	for (i = 0; i < count; i++) {
		a->strings[i].data = (uint8_t *)v[i];
		a->strings[i].len = strlen(v[i]);
	}
}

void mb_attr_f(Onnx__NodeProto *n, const char *name, float v)
{
	Onnx__AttributeProto *a = attr(n, name, AT_FLOAT);

	a->has_f = 1;
	a->f = v;
}

void mb_attr_floats(Onnx__NodeProto *n, const char *name, int count, const float *v)
{
	Onnx__AttributeProto *a = attr(n, name, AT_FLOATS);

	a->n_floats = (size_t)count;
	a->floats = zalloc((size_t)(count + 1) * sizeof(float));
	memcpy(a->floats, v, (size_t)count * sizeof(float));
}

void mb_attr_s(Onnx__NodeProto *n, const char *name, const char *v)
{
	Onnx__AttributeProto *a = attr(n, name, AT_STRING);

	a->has_s = 1;
	a->s.data = (uint8_t *)v;
	a->s.len = strlen(v);
}

void mb_attr_strings(Onnx__NodeProto *n, const char *name, const char *list)
{
	Onnx__AttributeProto *a = attr(n, name, AT_STRINGS);
	char **names;
	size_t i;

	split_names(list, &a->n_strings, &names);
	a->strings = zalloc((a->n_strings + 1) * sizeof(ProtobufCBinaryData));
	for (i = 0; i < a->n_strings; i++) {
		a->strings[i].data = (uint8_t *)names[i];
		a->strings[i].len = strlen(names[i]);
	}
}

void mb_attr_tensor_f32(Onnx__NodeProto *n, const char *name, int rank, const int64_t *dims,
			const float *v)
{
	attr(n, name, AT_TENSOR)->t = tensor(name, DT_FLOAT, rank, dims, v, 4);
}

uint8_t *mb_bytes(MB *b, size_t *len)
{
	uint8_t *buf;

	*len = onnx__model_proto__get_packed_size(&b->m);
	buf = zalloc(*len + 1);
	need(onnx__model_proto__pack(&b->m, buf) == *len, "pack");
	return buf;
}

/* Write len bytes to path, or abort. */
static void write_file(const char *path, const uint8_t *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");

	need(f != NULL, path);
	need(len == 0 || fwrite(bytes, 1, len, f) == len, path);
	need(fclose(f) == 0, path);
}

const char *mb_write_tmp(MB *b, const uint8_t *bytes, size_t len)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd;

	snprintf(b->path, sizeof b->path, "%s/onnxcc-model.XXXXXX", dir);
	fd = mkstemp(b->path);
	need(fd >= 0 && close(fd) == 0, b->path);
	write_file(b->path, bytes, len);
	return b->path;
}

void mb_save(MB *b, const char *path)
{
	size_t len;
	uint8_t *bytes = mb_bytes(b, &len);

	write_file(path, bytes, len);
	free(bytes);
}

void mb_attr_graph(Onnx__NodeProto *n, const char *name, MB *body)
{
	Onnx__AttributeProto *a = attr(n, name, AT_GRAPH);

	a->g = &body->g;
}

void mb_save_tensor_f32(const char *path, const char *name, int rank, const int64_t *dims,
			const float *v)
{
	mb_save_tensor(path, name, DT_FLOAT, rank, dims, v, 4);
}

void mb_save_tensor(const char *path, const char *name, int dtype, int rank, const int64_t *dims,
		    const void *v, size_t elem)
{
	Onnx__TensorProto *t = tensor(name, dtype, rank, dims, v, elem);
	size_t len = onnx__tensor_proto__get_packed_size(t);
	uint8_t *bytes = zalloc(len + 1);

	need(onnx__tensor_proto__pack(t, bytes) == len, "pack");
	write_file(path, bytes, len);
	free(bytes);
}

Onnx__TensorProto *mb_init_raw(MB *b, const char *name, int dtype, int rank, const int64_t *dims,
			       const void *data, size_t len)
{
	Onnx__TensorProto *t = tensor(name, dtype, 0, NULL, "", 0);
	int i;

	t->n_dims = (size_t)rank;
	t->dims = zalloc((size_t)(rank + 1) * sizeof(int64_t));
	for (i = 0; i < rank; i++)
		t->dims[i] = dims[i];
	t->raw_data.len = len;
	t->raw_data.data = zalloc(len + 1);
	if (len)
		memcpy(t->raw_data.data, data, len);
	PUSH(b->g.n_initializer, b->g.initializer, t);
	return t;
}

void mb_external_entry(Onnx__TensorProto *t, const char *key, const char *value)
{
	Onnx__StringStringEntryProto *e = zalloc(sizeof *e),
		init = ONNX__STRING_STRING_ENTRY_PROTO__INIT;

	*e = init;
	e->key = (char *)key;
	e->value = (char *)value;
	PUSH(t->n_external_data, t->external_data, e);
}

Onnx__TensorProto *mb_init_external(MB *b, const char *name, int dtype, int rank,
				    const int64_t *dims, const char *location,
				    const char *offset, const char *length)
{
	Onnx__TensorProto *t = mb_init_raw(b, name, dtype, rank, dims, NULL, 0);

	t->has_raw_data = 0;
	t->has_data_location = 1;
	t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
	if (location)
		mb_external_entry(t, "location", location);
	if (offset)
		mb_external_entry(t, "offset", offset);
	if (length)
		mb_external_entry(t, "length", length);
	return t;
}

Onnx__AttributeProto *mb_attr_raw(Onnx__NodeProto *n, const char *name, int type)
{
	return attr(n, name, type);
}

void mb_pb_raw(MBBuf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		b->cap = 2 * (b->len + len + 1);
		b->p = realloc(b->p, b->cap);
		need(b->p != NULL, "realloc");
	}
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

void mb_pb_varint(MBBuf *b, uint64_t v)
{
	uint8_t byte;

	do {
		byte = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			byte |= 0x80;
		mb_pb_raw(b, &byte, 1);
	} while (v);
}

void mb_pb_field_varint(MBBuf *b, int field, uint64_t v)
{
	mb_pb_varint(b, (uint64_t)field << 3 | 0);
	mb_pb_varint(b, v);
}

void mb_pb_field_bytes(MBBuf *b, int field, const void *data, size_t len)
{
	mb_pb_varint(b, (uint64_t)field << 3 | 2);
	mb_pb_varint(b, len);
	mb_pb_raw(b, data, len);
}

void mb_write_file(const char *path, const uint8_t *bytes, size_t len)
{
	write_file(path, bytes, len);
}

/* Fields newer than Debian's onnx.proto go in as unknown fields, which
 * protobuf-c packs as they are. */
static void unknown_bytes(ProtobufCMessage *m, uint32_t tag, const void *data, size_t len)
{
	ProtobufCMessageUnknownField *f;
	MBBuf buf = {0};

	m->unknown_fields = realloc(m->unknown_fields,
				    (m->n_unknown_fields + 1) * sizeof *m->unknown_fields);
	need(m->unknown_fields != NULL, "realloc");
	f = &m->unknown_fields[m->n_unknown_fields++];
	mb_pb_varint(&buf, len);	/* protobuf-c keeps the length prefix in the data */
	mb_pb_raw(&buf, data, len);
	f->tag = tag;
	f->wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
	f->len = buf.len;
	f->data = buf.p;
}

Onnx__FunctionProto *mb_function(MB *b, const char *domain, const char *name, const char *ins,
				 const char *outs, const char *attrs, MB *body)
{
	Onnx__FunctionProto *f = zalloc(sizeof *f), init = ONNX__FUNCTION_PROTO__INIT;

	*f = init;
	f->domain = (char *)domain;
	f->name = (char *)name;
	split_names(ins, &f->n_input, &f->input);
	split_names(outs, &f->n_output, &f->output);
	if (*attrs)
		split_names(attrs, &f->n_attribute, &f->attribute);
	f->n_node = body->g.n_node;
	f->node = body->g.node;
	f->n_opset_import = body->m.n_opset_import;
	f->opset_import = body->m.opset_import;
	PUSH(b->m.n_functions, b->m.functions, f);
	return f;
}

void mb_function_default_f(Onnx__FunctionProto *f, const char *name, float v)
{
	Onnx__NodeProto holder = ONNX__NODE_PROTO__INIT;
	Onnx__AttributeProto *a;
	uint8_t *bytes;
	size_t len;

	mb_attr_f(&holder, name, v);
	a = holder.attribute[0];
	len = onnx__attribute_proto__get_packed_size(a);
	bytes = zalloc(len + 1);
	need(onnx__attribute_proto__pack(a, bytes) == len, "pack");
	unknown_bytes(&f->base, 11, bytes, len);
	free(bytes);
}

void mb_attr_ref(Onnx__NodeProto *n, const char *name, int type, const char *ref)
{
	attr(n, name, type)->ref_attr_name = (char *)ref;
}

void mb_function_overload(Onnx__FunctionProto *f, const char *overload)
{
	unknown_bytes(&f->base, 13, overload, strlen(overload));
}

void mb_node_overload(Onnx__NodeProto *n, const char *overload)
{
	unknown_bytes(&n->base, 8, overload, strlen(overload));
}
