/* tensor.c: onnx.TensorProto <-> IR constant data.
 *
 * The sub-byte types (int4, uint4, float4e2m1, int2, uint2) are packed in a
 * TensorProto as the ONNX IR says: raw_data holds ceil(n * bits / 8) bytes,
 * element i at bit (i * bits) % 8 of byte i * bits / 8 (low bits first, the
 * last byte padded with zeros); int32_data holds the same bytes, one per
 * entry.  In the IR each element takes one byte: int4 and int2 sign-extended
 * into int8, uint4 and uint2 as uint8, float4e2m1 as its 4-bit code. */
/* realpath() is XSI */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* A decimal string of digits only (no sign, no spaces), at most INT64_MAX; -1 if not. */
static int64_t parse_size(const char *s)
{
	int64_t n = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (INT64_MAX - (*s - '0')) / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n;
}

/* The location's path rules (ExternalDataSecurity.md): relative, no '..'
 * component; 0 or -1 after ir_error. */
static int check_location(const char *loc, const char *what, const char *name)
{
	const char *p = loc;

	if (!*loc)
		return ir_error("%s '%s': external data location is empty", what, name);
	if (loc[0] == '/' || loc[0] == '\\' || (loc[0] && loc[1] == ':'))
		return ir_error("%s '%s': external data location '%s' is an absolute path; "
				"it must be relative to the model's folder", what, name, loc);
	while (*p) {
		size_t k = strcspn(p, "/\\");
		if (k == 2 && p[0] == '.' && p[1] == '.')
			return ir_error("%s '%s': external data location '%s' leaves the model's "
					"folder ('..')", what, name, loc);
		p += k;
		if (*p)
			p++;
	}
	return 0;
}

/* Open dir/loc for reading if it stays inside dir: canonical-path containment
 * (catches symbolic links in any component), no symbolic link as the last
 * component, a regular file with one hard link, and the opened file the one
 * checked.  The descriptor, or -1 after ir_error; *size its byte count. */
static int open_external(const char *dir, const char *loc, const char *what, const char *name,
			 int64_t *size)
{
	char *path = xmalloc(strlen(dir) + strlen(loc) + 2), *base = NULL, *real = NULL;
	struct stat ls, fs;
	int fd = -1;
	size_t nb;

	sprintf(path, "%s/%s", dir, loc);
	base = realpath(dir, NULL);
	if (lstat(path, &ls) != 0 || !base) {
		ir_error("%s '%s': cannot open external data file '%s': %s", what, name, loc,
			 strerror(errno));
		goto out;
	}
	if (S_ISLNK(ls.st_mode)) {
		ir_error("%s '%s': external data file '%s' is a symbolic link", what, name, loc);
		goto out;
	}
	real = realpath(path, NULL);
	nb = strlen(base);
	if (!real || strncmp(real, base, nb) != 0 || (real[nb] != '/' && strcmp(base, "/") != 0)) {
		ir_error("%s '%s': external data location '%s' resolves outside the model's folder",
			 what, name, loc);
		goto out;
	}
	if (!S_ISREG(ls.st_mode)) {
		ir_error("%s '%s': external data file '%s' is not a regular file", what, name, loc);
		goto out;
	}
	if (ls.st_nlink > 1) {
		ir_error("%s '%s': external data file '%s' has %lu hard links (only a file with "
			 "one is read)", what, name, loc, (unsigned long)ls.st_nlink);
		goto out;
	}
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ir_error("%s '%s': cannot open external data file '%s': %s", what, name, loc,
			 strerror(errno));
		goto out;
	}
	if (fstat(fd, &fs) != 0 || fs.st_dev != ls.st_dev || fs.st_ino != ls.st_ino ||
	    !S_ISREG(fs.st_mode) || fs.st_nlink > 1) {
		ir_error("%s '%s': external data file '%s' changed while it was opened", what, name, loc);
		close(fd);
		fd = -1;
		goto out;
	}
	*size = (int64_t)fs.st_size;
out:
	free(path);
	free(base);
	free(real);
	return fd;
}

/* The `want` bytes of an external tensor (data_location EXTERNAL), read from
 * the file its `location` entry names relative to the model's folder dir;
 * malloc'ed, or NULL after ir_error. */
