/* sample.c: GridSample, AffineGrid, DeformConv and CenterCropPad: reading
 * and placing images at computed coordinates (kernels in templates/sample.h).
 *
 * The sampling kernels exist for float and double: float16 and bfloat16
 * compute in float, integer images in double (converted back as a Cast
 * would).  AffineGrid's and CenterCropPad's output shapes come from a size
 * input: when it is run-time data, the model's declared output shape is used
 * and checked against the data at run time.  CenterCropPad is a fill and one
 * strided copy. */
#include <string.h>

#include "ops_util.h"
#include "onnxcc_rt.h"
#include "sample.h"

/* The type the sampling kernels compute a tensor of type dt in. */
static int compute_type(int dt)
{
	return dt == DT_FLOAT || dt == DT_FLOAT16 || dt == DT_BFLOAT16 ? DT_FLOAT : DT_DOUBLE;
}

/* v converted to dt in a scratch tensor (v itself if it has that type); NULL after an error. */
static Value *as_type(Lower *L, Value *v, int dt)
{
	Value *t;

	if (!v || v->dtype == dt)
		return v;
	t = lower_temp(L, dt, v->rank, v->dims);
	return lower_convert(L, v, t) == 0 ? t : NULL;
}

/* Where a kernel computing in dt writes output y: y, or a scratch that store_as() converts. */
static Value *out_as(Lower *L, Value *y, int dt)
{
	return y->dtype == dt ? y : lower_temp(L, dt, y->rank, y->dims);
}

/* y = t converted, when out_as() gave a scratch. */
static int store_as(Lower *L, Value *t, Value *y)
{
	return lower_convert(L, t, y);
}

/* A string attribute among the three names, into *out; -1 after an error. */
static int attr_pick(const Node *n, const char *name, const char *def, const char *const *names,
		     int64_t *out)
{
	const char *s = attr_s(n, name, def);
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	return node_error(n, "%s '%s' is not supported at opset %d (expected %s, %s or %s)", name,
			  s, n->version, names[0], names[1], names[2]);
}

/* GridSample ---------------------------------------------------------------- */

/* Mode names in the order of ONNXCC_GS_*: opset 16 says bilinear and bicubic. */
static const char *const gs_modes16[] = {"bilinear", "nearest", "bicubic"};
static const char *const gs_modes20[] = {"linear", "nearest", "cubic"};
static const char *const gs_paddings[] = {"zeros", "border", "reflection"};

/* Mode and padding mode of a GridSample node, checked with its inputs. */
static int gs_params(const Node *n, int64_t *mode, int64_t *padding)
{
	const Value *x = n->in[0], *g = n->in[1];
	int r = x->rank - 2, d;

	if (attr_pick(n, "mode", n->version < 20 ? "bilinear" : "linear",
		      n->version < 20 ? gs_modes16 : gs_modes20, mode) != 0 ||
	    attr_pick(n, "padding_mode", "zeros", gs_paddings, padding) != 0)
		return -1;
	if (x->rank < 3 || (n->version < 20 && x->rank != 4))
		return node_error(n, "input X has rank %d, expected %s", x->rank,
				  n->version < 20 ? "4" : "at least 3");
	if (!dt_is_int(x->dtype) && !dt_is_float(x->dtype))
		return node_error(n, "input X has element type %s, expected a number type",
				  dt_name(x->dtype));
	if (!dt_is_float(g->dtype))
		return node_error(n, "input grid has element type %s, expected a float type",
				  dt_name(g->dtype));
	if (g->rank != x->rank || g->dims[0] != x->dims[0] || g->dims[g->rank - 1] != r)
		return node_error(n, "input grid must have shape (%lld, spatial..., %d) for X of rank %d",
				  (long long)x->dims[0], r, x->rank);
	for (d = 2; d < x->rank; d++)
		if (x->dims[d] < 1 && value_numel(g) > 0 && x->dims[1] > 0)
			return node_error(n, "input X has an empty spatial axis %d to sample from", d);
	return 0;
}

int gridsample_infer(Node *n)
{
	const Value *x = n->in[0], *g = n->in[1];
	int64_t mode, padding, dims[IR_MAX_RANK];
	int d;

	if (gs_params(n, &mode, &padding) != 0)
		return -1;
	dims[0] = x->dims[0];
	dims[1] = x->dims[1];
	for (d = 2; d < x->rank; d++)
		dims[d] = g->dims[d - 1];
	return set_out(n, 0, x->dtype, x->rank, dims);
}

