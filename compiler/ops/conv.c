/* conv.c: Conv over 1 or more spatial axes, lowered to one call of
 * <type>_conv__scalar (templates/conv.h): im2col into a scratch tensor and
 * the GEMM core, per image and group.  float16 and bfloat16 compute in float.
 * float32 on a target with a fast GEMM (templates/gemm_simd.h) calls
 * f32_conv_<tile>__<isa> instead, with constant weights packed at compile time. */
#include <math.h>
#include <string.h>

#include "ops_util.h"

/* Bytes of im2col scratch to aim for: a chunk of columns that stays in L2. */
#define CONV_COL_BYTES ((int64_t)1 << 20)

/* The geometry of one Conv node. */
typedef struct ConvGeom {
	int nd;                     /* spatial axes */
	int64_t group;
	int64_t in[IR_MAX_RANK], k[IR_MAX_RANK], out[IR_MAX_RANK];
	int64_t stride[IR_MAX_RANK], dil[IR_MAX_RANK], pad[2 * IR_MAX_RANK];
} ConvGeom;


/* Check X, W and B against each other. */
static int check_inputs(const Node *n, int64_t group)
{
	const Value *x = n->in[0], *w = n->in[1], *b = node_in(n, 2);
	int i;

	if (x->rank < 3)
		return node_error(n, "input X has rank %d, expected at least 3 (N x C x spatial)", x->rank);
	if (w->rank != x->rank)
		return node_error(n, "input W has rank %d, expected %d as X", w->rank, x->rank);
	if (w->dtype != x->dtype || (b && b->dtype != x->dtype))
		return node_error(n, "inputs have different element types");
	if (group < 1 || x->dims[1] != w->dims[1] * group)
		return node_error(n, "X has %lld channels, but W has %lld per group and group is %lld",
				  (long long)x->dims[1], (long long)w->dims[1], (long long)group);
	if (w->dims[0] % group)
		return node_error(n, "W has %lld output channels, not a multiple of group %lld",
				  (long long)w->dims[0], (long long)group);
	for (i = 2; i < w->rank; i++)
		if (w->dims[i] < 1)
			return node_error(n, "W's spatial dimension %d is %lld, expected at least 1", i - 2,
					  (long long)w->dims[i]);
	if (b && (b->rank != 1 || b->dims[0] != w->dims[0]))
		return node_error(n, "input B must have shape (%lld)", (long long)w->dims[0]);
	return 0;
}

/* Pads and output size of axis i under auto_pad (NOTSET uses the pads attribute). */
static int axis_out(const Node *n, ConvGeom *c, int i, const char *auto_pad)
{
	int ovf = 0;
	int64_t dk = ck_add(ck_mul(c->k[i] - 1, c->dil[i], &ovf), 1, &ovf), padded;
	int64_t *pb = &c->pad[i], *pe = &c->pad[c->nd + i];

	if (strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0) {
		int64_t out = c->in[i] / c->stride[i] + (c->in[i] % c->stride[i] != 0);
		int64_t total = ck_sub(ck_add(ck_mul(out - 1, c->stride[i], &ovf), dk, &ovf),
				       c->in[i], &ovf);
		if (total < 0)
			total = 0;
		*pb = auto_pad[5] == 'U' ? total / 2 : total - total / 2;
		*pe = total - *pb;
	} else if (strcmp(auto_pad, "VALID") == 0) {
		*pb = *pe = 0;
	} else if (strcmp(auto_pad, "NOTSET") != 0 && auto_pad[0]) {
		return node_error(n, "auto_pad is '%s', expected NOTSET, SAME_UPPER, SAME_LOWER or VALID",
				  auto_pad);
	}
	padded = ck_add(ck_add(c->in[i], *pb, &ovf), *pe, &ovf);
	if (ovf)
		return node_error(n, "spatial axis %d: kernel %lld, dilation %lld, stride %lld and pads "
				  "%lld, %lld give sizes that overflow 64 bits", i, (long long)c->k[i],
				  (long long)c->dil[i], (long long)c->stride[i], (long long)*pb,
				  (long long)*pe);
	if (padded < dk)
		return node_error(n, "spatial axis %d: the kernel spans %lld but the padded input %lld",
				  i, (long long)dk, (long long)padded);
	c->out[i] = (padded - dk) / c->stride[i] + 1;
	return 0;
}

