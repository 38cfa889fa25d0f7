/* test_gemm_neon.c: the AArch64 NEON float32 GEMM (templates/gemm_simd.h,
 * --cpu neon) against the plain C micro-kernel of the same 8 x 12 tile, the
 * scalar GEMM (linalg.h) and a double-precision reference, on odd shapes:
 * every partial tile, K around KC, M around MC, N around NC, transposes, every
 * broadcast of C, alpha and beta, A or B packed ahead of time.  And the NEON
 * MaxPool (pool.h, f32_maxpool__neon) against the scalar one, bit for bit
 * (NaN, signed zeros, padding, strides 1 to 3, ceil-mode overhangs).  And
 * the padded-plane path of 2-D max and average pooling (stride 1) against
 * the row path: equal values (NaN aside, which tap's zero sign wins aside).
 *
 * Stand-alone (no Check, no compiler library) so that it can be built with a
 * cross compiler and run under qemu-aarch64 (tests/conformance/run_aarch64.sh):
 *   aarch64-linux-gnu-gcc -std=c99 -O2 -Wall -Wextra -Werror -Iruntime_min -Itemplates \
 *       tests/unit/test_gemm_neon.c -lm && qemu-aarch64 -L /usr/aarch64-linux-gnu ./a.out
 * Elsewhere it checks the same drivers with the portable micro-kernel.
 * Exit status 0 when every element matches. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "onnxcc_rt.h"
#include "linalg.h"
#include "gemm_simd.h"
#include "pool.h"

#if defined(__aarch64__) && !ONNXCC_SIMD_NEON
#error "an AArch64 compiler without the NEON micro-kernel"
#endif

ONNXCC_F32_GEMM_ISA(neon_prod, neon)
ONNXCC_GEMM_CORE(scalar_prod, float, float)
ONNXCC_F32_UKR_C(ref_ukr, ref_ukr_ind, 8, 12)
ONNXCC_F32_MAXPOOL_NEON(maxpool_neon)
ONNXCC_MAXPOOL(maxpool_scalar, float)
ONNXCC_AVGPOOL(avgpool_scalar, float)
ONNXCC_GLOBALMAXPOOL(globalmax, float)
ONNXCC_GLOBALAVGPOOL(globalavg, float)

enum { MR = ONNXCC_NEON_MR, NR = ONNXCC_NEON_NR, KC = ONNXCC_NEON_KC };

static unsigned seed = 12345u;
static long checks, failures;

static float *random_floats(int64_t n)
{
	float *x = malloc((size_t)(n ? n : 1) * sizeof(float));
	int64_t i;

	if (!x) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		x[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
	}
	return x;
}

/* got against want, within a tolerance relative to the sum of |terms| (mag). */
static void expect(double got, double want, double mag, const char *what, long i)
{
	checks++;
	if (fabs(got - want) <= 1e-5 * mag + 1e-6)
		return;
	if (failures++ < 20)
		fprintf(stderr, "FAIL %s: element %ld = %.9g, expected %.9g\n", what, i, got, want);
}

/* The micro-kernel alone against the plain C one: an mr x nr corner of a tile,
 * Y with row stride rsy and column stride csy, C none / a row / a column / full. */
static void check_ukr(int64_t kc, int64_t mr, int64_t nr, int64_t csy, int ckind, int first,
		      int last, float alpha, float beta)
{
	float *a = random_floats(kc * MR), *b = random_floats(kc * NR), *c = random_floats(MR * NR);
	float *y0 = random_floats(MR * NR * 2), *y1 = malloc(MR * NR * 2 * sizeof(float));
	int64_t rsy = csy == 1 ? NR + 3 : 1, rsc = ckind >= 2 ? (ckind == 3 ? NR : 1) : 0;
	int64_t csc = ckind == 1 || ckind == 3 ? 1 : 0, i;
	const float *C = ckind ? c : NULL;
	char what[128];

	if (csy != 1)
		csy = MR;
	memcpy(y1, y0, MR * NR * 2 * sizeof(float));
	onnxcc_f32_ukr_neon(kc, a, b, NR, y0, rsy, csy, mr, nr, first, last, C, rsc, csc, alpha, beta,
			    NULL, 0);
	ref_ukr(kc, a, b, NR, y1, rsy, csy, mr, nr, first, last, C, rsc, csc, alpha, beta, NULL, 0);
	snprintf(what, sizeof what, "ukr kc=%lld %lldx%lld csy=%lld c=%d first=%d last=%d",
		 (long long)kc, (long long)mr, (long long)nr, (long long)csy, ckind, first, last);
	for (i = 0; i < MR * NR * 2; i++) {
		double mag = 0;
		int64_t k, r = csy == 1 ? i / rsy : i % MR, col = csy == 1 ? i % rsy : i / MR;
		if (r < MR && col < NR)
			for (k = 0; k < kc; k++)
				mag += fabs((double)a[k * MR + r] * b[k * NR + col]);
		mag = mag * fabs(alpha) + fabs(y1[i]) + 2;
		expect(y0[i], y1[i], mag, what, (long)i);
	}
	free(a);
	free(b);
	free(c);
	free(y0);
	free(y1);
}

