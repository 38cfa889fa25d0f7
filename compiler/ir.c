/* ir.c: graph construction, element types, shapes, attributes, errors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "onnxcc_rt.h"
#include "elementwise.h"
#include "cast.h"

static char last_error[2048];

/* Record a bad-input message; always returns -1 so callers can `return ir_error(...)`. */
int ir_error(const char *fmt, ...)
{
	char msg[sizeof last_error];
	va_list ap;

	/* through a copy: an argument may be ir_last_error() itself */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	memcpy(last_error, msg, sizeof msg);
	return -1;
}

/* Like ir_error, prefixed with the node's name and op: "node 'x' (Conv): ...". */
int node_error(const Node *n, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ir_error("node '%s' (%s): %s", n->name, n->op_type, msg);
}

const char *ir_last_error(void)
{
	return last_error[0] ? last_error : "unknown error";
}

void die_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "onnxcc: internal error at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (!p)
		die("out of memory (%zu x %zu bytes)", n, m);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s ? s : "") + 1;

	return memcpy(xmalloc(n), s ? s : "", n);
}

/* Element types ------------------------------------------------------------ */

static const struct {
	int size;
	const char *name, *ctype, *kshort;
} dtypes[DT_COUNT] = {
	[DT_FLOAT] = {4, "float", "float", "f32"},
	[DT_UINT8] = {1, "uint8", "uint8_t", "u8"},
	[DT_INT8] = {1, "int8", "int8_t", "i8"},
	[DT_UINT16] = {2, "uint16", "uint16_t", "u16"},
	[DT_INT16] = {2, "int16", "int16_t", "i16"},
	[DT_INT32] = {4, "int32", "int32_t", "i32"},
	[DT_INT64] = {8, "int64", "int64_t", "i64"},
	[DT_STRING] = {-1, "string", "char", "str"},  /* size: dt_string_bytes() */
	[DT_BOOL] = {1, "bool", "uint8_t", "b8"},
	[DT_FLOAT16] = {2, "float16", "uint16_t", "f16"},
	[DT_DOUBLE] = {8, "double", "double", "f64"},
	[DT_UINT32] = {4, "uint32", "uint32_t", "u32"},
	[DT_UINT64] = {8, "uint64", "uint64_t", "u64"},
	[DT_COMPLEX64] = {0, "complex64", NULL, "c64"},
	[DT_COMPLEX128] = {0, "complex128", NULL, "c128"},
	[DT_BFLOAT16] = {2, "bfloat16", "uint16_t", "bf16"},
	/* float8: stored as bytes, converted by the helpers of templates/cast.h. */
	[17] = {1, "float8e4m3fn", "uint8_t", "f8e4m3fn"},
	[18] = {1, "float8e4m3fnuz", "uint8_t", "f8e4m3fnuz"},
	[19] = {1, "float8e5m2", "uint8_t", "f8e5m2"},
	[20] = {1, "float8e5m2fnuz", "uint8_t", "f8e5m2fnuz"},
	/* The sub-byte types: one element per byte, the integers as the value
	 * (int8_t / uint8_t), float4e2m1 as its 4-bit code.  float8e8m0 is its
	 * 8-bit code.  Converted by the helpers of templates/cast.h. */
	[DT_UINT4] = {1, "uint4", "uint8_t", "u4"},
	[DT_INT4] = {1, "int4", "int8_t", "i4"},
	[DT_FLOAT4E2M1] = {1, "float4e2m1", "uint8_t", "f4e2m1"},
	[DT_FLOAT8E8M0] = {1, "float8e8m0", "uint8_t", "f8e8m0"},
	[DT_UINT2] = {1, "uint2", "uint8_t", "u2"},
	[DT_INT2] = {1, "int2", "int8_t", "i2"},
};

static int string_bytes = DT_STRING_BYTES_DEFAULT;

int dt_string_bytes(void)
{
	return string_bytes;
}

void dt_set_string_bytes(int n)
{
	if (n < 2 || n > DT_STRING_BYTES_MAX)
		die("string record size %d out of range", n);
	string_bytes = n;
}

int dt_put_string(void *rec, const char *text, size_t len)
{
	if (len >= (size_t)string_bytes || (len && memchr(text, 0, len)))
		return -1;
	memset(rec, 0, (size_t)string_bytes);
	if (len)
		memcpy(rec, text, len);
	return 0;
}

int dt_size(int dt)
{
	if (dt == DT_STRING)
		return string_bytes;
	return dt > 0 && dt < DT_COUNT ? dtypes[dt].size : 0;
}

