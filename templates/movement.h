/* movement.h: data movement kernels, by element width (x8, x16, x32, x64),
 * so one kernel serves every element type of that size (bool is x8).
 *
 * copy:    b = {X, Y}, p = {nbytes}                       plain byte copy
 * fill:    b = {X, Y}, p = {n}                            Y[0..n) = X[0] (materializes splats)
 * fillp:   b = {Y}, p = {n, bits}                         Y[0..n) = the element whose bytes are
 *                                                         the low bytes of bits (Pad's value)
 * expand:  b = {X, Y}, p = {r, dims[r], stride_x[r]}      broadcast X into contiguous Y
 * strided: b = {X, Y}, p = {r, dims[r], sx[r], sy[r]}     Y[i.sy] = X[i.sx] for every index i
 *          of dims: Transpose, Slice, Concat, Split, Tile and Pad's interior.  Strides are in
 *          elements and may be 0 or negative; X and Y arrive at their start offsets;
 *          r <= 2 * ONNXCC_MAX_RANK.
 * remap:   b = {X, Y}, p = {r, dims[r], off_0[dims[0]], ..., off_r-1[dims[r-1]]}
 *          Y[i] = X[off_0[i_0] + ... + off_r-1[i_r-1]], Y contiguous: each output coordinate
 *          reads an input coordinate chosen per dimension (Pad's edge, reflect, wrap).
 * gather:  b = {X, I, Y, status}, p = {outer, n, m, inner, idx64}
 *          Y[o][j][k] = X[o][I[j]][k] with X [outer, n, inner], I m int32 (int64 if idx64)
 *          indices, negative ones counting from the end.  An index out of range gives
 *          zeros and sets *status to ONNXCC_ERR_INDEX.
 * range:   b = {S, L, D, Y}, p = {n}                      Y[i] = S + i * D (typed, see below)
 * Expand uses onnxcc_outer_offset from elementwise.h. */
#ifndef ONNXCC_MOVEMENT_H
#define ONNXCC_MOVEMENT_H

#define ONNXCC_COPY(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	(void)f; \
	if (b[0] != b[1]) \
		memmove(b[1], b[0], (size_t)p[0]); \
}

#define ONNXCC_FILL(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T v = *(const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t i, n = p[0]; \
	(void)f; \
	for (i = 0; i < n; i++) \
		Y[i] = v; \
}

/* T is the unsigned type of the width: the conversion keeps the low bytes. */
#define ONNXCC_FILLP(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T v = (T)(uint64_t)p[1]; \
	T *Y = (T *)b[0]; \
	int64_t i, n = p[0]; \
	(void)f; \
	for (i = 0; i < n; i++) \
		Y[i] = v; \
}

#define ONNXCC_EXPAND(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t r = p[0], d, o, i, outer = 1; \
	const int64_t *dims = p + 1, *sx = p + 1 + r; \
	int64_t inner = dims[r - 1], ix = sx[r - 1]; \
	(void)f; \
	for (d = 0; d < r - 1; d++) \
		outer *= dims[d]; \
	for (o = 0; o < outer; o++) { \
		const T *x0 = X + onnxcc_outer_offset(o, r, dims, sx); \
		for (i = 0; i < inner; i++) \
			Y[o * inner + i] = x0[i * ix]; \
	} \
}

/* Advance the multi-index idx over dims[0..r) (last fastest), moving two
 * element offsets with their strides sa and sb. */
static inline void onnxcc_step2(int64_t r, const int64_t *dims, const int64_t *sa,
				const int64_t *sb, int64_t *idx, int64_t *oa, int64_t *ob)
{
	int64_t d;

	for (d = r - 1; d >= 0; d--) {
		if (++idx[d] < dims[d]) {
			*oa += sa[d];
			*ob += sb[d];
			return;
		}
		idx[d] = 0;
		*oa -= sa[d] * (dims[d] - 1);
		*ob -= sb[d] * (dims[d] - 1);
	}
}

/* The inner dimension is a loop (a memcpy when both sides are contiguous);
 * the outer ones advance incrementally, without divisions. */
