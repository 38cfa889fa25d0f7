/* pool.h: pooling windows (MaxPool, AveragePool) and global pooling.
 *
 * X is viewed as (NC, D1..Dk): nc rows of a k-dimensional image, k = nd <= 8.
 *
 * maxpool: b = {X, Y} or {X, Y, I}      avgpool: b = {X, Y}
 *   p = {nd, nc, in[nd], out[nd], kernel[nd], stride[nd], dilation[nd],
 *        pad_begin[nd], pad_end[nd], mode}
 *   maxpool mode: 0 no indices, 1 indices I (int64) row-major (storage_order 0),
 *                 2 indices column-major in the spatial dimensions (storage_order 1);
 *                 an index counts from the start of X, batch and channel included.
 *   avgpool mode: count_include_pad.
 *   2-D max and average pooling may take p[17] = 1 and scratch after Y
 *   (ONNXCC_POOL_SCRATCH(iw, oh, ow, sy) elements per thread): dilation 1,
 *   no indices, every window row and column with a tap inside the image.
 *   They pool separably, rows first, then columns (ONNXCC_POOL2D_SEP).
 *   Window taps that fall in the padding are skipped, never compared or summed.
 *   With count_include_pad the divisor counts the taps inside the padded extent
 *   [-pad_begin, in + pad_end), so a ceil_mode overhang past it never counts.
 * globalmaxpool, globalavgpool: b = {X, Y}, p = {nc, size}: one value per row
 *   of `size` elements. */
#ifndef ONNXCC_POOL_H
#define ONNXCC_POOL_H

/* The scratch of one thread's separable 2-D path (ONNXCC_POOL2D_SEP): the
 * combined rows of every output row at row stride 1, of one otherwise (iw
 * each), and the divisor plane (oh x ow). */
#define ONNXCC_POOL_SCRATCH(iw, oh, ow, sy) (((sy) == 1 ? (oh) : 1) * (iw) + (oh) * (ow))

/* Taps j in [*lo, *hi) of a k-tap window dimension with start + j*dil in [0, n). */
ONNXCC_HELPER void onnxcc_pool_taps(int64_t start, int64_t n, int64_t k, int64_t dil,
				    int64_t *lo, int64_t *hi)
{
	*lo = start < 0 ? (dil - 1 - start) / dil : 0;
	*hi = n - start <= 0 ? 0 : (n - start + dil - 1) / dil;
	if (*hi > k)
		*hi = k;
	if (*hi < *lo)
		*hi = *lo;
}

/* The window of output position o: per dimension its start and valid taps.
 * Returns the number of valid taps; *padded gets the taps inside the padded extent. */
ONNXCC_HELPER int64_t onnxcc_pool_window(const int64_t *p, const int64_t *o, int64_t *start,
					 int64_t *lo, int64_t *hi, int64_t *padded)
{
	int64_t nd = p[0], d, count = 1, pcount = 1, plo, phi;
	const int64_t *in = p + 2, *k = p + 2 + 2 * nd, *s = p + 2 + 3 * nd;
	const int64_t *dil = p + 2 + 4 * nd, *pb = p + 2 + 5 * nd, *pe = p + 2 + 6 * nd;

	for (d = 0; d < nd; d++) {
		start[d] = o[d] * s[d] - pb[d];
		onnxcc_pool_taps(start[d], in[d], k[d], dil[d], &lo[d], &hi[d]);
		onnxcc_pool_taps(start[d] + pb[d], in[d] + pb[d] + pe[d], k[d], dil[d], &plo, &phi);
		count *= hi[d] - lo[d];
		pcount *= phi - plo;
	}
	*padded = pcount;
	return count;
}

/* Offset in the image of the first tap of the window row at taps t[0..nd-1)
 * (the last dimension's tap is added by the caller). */
ONNXCC_HELPER int64_t onnxcc_pool_row(int64_t nd, const int64_t *start, const int64_t *t,
				      const int64_t *dil, const int64_t *xs)
{
	int64_t d, off = start[nd - 1];

	for (d = 0; d < nd - 1; d++)
		off += (start[d] + t[d] * dil[d]) * xs[d];
	return off;
}