const char *dt_name(int dt)
{
	return dt > 0 && dt < DT_COUNT && dtypes[dt].name ? dtypes[dt].name : "unknown";
}

const char *dt_ctype(int dt)
{
	if (!dt_size(dt))
		die("no C type for element type %d", dt);
	return dtypes[dt].ctype;
}

const char *dt_short(int dt)
{
	return dt > 0 && dt < DT_COUNT && dtypes[dt].kshort ? dtypes[dt].kshort : "unsupported";
}

int dt_is_float8(int dt)
{
	return dt >= 17 && dt <= 20;
}

int dt_packed_bits(int dt)
{
	return dt == DT_UINT4 || dt == DT_INT4 || dt == DT_FLOAT4E2M1 ? 4
		: dt == DT_UINT2 || dt == DT_INT2 ? 2 : 0;
}

int dt_is_float(int dt)
{
	return dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_FLOAT16 || dt == DT_BFLOAT16;
}

int dt_is_signed(int dt)
{
	return dt == DT_INT8 || dt == DT_INT16 || dt == DT_INT32 || dt == DT_INT64;
}

int dt_is_int(int dt)
{
	return dt_is_signed(dt) || dt == DT_UINT8 || dt == DT_UINT16 ||
	       dt == DT_UINT32 || dt == DT_UINT64;
}

/* Graph construction --------------------------------------------------------- */

Graph *graph_new(void)
{
	return xcalloc(1, sizeof(Graph));
}

static void value_free(Value *v)
{
	free(v->elems);
	free(v->name);
	free(v->data);
	free(v);
}

void node_clear_attrs(Node *n)
{
	int i, j;

	for (i = 0; i < n->nattrs; i++) {
		Attr *a = &n->attrs[i];
		free(a->name);
		free(a->s);
		for (j = 0; a->strs && j < a->n; j++)
			free(a->strs[j]);
		free(a->strs);
		free(a->slens);
		free(a->ints);
		free(a->floats);
		if (a->t)
			value_free(a->t);
	}
	free(n->attrs);
	n->attrs = NULL;
	n->nattrs = 0;
}

static void node_free(Node *n)
{
	node_clear_attrs(n);
	free(n->caps);
	free(n->in);
	free(n->out);
	free(n->name);
	free(n->op_type);
	free(n->domain);
	free(n);
}

void kcalls_free(struct KCallList *l);

void graph_free(Graph *g)
{
	int i;

	if (!g)
		return;
	for (i = 0; i < g->nvalues; i++)
		value_free(g->values[i]);
	for (i = 0; i < g->nnodes; i++)
		node_free(g->nodes[i]);
	kcalls_free(g->calls);
	for (i = 0; i < g->nsubs; i++)
		graph_free(g->subs[i]);
	for (i = 0; i < g->nguards; i++)
		free(g->guards[i]);
	free(g->subs);
	free(g->iface_out);
	free(g->free_vals);
	free(g->guards);
	free(g->values);
	free(g->nodes);
	free(g->inputs);
	free(g->outputs);
	free(g->name);
	free(g);
}

Value *graph_value(Graph *g, const char *name)
{
	Value *v = xcalloc(1, sizeof(Value));

	v->name = xstrdup(name);
	v->rank = -1;
	v->decl_rank = -1;
	v->id = g->nvalues;
	if (g->nvalues == g->capvalues) {
		g->capvalues = g->capvalues ? 2 * g->capvalues : 64;
		g->values = xrealloc(g->values, g->capvalues * sizeof(Value *));
	}
	g->values[g->nvalues++] = v;
	return v;
}

Value *graph_find(Graph *g, const char *name)
{
	int i;

	/* Newest first: a later definition (e.g. in a renamed subgraph) wins. */
	for (i = g->nvalues - 1; i >= 0; i--)
		if (strcmp(g->values[i]->name, name) == 0)
			return g->values[i];
	return NULL;
}

Node *graph_node(Graph *g, const char *name, const char *op_type, const char *domain)
{
	Node *n = xcalloc(1, sizeof(Node));

	n->graph = g;
	n->name = xstrdup(name);
	n->op_type = xstrdup(op_type);
	n->domain = xstrdup(domain);
	if (g->nnodes == g->capnodes) {
		g->capnodes = g->capnodes ? 2 * g->capnodes : 64;
		g->nodes = xrealloc(g->nodes, g->capnodes * sizeof(Node *));
	}
	g->nodes[g->nnodes++] = n;
	return n;
}

