/* sample.h: GridSample, AffineGrid and DeformConv: reading images at
 * fractional coordinates (ops/sample.c).
 *
 * gridsample: b = {X, G, Y}, p = {N, C, r, mode, padding, align, in[r], out[r]}
 *             X is [N, C, in...], G is [N, out..., r], Y is [N, C, out...].  G's last
 *             axis holds normalized coordinates in [-1, 1], innermost axis first
 *             (x, y, z); they are mapped to pixel coordinates (align_corners: -1 and 1
 *             are the centres of the first and last pixels, else their outer edges),
 *             brought inside by the padding mode, and interpolated (nearest: one tap,
 *             linear: 2, cubic: 4 per axis, Keys a = -0.75).  Taps outside the input
 *             read 0 (zeros), the edge (border) or their mirror image (reflection).
 *             Coordinates are computed in T step by step, as the reference does.
 * affinegrid: b = {Theta, S (int64 size), Y, [status]}, p = {N, r, align, check, dims[r]}
 *             Y[n, i..., k] = sum_j Theta[n, k, j] v_j, v = (x, y, (z), 1) the
 *             normalized coordinates of the pixel i... of an image of dims[r].  With
 *             check, S must be (N, C, dims...) for some C >= 0, else *status =
 *             ONNXCC_ERR_SHAPE.
 * deformconv: b = {X, W, O, [B], [M], Y}, p = {N, C, H, Wd, M, OH, OW, KH, KW, group,
 *             ogroup, SH, SW, DH, DW, PH, PW, hasB, hasM}
 *             Y[n, m, i, j] = B[m] + sum over the group's channels c and taps (a, e) of
 *             W[m, c', a, e] * mask * X[n, c] read bilinearly (zeros outside) at
 *             (i SH - PH + a DH + dy, j SW - PW + e DW + dx), where (dy, dx) and the mask
 *             come from O and M for the offset group of c:
 *             O is [N, ogroup, KH, KW, 2, OH, OW], M is [N, ogroup, KH, KW, OH, OW]. */
#ifndef ONNXCC_SAMPLE_H
#define ONNXCC_SAMPLE_H

#define ONNXCC_GS_LINEAR 0
#define ONNXCC_GS_NEAREST 1
#define ONNXCC_GS_CUBIC 2

#define ONNXCC_GS_ZEROS 0
#define ONNXCC_GS_BORDER 1
#define ONNXCC_GS_REFLECTION 2

/* x folded into [lo, hi] by reflecting at both ends, as often as needed. */
ONNXCC_HELPER double onnxcc_gs_reflect(double x, double lo, double hi)
{
	double rng = hi - lo, t;

	if (!(rng > 0))
		return lo;
	if (x < lo) {
		t = fmod(lo - x, 2 * rng);
		return t <= rng ? lo + t : hi - (t - rng);
	}
	if (x > hi) {
		t = fmod(x - hi, 2 * rng);
		return t <= rng ? hi - t : lo + (t - rng);
	}
	return x;
}

/* floor(x) as an index, kept in a range where later arithmetic cannot
 * overflow (NaN gives -2: outside every axis). */
ONNXCC_HELPER int64_t onnxcc_gs_floor(double x)
{
	if (!(x > -4e15))
		return x < 0 ? (int64_t)-4e15 : -2;
	return x < 4e15 ? (int64_t)floor(x) : (int64_t)4e15;
}

/* Where tap index i of an axis of d pixels reads: an index in [0, d), or -1 for 0. */
ONNXCC_HELPER int64_t onnxcc_gs_tap(int64_t i, int64_t d, int64_t padding, double lo, double hi)
{
	if (i >= 0 && i < d)
		return i;
	if (padding == ONNXCC_GS_ZEROS)
		return -1;
	if (padding == ONNXCC_GS_REFLECTION)
		i = (int64_t)onnxcc_gs_reflect((double)i, lo, hi);
	return i < 0 ? 0 : i >= d ? d - 1 : i;
}

/* Keys' cubic convolution weight (a = -0.75) at distance t, in T. */
#define ONNXCC_GS_KEYS(T, t) \
	((t) <= 1 ? (((T)-0.75 + 2) * (t) - ((T)-0.75 + 3)) * (t) * (t) + 1 : \
	 (((T)-0.75 * (t) - 5 * (T)-0.75) * (t) + 8 * (T)-0.75) * (t) - 4 * (T)-0.75)

/* The taps of one axis for normalized coordinate g: offsets (index * stride,
 * or -1 for a zero) and weights; returns their count. */
