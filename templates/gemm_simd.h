/* gemm_simd.h: packed, register-blocked float32 GEMM with x86 micro-kernels.
 *
 * Y (m x n) = alpha op(A) op(B) + beta C, the product of linalg.h's
 * onnxcc_gemm_args, computed the BLIS way:
 *
 *   for each NC-column block of B (jc)
 *     for each KC block of K (pc):   pack B's block into KC x NR panels (bp)
 *       for each MC-row block of A:  pack A's block into MR x KC panels (ap)
 *         for each NR panel, each MR panel: the micro-kernel, an MR x NR tile
 *         of Y accumulated in vector registers over the KC steps
 *
 * A packed panel holds its kc steps one after the other: MR values of A's
 * column (broadcast by the micro-kernel) or NR values of B's row (loaded as
 * vectors); rows or columns past the matrix are zero.  Either operand may
 * come packed already (a constant weight packed by the compiler into the
 * constant blob): the whole matrix packed with the same KC and panel width,
 * block pc at element offset pc * padded width, panel j0 of it at j0 * kc
 * (onnxcc_f32_prepack).  Y accumulates the K blocks; the last one applies
 * alpha and beta C.
 *
 * Micro-kernels (named <what>_<MR>x<NR>__<isa> in kernel names):
 *   avx2     6 x 16: 12 ymm accumulators, target("avx2,fma")
 *   avx512f  8 x 32: 16 zmm accumulators, target("avx512f")
 *   neon     8 x 12: 24 q-register accumulators (AArch64 Advanced SIMD)
 * The x86 functions carry the target attribute, so the file builds with plain
 * -O2 on any x86-64 compiler (gcc, clang); the NEON one needs nothing (Advanced
 * SIMD is part of AArch64).  Elsewhere the same drivers run a plain C
 * micro-kernel of the same shape (correct, not fast).  Scratch for
 * the packed blocks comes from the caller (an arena tensor):
 * onnxcc_f32_gemm_scratch() floats. */
#ifndef ONNXCC_GEMM_SIMD_H
#define ONNXCC_GEMM_SIMD_H

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define ONNXCC_SIMD_X86 1
#include <immintrin.h>
#define ONNXCC_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define ONNXCC_TARGET_AVX512F __attribute__((target("avx2,fma,avx512f")))
#else
#define ONNXCC_SIMD_X86 0
#define ONNXCC_TARGET_AVX2
#define ONNXCC_TARGET_AVX512F
#endif
#if defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#define ONNXCC_SIMD_NEON 1
#include <arm_neon.h>
#else
#define ONNXCC_SIMD_NEON 0
#endif
#define ONNXCC_TARGET_NEON

/* Out of line (a target function cannot be inlined into plain code anyway),
 * and maybe unused in a given model. */
#if defined(__GNUC__) || defined(__clang__)
#define ONNXCC_SIMD_FN static __attribute__((noinline, unused))
#define ONNXCC_SIMD_INLINE static inline __attribute__((always_inline, unused))
#else
#define ONNXCC_SIMD_FN static
#define ONNXCC_SIMD_INLINE static inline
#endif

/* Tile and blocking of each ISA: MR x NR tile, KC, MC, NC.  AVX-512's KC
 * keeps a B micro-panel (KC x 32 floats, 32 KiB) in a 32 KiB L1; 384 gave
 * the same SGEMM rate and convolutions 4-5% slower (bench/, 2026-11-24). */
#ifndef ONNXCC_AVX2_MR
#define ONNXCC_AVX2_MR 6
#endif
#ifndef ONNXCC_AVX2_NR
#define ONNXCC_AVX2_NR 16
#endif
#ifndef ONNXCC_AVX2_KC
#define ONNXCC_AVX2_KC 256
#endif
#ifndef ONNXCC_AVX2_MC
#define ONNXCC_AVX2_MC 72
#endif
#ifndef ONNXCC_AVX2_NC
#define ONNXCC_AVX2_NC 1024
#endif
#ifndef ONNXCC_AVX512F_MR
#define ONNXCC_AVX512F_MR 8
#endif
#ifndef ONNXCC_AVX512F_NR
#define ONNXCC_AVX512F_NR 32
#endif
#ifndef ONNXCC_AVX512F_KC
#define ONNXCC_AVX512F_KC 256
#endif
#ifndef ONNXCC_AVX512F_MC
#define ONNXCC_AVX512F_MC 128
#endif
#ifndef ONNXCC_AVX512F_NC
#define ONNXCC_AVX512F_NC 1024
#endif
/* NEON 8 x 12: 24 accumulators + 2 registers of A + 3 of B = 29 of the 32 q
 * registers; per step 5 loads feed 24 FMAs (4.8 per loaded float, against
 * 2.7 for 8 x 8 and 4 x 16).  A KC step's panels are 8 + 12 floats: KC 256
 * keeps one A panel and one B panel (8 + 12 KB) in a 32 KB L1D, an MC x KC
 * A block (128 KB) in L2.  MC and NC must be multiples of MR and NR (the
 * prepacked panel offsets). */
#ifndef ONNXCC_NEON_MR
#define ONNXCC_NEON_MR 8
#endif
#ifndef ONNXCC_NEON_NR
#define ONNXCC_NEON_NR 12
#endif
#ifndef ONNXCC_NEON_KC
#define ONNXCC_NEON_KC 256
#endif
#ifndef ONNXCC_NEON_MC
#define ONNXCC_NEON_MC 128
#endif
#ifndef ONNXCC_NEON_NC
#define ONNXCC_NEON_NC 1008
#endif

ONNXCC_HELPER int64_t onnxcc_round_up(int64_t x, int64_t r)
{
	return (x + r - 1) / r * r;
}

/* Floats of scratch a product needs: the A block (unless A is packed) and the B block
 * (unless B is packed); with neither packed, enough for the transposed product too. */
ONNXCC_HELPER int64_t onnxcc_f32_gemm_scratch(int64_t m, int64_t n, int64_t k, int64_t mr,
	int64_t nr, int64_t kc, int64_t mc, int64_t nc, int packed_a, int packed_b)
{
	int64_t kb = k < kc ? k : kc;
	int64_t sa = packed_a ? 0 : onnxcc_round_up(m < mc ? m : mc, mr) * kb;
	int64_t sb = packed_b ? 0 : onnxcc_round_up(n < nc ? n : nc, nr) * kb;
	int64_t ta = onnxcc_round_up(n < mc ? n : mc, mr) * kb;
	int64_t tb = onnxcc_round_up(m < nc ? m : nc, nr) * kb;
	return packed_a || packed_b || sa + sb >= ta + tb ? sa + sb : ta + tb;
}

/* The forms of the SIMD convolution (conv.h): output positions as the
 * product's columns, as its rows, or columns read from padded planes; or
 * Winograd F(4x4, 3x3). */
#define ONNXCC_CONV_COLS 0
#define ONNXCC_CONV_ROWS 1
#define ONNXCC_CONV_PLANE 2
#define ONNXCC_CONV_WINO 3
#define ONNXCC_CONV_WINO_ROWS 4