static int conv_geom(const Node *n, ConvGeom *c)
{
	const Value *x = n->in[0], *w = n->in[1];
	const char *auto_pad = attr_s(n, "auto_pad", "NOTSET");
	int i;

	c->group = attr_i(n, "group", 1);
	if (check_inputs(n, c->group) != 0)
		return -1;
	c->nd = x->rank - 2;
	for (i = 0; i < c->nd; i++)
		c->in[i] = x->dims[i + 2];
	if (attr_list(n, "kernel_shape", c->nd, 1, 1, c->k) != 0 ||
	    attr_list(n, "strides", c->nd, 1, 1, c->stride) != 0 ||
	    attr_list(n, "dilations", c->nd, 1, 1, c->dil) != 0 ||
	    attr_list(n, "pads", 2 * c->nd, 0, 0, c->pad) != 0)
		return -1;
	for (i = 0; i < c->nd; i++) {
		if (node_attr(n, "kernel_shape") && c->k[i] != w->dims[i + 2])
			return node_error(n, "kernel_shape[%d] is %lld but W's dimension is %lld", i,
					  (long long)c->k[i], (long long)w->dims[i + 2]);
		c->k[i] = w->dims[i + 2];
		if (axis_out(n, c, i, auto_pad) != 0)
			return -1;
	}
	return 0;
}

int conv_infer(Node *n)
{
	ConvGeom c;
	int64_t dims[IR_MAX_RANK];

	if (conv_geom(n, &c) != 0)
		return -1;
	dims[0] = n->in[0]->dims[0];
	dims[1] = n->in[1]->dims[0];
	memcpy(dims + 2, c.out, sizeof(int64_t) * c.nd);
	return set_out(n, 0, n->in[0]->dtype, c.nd + 2, dims);
}

/* Whether the input itself is the im2col matrix: a 1x1 kernel, stride 1, no pads. */
static int is_pointwise(const ConvGeom *c)
{
	int i;

	for (i = 0; i < c->nd; i++)
		if (c->k[i] != 1 || c->stride[i] != 1 || c->pad[i] || c->pad[c->nd + i])
			return 0;
	return 1;
}

/* The plane form's product (mg x chunk floats) goes through scratch: a chunk
 * keeps it within this many bytes, in L2. */
#define CONV_PLANE_PRODUCT_BYTES ((int64_t)256 << 10)

/* Output columns per im2col chunk of the os positions, a multiple of the
 * GEMM tile width nr. */
static int64_t col_chunk(int64_t os, int64_t kdim, int dtype, int64_t nr)
{
	int64_t chunk = CONV_COL_BYTES / (kdim * dt_size(dtype));

	chunk = chunk < nr ? nr : chunk / nr * nr;
	return chunk < os ? chunk : os;
}

/* Tile slots a product of m rows by the positions takes, chunk after chunk,
 * with rows in tiles of mr and positions in panels of w (in double: an
 * estimate, whatever the sizes). */
static double tile_area(int64_t m, int64_t mr, int64_t os, int64_t chunk, int64_t w)
{
	double cols = (double)(os / chunk) * (double)((chunk + w - 1) / w * w);

	if (os % chunk)
		cols += (double)((os % chunk + w - 1) / w * w);
	return (double)((m + mr - 1) / mr) * (double)mr * cols;
}

/* The plane form's chunk: the product within CONV_PLANE_PRODUCT_BYTES (the
 * micro-kernel reads the planes in place: no col to keep small). */
static int64_t plane_chunk(int64_t positions, int64_t mg, int64_t nr)
{
	int64_t most = CONV_PLANE_PRODUCT_BYTES / (mg * (int64_t)sizeof(float)) / nr * nr;

	most = most < nr ? nr : most;
	return positions < most ? positions : most;
}

/* The rows and columns of one of its phase planes, as
 * onnxcc_conv_plane_rows/cols (templates/gemm_simd.h) compute them. */
static int64_t plane_dim(const ConvGeom *c, int d)
{
	return c->out[d] + (c->k[d] - 1) * c->dil[d] / c->stride[d];
}

/* Whether a 2-D convolution's phase planes (onnxcc_rt.h) for `channels`
 * channels stay within 4 times the padded image (strides past the image would
 * make them far bigger) and 2^36 elements; in double, so no size overflows. */
static int phases_fit(const ConvGeom *c, int64_t channels)
{
	double planes, image;

	if (c->nd != 2)
		return 0;
	planes = (double)c->stride[0] * (double)c->stride[1] * (double)plane_dim(c, 0) *
		 (double)plane_dim(c, 1);
	image = ((double)c->in[0] + (double)c->pad[0] + (double)c->pad[2]) *
		((double)c->in[1] + (double)c->pad[1] + (double)c->pad[3]);
	return planes <= 4.0 * image + 4096.0 &&
	       planes * (double)channels <= (double)((int64_t)1 << 36);
}

