/* test_gemm.c: the float32 SIMD GEMM and convolution kernels
 * (templates/gemm_simd.h) against a double-precision reference, on awkward
 * sizes (edges of every tile and block), transposes, alpha and beta, every
 * broadcast of C, batches, and weights packed ahead of time; and the same for
 * the portable kernels.  Kernels of an ISA this host lacks are skipped; the
 * NEON ones run their portable micro-kernel off AArch64 (test_gemm_neon.c
 * checks the NEON one under qemu-aarch64).  Also the thread pool's placement
 * of its workers (pool_apart). */
#define _GNU_SOURCE	/* the pool's CPU affinity (onnxcc_rt.h), checked by pool_apart */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "lower.h"
#include "unit.h"
/* The threaded kernels are instantiated here, with 3 threads (an odd count:
 * uneven shares) and every product big enough to be cut; those of onnxcc's
 * kernel table are single-threaded. */
#define ONNXCC_THREADS 3
#define ONNXCC_GEMM_PAR_MIN 1
#include "onnxcc_rt.h"
#include "linalg.h"
#include "gemm_simd.h"
#include "conv.h"

ONNXCC_F32_GEMM_SIMD(thr_gemm_avx2, avx2)
ONNXCC_F32_GEMM_SIMD(thr_gemm_avx512f, avx512f)
ONNXCC_F32_CONV_SIMD(thr_conv_avx2, avx2, ONNXCC_AVX2_MR, ONNXCC_AVX2_NR, ONNXCC_AVX2_KC)
ONNXCC_F32_CONV_SIMD(thr_conv_avx512f, avx512f, ONNXCC_AVX512F_MR, ONNXCC_AVX512F_NR,
		     ONNXCC_AVX512F_KC)
ONNXCC_F32_GEMM_SIMD(thr_gemm_neon, neon)
ONNXCC_F32_CONV_SIMD(thr_conv_neon, neon, ONNXCC_NEON_MR, ONNXCC_NEON_NR, ONNXCC_NEON_KC)

/* The kernel function of a fast ISA's kernel, threaded (3 threads) or from the table. */
typedef void (*kernel_fn)(void *const *b, const int64_t *p, const double *f);
static kernel_fn pick(const Kernel *kn, int cpu, int threaded, int conv)
{
	if (!threaded)
		return kn->fn;
	if (cpu == CPU_AVX2)
		return conv ? thr_conv_avx2 : thr_gemm_avx2;
	if (cpu == CPU_NEON)
		return conv ? thr_conv_neon : thr_gemm_neon;
	return conv ? thr_conv_avx512f : thr_gemm_avx512f;
}

static int host_has(int cpu)
{
	if (cpu == CPU_NEON)	/* AArch64, or the plain C micro-kernel elsewhere */
		return 1;
	return cpu == CPU_GENERIC || (cpu_native() != CPU_NEON && cpu_native() >= cpu);
}

static float *random_floats(int64_t n, unsigned *seed)
{
	float *x = malloc((size_t)(n ? n : 1) * sizeof(float));
	int64_t i;

	for (i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		x[i] = (float)((*seed >> 8) & 0xffff) / 32768.0f - 1.0f;
	}
	return x;
}

/* The kernel for a target: the ISA's fast one, or the portable one. */
static const Kernel *gemm_kernel(int cpu, const char *what)
{
	char name[64];
	const GemmIsa *isa = gemm_isa(cpu);
	int k;

	if (isa)
		snprintf(name, sizeof name, "f32_%s_%s", what, isa->suffix);
	else
		snprintf(name, sizeof name, "f32_%s__scalar", what);
	k = kernel_find(name);
	ck_assert_msg(k >= 0, "no kernel %s", name);
	return &kernels[k];
}

/* C's shape: none, one row (1 x n), one column (m x 1), full, one element. */
enum { C_NONE, C_ROW, C_COL, C_FULL, C_ONE, C_KINDS };

/* Y = alpha op(A) op(B) + beta C with nb batches of A and B (nb > 1: B not
 * prepacked) on kernel `cpu`, checked element by element against doubles. */