int gridsample_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *g = n->in[1], *y = n->out[0], *t;
	int64_t mode, padding;
	int ct = compute_type(x->dtype);
	KCall *k;

	if (gs_params(n, &mode, &padding) != 0)
		return -1;
	if (value_numel(y) == 0)
		return 0;
	if (!(x = as_type(L, x, ct)) || !(g = as_type(L, g, ct)))
		return -1;
	t = out_as(L, y, ct);
	if (!(k = lower_callf(L, "%s_gridsample__scalar", dt_short(ct))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, g);
	kcall_buf(k, t);
	kcall_i(k, x->dims[0]);
	kcall_i(k, x->dims[1]);
	kcall_i(k, x->rank - 2);
	kcall_i(k, mode);
	kcall_i(k, padding);
	kcall_i(k, attr_i(n, "align_corners", 0) != 0);
	kcall_ints(k, x->dims + 2, x->rank - 2);
	kcall_ints(k, t->dims + 2, t->rank - 2);
	return store_as(L, t, y);
}

/* AffineGrid ---------------------------------------------------------------- */

/* The spatial rank (2 or 3) of an AffineGrid node, checked with its inputs. */
static int affine_rank(const Node *n)
{
	const Value *th = n->in[0], *s = n->in[1];
	int r;

	if (!dt_is_float(th->dtype))
		return node_error(n, "input theta has element type %s, expected a float type",
				  dt_name(th->dtype));
	if (th->rank != 3 || !((th->dims[1] == 2 && th->dims[2] == 3) ||
			       (th->dims[1] == 3 && th->dims[2] == 4)))
		return node_error(n, "input theta must have shape (N, 2, 3) or (N, 3, 4)");
	r = (int)th->dims[1];
	if (s->dtype != DT_INT64 || s->rank != 1 || s->dims[0] != r + 2)
		return node_error(n, "input size must be %d int64 values for theta of shape (N, %d, %d)",
				  r + 2, r, r + 1);
	return r;
}

int affinegrid_infer(Node *n)
{
	const Value *th = n->in[0], *s = n->in[1], *y;
	int64_t dims[IR_MAX_RANK];
	int r = affine_rank(n), d;

	if (r < 0)
		return -1;
	if (s->data) {
		if (const_i64(s, 0) != th->dims[0] || const_i64(s, 1) < 0)
			return node_error(n, "size starts with N = %lld and C = %lld; theta has N = %lld",
					  (long long)const_i64(s, 0), (long long)const_i64(s, 1),
					  (long long)th->dims[0]);
		dims[0] = th->dims[0];
		for (d = 0; d < r; d++)
			if ((dims[d + 1] = const_i64(s, d + 2)) < 0)
				return node_error(n, "size has a negative dimension");
		dims[r + 1] = r;
		return set_out(n, 0, th->dtype, r + 2, dims);
	}
	if (set_out_declared(n, 0, th->dtype, s) != 0)
		return -1;
	y = n->out[0];
	if (y->rank != r + 2 || y->dims[0] != th->dims[0] || y->dims[r + 1] != r)
		return node_error(n, "declared output shape must be (%lld, spatial..., %d)",
				  (long long)th->dims[0], r);
	return 0;
}

int affinegrid_lower(Node *n, Lower *L)
{
	Value *th = n->in[0], *s = n->in[1], *y = n->out[0], *t;
	int r = affine_rank(n), ct = compute_type(th->dtype);
	KCall *k;

	if (r < 0)
		return -1;
	if (value_numel(y) == 0 && s->data)
		return 0;
	if (!(th = as_type(L, th, ct)))
		return -1;
	t = out_as(L, y, ct);
	if (!(k = lower_callf(L, "%s_affinegrid__scalar", dt_short(ct))))
		return -1;
	kcall_buf(k, th);
	kcall_buf(k, s);
	kcall_buf(k, t);
	if (!s->data)
		kcall_checks(k);
	kcall_i(k, th->dims[0]);
	kcall_i(k, r);
	kcall_i(k, attr_i(n, "align_corners", 0) != 0);
	kcall_i(k, !s->data);
	kcall_ints(k, y->dims + 1, r);
	return store_as(L, t, y);
}

/* DeformConv ---------------------------------------------------------------- */

/* The geometry of a DeformConv node: p[] as the kernel takes it (without the flags). */
typedef struct Deform {
	int64_t N, C, H, W, M, OH, OW, KH, KW, group, ogroup, SH, SW, DH, DW, PH, PW;
} Deform;

