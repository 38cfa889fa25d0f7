/* ops_util.c: shape helpers shared by the op families. */
#include <string.h>

#include "ops.h"
#include "ops_util.h"
#include "onnxcc_rt.h"
#include "elementwise.h"
#include "cast.h"

int broadcast_shapes(const Node *n, Value *const *ins, int nins, int *rank, int64_t *dims)
{
	int i, d, r = 0;

	for (i = 0; i < nins; i++)
		if (ins[i] && ins[i]->rank > r)
			r = ins[i]->rank;
	for (d = 0; d < r; d++)
		dims[d] = 1;
	for (i = 0; i < nins; i++) {
		const Value *v = ins[i];
		if (!v)
			continue;
		for (d = 0; d < v->rank; d++) {
			int64_t have = dims[r - v->rank + d], want = v->dims[d];
			if (want == have || want == 1)
				continue;
			if (have != 1) {
				char a[128], b[128];
				return node_error(n, "shapes do not broadcast: input '%s' %s against %s",
						  v->name, shape_str(v, a, sizeof a),
						  shape_str(ins[0], b, sizeof b));
			}
			dims[r - v->rank + d] = want;
		}
	}
	*rank = r;
	return 0;
}

void kcall_broadcast(KCall *k, const Value *out, Value *const *ins, int nins)
{
	int64_t dims[IR_MAX_RANK], st[8][IR_MAX_RANK];
	int r = 0, d, i;

	if (nins > 8)
		die("kcall_broadcast: %d inputs", nins);
	/* Element strides of each input aligned to the output, 0 where broadcast. */
	for (d = 0; d < out->rank; d++) {
		if (out->dims[d] == 1)
			continue;
		dims[r] = out->dims[d];
		for (i = 0; i < nins; i++) {
			const Value *v = ins[i];
			int vd = d - (out->rank - v->rank), e;
			int64_t s = 1;
			if (vd < 0 || v->dims[vd] == 1) {
				st[i][r] = 0;
				continue;
			}
			for (e = vd + 1; e < v->rank; e++)
				s *= v->dims[e];
			st[i][r] = s;
		}
		/* Merge with the previous dimension when every input is contiguous across both. */
		if (r > 0) {
			int merge = 1;
			for (i = 0; i < nins; i++)
				if (st[i][r - 1] != st[i][r] * dims[r])
					merge = 0;
			if (merge) {
				dims[r - 1] *= dims[r];
				for (i = 0; i < nins; i++)
					st[i][r - 1] = st[i][r];
				continue;
			}
		}
		r++;
	}
	if (r == 0) {
		dims[0] = 1;
		for (i = 0; i < nins; i++)
			st[i][0] = 0;
		r = 1;
	}
	kcall_i(k, r);
	kcall_ints(k, dims, r);
	for (i = 0; i < nins; i++)
		kcall_ints(k, st[i], r);
}

int norm_axis(const Node *n, int64_t axis, int rank, int64_t *out)
{
	if (axis < -rank || axis >= rank)
		return node_error(n, "axis %lld is out of range for rank %d", (long long)axis, rank);
	*out = axis < 0 ? axis + rank : axis;
	return 0;
}

const char *width_prefix(int dtype)
{
	switch (dt_size(dtype)) {
	case 1: return "x8";
	case 2: return "x16";
	case 4: return "x32";
	case 8: return "x64";
	}
	if (dtype == DT_STRING)
		return "string";	/* no such kernels: lower_callf reports the type */
	die("no width prefix for element type %s", dt_name(dtype));
}

int kcall_broadcast_words(KCall *k, const Node *n, const Value *out, Value *const *ins, int nins,
			  int64_t words, const int *scalar)
{
	Value shadow[KCALL_MAX_BUF + 1], *sin[KCALL_MAX_BUF];
	int i;

	if (words == 1) {
		kcall_broadcast(k, out, ins, nins);
		return 0;
	}
	if (nins > KCALL_MAX_BUF)
		die("broadcast of %d inputs", nins);
	for (i = 0; i <= nins; i++) {
		const Value *v = i < nins ? ins[i] : out;
		if (v->rank == IR_MAX_RANK)
			return node_error(n, "rank %d leaves no room for the words of a %s element",
					  v->rank, dt_name(out->dtype));
		shadow[i] = *v;
		shadow[i].dims[v->rank] = i < nins && scalar && scalar[i] ? 1 : words;
		shadow[i].rank = v->rank + 1;
		if (i < nins)
			sin[i] = &shadow[i];
	}
	kcall_broadcast(k, &shadow[nins], sin, nins);
	return 0;
}

