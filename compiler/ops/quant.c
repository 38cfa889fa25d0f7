/* quant.c: linear quantization and the integer products.
 *
 * QuantizeLinear / DequantizeLinear lower to one call of <y>_quantize_<x> /
 * <x>_dequantize (templates/quant.h) whose scale indexing covers per-tensor,
 * per-axis and blocked scales.  DynamicQuantizeLinear is one call.
 *
 * The integer products subtract the zero points into int32 scratch
 * (<t>_subzp) and run the float products' own lowering on it: a copy of the
 * node whose inputs are the int32 operands goes through matmul_lower
 * (i32_gemm) or conv_lower (i32_conv, instantiated in quant.def), so the
 * shape rules and the GEMM core are shared, and padding is zero after the
 * zero point is gone, as the reference pads.  QLinear* then requantize the
 * int32 result (<y>_requant).  The float8 types quantize from float (x / S
 * converted with the `saturate` attribute) and dequantize to float; their
 * zero point must be 0.  The 4- and 2-bit integers (one element per byte)
 * work as the 8-bit ones with their own ranges; float4e2m1 quantizes from
 * float (x / S + Z rounded to nearest even, saturated) and dequantizes to
 * float ((x - Z) * S).  Scales may be float, float16, bfloat16 or
 * float8e8m0; the kernels read a float copy of the last three. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_util.h"

/* The quantized integer types QuantizeLinear writes. */
static int qtype_ok(int dt)
{
	return dt == DT_INT8 || dt == DT_UINT8 || dt == DT_INT16 || dt == DT_UINT16 ||
	       dt == DT_INT4 || dt == DT_UINT4 || dt == DT_INT2 || dt == DT_UINT2;
}

/* The float types QuantizeLinear writes from float inputs only. */
static int qfloat(int dt)
{
	return dt_is_float8(dt) || dt == DT_FLOAT4E2M1;
}

/* A float8 zero point must be 0 (or -0): the kernels do not read it, so a
 * constant one is checked here. */
static int f8_zero_ok(const Node *n, const Value *z)
{
	const uint8_t *d;
	int64_t i, cnt;
	int fnuz = z->dtype == 18 || z->dtype == 20;

	if (!value_is_const(z))
		return 0;
	d = (const uint8_t *)z->data;
	cnt = z->is_splat ? 1 : value_numel(z);
	for (i = 0; i < cnt; i++)
		if (d[i] && !(d[i] == 0x80 && !fnuz))
			return node_error(n, "a %s zero point must be 0", dt_name(z->dtype));
	return 0;
}

static int half_or_float(int dt)
{
	return dt == DT_FLOAT || dt == DT_FLOAT16 || dt == DT_BFLOAT16;
}

/* Scales may also be float8e8m0 (powers of two, the MX formats' scales). */
static int scale_ok(int dt)
{
	return half_or_float(dt) || dt == DT_FLOAT8E8M0;
}

/* The kernels read float scales: others become a float copy in scratch. */
static int widen_scale(Lower *L, Value **s)
{
	Value *t;
	KCall *k;

	if ((*s)->dtype != DT_FLOAT8E8M0)
		return widen_half(L, s);
	t = lower_temp(L, DT_FLOAT, (*s)->rank, (*s)->dims);
	if (!(k = lower_call(L, "f8e8m0_to_f32__scalar")))
		return -1;
	kcall_buf(k, *s);
	kcall_buf(k, t);
	kcall_i(k, value_numel(t));
	*s = t;
	return 0;
}

/* How the scale of a (de)quantization maps onto x: p of the quantize kernel
 * from `outer` on. */
typedef struct QGeom {
	int64_t outer, d, inner, block, so, sa, si;
} QGeom;

/* The granularity the scale's shape (and block_size) selects; checks the
 * zero point has the scale's shape (or both are single values). */
