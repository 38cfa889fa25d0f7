/* resize.h: Resize and Upsample.
 *
 * A resize is separable: on each axis, output coordinate j reads a few input
 * coordinates with weights that depend on j only.  The functions below
 * compute those per-axis tables, with the rules of the ONNX reference
 * implementation; onnxcc calls them at compile time when scales, sizes and
 * roi are constants, and the table kernel calls them at run time otherwise.
 *
 * nearest: b = {X, T, Y}, p = {r, bits, dims[r]}
 *          One N-d gather.  T holds, axis after axis, dims[d] int64 element
 *          offsets into X (source index * stride); a negative offset marks a
 *          coordinate outside the crop box (tf_crop_and_resize), whose outputs
 *          are the element whose bytes are the low bytes of bits.
 * axis:    b = {X, I, W, Y}, p = {outer, nin, inner, nout, n}, f = {extrapolation}
 *          One interpolating pass over one axis, X [outer, nin, inner] to
 *          Y [outer, nout, inner]: Y[o][j][i] = sum_k W[j*n+k] * X[o][I[j*n+k]][i],
 *          I int64, W double; I[j*n] < 0 makes Y[o][j][:] the extrapolation value.
 * table:   b = {S, [roi], T, [W], status}, f = {cubic_coeff_a},
 *          p = {r, d, n, stride, has_sizes, has_roi, naxes, cfg[ONNXCC_RS_NCFG],
 *               axes[naxes], in_dims[r], out_dims[r]}
 *          The tables of axis d from run-time scales (float, has_sizes 0) or
 *          sizes (int64) and roi (2 * naxes values of the kernel's type):
 *          nearest's offsets (stride: the element stride of axis d; no W) or
 *          n taps per output coordinate for axis.  Sets *status to
 *          ONNXCC_ERR_SHAPE, with harmless tables, when the values do not give
 *          out_dims or need more than n taps. */
#ifndef ONNXCC_RESIZE_H
#define ONNXCC_RESIZE_H

/* cfg[]: the attributes, as integers. */
#define ONNXCC_RS_MODE 0	/* ONNXCC_RS_NEAREST, _LINEAR, _CUBIC */
#define ONNXCC_RS_CTM 1		/* coordinate_transformation_mode */
#define ONNXCC_RS_NEAREST_MODE 2
#define ONNXCC_RS_ANTIALIAS 3
#define ONNXCC_RS_EXCLUDE 4	/* exclude_outside */
#define ONNXCC_RS_POLICY 5	/* keep_aspect_ratio_policy */
#define ONNXCC_RS_NCFG 6

#define ONNXCC_RS_NEAREST 0
#define ONNXCC_RS_LINEAR 1
#define ONNXCC_RS_CUBIC 2

#define ONNXCC_RS_HALF_PIXEL 0
#define ONNXCC_RS_HALF_PIXEL_SYMMETRIC 1
#define ONNXCC_RS_PYTORCH_HALF_PIXEL 2
#define ONNXCC_RS_ALIGN_CORNERS 3
#define ONNXCC_RS_ASYMMETRIC 4
#define ONNXCC_RS_TF_HALF_PIXEL_FOR_NN 5
#define ONNXCC_RS_TF_CROP_AND_RESIZE 6

#define ONNXCC_RS_ROUND_PREFER_FLOOR 0
#define ONNXCC_RS_ROUND_PREFER_CEIL 1
#define ONNXCC_RS_FLOOR 2
#define ONNXCC_RS_CEIL 3
#define ONNXCC_RS_SIMPLE 4	/* Resize-10 and Upsample: floor, ceil when downsampling */

#define ONNXCC_RS_STRETCH 0
#define ONNXCC_RS_NOT_LARGER 1
#define ONNXCC_RS_NOT_SMALLER 2

/* Output dims, scales and output widths (scale * in, in float precision when
 * the scale came from the float scales input, as numpy computes it) of every
 * axis, from the naxes scales or sizes given for axes[] (normalized,
 * distinct); unlisted axes keep scale 1.  Returns 0, or 1 for a scale that is
 * not positive and finite or a negative size. */
