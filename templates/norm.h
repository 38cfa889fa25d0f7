/* norm.h: BatchNormalization and LRN.
 *
 * Tensors are viewed as (outer, C, inner) with the normalized channel axis
 * in the middle.  BatchNormalization lowers to y = x * P[c] + P[C + c], where
 * P = {scale / sqrt(var + eps), bias - mean * that} is folded at compile time
 * when its inputs are constants, else made by bnprep.
 *
 * bnprep:   b = {scale, bias, mean, var, P}, p = {C}, f = {epsilon}
 * bnapply:  b = {X, P, Y}, p = {outer, C, inner, relu}  (relu: then max(y, 0))
 * bnstats:  b = {X, M, V}, p = {outer, C, inner}: per-channel mean and
 *           population variance (training mode), accumulated in double
 * bnmoment: b = {A, B, Y}, p = {n}, f = {momentum}: Y = A * momentum + B * (1 - momentum)
 * lrn:      b = {X, Y}, p = {outer, C, inner, before, after}, f = {alpha / size, beta, bias}:
 *           the sum of squares runs over channels c - before .. c + after. */
#ifndef ONNXCC_NORM_H
#define ONNXCC_NORM_H

#define ONNXCC_BNPREP(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *S = (const T *)b[0], *B = (const T *)b[1]; \
	const T *M = (const T *)b[2], *V = (const T *)b[3]; \
	T *P = (T *)b[4]; \
	int64_t c, C = p[0]; \
	for (c = 0; c < C; c++) { \
		double s = (double)S[c] / sqrt((double)V[c] + f[0]); \
		P[c] = (T)s; \
		P[C + c] = (T)((double)B[c] - (double)M[c] * s); \
	} \
}

/* Threads (onnxcc --threads): task t takes its share of the outer * C rows. */
#define ONNXCC_BNAPPLY(NAME, T) \
static void NAME##_task(void *ctx, int64_t t, int64_t nt) \
{ \
	void *const *b = (void *const *)((const void *const *)ctx)[0]; \
	const int64_t *p = (const int64_t *)((const void *const *)ctx)[1]; \
	const T *X = (const T *)b[0], *P = (const T *)b[1]; \
	T *Y = (T *)b[2]; \
	int64_t C = p[1], inner = p[2], r, lo, hi, i; \
	onnxcc_share(p[0] * C, 1, t, nt, &lo, &hi); \
	for (r = lo; r < hi; r++) { \
		const T *x = X + r * inner; \
		T *y = Y + r * inner, s = P[r % C], u = P[C + r % C]; \
		if (p[3]) \
			for (i = 0; i < inner; i++) { \
				T v = x[i] * s + u; \
				y[i] = v > 0 ? v : (T)0; \
			} \
		else \
			for (i = 0; i < inner; i++) \
				y[i] = x[i] * s + u; \
	} \
} \
ONNXCC_KERNEL(NAME) \
{ \
	const void *ctx[2]; \
	(void)f; \
	ctx[0] = (const void *)b; \
	ctx[1] = (const void *)p; \
	if (ONNXCC_NTHREADS > 1 && p[0] * p[1] * p[2] >= 16384) \
		onnxcc_parallel(NAME##_task, (void *)ctx); \
	else \
		NAME##_task((void *)ctx, 0, 1); \
}

#define ONNXCC_BNSTATS(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *M = (T *)b[1], *V = (T *)b[2]; \
	int64_t outer = p[0], C = p[1], inner = p[2], o, c, i; \
	double count = (double)(outer * inner); \
	(void)f; \
	for (c = 0; c < C; c++) { \
		double sum = 0, sq = 0, mean; \
		for (o = 0; o < outer; o++) \
			for (i = 0; i < inner; i++) \
				sum += (double)X[(o * C + c) * inner + i]; \
		mean = sum / count; \
		for (o = 0; o < outer; o++) \
			for (i = 0; i < inner; i++) { \
				double d = (double)X[(o * C + c) * inner + i] - mean; \
				sq += d * d; \
			} \
		M[c] = (T)mean; \
		V[c] = (T)(sq / count); \
	} \
}

#define ONNXCC_BNMOMENT(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *A = (const T *)b[0], *B = (const T *)b[1]; \
	T *Y = (T *)b[2]; \
	int64_t i, n = p[0]; \
	for (i = 0; i < n; i++) \
		Y[i] = (T)((double)A[i] * f[0] + (double)B[i] * (1 - f[0])); \
}

#define ONNXCC_LRN(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t outer = p[0], C = p[1], inner = p[2], before = p[3], after = p[4]; \
	int64_t o, c, i, j; \
	const T scale = (T)f[0], beta = (T)f[1], bias = (T)f[2]; \
	for (o = 0; o < outer; o++) \
		for (c = 0; c < C; c++) { \
			int64_t lo = c - before < 0 ? 0 : c - before; \
			int64_t hi = c + after >= C ? C - 1 : c + after; \
			for (i = 0; i < inner; i++) { \
				T sum = 0, x = X[(o * C + c) * inner + i]; \
				for (j = lo; j <= hi; j++) { \
					T v = X[(o * C + j) * inner + i]; \
					sum += v * v; \
				} \
				Y[(o * C + c) * inner + i] = x / pow(bias + scale * sum, beta); \
			} \
		} \
}

#endif