static uint8_t *external_bytes(const Onnx__TensorProto *t, const char *dir, const char *what,
			       const char *name, int64_t want)
{
	const char *loc = NULL, *off_s = NULL, *len_s = NULL;
	int64_t off = 0, len, size;
	uint8_t *buf;
	size_t i;
	int fd;

	if (!dir) {
		ir_error("%s '%s': external data is only read for a model's tensors", what, name);
		return NULL;
	}
	for (i = 0; i < t->n_external_data; i++) {
		const char *k = t->external_data[i]->key ? t->external_data[i]->key : "";
		const char *val = t->external_data[i]->value ? t->external_data[i]->value : "";
		const char **slot = strcmp(k, "location") == 0 ? &loc : strcmp(k, "offset") == 0 ? &off_s
				  : strcmp(k, "length") == 0 ? &len_s : NULL;
		if (!slot)
			continue;	/* checksum, basepath, unknown keys: ignored */
		if (*slot) {
			ir_error("%s '%s': external data entry '%s' is given twice", what, name, k);
			return NULL;
		}
		*slot = val;
	}
	if (!loc) {
		ir_error("%s '%s': external data has no 'location' entry", what, name);
		return NULL;
	}
	if (check_location(loc, what, name) != 0)
		return NULL;
	if (off_s && (off = parse_size(off_s)) < 0) {
		ir_error("%s '%s': external data offset '%s' is not a non-negative integer",
			 what, name, off_s);
		return NULL;
	}
	if (len_s && parse_size(len_s) < 0) {
		ir_error("%s '%s': external data length '%s' is not a non-negative integer",
			 what, name, len_s);
		return NULL;
	}
	fd = open_external(dir, loc, what, name, &size);
	if (fd < 0)
		return NULL;
	if (off > size) {
		close(fd);
		ir_error("%s '%s': external data offset %lld is beyond the end of '%s' (%lld bytes)",
			 what, name, (long long)off, loc, (long long)size);
		return NULL;
	}
	len = len_s ? parse_size(len_s) : size - off;
	if (len > size - off) {
		close(fd);
		ir_error("%s '%s': external data offset %lld + length %lld is beyond the end of "
			 "'%s' (%lld bytes)", what, name, (long long)off, (long long)len, loc,
			 (long long)size);
		return NULL;
	}
	if (len != want) {
		close(fd);
		ir_error("%s '%s': external data has %lld bytes, its shape needs %lld",
			 what, name, (long long)len, (long long)want);
		return NULL;
	}
	buf = xmalloc((size_t)len + 1);
	for (i = 0; i < (size_t)len;) {
		ssize_t r = pread(fd, buf + i, (size_t)len - i, (off_t)(off + (int64_t)i));
		if (r <= 0) {
			close(fd);
			free(buf);
			ir_error("%s '%s': cannot read external data file '%s'", what, name, loc);
			return NULL;
		}
		i += (size_t)r;
	}
	close(fd);
	return buf;
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
	return tensor_from_proto_at(t, v, what, NULL);
}

int tensor_from_proto_at(const Onnx__TensorProto *t, Value *v, const char *what, const char *dir)
{
	int64_t dims[IR_MAX_RANK], n, nbytes;
	int dt = t->has_data_type ? t->data_type : DT_UNDEFINED;
	Onnx__TensorProto ext;
	void *data;
	size_t i;

	if (t->n_dims > IR_MAX_RANK)
		return ir_error("%s '%s': rank %zu is not supported (at most %d)",
				what, v->name, t->n_dims, IR_MAX_RANK);
	if (!dt_size(dt) && strcmp(dt_name(dt), "unknown") == 0)
		return ir_error("%s '%s': element type %d is not supported", what, v->name, dt);
	if (!dt_size(dt))
		return ir_error("%s '%s': element type %s is not supported",
				what, v->name, dt_name(dt));
	if (t->segment)
		return ir_error("%s '%s': segmented tensors are not supported", what, v->name);
	for (i = 0; i < t->n_dims; i++)
		dims[i] = t->dims[i];
	if (value_set_shape(v, dt, (int)t->n_dims, dims) != 0)
		return ir_error("%s %s", what, ir_last_error());
	n = value_numel(v);
	nbytes = value_nbytes(v);
	if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL &&
	    dt == DT_STRING)
		return ir_error("%s '%s': external data of a string tensor is not supported", what,
				v->name);
	if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
		/* read the file's bytes as raw_data */
		int64_t want = dt_packed_bits(dt) ? packed_bytes(dt, n) : nbytes;
		uint8_t *bytes = external_bytes(t, dir, what, v->name, want);
		int rc;
		if (!bytes)
			return -1;
		ext = *t;
		ext.has_data_location = 0;
		ext.has_raw_data = 1;
		ext.raw_data.data = bytes;
		ext.raw_data.len = (size_t)want;
		rc = tensor_from_proto_at(&ext, v, what, NULL);
		free(bytes);
		return rc;
	}
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
