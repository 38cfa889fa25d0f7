/* pool.c: MaxPool and AveragePool over the spatial dimensions of
 * N x C x D1..Dk, and GlobalMaxPool / GlobalAveragePool.  The row's aux says
 * "max", "avg" or "lp" (LpPool: its row and kernel belong to ops/convt.c's
 * section and templates/convt.h).  All window geometry (auto_pad, ceil_mode,
 * the output size) is settled here; the kernels (templates/pool.h) see
 * explicit begin and end pads and skip taps that fall in them. */
#include <string.h>

#include "ops_util.h"

#define MAX_SPATIAL (IR_MAX_RANK - 2)

typedef struct PoolGeom {
	int nd;
	int64_t in[MAX_SPATIAL], out[MAX_SPATIAL], k[MAX_SPATIAL], s[MAX_SPATIAL];
	int64_t d[MAX_SPATIAL], pb[MAX_SPATIAL], pe[MAX_SPATIAL];
} PoolGeom;

/* An integer list attribute of exactly `len` positive (or, with zero_ok,
 * non-negative) values, or `def` repeated when absent. */
static int list_attr(const Node *n, const char *name, int len, int64_t def, int zero_ok,
		     int64_t *out)
{
	const int64_t *a;
	int na = attr_ints(n, name, &a), i;

	if (na < 0) {
		for (i = 0; i < len; i++)
			out[i] = def;
		return 0;
	}
	if (na != len)
		return node_error(n, "attribute %s has %d values, expected %d", name, na, len);
	for (i = 0; i < len; i++) {
		if (a[i] < 0 || (a[i] == 0 && !zero_ok))
			return node_error(n, "attribute %s[%d] is %lld", name, i, (long long)a[i]);
		out[i] = a[i];
	}
	return 0;
}

/* Output size along one axis with explicit pads.  With ceil_mode a last
 * window that would start in the end padding is dropped. */
static int explicit_out(const Node *n, PoolGeom *g, int i, int ceil_mode)
{
	int ovf = 0;
	int64_t ek = ck_add(ck_mul(g->k[i] - 1, g->d[i], &ovf), 1, &ovf);
	int64_t span = ck_sub(ck_add(ck_add(g->in[i], g->pb[i], &ovf), g->pe[i], &ovf), ek, &ovf);

	if (ovf)
		return node_error(n, "spatial axis %d: kernel %lld, dilation %lld and pads %lld, %lld "
				  "give sizes that overflow 64 bits", i, (long long)g->k[i],
				  (long long)g->d[i], (long long)g->pb[i], (long long)g->pe[i]);
	if (span < 0)
		return node_error(n, "window of %lld along spatial axis %d exceeds the padded input "
				  "of %lld", (long long)ek, i, (long long)(span + ek));
	g->out[i] = span / g->s[i] + (ceil_mode && span % g->s[i] != 0) + 1;
	if (ceil_mode) {
		/* (a product past int64 is past in + pb too) */
		int64_t start = ck_mul(g->out[i] - 1, g->s[i], &ovf);
		if (ovf || start >= g->in[i] + g->pb[i])
			g->out[i]--;
	}
	return 0;
}

/* SAME_UPPER / SAME_LOWER: out = ceil(in / stride), the padding split with
 * the odd cell at the end (UPPER) or the beginning (LOWER). */
static int same_out(const Node *n, PoolGeom *g, int i, int lower)
{
	int ovf = 0;
	int64_t ek = ck_add(ck_mul(g->k[i] - 1, g->d[i], &ovf), 1, &ovf), total;

	g->out[i] = g->in[i] / g->s[i] + (g->in[i] % g->s[i] != 0);
	total = ck_sub(ck_add(ck_mul(g->out[i] - 1, g->s[i], &ovf), ek, &ovf), g->in[i], &ovf);
	if (ovf)
		return node_error(n, "spatial axis %d: kernel %lld, dilation %lld and stride %lld give "
				  "sizes that overflow 64 bits", i, (long long)g->k[i], (long long)g->d[i],
				  (long long)g->s[i]);
	if (total < 0)
		total = 0;
	g->pb[i] = lower ? total - total / 2 : total / 2;
	g->pe[i] = total - g->pb[i];
	return 0;
}

/* The window geometry of a MaxPool / AveragePool node. */
static int pool_geom(const Node *n, PoolGeom *g)
{
	const Value *x = n->in[0];
	const char *ap = attr_s(n, "auto_pad", "NOTSET");
	int64_t pads[2 * MAX_SPATIAL];
	int ceil_mode = (int)attr_i(n, "ceil_mode", 0), i, same = 0, valid = 0;

	if (x->rank < 3)
		return node_error(n, "input has rank %d, expected N x C x D1 x ... (rank >= 3)", x->rank);
	g->nd = x->rank - 2;
	if (!node_attr(n, "kernel_shape"))
		return node_error(n, "attribute kernel_shape is missing");
	if (list_attr(n, "kernel_shape", g->nd, 1, 0, g->k) ||
	    list_attr(n, "strides", g->nd, 1, 0, g->s) ||
	    list_attr(n, "dilations", g->nd, 1, 0, g->d) ||
	    list_attr(n, "pads", 2 * g->nd, 0, 1, pads))
		return -1;
	if (strcmp(ap, "SAME_UPPER") == 0 || strcmp(ap, "SAME_LOWER") == 0)
		same = 1;
	else if (strcmp(ap, "VALID") == 0)
		valid = 1;
	else if (strcmp(ap, "NOTSET") != 0 && ap[0])
		return node_error(n, "auto_pad is '%s', expected NOTSET, SAME_UPPER, SAME_LOWER or VALID", ap);
	for (i = 0; i < g->nd; i++) {
		g->in[i] = x->dims[i + 2];
		g->pb[i] = valid ? 0 : pads[i];
		g->pe[i] = valid ? 0 : pads[i + g->nd];
		if (same ? same_out(n, g, i, ap[5] == 'L') : explicit_out(n, g, i, ceil_mode))
			return -1;
	}
	return 0;
}