static void check_gemm(int cpu, int64_t m, int64_t n, int64_t k, int ta, int tb, int ckind,
		       double alpha, double beta, int64_t nb, int packb, int thr)
{
	const Kernel *kn = gemm_kernel(cpu, "gemm");
	const GemmIsa *isa = gemm_isa(cpu);
	unsigned seed = (unsigned)(m * 131 + n * 17 + k * 7 + ta * 3 + tb + ckind * 5);
	float *A = random_floats(nb * m * k, &seed), *B = random_floats(nb * k * n, &seed);
	float *C = random_floats(m * n, &seed), *Y = calloc((size_t)(nb * m * n + 1), sizeof(float));
	float *Bp = NULL, *scratch = NULL;
	int64_t rsa = ta ? 1 : k, csa = ta ? m : 1, rsb = tb ? 1 : n, csb = tb ? k : 1;
	int64_t rsc = ckind == C_FULL || ckind == C_COL ? (ckind == C_FULL ? n : 1) : 0;
	int64_t csc = ckind == C_FULL || ckind == C_ROW ? 1 : 0;
	int64_t p[20], np = 0, bi, i, j, kk;
	void *b[8];
	int nbuf = 0;

	if (packb) {
		Bp = calloc((size_t)(onnxcc_round_up(n, isa->nr) * k + 1), sizeof(float));
		onnxcc_f32_prepack(isa->nr, isa->kc, n, k, B, csb, rsb, Bp);
	}
	p[np++] = m; p[np++] = n; p[np++] = k;
	p[np++] = rsa; p[np++] = csa; p[np++] = rsb; p[np++] = csb;
	p[np++] = ckind != C_NONE; p[np++] = rsc; p[np++] = csc;
	p[np++] = nb > 1;
	if (nb > 1) {
		p[np++] = nb;
		p[np++] = m * k;
		p[np++] = k * n;
	}
	b[nbuf++] = A;
	b[nbuf++] = packb ? Bp : B;
	if (ckind != C_NONE)
		b[nbuf++] = C;
	b[nbuf++] = Y;
	if (isa) {
		scratch = calloc((size_t)((gemm_isa_scratch(isa, m, n, k, 0, packb) + 1) *
					  (thr ? ONNXCC_NTHREADS : 1)), sizeof(float));
		b[nbuf++] = scratch;
		p[np++] = 0;
		p[np++] = packb;
	}
	p[np++] = 0;	/* no epilogue */
	p[np++] = 0;
	pick(kn, cpu, thr, 0)(b, p, (const double[]){alpha, beta, 0, 0});
	for (bi = 0; bi < nb; bi++)
		for (i = 0; i < m; i++)
			for (j = 0; j < n; j++) {
				const float *a = A + bi * m * k, *bb = B + bi * k * n;
				double s = 0, mag = 0, want, got = Y[bi * m * n + i * n + j];
				for (kk = 0; kk < k; kk++) {
					double x = (double)a[i * rsa + kk * csa] * bb[kk * rsb + j * csb];
					s += x;
					mag += fabs(x);
				}
				want = alpha * s;
				mag = fabs(alpha) * mag;
				if (ckind != C_NONE) {
					want += beta * C[i * rsc + j * csc];
					mag += fabs(beta * C[i * rsc + j * csc]);
				}
				ck_assert_msg(fabs(got - want) <= 1e-5 * mag + 1e-6,
					      "%s%s m=%lld n=%lld k=%lld ta=%d tb=%d c=%d batch %lld: Y[%lld,%lld] = %g, "
					      "expected %g", kn->name, thr ? " (3 threads)" : "", (long long)m, (long long)n, (long long)k, ta,
					      tb, ckind, (long long)bi, (long long)i, (long long)j, got, want);
			}
	free(A);
	free(B);
	free(C);
	free(Y);
	free(Bp);
	free(scratch);
}

static const int64_t sizes[][3] = {
	{1, 1, 1}, {7, 13, 19}, {64, 64, 64}, {1, 50, 300}, {33, 1, 17}, {6, 16, 256},
	{8, 32, 257}, {9, 33, 5}, {100, 37, 513}, {3, 1100, 20}, {200, 70, 40}, {17, 9, 0},
	{300, 5, 40}, {2000, 1, 3},
	/* B's rows far apart: read in place (few rows of A), or packed */
	{40, 1300, 300}, {130, 1100, 30},
	/* B blocks past ONNXCC_GEMM_ROWS_OUTER: B's panels outside, two row blocks */
	{150, 600, 300},
};