void node_add_input(Node *n, Value *v)
{
	n->in = xrealloc(n->in, (n->nin + 1) * sizeof(Value *));
	n->in[n->nin++] = v;
}

void node_add_output(Node *n, Value *v)
{
	n->out = xrealloc(n->out, (n->nout + 1) * sizeof(Value *));
	n->out[n->nout++] = v;
	if (v)
		v->producer = n;
}

Attr *node_add_attr(Node *n, const char *name, int type)
{
	Attr *a;

	n->attrs = xrealloc(n->attrs, (n->nattrs + 1) * sizeof(Attr));
	a = &n->attrs[n->nattrs++];
	memset(a, 0, sizeof *a);
	a->name = xstrdup(name);
	a->type = type;
	return a;
}

void node_copy_attr(Node *n, const Attr *a)
{
	Attr *c = node_add_attr(n, a->name, a->type);

	c->i = a->i;
	c->f = a->f;
	c->n = a->n;
	c->g = a->g;
	if (a->s) {
		c->s = xmalloc(a->slen + 1);
		memcpy(c->s, a->s, a->slen + 1);
		c->slen = a->slen;
	}
	if (a->ints)
		c->ints = memcpy(xmalloc(a->n * sizeof(int64_t) + 1), a->ints, a->n * sizeof(int64_t));
	if (a->floats)
		c->floats = memcpy(xmalloc(a->n * sizeof(double) + 1), a->floats, a->n * sizeof(double));
	if (a->strs) {
		int j;
		c->strs = xcalloc((size_t)a->n + 1, sizeof(char *));
		c->slens = xcalloc((size_t)a->n + 1, sizeof(size_t));
		for (j = 0; j < a->n; j++) {
			c->slens[j] = a->slens ? a->slens[j] : strlen(a->strs[j]);
			c->strs[j] = memcpy(xmalloc(c->slens[j] + 1), a->strs[j], c->slens[j] + 1);
		}
	}
	if (a->t) {
		Value *t = xcalloc(1, sizeof(Value));
		size_t nb = (size_t)(a->t->is_splat ? dt_size(a->t->dtype) : value_nbytes(a->t));
		*t = *a->t;
		t->name = xstrdup(a->t->name);
		t->elems = NULL;
		t->data = a->t->data ? memcpy(xmalloc(nb + 1), a->t->data, nb) : NULL;
		c->t = t;
	}
}

void node_add_cap(Node *n, Value *v)
{
	int i;

	for (i = 0; i < n->ncaps; i++)
		if (n->caps[i] == v)
			return;
	n->caps = xrealloc(n->caps, (n->ncaps + 1) * sizeof(Value *));
	n->caps[n->ncaps++] = v;
}

Guard *graph_guard(Graph *g, Value *cond, Guard *up)
{
	Guard *gd = xcalloc(1, sizeof(Guard));

	gd->cond = cond;
	gd->up = up;
	gd->depth = up ? up->depth + 1 : 1;
	g->guards = xrealloc(g->guards, (g->nguards + 1) * sizeof(Guard *));
	g->guards[g->nguards++] = gd;
	return gd;
}

void graph_move_tail(Graph *g, int from, int at)
{
	int k = g->nnodes - from;
	Node **tail;

	if (k <= 0 || at + 1 >= from)
		return;
	tail = xmalloc(k * sizeof(Node *));
	memcpy(tail, g->nodes + from, k * sizeof(Node *));
	memmove(g->nodes + at + 1 + k, g->nodes + at + 1, (from - at - 1) * sizeof(Node *));
	memcpy(g->nodes + at + 1, tail, k * sizeof(Node *));
	free(tail);
}

/* Shapes ----------------------------------------------------------------------- */

int64_t value_numel(const Value *v)
{
	int64_t n = 1;
	int i;

	for (i = 0; i < v->rank; i++)
		n *= v->dims[i];
	return n;
}

int64_t value_nbytes(const Value *v)
{
	return value_numel(v) * dt_size(v->dtype);
}

/* Largest tensor we accept: keeps every byte count well inside int64. */
#define MAX_TENSOR_BYTES ((int64_t)1 << 40)

