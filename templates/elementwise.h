/* elementwise.h: unary maps, and binary and ternary ops with numpy broadcasting.
 *
 * A scalar operation is one macro ONNXCC_OP_<name>(x, y, f): x (and y for
 * binary ops) are the operands, f the kernel's float parameters (alpha, ...).
 * templates/elementwise.def instantiates the loops below for each (op, type).
 *
 * unary:   b = {X, Y}, p = {n}
 * binary:  b = {A, B, Y}, p = {r, dims[r], stride_a[r], stride_b[r]}
 * where:   b = {C, A, B, Y}, p = {r, dims[r], stride_c[r], stride_a[r], stride_b[r]}
 * Strides are in elements, 0 along broadcast dimensions; Y is contiguous with
 * shape dims.  The compiler merges dimensions first, so r is small. */
#ifndef ONNXCC_ELEMENTWISE_H
#define ONNXCC_ELEMENTWISE_H

#define ONNXCC_UNARY(NAME, TX, TY, OP) \
ONNXCC_KERNEL(NAME) \
{ \
	const TX *X = (const TX *)b[0]; \
	TY *Y = (TY *)b[1]; \
	int64_t i, n = p[0]; \
	(void)f; \
	for (i = 0; i < n; i++) { \
		TX x = X[i]; \
		Y[i] = (TY)(ONNXCC_OP_##OP(x, 0, f)); \
	} \
}

/* Offset of outer position o (over dims[0..r-1), last dim excluded) with strides st. */
static inline int64_t onnxcc_outer_offset(int64_t o, int64_t r, const int64_t *dims,
					  const int64_t *st)
{
	int64_t d, off = 0;

	for (d = r - 2; d >= 0; d--) {
		off += (o % dims[d]) * st[d];
		o /= dims[d];
	}
	return off;
}

#define ONNXCC_BINARY(NAME, TX, TY, OP) \
ONNXCC_KERNEL(NAME) \
{ \
	const TX *A = (const TX *)b[0], *B = (const TX *)b[1]; \
	TY *Y = (TY *)b[2]; \
	int64_t r = p[0], d, o, i, outer = 1; \
	const int64_t *dims = p + 1, *sa = p + 1 + r, *sb = p + 1 + 2 * r; \
	int64_t inner = dims[r - 1], ia = sa[r - 1], ib = sb[r - 1]; \
	(void)f; \
	for (d = 0; d < r - 1; d++) \
		outer *= dims[d]; \
	for (o = 0; o < outer; o++) { \
		const TX *a0 = A + onnxcc_outer_offset(o, r, dims, sa); \
		const TX *b0 = B + onnxcc_outer_offset(o, r, dims, sb); \
		TY *y0 = Y + o * inner; \
		for (i = 0; i < inner; i++) { \
			TX x = a0[i * ia], y = b0[i * ib]; \
			y0[i] = (TY)(ONNXCC_OP_##OP(x, y, f)); \
		} \
	} \
}

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

/* Scalar operations --------------------------------------------------------- */
/* Floats go through <tgmath.h>, so float stays float.  Signed integer
 * arithmetic wraps, as ONNX Runtime's does, by computing in uint64_t. */
#define ONNXCC_WRAP(T, e) ((T)(uint64_t)(e))

#define ONNXCC_OP_copy(x, y, f) (x)
#define ONNXCC_OP_neg(x, y, f) (-(x))
#define ONNXCC_OP_ineg(x, y, f) (0 - (uint64_t)(x))
#define ONNXCC_OP_abs(x, y, f) fabs(x)
#define ONNXCC_OP_iabs(x, y, f) ((x) < 0 ? 0 - (uint64_t)(x) : (uint64_t)(x))
#define ONNXCC_OP_relu(x, y, f) ((x) > 0 ? (x) : 0)
#define ONNXCC_OP_exp(x, y, f) exp(x)
#define ONNXCC_OP_log(x, y, f) log(x)
#define ONNXCC_OP_sqrt(x, y, f) sqrt(x)
#define ONNXCC_OP_tanh(x, y, f) tanh(x)
#define ONNXCC_OP_sigmoid(x, y, f) ((x) >= 0 ? 1 / (1 + exp(-(x))) : exp(x) / (1 + exp(x)))

#define ONNXCC_OP_add(x, y, f) ((x) + (y))
#define ONNXCC_OP_iadd(x, y, f) ((uint64_t)(x) + (uint64_t)(y))
#define ONNXCC_OP_sub(x, y, f) ((x) - (y))
#define ONNXCC_OP_isub(x, y, f) ((uint64_t)(x) - (uint64_t)(y))
#define ONNXCC_OP_mul(x, y, f) ((x) * (y))
#define ONNXCC_OP_imul(x, y, f) ((uint64_t)(x) * (uint64_t)(y))
#define ONNXCC_OP_div(x, y, f) ((x) / (y))
#define ONNXCC_OP_scale(x, y, f) ((x) * f[0])

#endif
