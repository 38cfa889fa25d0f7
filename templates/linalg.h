/* linalg.h: matrix products (MatMul, Gemm), and the GEMM core Conv shares.
 *
 * gemm: b = {A, B, Y} or {A, B, C, Y} (has_c), then [R] (has_res)
 *       p = {M, N, K, rsa, csa, rsb, csb, has_c, rsc, csc, r, dims[r], sa[r], sb[r],
 *            act, has_res}
 *       f = {alpha, beta, act_a, act_b}
 *   For each index of the batch shape dims[r] (r may be 0), with A and B
 *   advanced by the batch element strides sa and sb:
 *       Y[batch] = act(alpha * A B + beta * C + R[batch])
 *   (the epilogue, onnxcc_gemm_args: act ONNXCC_ACT_*, R laid out as Y).
 *   A is M x K with element strides (rsa, csa), B is K x N with (rsb, csb), so
 *   a transpose is just swapped strides; C is broadcast to M x N by (rsc, csc)
 *   (0 along broadcast dimensions).  Y is contiguous, batch after batch of
 *   M x N.  Integer types wrap and take integral alpha and beta.
 *
 * The core (ONNXCC_GEMM_CORE) packs KC x 8 panels of B into a stack buffer and
 * runs a 4 x 8 register tile over them, blocked so that a panel stays in L1
 * and an MC x KC block of A in L2.  The tile's accumulation (ONNXCC_GEMM_ACC,
 * the place for ISA-specific micro-kernels) is plain C whose 32 sums
 * compilers keep in registers and vectorize (SLP); single-row products take
 * an axpy loop instead.  Conv instantiates the core for itself (conv.h). */
#ifndef ONNXCC_LINALG_H
#define ONNXCC_LINALG_H

#define ONNXCC_GEMM_MR 4
#define ONNXCC_GEMM_NR 8
#define ONNXCC_GEMM_KC 256
#define ONNXCC_GEMM_MC 128
/* Bytes of A under which a transposed B is traversed panel-major. */
#define ONNXCC_GEMM_SMALL_A (256 << 10)

/* GCC's -O3 loop vectorizer vectorizes the tile's k loop across iterations,
 * which runs several times slower than the per-iteration SLP code -O2 makes. */
#if defined(__GNUC__) && !defined(__clang__)
#define ONNXCC_GEMM_NOVEC __attribute__((optimize("no-tree-loop-vectorize")))
#else
#define ONNXCC_GEMM_NOVEC
#endif
#if defined(__GNUC__)
#define ONNXCC_GEMM_NOINLINE __attribute__((noinline))
#else
#define ONNXCC_GEMM_NOINLINE
#endif

/* Shape and element strides of one product Y = op(A) op(B) (+ C), and its
 * epilogue (fused by passes/fuse.c): once an element of Y has its final
 * alpha A B + beta C, it gets res's element (res laid out as Y, same strides;
 * NULL: none) added, then the activation act (ONNXCC_ACT_*, parameters act_a,
 * act_b) applied, while the tile is still in cache.  act 0 and res NULL: none. */
typedef struct onnxcc_gemm_args {
	int64_t m, n, k;
	int64_t rsa, csa, rsb, csb, rsc, csc, rsy, csy;
	int act;
	double act_a, act_b;
	const void *res;
} onnxcc_gemm_args;

/* Activations an epilogue applies; the formulas are elementwise.h's. */
#define ONNXCC_ACT_NONE 0
#define ONNXCC_ACT_RELU 1
#define ONNXCC_ACT_LEAKYRELU 2     /* a = alpha */
#define ONNXCC_ACT_CLIP 3          /* a = lo, b = hi (the upper bound wins; NaN passes) */
#define ONNXCC_ACT_SIGMOID 4
#define ONNXCC_ACT_HARDSIGMOID 5   /* a = alpha, b = beta */
#define ONNXCC_ACT_HARDSWISH 6
#define ONNXCC_ACT_GELU 7          /* a = 1 for the tanh approximation */
#define ONNXCC_ACT_SILU 8          /* x * Sigmoid(x), the sigmoid rounded to T first */
#define ONNXCC_ACT_TANH 9
#define ONNXCC_ACT_ELU 10          /* a = alpha */
#define ONNXCC_ACT_COUNT 11