/* X, W and the attributes: everything but offset and mask. */
static int deform_geom(const Node *n, Deform *g)
{
	const Value *x = n->in[0], *w = n->in[1];
	int64_t pads[4], st[2], dil[2], ks[2], eh, ew;

	if (x->rank != 4 || w->rank != 4)
		return node_error(n, "only 2-D DeformConv is supported: X and W must have rank 4");
	if (!dt_is_float(x->dtype) || w->dtype != x->dtype)
		return node_error(n, "X and W must have the same float element type");
	if (attr_list(n, "pads", 4, 0, 0, pads) != 0 || attr_list(n, "strides", 2, 1, 1, st) != 0 ||
	    attr_list(n, "dilations", 2, 1, 1, dil) != 0 ||
	    attr_list(n, "kernel_shape", 2, 1, 1, ks) != 0)
		return -1;
	if (node_attr(n, "kernel_shape") && (ks[0] != w->dims[2] || ks[1] != w->dims[3]))
		return node_error(n, "kernel_shape differs from W's spatial dimensions");
	*g = (Deform){.N = x->dims[0], .C = x->dims[1], .H = x->dims[2], .W = x->dims[3],
		      .M = w->dims[0], .KH = w->dims[2], .KW = w->dims[3],
		      .group = attr_i(n, "group", 1), .ogroup = attr_i(n, "offset_group", 1),
		      .SH = st[0], .SW = st[1], .DH = dil[0], .DW = dil[1], .PH = pads[0],
		      .PW = pads[1]};
	if (g->group < 1 || g->C != w->dims[1] * g->group || g->M % g->group != 0)
		return node_error(n, "X has %lld channels, W has %lld per group, %lld outputs, and "
				  "group is %lld", (long long)g->C, (long long)w->dims[1],
				  (long long)g->M, (long long)g->group);
	if (g->ogroup < 1 || g->C % g->ogroup != 0)
		return node_error(n, "offset_group %lld does not divide the %lld input channels",
				  (long long)g->ogroup, (long long)g->C);
	if (g->KH < 1 || g->KW < 1)
		return node_error(n, "W has an empty kernel");
	eh = (g->KH - 1) * g->DH + 1;
	ew = (g->KW - 1) * g->DW + 1;
	g->OH = (g->H + pads[0] + pads[2] - eh) / g->SH + 1;
	g->OW = (g->W + pads[1] + pads[3] - ew) / g->SW + 1;
	if (g->H + pads[0] + pads[2] < eh || g->W + pads[1] + pads[3] < ew)
		return node_error(n, "the kernel is larger than the padded input");
	return 0;
}

/* An input of shape (N, per * ogroup * KH * KW, OH, OW), or absent. */
static int deform_check(const Node *n, const Deform *g, int i, const char *what, int64_t per)
{
	const Value *v = node_in(n, i);
	int64_t want[4] = {g->N, per * g->ogroup * g->KH * g->KW, g->OH, g->OW};

	if (!v)
		return 0;
	if (v->dtype != n->in[0]->dtype || v->rank != 4 || memcmp(v->dims, want, sizeof want) != 0)
		return node_error(n, "input %s must have shape (%lld, %lld, %lld, %lld) and X's type",
				  what, (long long)want[0], (long long)want[1], (long long)want[2],
				  (long long)want[3]);
	return 0;
}

/* Everything a DeformConv node says, checked. */
static int deform_params(const Node *n, Deform *g)
{
	const Value *b = node_in(n, 3);

	if (deform_geom(n, g) != 0 || deform_check(n, g, 2, "offset", 2) != 0 ||
	    deform_check(n, g, 4, "mask", 1) != 0)
		return -1;
	if (b && (b->dtype != n->in[0]->dtype || b->rank != 1 || b->dims[0] != g->M))
		return node_error(n, "input B must have shape (%lld) and X's type", (long long)g->M);
	return 0;
}

int deformconv_infer(Node *n)
{
	Deform g;
	int64_t dims[4];

	if (deform_params(n, &g) != 0)
		return -1;
	dims[0] = g.N;
	dims[1] = g.M;
	dims[2] = g.OH;
	dims[3] = g.OW;
	return set_out(n, 0, n->in[0]->dtype, 4, dims);
}

int deformconv_lower(Node *n, Lower *L)
{
	Value *in[5], *y = n->out[0], *t;
	int ct = compute_type(y->dtype), i;
	Deform g;
	KCall *k;

	if (deform_params(n, &g) != 0)
		return -1;
	if (value_numel(y) == 0)
		return 0;
	for (i = 0; i < 5; i++)
		if (node_in(n, i) && !(in[i] = as_type(L, n->in[i], ct)))
			return -1;
	t = out_as(L, y, ct);
	if (!(k = lower_callf(L, "%s_deformconv__scalar", dt_short(ct))))
		return -1;
	for (i = 0; i < 5; i++)
		if (node_in(n, i))
			kcall_buf(k, in[i]);
	kcall_buf(k, t);
	{
		const int64_t p[] = {g.N, g.C, g.H, g.W, g.M, g.OH, g.OW, g.KH, g.KW, g.group, g.ogroup,
				     g.SH, g.SW, g.DH, g.DW, g.PH, g.PW};
		kcall_ints(k, p, (int)(sizeof p / sizeof p[0]));
	}
	kcall_i(k, node_in(n, 3) != NULL);
	kcall_i(k, node_in(n, 4) != NULL);
	return store_as(L, t, y);
}

