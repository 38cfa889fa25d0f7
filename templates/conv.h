/* conv.h: convolution (Conv) as im2col + the GEMM core of linalg.h.
 *
 * conv: b = {X, W, Y, [bias] (has_bias), [col] (use_col), [R] (has_res)}
 *       p = {nd, N, C, M, G, has_bias, use_col, chunk,
 *            in[nd], k[nd], out[nd], stride[nd], dilation[nd], pad[nd], act, has_res}
 *       f = {act_a, act_b}
 *   X is N x C x in[..], W is M x C/G x k[..], Y is N x M x out[..]; pad holds
 *   the leading pads (the trailing ones only shape out).  For each image n and
 *   group g, with K = C/G prod(k) and OS = prod(out):
 *       Y[n, g] (M/G x OS) = W[g] (M/G x K) col (K x OS) + bias[g] (per row)
 *   Without use_col (a 1x1 kernel with stride 1 and no pads) col is X[n, g]
 *   itself.  Otherwise col is built `chunk` output columns at a time into the
 *   scratch buffer (K x chunk), so that it stays in cache and small.
 *   The epilogue (linalg.h's onnxcc_gemm_args, fused by passes/fuse.c) adds
 *   R (shaped as Y) and applies the activation act to each finished tile. */
#ifndef ONNXCC_CONV_H
#define ONNXCC_CONV_H

/* Fill dst[0, run) from the positions o0 .. o0 + run - 1 of one input row xr
 * of length n, read at o * s + base, with 0 outside the row. */
#define ONNXCC_CONV_ROW(NAME, T) \
static inline void NAME(T *dst, const T *xr, int64_t n, int64_t o0, int64_t run, int64_t s, \
	int64_t base) \
{ \
	int64_t lo = base >= 0 ? 0 : (-base + s - 1) / s; \
	int64_t hi = n - 1 - base < 0 ? 0 : (n - 1 - base) / s + 1; \
	int64_t t0 = lo - o0, t1 = hi - o0, t; \
	t0 = t0 < 0 ? 0 : t0 > run ? run : t0; \
	t1 = t1 < t0 ? t0 : t1 > run ? run : t1; \
	for (t = 0; t < t0; t++) \
		dst[t] = 0; \
	if (s == 1) { \
		memcpy(dst + t0, xr + o0 + base + t0, (size_t)(t1 - t0) * sizeof(T)); \
		t = t1; \
	} else if (s == 2) {	/* a literal stride: vector shuffles */ \
		for (; t < t1; t++) \
			dst[t] = xr[(o0 + t) * 2 + base]; \
	} else { \
		for (; t < t1; t++) \
			dst[t] = xr[(o0 + t) * s + base]; \
	} \
	for (; t < run; t++) \
		dst[t] = 0; \
}

/* col (K x pc) = the im2col rows of image-group xg for output positions
 * [p0, p0 + pc), with p the kernel's parameters.  Row (c, kernel offset),
 * column (output position); spans along the last spatial axis are copied
 * whole.  NAME_one makes one row. */
#define ONNXCC_IM2COL_ONE(NAME, T) \
ONNXCC_CONV_ROW(NAME##_row, T) \
static inline void NAME##_one(const T *xg, T *dst, const int64_t *p, int64_t row, int64_t p0, \
	int64_t pc) \
{ \
	int64_t nd = p[0], last = nd - 1, is = 1, d; \
	const int64_t *in = p + 8, *ks = in + nd, *out = ks + nd, *st = out + nd; \
	const int64_t *dl = st + nd, *pd = dl + nd; \
	int64_t kx[ONNXCC_MAX_RANK], o[ONNXCC_MAX_RANK], rem = row, j = 0; \
	const T *xc; \
	for (d = 0; d < nd; d++) \
		is *= in[d]; \
	for (d = last; d >= 0; d--) { \
		kx[d] = rem % ks[d]; \
		rem /= ks[d]; \
	} \
	xc = xg + rem * is; \
	for (rem = p0, d = last; d >= 0; d--) { \
		o[d] = rem % out[d]; \
		rem /= out[d]; \
	} \
	while (j < pc) { \
		int64_t run = out[last] - o[last] < pc - j ? out[last] - o[last] : pc - j; \
		int64_t off = 0, ok = 1, t; \
		for (d = 0; d < last; d++) { \
			int64_t ix = o[d] * st[d] - pd[d] + kx[d] * dl[d]; \
			ok &= ix >= 0 && ix < in[d]; \
			off = off * in[d] + ix; \
		} \
		if (ok) \
			NAME##_row(dst + j, xc + off * in[last], in[last], o[last], run, st[last], \
				   kx[last] * dl[last] - pd[last]); \
		else \
			for (t = 0; t < run; t++) \
				dst[j + t] = 0; \
		j += run; \
		o[last] += run; \
		for (d = last; d > 0 && o[d] == out[d]; d--) { \
			o[d] = 0; \
			o[d - 1]++; \
		} \
	} \
}
#define ONNXCC_IM2COL(NAME, T) \
ONNXCC_IM2COL_ONE(NAME, T) \
static inline void NAME(const T *xg, T *col, const int64_t *p, int64_t cg, int64_t p0, int64_t pc) \
{ \
	int64_t nd = p[0], kk = 1, row, d; \
	for (d = 0; d < nd; d++) \
		kk *= p[8 + nd + d]; \
	for (row = 0; row < cg * kk; row++) \
		NAME##_one(xg, col + row * pc, p, row, p0, pc); \
}

/* The GEMM of one group of a convolution with parameters p (the layout
 * above): Y_g[M/G, out] = W_g[M/G, K] x col[K, out], K = C/G * prod(kernel),
 * into a (n and rsb are the caller's: they depend on the chunk); *is and *os
 * get the input and output spatial sizes. */