ONNXCC_HELPER int onnxcc_resize_shape(int64_t r, const int64_t *in, int64_t naxes,
				      const int64_t *axes, const double *scales,
				      const int64_t *sizes, int64_t policy, double *scale,
				      double *width, int64_t *out)
{
	int64_t i, d;
	double pick;

	for (d = 0; d < r; d++) {
		scale[d] = 1.0;
		width[d] = (double)in[d];
		out[d] = in[d];
	}
	for (i = 0; i < naxes; i++) {
		d = axes[i];
		if (scales) {
			double o = scales[i] * (double)in[d];
			if (!(scales[i] > 0) || !(o < 4e18))
				return 1;
			scale[d] = scales[i];
			width[d] = (double)(float)o;
			out[d] = (int64_t)o;
		} else {
			if (sizes[i] < 0)
				return 1;
			out[d] = sizes[i];
			scale[d] = in[d] ? (double)sizes[i] / (double)in[d] : 1.0;
			width[d] = scale[d] * (double)in[d];
		}
	}
	if (scales || policy == ONNXCC_RS_STRETCH || naxes == 0)
		return 0;
	/* keep_aspect_ratio_policy: one scale for the listed axes, sizes rounded half up. */
	pick = scale[axes[0]];
	for (i = 1; i < naxes; i++) {
		double s = scale[axes[i]];
		if (policy == ONNXCC_RS_NOT_LARGER ? s < pick : s > pick)
			pick = s;
	}
	for (i = 0; i < naxes; i++) {
		d = axes[i];
		scale[d] = pick;
		width[d] = pick * (double)in[d];
		out[d] = (int64_t)(width[d] + 0.5);
	}
	return 0;
}

/* The input coordinate that output coordinate x maps to; *outside is set
 * when it falls out of the crop box of tf_crop_and_resize (roi r0..r1). */
ONNXCC_HELPER double onnxcc_resize_coord(int64_t ctm, int64_t x, int64_t in, int64_t out,
					 double scale, double width, double r0, double r1,
					 int *outside)
{
	double xo, last = (double)(in - 1);

	*outside = 0;
	switch (ctm) {
	case ONNXCC_RS_HALF_PIXEL_SYMMETRIC:
		xo = (double)in / 2 * (1 - (double)out / width);
		return xo + ((double)x + 0.5) / scale - 0.5;
	case ONNXCC_RS_PYTORCH_HALF_PIXEL:
		return width == 1 ? -0.5 : ((double)x + 0.5) / scale - 0.5;
	case ONNXCC_RS_ALIGN_CORNERS:
		return width == 1 ? 0.0 : (double)x * last / (width - 1);
	case ONNXCC_RS_ASYMMETRIC:
		return (double)x / scale;
	case ONNXCC_RS_TF_HALF_PIXEL_FOR_NN:
		return ((double)x + 0.5) / scale;
	case ONNXCC_RS_TF_CROP_AND_RESIZE:
		xo = width == 1 ? (r1 - r0) * last / 2 : (double)x * (r1 - r0) * last / (width - 1);
		xo += r0 * last;
		*outside = !(xo >= 0 && xo <= last);
		return xo;
	}
	return ((double)x + 0.5) / scale - 0.5;
}

/* Half the filter window, in input coordinates: the taps are the 2m
 * positions nearest the source coordinate.  Antialiasing widens linear and
 * cubic filters by 1 / scale when downsampling. */
ONNXCC_HELPER int64_t onnxcc_resize_half_window(const int64_t *cfg, double scale, int64_t in)
{
	double reach = cfg[ONNXCC_RS_MODE] == ONNXCC_RS_CUBIC ? 2 : 1, m;

	if (cfg[ONNXCC_RS_MODE] == ONNXCC_RS_NEAREST || !cfg[ONNXCC_RS_ANTIALIAS] || scale >= 1)
		return (int64_t)reach;
	m = -floor(-reach / scale);
	/* Past 4 * in + 4 the window only repeats edge values; the bound keeps it finite. */
	return m < (double)(4 * in + 4) ? (int64_t)m : 4 * in + 4;
}

/* Which of nearest's two taps (0: floor side, 1: ceiling side) is chosen;
 * ratio is in (0, 1], 1 when the coordinate is an integer. */
ONNXCC_HELPER int64_t onnxcc_resize_pick(int64_t nearest_mode, double scale, double ratio)
{
	if (ratio == 1)
		return 1;
	switch (nearest_mode) {
	case ONNXCC_RS_ROUND_PREFER_CEIL: return ratio >= 0.5;
	case ONNXCC_RS_FLOOR: return 0;
	case ONNXCC_RS_CEIL: return 1;
	case ONNXCC_RS_SIMPLE: return scale < 1;
	}
	return ratio > 0.5;
}

/* The cubic convolution kernel (Keys) with coefficient a, at distance t >= 0. */
ONNXCC_HELPER double onnxcc_resize_keys(double t, double a)
{
	if (t <= 1)
		return ((a + 2) * t - (a + 3)) * t * t + 1;
	if (t < 2)
		return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
	return 0;
}

/* The unnormalized weight of tap k (position base + k, base the source
 * coordinate minus ratio). */
