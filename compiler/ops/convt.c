/* convt.c: ConvTranspose, Col2Im and MaxUnpool: the ops that scatter into
 * their output (templates/convt.h).  ConvTranspose is the GEMM core of
 * linalg.h (W^T X, a chunk of input positions at a time) followed by a col2im
 * scatter-add; Col2Im is that scatter alone.  LpPool is a row of the pool
 * family (ops/pool.c) whose kernel lives in templates/convt.h.
 * float16 and bfloat16 compute in float. */
#include <string.h>

#include "ops_util.h"

/* Bytes of column scratch to aim for: a chunk that stays in L2. */
#define CONVT_COL_BYTES ((int64_t)1 << 20)

/* The geometry of one ConvTranspose node. */
typedef struct ConvtGeom {
	int nd;
	int64_t group, m;           /* output channels */
	int64_t in[IR_MAX_RANK], k[IR_MAX_RANK], out[IR_MAX_RANK];
	int64_t stride[IR_MAX_RANK], dil[IR_MAX_RANK], opad[IR_MAX_RANK];
	int64_t pad[2 * IR_MAX_RANK];
} ConvtGeom;


/* Python's floor division by 2, as the ONNX reference splits a (possibly
 * negative) total padding. */
static int64_t floor_half(int64_t x)
{
	return x >= 0 ? x / 2 : -((-x + 1) / 2);
}

/* Check X, W and B against each other; sets c->m. */
static int convt_inputs(const Node *n, ConvtGeom *c)
{
	const Value *x = n->in[0], *w = n->in[1], *b = node_in(n, 2);
	int i;

	if (x->rank < 3)
		return node_error(n, "input X has rank %d, expected at least 3 (N x C x spatial)", x->rank);
	if (w->rank != x->rank)
		return node_error(n, "input W has rank %d, expected %d as X", w->rank, x->rank);
	if (w->dtype != x->dtype || (b && b->dtype != x->dtype))
		return node_error(n, "inputs have different element types");
	if (c->group < 1 || x->dims[1] % c->group || w->dims[0] != x->dims[1])
		return node_error(n, "X has %lld channels, W's first dimension is %lld and group is %lld",
				  (long long)x->dims[1], (long long)w->dims[0], (long long)c->group);
	for (i = 2; i < w->rank; i++)
		if (w->dims[i] < 1)
			return node_error(n, "W's spatial dimension %d is %lld, expected at least 1", i - 2,
					  (long long)w->dims[i]);
	c->m = w->dims[1] * c->group;
	if (b && (b->rank != 1 || b->dims[0] != c->m))
		return node_error(n, "input B must have shape (%lld)", (long long)c->m);
	return 0;
}

/* Pads from a wanted output size: the total split as auto_pad says (the
 * spec's rule, with the ONNX reference's floor division). */
/* The full output size of axis i, stride * (in - 1) + output_padding +
 * (k - 1) * dilation + 1; -1 after node_error if it overflows. */
static int64_t full_size(const Node *n, const ConvtGeom *c, int i)
{
	int ovf = 0;
	int64_t f = ck_add(ck_add(ck_mul(c->stride[i], c->in[i] - 1, &ovf), c->opad[i], &ovf),
			   ck_add(ck_mul(c->k[i] - 1, c->dil[i], &ovf), 1, &ovf), &ovf);

	if (ovf)
		return node_error(n, "spatial axis %d: stride %lld, output_padding %lld, kernel %lld "
				  "and dilation %lld give sizes that overflow 64 bits", i,
				  (long long)c->stride[i], (long long)c->opad[i], (long long)c->k[i],
				  (long long)c->dil[i]);
	return f;
}

static void pads_for_out(ConvtGeom *c, int i, int upper, int64_t full)
{
	int64_t total = full - c->out[i];

	c->pad[i] = upper ? floor_half(total) : total - floor_half(total);
	c->pad[c->nd + i] = total - c->pad[i];
}