int value_set_shape(Value *v, int dtype, int rank, const int64_t *dims)
{
	int64_t n = 1;
	int i;

	if (rank < 0 || rank > IR_MAX_RANK)
		return ir_error("tensor '%s': rank %d is not supported (at most %d)",
				v->name, rank, IR_MAX_RANK);
	for (i = 0; i < rank; i++) {
		if (dims[i] < 0)
			return ir_error("tensor '%s': dimension %d is %lld, expected >= 0",
					v->name, i, (long long)dims[i]);
	}
	/* no product is formed before it is known to fit: a zero dimension
	 * makes any shape empty, else each factor must keep n under the limit */
	for (i = 0; i < rank; i++)
		if (dims[i] == 0)
			n = 0;
	for (i = 0; n && i < rank; i++) {
		if (n > MAX_TENSOR_BYTES / dims[i])
			break;
		n *= dims[i];
	}
	if ((n && i < rank) || (dt_size(dtype) && n > MAX_TENSOR_BYTES / dt_size(dtype))) {
		Value tmp = *v;
		char buf[256];
		tmp.rank = rank;
		memcpy(tmp.dims, dims, (size_t)rank * sizeof *dims);
		return ir_error("tensor '%s': shape %s of %s is too large (more than 2^40 bytes, "
				"the limit for one tensor)", v->name, shape_str(&tmp, buf, sizeof buf),
				dt_name(dtype));
	}
	v->dtype = dtype;
	v->rank = rank;
	for (i = 0; i < rank; i++)
		v->dims[i] = dims[i];
	return 0;
}

int value_same_shape(const Value *a, const Value *b)
{
	int i;

	if (a->rank != b->rank)
		return 0;
	for (i = 0; i < a->rank; i++)
		if (a->dims[i] != b->dims[i])
			return 0;
	return 1;
}

char *shape_str(const Value *v, char *buf, size_t n)
{
	size_t len = 0;
	int i;

	len += snprintf(buf + len, n - len, "[");
	for (i = 0; i < v->rank && len < n; i++)
		len += snprintf(buf + len, n - len, "%s%lld", i ? "," : "", (long long)v->dims[i]);
	if (len < n)
		snprintf(buf + len, n - len, "]");
	return buf;
}

int value_is_const(const Value *v)
{
	return v && v->data != NULL;
}

void value_set_const(Value *v, void *data, int splat)
{
	free(v->data);
	v->data = data;
	v->is_splat = splat;
}

void value_set_seq(Value *v, int dtype, Value *const *elems, int n)
{
	free(v->elems);
	v->is_seq = 1;
	v->is_opt = 0;
	v->dtype = dtype;
	v->rank = -1;
	v->nelems = n;
	v->elems = xcalloc(n ? n : 1, sizeof(Value *));
	if (n)
		memcpy(v->elems, elems, n * sizeof(Value *));
}

void value_set_opt(Value *v, int dtype, Value *elem)
{
	value_set_seq(v, dtype, &elem, elem ? 1 : 0);
	v->is_opt = 1;
}

int iface_flatten(const Value *v, Value **out, int max)
{
	int n = 0, i;

	if (!v->is_seq) {
		if (out && max > 0)
			out[0] = (Value *)v;
		return 1;
	}
	for (i = 0; i < v->nelems; i++)
		n += iface_flatten(v->elems[i], out ? out + (n < max ? n : max) : NULL,
				   max - n > 0 ? max - n : 0);
	return n;
}

/* Element i of a float-like type without a C arithmetic type, as double; 0
 * for types const_i64 reads. */
static double const_decoded(const Value *v, int64_t i, int *ok)
{
	const uint8_t *b = v->data;
	const uint16_t *h = v->data;

	*ok = 1;
	switch (v->dtype) {
	case DT_FLOAT16: return onnxcc_f16_to_f32(h[i]);
	case DT_BFLOAT16: return onnxcc_bf16_to_f32(h[i]);
	case 17: return onnxcc_f8e4m3fn_to_f32(b[i]);
	case 18: return onnxcc_f8e4m3fnuz_to_f32(b[i]);
	case 19: return onnxcc_f8e5m2_to_f32(b[i]);
	case 20: return onnxcc_f8e5m2fnuz_to_f32(b[i]);
	case DT_FLOAT4E2M1: return onnxcc_f4e2m1_to_f32(b[i]);
	case DT_FLOAT8E8M0: return onnxcc_f8e8m0_to_f32(b[i]);
	}
	*ok = 0;
	return 0;
}