/* Winograd F(4x4, 3x3) (ONNXCC_CONV_WINO): a 4 x 4 output tile from a 6 x 6
 * input tile d and a 3 x 3 kernel g is A^T [(G g G^T) . (B^T d B)] A, with
 * the interpolation points 0, 1, -1, 2, -2 and infinity:
 *   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
 *          0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *   G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6;
 *        1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 * Point xi = 6 i + j is row i, column j of the 6 x 6 products.  The weights
 * of point xi are U_xi = (G g G^T)[i][j] for every output and input channel:
 * an M/G x C/G matrix a group, packed as the A operand (MR, KC), point after
 * point, the groups of each point one after the other.  ONNXCC_CONV_WINO_ROWS
 * (few tiles: the tiles are the products' rows) packs them as the B operand,
 * in panels of NR. */
#define ONNXCC_WINO_G(X) \
	X(0.25, 0.0, 0.0) X(-1.0 / 6, -1.0 / 6, -1.0 / 6) X(-1.0 / 6, 1.0 / 6, -1.0 / 6) \
	X(1.0 / 24, 1.0 / 12, 1.0 / 6) X(1.0 / 24, -1.0 / 12, 1.0 / 6) X(0.0, 0.0, 1.0)

/* The tile rows of a convolution with parameters p (conv.h) that
 * ONNXCC_CONV_WINO computes, tiles in each, and the floats of its transforms'
 * buffers for chunks of `chunk` tile slots (onnxcc_f32_conv_scratch's
 * `planes`). */
ONNXCC_HELPER int64_t onnxcc_wino_rows(const int64_t *p)
{
	return (p[12] + 3) / 4;
}
ONNXCC_HELPER int64_t onnxcc_wino_cols(const int64_t *p)
{
	return (p[13] + 3) / 4;
}
ONNXCC_HELPER int64_t onnxcc_wino_temps(int64_t chunk)
{
	return 52 * chunk + 4;
}

/* Floats of scratch one thread of the SIMD convolution (conv.h) needs, for a
 * group of mg output channels, os output positions, k = C/G times the kernel
 * size, im2col chunks of `chunk` positions (usecol), the weights packed or
 * not, and (ONNXCC_CONV_PLANE) planes of `planes` floats.
 * Positions as columns: the GEMM's packing of B, or a row of col.
 * Positions as rows: the product's rows x mg (positions x channels) first,
 * then the GEMM's packing of A or a row of col.
 * Planes: B's row offsets (k int64_t), the planes and nr floats more (the
 * last panel's reach past them), the product (mg x chunk).
 * Winograd (k = C/G, chunk tile slots, planes = onnxcc_wino_temps): the 36
 * transformed inputs (k x chunk) and products (mg x chunk), the transforms'
 * buffers, the GEMM's packing of a partial panel of B (transposed: one more
 * product, chunk x mg, and the packing of A). */
ONNXCC_HELPER int64_t onnxcc_f32_conv_scratch(int64_t mg, int64_t os, int64_t k, int64_t chunk,
	int usecol, int form, int packw, int64_t planes, int64_t mr, int64_t nr, int64_t kc,
	int64_t mc, int64_t nc)
{
	int64_t rows = usecol ? chunk : os, per;

	if (form == ONNXCC_CONV_PLANE)	/* even: the offsets stay 8-byte aligned */
		return onnxcc_round_up(2 * k + planes + nr + mg * chunk, 2);
	if (form == ONNXCC_CONV_WINO)	/* k: the group's input channels */
		return 36 * chunk * (k + mg) + planes +
		       onnxcc_f32_gemm_scratch(mg, chunk, k, mr, nr, kc, mc, nc, 1, 0);
	if (form == ONNXCC_CONV_WINO_ROWS)	/* and one product before its transposition */
		return 36 * chunk * (k + mg) + chunk * mg + planes +
		       onnxcc_f32_gemm_scratch(chunk, mg, k, mr, nr, kc, mc, nc, 0, 1);
	per = form == ONNXCC_CONV_ROWS
		? onnxcc_f32_gemm_scratch(rows, mg, k, mr, nr, kc, mc, nc, usecol, packw)
		: onnxcc_f32_gemm_scratch(mg, rows, k, mr, nr, kc, mc, nc, packw, usecol);
	per = usecol && per < chunk ? chunk : per < 1 ? 1 : per;
	return form == ONNXCC_CONV_ROWS ? rows * mg + per : per;
}

/* ONNXCC_CONV_PLANE, from a 2-D convolution's parameters p (conv.h): the
 * rows and columns of one phase plane (the output grown by the kernel's reach
 * in strides), the floats of one channel's planes (one a phase of the
 * strides: sy sx of them), and the positions counted along the plane width. */
ONNXCC_HELPER int64_t onnxcc_conv_plane_rows(const int64_t *p)
{
	return ONNXCC_PHASE_ROWS(p[12], p[10], p[16], p[14]);
}
ONNXCC_HELPER int64_t onnxcc_conv_plane_cols(const int64_t *p)
{
	return ONNXCC_PHASE_ROWS(p[13], p[11], p[17], p[15]);
}
ONNXCC_HELPER int64_t onnxcc_conv_plane_size(const int64_t *p)
{
	return p[14] * p[15] * onnxcc_conv_plane_rows(p) * onnxcc_conv_plane_cols(p);
}
ONNXCC_HELPER int64_t onnxcc_conv_plane_positions(const int64_t *p)
{
	return (p[12] - 1) * onnxcc_conv_plane_cols(p) + p[13];
}

/* ONNXCC_CONV_PLANE's planes of channel x0 (ih x iw): ONNXCC_PHASE_PLANES
 * (onnxcc_rt.h) with the convolution's parameters p. */
ONNXCC_HELPER void onnxcc_f32_conv_phases(const float *x0, float *xp, const int64_t *p)
{
	ONNXCC_PHASE_PLANES(float, x0, xp, p[8], p[9], p[10], p[11], p[14], p[15], p[16], p[17],
			    p[18], p[19], onnxcc_conv_plane_rows(p), onnxcc_conv_plane_cols(p));
}

/* Pack rows [0, m) (m <= a multiple of w) x steps [0, kc) of a matrix with element
 * strides (rs along the rows, cs along the steps) into panels of w: panel after
 * panel, each kc x w, zero past m.  For A: rows are A's rows, steps its columns;
 * for B: "rows" are B's columns (rs = csb) and steps its rows (cs = rsb). */
ONNXCC_HELPER void onnxcc_f32_pack(int64_t w, int64_t m, int64_t kc, const float *X, int64_t rs,
	int64_t cs, float *out)
{
	int64_t i0, k, r;
	for (i0 = 0; i0 < m; i0 += w, out += w * kc) {
		int64_t mr = m - i0 < w ? m - i0 : w;
		const float *x = X + i0 * rs;
		if (rs == 1 && mr == w) {
			for (k = 0; k < kc; k++)
				memcpy(out + k * w, x + k * cs, (size_t)w * sizeof(float));
			continue;
		}
		if (cs == 1 && mr == w) {
			for (r = 0; r < w; r++)
				for (k = 0; k < kc; k++)
					out[k * w + r] = x[r * rs + k];
			continue;
		}
		for (k = 0; k < kc; k++)
			for (r = 0; r < w; r++)
				out[k * w + r] = r < mr ? x[r * rs + k * cs] : 0.0f;
	}
}

/* A whole operand packed ahead of time: rows [0, m) x steps [0, k), blocks of kc
 * steps, each block's panels at pc * round_up(m, w), panel i0 at i0 * kcb. */
ONNXCC_HELPER void onnxcc_f32_prepack(int64_t w, int64_t kc, int64_t m, int64_t k, const float *X,
	int64_t rs, int64_t cs, float *out)
{
	int64_t mp = onnxcc_round_up(m, w), pc;
	for (pc = 0; pc < k; pc += kc)
		onnxcc_f32_pack(w, m, k - pc < kc ? k - pc : kc, X + pc * cs, rs, cs, out + pc * mp);
}