const char *word_prefix(int dtype, int64_t *words)
{
	int64_t sz = dt_size(dtype), w = sz % 8 == 0 ? 8 : sz % 4 == 0 ? 4 : sz % 2 == 0 ? 2 : 1;

	if (sz <= 0)
		die("no word prefix for element type %s", dt_name(dtype));
	*words = sz / w;
	return w == 8 ? "x64" : w == 4 ? "x32" : w == 2 ? "x16" : "x8";
}

void dims_strides(int r, const int64_t *dims, int64_t *st)
{
	int64_t s = 1;
	int d;

	for (d = r - 1; d >= 0; d--) {
		st[d] = s;
		s *= dims[d];
	}
}

void value_strides(const Value *v, int64_t *st)
{
	dims_strides(v->rank, v->dims, st);
}

int set_out(Node *n, int i, int dtype, int rank, const int64_t *dims)
{
	if (i >= n->nout || !n->out[i])
		return 0;
	if (value_set_shape(n->out[i], dtype, rank, dims) != 0)
		return node_error(n, "%s", ir_last_error());
	return 0;
}

/* Whether consumer m's output has the shape of its input v: a unary map or
 * Cast of v, or an elementwise op whose other inputs are scalars or not yet
 * inferred (in the graphs this serves, other run-time-shaped values of the
 * same shape; a wrong guess only makes the run-time shape check fail). */
static int keeps_shape(const Node *m, const Value *v)
{
	int j;

	if (m->out[0] == NULL || m->nout < 1)
		return 0;
	if ((m->op->infer == unary_infer || m->op->infer == cast_infer) && m->in[0] == v)
		return 1;
	if (!(m->op->flags & OPF_ELEMENTWISE))
		return 0;
	for (j = 0; j < m->nin; j++)
		if (m->in[j] != v && (!m->in[j] || m->in[j]->rank > 0))
			return 0;
	return 1;
}

/* The shape the model declares for v or, failing that, for a value that a
 * consumer makes of v without changing its shape (a run-time-shaped tensor
 * that passes through Cast, Sqrt, Mul by a scalar, ... before a declared
 * output).  The run-time check of v's producer still compares with it. */
const Value *declared_via(const Value *v, int depth)
{
	const Graph *g;
	int i, j;

	if (v->decl_rank >= 0)
		return v;
	if (depth > 32 || !v->producer || v->is_output)
		return NULL;
	g = v->producer->graph;
	for (i = 0; i < g->nnodes; i++) {
		const Node *m = g->nodes[i];
		const Value *d;
		for (j = 0; !m->dead && j < m->nin; j++)
			if (m->in[j] == v && keeps_shape(m, v) && (d = declared_via(m->out[0], depth + 1)))
				return d;
	}
	return NULL;
}

int set_out_declared(Node *n, int i, int dtype, const Value *input)
{
	const Value *o = declared_via(n->out[i], 0);

	if (!o)
		return node_error(n, "input '%s' is not a compile-time constant and the model does not "
				  "declare a static shape for output '%s'", input->name, n->out[i]->name);
	return set_out(n, i, dtype, o->decl_rank, o->decl_dims);
}

/* A constant integer list input (shape, axes): its length, or -1 after an error. */
int const_ints(const Node *n, int i, int64_t *out, int max)
{
	const Value *v = n->in[i];
	int64_t k, len;

	if (!v->data)
		return node_error(n, "input %d ('%s') must be a compile-time constant: its value "
				  "determines the output shape", i, v->name);
	if (!dt_is_int(v->dtype))
		return node_error(n, "input %d ('%s') has element type %s, expected int64",
				  i, v->name, dt_name(v->dtype));
	len = value_numel(v);
	if (v->rank > 1 || len > max)
		return node_error(n, "input %d ('%s') must be a list of at most %d integers",
				  i, v->name, max);
	for (k = 0; k < len; k++)
		out[k] = const_i64(v, k);
	return (int)len;
}