/* Output size and pads of every axis: output_shape, then auto_pad, then pads. */
static int convt_out(const Node *n, ConvtGeom *c)
{
	const char *ap = attr_s(n, "auto_pad", "NOTSET");
	const int64_t *os;
	int nos = attr_ints(n, "output_shape", &os), i, same, upper = strcmp(ap, "SAME_UPPER") == 0;

	same = upper || strcmp(ap, "SAME_LOWER") == 0;
	if (!same && strcmp(ap, "VALID") != 0 && strcmp(ap, "NOTSET") != 0 && ap[0])
		return node_error(n, "auto_pad is '%s', expected NOTSET, SAME_UPPER, SAME_LOWER or VALID", ap);
	if (nos >= 0 && nos != c->nd && nos != c->nd + 2)
		return node_error(n, "attribute output_shape has %d values, expected %d", nos, c->nd);
	for (i = 0; i < c->nd; i++) {
		int64_t full = full_size(n, c, i);
		int ovf = 0;
		if (full < 0)
			return -1;
		if (nos >= 0 || same) {
			c->out[i] = nos >= 0 ? os[nos - c->nd + i] : ck_mul(c->in[i], c->stride[i], &ovf);
			if (c->out[i] < 0 || c->out[i] > full + ((int64_t)1 << 40))
				ovf = 1;	/* pads would pass any size */
			pads_for_out(c, i, upper, full);
		} else {
			if (strcmp(ap, "VALID") == 0)
				c->pad[i] = c->pad[c->nd + i] = 0;
			c->out[i] = ck_sub(ck_sub(full, c->pad[i], &ovf), c->pad[c->nd + i], &ovf);
		}
		if (ovf)
			return node_error(n, "spatial axis %d: output size or pads out of range", i);
		if (c->out[i] < 0)
			return node_error(n, "spatial axis %d: output size %lld is negative", i,
					  (long long)c->out[i]);
	}
	return 0;
}

static int convt_geom(const Node *n, ConvtGeom *c)
{
	const Value *x = n->in[0], *w = n->in[1];
	int i;

	c->group = attr_i(n, "group", 1);
	if (convt_inputs(n, c) != 0)
		return -1;
	c->nd = x->rank - 2;
	if (attr_list(n, "kernel_shape", c->nd, 1, 1, c->k) != 0 ||
	    attr_list(n, "strides", c->nd, 1, 1, c->stride) != 0 ||
	    attr_list(n, "dilations", c->nd, 1, 1, c->dil) != 0 ||
	    attr_list(n, "output_padding", c->nd, 0, 0, c->opad) != 0 ||
	    attr_list(n, "pads", 2 * c->nd, 0, 0, c->pad) != 0)
		return -1;
	for (i = 0; i < c->nd; i++) {
		if (node_attr(n, "kernel_shape") && c->k[i] != w->dims[i + 2])
			return node_error(n, "kernel_shape[%d] is %lld but W's dimension is %lld", i,
					  (long long)c->k[i], (long long)w->dims[i + 2]);
		c->k[i] = w->dims[i + 2];
		c->in[i] = x->dims[i + 2];
	}
	return convt_out(n, c);
}

int convtranspose_infer(Node *n)
{
	ConvtGeom c;
	int64_t dims[IR_MAX_RANK];

	if (convt_geom(n, &c) != 0)
		return -1;
	dims[0] = n->in[0]->dims[0];
	dims[1] = c.m;
	memcpy(dims + 2, c.out, sizeof(int64_t) * c.nd);
	return set_out(n, 0, n->in[0]->dtype, c.nd + 2, dims);
}

/* Input positions per GEMM chunk: the column scratch stays near CONVT_COL_BYTES. */
static int64_t convt_chunk(const ConvtGeom *c, int64_t rows, int dtype)
{
	int64_t is = 1, chunk = CONVT_COL_BYTES / ((rows > 0 ? rows : 1) * dt_size(dtype));
	int i;

	for (i = 0; i < c->nd; i++)
		is *= c->in[i];
	chunk = chunk < 8 ? 8 : chunk / 8 * 8;
	return chunk < is ? chunk : is;
}

/* The col2im geometry block of convt.h. */
static void kcall_col2im_geom(KCall *k, int nd, const int64_t *grid, const int64_t *ks,
			      const int64_t *st, const int64_t *dl, const int64_t *pd,
			      const int64_t *img)
{
	kcall_i(k, nd);
	kcall_ints(k, grid, nd);
	kcall_ints(k, ks, nd);
	kcall_ints(k, st, nd);
	kcall_ints(k, dl, nd);
	kcall_ints(k, pd, nd);
	kcall_ints(k, img, nd);
}

