/* index.h: indexing kernels (GatherElements, GatherND, ScatterElements,
 * ScatterND, OneHot), CumSum, Trilu and EyeLike.
 *
 * Index buffers are run-time data: every index is normalized (negative ones
 * count from the end) and checked before it is used.  A gather writes zeros
 * for an index out of range, a scatter skips it, and both set *status to
 * ONNXCC_ERR_INDEX.  Indices are int32, or int64 when idx64 (onnxcc_index_at
 * from movement.h).  Strides and offsets are in elements.
 *
 * gather_elements:  b = {X, I, Y, status}, p = {r, axis, idx64, n, idims[r], xst[r]}
 *                   Y (shaped like I) [e] = X at e's coordinates with the axis one
 *                   replaced by I[e]; n is X's axis length, xst X's strides.
 * scatter_elements: b = {X, I, U, Y, status}, p = {r, axis, idx64, n, numel, idims[r], yst[r]}
 *                   Y = X, then Y[coordinates of e, axis one I[e]] = RED(that, U[e]) in
 *                   order; numel counts Y's elements.
 * gather_nd:        b = {X, I, Y, status}, p = {nb, ni, k, slice, idx64, bstride, dims[k], st[k]}
 *                   For batch bi < nb and index tuple j < ni (k indices each, I[(bi*ni + j)*k..]):
 *                   Y[(bi*ni + j)*slice..] = slice elements of X from
 *                   bi*bstride + sum_q I[q]*st[q], I[q] checked against dims[q].
 * scatter_nd:       b = {X, I, U, Y, status}, p = {numel, ni, k, slice, idx64, dims[k], st[k]}
 *                   Y = X, then slice j of U reduced into Y at sum_q I[j*k+q]*st[q].
 * cumsum:           b = {X, A, Y, status}, p = {r, axis64, exclusive, reverse, dims[r]}
 *                   the axis is the run-time scalar A (int32, or int64 if axis64), checked.
 * trilu:            b = {X, [K], Y}, p = {batch, rows, cols, upper, has_k}
 *                   keeps X[i][j] where j - i >= k (upper) or <= k (lower), else 0;
 *                   k is the int64 scalar K, 0 without it.
 * onehot:           b = {I (int64), V, Y}, p = {outer, depth, inner}
 *                   Y [outer, depth, inner] = V[1] where I[o][i] (negative counting from
 *                   depth) is the depth coordinate, else V[0]; I out of range: all V[0].
 * eyelike:          b = {Y}, p = {rows, cols, k, bits}: zeros, and ones (the element whose
 *                   bytes are the low bytes of bits) where j - i == k.
 *
 * Gathers and moves are by element width (x8..x64); reductions (add, mul,
 * max, min) and cumsum are typed, with U an unsigned type of the same width
 * for integers so that overflow wraps instead of being undefined. */
#ifndef ONNXCC_INDEX_H
#define ONNXCC_INDEX_H

/* Reductions of scatters: the new value of a from update u. */
#define ONNXCC_RED_NONE(T, U, a, u) (u)
#define ONNXCC_RED_ADD(T, U, a, u) ((T)((U)(a) + (U)(u)))
#define ONNXCC_RED_MUL(T, U, a, u) ((T)((U)(a) * (U)(u)))
#define ONNXCC_RED_MAXI(T, U, a, u) ((a) >= (u) ? (a) : (u))
#define ONNXCC_RED_MINI(T, U, a, u) ((a) <= (u) ? (a) : (u))
/* Floating max and min propagate NaN, as numpy's maximum and minimum. */
#define ONNXCC_RED_MAX(T, U, a, u) ((a) >= (u) || (a) != (a) ? (a) : (u))
#define ONNXCC_RED_MIN(T, U, a, u) ((a) <= (u) || (a) != (a) ? (a) : (u))

/* Index ix normalized into [0, n), or -1 if out of range. */
ONNXCC_HELPER int64_t onnxcc_norm_index(int64_t ix, int64_t n)
{
	if (ix < 0)
		ix += n;
	return ix >= 0 && ix < n ? ix : -1;
}