void *scalar_of(int dtype, double v)
{
	void *p = xcalloc(1, 8);

	switch (dtype) {
	case DT_FLOAT: *(float *)p = (float)v; break;
	case DT_DOUBLE: *(double *)p = v; break;
	case DT_INT8: *(int8_t *)p = (int8_t)v; break;
	case DT_INT16: *(int16_t *)p = (int16_t)v; break;
	case DT_INT32: *(int32_t *)p = (int32_t)v; break;
	case DT_INT64: *(int64_t *)p = (int64_t)v; break;
	case DT_UINT8: case DT_BOOL: *(uint8_t *)p = (uint8_t)v; break;
	case DT_UINT16: *(uint16_t *)p = (uint16_t)v; break;
	case DT_UINT32: *(uint32_t *)p = (uint32_t)v; break;
	case DT_UINT64: *(uint64_t *)p = (uint64_t)v; break;
	case DT_FLOAT16: *(uint16_t *)p = onnxcc_f32_to_f16((float)v); break;
	case DT_BFLOAT16: *(uint16_t *)p = onnxcc_f32_to_bf16((float)v); break;
	case 17: *(uint8_t *)p = onnxcc_f32_to_f8e4m3fn((float)v, 1); break;
	case 18: *(uint8_t *)p = onnxcc_f32_to_f8e4m3fnuz((float)v, 1); break;
	case 19: *(uint8_t *)p = onnxcc_f32_to_f8e5m2((float)v, 1); break;
	case 20: *(uint8_t *)p = onnxcc_f32_to_f8e5m2fnuz((float)v, 1); break;
	case DT_INT4: case DT_INT2: case DT_UINT4: case DT_UINT2:
		*(uint8_t *)p = (uint8_t)onnxcc_wrap_bits((uint64_t)onnxcc_sat_i64(v), dt_packed_bits(dtype),
							  dtype == DT_INT4 || dtype == DT_INT2);
		break;
	case DT_FLOAT4E2M1: *(uint8_t *)p = onnxcc_f32_to_f4e2m1((float)v); break;
	case DT_FLOAT8E8M0: *(uint8_t *)p = onnxcc_f32_to_f8e8m0((float)v, 1, 0); break;
	default: die("scalar_of: element type %s", dt_name(dtype));
	}
	return p;
}

/* A float16 or bfloat16 operand *v becomes a float copy in scratch. */
int widen_half(Lower *L, Value **v)
{
	Value *t;
	KCall *k;

	if (!*v || ((*v)->dtype != DT_FLOAT16 && (*v)->dtype != DT_BFLOAT16))
		return 0;
	t = lower_temp(L, DT_FLOAT, (*v)->rank, (*v)->dims);
	if (!(k = lower_callf(L, "%s_to_f32__scalar", dt_short((*v)->dtype))))
		return -1;
	kcall_buf(k, *v);
	kcall_buf(k, t);
	kcall_i(k, value_numel(t));
	*v = t;
	return 0;
}

/* The value the kernel writes for output y: y, or a float scratch for a
 * float16 / bfloat16 y that narrow_half() then converts. */
Value *half_out(Lower *L, Value *y)
{
	if (y->dtype != DT_FLOAT16 && y->dtype != DT_BFLOAT16)
		return y;
	return lower_temp(L, DT_FLOAT, y->rank, y->dims);
}

/* y = t converted, when half_out() gave a scratch t. */
int narrow_half(Lower *L, Value *t, Value *y)
{
	KCall *k;

	if (t == y)
		return 0;
	if (!(k = lower_callf(L, "f32_to_%s__scalar", dt_short(y->dtype))))
		return -1;
	kcall_buf(k, t);
	kcall_buf(k, y);
	kcall_i(k, value_numel(y));
	return 0;
}

/* An optional per-axis integer list attribute of length len into out
 * (default def); -1 after an error if it has another length or a value below min. */
int attr_list(const Node *n, const char *name, int len, int64_t def, int64_t min,
	      int64_t *out)
{
	const int64_t *v;
	int m = attr_ints(n, name, &v), i;

	if (m >= 0 && m != len)
		return node_error(n, "attribute %s has %d values, expected %d", name, m, len);
	for (i = 0; i < len; i++) {
		out[i] = m >= 0 ? v[i] : def;
		if (out[i] < min)
			return node_error(n, "attribute %s[%d] is %lld, expected at least %lld", name, i,
					  (long long)out[i], (long long)min);
	}
	return 0;
}

int lower_copy(Lower *L, Value *x, Value *y)
{
	KCall *k;

	if (value_nbytes(y) == 0)
		return 0;
	if (!(k = lower_call(L, "x8_copy__scalar")))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_i(k, value_nbytes(y));
	return 0;
}

int lower_convert(Lower *L, Value *x, Value *y)
{
	KCall *k;

	if (x->dtype == y->dtype)
		return x == y ? 0 : lower_copy(L, x, y);
	if (value_numel(y) == 0)
		return 0;
	if (!(k = lower_callf(L, "%s_to_%s__scalar", dt_short(x->dtype), dt_short(y->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_i(k, value_numel(y));
	return 0;
}

void kcall_epilogue(KCall *k, const Node *n)
{
	kcall_i(k, n ? n->epi_act : 0);
	kcall_i(k, n && node_in(n, 3) != NULL);
	kcall_f(k, n ? n->epi_a : 0.0);
	kcall_f(k, n ? n->epi_b : 0.0);
}