ONNXCC_HELPER void onnxcc_conv_gemm_shape(const int64_t *p, onnxcc_gemm_args *a, int64_t *is,
					  int64_t *os)
{
	int64_t nd = p[0], d;
	const int64_t *in = p + 8, *ks = in + nd, *out = ks + nd;

	a->k = p[2] / p[4];
	*is = *os = 1;
	for (d = 0; d < nd; d++) {
		a->k *= ks[d];
		*is *= in[d];
		*os *= out[d];
	}
	a->m = p[3] / p[4];
	a->rsa = a->k; a->csa = 1; a->csb = 1;
	a->rsc = 1; a->csc = 0; a->rsy = *os; a->csy = 1;
}

#define ONNXCC_CONV(NAME, T) \
ONNXCC_GEMM_CORE(NAME##_gemm, T, T) \
ONNXCC_IM2COL(NAME##_im2col, T) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t nn = p[1], c = p[2], m = p[3], grp = p[4], hasb = p[5], usecol = p[6]; \
	int64_t chunk = p[7], cg = c / grp, mg = m / grp, kk, is, os, n, g, p0; \
	const T *X = (const T *)b[0], *W = (const T *)b[1]; \
	T *Y = (T *)b[2]; \
	const T *bias = hasb ? (const T *)b[3] : (const T *)0; \
	T *col = usecol ? (T *)b[3 + hasb] : (T *)0; \
	onnxcc_gemm_args a; \
	(void)f; \
	const T *R = p[9 + 6 * p[0]] ? (const T *)b[3 + hasb + usecol] : (const T *)0; \
	onnxcc_conv_gemm_shape(p, &a, &is, &os); \
	onnxcc_gemm_epi_args(&a, p + 8 + 6 * p[0], f); \
	kk = a.k; \
	for (n = 0; n < nn; n++) \
		for (g = 0; g < grp; g++) { \
			const T *xg = X + (n * c + g * cg) * is, *wg = W + g * mg * kk; \
			const T *bg = bias ? bias + g * mg : bias; \
			T *yg = Y + (n * m + g * mg) * os; \
			const T *rg = R ? R + (n * m + g * mg) * os : R; \
			if (!usecol) { \
				a.n = os; \
				a.rsb = is; \
				a.res = rg; \
				NAME##_gemm(&a, wg, xg, bg, yg, 1, 1); \
				continue; \
			} \
			for (p0 = 0; p0 < os; p0 += chunk) { \
				a.n = os - p0 < chunk ? os - p0 : chunk; \
				a.rsb = a.n; \
				a.res = rg ? rg + p0 : rg; \
				NAME##_im2col(xg, col, p, cg, p0, a.n); \
				NAME##_gemm(&a, wg, col, bg, yg + p0, 1, 1); \
			} \
		} \
}

/* dwconv2d: a 2-D depthwise convolution (C = M = G: one input and one output
 * channel per group), the parameters and buffers of ONNXCC_CONV without col;
 * the fused epilogue: act p[20], has_res p[21], f = {act_a, act_b}, R after
 * Y and the bias.  With p[22], one more buffer after those: scratch,
 * ONNXCC_PHASES_SCRATCH(oh, ow, kh, kw, sy, sx, dy, dx) elements per thread.
 * Each channel is copied into its phase planes (onnxcc_rt.h: any stride,
 * dilation and pads), and every tap is one loop over all oh rows of the
 * plane width at once (long, branch-free, contiguous: small images vectorize
 * too; a 3 x 3 kernel takes its nine taps in one loop); the rows are copied
 * out with the bias.  Without (strides past the image would make planes
 * far bigger than it), each output row starts at the bias; the interior
 * columns (every x tap inside the image, [a, z)) take one weight at a time
 * over the whole run of columns, the edge columns their valid taps one by
 * one; taps in the padding are skipped.  Each finished row gets the epilogue.
 * Threads: task t takes a share of the N * C channels. */
#define ONNXCC_DWCONV2D(NAME, T) \
ONNXCC_GEMM_EPI(NAME##_epi, T) \
/* tap (ty, tx)'s run in the phase planes xp (hp x wp each) */ \
static inline const T *NAME##_tap(const T *xp, int64_t ty, int64_t tx, const int64_t *p, \
	int64_t hp, int64_t wp) \
{ \
	return xp + onnxcc_phase_tap(ty, tx, p[14], p[15], p[16], p[17], hp, wp); \
} \
/* the row path: channel x0 into y0 (oh x ow), R0 laid out as y0 */ \
static void NAME##_rows(const T *restrict x0, const T *restrict w0, T bv, T *y0, const T *R0, \
	const int64_t *p, const double *f, int64_t a, int64_t z) \
{ \
	int64_t ih = p[8], iw = p[9], kh = p[10], kw = p[11], oh = p[12], ow = p[13]; \
	int64_t sy = p[14], sx = p[15], dy = p[16], dx = p[17], py = p[18], px = p[19]; \
	int64_t oy, ox, ty, tx, ylo, yhi; \
	int act = (int)p[20]; \
	for (oy = 0; oy < oh; oy++) { \
		int64_t y0s = oy * sy - py; \
		T *restrict yr = y0 + oy * ow; \
		for (ox = 0; ox < ow; ox++) \
			yr[ox] = bv; \
		ylo = y0s < 0 ? (dy - 1 - y0s) / dy : 0; \
		yhi = ih - y0s <= 0 ? 0 : (ih - y0s + dy - 1) / dy; \
		yhi = yhi > kh ? kh : yhi; \
		for (ty = ylo; ty < yhi; ty++) { \
			const T *restrict xr = x0 + (y0s + ty * dy) * iw - px; \
			for (tx = 0; tx < kw; tx++) { \
				const T *restrict xt = xr + tx * dx; \
				T wv = w0[ty * kw + tx]; \
				for (ox = a; ox < z; ox++) \
					yr[ox] += wv * xt[ox * sx]; \
			} \
			for (ox = a > 0 ? 0 : z; ox < ow; ox = ox + 1 == a ? z : ox + 1) { \
				int64_t x0s = ox * sx - px; \
				T acc = 0; \
				for (tx = 0; tx < kw; tx++) \
					if (x0s + tx * dx >= 0 && x0s + tx * dx < iw) \
						acc += w0[ty * kw + tx] * xr[px + x0s + tx * dx]; \
				yr[ox] += acc; \
			} \
		} \
		if (act || R0) \
			NAME##_epi_row(act, f[0], f[1], yr, R0 ? R0 + oy * ow : R0, ow); \
	} \
} \
static void NAME##_task(void *ctx, int64_t t, int64_t nt) \
{ \
	void *const *b = (void *const *)((const void *const *)ctx)[0]; \
	const int64_t *p = (const int64_t *)((const void *const *)ctx)[1]; \
	const double *f = (const double *)((const void *const *)ctx)[2]; \
	const T *X = (const T *)b[0], *W = (const T *)b[1]; \
	T *Y = (T *)b[2]; \
	const T *bias = p[5] ? (const T *)b[3] : (const T *)0; \
	const T *R = p[21] ? (const T *)b[3 + p[5]] : (const T *)0; \
	int act = (int)p[20]; \
	int64_t C = p[2], ih = p[8], iw = p[9], kh = p[10], kw = p[11], oh = p[12], ow = p[13]; \
	int64_t sy = p[14], sx = p[15], dy = p[16], dx = p[17], py = p[18], px = p[19]; \
	int64_t wp = ONNXCC_PHASE_ROWS(ow, kw, dx, sx), hp = ONNXCC_PHASE_ROWS(oh, kh, dy, sy); \
	int64_t n = oh * wp, ch, lo, hi, i, oy, ox, ty, tx; \
	T *xp = p[22] ? (T *)b[3 + p[5] + p[21]] + \
			t * ONNXCC_PHASES_SCRATCH(oh, ow, kh, kw, sy, sx, dy, dx) : (T *)0; \
	T *restrict acc = xp ? xp + sy * sx * hp * wp + kw : (T *)0; \
	/* the row path's interior columns [a, z): ox sx - px >= 0 and ox sx - px + (kw - 1) dx < iw */ \
	int64_t a = (px + sx - 1) / sx, z = iw - 1 - (kw - 1) * dx + px; \
	z = z < 0 ? 0 : z / sx + 1; \
	a = a > ow ? ow : a; \
	z = z > ow ? ow : z < a ? a : z; \
	onnxcc_share(p[1] * C, 1, t, nt, &lo, &hi); \
	for (ch = lo; ch < hi; ch++) { \
		const T *restrict x0 = X + ch * ih * iw, *restrict w0 = W + ch % C * kh * kw; \
		T bv = bias ? bias[ch % C] : (T)0; \
		if (!xp) { \
			NAME##_rows(x0, w0, bv, Y + ch * oh * ow, R ? R + ch * oh * ow : R, p, f, a, z); \
			continue; \
		} \
		ONNXCC_PHASE_PLANES(T, x0, xp, ih, iw, kh, kw, sy, sx, dy, dx, py, px, hp, wp); \
		if (kh == 3 && kw == 3) { \
			const T *restrict s0 = NAME##_tap(xp, 0, 0, p, hp, wp); \
			const T *restrict s1 = NAME##_tap(xp, 0, 1, p, hp, wp); \
			const T *restrict s2 = NAME##_tap(xp, 0, 2, p, hp, wp); \
			const T *restrict s3 = NAME##_tap(xp, 1, 0, p, hp, wp); \
			const T *restrict s4 = NAME##_tap(xp, 1, 1, p, hp, wp); \
			const T *restrict s5 = NAME##_tap(xp, 1, 2, p, hp, wp); \
			const T *restrict s6 = NAME##_tap(xp, 2, 0, p, hp, wp); \
			const T *restrict s7 = NAME##_tap(xp, 2, 1, p, hp, wp); \
			const T *restrict s8 = NAME##_tap(xp, 2, 2, p, hp, wp); \
			T w_0 = w0[0], w_1 = w0[1], w_2 = w0[2], w_3 = w0[3], w_4 = w0[4]; \
			T w_5 = w0[5], w_6 = w0[6], w_7 = w0[7], w_8 = w0[8]; \
			for (i = 0; i < n; i++) \
				acc[i] = w_0 * s0[i] + w_1 * s1[i] + w_2 * s2[i] + w_3 * s3[i] + \
					 w_4 * s4[i] + w_5 * s5[i] + w_6 * s6[i] + w_7 * s7[i] + \
					 w_8 * s8[i]; \
		} else { \
			for (i = 0; i < n; i++) \
				acc[i] = (T)0; \
			for (ty = 0; ty < kh; ty++) \
				for (tx = 0; tx < kw; tx++) { \
					const T *restrict xs = NAME##_tap(xp, ty, tx, p, hp, wp); \
					T wv = w0[ty * kw + tx]; \
					for (i = 0; i < n; i++) \
						acc[i] += wv * xs[i]; \
				} \
		} \
		for (oy = 0; oy < oh; oy++) { \
			T *restrict yr = Y + (ch * oh + oy) * ow; \
			for (ox = 0; ox < ow; ox++) \
				yr[ox] = acc[oy * wp + ox] + bv; \
			if (act || R) \
				NAME##_epi_row(act, f[0], f[1], yr, R ? R + (ch * oh + oy) * ow : R, ow); \
		} \
	} \
} \
ONNXCC_KERNEL(NAME) \
{ \
	const void *ctx[3]; \
	ctx[0] = (const void *)b; \
	ctx[1] = (const void *)p; \
	ctx[2] = (const void *)f; \
	if (ONNXCC_NTHREADS > 1 && p[1] * p[2] > 1 && p[1] * p[2] * p[12] * p[13] >= 8192) \
		onnxcc_parallel(NAME##_task, (void *)ctx); \
	else \
		NAME##_task((void *)ctx, 0, 1); \
}

/* The float32 convolution of an ISA (gemm_simd.h): the same parameters and
 * buffers as ONNXCC_CONV, but p[8 + 6 nd] = packed_w (W is the weights
 * packed group after group, each as the A operand: onnxcc_f32_prepack with
 * the ISA's MR and KC, round_up(M/G, MR) K floats per group) and one more
 * buffer: scratch.  With use_col, col is K x round_up(chunk, NR): im2col
 * writes it packed as the GEMM's B operand, each row made in scratch (chunk
 * floats) and spread over the panels; without, scratch is the GEMM's.  act
 * and has_res follow packed_w, R follows scratch, and form follows has_res:
 * - ONNXCC_CONV_COLS: as above, the output positions are the product's columns.
 * - ONNXCC_CONV_ROWS (few output positions, many channels: the N edge of a
 *   7 x 7 image would waste a quarter of the tile) swaps the operands: the
 *   positions are the product's rows (col packed as A, round_up(chunk, MR)
 *   wide), the weights its columns (packed as B, with NR); the product goes
 *   to scratch as positions x channels and is transposed into Y, where the
 *   epilogue runs.
 * - ONNXCC_CONV_PLANE (2-D, weights packed): no im2col.  Each channel of the
 *   image group is split into planes, one a phase (ry, rx) of the strides:
 *   plane (ry, rx)[i][j] = the zero-padded image at [sy i + ry][sx j + rx],
 *   hpl x wpl = the output grown by the kernel's reach in strides
 *   (onnxcc_conv_plane_rows/cols).  The positions are counted along the
 *   plane width (q = oy wpl + ox, up to (oh - 1) wpl + ow): tap (ci, ky,
 *   kx)'s row of the im2col matrix is then a run of the plane of phase
 *   (dy ky % sy, dx kx % sx), at row dy ky / sy, column dx kx / sx, which
 *   the micro-kernel reads where it lies (onnxcc_f32_igemm: no col, no
 *   packing of B; usecol is 0).  The product (mg x chunk such
 *   positions) goes to scratch, and its columns ox < ow into Y, where the
 *   epilogue runs.  It computes wpl / ow times the columns.
 * - ONNXCC_CONV_WINO (2-D, 3 x 3, stride and dilation 1): Winograd F(4x4,
 *   3x3) (gemm_simd.h).  W holds the weights' 36 points, each group's as
 *   the A operand, packed by onnxcc_f32_wino_weights (no col).  Per chunk of
 *   whole tile rows (`chunk` slots, tw + 1 a tile row: NAME_wino_in), the
 *   input transform writes V, 36 products Mz_xi = U_xi V_xi (mg x slots, B
 *   read in place) follow, and the output transform writes Y, adds the bias
 *   and runs the epilogue.  It multiplies 36 / (9 x 16) = 1/4 of the direct
 *   form's products, on tiles of 4 x 4 outputs (and one slot more a row).
 * - ONNXCC_CONV_WINO_ROWS: the same with few tiles: the products are
 *   transposed, V_xi^T U_xi^T (the slots the rows, U packed as B with NR),
 *   each into scratch first, then into Mz_xi.
 * Scratch sizes: onnxcc_f32_conv_scratch (gemm_simd.h).
 * Threads (onnxcc --threads): each task takes a share of the output
 * positions (whole panels; Winograd: tile rows) of every image and group,
 * with its own col and scratch: conv_lower makes both ONNXCC_NTHREADS times
 * the size above. */
#define ONNXCC_F32_CONV_SIMD(NAME, ISA, MR, NR, KC) \
ONNXCC_F32_GEMM_ISA(NAME##_gemm, ISA) \
ONNXCC_IM2COL_ONE(NAME##_im2col, float) \
/* One row of col: src[0, pc) into dst, spread over panels of w positions \
 * (kcb rows a panel), zero past pc in the last one */ \
static inline void NAME##_panel_row(float *dst, const float *src, int64_t pc, int64_t w, \
	int64_t kcb) \
{ \
	int64_t j0, c; \
	for (j0 = 0; j0 + w <= pc; j0 += w) \
		memcpy(dst + j0 * kcb, src + j0, (size_t)w * sizeof(float)); \
	if (j0 < pc) \
		for (c = 0; c < w; c++) \
			dst[j0 * kcb + c] = j0 + c < pc ? src[j0 + c] : 0.0f; \
} \
/* Row `row` (channel, tap) of a 2-D convolution's im2col matrix, positions \
 * [p0, p0 + pc), straight into its panels of w positions (position j at \
 * d[j / w * ps + j % w]), zero to the last panel's end: output row after \
 * output row, each panel's share of it from NAME_im2col_row */ \
static inline void NAME##_im2col_2d(const float *xg, float *d, const int64_t *p, int64_t row, \
	int64_t p0, int64_t pc, int64_t w, int64_t ps) \
{ \
	int64_t ih = p[8], iw = p[9], kh = p[10], kw = p[11], ow = p[13]; \
	int64_t kx = row % kw, ky = row / kw % kh, base = kx * p[17] - p[19]; \
	int64_t oy = p0 / ow, ox = p0 % ow, j, t, u, seg, run; \
	const float *xc = xg + row / (kw * kh) * ih * iw; \
	for (j = 0; j < pc; j += run, oy++, ox = 0) { \
		int64_t iy = oy * p[14] - p[18] + ky * p[16]; \
		run = ow - ox < pc - j ? ow - ox : pc - j; \
		for (t = 0; t < run; t += seg) {	/* one panel's share of the run */ \
			int64_t q = j + t; \
			float *o = d + q / w * ps + q % w; \
			seg = w - q % w < run - t ? w - q % w : run - t; \
			if (iy >= 0 && iy < ih) \
				NAME##_im2col_row(o, xc + iy * iw, iw, ox + t, seg, p[15], base); \
			else \
				for (u = 0; u < seg; u++) \
					o[u] = 0; \
		} \
	} \
	for (j = pc; j % w; j++) \
		d[j / w * ps + j % w] = 0; \
} \
/* col = positions [p0, p0 + pc) of every row of the im2col matrix, packed \
 * in panels of w positions as onnxcc_f32_pack makes them (w: NR for the B \
 * operand, MR for the A operand of the transposed product) */ \
static inline void NAME##_im2colp(const float *xg, float *col, float *rowbuf, const int64_t *p, \
	int64_t kdim, int64_t p0, int64_t pc, int64_t w) \
{ \
	int64_t np = onnxcc_round_up(pc, w), row; \
	for (row = 0; row < kdim; row++) { \
		int64_t pcb = row / KC * KC, kcb = kdim - pcb < KC ? kdim - pcb : KC; \
		if (p[0] == 2) { \
			NAME##_im2col_2d(xg, col + pcb * np + (row - pcb) * w, p, row, p0, pc, w, \
					 w * kcb); \
			continue; \
		} \
		NAME##_im2col_one(xg, rowbuf, p, row, p0, pc); \
		NAME##_panel_row(col + pcb * np + (row - pcb) * w, rowbuf, pc, w, kcb); \
	} \
} \
/* Y's rows [0, mg) x positions [0, n) (row stride os) = the transposed \
 * product Z (n x mg), then the epilogue on each row (R as Y) */ \