/* CenterCropPad ------------------------------------------------------------- */

/* The axes a CenterCropPad node resizes (in attribute order); their count, or -1. */
static int ccp_axes(const Node *n, int64_t *axes)
{
	const Value *x = n->in[0], *s = n->in[1];
	const int64_t *a;
	char seen[IR_MAX_RANK] = {0};
	int k = attr_ints(n, "axes", &a), has = k >= 0, i;

	if (x->dtype == DT_STRING || dt_size(x->dtype) == 0)
		return node_error(n, "element type %s is not supported", dt_name(x->dtype));
	if (k < 0)
		k = x->rank;
	if (k > x->rank)
		return node_error(n, "axes has %d entries, more than the input rank %d", k, x->rank);
	for (i = 0; i < k; i++) {
		if (!has)
			axes[i] = i;
		else if (norm_axis(n, a[i], x->rank, &axes[i]) != 0)
			return -1;
		if (seen[axes[i]]++)
			return node_error(n, "axis %lld is repeated", (long long)axes[i]);
	}
	if (!s)
		return node_error(n, "input shape is missing (its name is empty)");
	if ((s->dtype != DT_INT64 && s->dtype != DT_INT32) || s->rank != 1 || s->dims[0] != k)
		return node_error(n, "input shape must hold %d int64 or int32 values, one per axis", k);
	return k;
}

int centercroppad_infer(Node *n)
{
	const Value *x = n->in[0], *s = n->in[1], *y;
	int64_t axes[IR_MAX_RANK], dims[IR_MAX_RANK];
	char listed[IR_MAX_RANK] = {0};
	int k = ccp_axes(n, axes), i;

	if (k < 0)
		return -1;
	if (s->data) {
		memcpy(dims, x->dims, sizeof dims);
		for (i = 0; i < k; i++)
			if ((dims[axes[i]] = const_i64(s, i)) < 0)
				return node_error(n, "shape has a negative value");
		return set_out(n, 0, x->dtype, x->rank, dims);
	}
	if (set_out_declared(n, 0, x->dtype, s) != 0)
		return -1;
	y = n->out[0];
	if (y->rank != x->rank)
		return node_error(n, "declared output rank %d differs from the input rank %d", y->rank,
				  x->rank);
	for (i = 0; i < k; i++)
		listed[axes[i]] = 1;
	for (i = 0; i < x->rank; i++)
		if (!listed[i] && y->dims[i] != x->dims[i])
			return node_error(n, "declared output dimension %d differs from the input's, but "
					  "that axis is not cropped or padded", i);
	return 0;
}

/* A run-time shape input must equal the output's dimensions on the axes. */
static int ccp_check(Node *n, Lower *L, const int64_t *axes, int k)
{
	Value *s = n->in[1], *y = n->out[0];
	KCall *c;
	int i;

	if (!(s = as_type(L, s, DT_INT64)) || !(c = lower_call(L, "i64_shape_check__scalar")))
		return -1;
	kcall_buf(c, s);
	kcall_checks(c);
	kcall_i(c, k);
	for (i = 0; i < k; i++)
		kcall_i(c, y->dims[axes[i]]);
	return 0;
}

int centercroppad_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t axes[IR_MAX_RANK], xst[IR_MAX_RANK], yst[IR_MAX_RANK], dims[IR_MAX_RANK];
	int64_t xoff = 0, yoff = 0;
	int k = ccp_axes(n, axes), d, pads = 0;
	KCall *c;

	if (k < 0 || (!n->in[1]->data && ccp_check(n, L, axes, k) != 0))
		return -1;
	value_strides(x, xst);
	value_strides(y, yst);
	for (d = 0; d < x->rank; d++) {
		int64_t in = x->dims[d], out = y->dims[d];
		dims[d] = in < out ? in : out;
		xoff += (in > out ? (in - out) / 2 : 0) * xst[d];
		yoff += (out > in ? (out - in) / 2 : 0) * yst[d];
		pads |= out > in;
	}
	if (pads && value_numel(y) > 0) {
		if (!(c = lower_callf(L, "%s_fillp__scalar", width_prefix(y->dtype))))
			return -1;
		kcall_buf(c, y);
		kcall_i(c, value_numel(y));
		kcall_i(c, 0);
	}
	return lower_strided(L, x, xoff, y, yoff, x->rank, dims, xst, yst);
}
