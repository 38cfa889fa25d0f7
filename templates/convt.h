/* convt.h: the scatter side of convolution: ConvTranspose, Col2Im, MaxUnpool,
 * and LpPool (which shares the window helpers of pool.h).
 *
 * The col2im geometry block G, shared by ConvTranspose and Col2Im:
 *   G = {nd, grid[nd], k[nd], stride[nd], dilation[nd], pad[nd], img[nd]}
 *   A column matrix has rows (c, kernel offset kx) and columns (positions o of
 *   the grid); element (c, kx, o) is added to image c at
 *   o * stride - pad + kx * dilation along each axis, when that falls inside
 *   img (pad holds the leading pads; they may be negative).
 *
 * convtranspose: b = {X, W, Y, [bias] (has_bias), col}
 *   p = {N, C, M, G(roups), has_bias, chunk, G block (grid = X's spatial shape,
 *        img = Y's)}
 *   X is N x C x in[..], W is C x M/G x k[..], Y is N x M x out[..].  Per image
 *   n and group g, `chunk` input positions at a time:
 *       col (M/G prod(k) x chunk) = W[g]^T (M/G prod(k) x C/G) X[n, g] (C/G x chunk)
 *   then col is scattered into Y[n, g], which starts as the bias (or 0).
 *
 * col2im: b = {X, image_shape (int64), block_shape (int64), Y, status}
 *   p = {nd, N, CK, L, C, img[nd], dilation[nd], pad_begin[nd], pad_end[nd],
 *        stride[nd]}
 *   X is N x CK x L, Y is N x C x img[..].  image_shape and block_shape are
 *   read at run time: image_shape must equal img, CK must be C prod(block)
 *   and L the number of blocks, else ONNXCC_ERR_SHAPE and nothing is written.
 *
 * maxunpool: b = {X, I (int64), [S (int64 output_shape)] (has_s), Y, status}
 *   p = {r, has_s, inferred[r], out[r], numel(X)}
 *   Y (out) is zero but for Y[at(ix[e])] = X[e], where ix[e] is a row-major
 *   offset in a tensor of shape `inferred` (the unpooled shape without
 *   output_shape), placed in the leading corner of out (out >= inferred).
 *   An index outside [0, prod(inferred)) gives ONNXCC_ERR_INDEX, S other than
 *   out ONNXCC_ERR_SHAPE; then nothing is written.
 *
 * lppool: b = {X, Y}, p = the maxpool / avgpool layout of pool.h (mode
 *   ignored), f = {p}: (sum over the window's valid taps of |x|^p)^(1/p);
 *   padding contributes zeros. */
#ifndef ONNXCC_CONVT_H
#define ONNXCC_CONVT_H

/* Add src[0, run) to row xr of length n at the positions (o0 + t) * s + base
 * that fall inside it. */
#define ONNXCC_COL2IM_ROW(NAME, T) \
static inline void NAME(T *xr, const T *src, int64_t n, int64_t o0, int64_t run, int64_t s, \
	int64_t base) \
{ \
	int64_t lo = base >= 0 ? 0 : (-base + s - 1) / s; \
	int64_t hi = n - 1 - base < 0 ? 0 : (n - 1 - base) / s + 1; \
	int64_t t0 = lo - o0, t1 = hi - o0, t; \
	t0 = t0 < 0 ? 0 : t0 > run ? run : t0; \
	t1 = t1 < t0 ? t0 : t1 > run ? run : t1; \
	if (s == 1) { \
		T *x = xr + o0 + base; \
		for (t = t0; t < t1; t++) \
			x[t] += src[t]; \
	} else { \
		for (t = t0; t < t1; t++) \
			xr[(o0 + t) * s + base] += src[t]; \
	} \
}

/* Scatter-add col (rows x pc: grid positions [p0, p0 + pc)) into img under
 * geometry block g; spans along the last axis go a row at a time. */