ONNXCC_HELPER double onnxcc_resize_coeff(const int64_t *cfg, double a, double scale,
					 double ratio, int64_t k)
{
	double s = cfg[ONNXCC_RS_ANTIALIAS] && scale < 1 ? scale : 1, t = fabs(((double)k - ratio) * s);

	switch (cfg[ONNXCC_RS_MODE]) {
	case ONNXCC_RS_NEAREST:
		return (double)(onnxcc_resize_pick(cfg[ONNXCC_RS_NEAREST_MODE], scale, ratio) == k);
	case ONNXCC_RS_LINEAR:
		return t < 1 ? 1 - t : 0;
	}
	return onnxcc_resize_keys(t, a);
}

/* The taps of source coordinate xo on an axis of in >= 1 elements: distinct
 * indices in [0, in) with nonzero weights, at most cap of them.  As in the
 * reference, the window is taken from the input padded with its edge values
 * and shifted to stay inside that padding.  Returns the count, or -1 when cap
 * is too small. */
ONNXCC_HELPER int64_t onnxcc_resize_taps(const int64_t *cfg, double a, double scale, double xo,
					 int64_t in, int64_t cap, int64_t *idx, double *w)
{
	int64_t m = onnxcc_resize_half_window(cfg, scale, in), i, pos, at, cnt = 0;
	int nearest = cfg[ONNXCC_RS_MODE] == ONNXCC_RS_NEAREST;
	double base, ratio, sum = 0, kept = 0, c, start;

	xo = xo < -1e15 ? -1e15 : xo > 1e15 ? 1e15 : xo;
	base = floor(xo);
	ratio = xo - base;
	if (ratio == 0) {
		base -= 1;
		ratio = 1;
	}
	start = base - (double)m + 1;
	start = start < (double)-m ? (double)-m : start > (double)(in - m) ? (double)(in - m) : start;
	for (i = 0; i < 2 * m; i++) {
		c = onnxcc_resize_coeff(cfg, a, scale, ratio, i - m + 1);
		pos = (int64_t)start + i;
		sum += c;
		kept += pos >= 0 && pos < in ? c : 0;
	}
	for (i = 0; i < 2 * m; i++) {
		c = onnxcc_resize_coeff(cfg, a, scale, ratio, i - m + 1);
		pos = (int64_t)start + i;
		if (!nearest && cfg[ONNXCC_RS_EXCLUDE])
			c = pos >= 0 && pos < in && kept != 0 ? c / kept : 0;
		else if (!nearest && cfg[ONNXCC_RS_ANTIALIAS])
			c /= sum;
		if (c == 0)
			continue;
		at = pos < 0 ? 0 : pos >= in ? in - 1 : pos;
		if (cnt > 0 && idx[cnt - 1] == at) {
			w[cnt - 1] += c;
			continue;
		}
		if (cnt == cap)
			return -1;
		idx[cnt] = at;
		w[cnt++] = c;
	}
	return cnt;
}

/* The tables of one axis (in >= 1 input and out output elements).  W NULL:
 * nearest's offsets, T[j] = index * stride or -1 outside the crop box.
 * Otherwise n taps per coordinate in T[j*n..] and W[j*n..], unused ones with
 * weight 0, and T[j*n] = -1 outside the crop box.  Returns the most taps a
 * coordinate needed, or -1 if more than n. */
ONNXCC_HELPER int64_t onnxcc_resize_axis(const int64_t *cfg, double a, int64_t in, int64_t out,
					 double scale, double width, double r0, double r1,
					 int64_t n, int64_t stride, int64_t *T, double *W)
{
	int64_t j, k, cnt, most = 0, one;
	double xo, w1;
	int outside;

	for (j = 0; j < out; j++) {
		int64_t *t = W ? T + j * n : &one;
		double *w = W ? W + j * n : &w1;
		xo = onnxcc_resize_coord(cfg[ONNXCC_RS_CTM], j, in, out, scale, width, r0, r1,
					 &outside);
		cnt = outside ? 0 : onnxcc_resize_taps(cfg, a, scale, xo, in, W ? n : 1, t, w);
		if (cnt < 0)
			return -1;
		most = cnt > most ? cnt : most;
		if (!W) {
			T[j] = outside ? -1 : cnt ? one * stride : 0;
			continue;
		}
		for (k = cnt; k < n; k++) {
			t[k] = cnt ? t[0] : 0;
			w[k] = 0;
		}
		if (outside)
			t[0] = -1;
	}
	return most;
}

