/* signal.h: windows (Hann, Hamming, Blackman), DFT, STFT and MelWeightMatrix.
 *
 * Shape-deciding scalars (sizes, lengths, axes, steps) may be run-time data:
 * the kernels read them (int32, or int64 when the matching flag says so),
 * recompute the shape with the rule onnxcc applies to constants and, if it
 * disagrees with the compiled shape, set *status to ONNXCC_ERR_SHAPE and write
 * nothing.  All sums are computed in double.
 *
 * window: b = {Y, [S], status when has_s}, p = {n, periodic, has_s, s64}, f = {a0, a1, a2}
 *         Y[i] = a0 - a1 cos(2 pi i / N) + a2 cos(4 pi i / N), N = n (periodic) or n - 1;
 *         S is the size, which must equal n.
 * dft:    b = {X, [D], [A], Y, status}, p = {r, mode, has_d, d64, has_a, axis,
 *         in_dims[r], out_dims[r]}; X and Y have a last dimension of 1 (real) or 2
 *         (complex); mode 0 forward, 1 inverse (scaled by 1 / length), 2 IRFFT (the
 *         one-sided spectrum extended by conjugate symmetry, real output), 3 RFFT
 *         (forward, the length / 2 + 1 one-sided bins).
 *         The axis is A (int64) or p's axis; the length D (int32/int64, d64) or
 *         by default the input's axis length (2 (n - 1) for IRFFT).
 * stft:   b = {X, S, [W], [F], Y, status}, p = {batch, len, cin, frames, bins, onesided,
 *         has_w, has_f, s64, f64, wlen}: X [batch, len, cin]; S the step, F the frame
 *         length (int32/int64), else the window length wlen (or len without a window);
 *         Y [batch, frames, bins, 2].
 * mel:    b = {NM, DL, SR, LO, HI, Y, status}, p = {nspec, nmel, n64, d64, s64, lo64}
 *         the triangular mel filter matrix Y [nspec, nmel]; LO and HI are float
 *         (double if lo64) edges in hertz. */
#ifndef ONNXCC_SIGNAL_H
#define ONNXCC_SIGNAL_H

#define ONNXCC_SIG_PI 3.14159265358979323846

/* A scalar integer input: int64 if is64, else int32. */
ONNXCC_HELPER int64_t onnxcc_sig_int(const void *v, int64_t is64)
{
	return is64 ? *(const int64_t *)v : (int64_t)*(const int32_t *)v;
}

#define ONNXCC_WINDOW(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	T *Y = (T *)b[0]; \
	int64_t n = p[0], i; \
	double N = (double)(p[1] ? n : n - 1); \
	if (p[2] && onnxcc_sig_int(b[1], p[3]) != n) { \
		*(int *)b[2] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	for (i = 0; i < n; i++) \
		Y[i] = (T)(f[0] - f[1] * cos(2.0 * ONNXCC_SIG_PI * (double)i / N) + \
			   f[2] * cos(4.0 * ONNXCC_SIG_PI * (double)i / N)); \
}