int convtranspose_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *w = n->in[1], *b = node_in(n, 2), *y = n->out[0], *yt;
	ConvtGeom c;
	int64_t rows, chunk, dims[2];
	int i;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (convt_geom(n, &c) != 0)
		return -1;
	rows = c.m / c.group;
	for (i = 0; i < c.nd; i++)
		rows *= c.k[i];
	if (widen_half(L, &x) != 0 || widen_half(L, &w) != 0 || widen_half(L, &b) != 0 ||
	    !(yt = half_out(L, y)) ||
	    !(k = lower_callf(L, "%s_convtranspose__scalar", dt_short(x->dtype))))
		return -1;
	chunk = convt_chunk(&c, rows, x->dtype);
	dims[0] = rows;
	dims[1] = chunk > 0 ? chunk : 1;
	kcall_buf(k, x);
	kcall_buf(k, w);
	kcall_buf(k, yt);
	if (b)
		kcall_buf(k, b);
	kcall_buf(k, lower_temp(L, x->dtype, 2, dims));
	kcall_i(k, x->dims[0]);
	kcall_i(k, x->dims[1]);
	kcall_i(k, c.m);
	kcall_i(k, c.group);
	kcall_i(k, b != NULL);
	kcall_i(k, dims[1]);
	kcall_col2im_geom(k, c.nd, c.in, c.k, c.stride, c.dil, c.pad, c.out);
	return narrow_half(L, yt, y);
}

/* Col2Im: the output is N x C x image_shape, C = input dim 1 / prod(block_shape).
 * With both shape inputs constant the compiler computes it, else the model
 * must declare it; the kernel checks the inputs at run time either way. */
int col2im_infer(Node *n)
{
	const Value *x = n->in[0], *is = n->in[1], *bs = n->in[2];
	int64_t img[IR_MAX_RANK], blk[IR_MAX_RANK], dims[IR_MAX_RANK], kk = 1;
	int ni, nb, i, ovf = 0;

	if (x->rank != 3)
		return node_error(n, "input has rank %d, expected 3 (N x C*prod(block) x L)", x->rank);
	if (is->rank != 1 || bs->rank != 1 || is->dims[0] != bs->dims[0] || is->dims[0] < 1 ||
	    is->dims[0] > IR_MAX_RANK - 2 || is->dtype != DT_INT64 || bs->dtype != DT_INT64)
		return node_error(n, "image_shape and block_shape must be int64 vectors of one length "
				  "between 1 and %d", IR_MAX_RANK - 2);
	if (!is->data || !bs->data)
		return set_out_declared(n, 0, x->dtype, is->data ? bs : is);
	if ((ni = const_ints(n, 1, img, IR_MAX_RANK)) < 0 || (nb = const_ints(n, 2, blk, IR_MAX_RANK)) < 0)
		return -1;
	for (i = 0; i < nb; i++) {
		if (blk[i] < 1 || img[i] < 0)
			return node_error(n, "block_shape[%d] is %lld and image_shape[%d] %lld", i,
					  (long long)blk[i], i, (long long)img[i]);
		kk = ck_mul(kk, blk[i], &ovf);
	}
	if (ovf)
		return node_error(n, "prod(block_shape) overflows 64 bits");
	if (x->dims[1] % kk)
		return node_error(n, "input dimension 1 (%lld) is not a multiple of prod(block_shape) %lld",
				  (long long)x->dims[1], (long long)kk);
	dims[0] = x->dims[0];
	dims[1] = x->dims[1] / kk;
	memcpy(dims + 2, img, sizeof(int64_t) * ni);
	return set_out(n, 0, x->dtype, ni + 2, dims);
}