#define ONNXCC_GATHER_ELEMENTS(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[2]; \
	const int64_t r = p[0], axis = p[1], i64 = p[2], n = p[3], *id = p + 4, *xst = id + r; \
	int64_t st[ONNXCC_MAX_RANK], idx[ONNXCC_MAX_RANK] = {0}, total = 1, e, d, off = 0, ix; \
	(void)f; \
	for (d = 0; d < r; d++) { \
		total *= id[d]; \
		st[d] = d == axis ? 0 : xst[d]; \
	} \
	for (e = 0; e < total; e++, off += onnxcc_next_index(r, id, st, idx)) { \
		ix = onnxcc_norm_index(onnxcc_index_at(b[1], e, i64), n); \
		if (ix < 0) { \
			Y[e] = (T)0; \
			*(int *)b[3] = ONNXCC_ERR_INDEX; \
			continue; \
		} \
		Y[e] = X[off + ix * xst[axis]]; \
	} \
}

#define ONNXCC_SCATTER_ELEMENTS(NAME, T, U, RED) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *Up = (const T *)b[2]; \
	T *Y = (T *)b[3]; \
	const int64_t r = p[0], axis = p[1], i64 = p[2], n = p[3], numel = p[4], *id = p + 5; \
	const int64_t *yst = id + r; \
	int64_t st[ONNXCC_MAX_RANK], idx[ONNXCC_MAX_RANK] = {0}, total = 1, e, d, off = 0, ix; \
	(void)f; \
	if (b[0] != b[3]) \
		memmove(Y, b[0], (size_t)numel * sizeof(T)); \
	for (d = 0; d < r; d++) { \
		total *= id[d]; \
		st[d] = d == axis ? 0 : yst[d]; \
	} \
	for (e = 0; e < total; e++, off += onnxcc_next_index(r, id, st, idx)) { \
		T *y; \
		ix = onnxcc_norm_index(onnxcc_index_at(b[1], e, i64), n); \
		if (ix < 0) { \
			*(int *)b[4] = ONNXCC_ERR_INDEX; \
			continue; \
		} \
		y = Y + off + ix * yst[axis]; \
		*y = RED(T, U, *y, Up[e]); \
	} \
}

/* The element offset of index tuple t (k indices from element t*k of I), or -1. */
ONNXCC_HELPER int64_t onnxcc_nd_offset(const void *ind, int64_t i64, int64_t t, int64_t k,
				       const int64_t *dims, const int64_t *st)
{
	int64_t q, ix, off = 0;

	for (q = 0; q < k; q++) {
		ix = onnxcc_norm_index(onnxcc_index_at(ind, t * k + q, i64), dims[q]);
		if (ix < 0)
			return -1;
		off += ix * st[q];
	}
	return off;
}

#define ONNXCC_GATHER_ND(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[2]; \
	const int64_t nb = p[0], ni = p[1], k = p[2], slice = p[3], i64 = p[4], bstride = p[5]; \
	const int64_t *dims = p + 6, *st = dims + k; \
	int64_t bi, j, s, off; \
	(void)f; \
	for (bi = 0; bi < nb; bi++) \
		for (j = 0; j < ni; j++) { \
			T *y = Y + (bi * ni + j) * slice; \
			off = onnxcc_nd_offset(b[1], i64, bi * ni + j, k, dims, st); \
			if (off < 0) { \
				for (s = 0; s < slice; s++) \
					y[s] = (T)0; \
				*(int *)b[3] = ONNXCC_ERR_INDEX; \
				continue; \
			} \
			memcpy(y, X + bi * bstride + off, (size_t)slice * sizeof(T)); \
		} \
}