#define ONNXCC_GS_AXIS(T, g, d, mode, padding, align, stride, off, w) \
	do { \
		T x_ = (align) ? ((g) + 1) / 2 * (T)((d) - 1) : (((g) + 1) * (T)(d) - 1) / 2; \
		double lo_ = (align) ? 0.0 : -0.5, hi_ = (align) ? (double)((d) - 1) : (double)(d) - 0.5; \
		int64_t i0_, k_; \
		if ((mode) == ONNXCC_GS_NEAREST) \
			x_ = rint(x_); /* halfway: the even index (the spec) */ \
		if (x_ < lo_ || x_ > hi_) { \
			if ((padding) == ONNXCC_GS_BORDER) \
				x_ = x_ < 0 ? 0 : (T)((d) - 1); \
			else if ((padding) == ONNXCC_GS_REFLECTION) \
				x_ = (T)onnxcc_gs_reflect((double)x_, lo_, hi_); \
		} \
		i0_ = onnxcc_gs_floor((double)x_); \
		if ((mode) == ONNXCC_GS_NEAREST) { \
			if (x_ < 0 && (double)i0_ != (double)x_) \
				i0_++; /* truncation toward zero */ \
			nt_ = 1; \
			off[0] = onnxcc_gs_tap(i0_, d, padding, lo_, hi_); \
			w[0] = 1; \
		} else { \
			T t_ = x_ - (T)i0_; \
			if ((mode) == ONNXCC_GS_LINEAR) { \
				nt_ = 2; \
				w[0] = 1 - t_; \
				w[1] = t_; \
			} else { \
				nt_ = 4; \
				i0_ -= 1; \
				w[0] = ONNXCC_GS_KEYS(T, t_ + 1); \
				w[1] = ONNXCC_GS_KEYS(T, t_); \
				w[2] = ONNXCC_GS_KEYS(T, 1 - t_); \
				w[3] = ONNXCC_GS_KEYS(T, 2 - t_); \
			} \
			for (k_ = 0; k_ < nt_; k_++) \
				off[k_] = onnxcc_gs_tap(i0_ + k_, d, padding, lo_, hi_); \
		} \
		for (k_ = 0; k_ < nt_; k_++) \
			off[k_] = off[k_] < 0 ? -1 : off[k_] * (stride); \
	} while (0)

#define ONNXCC_GRIDSAMPLE(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0], *G = (const T *)b[1]; \
	T *Y = (T *)b[2]; \
	const int64_t N = p[0], C = p[1], r = p[2], mode = p[3], padding = p[4], align = p[5]; \
	const int64_t *in = p + 6, *out = in + r; \
	int64_t off[ONNXCC_MAX_RANK][4], cnt[ONNXCC_MAX_RANK], st[ONNXCC_MAX_RANK]; \
	int64_t isz = 1, osz = 1, n, o, c, k, nt_; \
	T w[ONNXCC_MAX_RANK][4]; \
	(void)f; \
	for (k = r - 1; k >= 0; k--) { \
		st[k] = isz; \
		isz *= in[k]; \
		osz *= out[k]; \
	} \
	for (n = 0; n < N; n++) \
		for (o = 0; o < osz; o++) { \
			const T *g = G + (n * osz + o) * r; \
			for (k = 0; k < r; k++) { \
				ONNXCC_GS_AXIS(T, g[r - 1 - k], in[k], mode, padding, align, st[k], \
					       off[k], w[k]); \
				cnt[k] = nt_; \
			} \
			for (c = 0; c < C; c++) { \
				const T *x = X + (n * C + c) * isz; \
				int64_t idx[ONNXCC_MAX_RANK] = {0}; \
				T sum = 0; \
				for (;;) { \
					int64_t at = 0; \
					T wt = 1; \
					for (k = 0; k < r && at >= 0; k++) { \
						if (off[k][idx[k]] < 0) \
							at = -1; \
						else \
							at += off[k][idx[k]]; \
						wt *= w[k][idx[k]]; \
					} \
					if (at >= 0) \
						sum += wt * x[at]; \
					for (k = r - 1; k >= 0 && ++idx[k] == cnt[k]; k--) \
						idx[k] = 0; \
					if (k < 0) \
						break; \
				} \
				Y[(n * C + c) * osz + o] = sum; \
			} \
		} \
}

/* The normalized coordinate of pixel i of an axis of d pixels. */
ONNXCC_HELPER double onnxcc_affine_coord(int64_t i, int64_t d, int64_t align)
{
	double step;

	if (align) {
		if (d <= 1)
			return -1;
		step = 2.0 / (double)(d - 1);
		return -1 + (double)i * step;
	}
	step = 2.0 / (double)d;
	return -1 + step / 2 + (double)i * step;
}