static int qgeom(const Node *n, const Value *x, const Value *s, const Value *z, QGeom *g)
{
	int64_t block = attr_i(n, "block_size", 0), axis, sdim;
	int d;

	if (z && !value_same_shape(s, z) && !(value_numel(s) == 1 && value_numel(z) == 1))
		return node_error(n, "the zero point's shape differs from the scale's");
	memset(g, 0, sizeof *g);
	g->outer = g->d = g->block = 1;
	g->inner = value_numel(x);
	if (block < 0)
		return node_error(n, "block_size is %lld, expected a positive value", (long long)block);
	if (s->rank <= 1 && value_numel(s) == 1 && block == 0)
		return 0;
	if (norm_axis(n, attr_i(n, "axis", 1), x->rank, &axis) != 0)
		return -1;
	g->d = x->dims[axis];
	g->outer = g->inner = 1;
	for (d = 0; d < x->rank; d++)
		if (d < axis)
			g->outer *= x->dims[d];
		else if (d > axis)
			g->inner *= x->dims[d];
	if (block == 0) {
		if (s->rank != 1 || s->dims[0] != g->d)
			return node_error(n, "the scale must be a scalar or a 1-D tensor of %lld (axis %lld)",
					  (long long)g->d, (long long)axis);
		g->sa = 1;
		return 0;
	}
	/* Blocked: the scale is x's shape with ceil(D / block) along the axis. */
	if (s->rank != x->rank)
		return node_error(n, "blocked quantization needs a scale of rank %d, not %d",
				  x->rank, s->rank);
	sdim = s->dims[axis];
	for (d = 0; d < x->rank; d++)
		if (d != axis && s->dims[d] != x->dims[d])
			return node_error(n, "the scale's dimension %d is %lld, expected %lld", d,
					  (long long)s->dims[d], (long long)x->dims[d]);
	if ((g->d + block - 1) / block != sdim)
		return node_error(n, "block_size %lld does not fit: axis %lld has %lld elements and "
				  "the scale %lld blocks", (long long)block, (long long)axis,
				  (long long)g->d, (long long)sdim);
	g->block = block;
	g->so = sdim * g->inner;
	g->sa = g->inner;
	g->si = 1;
	return 0;
}

/* Append the geometry and the zero point flag. */
static void kcall_qgeom(KCall *k, const QGeom *g, int has_z)
{
	int64_t p[8] = {g->outer, g->d, g->inner, g->block, g->so, g->sa, g->si, has_z};

	kcall_ints(k, p, 8);
}

/* QuantizeLinear's output type: the zero point's, else output_dtype (opset
 * 21), else uint8. */
static int quantize_type(const Node *n)
{
	const Value *z = node_in(n, 2);
	int od = n->version >= 21 ? (int)attr_i(n, "output_dtype", 0) : 0;

	if (z && od && od != z->dtype)
		return node_error(n, "output_dtype %s differs from the zero point's type %s",
				  dt_name(od), dt_name(z->dtype));
	return z ? z->dtype : od ? od : DT_UINT8;
}

int quantize_infer(Node *n)
{
	Value *x = n->in[0], *s = n->in[1];
	int yt = quantize_type(n), prec = (int)attr_i(n, "precision", 0);
	QGeom g;

	if (yt < 0)
		return -1;
	if (!qtype_ok(yt) && !qfloat(yt))
		return node_error(n, "quantizing to %s is not supported (int2 to int16, uint2 to "
				  "uint16, float8 and float4e2m1 are)", dt_name(yt));
	if (qfloat(yt) && x->dtype == DT_INT32)
		return node_error(n, "quantizing int32 to %s is not supported", dt_name(yt));
	if (dt_is_float8(yt) && node_in(n, 2) && f8_zero_ok(n, node_in(n, 2)) != 0)
		return -1;
	if (!half_or_float(x->dtype) && x->dtype != DT_INT32)
		return node_error(n, "input x has element type %s, expected float, float16, "
				  "bfloat16 or int32", dt_name(x->dtype));
	if (!scale_ok(s->dtype))
		return node_error(n, "the scale has element type %s, expected float, float16, "
				  "bfloat16 or float8e8m0", dt_name(s->dtype));
	if (prec && prec != DT_FLOAT)
		return node_error(n, "precision %s is not supported (float is)", dt_name(prec));
	if (qgeom(n, x, s, node_in(n, 2), &g) != 0)
		return -1;
	return set_out(n, 0, yt, x->rank, x->dims);
}

