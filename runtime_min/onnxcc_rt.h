/* onnxcc_rt.h: what every kernel and every generated file shares.
 * The C backend pastes this file at the top of each generated model; onnxcc
 * compiles it in for constant folding.  No allocation, no written globals. */
#ifndef ONNXCC_RT_H
#define ONNXCC_RT_H

#include <stdint.h>
#include <string.h>
/* GCC's <tgmath.h> names every variant of a generic function, the complex
 * long double ones too (cexpl, cpowl, ...), which newlib's <complex.h>
 * declares only for Cygwin: declared here, a float call still resolves to
 * expf and friends at compile time, and these are never linked. */
#if defined(_NEWLIB_VERSION) && !defined(__CYGWIN__)
#include <complex.h>
long double complex cacosl(long double complex), casinl(long double complex);
long double complex catanl(long double complex), ccosl(long double complex);
long double complex csinl(long double complex), ctanl(long double complex);
long double complex cacoshl(long double complex), casinhl(long double complex);
long double complex catanhl(long double complex), ccoshl(long double complex);
long double complex csinhl(long double complex), ctanhl(long double complex);
long double complex cexpl(long double complex), clogl(long double complex);
long double complex cpowl(long double complex, long double complex);
long double complex csqrtl(long double complex), conjl(long double complex);
long double complex cprojl(long double complex);
#endif
#include <tgmath.h>

/* The kernel signature (compiler/lower.h): buffers, integer and float parameters. */
#define ONNXCC_KERNEL(name) \
	static void name(void *const *b, const int64_t *p, const double *f)

/* Helpers in templates may go unused in a given model: say so, for clang. */
#if defined(__GNUC__) || defined(__clang__)
#define ONNXCC_HELPER static inline __attribute__((unused))
#else
#define ONNXCC_HELPER static inline
#endif

/* Between two kernel calls of a run function.  Kernels reuse arena bytes
 * with different types (a float tensor, later an int64 one; byte movers that
 * copy floats as uint32_t), so once the calls are inlined into one function,
 * type-based alias analysis could move one kernel's loads past another's
 * stores.  The barrier keeps each kernel's memory accesses in call order. */
#if defined(__GNUC__) || defined(__clang__)
#define ONNXCC_BARRIER() __asm__ __volatile__("" ::: "memory")
#else
#define ONNXCC_BARRIER() ((void)0)
#endif

/* Alignment of the constant blob. */
#if defined(__GNUC__) || defined(__clang__)
#define ONNXCC_ALIGNED(n) __attribute__((aligned(n)))
#else
#define ONNXCC_ALIGNED(n)
#endif

/* Status codes a checking kernel stores in its int *status (compiler/lower.h). */
#define ONNXCC_ERR_SHAPE 2
#define ONNXCC_ERR_INDEX 3
#define ONNXCC_ERR_STRING 4 /* a string result does not fit its record (--string-bytes) */

/* Kernels index tensors with int64_t; the largest rank they support. */
#define ONNXCC_MAX_RANK 8

/* Advance the multi-index idx over dims[0..r) (last fastest) and return the
 * change of a linear offset with element strides st[]. */
ONNXCC_HELPER int64_t onnxcc_next_index(int64_t r, const int64_t *dims,
					const int64_t *st, int64_t *idx)
{
	int64_t d, delta = 0;

	for (d = r - 1; d >= 0; d--) {
		if (++idx[d] < dims[d])
			return delta + st[d];
		idx[d] = 0;
		delta -= st[d] * (dims[d] - 1);
	}
	return delta;
}

/* IEEE half and bfloat16 <-> float, rounding to nearest even. */
ONNXCC_HELPER float onnxcc_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, u;
	float out;

	if (exp == 0x1f)
		u = sign | 0x7f800000u | (man << 13);
	else if (exp != 0)
		u = sign | ((exp + 112) << 23) | (man << 13);
	else if (man == 0)
		u = sign;
	else {
		exp = 113;
		while (!(man & 0x400)) {
			man <<= 1;
			exp--;
		}
		u = sign | (exp << 23) | ((man & 0x3ff) << 13);
	}
	memcpy(&out, &u, 4);
	return out;
}

ONNXCC_HELPER uint16_t onnxcc_f32_to_f16(float f)
{
	uint32_t u, sign, exp, man;

	memcpy(&u, &f, 4);
	sign = (u >> 16) & 0x8000;
	exp = (u >> 23) & 0xff;
	man = u & 0x7fffff;
	if (exp == 0xff)
		return (uint16_t)(sign | 0x7c00 | (man ? 0x200 | (man >> 13) : 0));
	if (exp > 142)
		return (uint16_t)(sign | 0x7c00);
	if (exp < 113) {
		uint32_t shift, half, rest;
		if (exp < 102)
			return (uint16_t)sign;
		man |= 0x800000;
		shift = 126 - exp;
		half = 1u << (shift - 1);
		rest = man & ((1u << shift) - 1);
		man >>= shift;
		if (rest > half || (rest == half && (man & 1)))
			man++;
		return (uint16_t)(sign | man);
	}
	{
		uint32_t h = sign | ((exp - 112) << 10) | (man >> 13), rest = man & 0x1fff;
		if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
			h++;
		return (uint16_t)h;
	}
}

ONNXCC_HELPER float onnxcc_bf16_to_f32(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float out;

	memcpy(&out, &u, 4);
	return out;
}

ONNXCC_HELPER uint16_t onnxcc_f32_to_bf16(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	if ((u & 0x7fffffff) > 0x7f800000)
		return (uint16_t)((u >> 16) | 0x40);
	u += 0x7fff + ((u >> 16) & 1);
	return (uint16_t)(u >> 16);
}

#endif