static inline void NAME##_untrans(const onnxcc_gemm_args *a, const float *Z, float *Y, \
	const float *R, int64_t mg, int64_t n, int64_t os) \
{ \
	int64_t c0, i0, c, i; \
	for (c0 = 0; c0 < mg; c0 += 16) \
		for (i0 = 0; i0 < n; i0 += 16) \
			for (c = c0; c < mg && c < c0 + 16; c++) \
				for (i = i0; i < n && i < i0 + 16; i++) \
					Y[c * os + i] = Z[i * mg + c]; \
	if (a->act || R) \
		for (c = 0; c < mg; c++) \
			onnxcc_f32_epi_row(a->act, a->act_a, a->act_b, Y + c * os, \
					   R ? R + c * os : R, n); \
} \
/* ONNXCC_CONV_PLANE: positions [lo, hi) (along the padded width) of image \
 * group xg; xp, z and off: the planes, the product, B's row offsets */ \
static inline void NAME##_plane(const onnxcc_gemm_args *a, const int64_t *p, const float *xg, \
	const float *pw, const float *bg, float *yg, const float *rg, float *xp, float *z, \
	int64_t *off, int64_t cg, int64_t mg, int64_t chunk, int64_t lo, int64_t hi) \
{ \
	int64_t ih = p[8], iw = p[9], kh = p[10], kw = p[11], oh = p[12], ow = p[13]; \
	int64_t sy = p[14], sx = p[15], dy = p[16], dx = p[17], os = oh * ow; \
	int64_t wpl = onnxcc_conv_plane_cols(p), hpl = onnxcc_conv_plane_rows(p); \
	int64_t planes = onnxcc_conv_plane_size(p), kk = a->k, ci, q0, row, i, oy; \
	onnxcc_gemm_args az = *a; \
	for (ci = 0; ci < cg; ci++) \
		onnxcc_f32_conv_phases(xg + ci * ih * iw, xp + ci * planes, p); \
	for (i = 0; i < NR; i++)	/* the last panel reads up to NR - 1 floats past the planes */ \
		xp[cg * planes + i] = 0; \
	/* tap (ci, ky, kx)'s row of the im2col matrix: a run of a plane */ \
	for (row = 0; row < kk; row++) \
		off[row] = row / (kw * kh) * planes + \
			   onnxcc_phase_tap(row / kw % kh, row % kw, sy, sx, dy, dx, hpl, wpl); \
	for (q0 = lo; q0 < hi; q0 += chunk) { \
		int64_t nq = hi - q0 < chunk ? hi - q0 : chunk; \
		az.n = nq; \
		az.rsy = nq; \
		onnxcc_f32_igemm_##ISA(&az, pw, xp + q0, off, bg, z); \
		/* each output row's part of [q0, q0 + nq) */ \
		for (oy = q0 / wpl; oy * wpl < q0 + nq; oy++) { \
			int64_t s0 = oy * wpl > q0 ? oy * wpl : q0; \
			int64_t s1 = oy * wpl + ow < q0 + nq ? oy * wpl + ow : q0 + nq; \
			int64_t at = oy * ow + s0 - oy * wpl; \
			for (i = 0; s0 < s1 && i < mg; i++) { \
				memcpy(yg + i * os + at, z + i * nq + s0 - q0, \
				       (size_t)(s1 - s0) * sizeof(float)); \
				if (a->act || rg) \
					onnxcc_f32_epi_row(a->act, a->act_a, a->act_b, yg + i * os + at, \
							   rg ? rg + i * os + at : rg, s1 - s0); \
			} \
		} \
	} \
} \
/* B^T of n 6-vectors: d_i[q] -> o_i[q] */ \
static inline void NAME##_wino_bt(float *restrict o0, float *restrict o1, float *restrict o2, \
	float *restrict o3, float *restrict o4, float *restrict o5, const float *restrict d0, \
	const float *restrict d1, const float *restrict d2, const float *restrict d3, \
	const float *restrict d4, const float *restrict d5, int64_t n) \
{ \
	int64_t q; \
	for (q = 0; q < n; q++) { \
		float a0 = d0[q], a1 = d1[q], a2 = d2[q], a3 = d3[q], a4 = d4[q], a5 = d5[q]; \
		o0[q] = 4 * a0 - 5 * a2 + a4; \
		o1[q] = a3 + a4 - 4 * (a1 + a2); \
		o2[q] = a4 - a3 + 4 * (a1 - a2); \
		o3[q] = a4 - a2 + 2 * (a3 - a1); \
		o4[q] = a4 - a2 - 2 * (a3 - a1); \
		o5[q] = 4 * a1 - 5 * a3 + a5; \
	} \
} \
/* A^T of n 6-vectors plus b: d_i[q] -> o_i[q] */ \
static inline void NAME##_wino_at(float *restrict o0, float *restrict o1, float *restrict o2, \
	float *restrict o3, const float *restrict d0, const float *restrict d1, \
	const float *restrict d2, const float *restrict d3, const float *restrict d4, \
	const float *restrict d5, float b, int64_t n) \
{ \
	int64_t q; \
	for (q = 0; q < n; q++) { \
		float a0 = d0[q], a1 = d1[q], a2 = d2[q], a3 = d3[q], a4 = d4[q], a5 = d5[q]; \
		o0[q] = a0 + a1 + a2 + a3 + a4 + b; \
		o1[q] = a1 - a2 + 2 * (a3 - a4) + b; \
		o2[q] = a1 + a2 + 4 * (a3 + a4) + b; \
		o3[q] = a1 - a2 + 8 * (a3 - a4) + a5 + b; \
	} \
} \
/* ONNXCC_CONV_WINO lays a chunk's tiles out as rows of tw + 1 slots (tw \
 * tiles of the tile row and one more, which the transforms compute from the \
 * padding and the products carry; nothing reads it back), so that each \
 * transform is one long loop over the chunk.  The input transform: for tile \
 * rows [ty0, ty0 + nty), V[xi][ci][slot] (points vs = cg n apart, n = nty \
 * (tw + 1)) = (B^T d B)[xi] of the slot's 6 x 6 input d in channel ci.  The \
 * six input rows of each tile row, zero-padded, go in r (4 (tw + 1) floats a \
 * tile row); B^T down them gives t; each row of t is split by column mod 4 \
 * (e: slot q's columns are e0..e3[q], e0 and e1[q + 1]) and goes through B^T \
 * across. */ \
