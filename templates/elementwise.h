/* elementwise.h: unary maps, and binary and ternary ops with numpy broadcasting.
 *
 * A scalar operation is one macro ONNXCC_OP_<name>(x, y, f): x (and y for
 * binary ops) are the operands, f the kernel's float parameters (alpha, ...).
 * templates/elementwise.def instantiates the loops below for each (op, type).
 *
 * unary:   b = {X, Y}, p = {n}
 * binary:  b = {A, B, Y}, p = {r, dims[r], stride_a[r], stride_b[r]}
 * where:   b = {C, A, B, Y}, p = {r, dims[r], stride_c[r], stride_a[r], stride_b[r]}
 * clip:    b = {X, Y, [lo], [hi]}, p = {n, lo_from, hi_from}, f = {lo, hi} (see ONNXCC_CLIP)
 * ewchain: b = {X, Y, operands...}: see ONNXCC_EWCHAIN
 * Strides are in elements, 0 along broadcast dimensions; Y is contiguous with
 * shape dims.  The compiler merges dimensions first, so r is small. */
#ifndef ONNXCC_ELEMENTWISE_H
#define ONNXCC_ELEMENTWISE_H

/* Threads (onnxcc --threads): big unary and binary kernels run as
 * onnxcc_parallel tasks, ctx = {b, p, f}; a unary task takes a share of the
 * elements, a binary one a share of the outer rows, or of every row's
 * elements when there are fewer rows than threads. */