/* C's shape: none, one row (1 x n), one column (m x 1), full. */
enum { C_NONE, C_ROW, C_COL, C_FULL, C_KINDS };

/* Y = alpha op(A) op(B) + beta C through the NEON driver (pack: 1 A prepacked,
 * 2 B prepacked) and the scalar GEMM, both against doubles. */
static void check_gemm(int64_t m, int64_t n, int64_t k, int ta, int tb, int ckind, float alpha,
		       float beta, int pack)
{
	float *A = random_floats(m * k), *B = random_floats(k * n), *C = random_floats(m * n);
	float *Y = calloc((size_t)(m * n + 1), sizeof(float)), *Ys = calloc((size_t)(m * n + 1), sizeof(float));
	float *Ap = NULL, *Bp = NULL, *scratch;
	onnxcc_gemm_args g = {0};	/* no epilogue: act 0, no residual */
	const float *Cp;
	int64_t i, j, kk;
	char what[160];

	g.m = m; g.n = n; g.k = k;
	g.rsa = ta ? 1 : k; g.csa = ta ? m : 1;
	g.rsb = tb ? 1 : n; g.csb = tb ? k : 1;
	g.rsc = ckind == C_FULL ? n : ckind == C_COL ? 1 : 0;
	g.csc = ckind == C_FULL || ckind == C_ROW ? 1 : 0;
	g.rsy = n; g.csy = 1;
	Cp = ckind == C_NONE ? NULL : C;
	if (pack == 1) {
		Ap = calloc((size_t)(onnxcc_round_up(m, MR) * k + 1), sizeof(float));
		onnxcc_f32_prepack(MR, KC, m, k, A, g.rsa, g.csa, Ap);
	}
	if (pack == 2) {
		Bp = calloc((size_t)(onnxcc_round_up(n, NR) * k + 1), sizeof(float));
		onnxcc_f32_prepack(NR, KC, n, k, B, g.csb, g.rsb, Bp);
	}
	scratch = calloc((size_t)(onnxcc_f32_gemm_scratch(m, n, k, MR, NR, KC, ONNXCC_NEON_MC,
			ONNXCC_NEON_NC, pack == 1, pack == 2) + 1), sizeof(float));
	neon_prod(&g, A, B, Cp, Y, alpha, beta, Ap, Bp, scratch);
	scalar_prod(&g, A, B, Cp, Ys, alpha, beta);
	snprintf(what, sizeof what, "gemm m=%lld n=%lld k=%lld ta=%d tb=%d c=%d pack=%d",
		 (long long)m, (long long)n, (long long)k, ta, tb, ckind, pack);
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			double s = 0, mag = 0, want;
			for (kk = 0; kk < k; kk++) {
				double x = (double)A[i * g.rsa + kk * g.csa] * B[kk * g.rsb + j * g.csb];
				s += x;
				mag += fabs(x);
			}
			want = alpha * s;
			mag *= fabs(alpha);
			if (Cp) {
				want += beta * Cp[i * g.rsc + j * g.csc];
				mag += fabs(beta * Cp[i * g.rsc + j * g.csc]);
			}
			expect(Y[i * n + j], want, mag, what, (long)(i * n + j));
			expect(Ys[i * n + j], want, mag, "scalar reference", (long)(i * n + j));
		}
	free(A);
	free(B);
	free(C);
	free(Y);
	free(Ys);
	free(Ap);
	free(Bp);
	free(scratch);
}