/* Advance taps t[0..nd-1) over the box [lo, hi); 0 when done. */
ONNXCC_HELPER int onnxcc_pool_next_row(int64_t nd, int64_t *t, const int64_t *lo,
				       const int64_t *hi)
{
	int64_t d;

	for (d = nd - 2; d >= 0; d--) {
		if (++t[d] < hi[d])
			return 1;
		t[d] = lo[d];
	}
	return 0;
}

/* Advance the output position o over out[0..nd). */
ONNXCC_HELPER void onnxcc_pool_next_out(int64_t nd, int64_t *o, const int64_t *out)
{
	int64_t d;

	for (d = nd - 1; d >= 0; d--) {
		if (++o[d] < out[d])
			return;
		o[d] = 0;
	}
}

/* Element strides xs of the image and the sizes of one image and one output row. */
ONNXCC_HELPER void onnxcc_pool_sizes(const int64_t *p, int64_t *xs, int64_t *insz, int64_t *outsz)
{
	int64_t nd = p[0], d;

	*insz = *outsz = 1;
	for (d = nd - 1; d >= 0; d--) {
		xs[d] = *insz;
		*insz *= p[2 + d];
		*outsz *= p[2 + nd + d];
	}
}

/* A row-major offset in the image, re-expressed column-major (storage_order 1). */
ONNXCC_HELPER int64_t onnxcc_pool_colmajor(int64_t at, int64_t nd, const int64_t *in)
{
	int64_t co[ONNXCC_MAX_RANK], d, idx = 0, mul = 1;

	for (d = nd - 1; d >= 0; d--) {
		co[d] = at % in[d];
		at /= in[d];
	}
	for (d = 0; d < nd; d++) {
		idx += co[d] * mul;
		mul *= in[d];
	}
	return idx;
}

/* Window value w taking tap value v: the first maximum, or the sum. */
#define ONNXCC_POOL_OP(IS_MAX, w, v) ((IS_MAX) ? ((v) > (w) ? (v) : (w)) : (w) + (v))

/* d[i] = the taps j in [0, m) of s[j st + SX i] combined, for i in [0, n):
 * the first tap, then the others in order, three a pass (one loop a pass
 * over d; SX a literal where it can be, so that the loads vectorize). */
#define ONNXCC_POOL_TAPS(T, IS_MAX, d, s, st, SX, m, n) \
	do { \
		int64_t j_, i_, r_; \
		for (j_ = 0; j_ < (m); j_ += 3) { \
			const T *restrict s0_ = (s) + j_ * (st), *restrict s1_ = s0_ + (st); \
			const T *restrict s2_ = s1_ + (st); \
			r_ = (m) - j_; \
			if (r_ >= 3 && j_ == 0) \
				for (i_ = 0; i_ < (n); i_++) \
					(d)[i_] = ONNXCC_POOL_OP(IS_MAX, ONNXCC_POOL_OP(IS_MAX, \
						s0_[(SX) * i_], s1_[(SX) * i_]), s2_[(SX) * i_]); \
			else if (r_ >= 3) \
				for (i_ = 0; i_ < (n); i_++) \
					(d)[i_] = ONNXCC_POOL_OP(IS_MAX, ONNXCC_POOL_OP(IS_MAX, \
						ONNXCC_POOL_OP(IS_MAX, (d)[i_], s0_[(SX) * i_]), \
						s1_[(SX) * i_]), s2_[(SX) * i_]); \
			else if (r_ == 2 && j_ == 0) \
				for (i_ = 0; i_ < (n); i_++) \
					(d)[i_] = ONNXCC_POOL_OP(IS_MAX, s0_[(SX) * i_], s1_[(SX) * i_]); \
			else if (r_ == 2) \
				for (i_ = 0; i_ < (n); i_++) \
					(d)[i_] = ONNXCC_POOL_OP(IS_MAX, ONNXCC_POOL_OP(IS_MAX, (d)[i_], \
						s0_[(SX) * i_]), s1_[(SX) * i_]); \
			else if (j_ == 0) \
				for (i_ = 0; i_ < (n); i_++) \
					(d)[i_] = s0_[(SX) * i_]; \
			else \
				for (i_ = 0; i_ < (n); i_++) \
					(d)[i_] = ONNXCC_POOL_OP(IS_MAX, (d)[i_], s0_[(SX) * i_]); \
		} \
	} while (0)