int pool_infer(Node *n)
{
	const Value *x = n->in[0];
	int64_t dims[IR_MAX_RANK];
	PoolGeom g;
	int i;

	if (pool_geom(n, &g) != 0)
		return -1;
	dims[0] = x->dims[0];
	dims[1] = x->dims[1];
	for (i = 0; i < g.nd; i++)
		dims[i + 2] = g.out[i];
	if (set_out(n, 0, x->dtype, x->rank, dims) != 0)
		return -1;
	return set_out(n, 1, DT_INT64, x->rank, dims);
}

/* Mode parameter of the kernel: count_include_pad, or which Indices to write. */
static int64_t pool_mode(const Node *n)
{
	int is_max = strcmp(n->op->aux, "max") == 0;

	if (!is_max)
		return attr_i(n, "count_include_pad", 0) != 0;
	if (!node_out(n, 1))
		return 0;
	return attr_i(n, "storage_order", 0) ? 2 : 1;
}

/* Whether max or average pooling n takes one window, the whole image, with
 * no pads, dilation or indices: the same values as a global pooling (the
 * first maximum; the sum in row-major order over the count). */
static int whole_image(const Node *n, const PoolGeom *g, const Value *x)
{
	int i;

	if ((strcmp(n->op->aux, "max") != 0 && strcmp(n->op->aux, "avg") != 0) ||
	    node_out(n, 1) || (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE))
		return 0;
	for (i = 0; i < g->nd; i++)
		if (g->out[i] != 1 || g->k[i] != g->in[i] || g->pb[i] || g->pe[i] || g->d[i] != 1)
			return 0;
	return 1;
}

int pool_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *yt;
	PoolGeom g;
	KCall *k;
	int neon = 0, sep, i;

	if (value_numel(y) == 0)
		return 0;
	if (pool_geom(n, &g) != 0)
		return -1;
	/* float16 and bfloat16 pool in float, rounded once at the end */
	if (widen_half(L, &x) != 0 || !(yt = half_out(L, y)))
		return -1;
	if (whole_image(n, &g, x)) {
		/* one window over the whole image: a global pooling, one loop a channel */
		if (!(k = lower_callf(L, "%s_global%spool__scalar", dt_short(x->dtype), n->op->aux)))
			return -1;
		kcall_buf(k, x);
		kcall_buf(k, yt);
		kcall_i(k, x->dims[0] * x->dims[1]);
		kcall_i(k, value_numel(x) / (x->dims[0] * x->dims[1]));
		return narrow_half(L, yt, y);
	}
	if (L->cpu == CPU_NEON && x->dtype == DT_FLOAT && strcmp(n->op->aux, "max") == 0) {
		k = lower_call(L, "f32_maxpool__neon");	/* falls back to scalar code itself */
		neon = 1;
	} else
		k = lower_callf(L, "%s_%spool__scalar", dt_short(x->dtype), n->op->aux);
	if (!k)
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, yt);
	if (node_out(n, 1))
		kcall_buf(k, n->out[1]);
	kcall_i(k, g.nd);
	kcall_i(k, x->dims[0] * x->dims[1]);
	kcall_ints(k, g.in, g.nd);
	kcall_ints(k, g.out, g.nd);
	kcall_ints(k, g.k, g.nd);
	kcall_ints(k, g.s, g.nd);
	kcall_ints(k, g.d, g.nd);
	kcall_ints(k, g.pb, g.nd);
	kcall_ints(k, g.pe, g.nd);
	kcall_i(k, pool_mode(n));
	kcall_f(k, attr_f(n, "p", 2)); /* LpPool's p; other kernels ignore it */
	/* 2-D max and average pooling with dilation 1, every window's rows and
	 * columns reaching into the image: the separable path (templates/pool.h) */
	sep = g.nd == 2 && !neon && !node_out(n, 1) &&
	      (strcmp(n->op->aux, "max") == 0 || strcmp(n->op->aux, "avg") == 0) &&
	      (x->dtype == DT_FLOAT || x->dtype == DT_DOUBLE);
	for (i = 0; sep && i < 2; i++)
		sep = g.d[i] == 1 && g.pb[i] < g.k[i] && (g.out[i] - 1) * g.s[i] - g.pb[i] < g.in[i];
	kcall_i(k, sep);
	if (sep) {
		int64_t dims[1];
		dims[0] = pool_scratch(g.in, g.out, g.s) * lower_threads;
		kcall_buf(k, lower_temp(L, x->dtype, 1, dims));
	}
	return narrow_half(L, yt, y);
}

/* Global pooling: N x C x D1.. -> N x C x 1 x ... x 1. */
int globalpool_infer(Node *n)
{
	const Value *x = n->in[0];
	int64_t dims[IR_MAX_RANK];
	int i;

	if (x->rank < 2)
		return node_error(n, "input has rank %d, expected N x C x ... (rank >= 2)", x->rank);
	for (i = 0; i < x->rank; i++)
		dims[i] = i < 2 ? x->dims[i] : 1;
	return set_out(n, 0, x->dtype, x->rank, dims);
}

int globalpool_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *yt;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (widen_half(L, &x) != 0 || !(yt = half_out(L, y)) ||
	    !(k = lower_callf(L, "%s_global%spool__scalar", dt_short(x->dtype), n->op->aux)))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, yt);
	kcall_i(k, value_numel(y));
	kcall_i(k, value_numel(x) / value_numel(y));
	return narrow_half(L, yt, y);
}