/* ONNXCC_CONV_WINO's transformed inputs and products of a chunk (36 x the
 * channels x its tiles) take up to this many bytes.  Every chunk reads all
 * the transformed weights again, so chunks bigger than L2 win (4 MB against
 * 1: 3-8% faster on bench/'s models, Zen 5), up to where the scratch
 * fragments the arena (4 MB: ResNet-50's is 1.27 times its lower bound). */
#define CONV_WINO_BYTES ((int64_t)2 << 20)

/* Whether Winograd F(4x4, 3x3) (ONNXCC_CONV_WINO) applies: 2-D, a 3 x 3
 * kernel, stride and dilation 1, float32 weights known now (their transform
 * is computed at compile time, or at the first run from a splat), and not
 * -Os (the transform is 4 times the weights). */
static int wino_applies(const ConvGeom *c, const Value *w)
{
	/* the scratch of a chunk of a few tile rows stays far from 64-bit sizes */
	double row = 36.0 * ((double)c->out[1] / 4 + 2) * ((double)w->dims[0] + (double)w->dims[1]);

	return !lower_small && c->nd == 2 && c->k[0] == 3 && c->k[1] == 3 && c->stride[0] == 1 &&
	       c->stride[1] == 1 && c->dil[0] == 1 && c->dil[1] == 1 && w->dtype == DT_FLOAT &&
	       (w->data || w->is_splat) && row * 64.0 < (double)((int64_t)1 << 40);
}

/* Slots of r rows of w, in panels of nr. */
static double panels(int64_t r, int64_t w, int64_t nr)
{
	return ceil((double)r * (double)w / (double)nr) * (double)nr;
}

/* ONNXCC_CONV_WINO's chunk: whole tile rows of tw + 1 slots (conv.h), at
 * least two panels of nr slots, else within CONV_WINO_BYTES; of those row
 * counts the one that wastes the least of its panels (in double: any sizes). */
static int64_t wino_chunk(const ConvGeom *c, int64_t cg, int64_t mg, int64_t nr)
{
	int64_t th = (c->out[0] + 3) / 4, tw = (c->out[1] + 3) / 4, rows, r, best;
	double fit = (double)CONV_WINO_BYTES / (144.0 * ((double)cg + (double)mg) * (double)(tw + 1));
	double least = ceil(2.0 * (double)nr / (double)(tw + 1));

	rows = fit >= (double)th ? th : fit < least ? (int64_t)least : (int64_t)fit;
	rows = rows < th ? rows : th;
	for (best = r = rows; r >= rows / 2 && r >= least && r > rows - 64; r--)
		if (panels(r, tw + 1, nr) / (double)r < panels(best, tw + 1, nr) / (double)best)
			best = r;
	return best * (tw + 1);
}

/* Whether the SIMD convolution can read phase planes (conv.h's
 * ONNXCC_CONV_PLANE): an im2col to save, and the planes of the cg channels
 * of a group fit. */
static int plane_applies(const ConvGeom *c, int use_col, int64_t cg)
{
	return use_col && phases_fit(c, cg);
}

/* The form of the SIMD convolution (conv.h) with the least estimated cost, in
 * multiply-adds of the tiles the product computes (padding included), plus
 * what the rest costs in the same unit (measured on AVX-512, in the models
 * of bench/): an im2col row element 40, transposing the product
 * (ONNXCC_CONV_ROWS) 80 an output, the planes' copy of the product into Y 25
 * an output.  Winograd (when wino) is four times the weights (12 a float
 * read, for every chunk), the tiles of its 36 products, the input transform
 * 800 a tile slot and channel, the output transform 600 a slot and output
 * channel; transposed, the packing of A and the transposition 25 a slot,
 * channel and point.  positions: the product's columns in the plane form. */