/* Output column ox of row yr from vr, the combination of its window's rows:
 * the window's columns inside the image, in order. */
#define ONNXCC_POOL_EDGE(T, IS_MAX, SX) \
	{ \
		int64_t xlo_, xhi_, tx_; \
		T e_; \
		onnxcc_pool_taps(ox * (SX) - px, iw, kw, 1, &xlo_, &xhi_); \
		e_ = vr[ox * (SX) - px + xlo_]; \
		for (tx_ = xlo_ + 1; tx_ < xhi_; tx_++) \
			e_ = ONNXCC_POOL_OP(IS_MAX, e_, vr[ox * (SX) - px + tx_]); \
		yr[ox] = e_; \
	}

/* Output row yr from vr, x stride SX: the columns whose taps all lie in the
 * image, [a, z), in passes over the run; the others one by one. */
#define ONNXCC_POOL_ROW(T, IS_MAX, SX) \
	do { \
		ONNXCC_POOL_TAPS(T, IS_MAX, yr + a, vr + a * (SX) - px, 1, SX, kw, z - a); \
		for (ox = 0; ox < a; ox++) \
			ONNXCC_POOL_EDGE(T, IS_MAX, SX) \
		for (ox = z; ox < ow; ox++) \
			ONNXCC_POOL_EDGE(T, IS_MAX, SX) \
	} while (0)

/* The first and one past the last output position [*a, *z) of a dimension
 * whose window, k elements from its first tap to its last, lies in the image
 * (n long, pad p, stride s). */
ONNXCC_HELPER void onnxcc_pool_inner(int64_t n, int64_t k, int64_t p, int64_t s, int64_t out,
				     int64_t *a, int64_t *z)
{
	*a = (p + s - 1) / s;
	*z = n - k + p >= 0 ? (n - k + p) / s + 1 : 0;
	*a = *a > out ? out : *a;
	*z = *z > out ? out : *z < *a ? *a : *z;
}

/* The separable path of 2-D pooling, one channel x0 -> y0 (scratch v,
 * ONNXCC_POOL_SCRATCH): a window is the combination of its rows'
 * combinations, so each output row first combines its window's rows (kh
 * taps over contiguous rows of the image, into v), then each output takes
 * its kw columns of that (kh + kw operations an output, not kh kw).  At
 * stride 1 the rows of every output row are combined first, the rows with
 * all taps inside in one run over the image; when the output is as wide as
 * the image, the columns too are one run over the plane, and the columns
 * whose taps cross a row's ends are redone one by one.  Only taps inside
 * the image are combined (never padding), in order for the maximum (the
 * first of equal values; which NaN a window gives may differ from the
 * general loops').  The mean sums rows, then columns, and divides by dv,
 * the windows' counts (oh x ow), made once per task by NAME_dv. */