/* A 2-D MaxPool (nc images h x w, window kh x kw, strides, pads) both ways. */
static void check_maxpool(int64_t nc, int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh,
			  int64_t sw, int64_t pt, int64_t pl, int64_t pb, int64_t pr, int64_t ceil)
{
	int64_t oh = (h + pt + pb - kh + (ceil ? sh - 1 : 0)) / sh + 1;
	int64_t ow = (w + pl + pr - kw + (ceil ? sw - 1 : 0)) / sw + 1, i;
	int64_t p[18] = {2, nc, h, w, oh, ow, kh, kw, sh, sw, 1, 1, pt, pl, pb, pr, 0, 0};
	float *X = random_floats(nc * h * w), *Y0, *Y1;
	void *b0[2], *b1[2];
	char what[128];

	if (oh <= 0 || ow <= 0) {
		free(X);
		return;
	}
	Y0 = calloc((size_t)(nc * oh * ow), sizeof(float));
	Y1 = calloc((size_t)(nc * oh * ow), sizeof(float));
	for (i = 0; i < nc * h * w; i += 7)	/* ties, signed zeros, NaN */
		X[i] = i % 3 == 0 ? 0.0f : i % 3 == 1 ? -0.0f : (float)NAN;
	b0[0] = b1[0] = X;
	b0[1] = Y0;
	b1[1] = Y1;
	maxpool_neon(b0, p, NULL);
	maxpool_scalar(b1, p, NULL);
	snprintf(what, sizeof what, "maxpool %lldx%lld k %lldx%lld s %lldx%lld pads %lld %lld %lld %lld",
		 (long long)h, (long long)w, (long long)kh, (long long)kw, (long long)sh, (long long)sw,
		 (long long)pt, (long long)pl, (long long)pb, (long long)pr);
	for (i = 0; i < nc * oh * ow; i++) {
		checks++;
		if (memcmp(&Y0[i], &Y1[i], sizeof(float)) != 0 && failures++ < 20)
			fprintf(stderr, "FAIL %s: element %lld = %g, expected %g\n", what, (long long)i,
				Y0[i], Y1[i]);
	}
	free(X);
	free(Y0);
	free(Y1);
}

/* 2-D pooling (max, or mean with count_include_pad incl), strides sy, sx
 * (output sizes rounded up with ceil), on the separable path (p[17] = 1 and
 * scratch) against the general rows (p[17] = 0), where ops/pool.c takes it:
 * every window's rows and columns reaching into the image.  The maximum is
 * exact; the mean sums in another order. */
static void check_plane_s(int64_t nc, int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sy,
			  int64_t sx, int64_t pt, int64_t pl, int64_t pb, int64_t pr, int max,
			  int64_t incl, int ceil)
{
	int64_t oh = (h + pt + pb - kh + (ceil ? sy - 1 : 0)) / sy + 1, i;
	int64_t ow = (w + pl + pr - kw + (ceil ? sx - 1 : 0)) / sx + 1;
	int64_t p0[18] = {2, nc, h, w, oh, ow, kh, kw, sy, sx, 1, 1, pt, pl, pb, pr, incl, 0};
	int64_t p1[18] = {2, nc, h, w, oh, ow, kh, kw, sy, sx, 1, 1, pt, pl, pb, pr, incl, 1};
	float *X, *Y0, *Y1, *S;
	void *b0[3], *b1[3];

	if (max)	/* p[16] is the mode of MaxPool: 0, no indices */
		p0[16] = p1[16] = incl = 0;
	if (h + pt + pb < kh || w + pl + pr < kw || pt >= kh || pl >= kw ||
	    (oh - 1) * sy - pt >= h || (ow - 1) * sx - pl >= w)
		return;
	X = random_floats(nc * h * w);
	for (i = 0; i < nc * h * w; i += 5)	/* ties */
		X[i] = 0.5f;
	Y0 = calloc((size_t)(nc * oh * ow), sizeof(float));
	Y1 = calloc((size_t)(nc * oh * ow), sizeof(float));
	/* the scratch exactly: ASan sees a read or write past it */
	S = malloc((size_t)ONNXCC_POOL_SCRATCH(w, oh, ow, sy) * sizeof(float));
	b0[0] = b1[0] = X;
	b0[1] = Y0;
	b1[1] = Y1;
	b0[2] = NULL;
	b1[2] = S;
	if (max) {
		maxpool_scalar(b0, p0, NULL);
		maxpool_scalar(b1, p1, NULL);
	} else {
		avgpool_scalar(b0, p0, NULL);
		avgpool_scalar(b1, p1, NULL);
	}
	for (i = 0; i < nc * oh * ow; i++) {
		checks++;
		if (!(fabsf(Y1[i] - Y0[i]) <= (max ? 0 : 1e-6f * (1 + fabsf(Y0[i])))) && failures++ < 20)
			fprintf(stderr, "FAIL %s separable %lldx%lld k %lldx%lld s %lldx%lld pads %lld %lld "
				"%lld %lld incl %lld: element %lld = %g, expected %g\n", max ? "max" : "avg",
				(long long)h, (long long)w, (long long)kh, (long long)kw, (long long)sy,
				(long long)sx, (long long)pt, (long long)pl, (long long)pb, (long long)pr,
				(long long)incl, (long long)i, Y1[i], Y0[i]);
	}
	free(S);
	free(X);
	free(Y0);
	free(Y1);
}