/* Odd shapes for the threaded products: cuts along M and N, with B packed or
 * not, K within one KC block or beyond it, shares of one panel or less. */
static const int64_t thr_sizes[][3] = {
	{1, 1, 1}, {7, 13, 19}, {1, 50, 300}, {1, 1000, 500}, {2, 70, 3}, {33, 1, 17},
	{9, 33, 5}, {100, 37, 513}, {3, 1100, 20}, {200, 70, 40}, {300, 5, 40}, {17, 9, 0},
	{61, 97, 400}, {2000, 1, 3}, {13, 200, 1000},
};

static void check_cpu(int cpu)
{
	size_t s;
	int ta, tb, c, thr;

	if (!host_has(cpu))
		return;
	for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		int64_t m = sizes[s][0], n = sizes[s][1], k = sizes[s][2];
		for (ta = 0; ta < 2; ta++)
			for (tb = 0; tb < 2; tb++)
				check_gemm(cpu, m, n, k, ta, tb, C_NONE, 1, 0, 1, 0, 0);
		for (c = C_ROW; c < C_KINDS; c++)
			check_gemm(cpu, m, n, k, 0, 1, c, 0.5, 2, 1, 0, 0);
		check_gemm(cpu, m, n, k, 0, 0, C_NONE, 1, 0, 3, 0, 0);
		if (gemm_isa(cpu)) {
			check_gemm(cpu, m, n, k, 0, 0, C_NONE, 1, 0, 1, 1, 0);
			check_gemm(cpu, m, n, k, 1, 1, C_FULL, -1.5, 0.25, 1, 1, 0);
		}
	}
	if (!gemm_isa(cpu))
		return;
	for (thr = 1, s = 0; s < sizeof thr_sizes / sizeof thr_sizes[0]; s++) {
		int64_t m = thr_sizes[s][0], n = thr_sizes[s][1], k = thr_sizes[s][2];
		check_gemm(cpu, m, n, k, 0, 0, C_NONE, 1, 0, 1, 0, thr);
		check_gemm(cpu, m, n, k, 1, 0, C_ROW, 0.5, 2, 1, 0, thr);
		check_gemm(cpu, m, n, k, 0, 1, C_FULL, 1, 1, 2, 0, thr);
		check_gemm(cpu, m, n, k, 0, 0, C_COL, 1, 1, 1, 1, thr);
		check_gemm(cpu, m, n, k, 1, 1, C_FULL, -1.5, 0.25, 1, 1, thr);
	}
}

START_TEST(gemm_generic) { check_cpu(CPU_GENERIC); }
END_TEST
START_TEST(gemm_avx2) { check_cpu(CPU_AVX2); }
END_TEST
START_TEST(gemm_avx512f) { check_cpu(CPU_AVX512F); }
END_TEST
START_TEST(gemm_neon) { check_cpu(CPU_NEON); }
END_TEST

/* A 2-D convolution on kernel `cpu` (weights prepacked or not; in the SIMD
 * kernels' form ONNXCC_CONV_*, if it applies; with epi, + a residual then
 * Relu) against doubles. */