#define ONNXCC_COL2IM_ADD(NAME, T) \
ONNXCC_COL2IM_ROW(NAME##_row, T) \
static inline void NAME(const T *col, T *img, const int64_t *g, int64_t rows, int64_t p0, \
	int64_t pc) \
{ \
	int64_t nd = g[0], last = nd - 1, is = 1, row, d; \
	const int64_t *grid = g + 1, *ks = grid + nd, *st = ks + nd, *dl = st + nd; \
	const int64_t *pd = dl + nd, *im = pd + nd; \
	for (d = 0; d < nd; d++) \
		is *= im[d]; \
	for (row = 0; row < rows; row++) { \
		int64_t kx[ONNXCC_MAX_RANK], o[ONNXCC_MAX_RANK], rem = row, j = 0; \
		const T *src = col + row * pc; \
		T *ic; \
		for (d = last; d >= 0; d--) { \
			kx[d] = rem % ks[d]; \
			rem /= ks[d]; \
		} \
		ic = img + rem * is; \
		for (rem = p0, d = last; d >= 0; d--) { \
			o[d] = rem % grid[d]; \
			rem /= grid[d]; \
		} \
		while (j < pc) { \
			int64_t run = grid[last] - o[last] < pc - j ? grid[last] - o[last] : pc - j; \
			int64_t off = 0, ok = 1; \
			for (d = 0; d < last; d++) { \
				int64_t ix = o[d] * st[d] - pd[d] + kx[d] * dl[d]; \
				ok &= ix >= 0 && ix < im[d]; \
				off = off * im[d] + ix; \
			} \
			if (ok) \
				NAME##_row(ic + off * im[last], src + j, im[last], o[last], run, st[last], \
					   kx[last] * dl[last] - pd[last]); \
			j += run; \
			o[last] += run; \
			for (d = last; d > 0 && o[d] == grid[d]; d--) { \
				o[d] = 0; \
				o[d - 1]++; \
			} \
		} \
	} \
}