static inline void NAME##_wino_in(const float *xg, float *V, float *tmp, const int64_t *p, \
	int64_t cg, int64_t ty0, int64_t nty) \
{ \
	int64_t ih = p[8], iw = p[9], py = p[18], px = p[19], tw = onnxcc_wino_cols(p); \
	int64_t n = nty * (tw + 1), wr = 4 * (tw + 1), l4 = 4 * n, vs = cg * n, ci, ty, j, i, q; \
	float *restrict r = tmp, *restrict t = r + 6 * l4, *restrict e = t + 6 * l4; \
	float *restrict e0 = e, *restrict e1 = e + n + 1, *restrict e2 = e1 + n + 1; \
	float *restrict e3 = e2 + n + 1; \
	for (ci = 0; ci < cg; ci++) { \
		for (ty = 0; ty < nty; ty++) \
			for (j = 0; j < 6; j++) { \
				int64_t y = 4 * (ty0 + ty) + j - py; \
				float *rj = r + j * l4 + ty * wr; \
				if (y >= 0 && y < ih) \
					NAME##_im2col_row(rj, xg + (ci * ih + y) * iw, iw, 0, wr, 1, -px); \
				else \
					memset(rj, 0, (size_t)wr * sizeof(float)); \
			} \
		NAME##_wino_bt(t, t + l4, t + 2 * l4, t + 3 * l4, t + 4 * l4, t + 5 * l4, r, \
			       r + l4, r + 2 * l4, r + 3 * l4, r + 4 * l4, r + 5 * l4, l4); \
		for (i = 0; i < 6; i++) { \
			const float *restrict ti = t + i * l4; \
			float *vi = V + 6 * i * vs + ci * n; \
			for (q = 0; q < n; q++) { \
				e0[q] = ti[4 * q]; \
				e1[q] = ti[4 * q + 1]; \
				e2[q] = ti[4 * q + 2]; \
				e3[q] = ti[4 * q + 3]; \
			} \
			e0[n] = e1[n] = 0.0f;	/* the last row's extra slot reads them */ \
			NAME##_wino_bt(vi, vi + vs, vi + 2 * vs, vi + 3 * vs, vi + 4 * vs, vi + 5 * vs, \
				       e0, e1, e2, e3, e0 + 1, e1 + 1, n); \
		} \
	} \
} \
/* ONNXCC_CONV_WINO's output transform: Y at tile rows [ty0, ty0 + nty) = \
 * A^T Mz A + the bias, from the products Mz[xi][c][slot] (mg x n each), then \
 * the epilogue.  A^T goes across (s: row i, column k) and down (o: output \
 * row y, column k), each output row is interleaved from o, all over the n \
 * slots at once; the rows are then copied into Y, clipped to oh x ow. */ \