#define ONNXCC_SCATTER_ND(NAME, T, U, RED) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *Up = (const T *)b[2]; \
	T *Y = (T *)b[3]; \
	const int64_t numel = p[0], ni = p[1], k = p[2], slice = p[3], i64 = p[4]; \
	const int64_t *dims = p + 5, *st = dims + k; \
	int64_t j, s, off; \
	(void)f; \
	if (b[0] != b[3]) \
		memmove(Y, b[0], (size_t)numel * sizeof(T)); \
	for (j = 0; j < ni; j++) { \
		const T *u = Up + j * slice; \
		T *y; \
		off = onnxcc_nd_offset(b[1], i64, j, k, dims, st); \
		if (off < 0) { \
			*(int *)b[4] = ONNXCC_ERR_INDEX; \
			continue; \
		} \
		y = Y + off; \
		for (s = 0; s < slice; s++) \
			y[s] = RED(T, U, y[s], u[s]); \
	} \
}

/* CumSum: each row along the axis is the previous row plus an input row. */
#define ONNXCC_CUMSUM(NAME, T, U) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[2]; \
	const int64_t r = p[0], excl = p[2], rev = p[3], *dims = p + 4; \
	int64_t a = onnxcc_index_at(b[1], 0, p[1]), outer = 1, n, inner = 1, o, jj, i, d; \
	(void)f; \
	a = onnxcc_norm_index(a, r); \
	for (d = 0; d < r; d++) { \
		if (a >= 0 && d < a) \
			outer *= dims[d]; \
		else if (a >= 0 && d > a) \
			inner *= dims[d]; \
	} \
	if (a < 0) { \
		*(int *)b[3] = ONNXCC_ERR_INDEX; \
		return; \
	} \
	n = dims[a]; \
	for (o = 0; o < outer; o++) \
		for (jj = 0; jj < n; jj++) { \
			int64_t j = rev ? n - 1 - jj : jj, pj = rev ? j + 1 : j - 1; \
			T *y = Y + (o * n + j) * inner; \
			const T *yp, *x; \
			if (jj == 0) { \
				for (i = 0; i < inner; i++) \
					y[i] = excl ? (T)0 : X[(o * n + j) * inner + i]; \
				continue; \
			} \
			yp = Y + (o * n + pj) * inner; \
			x = X + (o * n + (excl ? pj : j)) * inner; \
			for (i = 0; i < inner; i++) \
				y[i] = (T)((U)yp[i] + (U)x[i]); \
		} \
}

#define ONNXCC_TRILU(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[p[4] ? 2 : 1]; \
	const int64_t batch = p[0], rows = p[1], cols = p[2], upper = p[3]; \
	const int64_t k = p[4] ? *(const int64_t *)b[1] : 0; \
	int64_t t, i, j; \
	(void)f; \
	for (t = 0; t < batch; t++) \
		for (i = 0; i < rows; i++, X += cols, Y += cols) \
			for (j = 0; j < cols; j++) \
				Y[j] = (upper ? j - i >= k : j - i <= k) ? X[j] : (T)0; \
}

#define ONNXCC_ONEHOT(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t *Ind = (const int64_t *)b[0]; \
	const T off = ((const T *)b[1])[0], on = ((const T *)b[1])[1]; \
	T *Y = (T *)b[2]; \
	const int64_t outer = p[0], depth = p[1], inner = p[2]; \
	int64_t o, i, ix, total = outer * depth * inner; \
	(void)f; \
	for (i = 0; i < total; i++) \
		Y[i] = off; \
	for (o = 0; o < outer; o++) \
		for (i = 0; i < inner; i++) \
			if ((ix = onnxcc_norm_index(Ind[o * inner + i], depth)) >= 0) \
				Y[(o * depth + ix) * inner + i] = on; \
}

#define ONNXCC_EYELIKE(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	T *Y = (T *)b[0]; \
	const int64_t rows = p[0], cols = p[1], k = p[2]; \
	int64_t i; \
	(void)f; \
	memset(Y, 0, (size_t)(rows * cols) * sizeof(T)); \
	for (i = 0; i < rows; i++) \
		if (i + k >= 0 && i + k < cols) \
			Y[i * cols + i + k] = (T)(uint64_t)p[3]; \
}

#endif