/* One element's activation, in T as elementwise.h computes it (a and b double,
 * like its f[]). */
#define ONNXCC_ACT_ONE(T, act, x, a, b) \
	((act) == ONNXCC_ACT_RELU ? ((x) > 0 ? (x) : (T)0) \
	 : (act) == ONNXCC_ACT_CLIP ? ((x) < (T)(a) ? ((T)(a) > (T)(b) ? (T)(b) : (T)(a)) \
				     : (x) > (T)(b) ? (T)(b) : (x)) \
	 : (act) == ONNXCC_ACT_LEAKYRELU ? (T)((double)(x) >= 0 ? (x) : (x) * (a)) \
	 : (act) == ONNXCC_ACT_SIGMOID ? (T)ONNXCC_SIGMOID(x) \
	 : (act) == ONNXCC_ACT_SILU ? (T)((x) * (T)ONNXCC_SIGMOID(x)) \
	 : (act) == ONNXCC_ACT_HARDSIGMOID ? (T)fmax(0, fmin(1, (a) * (x) + (b))) \
	 : (act) == ONNXCC_ACT_HARDSWISH ? (T)((x) * fmax(0, fmin(1, (x) / 6 + 0.5))) \
	 : (act) == ONNXCC_ACT_GELU ? (T)((a) != 0 \
		? 0.5 * (x) * (1 + tanh(0.7978845608028654 * ((x) + 0.044715 * (x) * (x) * (x)))) \
		: 0.5 * (x) * (1 + erf((x) * 0.7071067811865476))) \
	 : (act) == ONNXCC_ACT_TANH ? (T)tanh(x) \
	 : (act) == ONNXCC_ACT_ELU ? (T)((double)(x) >= 0 ? (x) : (a) * expm1(x)) \
	 : (x))

/* The epilogue of rows [0, mr) x columns [0, nr) of Y (R: the residual at the
 * same place, or NULL).  The common activations get loops of their own. */
#if defined(__GNUC__) || defined(__clang__)
#define ONNXCC_EPI_INLINE static inline __attribute__((always_inline, unused))
#else
#define ONNXCC_EPI_INLINE static inline
#endif
#define ONNXCC_GEMM_EPI(NAME, T) \
ONNXCC_EPI_INLINE void NAME##_row(int act, double a, double b, T *restrict y, const T *restrict r, \
	int64_t n) \
{ \
	T lo = (T)a, hi = (T)b; \
	int64_t c; \
	if (r) \
		for (c = 0; c < n; c++) \
			y[c] = (T)(y[c] + r[c]); \
	switch (act) { \
	case ONNXCC_ACT_NONE: \
		break; \
	case ONNXCC_ACT_RELU: \
		for (c = 0; c < n; c++) \
			y[c] = y[c] > 0 ? y[c] : (T)0; \
		break; \
	case ONNXCC_ACT_CLIP: \
		for (c = 0; c < n; c++) { \
			T v = y[c] < lo ? lo : y[c]; \
			y[c] = v > hi ? hi : v; \
		} \
		break; \
	case ONNXCC_ACT_SIGMOID: \
		for (c = 0; c < n; c++) \
			y[c] = ONNXCC_ACT_ONE(T, ONNXCC_ACT_SIGMOID, y[c], a, b); \
		break; \
	case ONNXCC_ACT_SILU: \
		for (c = 0; c < n; c++) \
			y[c] = ONNXCC_ACT_ONE(T, ONNXCC_ACT_SILU, y[c], a, b); \
		break; \
	case ONNXCC_ACT_LEAKYRELU: \
		for (c = 0; c < n; c++) \
			y[c] = ONNXCC_ACT_ONE(T, ONNXCC_ACT_LEAKYRELU, y[c], a, b); \
		break; \
	case ONNXCC_ACT_HARDSWISH: \
		for (c = 0; c < n; c++) \
			y[c] = ONNXCC_ACT_ONE(T, ONNXCC_ACT_HARDSWISH, y[c], a, b); \
		break; \
	default: \
		for (c = 0; c < n; c++) \
			y[c] = ONNXCC_ACT_ONE(T, act, y[c], a, b); \
	} \
} \
static inline void NAME(const onnxcc_gemm_args *g, T *Y, const T *R, int64_t mr, int64_t nr) \
{ \
	int64_t i, j, rs = g->rsy, cs = g->csy; \
	if (cs == 1) { \
		for (i = 0; i < mr; i++) \
			NAME##_row(g->act, g->act_a, g->act_b, Y + i * rs, R ? R + i * rs : R, nr); \
		return; \
	} \
	for (j = 0; j < nr; j++)	/* a transposed product: columns are contiguous */ \
		for (i = 0; i < mr; i++) { \
			T *y = Y + i * rs + j * cs; \
			if (R) \
				*y = (T)(*y + R[i * rs + j * cs]); \
			*y = ONNXCC_ACT_ONE(T, g->act, *y, g->act_a, g->act_b); \
		} \
}