/* The Winograd weights of `groups` groups of an mg x cg x 3 x 3 kernel w,
 * packed as above in panels of `width` (MR, or NR for ONNXCC_CONV_WINO_ROWS)
 * and KC kc into out: G g G^T of each 3 x 3 kernel g, in double.  u: 36 mg
 * cg floats of scratch. */
#define ONNXCC_WINO_ROW(a, b, c) {a, b, c},
ONNXCC_HELPER void onnxcc_f32_wino_weights(const float *w, int64_t groups, int64_t mg,
	int64_t cg, int64_t width, int64_t kc, float *u, float *out)
{
	static const double G[6][3] = {ONNXCC_WINO_G(ONNXCC_WINO_ROW)};
	int64_t per = onnxcc_round_up(mg, width) * cg, g, m, c, xi;
	int i, j, a;
	for (g = 0; g < groups; g++) {
		for (m = 0; m < mg; m++)
			for (c = 0; c < cg; c++) {
				const float *k3 = w + ((g * mg + m) * cg + c) * 9;
				double gk[6][3];
				for (i = 0; i < 6; i++)	/* G g */
					for (j = 0; j < 3; j++)
						gk[i][j] = G[i][0] * k3[j] + G[i][1] * k3[3 + j] +
							   G[i][2] * k3[6 + j];
				for (i = 0; i < 6; i++)	/* (G g) G^T */
					for (j = 0; j < 6; j++) {
						double t = 0;
						for (a = 0; a < 3; a++)
							t += gk[i][a] * G[j][a];
						u[((i * 6 + j) * mg + m) * cg + c] = (float)t;
					}
			}
		for (xi = 0; xi < 36; xi++)
			onnxcc_f32_prepack(width, kc, mg, cg, u + xi * mg * cg, cg, 1,
					   out + (xi * groups + g) * per);
	}
}

/* prepack: b = {X, out}, p = {width, kc, batches, bstride, m, k, rs, cs}
 *   The run-time form of onnxcc_f32_prepack, for weights that are not
 *   compile-time constants: `batches` matrices, the i-th at element offset
 *   i * bstride of X, packed one after the other (round_up(m, width) k each). */
#define ONNXCC_F32_PREPACK(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t w = p[0], kc = p[1], nb = p[2], bs = p[3], m = p[4], k = p[5], i; \
	const float *X = (const float *)b[0]; \
	float *out = (float *)b[1]; \
	(void)f; \
	for (i = 0; i < nb; i++) \
		onnxcc_f32_prepack(w, kc, m, k, X + i * bs, p[6], p[7], \
				   out + i * onnxcc_round_up(m, w) * k); \
}

/* prepack_splat: b = {out}, p = {width, kc, batches, m, k}, f = {x}
 *   What prepack makes of `batches` m x k matrices whose elements are all x
 *   (a splat constant, as ConstantOfShape gives): x, and 0 in padding rows. */
ONNXCC_HELPER float *onnxcc_f32_prepack_splat(int64_t w, int64_t kc, int64_t nb, int64_t m,
	int64_t k, float x, float *out)
{
	int64_t mp = onnxcc_round_up(m, w), i, i0, r, kk, n, done;
	for (i = 0; i < nb; i++)
		for (kk = 0; kk < k; kk += kc)
			for (i0 = 0; i0 < mp; i0 += w, out += n) {
				n = (k - kk < kc ? k - kk : kc) * w;
				if (!n)
					continue;
				/* one step of the panel, then copies doubling in length */
				for (r = 0; r < w; r++)
					out[r] = i0 + r < m ? x : 0.0f;
				for (done = w; done < n; done *= 2)
					memcpy(out + done, out,
					       (size_t)(n - done < done ? n - done : done) * sizeof(float));
			}
	return out;
}
#define ONNXCC_F32_PREPACK_SPLAT(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	(void)onnxcc_f32_prepack_splat(p[0], p[1], p[2], p[3], p[4], (float)f[0], (float *)b[0]); \
}

/* wino_splat: b = {out}, p = {width, kc, groups, m, k}, f = {x}
 *   The Winograd weights (ONNXCC_CONV_WINO) of `groups` groups of an m x k x
 *   3 x 3 kernel whose elements are all x: point (i, j)'s matrices are all
 *   x s_i s_j, s the row sums of G. */
#define ONNXCC_F32_WINO_SPLAT(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	static const double s[6] = {ONNXCC_WINO_G(ONNXCC_WINO_ROWSUM)}; \
	float *out = (float *)b[0]; \
	int xi; \
	for (xi = 0; xi < 36; xi++) \
		out = onnxcc_f32_prepack_splat(p[0], p[1], p[2], p[3], p[4], \
					       (float)(f[0] * s[xi / 6] * s[xi % 6]), out); \
}
#define ONNXCC_WINO_ROWSUM(a, b, c) (a) + (b) + (c),

/* The tile epilogue in plain C, from the accumulated tile t (MR x NR, row-major,
 * `ld` apart): Y (+)= t, the last K block applying alpha and beta C. */
ONNXCC_HELPER void onnxcc_f32_tile_store(const float *t, int64_t ld, int64_t mr, int64_t nr,
	float *Y, int64_t rsy, int64_t csy, int first, int last, const float *C, int64_t rsc,
	int64_t csc, float alpha, float beta)
{
	int64_t r, c;
	for (r = 0; r < mr; r++)
		for (c = 0; c < nr; c++) {
			float *y = Y + r * rsy + c * csy, v = t[r * ld + c];
			if (!first)
				v += *y;
			if (last) {
				if (alpha != 1)
					v = alpha * v;
				if (C)
					v += beta == 1 ? C[r * rsc + c * csc] : beta * C[r * rsc + c * csc];
			}
			*y = v;
		}
}

/* A micro-kernel: the MR x NR tile from A's packed panel a (MR floats a step)
 * and B's panel b, whose steps are ldb floats apart (NR when packed, B's row
 * stride when the driver reads it in place); stored as onnxcc_f32_tile_store.
 * Each ISA's is one body (NAME_core) made twice: onnxcc_f32_ukr_ISA, and
 * onnxcc_f32_ukr_ind_ISA, whose step k of B is at b + boff[k] instead
 * (onnxcc_f32_igemm); the body's branch on boff folds away in each.
 * The x86 kernels' fast path (a whole tile, contiguous rows) also applies the
 * cheap epilogues in registers on the last K block: + R (laid out as Y, R
 * at the tile), then Relu if relu; they return 1 when they did.  Otherwise
 * (0) the driver runs the epilogue on the stored tile.
 * The portable micro-kernel: the same panels, plain C. */
/* The steps of a micro-kernel: BODY with bk at B's step k, a at A's. */
#define ONNXCC_UKR_STEPS(MR, BODY) \
	if (boff) \
		for (k = 0; k < kc; k++, a += MR) { \
			const float *bk = b + boff[k]; \
			BODY \
		} \
	else \
		for (k = 0; k < kc; k++, a += MR, b += ldb) { \
			const float *bk = b; \
			BODY \
		}
