/* fma_peak.c: measures this CPU's single-thread peak float FMA rate.
 *
 * Build with -O2 -march=native.  Each variant runs 12 independent chains of
 * fused multiply-adds (enough to cover the FMA latency times the number of
 * FMA pipes of current x86 and Arm cores) on the widest vectors the build
 * allows, and keeps the best of 40 short repetitions (the machine may be shared:
 * the best one is the least disturbed).  Prints one line per
 * variant and a last line "peak_gflops=<best>". */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__) || defined(__FMA__)
#include <immintrin.h>
#endif

#define ITERS 4000000L
#define REPS 40

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* 12 accumulators a0..a11, each acc = acc * m + c; returns GFLOP/s. */
#define PROBE(NAME, T, WIDTH, SET1, FMA, ADD, SUM)                                        \
	static double NAME(float seed)                                                    \
	{                                                                                 \
		T a0 = SET1(seed), a1 = SET1(seed + 1), a2 = SET1(seed + 2);              \
		T a3 = SET1(seed + 3), a4 = SET1(seed + 4), a5 = SET1(seed + 5);          \
		T a6 = SET1(seed + 6), a7 = SET1(seed + 7), a8 = SET1(seed + 8);          \
		T a9 = SET1(seed + 9), a10 = SET1(seed + 10), a11 = SET1(seed + 11);      \
		T m = SET1(0.999999f), c = SET1(1e-7f);                                   \
		double t0 = now_s(), t;                                                   \
		long i;                                                                   \
		for (i = 0; i < ITERS; i++) {                                             \
			a0 = FMA(a0, m, c); a1 = FMA(a1, m, c); a2 = FMA(a2, m, c);       \
			a3 = FMA(a3, m, c); a4 = FMA(a4, m, c); a5 = FMA(a5, m, c);       \
			a6 = FMA(a6, m, c); a7 = FMA(a7, m, c); a8 = FMA(a8, m, c);       \
			a9 = FMA(a9, m, c); a10 = FMA(a10, m, c); a11 = FMA(a11, m, c);   \
		}                                                                         \
		t = now_s() - t0;                                                         \
		a0 = ADD(ADD(ADD(a0, a1), ADD(a2, a3)), ADD(ADD(a4, a5), ADD(a6, a7)));   \
		a0 = ADD(a0, ADD(ADD(a8, a9), ADD(a10, a11)));                            \
		sink += SUM(a0);                                                          \
		return 12.0 * 2.0 * (WIDTH) * (double)ITERS / t / 1e9;                    \
	}

static volatile float sink;

static float scalar_set1(float x) { return x; }
static float scalar_fma(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
static float scalar_add(float a, float b) { return a + b; }
static float scalar_sum(float a) { return a; }
PROBE(probe_scalar, float, 1, scalar_set1, scalar_fma, scalar_add, scalar_sum)

#ifdef __FMA__
static float sum256(__m256 v)
{
	float f[8];
	_mm256_storeu_ps(f, v);
	return f[0] + f[7];
}
PROBE(probe_avx2, __m256, 8, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, sum256)
#endif

#ifdef __AVX512F__
static float sum512(__m512 v) { return _mm512_reduce_add_ps(v); }
PROBE(probe_avx512, __m512, 16, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, sum512)
#endif

static double best(double (*f)(float))
{
	double b = 0;
	int r;

	for (r = 0; r < REPS; r++) {
		double g = f((float)r);
		if (g > b)
			b = g;
	}
	return b;
}

int main(void)
{
	double peak, g;

	peak = best(probe_scalar);
	printf("scalar fma:        %8.2f GFLOP/s\n", peak);
#ifdef __FMA__
	g = best(probe_avx2);
	printf("avx2 fma (256):    %8.2f GFLOP/s\n", g);
	if (g > peak)
		peak = g;
#endif
#ifdef __AVX512F__
	g = best(probe_avx512);
	printf("avx512 fma (512):  %8.2f GFLOP/s\n", g);
	if (g > peak)
		peak = g;
#endif
	(void)g;
	printf("peak_gflops=%.2f\n", peak);
	return 0;
}
