/* tensor.c: onnx.TensorProto <-> IR constant data.
 *
 * The sub-byte types (int4, uint4, float4e2m1, int2, uint2) are packed in a
 * TensorProto as the ONNX IR says: raw_data holds ceil(n * bits / 8) bytes,
 * element i at bit (i * bits) % 8 of byte i * bits / 8 (low bits first, the
 * last byte padded with zeros); int32_data holds the same bytes, one per
 * entry.  In the IR each element takes one byte: int4 and int2 sign-extended
 * into int8, uint4 and uint2 as uint8, float4e2m1 as its 4-bit code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

/* Copy n elements from a typed repeated field into dst of element type dt. */
static void from_i32(void *dst, int dt, const int32_t *src, int64_t n)
{
	int64_t i;

	for (i = 0; i < n; i++) {
		switch (dt_size(dt)) {
		case 1: ((uint8_t *)dst)[i] = (uint8_t)src[i]; break;
		case 2: ((uint16_t *)dst)[i] = (uint16_t)src[i]; break;
		default: ((int32_t *)dst)[i] = src[i]; break;
		}
	}
}

static void from_u64(void *dst, int dt, const uint64_t *src, int64_t n)
{
	int64_t i;

	for (i = 0; i < n; i++) {
		if (dt == DT_UINT32)
			((uint32_t *)dst)[i] = (uint32_t)src[i];
		else
			((uint64_t *)dst)[i] = src[i];
	}
}

/* Element i of packed bytes src, one per byte into dst (see the top). */
static void unpack_sub(void *dst, int dt, const uint8_t *src, int64_t n)
{
	int bits = dt_packed_bits(dt), per = 8 / bits, mask = (1 << bits) - 1;
	int sign = dt == DT_INT4 || dt == DT_INT2, half = 1 << (bits - 1);
	int64_t i;

	for (i = 0; i < n; i++) {
		int v = src[i / per] >> (i % per * bits) & mask;
		if (sign)
			((int8_t *)dst)[i] = (int8_t)((v ^ half) - half);
		else
			((uint8_t *)dst)[i] = (uint8_t)v;
	}
}

/* The packed size of n elements of a sub-byte type. */
static int64_t packed_bytes(int dt, int64_t n)
{
	return (n * dt_packed_bits(dt) + 7) / 8;
}

/* Which repeated field holds this type's data, and how many elements it has. */
static int64_t typed_count(const Onnx__TensorProto *t, int dt)
{
	switch (dt) {
	case DT_FLOAT: return (int64_t)t->n_float_data;
	case DT_DOUBLE: return (int64_t)t->n_double_data;
	case DT_INT64: return (int64_t)t->n_int64_data;
	case DT_UINT32: case DT_UINT64: return (int64_t)t->n_uint64_data;
	default: return (int64_t)t->n_int32_data;
	}
}

/* string_data into records of dt_string_bytes() bytes (ir.h). */
static int strings_from_proto(const Onnx__TensorProto *t, Value *v, const char *what)
{
	int64_t n = value_numel(v), i;
	size_t s = (size_t)dt_string_bytes();
	char *data;

	if (t->has_raw_data)
		return ir_error("%s '%s': a string tensor cannot have raw_data", what, v->name);
	if ((int64_t)t->n_string_data != n)
		return ir_error("%s '%s': has %zu strings, its shape %s needs %lld", what, v->name,
				t->n_string_data, shape_str(v, (char[128]){0}, 128), (long long)n);
	data = xcalloc((size_t)(n ? n : 1), s);
	for (i = 0; i < n; i++) {
		const ProtobufCBinaryData *d = &t->string_data[i];
		if (dt_put_string(data + (size_t)i * s, (const char *)d->data, d->len) != 0) {
			free(data);
			if (d->len && memchr(d->data, 0, d->len))
				return ir_error("%s '%s': string %lld holds a NUL byte, which onnxcc's "
						"string records cannot", what, v->name, (long long)i);
			return ir_error("%s '%s': string %lld has %zu bytes; string records hold at "
					"most %zu (raise --string-bytes)", what, v->name,
					(long long)i, d->len, s - 1);
		}
	}
	value_set_const(v, data, 0);
	return 0;
}