#define ONNXCC_CONVTRANSPOSE(NAME, T) \
ONNXCC_GEMM_CORE(NAME##_gemm, T, T) \
ONNXCC_COL2IM_ADD(NAME##_scatter, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t *g = p + 6; \
	int64_t nn = p[0], c = p[1], m = p[2], grp = p[3], hasb = p[4], chunk = p[5]; \
	int64_t nd = g[0], cg = c / grp, mg = m / grp, kk = 1, is = 1, os = 1, n, gi, p0, d, i, j; \
	const T *X = (const T *)b[0], *W = (const T *)b[1]; \
	T *Y = (T *)b[2]; \
	const T *bias = hasb ? (const T *)b[3] : (const T *)0; \
	T *col = (T *)b[3 + hasb]; \
	onnxcc_gemm_args a; \
	(void)f; \
	for (d = 0; d < nd; d++) { \
		is *= g[1 + d]; \
		kk *= g[1 + nd + d]; \
		os *= g[1 + 5 * nd + d]; \
	} \
	a.m = mg * kk; a.k = cg; a.rsa = 1; a.csa = mg * kk; a.csb = 1; a.rsb = is; \
	a.rsc = 0; a.csc = 0; a.csy = 1; \
	a.act = ONNXCC_ACT_NONE; a.act_a = a.act_b = 0; a.res = 0; \
	for (n = 0; n < nn; n++) \
		for (gi = 0; gi < grp; gi++) { \
			const T *xg = X + (n * c + gi * cg) * is, *wg = W + gi * cg * mg * kk; \
			T *yg = Y + (n * m + gi * mg) * os; \
			for (i = 0; i < mg; i++) \
				for (j = 0; j < os; j++) \
					yg[i * os + j] = bias ? bias[gi * mg + i] : (T)0; \
			for (p0 = 0; p0 < is; p0 += chunk) { \
				a.n = is - p0 < chunk ? is - p0 : chunk; \
				a.rsy = a.n; \
				NAME##_gemm(&a, wg, xg + p0, (const T *)0, col, 1, 0); \
				NAME##_scatter(col, yg, g, mg * kk, p0, a.n); \
			} \
		} \
}

/* Number of blocks along each axis from the run-time block shape; 0 if the
 * shapes are inconsistent (see col2im above). */
ONNXCC_HELPER int onnxcc_col2im_geom(const int64_t *p, const int64_t *ishape,
				     const int64_t *bshape, int64_t *g)
{
	int64_t nd = p[0], ck = p[2], l = p[3], c = p[4], kk = 1, nb = 1, d;
	const int64_t *img = p + 5, *dl = img + nd, *pb = dl + nd, *pe = pb + nd, *st = pe + nd;

	g[0] = nd;
	for (d = 0; d < nd; d++) {
		int64_t span;
		if (ishape[d] != img[d] || bshape[d] < 1)
			return 0;
		span = img[d] + pb[d] + pe[d] - (bshape[d] - 1) * dl[d] - 1;
		if (span < 0)
			return 0;
		g[1 + d] = span / st[d] + 1;
		g[1 + nd + d] = bshape[d];
		g[1 + 2 * nd + d] = st[d];
		g[1 + 3 * nd + d] = dl[d];
		g[1 + 4 * nd + d] = pb[d];
		g[1 + 5 * nd + d] = img[d];
		kk *= bshape[d];
		nb *= g[1 + d];
	}
	return kk * c == ck && nb == l;
}

#define ONNXCC_COL2IM(NAME, T) \
ONNXCC_COL2IM_ADD(NAME##_scatter, T) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t nd = p[0], nn = p[1], ck = p[2], l = p[3], c = p[4], is = 1, n, i; \
	int64_t g[1 + 6 * ONNXCC_MAX_RANK]; \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[3]; \
	(void)f; \
	if (!onnxcc_col2im_geom(p, (const int64_t *)b[1], (const int64_t *)b[2], g)) { \
		*(int *)b[4] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	for (i = 0; i < nd; i++) \
		is *= p[5 + i]; \
	for (i = 0; i < nn * c * is; i++) \
		Y[i] = 0; \
	for (n = 0; n < nn; n++) \
		NAME##_scatter(X + n * ck * l, Y + n * c * is, g, ck, 0, l); \
}

/* Offset in out of the row-major offset at of a tensor of shape in. */
ONNXCC_HELPER int64_t onnxcc_unpool_at(int64_t at, int64_t r, const int64_t *in,
				       const int64_t *out)
{
	int64_t d, off = 0, mul = 1;

	for (d = r - 1; d >= 0; d--) {
		off += (at % in[d]) * mul;
		at /= in[d];
		mul *= out[d];
	}
	return off;
}

#define ONNXCC_MAXUNPOOL(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t r = p[0], hass = p[1], nx = p[2 + 2 * r], ni = 1, ny = 1, e, d, same = 1; \
	const int64_t *in = p + 2, *out = in + r, *ix = (const int64_t *)b[1]; \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[2 + hass]; \
	int *status = (int *)b[3 + hass]; \
	(void)f; \
	for (d = 0; d < r; d++) { \
		if (hass && ((const int64_t *)b[2])[d] != out[d]) { \
			*status = ONNXCC_ERR_SHAPE; \
			return; \
		} \
		ni *= in[d]; \
		ny *= out[d]; \
		same &= in[d] == out[d]; \
	} \
	for (e = 0; e < nx; e++) \
		if (ix[e] < 0 || ix[e] >= ni) { \
			*status = ONNXCC_ERR_INDEX; \
			return; \
		} \
	for (e = 0; e < ny; e++) \
		Y[e] = 0; \
	for (e = 0; e < nx; e++) \
		Y[same ? ix[e] : onnxcc_unpool_at(ix[e], r, in, out)] = X[e]; \
}

/* The p-norm of the valid taps (pool.h's window helpers). */
#define ONNXCC_LPPOOL(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	T pw = (T)f[0]; \
	int64_t nd = p[0], nc = p[1]; \
	const int64_t *out = p + 2 + nd, *dil = p + 2 + 4 * nd; \
	int64_t o[ONNXCC_MAX_RANK], start[ONNXCC_MAX_RANK], lo[ONNXCC_MAX_RANK]; \
	int64_t hi[ONNXCC_MAX_RANK], t[ONNXCC_MAX_RANK], xs[ONNXCC_MAX_RANK]; \
	int64_t insz, outsz, c, j, d, e, npad, last = nd - 1; \
	onnxcc_pool_sizes(p, xs, &insz, &outsz); \
	for (c = 0; c < nc; c++) { \
		const T *x0 = X + c * insz; \
		for (d = 0; d < nd; d++) \
			o[d] = 0; \
		for (j = 0; j < outsz; j++) { \
			T sum = 0; \
			if (onnxcc_pool_window(p, o, start, lo, hi, &npad) > 0) { \
				for (d = 0; d < nd; d++) \
					t[d] = lo[d]; \
				do { \
					const T *row = x0 + onnxcc_pool_row(nd, start, t, dil, xs); \
					for (e = lo[last]; e < hi[last]; e++) { \
						T v = fabs(row[e * dil[last]]); \
						sum += pw == 2 ? v * v : pw == 1 ? v : pow(v, pw); \
					} \
				} while (onnxcc_pool_next_row(nd, t, lo, hi)); \
			} \
			Y[c * outsz + j] = pw == 2 ? sqrt(sum) : pw == 1 ? sum : pow(sum, (T)1 / pw); \
			onnxcc_pool_next_out(nd, o, out); \
		} \
	} \
}

#endif
