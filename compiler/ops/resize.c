/* resize.c: Resize (opsets 10-19) and Upsample (7-9).
 *
 * A resize is separable: per output axis, each coordinate reads a few input
 * coordinates with fixed weights (templates/resize.h computes these tables
 * with the reference implementation's rules).  Nearest lowers to one N-d
 * gather through per-axis offset tables; linear and cubic to one weighted
 * pass per resized axis (floats in float, half types widened to float, other
 * types computed in double and cast back as the reference does), cheapest
 * axes (those that shrink most) first.  With constant scales, sizes and roi
 * the tables are constants; otherwise the output has its declared shape and
 * table kernels compute them at run time, checking that shape. */
#include <stdlib.h>
#include <string.h>

#include "ops_util.h"
#include "onnxcc_rt.h"
#include "resize.h"

/* What a node's attributes and inputs ask for. */
typedef struct Plan {
	int64_t cfg[ONNXCC_RS_NCFG];
	double a, extrap;
	int64_t naxes, axes[IR_MAX_RANK];
	Value *ss;                    /* scales or sizes input; NULL: attribute scales */
	int has_sizes;
	double attr_scales[IR_MAX_RANK];
	Value *roi;                   /* tf_crop_and_resize's box, or NULL */
} Plan;

/* Attribute spellings, in the order of the ONNXCC_RS_* values. */
static const char *const modes[] = {"nearest", "linear", "cubic"};
static const char *const ctms[] = {
	"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
	"asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize",
};
static const char *const nearest_modes[] = {
	"round_prefer_floor", "round_prefer_ceil", "floor", "ceil",
};
static const char *const policies[] = {"stretch", "not_larger", "not_smaller"};