/* An epilogue's parameters from a kernel's p (act, has_res) and f (a, b). */
ONNXCC_HELPER void onnxcc_gemm_epi_args(onnxcc_gemm_args *g, const int64_t *p, const double *f)
{
	g->act = (int)p[0];
	g->act_a = f[0];
	g->act_b = f[1];
	g->res = 0;
}

/* One row of the tile: accumulators c<R>0..7 += x * b0..7. */
#define ONNXCC_GEMM_ROW(c, x) \
	c##0 += x * b0; c##1 += x * b1; c##2 += x * b2; c##3 += x * b3; \
	c##4 += x * b4; c##5 += x * b5; c##6 += x * b6; c##7 += x * b7;
#define ONNXCC_GEMM_SAVE(t, c) \
	t[0] = c##0; t[1] = c##1; t[2] = c##2; t[3] = c##3; \
	t[4] = c##4; t[5] = c##5; t[6] = c##6; t[7] = c##7;

/* The accumulation of the tile: t (4 x 8) = the kc steps of rows a0..a3 of A
 * times the packed panel bp (kc x 8).  Kept out of line so that its code does
 * not depend on the caller: compilers keep the 32 sums in vector registers. */
#define ONNXCC_GEMM_ACC(NAME, T, U) \
ONNXCC_GEMM_NOVEC ONNXCC_GEMM_NOINLINE static void NAME(int64_t kc, const T *a0, const T *a1, \
	const T *a2, const T *a3, int64_t csa, const T *bp, U *t) \
{ \
	U c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0; \
	U c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0; \
	U c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0; \
	U c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0; \
	int64_t k; \
	for (k = 0; k < kc; k++) { \
		const T *bk = bp + k * ONNXCC_GEMM_NR; \
		U b0 = (U)bk[0], b1 = (U)bk[1], b2 = (U)bk[2], b3 = (U)bk[3]; \
		U b4 = (U)bk[4], b5 = (U)bk[5], b6 = (U)bk[6], b7 = (U)bk[7]; \
		U x0 = (U)a0[k * csa], x1 = (U)a1[k * csa], x2 = (U)a2[k * csa], x3 = (U)a3[k * csa]; \
		ONNXCC_GEMM_ROW(c0, x0) \
		ONNXCC_GEMM_ROW(c1, x1) \
		ONNXCC_GEMM_ROW(c2, x2) \
		ONNXCC_GEMM_ROW(c3, x3) \
	} \
	ONNXCC_GEMM_SAVE(t, c0) \
	ONNXCC_GEMM_SAVE((t + 8), c1) \
	ONNXCC_GEMM_SAVE((t + 16), c2) \
	ONNXCC_GEMM_SAVE((t + 24), c3) \
}

/* The tile: rows [0, mr) x columns [0, nr) of Y from kc steps of A's rows and
 * the packed panel bp.  Rows past mr repeat the last row and are not stored.
 * Y holds the partial sum of earlier K blocks unless `first`; the `last`
 * block applies alpha and beta C. */