static inline void NAME##_wino_out(const onnxcc_gemm_args *g, const int64_t *p, \
	const float *Mz, float *tmp, const float *bg, float *yg, const float *rg, int64_t mg, \
	int64_t ty0, int64_t nty) \
{ \
	int64_t oh = p[12], ow = p[13], tw = onnxcc_wino_cols(p), os = oh * ow; \
	int64_t n = nty * (tw + 1), ms = mg * n, c, i, k, q, ty, y; \
	float *restrict s = tmp, *restrict o = s + 24 * n, *restrict row = o + 16 * n; \
	for (c = 0; c < mg; c++) { \
		for (i = 0; i < 6; i++) { \
			const float *m0 = Mz + 6 * i * ms + c * n; \
			float *si = s + 4 * i * n; \
			NAME##_wino_at(si, si + n, si + 2 * n, si + 3 * n, m0, m0 + ms, m0 + 2 * ms, \
				       m0 + 3 * ms, m0 + 4 * ms, m0 + 5 * ms, 0.0f, n); \
		} \
		for (k = 0; k < 4; k++) \
			NAME##_wino_at(o + k * n, o + (4 + k) * n, o + (8 + k) * n, o + (12 + k) * n, \
				       s + k * n, s + (4 + k) * n, s + (8 + k) * n, s + (12 + k) * n, \
				       s + (16 + k) * n, s + (20 + k) * n, bg ? bg[c] : 0.0f, n); \
		for (y = 0; y < 4; y++) { \
			const float *restrict o0 = o + 4 * y * n, *restrict o1 = o0 + n; \
			const float *restrict o2 = o0 + 2 * n, *restrict o3 = o0 + 3 * n; \
			for (q = 0; q < n; q++) { \
				row[4 * q] = o0[q]; \
				row[4 * q + 1] = o1[q]; \
				row[4 * q + 2] = o2[q]; \
				row[4 * q + 3] = o3[q]; \
			} \
			for (ty = 0; ty < nty && 4 * (ty0 + ty) + y < oh; ty++) { \
				int64_t at = c * os + (4 * (ty0 + ty) + y) * ow; \
				memcpy(yg + at, row + 4 * (tw + 1) * ty, (size_t)ow * sizeof(float)); \
				if (g->act || rg) \
					onnxcc_f32_epi_row(g->act, g->act_a, g->act_b, yg + at, \
							   rg ? rg + at : rg, ow); \
			} \
		} \
	} \
} \
/* ONNXCC_CONV_WINO: tile rows [lo, hi) of image group xg, chunk / (tw + 1) \
 * at a time: the input transform into V, one product a point (Mz_xi = U_xi \
 * V_xi, U_xi packed, us floats apart), the output transform; s: the scratch \
 * (onnxcc_f32_conv_scratch).  trans (ONNXCC_CONV_WINO_ROWS): each product \
 * is V_xi^T U_xi^T into Z (slots x mg), transposed into Mz_xi. */ \