/* The value of string attribute `name` among names[n], into *out; -1 after an error. */
static int attr_enum(const Node *n, const char *name, const char *def, const char *const *names,
		     int count, int64_t *out)
{
	const char *s = attr_s(n, name, def);
	int i;

	for (i = 0; i < count; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	return node_error(n, "%s '%s' is not supported", name, s);
}

/* Resize-10 and Upsample: asymmetric coordinates, scales only (an attribute
 * before Upsample-9). */
static int plan_legacy(const Node *n, Plan *pl, int r)
{
	const Attr *sa = node_attr(n, "scales");
	int i;

	if (attr_enum(n, "mode", "nearest", modes, 2, &pl->cfg[ONNXCC_RS_MODE]) != 0)
		return -1;
	pl->cfg[ONNXCC_RS_CTM] = ONNXCC_RS_ASYMMETRIC;
	pl->cfg[ONNXCC_RS_NEAREST_MODE] = ONNXCC_RS_SIMPLE;
	if (n->nin > 1) {
		if (!(pl->ss = n->in[1]))
			return node_error(n, "input 1 (scales) is required");
		return 0;
	}
	if (!sa || sa->type != AT_FLOATS || sa->n != r)
		return node_error(n, "attribute 'scales' must hold %d floats (the input rank)", r);
	for (i = 0; i < r; i++)
		pl->attr_scales[i] = sa->floats[i];
	return 0;
}

/* The axes that scales, sizes and roi refer to (attribute since opset 18). */
static int plan_axes(const Node *n, Plan *pl, int r)
{
	const int64_t *a;
	char seen[IR_MAX_RANK] = {0};
	int k = n->version >= 18 ? attr_ints(n, "axes", &a) : -1, i;

	if (k < 0) {
		pl->naxes = r;
		for (i = 0; i < r; i++)
			pl->axes[i] = i;
		return 0;
	}
	if (k > r)
		return node_error(n, "axes has %d entries, more than the input rank %d", k, r);
	for (i = 0; i < k; i++) {
		if (norm_axis(n, a[i], r, &pl->axes[i]) != 0)
			return -1;
		if (seen[pl->axes[i]]++)
			return node_error(n, "axis %lld is repeated", (long long)a[i]);
	}
	pl->naxes = k;
	return 0;
}

/* Resize-11 and later: attributes, then the scales or sizes and roi inputs. */
static int plan_resize(const Node *n, Plan *pl, int r)
{
	Value *sc = node_in(n, 2), *sz = node_in(n, 3), *roi = node_in(n, 1);

	if (attr_enum(n, "mode", "nearest", modes, 3, &pl->cfg[ONNXCC_RS_MODE]) != 0 ||
	    attr_enum(n, "coordinate_transformation_mode", "half_pixel", ctms, 7,
		      &pl->cfg[ONNXCC_RS_CTM]) != 0 ||
	    attr_enum(n, "nearest_mode", "round_prefer_floor", nearest_modes, 4,
		      &pl->cfg[ONNXCC_RS_NEAREST_MODE]) != 0 ||
	    attr_enum(n, "keep_aspect_ratio_policy", "stretch", policies, 3,
		      &pl->cfg[ONNXCC_RS_POLICY]) != 0 || plan_axes(n, pl, r) != 0)
		return -1;
	if (pl->cfg[ONNXCC_RS_CTM] == ONNXCC_RS_TF_HALF_PIXEL_FOR_NN && n->version >= 13)
		return node_error(n, "coordinate_transformation_mode 'tf_half_pixel_for_nn' was "
				  "removed in opset 13");
	pl->cfg[ONNXCC_RS_ANTIALIAS] = attr_i(n, "antialias", 0) != 0;
	pl->cfg[ONNXCC_RS_EXCLUDE] = attr_i(n, "exclude_outside", 0) != 0;
	pl->a = attr_f(n, "cubic_coeff_a", -0.75);
	pl->extrap = attr_f(n, "extrapolation_value", 0.0);
	if (sz && value_numel(sz) > 0) {
		if (sc && value_numel(sc) > 0)
			return node_error(n, "scales and sizes are both given; one must be empty");
		if (sz->dtype != DT_INT64)
			return node_error(n, "sizes has element type %s, expected int64",
					  dt_name(sz->dtype));
		pl->ss = sz;
		pl->has_sizes = 1;
	} else if (sc && value_numel(sc) > 0) {
		pl->ss = sc;
	} else {
		return node_error(n, "needs a non-empty scales or sizes input");
	}
	if (pl->cfg[ONNXCC_RS_CTM] == ONNXCC_RS_TF_CROP_AND_RESIZE && roi && value_numel(roi) > 0) {
		if (!dt_is_float(roi->dtype) || roi->rank != 1 || roi->dims[0] != 2 * pl->naxes)
			return node_error(n, "roi must be a 1-D float tensor of %lld values",
					  (long long)(2 * pl->naxes));
		pl->roi = roi;
	}
	return 0;
}

/* Everything the node says, checked. */
static int plan_of(const Node *n, Plan *pl)
{
	int r = n->in[0]->rank;

	memset(pl, 0, sizeof *pl);
	pl->a = -0.75;
	if (r < 1)
		return node_error(n, "input has rank 0, expected at least 1");
	if (strcmp(n->op->aux, "legacy") == 0) {
		pl->naxes = r;
		for (int i = 0; i < r; i++)
			pl->axes[i] = i;
		if (plan_legacy(n, pl, r) != 0)
			return -1;
	} else if (plan_resize(n, pl, r) != 0) {
		return -1;
	}
	if (pl->ss && (pl->ss->rank != 1 || pl->ss->dims[0] != pl->naxes))
		return node_error(n, "input '%s' must hold %lld values, one per resized axis",
				  pl->ss->name, (long long)pl->naxes);
	if (pl->ss && !pl->has_sizes && pl->ss->dtype != DT_FLOAT)
		return node_error(n, "scales has element type %s, expected float",
				  dt_name(pl->ss->dtype));
	return 0;
}

/* Whether the output shape is known at compile time. */
static int shape_is_const(const Plan *pl)
{
	return !pl->ss || pl->ss->data;
}

/* Scales, output widths and dims from constant scales or sizes. */
static int plan_shape(const Node *n, const Plan *pl, double *scale, double *width, int64_t *out)
{
	const Value *x = n->in[0];
	double sc[IR_MAX_RANK];
	int64_t sz[IR_MAX_RANK], i;

	for (i = 0; i < pl->naxes; i++) {
		sc[i] = !pl->ss ? pl->attr_scales[i] : pl->has_sizes ? 0 : const_f64(pl->ss, i);
		sz[i] = pl->has_sizes ? const_i64(pl->ss, i) : 0;
	}
	if (onnxcc_resize_shape(x->rank, x->dims, pl->naxes, pl->axes, pl->has_sizes ? NULL : sc,
				pl->has_sizes ? sz : NULL, pl->cfg[ONNXCC_RS_POLICY], scale, width,
				out) != 0)
		return node_error(n, "scales must be positive and finite, sizes not negative");
	return 0;
}

/* A declared output shape must keep the axes that are not resized. */
static int check_declared(const Node *n, const Plan *pl)
{
	const Value *x = n->in[0], *y = n->out[0];
	char listed[IR_MAX_RANK] = {0};
	int d;

	for (d = 0; d < pl->naxes; d++)
		listed[pl->axes[d]] = 1;
	if (y->rank != x->rank)
		return node_error(n, "declared output rank %d differs from the input rank %d",
				  y->rank, x->rank);
	for (d = 0; d < x->rank; d++)
		if (!listed[d] && y->dims[d] != x->dims[d])
			return node_error(n, "declared output dimension %d differs from the input's, "
					  "but that axis is not resized", d);
	return 0;
}

int resize_infer(Node *n)
{
	Value *x = n->in[0], *y;
	double scale[IR_MAX_RANK], width[IR_MAX_RANK];
	int64_t out[IR_MAX_RANK];
	Plan pl;
	int d;

	if (plan_of(n, &pl) != 0)
		return -1;
	if (dt_size(x->dtype) == 0 || x->dtype == DT_STRING || x->dtype == DT_COMPLEX64 ||
	    x->dtype == DT_COMPLEX128)
		return node_error(n, "element type %s is not supported", dt_name(x->dtype));
	if (shape_is_const(&pl)) {
		if (plan_shape(n, &pl, scale, width, out) != 0 ||
		    set_out(n, 0, x->dtype, x->rank, out) != 0)
			return -1;
	} else if (set_out_declared(n, 0, x->dtype, pl.ss) != 0 || check_declared(n, &pl) != 0) {
		return -1;
	}
	y = n->out[0];
	for (d = 0; d < x->rank; d++)
		if (x->dims[d] == 0 && y->dims[d] > 0)
			return node_error(n, "axis %d is empty in the input but not in the output", d);
	return 0;
}

/* Tables --------------------------------------------------------------------- */

/* roi's box on axis d (default: the whole axis). */
static void roi_of(const Plan *pl, int d, double *r0, double *r1)
{
	int64_t i;

	*r0 = 0;
	*r1 = 1;
	for (i = 0; pl->roi && i < pl->naxes; i++)
		if (pl->axes[i] == d) {
			*r0 = const_f64(pl->roi, i);
			*r1 = const_f64(pl->roi, pl->naxes + i);
		}
}

/* The most taps an axis of in elements may need; s_lo is a lower bound of its scale. */
static int64_t taps_bound(const Plan *pl, double s_lo, int64_t in)
{
	int64_t m = onnxcc_resize_half_window(pl->cfg, s_lo, in) + 1;

	return 2 * m < in ? 2 * m : in;
}

/* Compile-time tables of axis d (W NULL for nearest's offsets): *n taps each. */
static int axis_tables(const Node *n, const Plan *pl, int d, const double *scale,
		       const double *width, int64_t stride, int64_t **T, double **W, int64_t *nt)
{
	const Value *x = n->in[0], *y = n->out[0];
	int64_t in = x->dims[d], out = y->dims[d], cap = W ? taps_bound(pl, scale[d], in) : 1;
	int64_t most, j, k;
	double r0, r1;

	roi_of(pl, d, &r0, &r1);
	*T = xcalloc((size_t)(out * cap), sizeof(int64_t));
	if (W)
		*W = xcalloc((size_t)(out * cap), sizeof(double));
	most = onnxcc_resize_axis(pl->cfg, pl->a, in, out, scale[d], width[d], r0, r1, cap, stride,
				  *T, W ? *W : NULL);
	if (most < 0)
		die("resize: axis %d needs more than %lld taps", d, (long long)cap);
	*nt = most < 1 ? 1 : most;
	/* Repack to the taps actually used (the first ones of each coordinate). */
	for (j = 0; W && j < out; j++)
		for (k = 0; k < *nt; k++) {
			(*T)[j * *nt + k] = (*T)[j * cap + k];
			(*W)[j * *nt + k] = (*W)[j * cap + k];
		}
	return 0;
}

/* Whether a one-tap table maps every coordinate to itself with weight 1. */
static int is_identity(const int64_t *T, const double *W, int64_t nt, int64_t in, int64_t out)
{
	int64_t j;

	if (nt != 1 || in != out)
		return 0;
	for (j = 0; j < out; j++)
		if (T[j] != j || W[j] != 1)
			return 0;
	return 1;
}

/* A scratch tensor holding constant data (owned by the value from now on). */
static Value *const_temp(Lower *L, int dtype, int64_t count, void *data)
{
	Value *v = lower_temp(L, dtype, 1, &count);

	value_set_const(v, data, 0);
	return v;
}

/* A call of the run-time table kernel for axis d, n taps (0: nearest's
 * offsets with stride), writing T (at byte offset toff) and W. */
static int table_call(Node *n, Lower *L, const Plan *pl, int d, int64_t nt, int64_t stride,
		      Value *T, int64_t toff, Value *W)
{
	const Value *x = n->in[0], *y = n->out[0];
	Value *roi = pl->roi;
	KCall *k;

	if (!(k = lower_callf(L, "%s_resize_table__scalar", roi ? dt_short(roi->dtype) : "f32")))
		return -1;
	kcall_buf(k, pl->ss);
	if (roi)
		kcall_buf(k, roi);
	kcall_buf_at(k, T, toff);
	if (W)
		kcall_buf(k, W);
	kcall_checks(k);
	kcall_i(k, x->rank);
	kcall_i(k, d);
	kcall_i(k, nt);
	kcall_i(k, stride);
	kcall_i(k, pl->has_sizes);
	kcall_i(k, roi != NULL);
	kcall_i(k, pl->naxes);
	kcall_ints(k, pl->cfg, ONNXCC_RS_NCFG);
	kcall_ints(k, pl->axes, (int)pl->naxes);
	kcall_ints(k, x->dims, x->rank);
	kcall_ints(k, y->dims, y->rank);
	kcall_f(k, pl->a);
	return 0;
}

/* Whether the tables can be computed now. */
static int tables_are_const(const Plan *pl)
{
	return shape_is_const(pl) && (!pl->roi || pl->roi->data);
}

/* Nearest ------------------------------------------------------------------- */

/* The bits of the extrapolation value in the output's type. */
static int64_t fill_bits(int dtype, double v)
{
	uint64_t bits = 0;
	void *e;

	if (dtype == DT_BOOL)
		return v != 0;
	e = scalar_of(dtype, v);
	memcpy(&bits, e, (size_t)dt_size(dtype));
	free(e);
	return (int64_t)bits;
}

/* One gather; the offset table has one entry per output coordinate of each axis. */
static int lower_nearest(Node *n, Lower *L, const Plan *pl, const double *scale,
			 const double *width)
{
	Value *x = n->in[0], *y = n->out[0], *T;
	int64_t total = 0, off = 0, st[IR_MAX_RANK], s = 1, nt, *tab = NULL;
	int d, r = x->rank;
	KCall *k;

	for (d = r - 1; d >= 0; d--) {
		st[d] = s;
		s *= x->dims[d];
		total += y->dims[d];
	}
	if (tables_are_const(pl)) {
		int64_t *all = xcalloc((size_t)total, sizeof(int64_t));
		for (d = 0; d < r; off += y->dims[d], d++) {
			axis_tables(n, pl, d, scale, width, st[d], &tab, NULL, &nt);
			memcpy(all + off, tab, sizeof(int64_t) * y->dims[d]);
			free(tab);
		}
		T = const_temp(L, DT_INT64, total, all);
	} else {
		T = lower_temp(L, DT_INT64, 1, &total);
		for (d = 0; d < r; off += y->dims[d], d++)
			if (table_call(n, L, pl, d, 0, st[d], T, off * 8, NULL) != 0)
				return -1;
	}
	if (!(k = lower_callf(L, "%s_resize_nearest__scalar", width_prefix(y->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, T);
	kcall_buf(k, y);
	kcall_i(k, r);
	kcall_i(k, fill_bits(y->dtype, pl->extrap));
	kcall_ints(k, y->dims, r);
	return 0;
}

/* Linear and cubic ------------------------------------------------------------ */

/* One axis to interpolate: its tables and taps. */
typedef struct Pass {
	int d;
	int64_t nt;
	Value *T, *W;
} Pass;

/* The type passes compute in: float for float and half types, else double. */
static int compute_type(int dtype)
{
	return dtype == DT_DOUBLE ? DT_DOUBLE : dt_is_float(dtype) ? DT_FLOAT : DT_DOUBLE;
}

/* A conversion of v into a new scratch tensor of type dt. */
static Value *convert(Lower *L, Value *v, Value *to)
{
	KCall *k = lower_callf(L, "%s_to_%s__scalar", dt_short(v->dtype), dt_short(to->dtype));

	if (!k)
		return NULL;
	kcall_buf(k, v);
	kcall_buf(k, to);
	kcall_i(k, value_numel(v));
	return to;
}

/* Compile-time passes: the axes whose tables are not the identity. */
static int const_passes(Node *n, Lower *L, const Plan *pl, const double *scale,
			const double *width, Pass *ps)
{
	const Value *x = n->in[0], *y = n->out[0];
	int d, np = 0;
	int64_t *T, nt, cnt;
	double *W;

	for (d = 0; d < x->rank; d++) {
		axis_tables(n, pl, d, scale, width, 1, &T, &W, &nt);
		if (is_identity(T, W, nt, x->dims[d], y->dims[d])) {
			free(T);
			free(W);
			continue;
		}
		cnt = y->dims[d] * nt;
		ps[np].d = d;
		ps[np].nt = nt;
		ps[np].T = const_temp(L, DT_INT64, cnt, T);
		ps[np++].W = const_temp(L, DT_DOUBLE, cnt, W);
	}
	return np;
}

/* Run-time passes: every listed axis, with tables computed by the generated code. */
static int runtime_passes(Node *n, Lower *L, const Plan *pl, Pass *ps)
{
	const Value *x = n->in[0], *y = n->out[0];
	int i;

	for (i = 0; i < pl->naxes; i++) {
		int d = (int)pl->axes[i];
		int64_t in = x->dims[d], out = y->dims[d], cnt;
		ps[i].d = d;
		ps[i].nt = taps_bound(pl, ((double)out - 0.5) / (double)in, in);
		cnt = out * ps[i].nt;
		ps[i].T = lower_temp(L, DT_INT64, 1, &cnt);
		ps[i].W = lower_temp(L, DT_DOUBLE, 1, &cnt);
		if (table_call(n, L, pl, d, ps[i].nt, 1, ps[i].T, 0, ps[i].W) != 0)
			return -1;
	}
	return (int)pl->naxes;
}

/* Passes that shrink the data most go first. */
static void order_passes(const Node *n, Pass *ps, int np)
{
	const Value *x = n->in[0], *y = n->out[0];
	int i, j;

	for (i = 1; i < np; i++)
		for (j = i; j > 0; j--) {
			const Pass *a = &ps[j - 1], *b = &ps[j];
			if ((double)y->dims[b->d] / (double)x->dims[b->d] >=
			    (double)y->dims[a->d] / (double)x->dims[a->d])
				break;
			Pass t = ps[j];
			ps[j] = ps[j - 1];
			ps[j - 1] = t;
		}
}

/* One axis call from cur (dims) into next. */
static int pass_call(Lower *L, const Pass *ps, Value *cur, Value *next, double extrap)
{
	int64_t outer = 1, inner = 1;
	int d;
	KCall *k;

	for (d = 0; d < cur->rank; d++) {
		if (d < ps->d)
			outer *= cur->dims[d];
		else if (d > ps->d)
			inner *= cur->dims[d];
	}
	if (!(k = lower_callf(L, "%s_resize_axis__scalar", dt_short(cur->dtype))))
		return -1;
	kcall_buf(k, cur);
	kcall_buf(k, ps->T);
	kcall_buf(k, ps->W);
	kcall_buf(k, next);
	kcall_i(k, outer);
	kcall_i(k, cur->dims[ps->d]);
	kcall_i(k, inner);
	kcall_i(k, next->dims[ps->d]);
	kcall_i(k, ps->nt);
	kcall_f(k, extrap);
	return 0;
}

/* The passes in order, through scratch tensors of the compute type. */
static int lower_interp(Node *n, Lower *L, const Plan *pl, const double *scale,
			const double *width)
{
	Value *x = n->in[0], *y = n->out[0], *cur = x, *next;
	int ct = compute_type(y->dtype), np, i;
	int64_t dims[IR_MAX_RANK];
	Pass ps[IR_MAX_RANK];

	np = tables_are_const(pl) ? const_passes(n, L, pl, scale, width, ps)
				  : runtime_passes(n, L, pl, ps);
	if (np < 0)
		return -1;
	if (np == 0)
		return convert(L, x, y) ? 0 : -1;
	order_passes(n, ps, np);
	if (x->dtype != ct && !(cur = convert(L, x, lower_temp(L, ct, x->rank, x->dims))))
		return -1;
	memcpy(dims, x->dims, sizeof dims);
	for (i = 0; i < np; i++) {
		dims[ps[i].d] = y->dims[ps[i].d];
		next = i == np - 1 && y->dtype == ct ? y : lower_temp(L, ct, y->rank, dims);
		if (pass_call(L, &ps[i], cur, next, pl->extrap) != 0)
			return -1;
		cur = next;
	}
	return cur == y || convert(L, cur, y) ? 0 : -1;
}

int resize_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	double scale[IR_MAX_RANK], width[IR_MAX_RANK];
	int64_t out[IR_MAX_RANK];
	Plan pl;

	if (value_numel(y) == 0)
		return 0;
	if (plan_of(n, &pl) != 0)
		return -1;
	/* Folding may have made a run-time input constant since infer took the declared shape. */
	if (shape_is_const(&pl)) {
		if (plan_shape(n, &pl, scale, width, out) != 0)
			return -1;
		if (memcmp(out, y->dims, sizeof(int64_t) * x->rank) != 0)
			return node_error(n, "the constant scales or sizes give a shape other than "
					  "the declared %s", shape_str(y, (char[128]){0}, 128));
	}
	/* Run-time table kernels read a float16 roi as float. */
	if (!tables_are_const(&pl) && widen_half(L, &pl.roi) != 0)
		return -1;
	if (pl.cfg[ONNXCC_RS_MODE] == ONNXCC_RS_NEAREST)
		return lower_nearest(n, L, &pl, scale, width);
	return lower_interp(n, L, &pl, scale, width);
}
