/* reduce.h: reductions over a set of axes (ReduceSum, ...) and ArgMax/ArgMin.
 *
 * reduce:      b = {X, Y}, p = {nk, kdims[nk], kstrides[nk], nr, rdims[nr], rstrides[nr]}
 *   The plan of onnxcc_reduce_plan: Y is contiguous over the kept dimensions
 *   kdims (in input order); each Y element reduces the X elements of the
 *   index space rdims.  Strides are in elements of X.  nk may be 0 (one
 *   output); nr >= 1 ({1} {0} when nothing is reduced, so each output sees
 *   one element: noop_with_empty_axes of ReduceL2 etc. comes out right).  A
 *   reduced dimension of size 0 gives the reduction's value on the empty set.
 *   The innermost reduced dimension is a plain loop; the others advance with
 *   onnxcc_next_index.  Reducing a non-innermost axis reads X strided (one
 *   output at a time); fine for now, a row-accumulating variant would be faster.
 * reduce_axes: b = {X, A (int64 axes), Y, status},
 *              p = {naxes, keepdims, noop, rank, dims[rank], out_rank, out_dims[out_rank]}
 *   The same with axes known only at run time: the kernel makes the plan
 *   itself and sets *status to ONNXCC_ERR_SHAPE if the axes are invalid or
 *   give another output shape than out_dims, the one compiled for.
 * arg:         b = {X, Y (int64)}, p = {outer, n, inner, select_last}
 *   X viewed as (outer, n, inner) reduced over n, n >= 1.
 *
 * The shape rules (onnxcc_reduce_axes, _dims, _plan) are written once here;
 * compiler/ops/reduce.c calls them at compile time.
 *
 * A reduction OP is four macros:
 *   ONNXCC_RED_INIT_<OP>(LO, HI)   initial accumulator (LO/HI: the range of element
 *                                  type R, from ONNXCC_RED_LO_<R>; +-inf for floats)
 *   ONNXCC_RED_SHIFT_<OP>          1 if STEP needs m, the finite max of the inputs (else 0)
 *   ONNXCC_RED_STEP_<OP>(a, x, m)  new accumulator after element x (both ACC)
 *   ONNXCC_RED_FINAL_<OP>(a, n, m, T)  the output from the accumulator over n elements
 * ACC is double for floats, int64_t/uint64_t for integers; integer sums and
 * products wrap (computed in uint64_t) as numpy's do. */
#ifndef ONNXCC_REDUCE_H
#define ONNXCC_REDUCE_H

/* NaN test for any element type (an integer converts to a non-NaN double). */
ONNXCC_HELPER int onnxcc_red_isnan(double v)
{
	return v != v;
}

/* red[d] = 1 for each reduced dimension.  No axes reduce all dimensions,
 * or none with noop (noop_with_empty_axes).  Returns 0, or 1 for an axis
 * out of range or repeated. */
ONNXCC_HELPER int onnxcc_reduce_axes(const int64_t *axes, int64_t naxes, int64_t noop,
				     int64_t rank, char *red)
{
	int64_t i;

	for (i = 0; i < rank; i++)
		red[i] = (char)(naxes == 0 && !noop);
	for (i = 0; i < naxes; i++) {
		int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
		if (a < 0 || a >= rank || red[a])
			return 1;
		red[a] = 1;
	}
	return 0;
}

/* The output dimensions (reduced ones kept as 1 with keepdims); returns the rank. */
ONNXCC_HELPER int64_t onnxcc_reduce_dims(const int64_t *dims, int64_t rank, const char *red,
					 int64_t keepdims, int64_t *out)
{
	int64_t d, r = 0;

	for (d = 0; d < rank; d++)
		if (!red[d])
			out[r++] = dims[d];
		else if (keepdims)
			out[r++] = 1;
	return r;
}

/* Append (size, stride) to a dimension list, merged into the previous entry
 * when the two are contiguous. */
ONNXCC_HELPER void onnxcc_reduce_push(int64_t *dims, int64_t *st, int64_t *r, int64_t size,
				      int64_t stride)
{
	if (*r > 0 && st[*r - 1] == size * stride) {
		dims[*r - 1] *= size;
		st[*r - 1] = stride;
		return;
	}
	dims[*r] = size;
	st[*r] = stride;
	(*r)++;
}

/* The reduce kernel's plan: kept and reduced dimension lists with element
 * strides of the contiguous input, size-1 dimensions dropped, contiguous
 * runs merged, and at least one reduced dimension. */