static void check_conv(int cpu, int64_t nn, int64_t c, int64_t h, int64_t w, int64_t m,
		       int64_t grp, int64_t kh, int64_t kw, int64_t s, int64_t pad, int packw,
		       int64_t chunk, int thr, int form, int epi)
{
	const Kernel *kn = gemm_kernel(cpu, "conv");
	const GemmIsa *isa = gemm_isa(cpu);
	int64_t cg = c / grp, mg = m / grp, kk = cg * kh * kw;
	int64_t oh = (h + 2 * pad - kh) / s + 1, ow = (w + 2 * pad - kw) / s + 1, os = oh * ow;
	int usecol = !(kh == 1 && kw == 1 && s == 1 && pad == 0);
	unsigned seed = (unsigned)(c * 7 + m * 3 + kh);
	float *X = random_floats(nn * c * h * w, &seed), *W = random_floats(m * kk, &seed);
	float *bias = random_floats(m, &seed), *Y = calloc((size_t)(nn * m * os), sizeof(float));
	float *R = random_floats(nn * m * os, &seed);
	float *col = NULL, *scratch = NULL, *Wp = NULL;
	int64_t p[32] = {2, nn, c, m, grp, 1, usecol, 0, h, w, kh, kw, oh, ow, s, s, 1, 1, pad, pad,
			 packw};
	int64_t n, o, y, x, g, i, j, a, wr = 1, wp = 1;	/* panel widths: weights, positions */
	void *b[8];
	int nbuf = 0;

	int64_t positions = form == ONNXCC_CONV_PLANE ? (oh - 1) * (ow + (kw - 1) / s) + ow : os;

	int wino = form == ONNXCC_CONV_WINO || form == ONNXCC_CONV_WINO_ROWS, plane;
	int64_t tw = (ow + 3) / 4, th = (oh + 3) / 4;

	if ((form == ONNXCC_CONV_PLANE && (!usecol || !packw)) ||
	    (wino && (kh != 3 || kw != 3 || s != 1 || !packw)))
		return;	/* not this form's */
	if (chunk <= 0 || chunk > positions)
		chunk = positions;
	if (wino) {	/* whole tile rows of tw + 1 slots, as conv_lower makes them */
		int64_t rows = chunk / (tw + 1);
		chunk = (rows < 1 ? 1 : rows > th ? th : rows) * (tw + 1);
		usecol = 0;
	}
	plane = form == ONNXCC_CONV_PLANE;
	if (plane)	/* the micro-kernel reads the planes: no col */
		usecol = 0;
	p[6] = usecol;
	p[7] = usecol || wino || plane ? chunk : 0;
	/* the epilogue follows packed_w in the SIMD kernels' parameters, pad in the scalar's */
	p[isa ? 21 : 20] = epi ? ONNXCC_ACT_RELU : ONNXCC_ACT_NONE;
	p[isa ? 22 : 21] = epi;
	if (isa)
		p[23] = form;
	if (isa) {
		wr = form == ONNXCC_CONV_ROWS ? isa->nr : isa->mr;
		wp = form == ONNXCC_CONV_ROWS ? isa->mr : isa->nr;
	}
	if (wino) {
		float *u = calloc((size_t)(36 * mg * cg), sizeof(float));
		int64_t width = form == ONNXCC_CONV_WINO ? isa->mr : isa->nr;
		Wp = calloc((size_t)(36 * grp * onnxcc_round_up(mg, width) * cg), sizeof(float));
		onnxcc_f32_wino_weights(W, grp, mg, cg, width, isa->kc, u, Wp);
		free(u);
	} else if (packw) {
		Wp = calloc((size_t)(grp * onnxcc_round_up(mg, wr) * kk + 1), sizeof(float));
		for (g = 0; g < grp; g++)
			onnxcc_f32_prepack(wr, isa->kc, mg, kk, W + g * mg * kk, kk, 1,
					   Wp + g * onnxcc_round_up(mg, wr) * kk);
	}
	b[nbuf++] = X;
	b[nbuf++] = packw ? Wp : W;
	b[nbuf++] = Y;
	b[nbuf++] = bias;
	if (usecol)	/* the fast kernels' col is packed in whole panels */
		b[nbuf++] = col = calloc((size_t)(kk * onnxcc_round_up(chunk, wp) *
						  (thr ? ONNXCC_NTHREADS : 1)), sizeof(float));
	if (isa) {	/* as compiler/ops/conv.c sizes it */
		int64_t ns = onnxcc_f32_conv_scratch(mg, os, wino ? cg : kk, chunk, usecol, form, packw,
						     form == ONNXCC_CONV_PLANE ? cg * onnxcc_conv_plane_size(p)
						     : wino ? onnxcc_wino_temps(chunk) : 0,
						     isa->mr, isa->nr, isa->kc, isa->mc, isa->nc);
		b[nbuf++] = scratch = calloc((size_t)(ns * (thr ? ONNXCC_NTHREADS : 1)), sizeof(float));
	}
	if (epi)
		b[nbuf++] = R;
	pick(kn, cpu, thr, 1)(b, p, (const double[]){0, 0});
	for (n = 0; n < nn; n++)
		for (o = 0; o < m; o++)
			for (y = 0; y < oh; y++)
				for (x = 0; x < ow; x++) {
					double sum = bias[o], mag = fabs(bias[o]), got;
					g = o / mg;
					for (a = 0; a < cg; a++)
						for (i = 0; i < kh; i++)
							for (j = 0; j < kw; j++) {
								int64_t iy = y * s - pad + i, ix = x * s - pad + j;
								double v;
								if (iy < 0 || iy >= h || ix < 0 || ix >= w)
									continue;
								v = (double)X[((n * c + g * cg + a) * h + iy) * w + ix] *
								    W[((o * cg + a) * kh + i) * kw + j];
								sum += v;
								mag += fabs(v);
							}
					if (epi) {
						sum += R[((n * m + o) * oh + y) * ow + x];
						sum = sum > 0 ? sum : 0;
					}
					got = Y[((n * m + o) * oh + y) * ow + x];
					ck_assert_msg(fabs(got - sum) <= 1e-5 * mag + 1e-6,
						      "%s%s%s: Y[%lld,%lld,%lld,%lld] = %g, expected %g", kn->name,
						      thr ? " (3 threads)" : "",
						      form == ONNXCC_CONV_ROWS ? " (rows)" : form == ONNXCC_CONV_PLANE
						      ? " (plane)" : form == ONNXCC_CONV_WINO ? " (Winograd)"
						      : wino ? " (Winograd rows)" : "",
						      (long long)n, (long long)o, (long long)y, (long long)x, got, sum);
				}
	free(X);
	free(W);
	free(bias);
	free(Y);
	free(R);
	free(col);
	free(scratch);
	free(Wp);
}