#define ONNXCC_GEMM_TILE(NAME, T, U) \
ONNXCC_GEMM_ACC(NAME##_acc, T, U) \
static inline void NAME(int64_t mr, int64_t nr, int64_t kc, \
	const T *A, int64_t rsa, int64_t csa, const T *bp, T *Y, int64_t rsy, int64_t csy, \
	int first, int last, const T *C, int64_t rsc, int64_t csc, U alpha, U beta) \
{ \
	U t[ONNXCC_GEMM_MR * ONNXCC_GEMM_NR]; \
	int64_t r, c; \
	NAME##_acc(kc, A, A + (mr > 1 ? 1 : 0) * rsa, A + (mr > 2 ? 2 : mr - 1) * rsa, \
		   A + (mr > 3 ? 3 : mr - 1) * rsa, csa, bp, t); \
	if (nr == ONNXCC_GEMM_NR && csy == 1 && !(last && (alpha != 1 || C))) { \
		for (r = 0; r < mr; r++, Y += rsy) \
			for (c = 0; c < ONNXCC_GEMM_NR; c++) \
				Y[c] = (T)(first ? t[r * ONNXCC_GEMM_NR + c] \
						 : t[r * ONNXCC_GEMM_NR + c] + (U)Y[c]); \
		return; \
	} \
	for (r = 0; r < mr; r++) \
		for (c = 0; c < nr; c++) { \
			T *y = Y + r * rsy + c * csy; \
			U v = t[r * ONNXCC_GEMM_NR + c]; \
			if (!first) \
				v += (U)*y; \
			if (last) { \
				if (alpha != 1) \
					v = alpha * v; \
				if (C) \
					v += beta == 1 ? (U)C[r * rsc + c * csc] : beta * (U)C[r * rsc + c * csc]; \
			} \
			*y = (T)v; \
		} \
}

/* Pack B's rows [0, kc) x columns [0, nr) into bp (kc x 8, zero padded). */
#define ONNXCC_GEMM_PACK(NAME, T) \
static inline void NAME(int64_t nr, int64_t kc, const T *B, int64_t rsb, int64_t csb, T *bp) \
{ \
	int64_t k, c; \
	if (nr == ONNXCC_GEMM_NR && csb == 1) { \
		for (k = 0; k < kc; k++, bp += ONNXCC_GEMM_NR) \
			for (c = 0; c < ONNXCC_GEMM_NR; c++) \
				bp[c] = B[k * rsb + c]; \
		return; \
	} \
	for (k = 0; k < kc; k++, bp += ONNXCC_GEMM_NR) \
		for (c = 0; c < ONNXCC_GEMM_NR; c++) \
			bp[c] = c < nr ? B[k * rsb + c * csb] : (T)0; \
}

/* The panel of columns [j0, j0 + 8) and K block [k0, k0 + kc): pack it into
 * bp and run the tiles of rows [i1, i2) over it. */