ONNXCC_HELPER void onnxcc_reduce_plan(const int64_t *dims, int64_t rank, const char *red,
				      int64_t *kd, int64_t *ks, int64_t *nk,
				      int64_t *rd, int64_t *rs, int64_t *nr)
{
	int64_t st[ONNXCC_MAX_RANK], d;

	for (d = rank - 1; d >= 0; d--)
		st[d] = d == rank - 1 ? 1 : st[d + 1] * dims[d + 1];
	*nk = *nr = 0;
	for (d = 0; d < rank; d++) {
		if (dims[d] == 1)
			continue;
		if (red[d])
			onnxcc_reduce_push(rd, rs, nr, dims[d], st[d]);
		else
			onnxcc_reduce_push(kd, ks, nk, dims[d], st[d]);
	}
	if (*nr == 0) {
		rd[0] = 1;
		rs[0] = 0;
		*nr = 1;
	}
}

/* Run STMT with v (an ACC) bound to each X element of the reduced index space at base. */
#define ONNXCC_RED_EACH(T, ACC, base, v, STMT) \
	do { \
		const T *xr_ = (base); \
		int64_t ri_[ONNXCC_MAX_RANK] = {0}, r_, i_; \
		for (r_ = 0; r_ < nrow; r_++) { \
			for (i_ = 0; i_ < rn; i_++) { \
				ACC v = (ACC)xr_[i_ * rst]; \
				STMT; \
			} \
			xr_ += onnxcc_next_index(nr - 1, rd, rs, ri_); \
		} \
	} while (0)