static void check_conv_cpu(int cpu)
{
	int packw, thr, tr, epi;

	if (!host_has(cpu))
		return;
	for (epi = 0; epi <= 1; epi++)
		for (tr = 0; tr <= (gemm_isa(cpu) ? ONNXCC_CONV_WINO_ROWS : 0); tr++)
			for (thr = 0; thr <= (gemm_isa(cpu) != NULL); thr++)
				for (packw = thr; packw <= (gemm_isa(cpu) != NULL); packw++) {
					check_conv(cpu, 2, 6, 9, 11, 10, 2, 3, 3, 2, 1, packw, 0, thr, tr, epi);
					check_conv(cpu, 1, 5, 7, 7, 13, 1, 1, 1, 1, 0, packw, 0, thr, tr, epi);
					check_conv(cpu, 1, 300, 9, 9, 40, 1, 3, 3, 1, 1, packw, 24, thr, tr, epi);
					check_conv(cpu, 1, 3, 40, 37, 17, 1, 5, 3, 1, 2, packw, 64, thr, tr, epi);
					check_conv(cpu, 1, 3, 40, 37, 17, 1, 5, 3, 1, 2, packw, 100, thr, tr, epi);
					check_conv(cpu, 2, 512, 5, 5, 9, 1, 3, 3, 1, 1, packw, 0, thr, tr, epi);
					check_conv(cpu, 1, 7, 12, 13, 19, 1, 1, 1, 1, 0, packw, 0, thr, tr, epi);
					/* 7 x 7 positions, 70 channels: partial tiles both ways */
					check_conv(cpu, 1, 33, 7, 7, 70, 1, 1, 1, 1, 0, packw, 0, thr, tr, epi);
					check_conv(cpu, 1, 20, 9, 9, 70, 1, 3, 3, 1, 1, packw, 16, thr, tr, epi);
					/* 3 x 3, stride 1 (Winograd too): groups, no pads, pads of 2,
					 * sizes 4 k + 1..3, one tile row a chunk */
					check_conv(cpu, 2, 6, 9, 11, 10, 2, 3, 3, 1, 1, packw, 0, thr, tr, epi);
					check_conv(cpu, 1, 5, 13, 10, 12, 1, 3, 3, 1, 0, packw, 0, thr, tr, epi);
					check_conv(cpu, 1, 8, 17, 23, 16, 1, 3, 3, 1, 2, packw, 7, thr, tr, epi);
					check_conv(cpu, 1, 40, 30, 31, 24, 1, 3, 3, 1, 1, packw, 20, thr, tr, epi);
					/* threads take shares of the output channels (a last panel
					 * cut short), each all the tiles: 4 MB of weights */
					check_conv(cpu, 1, 200, 9, 8, 150, 1, 3, 3, 1, 1, packw, 0, thr, tr, epi);
					/* one tile: a 1 x 2 image padded, a 3 x 3 image not */
					check_conv(cpu, 1, 9, 1, 2, 12, 1, 3, 3, 1, 1, packw, 0, thr, tr, epi);
					check_conv(cpu, 1, 3, 3, 3, 16, 1, 3, 3, 1, 0, packw, 0, thr, tr, epi);
				}
}