#define ONNXCC_STRIDED(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t r = p[0], d, o, i, outer = 1, ox = 0, oy = 0; \
	const int64_t *dims = p + 1, *sx = p + 1 + r, *sy = p + 1 + 2 * r; \
	int64_t n = dims[r - 1], ix = sx[r - 1], iy = sy[r - 1]; \
	int64_t idx[2 * ONNXCC_MAX_RANK] = {0}; \
	(void)f; \
	for (d = 0; d < r - 1; d++) \
		outer *= dims[d]; \
	for (o = 0; o < outer; o++) { \
		const T *x0 = X + ox; \
		T *y0 = Y + oy; \
		if (ix == 1 && iy == 1) \
			memcpy(y0, x0, (size_t)n * sizeof(T)); \
		else \
			for (i = 0; i < n; i++) \
				y0[i * iy] = x0[i * ix]; \
		onnxcc_step2(r - 1, dims, sx, sy, idx, &ox, &oy); \
	} \
}

#define ONNXCC_REMAP(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t r = p[0], d, o, i, outer = 1; \
	const int64_t *dims = p + 1, *tab[ONNXCC_MAX_RANK], *last; \
	int64_t n = dims[r - 1], idx[ONNXCC_MAX_RANK] = {0}; \
	(void)f; \
	tab[0] = p + 1 + r; \
	for (d = 1; d < r; d++) \
		tab[d] = tab[d - 1] + dims[d - 1]; \
	for (d = 0; d < r - 1; d++) \
		outer *= dims[d]; \
	last = tab[r - 1]; \
	for (o = 0; o < outer; o++) { \
		int64_t off = 0; \
		const T *x0; \
		for (d = 0; d < r - 1; d++) \
			off += tab[d][idx[d]]; \
		x0 = X + off; \
		for (i = 0; i < n; i++) \
			Y[o * n + i] = x0[last[i]]; \
		for (d = r - 2; d >= 0 && ++idx[d] == dims[d]; d--) \
			idx[d] = 0; \
	} \
}

/* Index j of a gather's int32 or int64 index buffer. */
static inline int64_t onnxcc_index_at(const void *ind, int64_t j, int64_t idx64)
{
	return idx64 ? ((const int64_t *)ind)[j] : (int64_t)((const int32_t *)ind)[j];
}

#define ONNXCC_GATHER(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[2]; \
	int64_t outer = p[0], n = p[1], m = p[2], inner = p[3], o, j, k; \
	(void)f; \
	for (o = 0; o < outer; o++) \
		for (j = 0; j < m; j++) { \
			int64_t ix = onnxcc_index_at(b[1], j, p[4]); \
			T *y0 = Y + (o * m + j) * inner; \
			const T *x0; \
			if (ix < 0) \
				ix += n; \
			if (ix < 0 || ix >= n) { \
				memset(y0, 0, (size_t)inner * sizeof(T)); \
				*(int *)b[3] = ONNXCC_ERR_INDEX; \
				continue; \
			} \
			x0 = X + (o * n + ix) * inner; \
			for (k = 0; k < inner; k++) \
				y0[k] = x0[k]; \
		} \
}

/* Range: computed in T (integers wrap like the reference's int arithmetic). */
#define ONNXCC_RANGE(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T s = *(const T *)b[0], dl = *(const T *)b[2]; \
	T *Y = (T *)b[3]; \
	int64_t i, n = p[0]; \
	(void)f; \
	for (i = 0; i < n; i++) \
		Y[i] = (T)(s + (T)i * dl); \
}

/* Range of float16/bfloat16 (uint16_t storage): computed in float, as with
 * the default stash_type. */
#define ONNXCC_RANGE_HALF(NAME, TO_F32, FROM_F32) \
ONNXCC_KERNEL(NAME) \
{ \
	const float s = TO_F32(*(const uint16_t *)b[0]), dl = TO_F32(*(const uint16_t *)b[2]); \
	uint16_t *Y = (uint16_t *)b[3]; \
	int64_t i, n = p[0]; \
	(void)f; \
	for (i = 0; i < n; i++) \
		Y[i] = FROM_F32(s + (float)i * dl); \
}

#endif
