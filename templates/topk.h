/* topk.h: TopK, CumProd, ReverseSequence, Swish, SwiGLU, Det and Einsum.
 *
 * topk:      b = {X, Y, Ix (int64), S (int64 scratch, 2n), [K (int64), status]}
 *            p = {outer, n, inner, k, largest, has_k}
 *            X is [outer, n, inner]; Y and Ix are [outer, k, inner]: along the middle
 *            axis, the k largest (smallest) elements, best first, ties broken by the
 *            lower index first, NaN counting as larger than any number (the reference's
 *            lexsort order).  With has_k, the run-time K[0] must equal k, else *status
 *            = ONNXCC_ERR_SHAPE and nothing is written.
 * cumprod:   b = {X, A, Y, status}, p = {r, axis64, exclusive, reverse, dims[r]}
 *            running products along the run-time axis A (int32, or int64 if axis64);
 *            an axis out of range sets *status to ONNXCC_ERR_INDEX.
 * revseq:    b = {X, L (int64), Y, status}, p = {nb, nt, inner, sb, st}
 *            for batch i < nb, the first L[i] steps of the time axis are reversed, the
 *            rest copied; sb and st are the element strides of the batch and time axes
 *            of the 2 leading dimensions, inner the elements after them.  A length
 *            outside [0, nt] sets *status to ONNXCC_ERR_INDEX and copies that batch.
 * swish:     b = {X, Y}, p = {n}, f = {alpha}          Y = X * sigmoid(alpha X)
 * swiglu:    b = {A, B, Y}, p = {n}, f = {alpha}       Y = A * sigmoid(alpha A) * B
 * det:       b = {X, Y, S (double scratch, n * n)}, p = {batch, n}
 *            determinant of each n x n matrix, by LU with partial pivoting in double.
 * einsum:    b = {X_0, ..., X_m-1, Y}, p = {m, r, no, dims[r], st_0[r], ..., st_m-1[r]}
 *            Y (contiguous over dims[0..no)) = the sum over dims[no..r) of the product of
 *            X_q[index . st_q]: every label of the equation is one of the r dimensions,
 *            and st_q gives each input's element stride along it (0 if absent, the sum
 *            of strides for a repeated label: a diagonal).  m <= 7, r <= 64.
 *
 * Typed kernels take U, an unsigned type of the same width for integers, so that
 * products and sums wrap instead of being undefined. */
#ifndef ONNXCC_TOPK_H
#define ONNXCC_TOPK_H

#define ONNXCC_EINSUM_MAX_R 64

/* a comes strictly before b when sorting by value descending, NaN first. */
#define ONNXCC_TOPK_GT(a, b) ((a) > (b) || ((a) != (a) && (b) == (b)))

#define ONNXCC_TOPK(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t *Ix = (int64_t *)b[2], *S = (int64_t *)b[3]; \
	int64_t outer = p[0], n = p[1], inner = p[2], k = p[3], largest = p[4]; \
	int64_t o, j, i, w, lo; \
	(void)f; \
	if (p[5] && *(const int64_t *)b[4] != k) { \
		*(int *)b[5] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	for (o = 0; o < outer; o++) \
		for (j = 0; j < inner; j++) { \
			const T *x = X + o * n * inner + j; \
			int64_t *src = S, *dst = S + n, *t; \
			for (i = 0; i < n; i++) \
				src[i] = i; \
			/* Bottom-up merge sort: stable, so equal values keep index order. */ \
			for (w = 1; w < n; w *= 2) { \
				for (lo = 0; lo < n; lo += 2 * w) { \
					int64_t mid = lo + w < n ? lo + w : n; \
					int64_t hi = lo + 2 * w < n ? lo + 2 * w : n; \
					int64_t a = lo, c = mid, d = lo; \
					while (a < mid && c < hi) { \
						T va = x[src[a] * inner], vc = x[src[c] * inner]; \
						int take_c = largest ? ONNXCC_TOPK_GT(vc, va) : \
							ONNXCC_TOPK_GT(va, vc); \
						dst[d++] = take_c ? src[c++] : src[a++]; \
					} \
					while (a < mid) \
						dst[d++] = src[a++]; \
					while (c < hi) \
						dst[d++] = src[c++]; \
				} \
				t = src; \
				src = dst; \
				dst = t; \
			} \
			for (i = 0; i < k; i++) { \
				Y[(o * k + i) * inner + j] = x[src[i] * inner]; \
				Ix[(o * k + i) * inner + j] = src[i]; \
			} \
		} \
}