int quantize_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *s = n->in[1], *z = node_in(n, 2), *y = n->out[0];
	QGeom g;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (qgeom(n, x, s, z, &g) != 0 || widen_half(L, &x) != 0 || widen_scale(L, &s) != 0 ||
	    !(k = lower_callf(L, "%s_quantize_%s__scalar", dt_short(y->dtype), dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, s);
	if (z)
		kcall_buf(k, z);
	kcall_buf(k, y);
	kcall_qgeom(k, &g, z != NULL);
	if (dt_is_float8(y->dtype))
		kcall_i(k, n->version < 19 || attr_i(n, "saturate", 1) != 0);
	return 0;
}

/* DequantizeLinear's output type: output_dtype (opset 23), else the scale's. */
static int dequantize_type(const Node *n)
{
	int od = n->version >= 23 ? (int)attr_i(n, "output_dtype", 0) : 0;

	return od ? od : n->in[1]->dtype;
}

int dequantize_infer(Node *n)
{
	Value *x = n->in[0], *s = n->in[1], *z = node_in(n, 2);
	int yt = dequantize_type(n);
	QGeom g;

	if (!qtype_ok(x->dtype) && x->dtype != DT_INT32 && !qfloat(x->dtype))
		return node_error(n, "dequantizing %s is not supported (int2 to int32, uint2 to "
				  "uint16, float8 and float4e2m1 are)", dt_name(x->dtype));
	if (z && z->dtype != x->dtype)
		return node_error(n, "the zero point has element type %s, x %s", dt_name(z->dtype),
				  dt_name(x->dtype));
	if (!scale_ok(s->dtype))
		return node_error(n, "the scale has element type %s, expected float, float16, "
				  "bfloat16 or float8e8m0", dt_name(s->dtype));
	if (!half_or_float(yt))
		return node_error(n, "the output must be float, float16 or bfloat16 (it is %s%s)",
				  dt_name(yt), n->version >= 23 && !node_attr(n, "output_dtype") ?
				  ", the scale's type: set output_dtype" : "");
	if (z && dt_is_float8(z->dtype) && f8_zero_ok(n, z) != 0)
		return -1;
	if (qgeom(n, x, s, z, &g) != 0)
		return -1;
	return set_out(n, 0, yt, x->rank, x->dims);
}

int dequantize_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *s = n->in[1], *z = node_in(n, 2), *y = n->out[0], *yt;
	QGeom g;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (qgeom(n, x, s, z, &g) != 0 || widen_scale(L, &s) != 0 || !(yt = half_out(L, y)) ||
	    !(k = lower_callf(L, "%s_dequantize__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, s);
	if (z)
		kcall_buf(k, z);
	kcall_buf(k, yt);
	kcall_qgeom(k, &g, z != NULL);
	return narrow_half(L, yt, y);
}

int dynquant_infer(Node *n)
{
	Value *x = n->in[0];

	if (x->dtype != DT_FLOAT)
		return node_error(n, "input x has element type %s, expected float", dt_name(x->dtype));
	if (set_out(n, 0, DT_UINT8, x->rank, x->dims) != 0 || set_out(n, 1, DT_FLOAT, 0, NULL) != 0)
		return -1;
	return set_out(n, 2, DT_UINT8, 0, NULL);
}

/* Output i, or scratch of its type and shape when the model leaves it out. */
static Value *out_or_temp(Node *n, Lower *L, int i, int dtype, const Value *like)
{
	Value *v = node_out(n, i);

	return v ? v : lower_temp(L, dtype, like ? like->rank : 0, like ? like->dims : NULL);
}

int dynquant_lower(Node *n, Lower *L)
{
	Value *x = n->in[0];
	KCall *k = lower_call(L, "f32_dynquant__scalar");

	if (!k)
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, out_or_temp(n, L, 0, DT_UINT8, x));
	kcall_buf(k, out_or_temp(n, L, 1, DT_FLOAT, NULL));
	kcall_buf(k, out_or_temp(n, L, 2, DT_UINT8, NULL));
	kcall_i(k, value_numel(x));
	return 0;
}

/* Where a 1-D zero point or scale of more than one element applies. */
enum { ZP_ROWS, ZP_COLS, ZP_CHANNELS };

/* In *view, the zero point z of operand x shaped to broadcast against x:
 * a 1-D z runs along x's rows (matrix rows), columns or axis 0 by `mode`;
 * other shapes broadcast as numpy does.  Errors if it does not. */
static int zp_view(const Node *n, const Value *x, const Value *z, int mode, Value *view)
{
	Value *ins[2];
	int64_t dims[IR_MAX_RANK];
	int r, d;

	*view = *z;
	if (z->dtype != x->dtype)
		return node_error(n, "zero point '%s' has element type %s, its operand %s", z->name,
				  dt_name(z->dtype), dt_name(x->dtype));
	if (z->rank == 1 && z->dims[0] > 1 && mode != ZP_COLS && x->rank >= 2) {
		int at = mode == ZP_ROWS ? x->rank - 2 : 0;
		view->rank = x->rank - at;
		for (d = 0; d < view->rank; d++)
			view->dims[d] = d == 0 ? z->dims[0] : 1;
	}
	ins[0] = (Value *)x;
	ins[1] = view;
	if (broadcast_shapes(n, ins, 2, &r, dims) != 0)
		return -1;
	if (r != x->rank || memcmp(dims, x->dims, sizeof(int64_t) * r) != 0)
		return node_error(n, "zero point '%s' does not broadcast to its operand", z->name);
	return 0;
}

/* A copy of operand x minus its zero point z (NULL: 0), in scratch of type
 * dt: int32, or float (exact: the integer convolution on the float GEMM). */
static Value *minus_zp(Node *n, Lower *L, Value *x, Value *z, int mode, int dt)
{
	Value *t = lower_temp(L, dt, x->rank, x->dims), view, *ins[2];
	KCall *k;

	if (value_numel(t) == 0)
		return t;
	if (!z) {
		if (!(k = lower_callf(L, "%s_to_%s__scalar", dt_short(x->dtype), dt_short(dt))))
			return NULL;
		kcall_buf(k, x);
		kcall_buf(k, t);
		kcall_i(k, value_numel(t));
		return t;
	}
	if (zp_view(n, x, z, mode, &view) != 0 ||
	    !(k = lower_callf(L, "%s_subzp%s__scalar", dt_short(x->dtype),
			      dt == DT_FLOAT ? "f" : "")))
		return NULL;
	kcall_buf(k, x);
	kcall_buf(k, z);
	kcall_buf(k, t);
	ins[0] = x;
	ins[1] = &view;
	kcall_broadcast(k, t, ins, 2);
	return t;
}

/* Input i as an 8-bit integer operand. */
static int check_q8(const Node *n, int i)
{
	const Value *v = n->in[i];

	if (v->dtype != DT_INT8 && v->dtype != DT_UINT8)
		return node_error(n, "input %d ('%s') has element type %s, expected int8 or uint8", i,
				  v->name, dt_name(v->dtype));
	return 0;
}

/* QLinearMatMul / QLinearConv (aux "qlinear") rather than MatMulInteger / ConvInteger. */
static int is_qlinear(const Node *n)
{
	return strcmp(n->op->aux, "qlinear") == 0;
}

/* A copy of node n with the given inputs and one output: how the integer
 * products reuse the float products' shape rules and lowering. */
static Node proxy(const Node *n, Value **in, int nin, Value **out)
{
	Node t = *n;

	t.in = in;
	t.nin = nin;
	t.out = out;
	t.nout = 1;
	return t;
}

/* A shape-only int32 stand-in for v (infer must not create values). */
static Value as_i32(const Value *v)
{
	Value t = *v;

	t.dtype = DT_INT32;
	t.data = NULL;
	return t;
}

/* Scales of a QLinear* node: float, float16 or bfloat16, all one type. */
static int check_scales(const Node *n, const int *idx, int cnt)
{
	int i, dt = n->in[idx[0]]->dtype;

	for (i = 0; i < cnt; i++) {
		const Value *s = n->in[idx[i]];
		if (!half_or_float(s->dtype) || s->dtype != dt)
			return node_error(n, "scale '%s' has element type %s, expected float, float16 or "
					  "bfloat16 like the other scales", s->name, dt_name(s->dtype));
	}
	return 0;
}

/* The output's type: y_zero_point's for QLinear*, int32 for *Integer. */
static int qprod_type(const Node *n)
{
	const Value *yz = node_in(n, 7);

	if (!is_qlinear(n))
		return DT_INT32;
	return yz ? yz->dtype : n->in[0]->dtype;
}

/* The inputs of the product: (a, a_zp, b, b_zp) positions by op. */
static void qprod_inputs(const Node *n, Value **a, Value **az, Value **b, Value **bz)
{
	int q = is_qlinear(n);

	*a = n->in[0];
	*az = node_in(n, 2);
	*b = n->in[q ? 3 : 1];
	*bz = node_in(n, q ? 5 : 3);
}

/* Checks common to both products: types of operands, zero points, scales. */
static int qprod_check(const Node *n, int zmode_b)
{
	Value *a, *az, *b, *bz, view;
	static const int scales[3] = {1, 4, 6};
	int yt = qprod_type(n);

	qprod_inputs(n, &a, &az, &b, &bz);
	if (check_q8(n, 0) != 0 || check_q8(n, is_qlinear(n) ? 3 : 1) != 0)
		return -1;
	if ((az && zp_view(n, a, az, ZP_ROWS, &view) != 0) ||
	    (bz && zp_view(n, b, bz, zmode_b, &view) != 0))
		return -1;
	if (!is_qlinear(n))
		return 0;
	if (yt != DT_INT8 && yt != DT_UINT8)
		return node_error(n, "y_zero_point has element type %s, expected int8 or uint8",
				  dt_name(yt));
	if (value_numel(n->in[6]) != 1 || (node_in(n, 7) && value_numel(n->in[7]) != 1))
		return node_error(n, "y_scale and y_zero_point must be scalars");
	return check_scales(n, scales, 3);
}

/* The requantization of the int32 product c into y: s1 applies per row
 * (of m rows) when it has m elements, s2 per row (rows2) or per column. */
static int requant(Node *n, Lower *L, Value *c, Value *y, int64_t m, int64_t cols, int s2_rows)
{
	Value *s1 = n->in[1], *s2 = n->in[4], *s3 = n->in[6], *z = node_in(n, 7);
	int64_t p[9] = {value_numel(y) / cols, m, cols, 0, 0, 0, 0, z != NULL, 0};
	int sdt = s1->dtype;
	KCall *k;

	p[3] = value_numel(s1) > 1;
	p[5] = s2_rows && value_numel(s2) > 1;
	p[6] = !s2_rows && value_numel(s2) > 1;
	p[8] = sdt == DT_FLOAT16 ? 1 : sdt == DT_BFLOAT16 ? 2 : 0;
	if (widen_half(L, &s1) != 0 || widen_half(L, &s2) != 0 || widen_half(L, &s3) != 0 ||
	    !(k = lower_callf(L, "%s_requant__scalar", dt_short(y->dtype))))
		return -1;
	kcall_buf(k, c);
	kcall_buf(k, s1);
	kcall_buf(k, s2);
	kcall_buf(k, s3);
	if (z)
		kcall_buf(k, z);
	kcall_buf(k, y);
	kcall_ints(k, p, 9);
	return 0;
}

/* A scale of n->in[i] applies per-tensor, or per row of a matrix with `len`
 * rows (columns): shape (len), or (..., len, 1) ((..., 1, len)) with other
 * dimensions 1 (the element count equals len). */
static int check_scale_vec(const Node *n, int i, int64_t len, int cols)
{
	const Value *s = n->in[i];
	int64_t cnt = value_numel(s);
	int at = cols ? s->rank - 1 : s->rank - 2;

	if (cnt == 1 || (cnt == len && (s->rank == 1 || (at >= 0 && s->dims[at] == len))))
		return 0;
	return node_error(n, "scale '%s' must be a scalar or hold one value per %s (%lld)",
			  s->name, cols ? "column" : "row", (long long)len);
}

int qmatmul_infer(Node *n)
{
	Value *a, *az, *b, *bz, ta, tb, ty = *n->out[0], *ins[2], *outs[1];
	Node t;

	qprod_inputs(n, &a, &az, &b, &bz);
	if (qprod_check(n, ZP_COLS) != 0)
		return -1;
	ta = as_i32(a);
	tb = as_i32(b);
	ins[0] = &ta;
	ins[1] = &tb;
	outs[0] = &ty;
	t = proxy(n, ins, 2, outs);
	if (matmul_infer(&t) != 0)
		return -1;
	if (is_qlinear(n) &&
	    (check_scale_vec(n, 1, a->rank >= 2 ? a->dims[a->rank - 2] : 1, 0) != 0 ||
	     check_scale_vec(n, 4, b->rank >= 2 ? b->dims[b->rank - 1] : 1, 1) != 0))
		return -1;
	return set_out(n, 0, qprod_type(n), ty.rank, ty.dims);
}

int qmatmul_lower(Node *n, Lower *L)
{
	Value *a, *az, *b, *bz, *y = n->out[0], *c = y, *ins[2], *outs[1];
	int64_t m, cols;
	Node t;

	if (value_numel(y) == 0)
		return 0;
	qprod_inputs(n, &a, &az, &b, &bz);
	m = a->rank >= 2 ? a->dims[a->rank - 2] : 1;
	cols = b->rank >= 2 ? b->dims[b->rank - 1] : 1;
	if (is_qlinear(n))
		c = lower_temp(L, DT_INT32, y->rank, y->dims);
	if (!(ins[0] = minus_zp(n, L, a, az, ZP_ROWS, DT_INT32)) ||
	    !(ins[1] = minus_zp(n, L, b, bz, ZP_COLS, DT_INT32)))
		return -1;
	outs[0] = c;
	t = proxy(n, ins, 2, outs);
	if (matmul_lower(&t, L) != 0)
		return -1;
	return is_qlinear(n) ? requant(n, L, c, y, m, cols, 0) : 0;
}

/* The proxy Conv's inputs: x, w and, for QLinearConv, the int32 bias. */
static int qconv_ins(const Node *n, Value **x, Value **w, Value **bias)
{
	int q = is_qlinear(n);

	*x = n->in[0];
	*w = n->in[q ? 3 : 1];
	*bias = q ? node_in(n, 8) : NULL;
	if (*bias && (*bias)->dtype != DT_INT32)
		return node_error(n, "bias has element type %s, expected int32", dt_name((*bias)->dtype));
	return 0;
}

int qconv_infer(Node *n)
{
	Value *x, *w, *bias, tx, tw, ty = *n->out[0], *ins[3], *outs[1];
	Node t;

	if (qconv_ins(n, &x, &w, &bias) != 0 || qprod_check(n, ZP_CHANNELS) != 0)
		return -1;
	if (node_in(n, 2) && value_numel(n->in[2]) != 1)
		return node_error(n, "x_zero_point must be a scalar");
	tx = as_i32(x);
	tw = as_i32(w);
	ins[0] = &tx;
	ins[1] = &tw;
	ins[2] = bias;
	outs[0] = &ty;
	t = proxy(n, ins, bias ? 3 : 2, outs);
	if (conv_infer(&t) != 0)
		return -1;
	if (is_qlinear(n) && (value_numel(n->in[1]) != 1 ||
			      (value_numel(n->in[4]) != 1 && (n->in[4]->rank != 1 ||
							      n->in[4]->dims[0] != w->dims[0]))))
		return node_error(n, "x_scale must be a scalar and w_scale a scalar or one value per "
				  "output channel (%lld)", (long long)w->dims[0]);
	return set_out(n, 0, qprod_type(n), ty.rank, ty.dims);
}

/* Sums of integers up to this magnitude are exact in float32. */
#define F32_EXACT ((double)(1 << 24))

/* The integer convolution on the float32 GEMM (qconv_f32).  With x - xz of
 * at most 255 in magnitude, every partial sum of output channel m, in any
 * order, is at most 255 * sum |w[m] - wz[m]| (plus |bias[m]|): when that is
 * at most 2^24, every float sum is exact, and the float convolution gives
 * the int32 result exactly.  Where it is not, each v = w - wz splits into
 * h = round(v / s) and l = v - s h for a power of two s (lower_qsplit): both
 * sums are smaller, and the result is s * H + L in integers.  The float
 * weights are 4 times the bytes (8 split), so the model keeps its 8-bit
 * ones and every run computes them (<w>_qweights) and packs them, in
 * scratch; -Os keeps the int32 path. */
typedef struct QWeights {
	const Value *w, *wz, *bias;
	int64_t m, per;	/* output channels, weights per channel */
} QWeights;

/* Whether every sum of the split by s is exact (the bias goes with l, or
 * with v when s is 1). */
static int qw_exact(const QWeights *q, int64_t s)
{
	int64_t i, j, zn = q->wz ? value_numel(q->wz) : 0;

	for (i = 0; i < q->m; i++) {
		double hs = 0, ls = q->bias ? fabs(const_f64(q->bias, i)) / 255.0 : 0.0;
		double z = zn ? const_f64(q->wz, zn == 1 ? 0 : i) : 0.0;
		for (j = 0; j < q->per; j++) {
			double v = const_f64(q->w, i * q->per + j) - z;
			hs += fabs(lower_qsplit(v, s, 0));
			ls += fabs(lower_qsplit(v, s, 1));
		}
		if (255.0 * (s == 1 ? hs + ls : hs) > F32_EXACT || 255.0 * ls > F32_EXACT)
			return 0;
	}
	return 1;
}

/* In *fw and *fbias the float32 weights and bias of the proxy convolution,
 * split by *s, the smallest that is exact (at most 256): 1, or 0 if none is
 * or an operand is not a constant, -1 on error. */
static int exact_weights(Lower *L, const QWeights *q, int64_t group, Value **fw, Value **fbias,
			 int64_t *s)
{
	int64_t zn = q->wz ? value_numel(q->wz) : 1, rows, i, dims[IR_MAX_RANK];
	float *bd;
	KCall *k;

	if (lower_small || !q->w->data || q->w->is_splat || (q->wz && !q->wz->data) ||
	    (q->bias && !q->bias->data) || (zn != 1 && (zn != q->m || q->wz->dims[0] != q->m)))
		return 0;
	for (*s = 1; *s <= 256 && !qw_exact(q, *s); *s *= 2)
		;
	if (*s > 256)
		return 0;
	rows = *s == 1 ? q->m : 2 * q->m;
	memcpy(dims, q->w->dims, sizeof(int64_t) * q->w->rank);
	dims[0] = rows;
	*fw = lower_temp(L, DT_FLOAT, q->w->rank, dims);
	if (!(k = lower_callf(L, "%s_qweights__scalar", dt_short(q->w->dtype))))
		return -1;
	kcall_buf(k, (Value *)q->w);
	if (q->wz)
		kcall_buf(k, (Value *)q->wz);
	kcall_buf(k, *fw);
	kcall_i(k, q->m);
	kcall_i(k, q->per);
	kcall_i(k, q->m / group);
	kcall_i(k, *s);
	kcall_i(k, q->wz != NULL);
	kcall_i(k, zn);
	*fbias = NULL;
	if (q->bias) {	/* with l (or v): the second of each group's halves */
		int64_t mg = q->m / group;
		bd = xcalloc((size_t)rows + 1, sizeof(float));
		for (i = 0; i < q->m; i++)
			bd[*s == 1 ? i : (i / mg) * 2 * mg + i % mg + mg] = (float)const_f64(q->bias, i);
		*fbias = lower_temp(L, DT_FLOAT, 1, &rows);
		value_set_const(*fbias, bd, 0);
	}
	return 1;
}

/* The integer convolution of n into int32 c on the target's float32 GEMM,
 * when exact_weights finds a split that is exact: x - xz in float scratch,
 * the float convolution (conv_lower_exact) into float scratch, converted to
 * c (as s * H + L when split: f32_hilo).  1 if lowered so, 0 if not (the
 * int32 path applies), -1 on error. */
static int qconv_f32(Node *n, Lower *L, Value *x, Value *w, Value *bias, Value *c)
{
	QWeights q = {w, node_in(n, is_qlinear(n) ? 5 : 3), bias, w->dims[0], 0};
	Value *fw, *fb, *fx, *fy, *ins[3], *outs[1];
	int64_t group = attr_i(n, "group", 1), s, dims[IR_MAX_RANK], os = 1;
	int d, r;
	KCall *k;
	Node t;

	q.per = q.m ? value_numel(w) / q.m : 0;
	if (!gemm_isa(L->cpu))
		return 0;
	if ((r = exact_weights(L, &q, group, &fw, &fb, &s)) <= 0)
		return r;
	memcpy(dims, c->dims, sizeof(int64_t) * c->rank);
	dims[1] = fw->dims[0];
	fy = lower_temp(L, DT_FLOAT, c->rank, dims);
	if (!(fx = minus_zp(n, L, x, node_in(n, 2), ZP_ROWS, DT_FLOAT)))
		return -1;
	ins[0] = fx;
	ins[1] = fw;
	ins[2] = fb;
	outs[0] = fy;
	t = proxy(n, ins, fb ? 3 : 2, outs);
	if (conv_lower_exact(&t, L) != 0)
		return -1;
	for (d = 2; d < c->rank; d++)
		os *= c->dims[d];
	if (!(k = lower_call(L, "f32_hilo__scalar")))
		return -1;
	kcall_buf(k, fy);
	kcall_buf(k, c);
	kcall_i(k, c->dims[0] * group);
	kcall_i(k, q.m / group * os);
	kcall_i(k, s);
	return 1;
}

int qconv_lower(Node *n, Lower *L)
{
	Value *x, *w, *bias, *y = n->out[0], *c = y, *ins[3], *outs[1];
	int64_t os = 1;
	int d, r;
	Node t;

	if (value_numel(y) == 0)
		return 0;
	if (qconv_ins(n, &x, &w, &bias) != 0)
		return -1;
	if (is_qlinear(n))
		c = lower_temp(L, DT_INT32, y->rank, y->dims);
	if ((r = qconv_f32(n, L, x, w, bias, c)) < 0)
		return -1;
	if (r == 0) {
		if (!(ins[0] = minus_zp(n, L, x, node_in(n, 2), ZP_ROWS, DT_INT32)) ||
		    !(ins[1] = minus_zp(n, L, w, node_in(n, is_qlinear(n) ? 5 : 3), ZP_CHANNELS,
					DT_INT32)))
			return -1;
		ins[2] = bias;
		outs[0] = c;
		t = proxy(n, ins, bias ? 3 : 2, outs);
		if (conv_lower(&t, L) != 0)
			return -1;
	}
	for (d = 2; d < y->rank; d++)
		os *= y->dims[d];
	/* Y is N x M x spatial: rows are (image, channel), the channel is the row index. */
	return is_qlinear(n) ? requant(n, L, c, y, y->dims[1], os, 1) : 0;
}