#define ONNXCC_POOL2D_SEP(NAME, T, IS_MAX) \
static inline void NAME##_dv(const int64_t *p, T *restrict dv) \
{ \
	int64_t ih = p[2], iw = p[3], oh = p[4], ow = p[5], kh = p[6], kw = p[7]; \
	int64_t sy = p[8], sx = p[9], py = p[12], px = p[13], pey = p[14], pex = p[15]; \
	int64_t incl = p[16], oy, ox, ylo, yhi, yplo, yphi; \
	/* the columns of the window counted: the image's, or the padded extent's */ \
	int64_t x0e = incl ? -px : 0, xe = iw + (incl ? pex : 0); \
	for (oy = 0; oy < oh && !(IS_MAX); oy++) { \
		int64_t ycnt; \
		onnxcc_pool_taps(oy * sy - py, ih, kh, 1, &ylo, &yhi); \
		onnxcc_pool_taps(oy * sy, ih + py + pey, kh, 1, &yplo, &yphi); \
		ycnt = incl ? yphi - yplo : yhi - ylo; \
		for (ox = 0; ox < ow; ox++) { \
			int64_t a0 = ox * sx - px < x0e ? x0e : ox * sx - px; \
			int64_t a1 = ox * sx - px + kw > xe ? xe : ox * sx - px + kw; \
			dv[oy * ow + ox] = (T)(ycnt * (a1 - a0)); \
		} \
	} \
} \
static inline void NAME##_sep(const T *restrict x0, T *restrict y0, const int64_t *p, \
	T *restrict v, const T *restrict dv) \
{ \
	int64_t ih = p[2], iw = p[3], oh = p[4], ow = p[5], kh = p[6], kw = p[7]; \
	int64_t sy = p[8], sx = p[9], py = p[12], px = p[13], oy, ox, ylo, yhi, ya, yz, a, z, i; \
	const T *restrict vr; \
	T *restrict yr; \
	onnxcc_pool_inner(ih, kh, py, sy, oh, &ya, &yz); \
	onnxcc_pool_inner(iw, kw, px, sx, ow, &a, &z); \
	if (sy == 1) { \
		ONNXCC_POOL_TAPS(T, IS_MAX, v + ya * iw, x0 + (ya - py) * iw, iw, 1, kh, \
				 (yz - ya) * iw); \
		for (oy = 0; oy < oh; oy++) { \
			if (oy == ya) \
				oy = yz; \
			if (oy == oh) \
				break; \
			onnxcc_pool_taps(oy - py, ih, kh, 1, &ylo, &yhi); \
			ONNXCC_POOL_TAPS(T, IS_MAX, v + oy * iw, x0 + (oy - py + ylo) * iw, iw, 1, \
					 yhi - ylo, iw); \
		} \
	} \
	if (sy == 1 && sx == 1 && ow == iw) { \
		ONNXCC_POOL_TAPS(T, IS_MAX, y0 + px, v, 1, 1, kw, oh * ow - (kw - 1)); \
		for (oy = 0; oy < oh; oy++) { \
			vr = v + oy * iw; \
			yr = y0 + oy * ow; \
			for (ox = 0; ox < a; ox++) \
				ONNXCC_POOL_EDGE(T, IS_MAX, 1) \
			for (ox = z; ox < ow; ox++) \
				ONNXCC_POOL_EDGE(T, IS_MAX, 1) \
		} \
	} else { \
		for (oy = 0; oy < oh; oy++) { \
			if (sy != 1) { \
				onnxcc_pool_taps(oy * sy - py, ih, kh, 1, &ylo, &yhi); \
				ONNXCC_POOL_TAPS(T, IS_MAX, v, x0 + (oy * sy - py + ylo) * iw, iw, 1, \
						 yhi - ylo, iw); \
			} \
			vr = v + (sy == 1 ? oy * iw : 0); \
			yr = y0 + oy * ow; \
			if (sx == 1) \
				ONNXCC_POOL_ROW(T, IS_MAX, 1); \
			else if (sx == 2) \
				ONNXCC_POOL_ROW(T, IS_MAX, 2); \
			else \
				ONNXCC_POOL_ROW(T, IS_MAX, sx); \
		} \
	} \
	for (i = 0; i < oh * ow && !(IS_MAX); i++) \
		y0[i] = y0[i] / dv[i]; \
}

/* The interior columns [a, z) of output row yr, one tap at a time, x stride
 * SX: a literal (1, 2) where it can be, so that the loads vectorize. */
#define ONNXCC_POOL2D_INTERIOR(T, IS_MAX, SX) \
	for (ty = ylo; ty < yhi; ty++) { \
		const T *restrict xr = x0 + (y0s + ty * dy) * iw - px; \
		for (tx = 0; tx < kw; tx++) { \
			const T *restrict xt = xr + tx * dx; \
			if (ty == ylo && tx == 0) { \
				for (ox = a; ox < z; ox++) \
					yr[ox] = IS_MAX ? xt[ox * (SX)] : (T)0 + xt[ox * (SX)]; \
			} else { \
				for (ox = a; ox < z; ox++) { \
					T v = xt[ox * (SX)], w = yr[ox]; \
					yr[ox] = IS_MAX ? (v > w ? v : w) : w + v; \
				} \
			} \
		} \
	}