#define ONNXCC_CUMPROD(NAME, T, U) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[2]; \
	int64_t r = p[0], excl = p[2], rev = p[3], outer = 1, n, inner = 1, o, i, j, d; \
	int64_t ax = p[1] ? *(const int64_t *)b[1] : (int64_t)*(const int32_t *)b[1]; \
	const int64_t *dims = p + 4; \
	(void)f; \
	if (ax < 0) \
		ax += r; \
	if (ax < 0 || ax >= r) { \
		*(int *)b[3] = ONNXCC_ERR_INDEX; \
		return; \
	} \
	for (d = 0; d < ax; d++) \
		outer *= dims[d]; \
	n = dims[ax]; \
	for (d = ax + 1; d < r; d++) \
		inner *= dims[d]; \
	for (o = 0; o < outer; o++) \
		for (j = 0; j < inner; j++) { \
			U acc = (U)1; \
			for (i = 0; i < n; i++) { \
				int64_t at = (o * n + (rev ? n - 1 - i : i)) * inner + j; \
				U v = (U)X[at]; \
				if (excl) { \
					Y[at] = (T)acc; \
					acc = (U)(acc * v); \
				} else { \
					acc = (U)(acc * v); \
					Y[at] = (T)acc; \
				} \
			} \
		} \
}

#define ONNXCC_REVSEQ(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	const int64_t *L = (const int64_t *)b[1]; \
	T *Y = (T *)b[2]; \
	int64_t nb = p[0], nt = p[1], inner = p[2], sb = p[3], st = p[4], i, t, e; \
	(void)f; \
	for (i = 0; i < nb; i++) { \
		int64_t len = L[i]; \
		if (len < 0 || len > nt) { \
			*(int *)b[3] = ONNXCC_ERR_INDEX; \
			len = 0; \
		} \
		for (t = 0; t < nt; t++) { \
			int64_t from = t < len ? len - 1 - t : t; \
			for (e = 0; e < inner; e++) \
				Y[i * sb + t * st + e] = X[i * sb + from * st + e]; \
		} \
	} \
}

#define ONNXCC_SWISH(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	const T alpha = (T)f[0], one = (T)1; \
	int64_t i, n = p[0]; \
	for (i = 0; i < n; i++) \
		Y[i] = X[i] * (one / (one + exp(-alpha * X[i]))); \
}

#define ONNXCC_SWIGLU(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *A = (const T *)b[0], *B = (const T *)b[1]; \
	T *Y = (T *)b[2]; \
	const T alpha = (T)f[0], one = (T)1; \
	int64_t i, n = p[0]; \
	for (i = 0; i < n; i++) \
		Y[i] = A[i] * (one / (one + exp(-alpha * A[i]))) * B[i]; \
}

#define ONNXCC_DET(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	double *a = (double *)b[2]; \
	int64_t batch = p[0], n = p[1], m, i, j, c; \
	(void)f; \
	for (m = 0; m < batch; m++) { \
		double det = 1.0; \
		for (i = 0; i < n * n; i++) \
			a[i] = (double)X[m * n * n + i]; \
		for (c = 0; c < n && det != 0.0; c++) { \
			int64_t piv = c; \
			for (i = c + 1; i < n; i++) \
				if (fabs(a[i * n + c]) > fabs(a[piv * n + c])) \
					piv = i; \
			if (a[piv * n + c] == 0.0) { \
				det = 0.0; \
				break; \
			} \
			if (piv != c) { \
				for (j = 0; j < n; j++) { \
					double s = a[c * n + j]; \
					a[c * n + j] = a[piv * n + j]; \
					a[piv * n + j] = s; \
				} \
				det = -det; \
			} \
			det *= a[c * n + c]; \
			for (i = c + 1; i < n; i++) { \
				double l = a[i * n + c] / a[c * n + c]; \
				for (j = c + 1; j < n; j++) \
					a[i * n + j] -= l * a[c * n + j]; \
			} \
		} \
		Y[m] = (T)det; \
	} \
}

#define ONNXCC_EINSUM(NAME, T, U) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t m = p[0], r = p[1], no = p[2], ny = 1, ns = 1, q, d, o, s; \
	const int64_t *dims = p + 3, *st = p + 3 + r; \
	int64_t idx[ONNXCC_EINSUM_MAX_R], off[8]; \
	T *Y = (T *)b[m]; \
	(void)f; \
	for (d = 0; d < no; d++) \
		ny *= dims[d]; \
	for (d = no; d < r; d++) \
		ns *= dims[d]; \
	for (d = 0; d < r; d++) \
		idx[d] = 0; \
	for (q = 0; q < m; q++) \
		off[q] = 0; \
	for (o = 0; o < ny; o++) { \
		U acc = (U)0; \
		for (s = 0; s < ns; s++) { \
			U prod = (U)1; \
			for (q = 0; q < m; q++) \
				prod = (U)(prod * (U)((const T *)b[q])[off[q]]); \
			acc = (U)(acc + prod); \
			/* Next index, last dimension fastest, moving every offset. */ \
			for (d = r - 1; d >= 0; d--) { \
				if (++idx[d] < dims[d]) { \
					for (q = 0; q < m; q++) \
						off[q] += st[q * r + d]; \
					break; \
				} \
				idx[d] = 0; \
				for (q = 0; q < m; q++) \
					off[q] -= st[q * r + d] * (dims[d] - 1); \
			} \
		} \
		Y[o] = (T)acc; \
	} \
}

#endif