static inline void NAME##_wino(const onnxcc_gemm_args *a, const int64_t *p, const float *xg, \
	const float *U, int64_t us, const float *bg, float *yg, const float *rg, float *s, \
	int64_t cg, int64_t mg, int64_t chunk, int64_t lo, int64_t hi, int trans, int64_t m0, \
	int64_t m1) \
{ \
	int64_t tw = onnxcc_wino_cols(p), rows = chunk / (tw + 1), os = p[12] * p[13], ty0, xi; \
	float *V = s, *Mz = V + 36 * chunk * cg, *tmp = Mz + 36 * chunk * mg; \
	float *z = tmp + onnxcc_wino_temps(chunk), *gs = z + (trans ? chunk * mg : 0); \
	onnxcc_gemm_args az = *a; \
	az.k = cg; \
	az.act = ONNXCC_ACT_NONE; \
	az.res = 0; \
	/* output channels [m0, m1) only (whole panels; the weights one K block, \
	 * so a panel's weights start m0 cg floats in) */ \
	U += m0 * cg; \
	bg = bg ? bg + m0 : bg; \
	yg += m0 * os; \
	rg = rg ? rg + m0 * os : rg; \
	mg = m1 - m0; \
	for (ty0 = lo; ty0 < hi; ty0 += rows) { \
		int64_t nty = hi - ty0 < rows ? hi - ty0 : rows, n = nty * (tw + 1); \
		NAME##_wino_in(xg, V, tmp, p, cg, ty0, nty); \
		for (xi = 0; xi < 36; xi++) { \
			const float *v = V + xi * cg * n, *u = U + xi * us; \
			float *mz = Mz + xi * mg * n; \
			if (!trans) { \
				az.m = mg; az.n = n; \
				az.rsb = n; az.csb = 1; az.rsy = n; az.csy = 1; \
				NAME##_gemm(&az, u, v, (const float *)0, mz, 1, 1, u, (const float *)0, gs); \
				continue; \
			} \
			az.m = n; az.n = mg; \
			az.rsa = 1; az.csa = n; az.rsy = mg; az.csy = 1; \
			NAME##_gemm(&az, v, u, (const float *)0, z, 1, 1, (const float *)0, u, gs); \
			NAME##_untrans(&az, z, mz, (const float *)0, mg, n, n);	/* no epilogue */ \
		} \
		NAME##_wino_out(a, p, Mz, tmp, bg, yg, rg, mg, ty0, nty); \
	} \
} \
typedef struct NAME##_job { \
	void *const *b; \
	const int64_t *p; \
	const double *f; \
} NAME##_job; \
static void NAME##_task(void *ctx, int64_t t, int64_t nt) \
{ \
	void *const *b = ((const NAME##_job *)ctx)->b; \
	const int64_t *p = ((const NAME##_job *)ctx)->p; \
	const double *f = ((const NAME##_job *)ctx)->f; \
	int64_t nn = p[1], c = p[2], m = p[3], grp = p[4], hasb = p[5], usecol = p[6]; \
	int64_t chunk = p[7], cg = c / grp, mg = m / grp, kk, is, os, n, g, p0, lo, hi, per, m0, m1; \
	int packw = (int)p[8 + 6 * p[0]], form = (int)p[11 + 6 * p[0]]; \
	int trans = form == ONNXCC_CONV_ROWS || form == ONNXCC_CONV_WINO_ROWS; \
	int wino = form == ONNXCC_CONV_WINO || form == ONNXCC_CONV_WINO_ROWS; \
	int64_t wp = trans ? MR : NR;	/* positions a panel: MR as rows, NR as columns */ \
	const float *X = (const float *)b[0], *W = (const float *)b[1]; \
	float *Y = (float *)b[2]; \
	const float *bias = hasb ? (const float *)b[3] : (const float *)0; \
	float *col = usecol ? (float *)b[3 + hasb] : (float *)0; \
	float *scratch = (float *)b[3 + hasb + usecol]; \
	const float *R = p[10 + 6 * p[0]] ? (const float *)b[4 + hasb + usecol] : (const float *)0; \
	onnxcc_gemm_args a, at; \
	onnxcc_conv_gemm_shape(p, &a, &is, &os); \
	onnxcc_gemm_epi_args(&a, p + 9 + 6 * p[0], f); \
	kk = a.k; \
	/* the transposed product: positions x channels into Z, no epilogue */ \
	at = a; \
	at.n = mg; \
	at.rsa = 1; at.csa = is; at.rsb = 1; at.csb = kk; \
	at.rsc = 0; at.csc = 1; at.rsy = mg; at.csy = 1; \
	at.act = ONNXCC_ACT_NONE; \
	/* this task's output positions, its col and scratch (conv_lower sizes them) */ \
	onnxcc_share(form == ONNXCC_CONV_PLANE ? onnxcc_conv_plane_positions(p) \
		     : wino ? onnxcc_wino_rows(p) : os, wino ? 1 : wp, t, nt, &lo, &hi); \
	/* Winograd whose transformed weights (36 times the kernel's) are past L2 \
	 * (4 MB), one K block, and a panel of output channels a thread: each \
	 * thread takes its share of the channels and all tile rows (each makes \
	 * the whole input transform, a few percent of the products then), so \
	 * the weights stream from memory once in all rather than once a thread */ \
	m0 = 0; \
	m1 = mg; \
	if (wino && nt > 1 && cg <= KC && mg >= nt * (trans ? NR : MR) && \
	    36 * cg * mg >= ((int64_t)1 << 20)) { \
		onnxcc_share(mg, trans ? NR : MR, t, nt, &m0, &m1); \
		lo = 0; \
		hi = m0 < m1 ? onnxcc_wino_rows(p) : 0; \
	} \
	per = onnxcc_f32_conv_scratch(mg, os, wino ? cg : kk, chunk, (int)usecol, form, packw, \
		form == ONNXCC_CONV_PLANE ? cg * onnxcc_conv_plane_size(p) \
		: wino ? onnxcc_wino_temps(chunk) : 0, MR, NR, KC, \
		ONNXCC_MC_##ISA, ONNXCC_NC_##ISA); \
	scratch += t * per; \
	if (col) \
		col += t * kk * onnxcc_round_up(chunk, wp); \
	for (n = 0; n < nn && lo < hi; n++) \
		for (g = 0; g < grp; g++) { \
			const float *xg = X + (n * c + g * cg) * is, *wg = W + g * mg * kk; \
			const float *pw = packw ? W + g * kk * onnxcc_round_up(mg, trans ? NR : MR) \
						: (const float *)0; \
			const float *bg = bias ? bias + g * mg : bias; \
			float *yg = Y + (n * m + g * mg) * os; \
			const float *rg = R ? R + (n * m + g * mg) * os : R; \
			if (wino) { \
				int64_t us = onnxcc_round_up(mg, trans ? NR : MR) * cg; \
				NAME##_wino(&a, p, xg, W + g * us, grp * us, bg, yg, rg, scratch, cg, \
					    mg, chunk, lo, hi, trans, m0, m1); \
				continue; \
			} \
			if (form == ONNXCC_CONV_PLANE) { \
				float *xp = scratch + 2 * kk; \
				NAME##_plane(&a, p, xg, pw, bg, yg, rg, xp, \
					     xp + cg * onnxcc_conv_plane_size(p) + NR, \
					     (int64_t *)(void *)scratch, cg, mg, chunk, lo, hi); \
				continue; \
			} \
			if (trans) { \
				/* Z (the positions' rows) first in scratch, then the GEMM's */ \
				int64_t rows = usecol ? chunk : os; \
				float *z = scratch, *gs = scratch + rows * mg; \
				for (p0 = lo; p0 < hi; p0 += rows) { \
					at.m = hi - p0 < rows ? hi - p0 : rows; \
					if (usecol) { \
						NAME##_im2colp(xg, col, gs, p, kk, p0, at.m, MR); \
						NAME##_gemm(&at, col, wg, bg, z, 1, 1, col, pw, gs); \
					} else { \
						NAME##_gemm(&at, xg + p0, wg, bg, z, 1, 1, \
							    (const float *)0, pw, gs); \
					} \
					NAME##_untrans(&a, z, yg + p0, rg ? rg + p0 : rg, mg, at.m, os); \
				} \
				continue; \
			} \
			if (!usecol) { \
				a.n = hi - lo; \
				a.rsb = is; \
				a.res = rg ? rg + lo : rg; \
				NAME##_gemm(&a, wg, xg + lo, bg, yg + lo, 1, 1, pw, (const float *)0, \
					    scratch); \
				continue; \
			} \
			for (p0 = lo; p0 < hi; p0 += chunk) { \
				a.n = hi - p0 < chunk ? hi - p0 : chunk; \
				a.rsb = a.n; \
				a.res = rg ? rg + p0 : rg; \
				NAME##_im2colp(xg, col, scratch, p, kk, p0, a.n, NR); \
				NAME##_gemm(&a, wg, col, bg, yg + p0, 1, 1, pw, col, scratch); \
			} \
		} \
} \
ONNXCC_KERNEL(NAME) \
{ \
	NAME##_job j; \
	int64_t nd = p[0], os = 1, d; \
	j.b = b; \
	j.p = p; \
	j.f = f; \
	for (d = 0; d < nd; d++) \
		os *= p[8 + 2 * nd + d]; \
	/* threads for a convolution of at least two tiles of output positions */ \
	if (ONNXCC_NTHREADS > 1 && os > NR) \
		onnxcc_parallel(NAME##_task, &j); \
	else \
		NAME##_task(&j, 0, 1); \
}

#endif