/* The run-time table kernel (layout at the top); R converts a roi element to double. */
#define ONNXCC_RESIZE_TABLE(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t r = p[0], d = p[1], n = p[2], stride = p[3], hs = p[4], hr = p[5]; \
	const int64_t na = p[6], *cfg = p + 7, *axes = cfg + ONNXCC_RS_NCFG, *in = axes + na; \
	const int64_t *want = in + r; \
	double sc[ONNXCC_MAX_RANK], scale[ONNXCC_MAX_RANK], width[ONNXCC_MAX_RANK], r0 = 0, r1 = 1; \
	int64_t got[ONNXCC_MAX_RANK], i, *Tb = (int64_t *)b[hr ? 2 : 1]; \
	double *Wb = n ? (double *)b[hr ? 3 : 2] : 0; \
	int *status = (int *)b[(hr ? 3 : 2) + (n ? 1 : 0)]; \
	for (i = 0; i < na && !hs; i++) \
		sc[i] = (double)((const float *)b[0])[i]; \
	for (i = 0; i < na && hr; i++) \
		if (axes[i] == d) { \
			r0 = (double)((const T *)b[1])[i]; \
			r1 = (double)((const T *)b[1])[na + i]; \
		} \
	if (onnxcc_resize_shape(r, in, na, axes, hs ? 0 : sc, hs ? (const int64_t *)b[0] : 0, \
				cfg[ONNXCC_RS_POLICY], scale, width, got) || \
	    memcmp(got, want, (size_t)r * sizeof(int64_t)) || \
	    onnxcc_resize_axis(cfg, f[0], in[d], want[d], scale[d], width[d], r0, r1, n ? n : 1, \
			       stride, Tb, Wb) < 0) { \
		*status = ONNXCC_ERR_SHAPE; \
		memset(Tb, 0, (size_t)(want[d] * (n ? n : 1)) * sizeof(int64_t)); \
		if (Wb) \
			memset(Wb, 0, (size_t)(want[d] * n) * sizeof(double)); \
	} \
}

/* Nearest: each output row finds its source row once (or is all fill). */
#define ONNXCC_RESIZE_NEAREST(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	const int64_t *tab[ONNXCC_MAX_RANK], *last, r = p[0], *dims = p + 2; \
	const T v = (T)(uint64_t)p[1]; \
	T *Y = (T *)b[2]; \
	int64_t idx[ONNXCC_MAX_RANK] = {0}, d, o, i, n = dims[r - 1], outer = 1; \
	(void)f; \
	tab[0] = (const int64_t *)b[1]; \
	for (d = 1; d < r; d++) \
		tab[d] = tab[d - 1] + dims[d - 1]; \
	for (d = 0; d < r - 1; d++) \
		outer *= dims[d]; \
	last = tab[r - 1]; \
	for (o = 0; o < outer; o++, Y += n) { \
		int64_t off = 0, inside = 1; \
		for (d = 0; d < r - 1; d++) { \
			if (tab[d][idx[d]] < 0) \
				inside = 0; \
			off += tab[d][idx[d]]; \
		} \
		for (d = r - 2; d >= 0 && ++idx[d] == dims[d]; d--) \
			idx[d] = 0; \
		for (i = 0; i < n; i++) \
			Y[i] = inside && last[i] >= 0 ? X[off + last[i]] : v; \
	} \
}

/* One interpolating pass over one axis, accumulating in T. */
#define ONNXCC_RESIZE_AXIS(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	const int64_t *Ix = (const int64_t *)b[1]; \
	const double *W = (const double *)b[2]; \
	T *Y = (T *)b[3]; \
	const int64_t outer = p[0], nin = p[1], inner = p[2], nout = p[3], n = p[4]; \
	int64_t o, j, k, i; \
	if (inner == 1) {	/* the last axis: one output at a time, no inner loops */ \
		for (o = 0; o < outer; o++) { \
			const T *x = X + o * nin; \
			T *y = Y + o * nout; \
			for (j = 0; j < nout; j++) { \
				const int64_t *ix = Ix + j * n; \
				const double *w = W + j * n; \
				T acc; \
				if (ix[0] < 0) { \
					y[j] = (T)f[0]; \
					continue; \
				} \
				acc = (T)w[0] * x[ix[0]]; \
				for (k = 1; k < n; k++) \
					if (w[k] != 0) \
						acc += (T)w[k] * x[ix[k]]; \
				y[j] = acc; \
			} \
		} \
		return; \
	} \
	for (o = 0; o < outer; o++) \
		for (j = 0; j < nout; j++) { \
			const int64_t *ix = Ix + j * n; \
			const double *w = W + j * n; \
			T *y = Y + (o * nout + j) * inner; \
			const T *x; \
			T wk; \
			if (ix[0] < 0) { \
				for (i = 0; i < inner; i++) \
					y[i] = (T)f[0]; \
				continue; \
			} \
			x = X + (o * nin + ix[0]) * inner; \
			wk = (T)w[0]; \
			for (i = 0; i < inner; i++) \
				y[i] = wk * x[i]; \
			for (k = 1; k < n; k++) { \
				if (w[k] == 0) \
					continue; \
				x = X + (o * nin + ix[k]) * inner; \
				wk = (T)w[k]; \
				for (i = 0; i < inner; i++) \
					y[i] += wk * x[i]; \
			} \
		} \
}

#endif