/* Read element i of a constant as int64 (splats repeat element 0). */
int64_t const_i64(const Value *v, int64_t i)
{
	const void *p = v->data;
	double d;
	int ok;

	if (v->is_splat)
		i = 0;
	switch (v->dtype) {
	case DT_INT64: return ((const int64_t *)p)[i];
	case DT_INT32: return ((const int32_t *)p)[i];
	case DT_INT16: return ((const int16_t *)p)[i];
	case DT_INT8: case DT_INT4: case DT_INT2: return ((const int8_t *)p)[i];
	case DT_UINT64: return (int64_t)((const uint64_t *)p)[i];
	case DT_UINT32: return ((const uint32_t *)p)[i];
	case DT_UINT16: return ((const uint16_t *)p)[i];
	case DT_UINT8: case DT_BOOL: case DT_UINT4: case DT_UINT2:
		return ((const uint8_t *)p)[i];
	case DT_FLOAT: return onnxcc_sat_i64(((const float *)p)[i]);
	case DT_DOUBLE: return onnxcc_sat_i64(((const double *)p)[i]);
	}
	d = const_decoded(v, i, &ok);
	if (ok)
		return onnxcc_sat_i64(d);
	die("const_i64 on element type %s", dt_name(v->dtype));
}

double const_f64(const Value *v, int64_t i)
{
	double d;
	int ok;

	if (v->is_splat)
		i = 0;
	switch (v->dtype) {
	case DT_FLOAT: return ((const float *)v->data)[i];
	case DT_DOUBLE: return ((const double *)v->data)[i];
	case DT_UINT64: return (double)((const uint64_t *)v->data)[i];
	}
	d = const_decoded(v, i, &ok);
	return ok ? d : (double)const_i64(v, i);
}

/* Attributes ----------------------------------------------------------------- */

const Attr *node_attr(const Node *n, const char *name)
{
	int i;

	for (i = 0; i < n->nattrs; i++)
		if (strcmp(n->attrs[i].name, name) == 0)
			return &n->attrs[i];
	return NULL;
}

/* The first attribute an accessor found with another type than it reads
 * (attr_mismatch reports it). */
static const Node *mismatch_node;
static const Attr *mismatch_attr;
static int mismatch_want;

static const char *attr_kind(int type)
{
	switch (type) {
	case AT_FLOAT: return "a float";
	case AT_INT: return "an int";
	case AT_STRING: return "a string";
	case AT_TENSOR: return "a tensor";
	case AT_GRAPH: return "a graph";
	case AT_FLOATS: return "floats";
	case AT_INTS: return "ints";
	case AT_STRINGS: return "strings";
	case AT_TYPE_PROTO: return "a type";
	}
	return "of an unknown type";
}

/* a, looked up for type want: NULL (the default applies) if absent or of
 * another type, the latter remembered for attr_mismatch. */
static const Attr *typed_attr(const Node *n, const char *name, int want, int also)
{
	const Attr *a = node_attr(n, name);

	if (!a || a->type == want || a->type == also)
		return a;
	if (!mismatch_attr) {
		mismatch_node = n;
		mismatch_attr = a;
		mismatch_want = want;
	}
	return NULL;
}

void attr_mismatch_clear(void)
{
	mismatch_node = NULL;
	mismatch_attr = NULL;
}

int attr_mismatch(const Node *n)
{
	const Attr *a = mismatch_attr;

	if (!a || mismatch_node != n)
		return 0;
	attr_mismatch_clear();
	return node_error(n, "attribute '%s' is %s, expected %s", a->name, attr_kind(a->type),
			  attr_kind(mismatch_want));
}

int64_t attr_i(const Node *n, const char *name, int64_t def)
{
	const Attr *a = typed_attr(n, name, AT_INT, AT_INT);

	return a ? a->i : def;
}

double attr_f(const Node *n, const char *name, double def)
{
	const Attr *a = typed_attr(n, name, AT_FLOAT, AT_INT);

	if (a && a->type == AT_FLOAT)
		return a->f;
	if (a && a->type == AT_INT)
		return (double)a->i;
	return def;
}

const char *attr_s(const Node *n, const char *name, const char *def)
{
	const Attr *a = typed_attr(n, name, AT_STRING, AT_STRING);

	return a ? a->s : def;
}

int attr_ints(const Node *n, const char *name, const int64_t **out)
{
	const Attr *a = typed_attr(n, name, AT_INTS, AT_INTS);

	if (!a)
		return -1;
	*out = a->ints;
	return a->n;
}

int attr_strings(const Node *n, const char *name, char *const **out, const size_t **lens)
{
	const Attr *a = typed_attr(n, name, AT_STRINGS, AT_STRINGS);

	if (!a)
		return -1;
	*out = a->strs;
	if (lens)
		*lens = a->slens;
	return a->n;
}