/* The reduction of X into Y by the plan in the variables nk, kd, ks, nr, rd, rs. */
#define ONNXCC_RED_RUN(T, ACC, R, OP, X, Y) \
	do { \
		const int64_t rn = rd[nr - 1], rst = rs[nr - 1]; \
		int64_t ki[ONNXCC_MAX_RANK] = {0}, nout = 1, nrow = 1, cnt, o, d, off = 0; \
		for (d = 0; d < nk; d++) \
			nout *= kd[d]; \
		for (d = 0; d < nr - 1; d++) \
			nrow *= rd[d]; \
		cnt = nrow * rn; \
		(void)cnt; \
		for (o = 0; o < nout; o++) { \
			ACC a = ONNXCC_RED_INIT_##OP(ONNXCC_RED_LO_##R, ONNXCC_RED_HI_##R), m = 0; \
			if (ONNXCC_RED_SHIFT_##OP) { \
				ACC mx = ONNXCC_RED_LO_##R; \
				ONNXCC_RED_EACH(T, ACC, (X) + off, v, mx = v > mx ? v : mx); \
				m = mx > ONNXCC_RED_LO_##R && mx < ONNXCC_RED_HI_##R ? mx : 0; \
			} \
			ONNXCC_RED_EACH(T, ACC, (X) + off, v, a = ONNXCC_RED_STEP_##OP(a, v, m)); \
			(Y)[o] = (T)(ONNXCC_RED_FINAL_##OP(a, cnt, m, T)); \
			(void)m; \
			off += onnxcc_next_index(nk, kd, ks, ki); \
		} \
	} while (0)

#define ONNXCC_REDUCE(NAME, T, ACC, R, OP) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t nk = p[0], *kd = p + 1, *ks = p + 1 + nk; \
	const int64_t nr = p[1 + 2 * nk], *rd = p + 2 + 2 * nk, *rs = rd + nr; \
	(void)f; \
	ONNXCC_RED_RUN(T, ACC, R, OP, (const T *)b[0], (T *)b[1]); \
}

#define ONNXCC_REDUCE_AXES(NAME, T, ACC, R, OP) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t rank = p[3], *dims = p + 4, wr = p[4 + rank], *want = p + 5 + rank; \
	int64_t kd[ONNXCC_MAX_RANK], ks[ONNXCC_MAX_RANK], rd[ONNXCC_MAX_RANK], rs[ONNXCC_MAX_RANK]; \
	int64_t got[ONNXCC_MAX_RANK], nk, nr, i; \
	char red[ONNXCC_MAX_RANK]; \
	(void)f; \
	if (onnxcc_reduce_axes((const int64_t *)b[1], p[0], p[2], rank, red) || \
	    onnxcc_reduce_dims(dims, rank, red, p[1], got) != wr) { \
		*(int *)b[3] = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	for (i = 0; i < wr; i++) \
		if (got[i] != want[i]) { \
			*(int *)b[3] = ONNXCC_ERR_SHAPE; \
			return; \
		} \
	onnxcc_reduce_plan(dims, rank, red, kd, ks, &nk, rd, rs, &nr); \
	ONNXCC_RED_RUN(T, ACC, R, OP, (const T *)b[0], (T *)b[2]); \
}

/* The range of each element type R: the values of max and min over the empty set. */
#define ONNXCC_RED_LO_f32 (-INFINITY)
#define ONNXCC_RED_HI_f32 INFINITY
#define ONNXCC_RED_LO_f64 (-INFINITY)
#define ONNXCC_RED_HI_f64 INFINITY
#define ONNXCC_RED_LO_i8 INT8_MIN
#define ONNXCC_RED_HI_i8 INT8_MAX
#define ONNXCC_RED_LO_i16 INT16_MIN
#define ONNXCC_RED_HI_i16 INT16_MAX
#define ONNXCC_RED_LO_i32 INT32_MIN
#define ONNXCC_RED_HI_i32 INT32_MAX
#define ONNXCC_RED_LO_i64 INT64_MIN
#define ONNXCC_RED_HI_i64 INT64_MAX
#define ONNXCC_RED_LO_u8 0
#define ONNXCC_RED_HI_u8 UINT8_MAX
#define ONNXCC_RED_LO_u16 0
#define ONNXCC_RED_HI_u16 UINT16_MAX
#define ONNXCC_RED_LO_u32 0
#define ONNXCC_RED_HI_u32 UINT32_MAX
#define ONNXCC_RED_LO_u64 0
#define ONNXCC_RED_HI_u64 UINT64_MAX
#define ONNXCC_RED_LO_b8 0
#define ONNXCC_RED_HI_b8 1

/* Reductions ---------------------------------------------------------------- */

#define ONNXCC_RED_INIT_fsum(LO, HI) 0
#define ONNXCC_RED_SHIFT_fsum 0
#define ONNXCC_RED_STEP_fsum(a, x, m) ((a) + (x))
#define ONNXCC_RED_FINAL_fsum(a, n, m, T) (a)

#define ONNXCC_RED_INIT_isum(LO, HI) 0
#define ONNXCC_RED_SHIFT_isum 0
#define ONNXCC_RED_STEP_isum(a, x, m) ((uint64_t)(a) + (uint64_t)(x))
#define ONNXCC_RED_FINAL_isum(a, n, m, T) (a)

/* Mean of the empty set: NaN for floats (0/0), 0 for integers. */
#define ONNXCC_RED_INIT_fmean(LO, HI) 0
#define ONNXCC_RED_SHIFT_fmean 0
#define ONNXCC_RED_STEP_fmean(a, x, m) ((a) + (x))
#define ONNXCC_RED_FINAL_fmean(a, n, m, T) ((a) / (double)(n))

#define ONNXCC_RED_INIT_imean(LO, HI) 0
#define ONNXCC_RED_SHIFT_imean 0
#define ONNXCC_RED_STEP_imean(a, x, m) ((uint64_t)(a) + (uint64_t)(x))
#define ONNXCC_RED_FINAL_imean(a, n, m, T) ((n) != 0 ? (a) / (n) : 0)

/* Max and min propagate NaN, as numpy's maximum.reduce does. */
#define ONNXCC_RED_INIT_max(LO, HI) (LO)
#define ONNXCC_RED_SHIFT_max 0
#define ONNXCC_RED_STEP_max(a, x, m) ((x) > (a) || onnxcc_red_isnan((double)(x)) ? (x) : (a))
#define ONNXCC_RED_FINAL_max(a, n, m, T) (a)

#define ONNXCC_RED_INIT_min(LO, HI) (HI)
#define ONNXCC_RED_SHIFT_min 0
#define ONNXCC_RED_STEP_min(a, x, m) ((x) < (a) || onnxcc_red_isnan((double)(x)) ? (x) : (a))
#define ONNXCC_RED_FINAL_min(a, n, m, T) (a)

#define ONNXCC_RED_INIT_fprod(LO, HI) 1
#define ONNXCC_RED_SHIFT_fprod 0
#define ONNXCC_RED_STEP_fprod(a, x, m) ((a) * (x))
#define ONNXCC_RED_FINAL_fprod(a, n, m, T) (a)

#define ONNXCC_RED_INIT_iprod(LO, HI) 1
#define ONNXCC_RED_SHIFT_iprod 0
#define ONNXCC_RED_STEP_iprod(a, x, m) ((uint64_t)(a) * (uint64_t)(x))
#define ONNXCC_RED_FINAL_iprod(a, n, m, T) (a)

#define ONNXCC_RED_INIT_fl1(LO, HI) 0
#define ONNXCC_RED_SHIFT_fl1 0
#define ONNXCC_RED_STEP_fl1(a, x, m) ((a) + fabs(x))
#define ONNXCC_RED_FINAL_fl1(a, n, m, T) (a)

#define ONNXCC_RED_INIT_sl1(LO, HI) 0
#define ONNXCC_RED_SHIFT_sl1 0
#define ONNXCC_RED_STEP_sl1(a, x, m) \
	((uint64_t)(a) + ((x) < 0 ? 0 - (uint64_t)(x) : (uint64_t)(x)))
#define ONNXCC_RED_FINAL_sl1(a, n, m, T) (a)

#define ONNXCC_RED_INIT_fsumsquare(LO, HI) 0
#define ONNXCC_RED_SHIFT_fsumsquare 0
#define ONNXCC_RED_STEP_fsumsquare(a, x, m) ((a) + (x) * (x))
#define ONNXCC_RED_FINAL_fsumsquare(a, n, m, T) (a)

#define ONNXCC_RED_INIT_isumsquare(LO, HI) 0
#define ONNXCC_RED_SHIFT_isumsquare 0
#define ONNXCC_RED_STEP_isumsquare(a, x, m) ((uint64_t)(a) + (uint64_t)(x) * (uint64_t)(x))
#define ONNXCC_RED_FINAL_isumsquare(a, n, m, T) (a)

#define ONNXCC_RED_INIT_fl2(LO, HI) 0
#define ONNXCC_RED_SHIFT_fl2 0
#define ONNXCC_RED_STEP_fl2(a, x, m) ((a) + (x) * (x))
#define ONNXCC_RED_FINAL_fl2(a, n, m, T) sqrt(a)

/* Integer L2: the square root of the (wrapped) sum of squares, truncated. */
#define ONNXCC_RED_INIT_il2(LO, HI) 0
#define ONNXCC_RED_SHIFT_il2 0
#define ONNXCC_RED_STEP_il2(a, x, m) ((uint64_t)(a) + (uint64_t)(x) * (uint64_t)(x))
#define ONNXCC_RED_FINAL_il2(a, n, m, T) sqrt((double)(a))

#define ONNXCC_RED_INIT_flogsum(LO, HI) 0
#define ONNXCC_RED_SHIFT_flogsum 0
#define ONNXCC_RED_STEP_flogsum(a, x, m) ((a) + (x))
#define ONNXCC_RED_FINAL_flogsum(a, n, m, T) log(a)

/* log(sum(exp(x - m))) + m with m the finite max: no overflow for large x. */
#define ONNXCC_RED_INIT_flogsumexp(LO, HI) 0
#define ONNXCC_RED_SHIFT_flogsumexp 1
#define ONNXCC_RED_STEP_flogsumexp(a, x, m) ((a) + exp((x) - (m)))
#define ONNXCC_RED_FINAL_flogsumexp(a, n, m, T) (log(a) + (m))

/* ArgMax / ArgMin ------------------------------------------------------------ */
/* Whether v replaces the best so far bv: the first extreme (or first NaN), or
 * with select_last the last one, as numpy's argmax on the flipped axis. */
#define ONNXCC_ARG_BETTER(v, bv, CMP, last) \
	((last) ? (v) CMP (bv) || (v) == (bv) || onnxcc_red_isnan((double)(v)) \
		: (v) CMP (bv) || (onnxcc_red_isnan((double)(v)) && !onnxcc_red_isnan((double)(bv))))

#define ONNXCC_ARG(NAME, T, CMP) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	int64_t *Y = (int64_t *)b[1]; \
	const int64_t outer = p[0], n = p[1], inner = p[2], last = p[3]; \
	int64_t o, j, i; \
	(void)f; \
	for (o = 0; o < outer; o++) { \
		const T *x = X + o * n * inner; \
		int64_t *y = Y + o * inner; \
		for (i = 0; i < inner; i++) \
			y[i] = 0; \
		for (j = 1; j < n; j++) \
			for (i = 0; i < inner; i++) { \
				T v = x[j * inner + i], bv = x[y[i] * inner + i]; \
				if (ONNXCC_ARG_BETTER(v, bv, CMP, last)) \
					y[i] = j; \
			} \
	} \
}

#endif
