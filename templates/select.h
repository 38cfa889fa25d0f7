/* select.h: operators whose output size depends on the data (NonZero,
 * Compress, Unique).  The compiler sizes the output from constants or from
 * the model's declared shape; each kernel first counts what it would write
 * and, when that differs from the size it was compiled for, stores
 * ONNXCC_ERR_SHAPE in its status and writes nothing.
 *
 * nonzero:  b = {X, Y (int64 [r, n]), status}, p = {r, dims[r], n}
 *           Y[d][j]: coordinate d of the j-th nonzero element, row-major order.
 * compress: b = {X, C (bool [clen]), Y, status}, p = {outer, len, inner, clen, n}
 *           X viewed as (outer, len, inner); Y as (outer, n, inner) keeps the
 *           slices j < min(len, clen) with C[j]; a true C[j] with j >= len is
 *           ONNXCC_ERR_INDEX.  Width kernels (x8..x64).
 * unique:   b = {X, Y, I, V, Cnt (int64), S (int64 scratch [5 len]), status},
 *           p = {outer, len, inner, n, sorted}
 *           X viewed as (outer, len, inner); its `len` slices X[:, j, :] are
 *           compared lexicographically (NaN after every number, equal to NaN).
 *           Y (outer, n, inner) holds the n distinct slices, in ascending
 *           order (sorted) or by first occurrence; I[q] the first index of
 *           Y's slice q, Cnt[q] its count, V[j] the position in Y of slice j. */
#ifndef ONNXCC_SELECT_H
#define ONNXCC_SELECT_H

#define ONNXCC_NONZERO(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	int64_t *Y = (int64_t *)b[1]; \
	int64_t r = p[0], n = p[1 + r], total = 1, cnt = 0, i, j = 0, d; \
	int64_t idx[ONNXCC_MAX_RANK]; \
	(void)f; \
	for (d = 0; d < r; d++) { \
		total *= p[1 + d]; \
		idx[d] = 0; \
	} \
	for (i = 0; i < total; i++) \
		cnt += X[i] != 0; \
	if (cnt != n) { \
		*(int *)b[2] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	for (i = 0; i < total; i++) { \
		if (X[i] != 0) { \
			for (d = 0; d < r; d++) \
				Y[d * n + j] = idx[d]; \
			j++; \
		} \
		for (d = r - 1; d >= 0 && ++idx[d] == p[1 + d]; d--) \
			idx[d] = 0; \
	} \
}

#define ONNXCC_COMPRESS(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	const uint8_t *C = (const uint8_t *)b[1]; \
	T *Y = (T *)b[2]; \
	int64_t outer = p[0], len = p[1], inner = p[2], clen = p[3], n = p[4], cnt = 0, o, j, q; \
	(void)f; \
	for (j = 0; j < clen; j++) \
		if (C[j]) { \
			if (j >= len) { \
				*(int *)b[3] = ONNXCC_ERR_INDEX; \
				return; \
			} \
			cnt++; \
		} \
	if (cnt != n) { \
		*(int *)b[3] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	for (o = 0; o < outer; o++) \
		for (j = 0, q = 0; j < clen; j++) \
			if (C[j]) { \
				memcpy(Y + (o * n + q) * inner, X + (o * len + j) * inner, \
				       (size_t)inner * sizeof(T)); \
				q++; \
			} \
}

/* Unique's slice order: -1, 0 or 1 for slices a and b of X (outer, len, inner). */
#define ONNXCC_UNIQUE_CMP(NAME, T, ISNAN) \
ONNXCC_HELPER int NAME##_cmp(const T *X, const int64_t *p, int64_t a, int64_t b) \
{ \
	int64_t outer = p[0], len = p[1], inner = p[2], o, i; \
	for (o = 0; o < outer; o++) \
		for (i = 0; i < inner; i++) { \
			T x = X[(o * len + a) * inner + i], y = X[(o * len + b) * inner + i]; \
			int nx = ISNAN(x), ny = ISNAN(y); \
			if (nx || ny) { \
				if (nx != ny) \
					return nx ? 1 : -1; \
			} else if (x != y) { \
				return x < y ? -1 : 1; \
			} \
		} \
	return 0; \
}

#define ONNXCC_NOT_NAN(x) 0
#define ONNXCC_IS_NAN(x) isnan(x)

/* Stable bottom-up merge sort of the slice indices perm[0..len) (tmp: len). */
#define ONNXCC_UNIQUE_SORT(NAME, T) \
ONNXCC_HELPER void NAME##_sort(const T *X, const int64_t *p, int64_t *perm, int64_t *tmp) \
{ \
	int64_t len = p[1], w, lo, i, j, k, mid, hi; \
	for (w = 1; w < len; w *= 2) { \
		for (lo = 0; lo < len; lo += 2 * w) { \
			mid = lo + w < len ? lo + w : len; \
			hi = lo + 2 * w < len ? lo + 2 * w : len; \
			for (i = lo, j = mid, k = lo; k < hi; k++) \
				if (j >= hi || (i < mid && NAME##_cmp(X, p, perm[i], perm[j]) <= 0)) \
					tmp[k] = perm[i++]; \
				else \
					tmp[k] = perm[j++]; \
		} \
		memcpy(perm, tmp, (size_t)len * sizeof(int64_t)); \
	} \
}

#define ONNXCC_UNIQUE(NAME, T, ISNAN) \
ONNXCC_UNIQUE_CMP(NAME, T, ISNAN) \
ONNXCC_UNIQUE_SORT(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t *Ind = (int64_t *)b[2], *Inv = (int64_t *)b[3], *Cnt = (int64_t *)b[4]; \
	int64_t outer = p[0], len = p[1], inner = p[2], n = p[3], sorted = p[4]; \
	int64_t *perm = (int64_t *)b[5], *cnt = perm + len, *gid = cnt + len; \
	int64_t *first = gid + len, *pos = first + len, g = -1, j, o, q; \
	(void)f; \
	for (j = 0; j < len; j++) \
		perm[j] = j; \
	NAME##_sort(X, p, perm, cnt); \
	for (j = 0; j < len; j++) { \
		if (j == 0 || NAME##_cmp(X, p, perm[j - 1], perm[j]) != 0) { \
			g++; \
			first[g] = perm[j]; \
			cnt[g] = 0; \
		} \
		cnt[g]++; \
		gid[perm[j]] = g; \
	} \
	if (g + 1 != n) { \
		*(int *)b[6] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	for (j = 0, q = 0; j < len; j++) \
		if (sorted) \
			pos[j] = j; \
		else if (first[gid[j]] == j) \
			pos[gid[j]] = q++; \
	for (g = 0; g < n; g++) { \
		q = pos[g]; \
		Ind[q] = first[g]; \
		Cnt[q] = cnt[g]; \
		for (o = 0; o < outer; o++) \
			memcpy(Y + (o * n + q) * inner, X + (o * len + first[g]) * inner, \
			       (size_t)inner * sizeof(T)); \
	} \
	for (j = 0; j < len; j++) \
		Inv[j] = pos[gid[j]]; \
}

#endif