#define ONNXCC_DFT(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	int64_t r = p[0], mode = p[1], nb = 1 + (p[2] != 0) + (p[4] != 0); \
	T *Y = (T *)b[nb]; \
	const int64_t *id = p + 6, *od = p + 6 + r; \
	int64_t axis = p[4] ? *(const int64_t *)b[1 + (p[2] != 0)] : p[5]; \
	int64_t len, outer = 1, inner = 1, n, m, cin, cout, o, j, k, t, d; \
	(void)f; \
	if (axis < 0) \
		axis += r; \
	if (axis < 0 || axis >= r - 1) { \
		*(int *)b[nb + 1] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	n = id[axis]; \
	m = od[axis]; \
	cin = id[r - 1]; \
	cout = od[r - 1]; \
	len = p[2] ? onnxcc_sig_int(b[1], p[3]) : mode == 2 ? 2 * (n - 1) : n; \
	/* The output's shape must follow from the run-time axis and length. */ \
	for (d = 0; d < r - 1; d++) \
		if (d != axis && id[d] != od[d]) \
			len = -1; \
	if (len < 1 || cout != (mode == 2 ? 1 : 2) || \
	    m != (mode == 3 ? len / 2 + 1 : len)) { \
		*(int *)b[nb + 1] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	for (d = 0; d < axis; d++) \
		outer *= id[d]; \
	for (d = axis + 1; d < r - 1; d++) \
		inner *= id[d]; \
	for (o = 0; o < outer; o++) \
		for (j = 0; j < inner; j++) { \
			const T *x = X + (o * n * inner + j) * cin; \
			T *y = Y + (o * m * inner + j) * cout; \
			int64_t used = mode == 2 ? (n < len / 2 + 1 ? n : len / 2 + 1) : \
				(n < len ? n : len); \
			for (k = 0; k < m; k++) { \
				double re = 0.0, im = 0.0; \
				if (mode == 2) { \
					/* Real signal from the one-sided spectrum. */ \
					for (t = 0; t < len; t++) { \
						int64_t s = t <= len / 2 ? t : len - t; \
						double a = 2.0 * ONNXCC_SIG_PI * (double)((t * k) % len) / \
							(double)len; \
						double xr, xi; \
						if (s >= used) \
							continue; \
						xr = (double)x[s * inner * cin]; \
						xi = cin == 2 ? (double)x[s * inner * cin + 1] : 0.0; \
						if (t != s) \
							xi = -xi; \
						re += xr * cos(a) - xi * sin(a); \
					} \
					y[k * inner * cout] = (T)(re / (double)len); \
					continue; \
				} \
				for (t = 0; t < used; t++) { \
					double a = 2.0 * ONNXCC_SIG_PI * (double)((t * k) % len) / \
						(double)len; \
					double xr = (double)x[t * inner * cin]; \
					double xi = cin == 2 ? (double)x[t * inner * cin + 1] : 0.0; \
					double c = cos(a), s = mode == 1 ? sin(a) : -sin(a); \
					re += xr * c - xi * s; \
					im += xr * s + xi * c; \
				} \
				if (mode == 1) { \
					re /= (double)len; \
					im /= (double)len; \
				} \
				y[k * inner * cout] = (T)re; \
				y[k * inner * cout + 1] = (T)im; \
			} \
		} \
}

#define ONNXCC_STFT(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	const T *W = p[6] ? (const T *)b[2] : NULL; \
	int64_t nb = 2 + (p[6] != 0) + (p[7] != 0); \
	T *Y = (T *)b[nb]; \
	int64_t batch = p[0], len = p[1], cin = p[2], frames = p[3], bins = p[4]; \
	int64_t step = onnxcc_sig_int(b[1], p[8]), fl, bi, fr, k, t; \
	(void)f; \
	fl = p[7] ? onnxcc_sig_int(b[nb - 1], p[9]) : p[10]; \
	if (step < 1 || fl < 1 || fl > len || (p[6] && fl != p[10]) || \
	    1 + (len - fl) / step != frames || bins != (p[5] ? fl / 2 + 1 : fl)) { \
		*(int *)b[nb + 1] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	for (bi = 0; bi < batch; bi++) \
		for (fr = 0; fr < frames; fr++) { \
			const T *x = X + (bi * len + fr * step) * cin; \
			T *y = Y + ((bi * frames + fr) * bins) * 2; \
			for (k = 0; k < bins; k++) { \
				double re = 0.0, im = 0.0; \
				for (t = 0; t < fl; t++) { \
					double a = 2.0 * ONNXCC_SIG_PI * (double)((t * k) % fl) / (double)fl; \
					double w = W ? (double)W[t] : 1.0; \
					double xr = (double)x[t * cin] * w; \
					double xi = cin == 2 ? (double)x[t * cin + 1] * w : 0.0; \
					double c = cos(a), s = -sin(a); \
					re += xr * c - xi * s; \
					im += xr * s + xi * c; \
				} \
				y[2 * k] = (T)re; \
				y[2 * k + 1] = (T)im; \
			} \
		} \
}

/* Mel edges are computed in float from float inputs, as the reference's
 * numpy float32 scalars are; the bins in double. */
#define ONNXCC_MEL(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	T *Y = (T *)b[5]; \
	int64_t nspec = p[0], nmel = p[1], i, j; \
	int64_t nm = onnxcc_sig_int(b[0], p[2]), dl = onnxcc_sig_int(b[1], p[3]); \
	int64_t sr = onnxcc_sig_int(b[2], p[4]), bins[ONNXCC_MEL_MAX + 2]; \
	double lo, hi, step; \
	(void)f; \
	if (nm != nmel || dl / 2 + 1 != nspec || sr <= 0 || nmel > ONNXCC_MEL_MAX) { \
		*(int *)b[6] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	if (p[5]) { \
		double l = *(const double *)b[3], h = *(const double *)b[4]; \
		lo = 2595.0 * log10(1.0 + l / 700.0); \
		hi = 2595.0 * log10(1.0 + h / 700.0); \
		step = (hi - lo) / (double)(nmel + 2); \
	} else { \
		float l = *(const float *)b[3], h = *(const float *)b[4], lf, hf; \
		lf = 2595.0f * log10(1.0f + l / 700.0f); \
		hf = 2595.0f * log10(1.0f + h / 700.0f); \
		lo = (double)lf; \
		hi = (double)hf; \
		step = (double)((hf - lf) / (float)(nmel + 2)); \
	} \
	(void)hi; \
	for (i = 0; i < nmel + 2; i++) { \
		double fb = 700.0 * (pow(10.0, ((double)i * step + lo) / 2595.0) - 1.0); \
		bins[i] = (int64_t)floor((double)(dl + 1) * fb / (double)sr); \
	} \
	for (i = 0; i < nspec * nmel; i++) \
		Y[i] = (T)0; \
	for (i = 0; i < nmel; i++) { \
		int64_t l = bins[i], c = bins[i + 1], h = bins[i + 2]; \
		if (c == l) { \
			if (c >= 0 && c < nspec) \
				Y[c * nmel + i] = (T)1; \
		} else { \
			for (j = l; j <= c; j++) \
				if (j >= 0 && j < nspec) \
					Y[j * nmel + i] = (T)((double)(j - l) / (double)(c - l)); \
		} \
		for (j = c; j < h; j++) \
			if (j >= 0 && j < nspec) \
				Y[j * nmel + i] = (T)((double)(h - j) / (double)(h - c)); \
	} \
}

#define ONNXCC_MEL_MAX 4096

#endif