#define ONNXCC_GEMM_PANEL(NAME, T, U, EPI) \
ONNXCC_GEMM_TILE(NAME##_tile, T, U) \
ONNXCC_GEMM_PACK(NAME##_pack, T) \
static inline void NAME(const onnxcc_gemm_args *g, const T *A, const T *B, const T *C, T *Y, \
	U alpha, U beta, T *bp, int64_t i1, int64_t i2, int64_t j0, int64_t k0) \
{ \
	int64_t nr = g->n - j0 < ONNXCC_GEMM_NR ? g->n - j0 : ONNXCC_GEMM_NR; \
	int64_t kc = g->k - k0 < ONNXCC_GEMM_KC ? g->k - k0 : ONNXCC_GEMM_KC, i0; \
	NAME##_pack(nr, kc, B + k0 * g->rsb + j0 * g->csb, g->rsb, g->csb, bp); \
	for (i0 = i1; i0 < i2; i0 += ONNXCC_GEMM_MR) \
		NAME##_tile(i2 - i0 < ONNXCC_GEMM_MR ? i2 - i0 : ONNXCC_GEMM_MR, nr, kc, \
			    A + i0 * g->rsa + k0 * g->csa, g->rsa, g->csa, bp, \
			    Y + i0 * g->rsy + j0 * g->csy, g->rsy, g->csy, k0 == 0, \
			    k0 + kc >= g->k, C ? C + i0 * g->rsc + j0 * g->csc : C, \
			    g->rsc, g->csc, alpha, beta); \
	if (k0 + kc >= g->k && (g->act || g->res)) { \
		const T *R = (const T *)g->res; \
		EPI(g, Y + i1 * g->rsy + j0 * g->csy, R ? R + i1 * g->rsy + j0 * g->csy : R, i2 - i1, nr); \
	} \
}

/* Y = alpha op(A) op(B) + beta C (C may be NULL) for one matrix, K > 0.
 * Usually K blocks outermost, then MC-row blocks of A (which stay in L2),
 * then panels.  A transposed B (columns contiguous) with a small A goes panel
 * by panel down the whole K instead, so each of B's rows streams whole. */
#define ONNXCC_GEMM_BLOCKED(NAME, T, U, EPI) \
ONNXCC_GEMM_PANEL(NAME##_panel, T, U, EPI) \
static inline void NAME(const onnxcc_gemm_args *g, const T *A, const T *B, const T *C, T *Y, \
	U alpha, U beta) \
{ \
	T bp[ONNXCC_GEMM_KC * ONNXCC_GEMM_NR]; \
	int64_t k0, i1, j0; \
	if (g->rsb == 1 && g->csb != 1 && g->m * g->k * (int64_t)sizeof(T) <= ONNXCC_GEMM_SMALL_A) { \
		for (j0 = 0; j0 < g->n; j0 += ONNXCC_GEMM_NR) \
			for (k0 = 0; k0 < g->k; k0 += ONNXCC_GEMM_KC) \
				NAME##_panel(g, A, B, C, Y, alpha, beta, bp, 0, g->m, j0, k0); \
		return; \
	} \
	for (k0 = 0; k0 < g->k; k0 += ONNXCC_GEMM_KC) \
		for (i1 = 0; i1 < g->m; i1 += ONNXCC_GEMM_MC) \
			for (j0 = 0; j0 < g->n; j0 += ONNXCC_GEMM_NR) \
				NAME##_panel(g, A, B, C, Y, alpha, beta, bp, i1, \
					     g->m - i1 < ONNXCC_GEMM_MC ? g->m : i1 + ONNXCC_GEMM_MC, j0, k0); \
}

/* A single row of Y with B's rows contiguous (a depthwise convolution, a
 * vector-matrix product): Y's row accumulates B's rows scaled by A's, 8
 * columns at a time.  The 4-row tile would waste three quarters of its work. */
#define ONNXCC_GEMM_ROW1(NAME, T, U, EPI) \
static inline void NAME(const onnxcc_gemm_args *g, const T *A, const T *B, const T *C, \
	T *restrict Y, U alpha, U beta) \
{ \
	int64_t n = g->n, n8 = n / 8 * 8, k, j, c; \
	for (j = 0; j < n; j++) \
		Y[j] = 0; \
	for (k = 0; k < g->k; k++) { \
		const T *restrict b = B + k * g->rsb; \
		U a = (U)A[k * g->csa]; \
		for (j = 0; j < n8; j += 8) \
			for (c = 0; c < 8; c++) \
				Y[j + c] = (T)((U)Y[j + c] + a * (U)b[j + c]); \
		for (; j < n; j++) \
			Y[j] = (T)((U)Y[j] + a * (U)b[j]); \
	} \
	if (alpha != 1 || C) \
		for (j = 0; j < n; j++) { \
			U v = alpha == 1 ? (U)Y[j] : alpha * (U)Y[j]; \
			if (C) \
				v += beta == 1 ? (U)C[j * g->csc] : beta * (U)C[j * g->csc]; \
			Y[j] = (T)v; \
		} \
	if (g->act || g->res) \
		EPI(g, Y, (const T *)g->res, 1, n); \
}

/* The core: handles K = 0 and single rows, and computes a product with fewer
 * than 8 columns as its transpose, so that the tile's 8 columns are not mostly
 * padding. */
#define ONNXCC_GEMM_CORE(NAME, T, U) \
ONNXCC_GEMM_EPI(NAME##_epi, T) \
ONNXCC_GEMM_BLOCKED(NAME##_blocked, T, U, NAME##_epi) \
ONNXCC_GEMM_ROW1(NAME##_row1, T, U, NAME##_epi) \
static inline void NAME(const onnxcc_gemm_args *g, const T *A, const T *B, const T *C, T *Y, \
	U alpha, U beta) \
{ \
	int64_t i, j; \
	if (g->m == 0 || g->n == 0) \
		return; \
	if (g->k == 0) { \
		for (i = 0; i < g->m; i++) \
			for (j = 0; j < g->n; j++) \
				Y[i * g->rsy + j * g->csy] = C ? (T)(beta * (U)C[i * g->rsc + j * g->csc]) : (T)0; \
		if (g->act || g->res) \
			NAME##_epi(g, Y, (const T *)g->res, g->m, g->n); \
		return; \
	} \
	if (g->m == 1 && g->csb == 1 && g->csy == 1) { \
		NAME##_row1(g, A, B, C, Y, alpha, beta); \
		return; \
	} \
	if (g->n < ONNXCC_GEMM_NR && g->m > g->n) { \
		onnxcc_gemm_args t; \
		t.m = g->n; t.n = g->m; t.k = g->k; \
		t.rsa = g->csb; t.csa = g->rsb; t.rsb = g->csa; t.csb = g->rsa; \
		t.rsc = g->csc; t.csc = g->rsc; t.rsy = g->csy; t.csy = g->rsy; \
		t.act = g->act; t.act_a = g->act_a; t.act_b = g->act_b; t.res = g->res; \
		NAME##_blocked(&t, B, A, C, Y, alpha, beta); \
		return; \
	} \
	NAME##_blocked(g, A, B, C, Y, alpha, beta); \
}

/* Alpha and beta in the accumulation type: integral for integer types. */
#define ONNXCC_GEMM_SCALAR(U, ISINT, x) ((ISINT) ? (U)(int64_t)(x) : (U)(x))

/* The MatMul / Gemm kernel.  U is the accumulation type: T for floating
 * types, the unsigned type of T's width for integers (so sums wrap). */
#define ONNXCC_GEMM(NAME, T, U, ISINT) \
ONNXCC_GEMM_CORE(NAME##_core, T, U) \
/* Element offset of batch index i (last dimension fastest) with strides st. */ \
static inline int64_t NAME##_offset(int64_t i, int64_t r, const int64_t *dims, const int64_t *st) \
{ \
	int64_t d, off = 0; \
	for (d = r - 1; d >= 0; d--) { \
		off += (i % dims[d]) * st[d]; \
		i /= dims[d]; \
	} \
	return off; \
} \
ONNXCC_KERNEL(NAME) \
{ \
	onnxcc_gemm_args g; \
	int64_t hasc = p[7], r = p[10], nb = 1, i; \
	const int64_t *dims = p + 11, *sa = dims + r, *sb = sa + r; \
	const T *A = (const T *)b[0], *B = (const T *)b[1]; \
	const T *C = hasc ? (const T *)b[2] : (const T *)0; \
	T *Y = (T *)b[2 + hasc]; \
	U alpha = ONNXCC_GEMM_SCALAR(U, ISINT, f[0]), beta = ONNXCC_GEMM_SCALAR(U, ISINT, f[1]); \
	g.m = p[0]; g.n = p[1]; g.k = p[2]; \
	g.rsa = p[3]; g.csa = p[4]; g.rsb = p[5]; g.csb = p[6]; g.rsc = p[8]; g.csc = p[9]; \
	g.rsy = g.n; g.csy = 1; \
	onnxcc_gemm_epi_args(&g, sb + r, f + 2); \
	for (i = 0; i < r; i++) \
		nb *= dims[i]; \
	for (i = 0; i < nb; i++) { \
		if (sb[r + 1]) \
			g.res = (const T *)b[3 + hasc] + i * g.m * g.n; \
		NAME##_core(&g, A + NAME##_offset(i, r, dims, sa), \
			    B + NAME##_offset(i, r, dims, sb), C, Y + i * g.m * g.n, alpha, beta); \
	} \
}

#endif