/* The two micro-kernels from body NAME_core (TARGET: the ISA's attribute). */
#define ONNXCC_UKR_PAIR(NAME, INAME, TARGET) \
TARGET ONNXCC_SIMD_FN int NAME(int64_t kc, const float *a, const float *b, int64_t ldb, \
	float *Y, int64_t rsy, int64_t csy, int64_t mr, int64_t nr, int first, int last, \
	const float *C, int64_t rsc, int64_t csc, float alpha, float beta, const float *R, int relu) \
{ \
	return NAME##_core(kc, a, b, ldb, (const int64_t *)0, Y, rsy, csy, mr, nr, first, last, \
			   C, rsc, csc, alpha, beta, R, relu); \
} \
TARGET ONNXCC_SIMD_FN int INAME(int64_t kc, const float *a, const float *b, \
	const int64_t *boff, float *Y, int64_t rsy, int64_t csy, int64_t mr, int64_t nr, int first, \
	int last, const float *C, int64_t rsc, int64_t csc, float alpha, float beta, \
	const float *R, int relu) \
{ \
	return NAME##_core(kc, a, b, 0, boff, Y, rsy, csy, mr, nr, first, last, C, rsc, csc, \
			   alpha, beta, R, relu); \
}
#define ONNXCC_F32_UKR_C(NAME, INAME, MR, NR) \
ONNXCC_SIMD_INLINE int NAME##_core(int64_t kc, const float *a, const float *b, int64_t ldb, \
	const int64_t *boff, float *Y, int64_t rsy, int64_t csy, int64_t mr, int64_t nr, int first, \
	int last, const float *C, int64_t rsc, int64_t csc, float alpha, float beta, const float *R, \
	int relu) \
{ \
	float t[MR * NR]; \
	int64_t k, r, c; \
	for (r = 0; r < MR * NR; r++) \
		t[r] = 0; \
	ONNXCC_UKR_STEPS(MR, for (r = 0; r < MR; r++) \
				     for (c = 0; c < NR; c++) \
					     t[r * NR + c] += a[r] * bk[c];) \
	onnxcc_f32_tile_store(t, NR, mr, nr, Y, rsy, csy, first, last, C, rsc, csc, alpha, beta); \
	(void)R; \
	(void)relu; \
	return 0; \
} \
ONNXCC_UKR_PAIR(NAME, INAME, )

#if ONNXCC_SIMD_X86

/* One row r of an x86 tile: the epilogue of vector accumulator ACC (columns
 * [16 V, 16 V + W) of the tile; W floats per vector).  The fast path of the
 * micro-kernels below: a whole tile, Y rows contiguous, C absent, a row
 * broadcast (csc 0) or contiguous (csc 1). */
#define ONNXCC_X86_STORE(VT, LOAD, STORE, ADD, MUL, SET1, MAX, ACC, r, col) \
	{ \
		float *y_ = Y + (r) * rsy + (col); \
		VT v_ = ACC; \
		if (!first) \
			v_ = ADD(v_, LOAD(y_)); \
		if (last) { \
			if (alpha != 1) \
				v_ = MUL(v_, SET1(alpha)); \
			if (C) { \
				VT c_ = csc ? LOAD(C + (r) * rsc + (col)) : SET1(C[(r) * rsc]); \
				v_ = ADD(v_, beta == 1 ? c_ : MUL(c_, SET1(beta))); \
			} \
			if (R) \
				v_ = ADD(v_, LOAD(R + (r) * rsy + (col))); \
			if (relu) /* NaN: max returns its second operand, 0 */ \
				v_ = MAX(v_, SET1(0.0f)); \
		} \
		STORE(y_, v_); \
	}

/* AVX2 + FMA, 6 x 16: accumulators c<r>0, c<r>1 (columns 0-7, 8-15) for rows 0-5. */
#define ONNXCC_AVX2_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define ONNXCC_AVX2_DECL(r) __m256 c##r##0 = _mm256_setzero_ps(), c##r##1 = _mm256_setzero_ps();
#define ONNXCC_AVX2_FMA(r) \
	{ \
		__m256 a_ = _mm256_broadcast_ss(a + r); \
		c##r##0 = _mm256_fmadd_ps(a_, b0, c##r##0); \
		c##r##1 = _mm256_fmadd_ps(a_, b1, c##r##1); \
	}