int tensor_from_proto(const Onnx__TensorProto *t, Value *v, const char *what)
{
	int64_t dims[IR_MAX_RANK], n, nbytes;
	int dt = t->has_data_type ? t->data_type : DT_UNDEFINED;
	void *data;
	size_t i;

	if (t->n_dims > IR_MAX_RANK)
		return ir_error("%s '%s': rank %zu is not supported (at most %d)",
				what, v->name, t->n_dims, IR_MAX_RANK);
	if (!dt_size(dt))
		return ir_error("%s '%s': element type %s is not supported",
				what, v->name, dt_name(dt));
	if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
		return ir_error("%s '%s': external data is not supported yet", what, v->name);
	if (t->segment)
		return ir_error("%s '%s': segmented tensors are not supported", what, v->name);
	for (i = 0; i < t->n_dims; i++)
		dims[i] = t->dims[i];
	if (value_set_shape(v, dt, (int)t->n_dims, dims) != 0)
		return ir_error("%s: %s", what, ir_last_error());
	n = value_numel(v);
	nbytes = value_nbytes(v);
	if (dt == DT_STRING)
		return strings_from_proto(t, v, what);
	data = xcalloc(1, (size_t)nbytes);
	if (dt_packed_bits(dt)) {
		int64_t want = packed_bytes(dt, n), have;
		uint8_t *bytes;
		have = t->has_raw_data ? (int64_t)t->raw_data.len : (int64_t)t->n_int32_data;
		if (have != want) {
			free(data);
			return ir_error("%s '%s': has %lld %s, its shape %s needs %lld packed %s bytes",
					what, v->name, (long long)have,
					t->has_raw_data ? "raw_data bytes" : "int32_data values",
					shape_str(v, (char[128]){0}, 128), (long long)want,
					dt_name(dt));
		}
		bytes = xcalloc(1, (size_t)want + 1);
		for (i = 0; i < (size_t)want; i++)
			bytes[i] = t->has_raw_data ? t->raw_data.data[i] : (uint8_t)t->int32_data[i];
		unpack_sub(data, dt, bytes, n);
		free(bytes);
	} else if (t->has_raw_data) {
		if ((int64_t)t->raw_data.len != nbytes) {
			free(data);
			return ir_error("%s '%s': raw_data has %zu bytes, its shape %s needs %lld",
					what, v->name, t->raw_data.len,
					shape_str(v, (char[128]){0}, 128), (long long)nbytes);
		}
		if (nbytes)
			memcpy(data, t->raw_data.data, (size_t)nbytes);
	} else {
		int64_t have = typed_count(t, dt);
		if (have != n) {
			free(data);
			return ir_error("%s '%s': has %lld values, its shape %s needs %lld",
					what, v->name, (long long)have,
					shape_str(v, (char[128]){0}, 128), (long long)n);
		}
		switch (n ? dt : DT_UNDEFINED) {
		case DT_UNDEFINED: break;
		case DT_FLOAT: memcpy(data, t->float_data, (size_t)nbytes); break;
		case DT_DOUBLE: memcpy(data, t->double_data, (size_t)nbytes); break;
		case DT_INT64: memcpy(data, t->int64_data, (size_t)nbytes); break;
		case DT_UINT32: case DT_UINT64: from_u64(data, dt, t->uint64_data, n); break;
		default: from_i32(data, dt, t->int32_data, n); break;
		}
	}
	value_set_const(v, data, 0);
	return 0;
}

/* The bytes of a file (NULL after ir_error). */
static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f) {
		ir_error("%s: cannot open", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		ir_error("%s: cannot read", path);
		return NULL;
	}
	buf = xmalloc((size_t)len + 1);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		ir_error("%s: cannot read", path);
		return NULL;
	}
	fclose(f);
	*n = (size_t)len;
	return buf;
}

Onnx__SequenceProto *sequence_read_file(const char *path)
{
	size_t len;
	uint8_t *buf = slurp(path, &len);
	Onnx__SequenceProto *s;

	if (!buf)
		return NULL;
	s = onnx__sequence_proto__unpack(NULL, len, buf);
	free(buf);
	if (!s)
		ir_error("%s: not a valid SequenceProto", path);
	return s;
}

Onnx__OptionalProto *optional_read_file(const char *path)
{
	size_t len;
	uint8_t *buf = slurp(path, &len);
	Onnx__OptionalProto *o;

	if (!buf)
		return NULL;
	o = onnx__optional_proto__unpack(NULL, len, buf);
	free(buf);
	if (!o)
		ir_error("%s: not a valid OptionalProto", path);
	return o;
}

Onnx__TensorProto *tensor_read_file(const char *path)
{
	Onnx__TensorProto *t;
	size_t len;
	uint8_t *buf = slurp(path, &len);

	if (!buf)
		return NULL;
	t = onnx__tensor_proto__unpack(NULL, len, buf);
	free(buf);
	if (!t)
		ir_error("%s: not a valid TensorProto", path);
	return t;
}

int tensor_write_file(const char *path, const char *name, int dtype, int rank,
		      const int64_t *dims, const void *data, size_t nbytes)
{
	Onnx__TensorProto t = ONNX__TENSOR_PROTO__INIT;
	uint8_t *buf, *packed = NULL;
	size_t len, i;
	FILE *f;
	int ok;

	if (dt_packed_bits(dtype)) {
		int bits = dt_packed_bits(dtype), per = 8 / bits, mask = (1 << bits) - 1;
		packed = xcalloc(1, (size_t)packed_bytes(dtype, (int64_t)nbytes) + 1);
		for (i = 0; i < nbytes; i++)
			packed[i / per] |= (uint8_t)((((const uint8_t *)data)[i] & mask) << (i % per * bits));
		data = packed;
		nbytes = (size_t)packed_bytes(dtype, (int64_t)nbytes);
	}

	t.n_dims = (size_t)rank;
	t.dims = (int64_t *)dims;
	t.has_data_type = 1;
	t.data_type = dtype;
	t.name = (char *)name;
	if (dtype == DT_STRING) {
		size_t s = (size_t)dt_string_bytes(), i;
		t.n_string_data = nbytes / s;
		t.string_data = xcalloc(t.n_string_data + 1, sizeof(ProtobufCBinaryData));
		for (i = 0; i < t.n_string_data; i++) {
			const char *e = (const char *)data + i * s, *z = memchr(e, 0, s);
			t.string_data[i].data = (uint8_t *)e;
			t.string_data[i].len = z ? (size_t)(z - e) : s;
		}
	} else {
		t.has_raw_data = 1;
		t.raw_data.len = nbytes;
		t.raw_data.data = (uint8_t *)data;
	}
	len = onnx__tensor_proto__get_packed_size(&t);
	buf = xmalloc(len);
	onnx__tensor_proto__pack(&t, buf);
	free(t.string_data);
	f = fopen(path, "wb");
	ok = f && fwrite(buf, 1, len, f) == len;
	if (f && fclose(f) != 0)
		ok = 0;
	free(buf);
	free(packed);
	return ok ? 0 : ir_error("%s: cannot write", path);
}