#define CONV_WEIGHT 12.0
#define WINO_IN 800.0
#define WINO_OUT 600.0
#define WINO_TRANS 25.0
static int conv_form(const GemmIsa *isa, const ConvGeom *c, int64_t mg, int64_t cg,
		     int64_t os, int64_t kdim, int use_col, int dtype, int64_t positions, int wino)
{
	double k = (double)kdim, out = (double)mg * (double)os;
	double im2col = use_col ? 40.0 * k * (double)os : 0;
	int64_t cc = use_col ? col_chunk(os, kdim, dtype, isa->nr) : os;
	int64_t cr = use_col ? col_chunk(os, kdim, dtype, isa->mr) : os;
	double cols = tile_area(mg, isa->mr, os, cc, isa->nr) * k + im2col;
	double rows = tile_area(mg, isa->nr, os, cr, isa->mr) * k + 80.0 * out + im2col;
	double plane = 0;
	int form = CONV_COLS;

	if (kdim > 0 && rows < cols)
		form = CONV_ROWS;
	if (plane_applies(c, use_col, cg)) {	/* use_col: kdim > 0 */
		int64_t cp = plane_chunk(positions, mg, isa->nr);
		plane = tile_area(mg, isa->mr, positions, cp, isa->nr) * k + 25.0 * out;
		if (plane < (form == CONV_ROWS ? rows : cols))
			form = CONV_PLANE;
	}
	if (wino) {	/* the products' tile slots in panels, each way */
		int64_t th = (c->out[0] + 3) / 4, slots = th * ((c->out[1] + 3) / 4 + 1);
		int64_t wc = wino_chunk(c, cg, mg, isa->nr), wr = wino_chunk(c, cg, mg, isa->mr);
		double best = (form == CONV_PLANE ? plane : form == CONV_ROWS ? rows : cols) +
			      CONV_WEIGHT * k * (double)mg;
		double xf = (WINO_IN * (double)cg + WINO_OUT * (double)mg) * (double)slots;
		double u = CONV_WEIGHT * 36.0 * (double)cg * (double)mg;
		double wcols = 36.0 * tile_area(mg, isa->mr, slots, wc, isa->nr) * (double)cg + xf +
			       u * ceil((double)slots / (double)wc);
		double wrows = 36.0 * tile_area(mg, isa->nr, slots, wr, isa->mr) * (double)cg + xf +
			       u * ceil((double)slots / (double)wr) +
			       36.0 * WINO_TRANS * ((double)mg + (double)cg) * (double)slots;
		if (wcols < best)
			form = CONV_WINO, best = wcols;
		if (wrows < best)
			form = CONV_WINO_ROWS;
	}
	return form;
}

/* conv_lower, with `exact` for a float32 convolution of integers whose sums
 * are exact in float (quant.c): no Winograd form, whose transforms round. */