static void check_plane(int64_t nc, int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t pt,
			int64_t pl, int64_t pb, int64_t pr, int max, int64_t incl)
{
	check_plane_s(nc, h, w, kh, kw, 1, 1, pt, pl, pb, pr, max, incl, 0);
}

/* Global pooling of nc rows of `size` against one element after the other:
 * the maximum exactly (a NaN counts only as a row's first element), the
 * mean to rounding. */
static void check_global(int64_t nc, int64_t size)
{
	float *X = random_floats(nc * size + 1), *Y = calloc((size_t)nc * 2, sizeof(float));
	void *b[2] = {X, Y};
	int64_t p[2] = {nc, size}, c, i;

	if (size > 3)
		X[3] = NAN;	/* row 0, not first */
	if (nc > 1 && size > 0)
		X[size] = NAN;	/* row 1, first */
	globalmax(b, p, NULL);
	b[1] = Y + nc;
	globalavg(b, p, NULL);
	for (c = 0; c < nc; c++) {
		const float *x = X + c * size;
		float best = size > 0 ? x[0] : 0;
		double sum = 0;
		for (i = 0; i < size; i++) {
			best = x[i] > best ? x[i] : best;
			sum += x[i];
		}
		checks += 2;
		if (!(Y[c] == best || (isnan(Y[c]) && isnan(best))) && failures++ < 20)
			fprintf(stderr, "FAIL globalmaxpool %lld x %lld: row %lld = %g, expected %g\n",
				(long long)nc, (long long)size, (long long)c, Y[c], best);
		sum = size > 0 ? sum / (double)size : 0;
		if (!(isnan(sum) || fabs(Y[nc + c] - sum) <= 1e-6 * (1 + fabs(sum))) && failures++ < 20)
			fprintf(stderr, "FAIL globalavgpool %lld x %lld: row %lld = %g, expected %g\n",
				(long long)nc, (long long)size, (long long)c, Y[nc + c], sum);
	}
	free(X);
	free(Y);
}

static const int64_t sizes[][3] = {
	{1, 1, 1}, {8, 12, 1}, {8, 12, 256}, {7, 11, 3}, {9, 13, 257}, {16, 24, 255},
	{3, 5, 7}, {1, 50, 300}, {33, 1, 17}, {100, 37, 513}, {129, 25, 40}, {5, 1013, 9},
	{17, 9, 0}, {300, 5, 40}, {2000, 1, 3}, {64, 64, 64},
};