/* 2-D pooling of one channel x0 -> y0 (p as above, nd = 2, no indices), fast:
 * in each output row, the interior columns (every x tap inside the image)
 * take one tap at a time over the whole run of columns, a loop with no
 * branch over contiguous outputs that compilers vectorize; the edge columns
 * go one by one.  Every output sees the same taps in the same order as in
 * the general loops below (the first maximum, the same sums), so the
 * results are the same.  IS_MAX: max, else mean (p's mode: count_include_pad). */
#define ONNXCC_POOL2D(NAME, T, IS_MAX) \
static inline void NAME(const T *restrict x0, T *restrict y0, const int64_t *p) \
{ \
	int64_t ih = p[2], iw = p[3], oh = p[4], ow = p[5], kh = p[6], kw = p[7]; \
	int64_t sy = p[8], sx = p[9], dy = p[10], dx = p[11], py = p[12], px = p[13]; \
	int64_t pey = p[14], pex = p[15], incl = p[16], oy, ox, ty, tx, ylo, yhi, yplo, yphi; \
	int64_t a, z; \
	/* interior columns [a, z): ox sx - px >= 0 and ox sx - px + (kw - 1) dx < iw */ \
	onnxcc_pool_inner(iw, (kw - 1) * dx + 1, px, sx, ow, &a, &z); \
	/* a few interior columns go one by one, as the edges: a tap a loop \
	 * costs more than it gains there (a 7 x 7 window over a 7 x 7 image) */ \
	if (z - a < 4) \
		z = a; \
	for (oy = 0; oy < oh; oy++) { \
		int64_t y0s = oy * sy - py; \
		T *restrict yr = y0 + oy * ow; \
		onnxcc_pool_taps(y0s, ih, kh, dy, &ylo, &yhi); \
		onnxcc_pool_taps(y0s + py, ih + py + pey, kh, dy, &yplo, &yphi); \
		if (yhi <= ylo) { \
			for (ox = 0; ox < ow; ox++) \
				yr[ox] = 0; \
			continue; \
		} \
		if (sx == 1) \
			ONNXCC_POOL2D_INTERIOR(T, IS_MAX, 1) \
		else if (sx == 2) \
			ONNXCC_POOL2D_INTERIOR(T, IS_MAX, 2) \
		else \
			ONNXCC_POOL2D_INTERIOR(T, IS_MAX, sx) \
		if (!IS_MAX) { \
			T cnt = (T)((incl ? yphi - yplo : yhi - ylo) * kw); \
			for (ox = a; ox < z; ox++) \
				yr[ox] = yr[ox] / cnt; \
		} \
		for (ox = a > 0 ? 0 : z; ox < ow; ox = ox + 1 == a ? z : ox + 1) { \
			int64_t x0s = ox * sx - px, xlo, xhi, xplo, xphi, n = 0; \
			T acc = 0; \
			onnxcc_pool_taps(x0s, iw, kw, dx, &xlo, &xhi); \
			onnxcc_pool_taps(x0s + px, iw + px + pex, kw, dx, &xplo, &xphi); \
			for (ty = ylo; ty < yhi; ty++) \
				for (tx = xlo; tx < xhi; tx++, n++) { \
					T v = x0[(y0s + ty * dy) * iw + x0s + tx * dx]; \
					if (IS_MAX) \
						acc = n == 0 || v > acc ? v : acc; \
					else \
						acc += v; \
				} \
			if (!IS_MAX) { \
				int64_t cnt = incl ? (yphi - yplo) * (xphi - xplo) : n; \
				acc = cnt > 0 ? acc / (T)cnt : (T)0; \
			} \
			yr[ox] = acc; \
		} \
	} \
}