START_TEST(conv_generic) { check_conv_cpu(CPU_GENERIC); }
END_TEST
START_TEST(conv_avx2) { check_conv_cpu(CPU_AVX2); }
END_TEST
START_TEST(conv_avx512f) { check_conv_cpu(CPU_AVX512F); }
END_TEST
START_TEST(conv_neon) { check_conv_cpu(CPU_NEON); }
END_TEST

/* The Winograd weights of a splat (f32_wino_splat__scalar, an init call)
 * equal those computed from the kernel written out; groups and a partial
 * panel of rows. */
START_TEST(wino_splat)
{
	const GemmIsa *isa = gemm_isa(CPU_AVX512F);
	int64_t grp = 2, mg = 11, cg = 3, per = onnxcc_round_up(mg, isa->mr) * cg, i;
	int64_t p[5] = {isa->mr, isa->kc, grp, mg, cg};
	float *w = calloc((size_t)(grp * mg * cg * 9), sizeof(float));
	float *u = calloc((size_t)(36 * mg * cg), sizeof(float));
	float *want = calloc((size_t)(36 * grp * per), sizeof(float));
	float *got = calloc((size_t)(36 * grp * per), sizeof(float));
	int k = kernel_find("f32_wino_splat__scalar");
	void *b[1];

	ck_assert_int_ge(k, 0);
	for (i = 0; i < grp * mg * cg * 9; i++)
		w[i] = 0.75f;
	onnxcc_f32_wino_weights(w, grp, mg, cg, isa->mr, isa->kc, u, want);
	b[0] = got;
	kernels[k].fn(b, p, (const double[]){0.75});
	for (i = 0; i < 36 * grp * per; i++)
		ck_assert_msg(fabsf(got[i] - want[i]) <= 1e-6f * (1 + fabsf(want[i])),
			      "element %lld: %g, expected %g", (long long)i, got[i], want[i]);
	free(w);
	free(u);
	free(want);
	free(got);
}
END_TEST

/* The pool keeps its workers off the caller's CPU (onnxcc_pool_apart): a
 * task a worker runs sees an affinity of the caller's CPUs but one.  Each
 * task sleeps, so that the workers get some (the caller cannot take all
 * three in the time they take to wake). */
static pthread_t apart_caller;
static int apart_tasks, apart_bad, apart_ncpus;

static void apart_task(void *ctx, int64_t t, int64_t nt)
{
	cpu_set_t s;

	(void)ctx;
	(void)t;
	(void)nt;
	usleep(50000);
	if (pthread_equal(pthread_self(), apart_caller))
		return;
	if (pthread_getaffinity_np(pthread_self(), sizeof s, &s) != 0 ||
	    CPU_COUNT(&s) != apart_ncpus - 1)
		__atomic_add_fetch(&apart_bad, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&apart_tasks, 1, __ATOMIC_SEQ_CST);
}

START_TEST(pool_apart)
{
	cpu_set_t s;

	ck_assert_int_eq(sched_getaffinity(0, sizeof s, &s), 0);
	apart_ncpus = CPU_COUNT(&s);
	apart_caller = pthread_self();
	if (apart_ncpus < 2) {	/* one CPU: nothing to keep apart */
		fprintf(stderr, "pool_apart: 1 CPU, the placement is not exercised\n");
		return;
	}
	onnxcc_parallel(apart_task, NULL);
	onnxcc_parallel(apart_task, NULL);
	ck_assert_int_gt(apart_tasks, 0);
	ck_assert_int_eq(apart_bad, 0);
	onnxcc_pool_join();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gemm");
	TCase *tc = tcase_create("kernels");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, gemm_generic);
	tcase_add_test(tc, gemm_avx2);
	tcase_add_test(tc, gemm_avx512f);
	tcase_add_test(tc, gemm_neon);
	tcase_add_test(tc, conv_generic);
	tcase_add_test(tc, conv_avx2);
	tcase_add_test(tc, conv_avx512f);
	tcase_add_test(tc, conv_neon);
	tcase_add_test(tc, wino_splat);
	tcase_add_test(tc, pool_apart);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
