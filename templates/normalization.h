/* normalization.h: LayerNormalization, RMSNormalization, GroupNormalization,
 * InstanceNormalization, MeanVarianceNormalization and LpNormalization.
 *
 * Statistics are accumulated in double with two passes (mean, then the sum
 * of squared deviations), whatever T, so float results match a reference
 * that computes in float or double to well within rtol 1e-3.
 *
 * normrows: b = {X, S, [B], Y, [M], [I]}, p = {R, K, a, c, d, flags}, f = {epsilon}
 *   X and Y are R contiguous rows of K elements, each normalized on its own:
 *   y = (x - mean) / sqrt(var + epsilon) * s + b.  A row is K / d segments of
 *   d elements; segment q of row r takes its scale and bias at (r % a) * c + q % c
 *   (LayerNormalization: a = rows sharing parameters, c = K, d = 1;
 *   Group/InstanceNormalization: a = groups, c = parameters per group, d = the
 *   spatial size).  d divides K.  flags: 1 subtract the mean (else RMS: mean
 *   taken as 0), 2 bias B given, 4 write the row means M[R], 8 write the
 *   inverse standard deviations I[R].  Optional buffers follow in that order.
 *
 * normaxes: b = {X, Y}, p = {rk, kd[rk], ks[rk], rr, rd[rr], rs[rr], mode}, f = {epsilon}
 *   Each row is the set of elements at one index over the kept dimensions kd
 *   (element strides ks), spanning the reduced dimensions rd (strides rs);
 *   Y has X's layout.  mode 0: MeanVarianceNormalization
 *   y = (x - mean) / (sqrt(var) + epsilon); 1 and 2: LpNormalization
 *   y = x / ||row||_p, 0 for a zero norm.  rk, rr >= 1. */
#ifndef ONNXCC_NORMALIZATION_H
#define ONNXCC_NORMALIZATION_H

#define ONNXCC_NORMROWS(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0], *S = (const T *)b[1]; \
	int64_t R = p[0], K = p[1], a = p[2], c = p[3], d = p[4], fl = p[5], nb = 2; \
	int64_t r, k, q; \
	const T *B = (fl & 2) ? (const T *)b[nb++] : 0; \
	T *Y = (T *)b[nb++]; \
	T *M = (fl & 4) ? (T *)b[nb++] : 0; \
	T *Inv = (fl & 8) ? (T *)b[nb++] : 0; \
	for (r = 0; r < R; r++) { \
		const T *x = X + r * K, *s = S + (r % a) * c; \
		T *y = Y + r * K; \
		double mean = 0, var = 0, inv; \
		if (fl & 1) { \
			for (k = 0; k < K; k++) \
				mean += (double)x[k]; \
			mean /= (double)K; \
		} \
		for (k = 0; k < K; k++) { \
			double v = (double)x[k] - mean; \
			var += v * v; \
		} \
		inv = 1 / sqrt(var / (double)K + f[0]); \
		if (M) \
			M[r] = (T)mean; \
		if (Inv) \
			Inv[r] = (T)inv; \
		for (q = 0; q < K / d; q++) { \
			double sc = inv * (double)s[q % c]; \
			double sh = B ? (double)B[(r % a) * c + q % c] : 0; \
			for (k = q * d; k < (q + 1) * d; k++) \
				y[k] = (T)(((double)x[k] - mean) * sc + sh); \
		} \
	} \
}

/* The elements of one normaxes row: off runs over them, idx is the
 * reduced multi-index (all zeros again after the loop). */
#define ONNXCC_NORMAXES_ROW(off, base, cnt, j, rr, rd, rs, idx) \
	for (j = 0, off = base; j < cnt; j++, off += onnxcc_next_index(rr, rd, rs, idx))

#define ONNXCC_NORMAXES(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t rk = p[0], rr = p[1 + 2 * rk], mode = p[2 + 2 * rk + 2 * rr]; \
	const int64_t *kd = p + 1, *ks = p + 1 + rk, *rd = p + 2 + 2 * rk, *rs = rd + rr; \
	int64_t ki[ONNXCC_MAX_RANK], ri[ONNXCC_MAX_RANK], rows = 1, cnt = 1, base = 0; \
	int64_t o, j, q, off; \
	for (q = 0; q < rk; q++) { \
		rows *= kd[q]; \
		ki[q] = 0; \
	} \
	for (q = 0; q < rr; q++) { \
		cnt *= rd[q]; \
		ri[q] = 0; \
	} \
	for (o = 0; o < rows; o++, base += onnxcc_next_index(rk, kd, ks, ki)) { \
		double sum = 0, sq = 0, mean = 0, scale; \
		ONNXCC_NORMAXES_ROW(off, base, cnt, j, rr, rd, rs, ri) { \
			double v = (double)X[off]; \
			sum += mode == 1 ? fabs(v) : v; \
			sq += v * v; \
		} \
		if (mode == 0) { \
			mean = sum / (double)cnt; \
			sq = 0; \
			ONNXCC_NORMAXES_ROW(off, base, cnt, j, rr, rd, rs, ri) { \
				double v = (double)X[off] - mean; \
				sq += v * v; \
			} \
			scale = 1 / (sqrt(sq / (double)cnt) + f[0]); \
		} else { \
			double norm = mode == 1 ? sum : sqrt(sq); \
			scale = norm == 0 ? 0 : 1 / norm; \
		} \
		ONNXCC_NORMAXES_ROW(off, base, cnt, j, rr, rd, rs, ri) \
			Y[off] = (T)(((double)X[off] - mean) * scale); \
	} \
}

#endif