#define ONNXCC_AVX2_SPILL(r) \
	_mm256_storeu_ps(t + r * 16, c##r##0); \
	_mm256_storeu_ps(t + r * 16 + 8, c##r##1);
#define ONNXCC_AVX2_STORE(r) \
	ONNXCC_X86_STORE(__m256, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_add_ps, _mm256_mul_ps, \
			 _mm256_set1_ps, _mm256_max_ps, c##r##0, r, 0) \
	ONNXCC_X86_STORE(__m256, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_add_ps, _mm256_mul_ps, \
			 _mm256_set1_ps, _mm256_max_ps, c##r##1, r, 8)

ONNXCC_TARGET_AVX2 ONNXCC_SIMD_INLINE int onnxcc_f32_ukr_avx2_core(int64_t kc,
	const float *a, const float *b, int64_t ldb, const int64_t *boff, float *Y, int64_t rsy,
	int64_t csy, int64_t mr, int64_t nr, int first, int last, const float *C, int64_t rsc,
	int64_t csc, float alpha, float beta, const float *R, int relu)
{
	ONNXCC_AVX2_ROWS(ONNXCC_AVX2_DECL)
	int64_t k;
	ONNXCC_UKR_STEPS(6, __m256 b0 = _mm256_loadu_ps(bk); __m256 b1 = _mm256_loadu_ps(bk + 8);
			    ONNXCC_AVX2_ROWS(ONNXCC_AVX2_FMA))
	if (mr == 6 && nr == 16 && csy == 1 && (!last || !C || csc <= 1)) {
		ONNXCC_AVX2_ROWS(ONNXCC_AVX2_STORE)
		return 1;
	} else {
		float t[6 * 16];
		ONNXCC_AVX2_ROWS(ONNXCC_AVX2_SPILL)
		onnxcc_f32_tile_store(t, 16, mr, nr, Y, rsy, csy, first, last, C, rsc, csc, alpha, beta);
		return 0;
	}
}
ONNXCC_UKR_PAIR(onnxcc_f32_ukr_avx2, onnxcc_f32_ukr_ind_avx2, ONNXCC_TARGET_AVX2)

/* AVX-512F, 8 x 32: accumulators c<r>0, c<r>1 (columns 0-15, 16-31) for rows 0-7. */
#define ONNXCC_AVX512_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define ONNXCC_AVX512_ROWS4(X) X(0) X(1) X(2) X(3)
#define ONNXCC_AVX512_DECL(r) __m512 c##r##0 = _mm512_setzero_ps(), c##r##1 = _mm512_setzero_ps();
#define ONNXCC_AVX512_FMA(r) \
	{ \
		__m512 a_ = _mm512_set1_ps(a[r]); \
		c##r##0 = _mm512_fmadd_ps(a_, b0, c##r##0); \
		c##r##1 = _mm512_fmadd_ps(a_, b1, c##r##1); \
	}
#define ONNXCC_AVX512_SPILL(r) \
	_mm512_storeu_ps(t + r * 32, c##r##0); \
	_mm512_storeu_ps(t + r * 32 + 16, c##r##1);
#define ONNXCC_AVX512_STORE(r) \
	ONNXCC_X86_STORE(__m512, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_add_ps, _mm512_mul_ps, \
			 _mm512_set1_ps, _mm512_max_ps, c##r##0, r, 0) \
	ONNXCC_X86_STORE(__m512, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_add_ps, _mm512_mul_ps, \
			 _mm512_set1_ps, _mm512_max_ps, c##r##1, r, 16)

#define ONNXCC_AVX512_FMA_HALF(r) c##r##0 = _mm512_fmadd_ps(_mm512_set1_ps(a[r]), b0, c##r##0);
#define ONNXCC_AVX512_SPILL_HALF(r) _mm512_storeu_ps(t + r * 16, c##r##0);
#define ONNXCC_AVX512_DECL_24(r) __m256 e##r = _mm256_setzero_ps();
#define ONNXCC_AVX512_FMA_24(r) \
	{ \
		__m512 a_ = _mm512_set1_ps(a[r]); \
		c##r##0 = _mm512_fmadd_ps(a_, b0, c##r##0); \
		e##r = _mm256_fmadd_ps(_mm512_castps512_ps256(a_), b1, e##r); \
	}
#define ONNXCC_AVX512_SPILL_24(r) \
	_mm512_storeu_ps(t + r * 24, c##r##0); \
	_mm256_storeu_ps(t + r * 24 + 16, e##r);

ONNXCC_TARGET_AVX512F ONNXCC_SIMD_INLINE int onnxcc_f32_ukr_avx512f_core(int64_t kc,
	const float *a, const float *b, int64_t ldb, const int64_t *boff, float *Y, int64_t rsy,
	int64_t csy, int64_t mr, int64_t nr, int first, int last, const float *C, int64_t rsc,
	int64_t csc, float alpha, float beta, const float *R, int relu)
{
	ONNXCC_AVX512_ROWS(ONNXCC_AVX512_DECL)
	int64_t k;
	if (nr <= 16) {	/* a panel's last 16 columns or fewer: half the products */
		float t[8 * 16];
		ONNXCC_UKR_STEPS(8, __m512 b0 = _mm512_loadu_ps(bk);
				    ONNXCC_AVX512_ROWS(ONNXCC_AVX512_FMA_HALF))
		ONNXCC_AVX512_ROWS(ONNXCC_AVX512_SPILL_HALF)
		onnxcc_f32_tile_store(t, 16, mr, nr, Y, rsy, csy, first, last, C, rsc, csc, alpha, beta);
		return 0;
	}
	if (nr <= 24 && mr > 4) {	/* 17 to 24 columns: a zmm and a ymm a row, three
					 * quarters of the products where a ymm FMA is half a
					 * zmm one (Zen 4; a 13 x 13 image's Winograd tiles
					 * are 20 slots); 4 rows or fewer: 4 x 32 below */
		float t[8 * 24];
		ONNXCC_AVX512_ROWS(ONNXCC_AVX512_DECL_24)
		ONNXCC_UKR_STEPS(8, __m512 b0 = _mm512_loadu_ps(bk); __m256 b1 = _mm256_loadu_ps(bk + 16);
				    ONNXCC_AVX512_ROWS(ONNXCC_AVX512_FMA_24))
		ONNXCC_AVX512_ROWS(ONNXCC_AVX512_SPILL_24)
		onnxcc_f32_tile_store(t, 24, mr, nr, Y, rsy, csy, first, last, C, rsc, csc, alpha, beta);
		return 0;
	}
	if (mr <= 4) {	/* a last tile of 4 rows or fewer (7 x 7 = 6 x 8 + 1 positions) */
		float t[4 * 32];
		ONNXCC_UKR_STEPS(8, __m512 b0 = _mm512_loadu_ps(bk); __m512 b1 = _mm512_loadu_ps(bk + 16);
				    ONNXCC_AVX512_ROWS4(ONNXCC_AVX512_FMA))
		ONNXCC_AVX512_ROWS4(ONNXCC_AVX512_SPILL)
		onnxcc_f32_tile_store(t, 32, mr, nr, Y, rsy, csy, first, last, C, rsc, csc, alpha, beta);
		return 0;
	}
	ONNXCC_UKR_STEPS(8, __m512 b0 = _mm512_loadu_ps(bk); __m512 b1 = _mm512_loadu_ps(bk + 16);
			    ONNXCC_AVX512_ROWS(ONNXCC_AVX512_FMA))
	if (mr == 8 && nr == 32 && csy == 1 && (!last || !C || csc <= 1)) {
		ONNXCC_AVX512_ROWS(ONNXCC_AVX512_STORE)
		return 1;
	} else {
		float t[8 * 32];
		ONNXCC_AVX512_ROWS(ONNXCC_AVX512_SPILL)
		onnxcc_f32_tile_store(t, 32, mr, nr, Y, rsy, csy, first, last, C, rsc, csc, alpha, beta);
		return 0;
	}
}
ONNXCC_UKR_PAIR(onnxcc_f32_ukr_avx512f, onnxcc_f32_ukr_ind_avx512f, ONNXCC_TARGET_AVX512F)

#else
ONNXCC_F32_UKR_C(onnxcc_f32_ukr_avx2, onnxcc_f32_ukr_ind_avx2, 6, 16)
ONNXCC_F32_UKR_C(onnxcc_f32_ukr_avx512f, onnxcc_f32_ukr_ind_avx512f, 8, 32)
#endif

#if ONNXCC_SIMD_NEON

/* AArch64 Advanced SIMD, 8 x 12: accumulators c<r>0..c<r>2 (columns 0-3, 4-7,
 * 8-11) for rows 0-7; row r's A value is lane L of register AV (a0: rows 0-3,
 * a1: rows 4-7), multiplied in by vfmaq_laneq_f32 without a broadcast. */
#define ONNXCC_NEON_ROWS(X) X(0, a0, 0) X(1, a0, 1) X(2, a0, 2) X(3, a0, 3) \
	X(4, a1, 0) X(5, a1, 1) X(6, a1, 2) X(7, a1, 3)
#define ONNXCC_NEON_DECL(r, AV, L) \
	float32x4_t c##r##0 = vdupq_n_f32(0), c##r##1 = vdupq_n_f32(0), c##r##2 = vdupq_n_f32(0);
#define ONNXCC_NEON_FMA(r, AV, L) \
	c##r##0 = vfmaq_laneq_f32(c##r##0, b0, AV, L); \
	c##r##1 = vfmaq_laneq_f32(c##r##1, b1, AV, L); \
	c##r##2 = vfmaq_laneq_f32(c##r##2, b2, AV, L);
#define ONNXCC_NEON_SPILL(r, AV, L) \
	vst1q_f32(t + r * 12, c##r##0); \
	vst1q_f32(t + r * 12 + 4, c##r##1); \
	vst1q_f32(t + r * 12 + 8, c##r##2);
/* The epilogue of accumulator ACC (row r, columns [col, col + 4)), as
 * onnxcc_f32_tile_store computes it (alpha v, then + beta C, unfused). */
#define ONNXCC_NEON_STORE1(ACC, r, col) \
	{ \
		float *y_ = Y + (r) * rsy + (col); \
		float32x4_t v_ = ACC; \
		if (!first) \
			v_ = vaddq_f32(v_, vld1q_f32(y_)); \
		if (last) { \
			if (alpha != 1) \
				v_ = vmulq_n_f32(v_, alpha); \
			if (C) { \
				float32x4_t c_ = csc ? vld1q_f32(C + (r) * rsc + (col)) \
						     : vdupq_n_f32(C[(r) * rsc]); \
				v_ = vaddq_f32(v_, beta == 1 ? c_ : vmulq_n_f32(c_, beta)); \
			} \
		} \
		vst1q_f32(y_, v_); \
	}
#define ONNXCC_NEON_STORE(r, AV, L) \
	ONNXCC_NEON_STORE1(c##r##0, r, 0) \
	ONNXCC_NEON_STORE1(c##r##1, r, 4) \
	ONNXCC_NEON_STORE1(c##r##2, r, 8)

ONNXCC_SIMD_INLINE int onnxcc_f32_ukr_neon_core(int64_t kc, const float *a, const float *b, int64_t ldb,
	const int64_t *boff, float *Y, int64_t rsy, int64_t csy, int64_t mr, int64_t nr, int first,
	int last, const float *C, int64_t rsc, int64_t csc, float alpha, float beta, const float *R,
	int relu)
{
	ONNXCC_NEON_ROWS(ONNXCC_NEON_DECL)
	int64_t k;
	ONNXCC_UKR_STEPS(8, float32x4_t a0 = vld1q_f32(a); float32x4_t a1 = vld1q_f32(a + 4);
			    float32x4_t b0 = vld1q_f32(bk); float32x4_t b1 = vld1q_f32(bk + 4);
			    float32x4_t b2 = vld1q_f32(bk + 8); ONNXCC_NEON_ROWS(ONNXCC_NEON_FMA))
	if (mr == 8 && nr == 12 && csy == 1 && (!last || !C || csc <= 1)) {
		ONNXCC_NEON_ROWS(ONNXCC_NEON_STORE)
	} else {
		float t[8 * 12];
		ONNXCC_NEON_ROWS(ONNXCC_NEON_SPILL)
		onnxcc_f32_tile_store(t, 12, mr, nr, Y, rsy, csy, first, last, C, rsc, csc, alpha, beta);
	}
	(void)R;	/* the driver runs the epilogue */
	(void)relu;
	return 0;
}
ONNXCC_UKR_PAIR(onnxcc_f32_ukr_neon, onnxcc_f32_ukr_ind_neon, ONNXCC_TARGET_NEON)

#else
ONNXCC_F32_UKR_C(onnxcc_f32_ukr_neon, onnxcc_f32_ukr_ind_neon, 8, 12)
#endif

/* The epilogue (linalg.h) of the float32 tile at row i, column j of Y: a whole
 * MR x NR tile with contiguous rows takes rows of constant length, which the
 * compiler vectorizes in full. */
ONNXCC_GEMM_EPI(onnxcc_f32_epi, float)
ONNXCC_EPI_INLINE void onnxcc_f32_epi_tile(const onnxcc_gemm_args *g, int64_t i, int64_t j,
	int64_t mr, int64_t nr, float *Y, int64_t MR, int64_t NR)
{
	const float *R = (const float *)g->res;
	int64_t off = i * g->rsy + j * g->csy, t;

	if (mr == MR && nr == NR && g->csy == 1) {
		for (t = 0; t < MR; t++)
			onnxcc_f32_epi_row(g->act, g->act_a, g->act_b, Y + off + t * g->rsy,
					   R ? R + off + t * g->rsy : R, NR);
		return;
	}
	onnxcc_f32_epi(g, Y + off, R ? R + off : R, mr, nr);
}

/* The driver of one ISA: Y = alpha op(A) op(B) + beta C (C may be NULL), K > 0,
 * then g's epilogue, applied to each micro-tile right after its last K block.
 * pa / pb: A / B prepacked (onnxcc_f32_prepack with this ISA's MR / NR and KC),
 * or NULL to pack into scratch (onnxcc_f32_gemm_scratch floats). */
/* B's row stride (floats) up to which a driver reads whole panels of B in
 * place instead of packing them: farther apart, packing is faster when many
 * row tiles read each panel, but not with up to ONNXCC_GEMM_DIRECT_M rows
 * of A (on Zen 4, 64 x 256 by 256 x 3136: 1.01 ms packed, 0.94 in place;
 * 512 x 256 by 256 x 3136: 7.6 packed, 7.9 in place). */
#ifndef ONNXCC_GEMM_DIRECT_LD
#define ONNXCC_GEMM_DIRECT_LD 1024
#endif
#ifndef ONNXCC_GEMM_DIRECT_M
#define ONNXCC_GEMM_DIRECT_M 128
#endif
/* B blocks (kc x nc) of up to this many floats stay in L2 while every row
 * panel of A passes over them, so the driver takes the row panels outside:
 * Y is then written MR rows at a time rather than mc, few streams to memory
 * (squeezenet's 3 -> 64 stem, 27 x 12321 positions: 1.07 -> 0.78 ms with the
 * caches flushed, the same warm).  Bigger blocks take B's panels outside,
 * each in L1 for all of A's. */
#ifndef ONNXCC_GEMM_ROWS_OUTER
#define ONNXCC_GEMM_ROWS_OUTER 65536
#endif
#define ONNXCC_F32_GEMM_DRIVER(ISA, TARGET, MR, NR, KC, MC, NC) \
TARGET ONNXCC_SIMD_FN void onnxcc_f32_gemm_##ISA(const onnxcc_gemm_args *g, \
	const float *A, const float *B, const float *C, float *Y, float alpha, float beta, \
	const float *pa, const float *pb, float *scratch) \
{ \
	int64_t m = g->m, n = g->n, k = g->k, mp = onnxcc_round_up(m, MR); \
	int64_t np = onnxcc_round_up(n, NR), jc, pc, ic, jr, ir, o, q; \
	float *ap = scratch, *bp = scratch + (pa ? 0 : onnxcc_round_up(m < MC ? m : MC, MR) * \
					    (k < KC ? k : KC)); \
	/* B's rows contiguous, and close together or few rows of A: whole \
	 * panels are read where they are (ldb = rsb), only a last partial one \
	 * is packed */ \
	int direct = !pb && g->csb == 1 && \
		     (g->rsb <= ONNXCC_GEMM_DIRECT_LD || m <= ONNXCC_GEMM_DIRECT_M); \
	/* the epilogues the micro-kernel applies in registers (R, then Relu) */ \
	int epi_reg = g->act == ONNXCC_ACT_NONE || g->act == ONNXCC_ACT_RELU; \
	const float *R = epi_reg ? (const float *)g->res : (const float *)0; \
	int ro = (k < KC ? k : KC) * (n < NC ? n : NC) <= ONNXCC_GEMM_ROWS_OUTER; \
	for (jc = 0; jc < n; jc += NC) { \
		int64_t nc = n - jc < NC ? n - jc : NC, nfull = nc / NR * NR; \
		for (pc = 0; pc < k; pc += KC) { \
			int64_t kc = k - pc < KC ? k - pc : KC; \
			int first = pc == 0, last = pc + kc >= k; \
			const float *bb = pb ? pb + pc * np + jc * kc : bp; \
			if (direct && nfull < nc) \
				onnxcc_f32_pack(NR, nc - nfull, kc, B + pc * g->rsb + jc + nfull, 1, \
						g->rsb, bp); \
			else if (!pb && !direct) \
				onnxcc_f32_pack(NR, nc, kc, B + pc * g->rsb + jc * g->csb, g->csb, \
						g->rsb, bp); \
			for (ic = 0; ic < m; ic += MC) { \
				int64_t mc = m - ic < MC ? m - ic : MC; \
				const float *aa = pa ? pa + pc * mp + ic * kc : ap; \
				if (!pa) \
					onnxcc_f32_pack(MR, mc, kc, A + ic * g->rsa + pc * g->csa, \
							g->rsa, g->csa, ap); \
				for (o = 0; o < (ro ? mc : nc); o += ro ? MR : NR) \
					for (q = 0; q < (ro ? nc : mc); q += ro ? NR : MR) { \
						int64_t i, j; \
						int inplace, done; \
						ir = ro ? o : q; \
						jr = ro ? q : o; \
						i = ic + ir; \
						j = jc + jr; \
						inplace = direct && jr < nfull; \
						done = onnxcc_f32_ukr_##ISA(kc, aa + ir * kc, \
							inplace ? B + pc * g->rsb + j : \
							direct ? bp : bb + jr * kc, \
							inplace ? g->rsb : NR, \
							Y + i * g->rsy + j * g->csy, g->rsy, g->csy, \
							mc - ir < MR ? mc - ir : MR, \
							nc - jr < NR ? nc - jr : NR, first, last, \
							C ? C + i * g->rsc + j * g->csc : C, g->rsc, \
							g->csc, alpha, beta, \
							epi_reg && R ? R + i * g->rsy + j * g->csy : R, \
							epi_reg && g->act == ONNXCC_ACT_RELU); \
						if (last && (g->act || g->res) && !(epi_reg && done)) \
							onnxcc_f32_epi_tile(g, i, j, \
								mc - ir < MR ? mc - ir : MR, \
								nc - jr < NR ? nc - jr : NR, Y, MR, NR); \
					} \
			} \
		} \
	} \
	(void)mp; \
	(void)np; \
}

ONNXCC_F32_GEMM_DRIVER(avx2, ONNXCC_TARGET_AVX2, ONNXCC_AVX2_MR, ONNXCC_AVX2_NR, ONNXCC_AVX2_KC,
		       ONNXCC_AVX2_MC, ONNXCC_AVX2_NC)
ONNXCC_F32_GEMM_DRIVER(avx512f, ONNXCC_TARGET_AVX512F, ONNXCC_AVX512F_MR, ONNXCC_AVX512F_NR,
		       ONNXCC_AVX512F_KC, ONNXCC_AVX512F_MC, ONNXCC_AVX512F_NC)
ONNXCC_F32_GEMM_DRIVER(neon, ONNXCC_TARGET_NEON, ONNXCC_NEON_MR, ONNXCC_NEON_NR, ONNXCC_NEON_KC, ONNXCC_NEON_MC,
		       ONNXCC_NEON_NC)

/* The indirect product of one ISA: Y (g->m x g->n, row stride g->rsy) = A B
 * + C (g->rsc, g->csc; C may be NULL), A prepacked (onnxcc_f32_prepack with
 * MR and KC), B read where it lies with no packing: its row k at B + boff[k],
 * columns contiguous (ONNXCC_CONV_PLANE's planes, one tap a row).  Every
 * panel is read whole: columns up to round_up(n, NR) must be readable, and
 * those past n are never stored.  No epilogue. */
#define ONNXCC_F32_IGEMM_DRIVER(ISA, TARGET, MR, NR, KC, MC) \
TARGET ONNXCC_SIMD_FN void onnxcc_f32_igemm_##ISA(const onnxcc_gemm_args *g, const float *pa, \
	const float *B, const int64_t *boff, const float *C, float *Y) \
{ \
	int64_t m = g->m, n = g->n, k = g->k, mp = onnxcc_round_up(m, MR), pc, ic, jr, ir; \
	for (pc = 0; pc < k; pc += KC) { \
		int64_t kc = k - pc < KC ? k - pc : KC; \
		for (ic = 0; ic < m; ic += MC) \
			for (jr = 0; jr < n; jr += NR) \
				for (ir = ic; ir < m && ir < ic + MC; ir += MR) \
					onnxcc_f32_ukr_ind_##ISA(kc, pa + pc * mp + ir * kc, B + jr, \
						boff + pc, Y + ir * g->rsy + jr, g->rsy, 1, \
						m - ir < MR ? m - ir : MR, n - jr < NR ? n - jr : NR, \
						pc == 0, pc + kc >= k, C ? C + ir * g->rsc + jr * g->csc : C, \
						g->rsc, g->csc, 1.0f, 1.0f, (const float *)0, 0); \
	} \
}

ONNXCC_F32_IGEMM_DRIVER(avx2, ONNXCC_TARGET_AVX2, ONNXCC_AVX2_MR, ONNXCC_AVX2_NR, ONNXCC_AVX2_KC,
			ONNXCC_AVX2_MC)
ONNXCC_F32_IGEMM_DRIVER(avx512f, ONNXCC_TARGET_AVX512F, ONNXCC_AVX512F_MR, ONNXCC_AVX512F_NR,
			ONNXCC_AVX512F_KC, ONNXCC_AVX512F_MC)
ONNXCC_F32_IGEMM_DRIVER(neon, ONNXCC_TARGET_NEON, ONNXCC_NEON_MR, ONNXCC_NEON_NR, ONNXCC_NEON_KC,
			ONNXCC_NEON_MC)

#define ONNXCC_NR_avx2 ONNXCC_AVX2_NR
#define ONNXCC_NR_avx512f ONNXCC_AVX512F_NR
#define ONNXCC_NR_neon ONNXCC_NEON_NR
/* The rest of an ISA's blocking, by ISA name (the threaded wrapper's scratch). */
#define ONNXCC_MR_avx2 ONNXCC_AVX2_MR
#define ONNXCC_KC_avx2 ONNXCC_AVX2_KC
#define ONNXCC_MC_avx2 ONNXCC_AVX2_MC
#define ONNXCC_NC_avx2 ONNXCC_AVX2_NC
#define ONNXCC_MR_avx512f ONNXCC_AVX512F_MR
#define ONNXCC_KC_avx512f ONNXCC_AVX512F_KC
#define ONNXCC_MC_avx512f ONNXCC_AVX512F_MC
#define ONNXCC_NC_avx512f ONNXCC_AVX512F_NC
#define ONNXCC_MR_neon ONNXCC_NEON_MR
#define ONNXCC_KC_neon ONNXCC_NEON_KC
#define ONNXCC_MC_neon ONNXCC_NEON_MC
#define ONNXCC_NC_neon ONNXCC_NEON_NC

/* A product of one ISA with the edge cases of linalg.h's core: nothing to do,
 * K = 0 (Y = beta C), and a single row with B's rows contiguous (left to the
 * portable row kernel: memory bound) unless B is prepacked.  With fewer
 * columns than a tile and more rows, it computes the transpose (unless an
 * operand is prepacked), so that the tile is not mostly padding. */
#define ONNXCC_F32_GEMM_ISA(NAME, ISA) \
ONNXCC_GEMM_CORE(NAME##_core, float, float) \
static inline void NAME(const onnxcc_gemm_args *g, const float *A, const float *B, \
	const float *C, float *Y, float alpha, float beta, const float *pa, const float *pb, \
	float *scratch) \
{ \
	if (g->m == 0 || g->n == 0) \
		return; \
	if (g->k == 0 || (!pa && !pb && g->m == 1 && g->csb == 1 && g->csy == 1)) { \
		NAME##_core(g, A, B, C, Y, alpha, beta); \
		return; \
	} \
	if (!pa && !pb && g->n < ONNXCC_NR_##ISA && g->m > g->n) { \
		onnxcc_gemm_args t; \
		t.m = g->n; t.n = g->m; t.k = g->k; \
		t.rsa = g->csb; t.csa = g->rsb; t.rsb = g->csa; t.csb = g->rsa; \
		t.rsc = g->csc; t.csc = g->rsc; t.rsy = g->csy; t.csy = g->rsy; \
		t.act = g->act; t.act_a = g->act_a; t.act_b = g->act_b; t.res = g->res; \
		onnxcc_f32_gemm_##ISA(&t, B, A, C, Y, alpha, beta, pa, pb, scratch); \
		return; \
	} \
	onnxcc_f32_gemm_##ISA(g, A, B, C, Y, alpha, beta, pa, pb, scratch); \
}

/* Threads (onnxcc --threads, onnxcc_parallel in onnxcc_rt.h): a product cut
 * into one sub-product per thread, each on its own scratch (the compiler
 * sizes the scratch tensor for ONNXCC_NTHREADS times the single product's
 * onnxcc_f32_gemm_scratch).  The cut is along N (split = 1: columns of B, Y
 * and C, each share a whole number of NR panels) or M (split = 0: rows of A,
 * Y and C, whole MR panels): the one whose operand every thread packs again
 * is the smaller (A for an N cut, B for an M cut).  A prepacked A cannot be
 * cut along M, nor a prepacked B along N unless K fits one KC block (the
 * packed panel j0 then sits at j0 K).  Small products stay on one thread. */
typedef struct onnxcc_gemm_job {
	const onnxcc_gemm_args *g;
	const float *A, *B, *C, *pa, *pb;
	float *Y, *scratch;
	float alpha, beta;
	int64_t stride; /* scratch floats per thread */
	int split;      /* 0: M, 1: N */
} onnxcc_gemm_job;

#ifndef ONNXCC_GEMM_PAR_MIN
#define ONNXCC_GEMM_PAR_MIN ((int64_t)1 << 19) /* m n k of the smallest threaded product */
#endif

/* NAME: the threaded form of ONNXCC_F32_GEMM_ISA's product (made here as NAME_st);
 * a task's share of Y, C and the residual start at the same offset. */
#define ONNXCC_F32_GEMM_PAR(NAME, ISA) \
ONNXCC_F32_GEMM_ISA(NAME##_st, ISA) \
static void NAME##_task(void *ctx, int64_t t, int64_t nt) \
{ \
	const onnxcc_gemm_job *j = (const onnxcc_gemm_job *)ctx; \
	const onnxcc_gemm_args *g = j->g; \
	onnxcc_gemm_args s = *g; \
	int64_t lo, hi; \
	if (j->split) { \
		onnxcc_share(g->n, ONNXCC_NR_##ISA, t, nt, &lo, &hi); \
		if (lo >= hi) \
			return; \
		s.n = hi - lo; \
		s.res = g->res ? (const float *)g->res + lo * g->csy : g->res; \
		NAME##_st(&s, j->A, j->pb ? j->B : j->B + lo * g->csb, \
			  j->C ? j->C + lo * g->csc : j->C, j->Y + lo * g->csy, j->alpha, j->beta, \
			  j->pa, j->pb ? j->pb + lo * g->k : j->pb, j->scratch + t * j->stride); \
	} else { \
		onnxcc_share(g->m, ONNXCC_MR_##ISA, t, nt, &lo, &hi); \
		if (lo >= hi) \
			return; \
		s.m = hi - lo; \
		s.res = g->res ? (const float *)g->res + lo * g->rsy : g->res; \
		NAME##_st(&s, j->A + lo * g->rsa, j->B, j->C ? j->C + lo * g->rsc : j->C, \
			  j->Y + lo * g->rsy, j->alpha, j->beta, j->pa, j->pb, \
			  j->scratch + t * j->stride); \
	} \
} \
static inline void NAME(const onnxcc_gemm_args *g, const float *A, const float *B, \
	const float *C, float *Y, float alpha, float beta, const float *pa, const float *pb, \
	float *scratch) \
{ \
	onnxcc_gemm_job j; \
	int64_t um = (g->m + ONNXCC_MR_##ISA - 1) / ONNXCC_MR_##ISA; \
	int64_t un = (g->n + ONNXCC_NR_##ISA - 1) / ONNXCC_NR_##ISA; \
	int cut_m = !pa && um >= 2, cut_n = (!pb || g->k <= ONNXCC_KC_##ISA) && un >= 2; \
	if (ONNXCC_NTHREADS == 1 || g->m * g->n * g->k < ONNXCC_GEMM_PAR_MIN || \
	    (!cut_m && !cut_n)) { \
		NAME##_st(g, A, B, C, Y, alpha, beta, pa, pb, scratch); \
		return; \
	} \
	j.g = g; j.A = A; j.B = B; j.C = C; j.pa = pa; j.pb = pb; j.Y = Y; j.scratch = scratch; \
	j.alpha = alpha; j.beta = beta; \
	j.split = cut_n && (!cut_m || (g->m <= g->n && un >= ONNXCC_NTHREADS) || \
			    um < ONNXCC_NTHREADS); \
	j.stride = onnxcc_f32_gemm_scratch(g->m, g->n, g->k, ONNXCC_MR_##ISA, ONNXCC_NR_##ISA, \
		ONNXCC_KC_##ISA, ONNXCC_MC_##ISA, ONNXCC_NC_##ISA, pa != 0, pb != 0); \
	if (j.stride < 1) \
		j.stride = 1; \
	onnxcc_parallel(NAME##_task, &j); \
}

/* The MatMul / Gemm kernel of an ISA: linalg.h's gemm parameters, then
 * p[11 + 3r] = packed_a, p[12 + 3r] = packed_b (A / B is the prepacked
 * constant; only with no batch), then act, has_res (f: alpha, beta, act_a,
 * act_b), and one more buffer after Y: the scratch (then R, has_res). */
#define ONNXCC_F32_GEMM_SIMD(NAME, ISA) \
ONNXCC_F32_GEMM_PAR(NAME##_prod, ISA) \
ONNXCC_KERNEL(NAME) \
{ \
	onnxcc_gemm_args g; \
	int64_t hasc = p[7], r = p[10], nb = 1, i, d, offa, offb; \
	const int64_t *dims = p + 11, *sa = dims + r, *sb = sa + r; \
	int packa = (int)sb[r], packb = (int)sb[r + 1]; \
	const float *A = (const float *)b[0], *B = (const float *)b[1]; \
	const float *C = hasc ? (const float *)b[2] : (const float *)0; \
	float *Y = (float *)b[2 + hasc], *scratch = (float *)b[3 + hasc]; \
	float alpha = (float)f[0], beta = (float)f[1]; \
	g.m = p[0]; g.n = p[1]; g.k = p[2]; \
	g.rsa = p[3]; g.csa = p[4]; g.rsb = p[5]; g.csb = p[6]; g.rsc = p[8]; g.csc = p[9]; \
	g.rsy = g.n; g.csy = 1; \
	onnxcc_gemm_epi_args(&g, sb + r + 2, f + 2); \
	for (i = 0; i < r; i++) \
		nb *= dims[i]; \
	for (i = 0; i < nb; i++) { \
		int64_t j = i; \
		if (sb[r + 3]) \
			g.res = (const float *)b[4 + hasc] + i * g.m * g.n; \
		for (offa = 0, offb = 0, d = r - 1; d >= 0; d--) { \
			offa += (j % dims[d]) * sa[d]; \
			offb += (j % dims[d]) * sb[d]; \
			j /= dims[d]; \
		} \
		NAME##_prod(&g, A + offa, B + offb, C, Y + i * g.m * g.n, alpha, beta, \
			    packa ? A : (const float *)0, packb ? B : (const float *)0, scratch); \
	} \
}

#endif