#define ONNXCC_EW_PAR_MIN 32768 /* elements of the smallest threaded kernel */
#define ONNXCC_EW_CALL(NAME, n) \
	{ \
		const void *ctx_[3]; \
		ctx_[0] = (const void *)b; \
		ctx_[1] = (const void *)p; \
		ctx_[2] = (const void *)f; \
		if (ONNXCC_NTHREADS > 1 && (n) >= ONNXCC_EW_PAR_MIN) \
			onnxcc_parallel(NAME##_task, (void *)ctx_); \
		else \
			NAME##_task((void *)ctx_, 0, 1); \
	}
#define ONNXCC_EW_TASK_ARGS \
	void *const *b = (void *const *)((const void *const *)ctx)[0]; \
	const int64_t *p = (const int64_t *)((const void *const *)ctx)[1]; \
	const double *f = (const double *)((const void *const *)ctx)[2];

#define ONNXCC_UNARY(NAME, TX, TY, OP) \
static void NAME##_task(void *ctx, int64_t t, int64_t nt) \
{ \
	ONNXCC_EW_TASK_ARGS \
	const TX *X = (const TX *)b[0]; \
	TY *Y = (TY *)b[1]; \
	int64_t i, lo, hi; \
	(void)f; \
	onnxcc_share(p[0], 16, t, nt, &lo, &hi); \
	for (i = lo; i < hi; i++) { \
		TX x = X[i]; \
		Y[i] = (TY)(ONNXCC_OP_##OP(x, 0, f)); \
	} \
} \
ONNXCC_KERNEL(NAME) \
ONNXCC_EW_CALL(NAME, p[0])

/* Offset of outer position o (over dims[0..r-1), last dim excluded) with strides st. */
ONNXCC_HELPER int64_t onnxcc_outer_offset(int64_t o, int64_t r, const int64_t *dims,
					  const int64_t *st)
{
	int64_t d, off = 0;

	for (d = r - 2; d >= 0; d--) {
		off += (o % dims[d]) * st[d];
		o /= dims[d];
	}
	return off;
}

/* Elements of the output shape dims[0..r). */
ONNXCC_HELPER int64_t onnxcc_ew_numel(int64_t r, const int64_t *dims)
{
	int64_t d, n = 1;

	for (d = 0; d < r; d++)
		n *= dims[d];
	return n;
}

#define ONNXCC_BINARY(NAME, TX, TY, OP) \
static void NAME##_task(void *ctx, int64_t t, int64_t nt) \
{ \
	ONNXCC_EW_TASK_ARGS \
	const TX *A = (const TX *)b[0], *B = (const TX *)b[1]; \
	TY *Y = (TY *)b[2]; \
	int64_t r = p[0], d, o, i, outer = 1, olo, ohi, ilo, ihi; \
	const int64_t *dims = p + 1, *sa = p + 1 + r, *sb = p + 1 + 2 * r; \
	int64_t inner = dims[r - 1], ia = sa[r - 1], ib = sb[r - 1]; \
	(void)f; \
	for (d = 0; d < r - 1; d++) \
		outer *= dims[d]; \
	olo = 0, ohi = outer, ilo = 0, ihi = inner; \
	if (outer >= nt) \
		onnxcc_share(outer, 1, t, nt, &olo, &ohi); \
	else \
		onnxcc_share(inner, 16, t, nt, &ilo, &ihi); \
	for (o = olo; o < ohi; o++) { \
		const TX *a0 = A + onnxcc_outer_offset(o, r, dims, sa); \
		const TX *b0 = B + onnxcc_outer_offset(o, r, dims, sb); \
		TY *y0 = Y + o * inner; \
		/* the common strides literal, so that these loops vectorize */ \
		if (ia == 1 && ib == 1) \
			for (i = ilo; i < ihi; i++) \
				y0[i] = (TY)(ONNXCC_OP_##OP(a0[i], b0[i], f)); \
		else if (ia == 1 && ib == 0) \
			for (i = ilo; i < ihi; i++) \
				y0[i] = (TY)(ONNXCC_OP_##OP(a0[i], b0[0], f)); \
		else if (ia == 0 && ib == 1) \
			for (i = ilo; i < ihi; i++) \
				y0[i] = (TY)(ONNXCC_OP_##OP(a0[0], b0[i], f)); \
		else \
			for (i = ilo; i < ihi; i++) { \
				TX x = a0[i * ia], y = b0[i * ib]; \
				y0[i] = (TY)(ONNXCC_OP_##OP(x, y, f)); \
			} \
	} \
} \
ONNXCC_KERNEL(NAME) \
ONNXCC_EW_CALL(NAME, onnxcc_ew_numel(p[0], p + 1))

/* Width-only kernels (Where) move elements of any type as same-size
 * integers.  The arena holds values of every type and a model's kernels are
 * inlined into one function, so without may_alias gcc's type-based alias
 * analysis may reorder a float kernel's loads before the uint32_t stores
 * that produced them. */
#if defined(__GNUC__) || defined(__clang__)
typedef uint16_t __attribute__((may_alias)) onnxcc_x16;
typedef uint32_t __attribute__((may_alias)) onnxcc_x32;
typedef uint64_t __attribute__((may_alias)) onnxcc_x64;
#else
typedef uint16_t onnxcc_x16;
typedef uint32_t onnxcc_x32;
typedef uint64_t onnxcc_x64;
#endif

/* Where: select by a bool condition; T is any type of the right size. */
#define ONNXCC_WHERE(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const uint8_t *C = (const uint8_t *)b[0]; \
	const T *A = (const T *)b[1], *B = (const T *)b[2]; \
	T *Y = (T *)b[3]; \
	int64_t r = p[0], d, o, i, outer = 1; \
	const int64_t *dims = p + 1, *sc = p + 1 + r, *sa = p + 1 + 2 * r, *sb = p + 1 + 3 * r; \
	int64_t inner = dims[r - 1]; \
	(void)f; \
	for (d = 0; d < r - 1; d++) \
		outer *= dims[d]; \
	for (o = 0; o < outer; o++) { \
		const uint8_t *c0 = C + onnxcc_outer_offset(o, r, dims, sc); \
		const T *a0 = A + onnxcc_outer_offset(o, r, dims, sa); \
		const T *b0 = B + onnxcc_outer_offset(o, r, dims, sb); \
		for (i = 0; i < inner; i++) \
			Y[o * inner + i] = c0[i * sc[r - 1]] ? a0[i * sa[r - 1]] : b0[i * sb[r - 1]]; \
	} \
}

/* Clip: each bound comes from p[1] (lower) and p[2] (upper): 0 = none,
 * 1 = the next buffer after Y (one element), 2 = f[0] (lower) or f[1] (upper).
 * The upper bound wins when lo > hi, like numpy.clip; NaN passes through. */
#define ONNXCC_CLIP(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t i, n = p[0], nb = 2; \
	T lo = p[1] == 1 ? *(const T *)b[nb++] : p[1] == 2 ? (T)f[0] : 0; \
	T hi = p[2] == 1 ? *(const T *)b[nb++] : p[2] == 2 ? (T)f[1] : 0; \
	for (i = 0; i < n; i++) { \
		T x = X[i]; \
		if (p[1] && x < lo) \
			x = lo; \
		if (p[2] && x > hi) \
			x = hi; \
		Y[i] = x; \
	} \
}

/* Scalar operations --------------------------------------------------------- */
/* Floats go through <tgmath.h>, so float stays float.  Signed integer
 * arithmetic wraps, as ONNX Runtime's does, by computing in uint64_t; the
 * kernel's final cast back to the element type keeps the low bits.  Ops
 * prefixed i are for signed and u for unsigned integers: a comparison of an
 * unsigned value with 0 or -1 would trip -Wtype-limits in generated code. */
#define ONNXCC_WRAP(T, e) ((T)(uint64_t)(e))

/* Integer-valued double to int64_t, saturating, NaN to 0: no undefined
 * conversion whatever the value. */
ONNXCC_HELPER int64_t onnxcc_sat_i64(double x)
{
	if (x != x)
		return 0;
	if (x >= 9223372036854775808.0)
		return INT64_MAX;
	if (x < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)x;
}

/* Base to the power of a non-negative exponent, wrapping modulo 2^64. */
ONNXCC_HELPER uint64_t onnxcc_ipow(uint64_t base, uint64_t e)
{
	uint64_t r = 1;

	while (e) {
		if (e & 1)
			r *= base;
		base *= base;
		e >>= 1;
	}
	return r;
}

/* Round half to even, independent of the floating-point environment. */
#define ONNXCC_OP_round(x, y, f) \
	(fabs((x) - trunc(x)) == 0.5 ? 2 * round((x) * 0.5) : round(x))

/* Unary, float and integer */
#define ONNXCC_OP_copy(x, y, f) (x)
#define ONNXCC_OP_neg(x, y, f) (-(x))
#define ONNXCC_OP_ineg(x, y, f) (0 - (uint64_t)(x))
#define ONNXCC_OP_abs(x, y, f) fabs(x)
#define ONNXCC_OP_iabs(x, y, f) ((x) < 0 ? 0 - (uint64_t)(x) : (uint64_t)(x))
#define ONNXCC_OP_relu(x, y, f) ((x) > 0 ? (x) : 0)
#define ONNXCC_OP_sign(x, y, f) ((x) > 0 ? 1 : (x) < 0 ? -1 : (x))
#define ONNXCC_OP_isign(x, y, f) (((x) > 0) - ((x) < 0))
#define ONNXCC_OP_usign(x, y, f) ((x) > 0)
#define ONNXCC_OP_not(x, y, f) (!(x))
#define ONNXCC_OP_bitnot(x, y, f) (~(uint64_t)(x))
/* Erf of an integer is -1, 0 or 1 after truncation. */
#define ONNXCC_OP_ierf(x, y, f) ((int)erf((double)(x)))

/* Unary, float only */
#define ONNXCC_OP_exp(x, y, f) exp(x)
#define ONNXCC_OP_log(x, y, f) log(x)
#define ONNXCC_OP_sqrt(x, y, f) sqrt(x)
#define ONNXCC_OP_reciprocal(x, y, f) (1 / (x))
#define ONNXCC_OP_erf(x, y, f) erf(x)
#define ONNXCC_OP_tanh(x, y, f) tanh(x)
#define ONNXCC_OP_sigmoid(x, y, f) ONNXCC_SIGMOID(x)
#define ONNXCC_OP_ceil(x, y, f) ceil(x)
#define ONNXCC_OP_floor(x, y, f) floor(x)
#define ONNXCC_OP_sin(x, y, f) sin(x)
#define ONNXCC_OP_cos(x, y, f) cos(x)
#define ONNXCC_OP_tan(x, y, f) tan(x)
#define ONNXCC_OP_asin(x, y, f) asin(x)
#define ONNXCC_OP_acos(x, y, f) acos(x)
#define ONNXCC_OP_atan(x, y, f) atan(x)
#define ONNXCC_OP_sinh(x, y, f) sinh(x)
#define ONNXCC_OP_cosh(x, y, f) cosh(x)
#define ONNXCC_OP_asinh(x, y, f) asinh(x)
#define ONNXCC_OP_acosh(x, y, f) acosh(x)
#define ONNXCC_OP_atanh(x, y, f) atanh(x)
#define ONNXCC_OP_isnan(x, y, f) (isnan(x) != 0)
/* f = {detect_positive, detect_negative} */
#define ONNXCC_OP_isinf(x, y, f) (isinf(x) && ((x) > 0 ? f[0] != 0 : f[1] != 0))
/* log(1 + e^x) without overflow for large x */
#define ONNXCC_OP_softplus(x, y, f) ((x) > 0 ? (x) + log1p(exp(-(x))) : log1p(exp(x)))
#define ONNXCC_OP_softsign(x, y, f) ((x) / (1 + fabs(x)))
/* f = {alpha} */
#define ONNXCC_OP_leakyrelu(x, y, f) ((x) >= 0 ? (x) : (x) * f[0])
#define ONNXCC_OP_elu(x, y, f) ((x) >= 0 ? (x) : f[0] * expm1(x))
#define ONNXCC_OP_celu(x, y, f) ((x) >= 0 ? (x) : f[0] * expm1((x) / f[0]))
#define ONNXCC_OP_thresholdedrelu(x, y, f) ((x) > f[0] ? (x) : 0)
/* f = {alpha, gamma} */
#define ONNXCC_OP_selu(x, y, f) ((x) > 0 ? f[1] * (x) : f[1] * f[0] * expm1(x))
/* f = {alpha, beta} */
#define ONNXCC_OP_hardsigmoid(x, y, f) fmax(0, fmin(1, f[0] * (x) + f[1]))
#define ONNXCC_OP_hardswish(x, y, f) ((x) * fmax(0, fmin(1, (x) / 6 + 0.5)))
#define ONNXCC_OP_mish(x, y, f) ((x) * tanh(ONNXCC_OP_softplus(x, y, f)))
/* f = {1 for the tanh approximation, 0 for the exact form} */
#define ONNXCC_OP_gelu(x, y, f) (f[0] != 0 \
	? 0.5 * (x) * (1 + tanh(0.7978845608028654 * ((x) + 0.044715 * (x) * (x) * (x)))) \
	: 0.5 * (x) * (1 + erf((x) * 0.7071067811865476)))
/* f = {bias, lambd}; integers go through double and saturate. */
#define ONNXCC_OP_shrink(x, y, f) \
	((x) < -f[1] ? (x) + f[0] : (x) > f[1] ? (x) - f[0] : 0)
#define ONNXCC_OP_ishrink(x, y, f) onnxcc_sat_i64(ONNXCC_OP_shrink((double)(x), y, f))
#define ONNXCC_OP_scale(x, y, f) ((x) * f[0])

/* Binary arithmetic */
#define ONNXCC_OP_add(x, y, f) ((x) + (y))
#define ONNXCC_OP_iadd(x, y, f) ((uint64_t)(x) + (uint64_t)(y))
#define ONNXCC_OP_sub(x, y, f) ((x) - (y))
#define ONNXCC_OP_isub(x, y, f) ((uint64_t)(x) - (uint64_t)(y))
#define ONNXCC_OP_mul(x, y, f) ((x) * (y))
#define ONNXCC_OP_imul(x, y, f) ((uint64_t)(x) * (uint64_t)(y))
#define ONNXCC_OP_div(x, y, f) ((x) / (y))
/* Integer division truncates; x / 0 is 0 and MIN / -1 wraps to MIN. */
#define ONNXCC_OP_idiv(x, y, f) \
	((y) == 0 ? 0 : (y) == -1 ? 0 - (uint64_t)(x) : (uint64_t)((x) / (y)))
#define ONNXCC_OP_udiv(x, y, f) ((y) == 0 ? 0 : (x) / (y))
/* Mod: fmod takes the sign of the dividend, mod (Python's %) that of the divisor. */
#define ONNXCC_OP_fmod(x, y, f) fmod(x, y)
#define ONNXCC_OP_mod(x, y, f) \
	(fmod(x, y) != 0 && (fmod(x, y) < 0) != ((y) < 0) ? fmod(x, y) + (y) : fmod(x, y))
#define ONNXCC_OP_ifmod(x, y, f) ((y) == 0 || (y) == -1 ? 0 : (x) % (y))
#define ONNXCC_OP_imod(x, y, f) \
	(ONNXCC_OP_ifmod(x, y, f) != 0 && (ONNXCC_OP_ifmod(x, y, f) < 0) != ((y) < 0) \
		? ONNXCC_OP_ifmod(x, y, f) + (y) : ONNXCC_OP_ifmod(x, y, f))
#define ONNXCC_OP_umod(x, y, f) ((y) == 0 ? 0 : (x) % (y))
#define ONNXCC_OP_pow(x, y, f) pow(x, y)
/* Integer powers are exact (wrapping); a negative exponent truncates 1 / x^-y. */
#define ONNXCC_OP_ipow(x, y, f) ((y) >= 0 ? onnxcc_ipow((uint64_t)(x), (uint64_t)(y)) \
	: (x) == 1 ? 1 : (x) == -1 ? ((y) & 1 ? (uint64_t)0 - 1 : 1) : 0)
#define ONNXCC_OP_upow(x, y, f) onnxcc_ipow((uint64_t)(x), (uint64_t)(y))
/* PRelu: y is the slope. */
#define ONNXCC_OP_prelu(x, y, f) ((x) < 0 ? (x) * (y) : (x))
#define ONNXCC_OP_iprelu(x, y, f) ((x) < 0 ? (uint64_t)(x) * (uint64_t)(y) : (uint64_t)(x))
#define ONNXCC_OP_uprelu(x, y, f) ((void)(y), (x))
/* Max and Min propagate NaN, like numpy.maximum. */
#define ONNXCC_OP_max(x, y, f) ((x) > (y) || isnan(x) ? (x) : (y))
#define ONNXCC_OP_min(x, y, f) ((x) < (y) || isnan(x) ? (x) : (y))
#define ONNXCC_OP_imax(x, y, f) ((x) > (y) ? (x) : (y))
#define ONNXCC_OP_imin(x, y, f) ((x) < (y) ? (x) : (y))

/* Bits: shifts by the width or more give 0. */
#define ONNXCC_OP_shl(x, y, f) ((uint64_t)(y) >= 8 * sizeof(x) ? 0 : (uint64_t)(x) << (y))
#define ONNXCC_OP_shr(x, y, f) ((uint64_t)(y) >= 8 * sizeof(x) ? 0 : (uint64_t)(x) >> (y))
#define ONNXCC_OP_bitand(x, y, f) ((uint64_t)(x) & (uint64_t)(y))
#define ONNXCC_OP_bitor(x, y, f) ((uint64_t)(x) | (uint64_t)(y))
#define ONNXCC_OP_bitxor(x, y, f) ((uint64_t)(x) ^ (uint64_t)(y))

/* Logic and comparison: bool (uint8_t 0 or 1) results. */
#define ONNXCC_OP_and(x, y, f) ((x) && (y))
#define ONNXCC_OP_or(x, y, f) ((x) || (y))
#define ONNXCC_OP_xor(x, y, f) (!(x) != !(y))
#define ONNXCC_OP_equal(x, y, f) ((x) == (y))
#define ONNXCC_OP_less(x, y, f) ((x) < (y))
#define ONNXCC_OP_greater(x, y, f) ((x) > (y))
#define ONNXCC_OP_lessorequal(x, y, f) ((x) <= (y))
#define ONNXCC_OP_greaterorequal(x, y, f) ((x) >= (y))

/* Chains of float elementwise ops in one loop (passes/fuse_ew.c): the input
 * goes to the output in blocks of ONNXCC_EWC_BLOCK elements, each step of a
 * small program applied to the whole block (the first reading X, the last
 * writing Y, the others between two local arrays), so an intermediate
 * tensor is never written.  With threads, each task takes whole blocks.
 *
 * ewchain: b = {X, Y, operands...}, p = {n, steps, then 5 per step: op,
 *          operand (index into b, 0: none), inner, count, flags},
 *          f = {2 per step: the step's parameters, f[] of its ONNXCC_OP_}
 * A step's operand at output element i is operand[(i / inner) % count]:
 * count = n for a full tensor, 1 for a scalar, or a vector along a run of
 * axes (per channel: [C, 1, 1] against N x C x H x W).  flags: 1 = the
 * operand is the left one (c - x); for clip 2 = a lower bound f[0],
 * 4 = an upper bound f[1].  The scalar operations and their types are the
 * unary and binary kernels', so a chain gives the unfused result exactly.
 * Step codes: ONNXCC_EWC_<op>; the compiler takes the lists below. */
#define ONNXCC_EWC_BLOCK 256
#define ONNXCC_EWC_UNARY_OPS(X) X(neg) X(abs) X(relu) X(sign) X(exp) X(log) X(sqrt) \
	X(reciprocal) X(erf) X(tanh) X(sigmoid) X(ceil) X(floor) X(round) X(sin) X(cos) \
	X(tan) X(asin) X(acos) X(atan) X(sinh) X(cosh) X(asinh) X(acosh) X(atanh) \
	X(softplus) X(softsign) X(leakyrelu) X(elu) X(celu) X(selu) X(thresholdedrelu) \
	X(hardsigmoid) X(hardswish) X(mish) X(gelu) X(shrink)
#define ONNXCC_EWC_BINARY_OPS(X) X(add) X(sub) X(mul) X(div) X(pow) X(max) X(min) X(prelu)
#define ONNXCC_EWC_ENUM(op) ONNXCC_EWC_##op,
enum { ONNXCC_EWC_clip, ONNXCC_EWC_UNARY_OPS(ONNXCC_EWC_ENUM)
       ONNXCC_EWC_BINARY_OPS(ONNXCC_EWC_ENUM) ONNXCC_EWC_COUNT };
#undef ONNXCC_EWC_ENUM

/* A step's operand at output elements [i0, i0 + len): NULL with the value
 * in *c0 when it is one value there (a scalar, or one run of a vector along
 * outer axes), c itself where it is contiguous for a whole block, else
 * gathered into t (whose elements from len on keep their values). */
ONNXCC_HELPER const float *onnxcc_ewc_operand(const float *c, int64_t inner, int64_t count,
					      int64_t i0, int64_t len, float *t, float *c0)
{
	int64_t r = i0 % inner, ci = i0 / inner % count, k = 0, m, j;

	if (count == 1 || inner - r >= len) {
		*c0 = c[ci];
		return 0;
	}
	if (inner == 1 && ci + ONNXCC_EWC_BLOCK <= count)
		return c + ci;
	while (k < len) {
		if (inner == 1) {	/* a wrapping run of c */
			m = count - ci < len - k ? count - ci : len - k;
			for (j = 0; j < m; j++)
				t[k + j] = c[ci + j];
			ci += m;
		} else {	/* a run of one value */
			float cv = c[ci];
			m = inner - r < len - k ? inner - r : len - k;
			for (j = 0; j < m; j++)
				t[k + j] = cv;
			r += m;
			if (r == inner) {
				r = 0;
				ci++;
			}
		}
		if (ci == count)
			ci = 0;
		k += m;
	}
	return t;
}

/* One step over a block: y = op(x) or op(x, o) (op(o, x) when flagged; o
 * NULL: the operand is c0 throughout).  The loops run over the whole block
 * (a constant count, which gcc's -O2 vectorizes). */
ONNXCC_HELPER void onnxcc_ewc_step(float *restrict y, const float *restrict x,
				   const float *restrict o, float c0, const int64_t *s,
				   const double *f)
{
	int k;

	switch (s[0]) {
#define ONNXCC_EWC_UNARY_CASE(op) \
	case ONNXCC_EWC_##op: \
		for (k = 0; k < ONNXCC_EWC_BLOCK; k++) { \
			float a = x[k]; \
			y[k] = (float)(ONNXCC_OP_##op(a, 0, f)); \
		} \
		break;
#define ONNXCC_EWC_LOOP(op, A, B) \
	for (k = 0; k < ONNXCC_EWC_BLOCK; k++) { \
		float a = A, b = B; \
		y[k] = (float)(ONNXCC_OP_##op(a, b, f)); \
	}
#define ONNXCC_EWC_BINARY_CASE(op) \
	case ONNXCC_EWC_##op: \
		if (!o && (s[4] & 1)) \
			ONNXCC_EWC_LOOP(op, c0, x[k]) \
		else if (!o) \
			ONNXCC_EWC_LOOP(op, x[k], c0) \
		else if (s[4] & 1) \
			ONNXCC_EWC_LOOP(op, o[k], x[k]) \
		else \
			ONNXCC_EWC_LOOP(op, x[k], o[k]) \
		break;
	ONNXCC_EWC_UNARY_OPS(ONNXCC_EWC_UNARY_CASE)
	ONNXCC_EWC_BINARY_OPS(ONNXCC_EWC_BINARY_CASE)
#undef ONNXCC_EWC_UNARY_CASE
#undef ONNXCC_EWC_BINARY_CASE
#undef ONNXCC_EWC_LOOP
	case ONNXCC_EWC_clip: {	/* as ONNXCC_CLIP: the upper bound wins, NaN passes */
		float lo = s[4] & 2 ? (float)f[0] : -INFINITY, hi = s[4] & 4 ? (float)f[1] : INFINITY;
		for (k = 0; k < ONNXCC_EWC_BLOCK; k++) {
			float a = x[k];
			a = a < lo ? lo : a;
			y[k] = a > hi ? hi : a;
		}
		break;
	}
	default:
		break;
	}
}

/* Elements [lo, hi) of a chain, block by block: a whole block goes from X
 * through two local arrays in turn to Y; a last partial one is copied in
 * and out (the rest of the arrays is filler). */
ONNXCC_HELPER void onnxcc_ewchain_f32(void *const *b, const int64_t *p, const double *f,
				      int64_t lo, int64_t hi)
{
	const float *X = (const float *)b[0];
	float *Y = (float *)b[1];
	float v0[ONNXCC_EWC_BLOCK], v1[ONNXCC_EWC_BLOCK], t[ONNXCC_EWC_BLOCK];
	int64_t i0, len, s, k;

	for (k = 0; k < ONNXCC_EWC_BLOCK; k++)
		v0[k] = v1[k] = t[k] = 0;
	for (i0 = lo; i0 < hi; i0 += len) {
		const float *x = X + i0;
		float *y = v1;
		len = hi - i0 < ONNXCC_EWC_BLOCK ? hi - i0 : ONNXCC_EWC_BLOCK;
		if (len < ONNXCC_EWC_BLOCK) {
			for (k = 0; k < len; k++)
				v0[k] = X[i0 + k];
			x = v0;
		}
		for (s = 0; s < p[1]; s++, x = y) {
			const int64_t *st = p + 2 + 5 * s;
			float c0 = 0;
			const float *o = st[1] ? onnxcc_ewc_operand((const float *)b[st[1]], st[2],
								    st[3], i0, len, t, &c0) : t;
			y = s == p[1] - 1 && len == ONNXCC_EWC_BLOCK ? Y + i0 : x == v1 ? v0 : v1;
			onnxcc_ewc_step(y, x, o, c0, st, f + 2 * s);
		}
		if (len < ONNXCC_EWC_BLOCK)
			for (k = 0; k < len; k++)
				Y[i0 + k] = x[k];
	}
}

#define ONNXCC_EWCHAIN(NAME) \
static void NAME##_task(void *ctx, int64_t t, int64_t nt) \
{ \
	ONNXCC_EW_TASK_ARGS \
	int64_t lo, hi; \
	onnxcc_share(p[0], ONNXCC_EWC_BLOCK, t, nt, &lo, &hi); \
	onnxcc_ewchain_f32(b, p, f, lo, hi); \
} \
ONNXCC_KERNEL(NAME) \
ONNXCC_EW_CALL(NAME, p[0])

#endif