#define ONNXCC_AFFINEGRID(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *Th = (const T *)b[0]; \
	const int64_t *S = (const int64_t *)b[1]; \
	T *Y = (T *)b[2]; \
	const int64_t N = p[0], r = p[1], align = p[2], *dims = p + 4; \
	int64_t n, o, k, j, osz = 1, idx[ONNXCC_MAX_RANK] = {0}; \
	double v[ONNXCC_MAX_RANK + 1], acc; \
	(void)f; \
	if (p[3]) { \
		int bad = S[0] != N || S[1] < 0; \
		for (k = 0; k < r; k++) \
			bad |= S[2 + k] != dims[k]; \
		if (bad) { \
			*(int *)b[3] = ONNXCC_ERR_SHAPE; \
			return; \
		} \
	} \
	for (k = 0; k < r; k++) \
		osz *= dims[k]; \
	for (o = 0; o < osz; o++) { \
		for (k = 0; k < r; k++) \
			v[r - 1 - k] = onnxcc_affine_coord(idx[k], dims[k], align); \
		v[r] = 1; \
		for (n = 0; n < N; n++) { \
			const T *th = Th + n * r * (r + 1); \
			T *y = Y + (n * osz + o) * r; \
			for (k = 0; k < r; k++) { \
				acc = 0; \
				for (j = 0; j <= r; j++) \
					acc += (double)th[k * (r + 1) + j] * v[j]; \
				y[k] = (T)acc; \
			} \
		} \
		for (k = r - 1; k >= 0 && ++idx[k] == dims[k]; k--) \
			idx[k] = 0; \
	} \
}

/* X[y, x] of an H x W image read bilinearly, 0 outside. */
#define ONNXCC_DEFORM_BILINEAR(x, H, W, yy, xx, out) \
	do { \
		int64_t y0_ = onnxcc_gs_floor(yy), x0_ = onnxcc_gs_floor(xx), a_, e_; \
		double ly_ = (yy) - (double)y0_, lx_ = (xx) - (double)x0_; \
		out = 0; \
		for (a_ = 0; a_ < 2; a_++) \
			for (e_ = 0; e_ < 2; e_++) { \
				int64_t yi_ = y0_ + a_, xi_ = x0_ + e_; \
				if (yi_ >= 0 && yi_ < (H) && xi_ >= 0 && xi_ < (W)) \
					out += (a_ ? ly_ : 1 - ly_) * (e_ ? lx_ : 1 - lx_) * \
					       (double)(x)[yi_ * (W) + xi_]; \
			} \
	} while (0)

#define ONNXCC_DEFORMCONV(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t N = p[0], C = p[1], H = p[2], Wd = p[3], M = p[4], OH = p[5], OW = p[6]; \
	const int64_t KH = p[7], KW = p[8], G = p[9], OG = p[10], SH = p[11], SW = p[12]; \
	const int64_t DH = p[13], DW = p[14], PH = p[15], PW = p[16]; \
	const T *X = (const T *)b[0], *W = (const T *)b[1], *O = (const T *)b[2]; \
	int bi = 3; \
	const T *B = p[17] ? (const T *)b[bi++] : 0; \
	const T *Mk = p[18] ? (const T *)b[bi++] : 0; \
	T *Y = (T *)b[bi]; \
	const int64_t cg = C / G, mg = M / G, cog = C / OG, osz = OH * OW, kk = KH * KW; \
	int64_t n, m, c, i, j, a, e; \
	double v; \
	(void)f; \
	for (n = 0; n < N; n++) \
		for (m = 0; m < M; m++) \
			for (i = 0; i < osz; i++) \
				Y[(n * M + m) * osz + i] = B ? B[m] : 0; \
	for (n = 0; n < N; n++) \
		for (c = 0; c < C; c++) { \
			const T *x = X + (n * C + c) * H * Wd; \
			const int64_t og = c / cog, g = c / cg; \
			const T *off = O + (n * OG + og) * kk * 2 * osz; \
			const T *mk = Mk ? Mk + (n * OG + og) * kk * osz : 0; \
			for (i = 0; i < OH; i++) \
				for (j = 0; j < OW; j++) \
					for (a = 0; a < KH; a++) \
						for (e = 0; e < KW; e++) { \
							const int64_t t = a * KW + e, at = i * OW + j; \
							double yy = (double)(i * SH - PH + a * DH) + \
								    (double)off[(t * 2) * osz + at]; \
							double xx = (double)(j * SW - PW + e * DW) + \
								    (double)off[(t * 2 + 1) * osz + at]; \
							ONNXCC_DEFORM_BILINEAR(x, H, Wd, yy, xx, v); \
							if (mk) \
								v *= (double)mk[t * osz + at]; \
							for (m = g * mg; m < (g + 1) * mg; m++) \
								Y[(n * M + m) * osz + at] += (T)(v * \
									(double)W[((m * cg + c - g * cg) * KH + a) * KW + e]); \
						} \
		} \
}

#endif