static int lower_conv(Node *n, Lower *L, int exact)
{
	Value *x = n->in[0], *w = n->in[1], *b = node_in(n, 2), *y = n->out[0], *yt, *wk;
	ConvGeom c;
	int64_t kdim = w->dims[1], chunk = 0, os = 1, mg;
	int i, use_col, packw = 0, dw, form = CONV_COLS;
	int64_t positions, planes = 0;	/* the product's, of the padded planes (CONV_PLANE) */
	const GemmIsa *isa;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (conv_geom(n, &c) != 0)
		return -1;
	for (i = 0; i < c.nd; i++)
		kdim *= c.k[i];
	for (i = 0; i < c.nd; i++)
		os *= c.out[i];
	mg = w->dims[0] / c.group;
	use_col = kdim > 0 && !is_pointwise(&c);
	if (widen_half(L, &x) != 0 || widen_half(L, &w) != 0 || widen_half(L, &b) != 0 ||
	    !(yt = half_out(L, y)))
		return -1;
	/* float32 takes the target's fast GEMM, except for depthwise-like
	 * convolutions (a single output channel per group) */
	isa = x->dtype == DT_FLOAT && mg > 1 ? gemm_isa(L->cpu) : NULL;
	/* a 2-D depthwise convolution (one input and one output channel per
	 * group) takes the direct kernel: no col */
	dw = c.nd == 2 && mg == 1 && w->dims[1] == 1 && kdim > 0 &&
	     (x->dtype == DT_FLOAT || x->dtype == DT_DOUBLE);
	if (dw)
		use_col = 0;
	wk = w;	/* the weights the convolution reads: w, or w packed */
	positions = os;
	if (isa && plane_applies(&c, use_col, w->dims[1]))
		positions = (c.out[0] - 1) * plane_dim(&c, 1) + c.out[1];
	if (isa)
		form = conv_form(isa, &c, mg, w->dims[1], os, kdim, use_col, x->dtype, positions,
				 !exact && wino_applies(&c, w));
	if (form == CONV_WINO || form == CONV_WINO_ROWS)
		use_col = 0;	/* no col: the transforms read the image */
	if (form == CONV_PLANE) {
		planes = w->dims[1] * c.stride[0] * c.stride[1] * plane_dim(&c, 0) * plane_dim(&c, 1);
		chunk = plane_chunk(positions, mg, isa->nr);
		use_col = 0;	/* the micro-kernel reads the planes in place */
	} else {
		positions = os;
	}
	if (isa) {
		/* the panel width of the weights: MR as the A operand, NR as B */
		int64_t wpw = form == CONV_ROWS ? isa->nr : isa->mr;
		/* the weights of each group, mg x kdim (the A operand, or B in the
		 * rows form), packed at compile time, at the first run (a splat),
		 * or else at every run before the convolution */
		packw = 1;
		if (form == CONV_WINO || form == CONV_WINO_ROWS) {
			wk = lower_wino_weights(L, w, isa, form == CONV_WINO ? isa->mr : isa->nr,
						c.group, mg, w->dims[1]);
		} else if (w->is_splat) {
			wk = lower_prepack_splat(L, w, isa, wpw, c.group, mg, kdim);
		} else if (w->data) {
			wk = lower_prepack(L, w, isa, wpw, c.group, mg * kdim, mg, kdim, kdim, 1);
		} else {
			int64_t dims[1] = {c.group * ((mg + wpw - 1) / wpw * wpw) * kdim};
			int64_t pp[8] = {wpw, isa->kc, c.group, mg * kdim, mg, kdim, kdim, 1};
			Value *wp = lower_temp(L, DT_FLOAT, 1, dims);
			KCall *pk = lower_call(L, "f32_prepack__scalar");
			if (!pk)
				return -1;
			kcall_buf(pk, w);
			kcall_buf(pk, wp);
			kcall_ints(pk, pp, 8);
			wk = wp;
		}
	}
	if (!(k = isa ? lower_callf(L, "f32_conv_%s", isa->suffix)
		 : dw ? lower_callf(L, "%s_dwconv2d__scalar", dt_short(x->dtype))
		      : lower_callf(L, "%s_conv__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, wk);
	kcall_buf(k, yt);
	if (b)
		kcall_buf(k, b);
	if (use_col) {
		/* the fast kernel's col is packed: whole panels of nr columns */
		int64_t dims[2], wp = !isa ? 1 : form == CONV_ROWS ? isa->mr : isa->nr;
		chunk = col_chunk(positions, kdim, x->dtype, isa ? wp : 8);
		dims[0] = kdim;
		dims[1] = (chunk + wp - 1) / wp * wp;
		if (isa)	/* one col per thread */
			dims[0] *= lower_threads;
		kcall_buf(k, lower_temp(L, x->dtype, 2, dims));
	}
	if (isa) {
		/* a row of col, or the GEMM's packing */
		int64_t dims[1];
		if (form == CONV_WINO || form == CONV_WINO_ROWS) {
			chunk = wino_chunk(&c, w->dims[1], mg,
					   form == CONV_WINO ? isa->nr : isa->mr);
			dims[0] = conv_isa_scratch(isa, mg, os, w->dims[1], chunk, 0, form,
						   wino_temps(chunk));
		} else {
			dims[0] = conv_isa_scratch(isa, mg, os, kdim, chunk, use_col, form, planes);
		}
		dims[0] *= lower_threads;	/* one scratch per thread */
		kcall_buf(k, lower_temp(L, DT_FLOAT, 1, dims));
	}
	kcall_i(k, c.nd);
	kcall_i(k, x->dims[0]);
	kcall_i(k, x->dims[1]);
	kcall_i(k, w->dims[0]);
	kcall_i(k, c.group);
	kcall_i(k, b != NULL);
	kcall_i(k, use_col);
	kcall_i(k, chunk);
	kcall_ints(k, c.in, c.nd);
	kcall_ints(k, c.k, c.nd);
	kcall_ints(k, c.out, c.nd);
	kcall_ints(k, c.stride, c.nd);
	kcall_ints(k, c.dil, c.nd);
	kcall_ints(k, c.pad, c.nd);
	if (isa)
		kcall_i(k, packw);
	kcall_epilogue(k, n);
	if (node_in(n, 3))	/* a fused residual (passes/fuse.c) */
		kcall_buf(k, n->in[3]);
	if (isa)
		kcall_i(k, form);
	if (dw) {
		/* the phase planes, unless strides past the image would make them
		 * far bigger than it: then the row path */
		int phases = phases_fit(&c, 1);
		kcall_i(k, phases);
		if (phases) {
			int64_t dims[1] = {phases_scratch(c.out, c.k, c.stride, c.dil) * lower_threads};
			kcall_buf(k, lower_temp(L, x->dtype, 1, dims));
		}
	}
	return narrow_half(L, yt, y);
}

int conv_lower(Node *n, Lower *L)
{
	return lower_conv(n, L, 0);
}

int conv_lower_exact(Node *n, Lower *L)
{
	return lower_conv(n, L, 1);
}