/* The first maximum of the valid taps wins (ties keep the earlier tap). */
/* NAME_run2d: the 2-D kernel over every channel, split among threads (onnxcc
 * --threads: onnxcc_parallel tasks, ctx = {b, p}, a share of the channels each). */
#define ONNXCC_POOL2D_TASK(NAME, T) \
static void NAME##_task(void *ctx, int64_t t, int64_t nt) \
{ \
	void *const *b = (void *const *)((const void *const *)ctx)[0]; \
	const int64_t *p = (const int64_t *)((const void *const *)ctx)[1]; \
	int64_t insz = p[2] * p[3], outsz = p[4] * p[5], c, lo, hi; \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	onnxcc_share(p[1], 1, t, nt, &lo, &hi); \
	if (p[17] && lo < hi) { \
		T *v = (T *)b[2] + t * ONNXCC_POOL_SCRATCH(p[3], p[4], p[5], p[8]); \
		T *dv = v + ONNXCC_POOL_SCRATCH(p[3], p[4], p[5], p[8]) - outsz; \
		NAME##_dv(p, dv); \
		for (c = lo; c < hi; c++) \
			NAME##_sep(X + c * insz, Y + c * outsz, p, v, dv); \
		return; \
	} \
	for (c = lo; c < hi; c++) \
		NAME##_2d(X + c * insz, Y + c * outsz, p); \
} \
static void NAME##_run2d(void *const *b, const int64_t *p) \
{ \
	const void *ctx[2]; \
	ctx[0] = (const void *)b; \
	ctx[1] = (const void *)p; \
	if (ONNXCC_NTHREADS > 1 && p[1] > 1 && p[1] * p[4] * p[5] >= 16384) \
		onnxcc_parallel(NAME##_task, (void *)ctx); \
	else \
		NAME##_task((void *)ctx, 0, 1); \
}

#define ONNXCC_MAXPOOL(NAME, T) \
ONNXCC_POOL2D(NAME##_2d, T, 1) \
ONNXCC_POOL2D_SEP(NAME, T, 1) \
ONNXCC_POOL2D_TASK(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t nd = p[0], nc = p[1], mode = p[2 + 7 * nd]; \
	int64_t *Ix = mode ? (int64_t *)b[2] : (int64_t *)0; \
	const int64_t *in = p + 2, *out = p + 2 + nd, *dil = p + 2 + 4 * nd; \
	int64_t o[ONNXCC_MAX_RANK], start[ONNXCC_MAX_RANK], lo[ONNXCC_MAX_RANK]; \
	int64_t hi[ONNXCC_MAX_RANK], t[ONNXCC_MAX_RANK], xs[ONNXCC_MAX_RANK]; \
	int64_t insz, outsz, c, j, d, e, npad, last = nd - 1; \
	(void)f; \
	onnxcc_pool_sizes(p, xs, &insz, &outsz); \
	if (nd == 2 && !mode) { \
		NAME##_run2d(b, p); \
		return; \
	} \
	for (c = 0; c < nc; c++) { \
		const T *x0 = X + c * insz; \
		for (d = 0; d < nd; d++) \
			o[d] = 0; \
		for (j = 0; j < outsz; j++) { \
			T best = 0; \
			int64_t arg = -1; \
			if (onnxcc_pool_window(p, o, start, lo, hi, &npad) > 0) { \
				for (d = 0; d < nd; d++) \
					t[d] = lo[d]; \
				do { \
					int64_t row = onnxcc_pool_row(nd, start, t, dil, xs); \
					for (e = lo[last]; e < hi[last]; e++) { \
						int64_t at = row + e * dil[last]; \
						if (arg < 0 || x0[at] > best) { \
							best = x0[at]; \
							arg = at; \
						} \
					} \
				} while (onnxcc_pool_next_row(nd, t, lo, hi)); \
			} \
			Y[c * outsz + j] = best; \
			if (Ix) \
				Ix[c * outsz + j] = arg < 0 ? -1 : c * insz + \
					(mode == 2 ? onnxcc_pool_colmajor(arg, nd, in) : arg); \
			onnxcc_pool_next_out(nd, o, out); \
		} \
	} \
}

/* The mean of the valid taps, over them or over the padded extent's taps. */
#define ONNXCC_AVGPOOL(NAME, T) \
ONNXCC_POOL2D(NAME##_2d, T, 0) \
ONNXCC_POOL2D_SEP(NAME, T, 0) \
ONNXCC_POOL2D_TASK(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t nd = p[0], nc = p[1], include_pad = p[2 + 7 * nd]; \
	const int64_t *out = p + 2 + nd, *dil = p + 2 + 4 * nd; \
	int64_t o[ONNXCC_MAX_RANK], start[ONNXCC_MAX_RANK], lo[ONNXCC_MAX_RANK]; \
	int64_t hi[ONNXCC_MAX_RANK], t[ONNXCC_MAX_RANK], xs[ONNXCC_MAX_RANK]; \
	int64_t insz, outsz, c, j, d, e, count, npad, last = nd - 1; \
	(void)f; \
	onnxcc_pool_sizes(p, xs, &insz, &outsz); \
	if (nd == 2) { \
		NAME##_run2d(b, p); \
		return; \
	} \
	for (c = 0; c < nc; c++) { \
		const T *x0 = X + c * insz; \
		for (d = 0; d < nd; d++) \
			o[d] = 0; \
		for (j = 0; j < outsz; j++) { \
			T sum = 0; \
			if ((count = onnxcc_pool_window(p, o, start, lo, hi, &npad)) > 0) { \
				for (d = 0; d < nd; d++) \
					t[d] = lo[d]; \
				do { \
					const T *row = x0 + onnxcc_pool_row(nd, start, t, dil, xs); \
					for (e = lo[last]; e < hi[last]; e++) \
						sum += row[e * dil[last]]; \
				} while (onnxcc_pool_next_row(nd, t, lo, hi)); \
			} \
			if (include_pad) \
				count = npad; \
			Y[c * outsz + j] = count > 0 ? sum / (T)count : (T)0; \
			onnxcc_pool_next_out(nd, o, out); \
		} \
	} \
}

/* float32 MaxPool for --cpu neon: the 2-D case without dilation or indices and
 * with a column stride of 1 or 2 computes four outputs of a row at once
 * wherever their windows lie inside the row (vld1q_f32 / vld2q_f32 loads), with
 * the scalar kernel's rule (the first tap, then any strictly greater one: a
 * compare and a select, so NaN and signed zeros come out the same); the other
 * outputs, and every other case, run the scalar code.  Plain C off AArch64. */
#if defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#include <arm_neon.h>
/* The window at row ys, column xs of image x (w columns) over window rows
 * [ylo, yhi), its columns clipped to the image: the first maximum, or 0. */
ONNXCC_HELPER float onnxcc_maxpool2d_one(const float *x, int64_t w, int64_t ys, int64_t ylo,
	int64_t yhi, int64_t xs, int64_t kw)
{
	int64_t xlo, xhi, ky, kx, any = 0;
	float best = 0;

	onnxcc_pool_taps(xs, w, kw, 1, &xlo, &xhi);
	for (ky = ylo; ky < yhi; ky++)
		for (kx = xlo; kx < xhi; kx++) {
			float v = x[(ys + ky) * w + xs + kx];
			if (!any || v > best) {
				best = v;
				any = 1;
			}
		}
	return best;
}
#define ONNXCC_F32_MAXPOOL_NEON(NAME) \
ONNXCC_MAXPOOL(NAME##_any, float) \
ONNXCC_KERNEL(NAME) \
{ \
	const float *X = (const float *)b[0]; \
	float *Y = (float *)b[1]; \
	int64_t nd = p[0], nc = p[1], ih, iw, oh, ow, kh, kw, sh, sw, pt, pl, c, oy, ox, ky, kx; \
	int64_t ylo, yhi, vlo, vhi; \
	if (nd != 2 || p[2 + 7 * nd] || p[2 + 4 * nd] != 1 || p[3 + 4 * nd] != 1 || \
	    (p[3 + 3 * nd] != 1 && p[3 + 3 * nd] != 2)) { \
		NAME##_any(b, p, f); \
		return; \
	} \
	ih = p[2]; iw = p[3]; oh = p[4]; ow = p[5]; kh = p[6]; kw = p[7]; \
	sh = p[8]; sw = p[9]; pt = p[12]; pl = p[13]; \
	/* outputs [vlo, vhi): columns ox sw - pl .. + kw - 1 (+ 1 more read by vld2q) in the row */ \
	vlo = (pl + sw - 1) / sw; \
	vhi = iw - kw + pl - (sw - 1) >= 0 ? (iw - kw + pl - (sw - 1)) / sw + 1 : 0; \
	if (vhi > ow) \
		vhi = ow; \
	for (c = 0; c < nc; c++) { \
		const float *x = X + c * ih * iw; \
		float *y = Y + c * oh * ow; \
		for (oy = 0; oy < oh; oy++, y += ow) { \
			int64_t ys = oy * sh - pt; \
			onnxcc_pool_taps(ys, ih, kh, 1, &ylo, &yhi); \
			for (ox = 0; ox < ow; ox++) { \
				if (ylo < yhi && ox >= vlo && ox + 4 <= vhi) { \
					const float *r0 = x + ys * iw + ox * sw - pl; \
					float32x4_t best = vdupq_n_f32(0); \
					for (ky = ylo; ky < yhi; ky++) \
						for (kx = 0; kx < kw; kx++) { \
							const float *r = r0 + ky * iw + kx; \
							float32x4_t v = sw == 1 ? vld1q_f32(r) : vld2q_f32(r).val[0]; \
							best = ky == ylo && kx == 0 ? v : \
								vbslq_f32(vcgtq_f32(v, best), v, best); \
						} \
					vst1q_f32(y + ox, best); \
					ox += 3; \
					continue; \
				} \
				y[ox] = onnxcc_maxpool2d_one(x, iw, ys, ylo, yhi, ox * sw - pl, kw); \
			} \
		} \
	} \
}
#else
#define ONNXCC_F32_MAXPOOL_NEON(NAME) ONNXCC_MAXPOOL(NAME, float)
#endif

/* Global pooling combines each row in 16 lanes (lane j takes the elements
 * j mod 16), then the lanes and the last elements: loops a compiler
 * vectorizes.  The maximum keeps the scalar rule (the first element, then any
 * strictly greater: a NaN counts only as the first, so every lane starts
 * from the first); the sum is in another
 * order than one element after the other. */
#define ONNXCC_GLOBALMAXPOOL(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t nc = p[0], size = p[1], c, i, j; \
	(void)f; \
	for (c = 0; c < nc; c++) { \
		const T *restrict x0 = X + c * size; \
		T best = size > 0 ? x0[0] : (T)0, lane[16]; \
		/* a first NaN stays; the lanes start from the first element */ \
		for (j = 0; j < 16; j++) \
			lane[j] = best; \
		for (i = 0; i + 16 <= size && best == best; i += 16) \
			for (j = 0; j < 16; j++) \
				lane[j] = x0[i + j] > lane[j] ? x0[i + j] : lane[j]; \
		for (j = 0; j < 16; j++) \
			if (lane[j] > best) \
				best = lane[j]; \
		for (; i < size; i++) \
			if (x0[i] > best) \
				best = x0[i]; \
		Y[c] = best; \
	} \
}

#define ONNXCC_GLOBALAVGPOOL(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t nc = p[0], size = p[1], c, i, j; \
	(void)f; \
	for (c = 0; c < nc; c++) { \
		const T *restrict x0 = X + c * size; \
		T sum = 0, lane[16]; \
		for (j = 0; j < 16; j++) \
			lane[j] = 0; \
		for (i = 0; i + 16 <= size; i += 16) \
			for (j = 0; j < 16; j++) \
				lane[j] += x0[i + j]; \
		for (j = 0; j < 16; j++) \
			sum += lane[j]; \
		for (; i < size; i++) \
			sum += x0[i]; \
		Y[c] = size > 0 ? sum / (T)size : (T)0; \
	} \
}

#endif
