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
 *
 * Kernels for shape-deciding inputs known only at run time.  They normalize
 * the inputs with the rules below (which onnxcc also applies to constant
 * inputs), set *status to ONNXCC_ERR_SHAPE and return before moving any data
 * when the result disagrees with the shape compiled in, so a bad value never
 * reads or writes out of bounds.
 * slice:   b = {X, starts, ends, [axes], [steps], Y, status},
 *          p = {r, k, has_axes, has_steps, idx64, in_dims[r], out_dims[r]}
 *          k entries per list, int32 (int64 if idx64); r >= 1.
 * pad:     b = {X, pads (int64), [axes], [value], Y, status},
 *          p = {r, naxes, has_axes, axes64, has_value, mode, in_dims[r], out_dims[r]}
 *          pads has 2 * naxes entries; no value means zero bits; r >= 1.
 * range_check: b = {S, L, D, status}, p = {n}: the length rule must give n.
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
ONNXCC_HELPER void onnxcc_step2(int64_t r, const int64_t *dims, const int64_t *sa,
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

/* Y[i.sy] = X[i.sx] over the index space dims[0..r) (r >= 1, none empty).
 * The inner dimension is a loop (a memcpy when both sides are contiguous);
 * the outer ones advance incrementally, without divisions. */
#define ONNXCC_STRIDED_COPY(T, X, Y, r, dims, sx, sy) \
do { \
	int64_t d_, o_, i_, outer_ = 1, ox_ = 0, oy_ = 0; \
	int64_t n_ = (dims)[(r) - 1], ix_ = (sx)[(r) - 1], iy_ = (sy)[(r) - 1]; \
	int64_t idx_[2 * ONNXCC_MAX_RANK] = {0}; \
	for (d_ = 0; d_ < (r) - 1; d_++) \
		outer_ *= (dims)[d_]; \
	for (o_ = 0; o_ < outer_; o_++) { \
		const T *x0_ = (X) + ox_; \
		T *y0_ = (Y) + oy_; \
		if (ix_ == 1 && iy_ == 1) \
			memcpy(y0_, x0_, (size_t)n_ * sizeof(T)); \
		else \
			for (i_ = 0; i_ < n_; i_++) \
				y0_[i_ * iy_] = x0_[i_ * ix_]; \
		onnxcc_step2((r) - 1, dims, sx, sy, idx_, &ox_, &oy_); \
	} \
} while (0)

#define ONNXCC_STRIDED(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t r = p[0]; \
	(void)f; \
	ONNXCC_STRIDED_COPY(T, X, Y, r, p + 1, p + 1 + r, p + 1 + 2 * r); \
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
ONNXCC_HELPER int64_t onnxcc_index_at(const void *ind, int64_t j, int64_t idx64)
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

/* Slice: per input dimension the first index, the step and the output length
 * from k (start, end, axis, step) entries, with the spec's clamping: starts
 * and ends count from the end when negative, then clamp to [0, dim] (to
 * [0, dim - 1] and [-1, dim - 1] for a negative step), so out-of-range values
 * such as INT64_MAX mean "to the end"; an empty axis stays empty.  ax NULL:
 * axes 0..k-1; sp NULL: steps of 1.  Returns 0 or an ONNXCC_SLICE_E* code
 * with *bad the entry's index. */
#define ONNXCC_SLICE_EAXIS 1	/* axis out of range */
#define ONNXCC_SLICE_EREPEAT 2	/* axis repeated */
#define ONNXCC_SLICE_ESTEP 3	/* step is 0 */
ONNXCC_HELPER int onnxcc_slice_params(const int64_t *dims, int64_t rank, const int64_t *st,
				      const int64_t *en, const int64_t *ax, const int64_t *sp,
				      int64_t k, int64_t *start, int64_t *step, int64_t *len,
				      int64_t *bad)
{
	char seen[ONNXCC_MAX_RANK] = {0};
	int64_t i;

	for (i = 0; i < rank; i++) {
		start[i] = 0;
		step[i] = 1;
		len[i] = dims[i];
	}
	for (i = 0; i < k; i++) {
		int64_t a = ax ? ax[i] : i, s = st[i], e = en[i], q = sp ? sp[i] : 1, dim;
		*bad = i;
		a = a < 0 ? a + rank : a;
		if (a < 0 || a >= rank)
			return ONNXCC_SLICE_EAXIS;
		if (seen[a])
			return ONNXCC_SLICE_EREPEAT;
		seen[a] = 1;
		if (q == 0)
			return ONNXCC_SLICE_ESTEP;
		dim = dims[a];
		/* a step beyond the axis takes one element either way: bounding it
		 * keeps step * stride within int64 */
		if (q > dim || q < -dim)
			q = (q > 0 ? 1 : -1) * (dim > 0 ? dim : 1);
		s = s < 0 ? s + dim : s;
		e = e < 0 ? e + dim : e;
		if (q > 0) {
			s = s < 0 ? 0 : s > dim ? dim : s;
			e = e < 0 ? 0 : e > dim ? dim : e;
			len[a] = e > s ? (e - s - 1) / q + 1 : 0;
		} else {
			s = s < 0 ? 0 : s > dim - 1 ? dim - 1 : s;
			e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
			len[a] = dim > 0 && s > e ? (s - e - 1) / -q + 1 : 0;
		}
		start[a] = s;
		step[a] = q;
	}
	return 0;
}

/* Pad modes (the `mode` attribute). */
#define ONNXCC_PAD_CONSTANT 0
#define ONNXCC_PAD_REFLECT 1
#define ONNXCC_PAD_EDGE 2
#define ONNXCC_PAD_WRAP 3
/* Larger pads cannot give a supported tensor; the bound keeps sums exact. */
#define ONNXCC_PAD_MAX ((int64_t)1 << 40)

/* Pad: begin and end amounts per axis (negative ones crop) from pads, which
 * holds naxes begins then naxes ends for the axes listed in axes (NULL: 0..
 * rank-1; negative axes count from the end; a repeated axis takes the later
 * entry).  Returns 0, 1 (axis out of range, *bad its index) or 2 (an amount
 * beyond ONNXCC_PAD_MAX, *bad its index in pads). */
ONNXCC_HELPER int onnxcc_pad_amounts(const int64_t *pads, const int64_t *axes, int64_t naxes,
				     int64_t rank, int64_t *pb, int64_t *pe, int64_t *bad)
{
	int64_t i, a;

	for (i = 0; i < rank; i++)
		pb[i] = pe[i] = 0;
	for (i = 0; i < 2 * naxes; i++) {
		*bad = i;
		if (pads[i] > ONNXCC_PAD_MAX || pads[i] < -ONNXCC_PAD_MAX)
			return 2;
	}
	for (i = 0; i < naxes; i++) {
		*bad = i;
		a = axes ? axes[i] : i;
		a = a < 0 ? a + rank : a;
		if (a < 0 || a >= rank)
			return 1;
		pb[a] = pads[i];
		pe[a] = pads[naxes + i];
	}
	return 0;
}

/* The padded dims.  Returns 0, 1 (an axis would be negative, *bad the axis)
 * or 2 (a mode other than constant has no element to copy from on an axis
 * that is not empty). */
ONNXCC_HELPER int onnxcc_pad_dims(const int64_t *in, int64_t rank, const int64_t *pb,
				  const int64_t *pe, int64_t mode, int64_t *out, int64_t *bad)
{
	int64_t d;

	for (d = 0; d < rank; d++) {
		int64_t kept = in[d] + (pb[d] < 0 ? pb[d] : 0) + (pe[d] < 0 ? pe[d] : 0);
		*bad = d;
		out[d] = in[d] + pb[d] + pe[d];
		if (out[d] < 0)
			return 1;
		if (mode != ONNXCC_PAD_CONSTANT && kept <= 0 && out[d] > 0)
			return 2;
	}
	return 0;
}

/* Index in [0, n) that position j (relative to the kept part of an axis, of
 * n >= 1 elements) reads in edge, reflect or wrap mode. */
ONNXCC_HELPER int64_t onnxcc_pad_source(int64_t mode, int64_t j, int64_t n)
{
	int64_t period = 2 * (n - 1), m;

	if (j >= 0 && j < n)
		return j;
	if (mode == ONNXCC_PAD_EDGE)
		return j < 0 ? 0 : n - 1;
	if (mode == ONNXCC_PAD_WRAP)
		return (j % n + n) % n;
	if (n == 1)
		return 0;
	m = (j % period + period) % period;	/* reflect: period 2(n-1), edges not repeated */
	return m < n ? m : period - m;
}

/* Range's length, max(ceil((limit - start) / delta), 0): exact for integers,
 * in double for floating types (as numpy.arange).  Nonzero for a zero delta
 * or (floating) a length of 1e15 or more. */
ONNXCC_HELPER int onnxcc_range_len_i(int64_t start, int64_t limit, int64_t delta, int64_t *len)
{
	uint64_t a = (uint64_t)start, b = (uint64_t)limit, c = (uint64_t)delta, q = 0;

	*len = 0;
	if (delta == 0)
		return 1;
	if (delta > 0 && limit > start)
		q = (b - a - 1) / c + 1;
	else if (delta < 0 && start > limit)
		q = (a - b - 1) / (0 - c) + 1;
	if (q > (uint64_t)INT64_MAX)
		return 2;	/* the span is more than 2^63 steps */
	*len = (int64_t)q;
	return 0;
}

ONNXCC_HELPER int onnxcc_range_len_f(double start, double limit, double delta, int64_t *len)
{
	double q;

	if (delta == 0)
		return 1;
	q = ceil((limit - start) / delta);
	if (!(q < 1e15)) {
		*len = 0;
		return q > 0;
	}
	*len = q > 0 ? (int64_t)q : 0;
	return 0;
}

/* A Slice with run-time starts, ends, axes or steps (layout at the top). */
#define ONNXCC_SLICE(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t r = p[0], k = p[1], *in = p + 5, *want = p + 5 + r; \
	int64_t st[ONNXCC_MAX_RANK], en[ONNXCC_MAX_RANK], ax[ONNXCC_MAX_RANK]; \
	int64_t sp[ONNXCC_MAX_RANK], start[ONNXCC_MAX_RANK], step[ONNXCC_MAX_RANK]; \
	int64_t len[ONNXCC_MAX_RANK], sx[ONNXCC_MAX_RANK] = {0}, sy[ONNXCC_MAX_RANK] = {0}; \
	int64_t i, bad, off = 0, s = 1, t = 1, bi = 3; \
	const void *A = p[2] ? b[bi++] : 0, *P = p[3] ? b[bi++] : 0; \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[bi]; \
	(void)f; \
	for (i = 0; i < k; i++) { \
		st[i] = onnxcc_index_at(b[1], i, p[4]); \
		en[i] = onnxcc_index_at(b[2], i, p[4]); \
		ax[i] = A ? onnxcc_index_at(A, i, p[4]) : i; \
		sp[i] = P ? onnxcc_index_at(P, i, p[4]) : 1; \
	} \
	if (onnxcc_slice_params(in, r, st, en, ax, sp, k, start, step, len, &bad) || \
	    !onnxcc_same_dims(len, r, want, r)) { \
		*(int *)b[bi + 1] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	for (i = r - 1; i >= 0; i--) { \
		off += start[i] * s; \
		sx[i] = step[i] * s; \
		sy[i] = t; \
		s *= in[i]; \
		t *= want[i]; \
	} \
	if (t > 0) \
		ONNXCC_STRIDED_COPY(T, X + off, Y, r, want, sx, sy); \
}

/* A Pad with run-time pads or axes (layout at the top).  Each output row
 * finds its input row once (or is all padding); each element of the row reads
 * the kept part of the input, through onnxcc_pad_source outside it, or is the
 * constant value. */
#define ONNXCC_PAD(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t r = p[0], na = p[1], mode = p[5], *in = p + 6, *want = p + 6 + r; \
	int64_t ax[ONNXCC_MAX_RANK], pb[ONNXCC_MAX_RANK], pe[ONNXCC_MAX_RANK]; \
	int64_t got[ONNXCC_MAX_RANK], lo[ONNXCC_MAX_RANK], kept[ONNXCC_MAX_RANK]; \
	int64_t before[ONNXCC_MAX_RANK], xst[ONNXCC_MAX_RANK], idx[ONNXCC_MAX_RANK] = {0}; \
	int64_t i, j, d, o, bad, outer = 1, n, s = 1, bi = 2; \
	const void *A = p[2] ? b[bi++] : 0; \
	const T v = p[4] ? *(const T *)b[bi++] : (T)0; \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[bi]; \
	(void)f; \
	for (i = 0; i < na; i++) \
		ax[i] = A ? onnxcc_index_at(A, i, p[3]) : i; \
	if (onnxcc_pad_amounts((const int64_t *)b[1], ax, na, r, pb, pe, &bad) || \
	    onnxcc_pad_dims(in, r, pb, pe, mode, got, &bad) || !onnxcc_same_dims(got, r, want, r)) { \
		*(int *)b[bi + 1] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	for (d = r - 1; d >= 0; d--) { \
		lo[d] = pb[d] < 0 ? -pb[d] : 0; \
		kept[d] = in[d] - lo[d] - (pe[d] < 0 ? -pe[d] : 0); \
		before[d] = pb[d] > 0 ? pb[d] : 0; \
		xst[d] = s; \
		s *= in[d]; \
		outer *= want[d]; \
	} \
	n = want[r - 1]; \
	if (outer == 0) \
		return; \
	outer /= n; \
	for (o = 0; o < outer; o++, Y += n) { \
		int64_t base = 0, inside = 1; \
		for (d = 0; d < r - 1; d++) { \
			j = idx[d] - before[d]; \
			if (j < 0 || j >= kept[d]) { \
				if (mode == ONNXCC_PAD_CONSTANT) \
					inside = 0; \
				else \
					j = onnxcc_pad_source(mode, j, kept[d]); \
			} \
			base += (lo[d] + j) * xst[d]; \
		} \
		for (d = r - 2; d >= 0 && ++idx[d] == want[d]; d--) \
			idx[d] = 0; \
		d = r - 1; \
		for (i = 0; i < n; i++) { \
			j = i - before[d]; \
			if (!inside || (mode == ONNXCC_PAD_CONSTANT && (j < 0 || j >= kept[d]))) \
				Y[i] = v; \
			else \
				Y[i] = X[base + lo[d] + onnxcc_pad_source(mode, j, kept[d])]; \
		} \
	} \
}

/* Range's length check, for integer types (exact)... */
#define ONNXCC_RANGE_CHECK_INT(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t len; \
	(void)f; \
	if (onnxcc_range_len_i((int64_t)*(const T *)b[0], (int64_t)*(const T *)b[1], \
			       (int64_t)*(const T *)b[2], &len) || len != p[0]) \
		*(int *)b[3] = ONNXCC_ERR_SHAPE; \
}

/* ...and for floating types, TO_F converting an element to float or double. */
#define ONNXCC_RANGE_CHECK_FLT(NAME, T, TO_F) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t len; \
	(void)f; \
	if (onnxcc_range_len_f((double)TO_F(*(const T *)b[0]), (double)TO_F(*(const T *)b[1]), \
			       (double)TO_F(*(const T *)b[2]), &len) || len != p[0]) \
		*(int *)b[3] = ONNXCC_ERR_SHAPE; \
}

#endif