int col2im_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *yt;
	int64_t dl[IR_MAX_RANK], pads[2 * IR_MAX_RANK], st[IR_MAX_RANK];
	int nd = (int)n->in[1]->dims[0];
	KCall *k;

	if (y->rank != nd + 2 || y->dims[0] != x->dims[0])
		return node_error(n, "output shape does not match N x C x image_shape");
	if (value_numel(y) == 0)
		return 0;
	if (attr_list(n, "dilations", nd, 1, 1, dl) != 0 || attr_list(n, "strides", nd, 1, 1, st) != 0 ||
	    attr_list(n, "pads", 2 * nd, 0, 0, pads) != 0)
		return -1;
	if (widen_half(L, &x) != 0 || !(yt = half_out(L, y)) ||
	    !(k = lower_callf(L, "%s_col2im__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, n->in[1]);
	kcall_buf(k, n->in[2]);
	kcall_buf(k, yt);
	kcall_checks(k);
	kcall_i(k, nd);
	kcall_i(k, x->dims[0]);
	kcall_i(k, x->dims[1]);
	kcall_i(k, x->dims[2]);
	kcall_i(k, y->dims[1]);
	kcall_ints(k, y->dims + 2, nd);
	kcall_ints(k, dl, nd);
	kcall_ints(k, pads, nd);
	kcall_ints(k, pads + nd, nd);
	kcall_ints(k, st, nd);
	return narrow_half(L, yt, y);
}

/* MaxUnpool's unpooled shape without output_shape:
 * (in - 1) * stride - pad_begin - pad_end + kernel along each spatial axis. */
static int unpool_shape(const Node *n, int64_t *dims)
{
	const Value *x = n->in[0], *ix = n->in[1];
	int64_t k[IR_MAX_RANK], s[IR_MAX_RANK], pads[2 * IR_MAX_RANK];
	int nd = x->rank - 2, i;

	if (x->rank < 3)
		return node_error(n, "input X has rank %d, expected at least 3 (N x C x spatial)", x->rank);
	if (!value_same_shape(x, ix) || ix->dtype != DT_INT64)
		return node_error(n, "input I must be int64 with the shape of X");
	if (!node_attr(n, "kernel_shape"))
		return node_error(n, "attribute kernel_shape is missing");
	if (attr_list(n, "kernel_shape", nd, 1, 1, k) != 0 || attr_list(n, "strides", nd, 1, 1, s) != 0 ||
	    attr_list(n, "pads", 2 * nd, 0, 0, pads) != 0)
		return -1;
	dims[0] = x->dims[0];
	dims[1] = x->dims[1];
	for (i = 0; i < nd; i++) {
		int ovf = 0;
		dims[i + 2] = ck_add(ck_sub(ck_sub(ck_mul(x->dims[i + 2] - 1, s[i], &ovf), pads[i], &ovf),
					    pads[nd + i], &ovf), k[i], &ovf);
		if (ovf)
			return node_error(n, "spatial axis %d: strides, pads and kernel_shape give sizes "
					  "that overflow 64 bits", i);
		if (dims[i + 2] < 0)
			return node_error(n, "spatial axis %d: unpooled size %lld is negative", i,
					  (long long)dims[i + 2]);
	}
	return 0;
}

/* The output is the unpooled shape, or output_shape (constant, or as the model
 * declares it and checked at run time), which must contain it. */
int maxunpool_infer(Node *n)
{
	const Value *x = n->in[0], *s = node_in(n, 2);
	int64_t dims[IR_MAX_RANK], os[IR_MAX_RANK];
	const Value *y;
	int i;

	if (unpool_shape(n, dims) != 0)
		return -1;
	if (!s)
		return set_out(n, 0, x->dtype, x->rank, dims);
	if (s->data) {
		if (const_ints(n, 2, os, IR_MAX_RANK) != x->rank)
			return node_error(n, "output_shape must have %d values", x->rank);
		if (set_out(n, 0, x->dtype, x->rank, os) != 0)
			return -1;
	} else if (set_out_declared(n, 0, x->dtype, s) != 0) {
		return -1;
	}
	y = n->out[0];
	for (i = 0; i < x->rank; i++)
		if (y->rank != x->rank || y->dims[i] < dims[i])
			return node_error(n, "output_shape is smaller than the unpooled shape along axis %d", i);
	return 0;
}

int maxunpool_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *s = node_in(n, 2), *y = n->out[0], *yt;
	int64_t dims[IR_MAX_RANK];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (unpool_shape(n, dims) != 0)
		return -1;
	if (s && !s->data && (s->rank != 1 || s->dims[0] != x->rank || s->dtype != DT_INT64))
		return node_error(n, "output_shape must be an int64 vector of %d values", x->rank);
	if (s && s->data)
		s = NULL;
	if (widen_half(L, &x) != 0 || !(yt = half_out(L, y)) ||
	    !(k = lower_callf(L, "%s_maxunpool__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, n->in[1]);
	if (s)
		kcall_buf(k, s);
	kcall_buf(k, yt);
	kcall_checks(k);
	kcall_i(k, x->rank);
	kcall_i(k, s != NULL);
	kcall_ints(k, dims, x->rank);
	kcall_ints(k, y->dims, y->rank);
	kcall_i(k, value_numel(x));
	return narrow_half(L, yt, y);
}