int main(void)
{
	int64_t kcs[] = {1, 2, 3, 7, 64}, mr, nr, s;
	int ck, ta, tb, c, pack;
	size_t ki;

	for (ki = 0; ki < sizeof kcs / sizeof kcs[0]; ki++)
		for (mr = 1; mr <= MR; mr++)
			for (nr = 1; nr <= NR; nr++)
				for (ck = 0; ck < 4; ck++) {
					check_ukr(kcs[ki], mr, nr, 1, ck, 1, 1, 1, 1);
					check_ukr(kcs[ki], mr, nr, 1, ck, 0, 1, -0.5f, 2);
					check_ukr(kcs[ki], mr, nr, 1, ck, 1, 0, 1, 1);
					if (mr == MR || nr == NR)
						check_ukr(kcs[ki], mr, nr, 2, ck, 0, 1, 1.5f, 0.25f);
				}
	for (s = 0; s < (int64_t)(sizeof sizes / sizeof sizes[0]); s++) {
		int64_t m = sizes[s][0], n = sizes[s][1], k = sizes[s][2];
		for (ta = 0; ta < 2; ta++)
			for (tb = 0; tb < 2; tb++)
				check_gemm(m, n, k, ta, tb, C_NONE, 1, 0, 0);
		for (c = C_ROW; c < C_KINDS; c++)
			check_gemm(m, n, k, 0, 1, c, 0.5f, 2, 0);
		for (pack = 1; pack <= 2; pack++) {
			check_gemm(m, n, k, 0, 0, C_NONE, 1, 0, pack);
			check_gemm(m, n, k, 1, 1, C_FULL, -1.5f, 0.25f, pack);
		}
	}
	/* M past MC, N past NC, K past two KC blocks: every block edge. */
	check_gemm(ONNXCC_NEON_MC + 9, ONNXCC_NEON_NC + 13, 2 * KC + 3, 0, 0, C_ROW, 1, 1, 0);
	check_gemm(ONNXCC_NEON_MC + 9, ONNXCC_NEON_NC + 13, 2 * KC + 3, 1, 0, C_FULL, 1, 1, 2);
	check_gemm(ONNXCC_NEON_MC + 9, 40, 2 * KC + 3, 0, 1, C_NONE, 1, 0, 1);
	{
		int64_t h, w, k, s, pad;
		for (h = 1; h <= 13; h += 4)
			for (w = 1; w <= 23; w += 2)
				for (k = 1; k <= 3; k++)
					for (s = 1; s <= 3; s++)
						for (pad = 0; pad < k && pad <= 1; pad++) {
							check_maxpool(2, h, w, k, k, s, s, pad, pad, pad, pad, 0);
							check_maxpool(1, h, w, k, k + 1, 1, s, pad, pad, 0, pad + 1, 1);
						}
		check_maxpool(3, 56, 57, 3, 3, 2, 2, 1, 1, 1, 1, 1);
		check_maxpool(2, 20, 35, 2, 2, 2, 2, 0, 0, 0, 0, 0);
		for (h = 1; h <= 13; h += 3)
			for (w = 1; w <= 15; w += 2)
				for (k = 1; k <= 5; k++)
					for (pad = 0; pad < k && pad <= 3; pad++) {
						check_plane(2, h, w, k, k, pad, pad, pad, pad, 1, 0);
						check_plane(2, h, w, k, k, pad, pad, pad, pad, 0, 0);
						check_plane(2, h, w, k, k, pad, pad, pad, pad, 0, 1);
						check_plane(1, h, w, k, k + 1 < 6 ? k + 1 : k, pad, 0,
							    0, pad, pad & 1, pad & 1);
						/* the mean over uneven pads, both counts */
						check_plane(1, h, w, k, k, 0, pad, pad, 0, 0, 1);
						check_plane(1, h, w, k, k, pad, 0, 0, pad, 0, 1);
						check_plane(1, h, w, k, k, 0, pad, pad, 0, 0, 0);
					}
		check_plane(3, 13, 13, 13, 13, 6, 6, 6, 6, 1, 0);
		/* strides 2 and 3, floor and ceil output sizes */
		for (h = 1; h <= 12; h += 1)
			for (w = 3; w <= 14; w += 3)
				for (k = 2; k <= 4; k++)
					for (s = 2; s <= k + 1; s++)
						for (pad = 0; pad < k && pad <= 1; pad++) {
							int ceil;
							for (ceil = 0; ceil < 2; ceil++) {
								check_plane_s(2, h, w, k, k, s, s, pad, pad, pad,
									      pad, 1, 0, ceil);
								check_plane_s(2, h, w, k, k, s, s, pad, pad, pad,
									      pad, 0, ceil, ceil);
								check_plane_s(1, h, w, k, k - 1 > 1 ? k - 1 : k, s,
									      s - 1 > 1 ? s - 1 : 1, pad, 0, 0,
									      pad, ceil, 1, ceil);
								check_plane_s(2, h, w, k, k, 1, s, pad, pad, 0,
									      pad, ceil, 0, ceil);
							}
						}
		check_plane_s(5, 56, 56, 3, 3, 2, 2, 0, 0, 0, 0, 1, 0, 1);
		check_plane_s(3, 111, 111, 3, 3, 2, 2, 0, 0, 0, 0, 1, 0, 1);
		for (h = 0; h <= 70; h++)
			check_global(3, h);
		check_global(2, 169);
	}
	printf("gemm_neon (%s micro-kernel, %dx%d): %ld checks, %ld failures\n",
	       ONNXCC_SIMD_NEON ? "NEON" : "portable C", MR, NR, checks, failures);
	return failures ? 1 : 0;
}
