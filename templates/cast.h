/* cast.h: element type conversions (Cast, CastLike, Pow's exponent).
 *
 * cast: b = {X, Y}, p = {n}: Y[i] = X[i] converted.
 * A conversion loads the source as a C arithmetic value (float16 and
 * bfloat16 widen to float) and stores it with ONNXCC_CVT_<c>_<dst>, where c
 * is f for floating and i for integer or bool sources.  Floating to integer
 * conversions saturate and map NaN to 0, so no value is undefined behaviour;
 * integer narrowing keeps the low bits.  float8 sources load as float;
 * conversions to float8 (cast_f8) take p = {n, saturate}.
 *
 * The sub-byte types hold one element per byte: int4 / int2 as int8_t,
 * uint4 / uint2 as uint8_t, float4e2m1 as its code in the low 4 bits of a
 * uint8_t.  Only the low 4 (2) bits are read, so any byte is some element.
 * Conversions to them keep the low bits of the integer (floating sources
 * truncate, saturating to int64, NaN to 0), as the reference's ml_dtypes
 * does; to float4e2m1 round to nearest even and saturate to +-6 (NaN gives
 * 0x8, -0, as ml_dtypes does: the format has no NaN).  float8e8m0 (a uint8_t
 * code e, the value 2^(e-127), 0xff NaN) loads as float; conversions to it
 * (cast_e8m0) take p = {n, saturate, round_mode} (0 up, 1 down, 2 nearest).
 * Uses onnxcc_sat_i64 from elementwise.h. */
#ifndef ONNXCC_CAST_H
#define ONNXCC_CAST_H

/* x clamped to [lo, hi] (limits of an integer type of at most 32 bits, exact
 * in double), NaN to 0. */
ONNXCC_HELPER int64_t onnxcc_sat_range(double x, double lo, double hi)
{
	if (x != x)
		return 0;
	return (int64_t)(x < lo ? lo : x > hi ? hi : x);
}

ONNXCC_HELPER uint64_t onnxcc_sat_u64(double x)
{
	if (x != x || x <= 0)
		return 0;
	if (x >= 18446744073709551616.0)
		return UINT64_MAX;
	return (uint64_t)x;
}

/* float8 (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ; stored as uint8_t): mb mantissa
 * bits, exponent bias `bias`, largest finite value `max`.  fnuz: NaN is 0x80
 * and there is no -0 and no inf; ieee (E5M2): an all-ones exponent is inf
 * (mantissa 0) or NaN; otherwise (E4M3FN) only S.1111.111 is NaN. */
ONNXCC_HELPER float onnxcc_f8_decode(uint8_t u, int mb, int bias, int fnuz, int ieee)
{
	int e = (u & 0x7f) >> mb, m = u & ((1 << mb) - 1);
	float v;

	if (fnuz ? u == 0x80 : ieee ? e == 0x7f >> mb && m : (u & 0x7f) == 0x7f)
		return NAN;
	if (!fnuz && ieee && e == 0x7f >> mb)
		v = INFINITY;
	else if (e)
		v = ldexpf((float)(m | 1 << mb), e - bias - mb);
	else
		v = ldexpf((float)m, 1 - bias - mb);
	return u & 0x80 ? -v : v;
}

/* x rounded to nearest even in the float8 format above.  sat: values beyond
 * max (and inf) clamp to +-max, as the reference clips before casting; else
 * a result beyond max is inf (E5M2) or NaN. */
ONNXCC_HELPER uint8_t onnxcc_f8_encode(float x, int sat, int mb, int bias, float max, int fnuz,
				       int ieee)
{
	uint8_t s = signbit(x) ? 0x80 : 0, nan = fnuz ? 0x80 : (uint8_t)(s | 0x7f);
	uint8_t ovf = ieee ? (uint8_t)(s | 0x7c) : nan, bits;
	float a = fabsf(x);
	int e, q;

	if (x != x)
		return nan;
	if (sat && a > max)
		a = max;
	if (isinf(a))
		return ovf;
	frexpf(a, &e);
	e = e - 1 < 1 - bias ? 1 - bias : e - 1;  /* a = 1.m * 2^e, or subnormal */
	q = (int)rintf(ldexpf(a, mb - e));
	if (q >> (mb + 1)) {                     /* rounded up to the next binade */
		q >>= 1;
		e++;
	}
	if (ldexpf((float)q, e - mb) > max)
		return ovf;
	if (q < 1 << mb)
		bits = (uint8_t)q;
	else
		bits = (uint8_t)((e + bias) << mb | (q - (1 << mb)));
	return fnuz && !bits ? 0 : (uint8_t)(s | bits);
}

ONNXCC_HELPER float onnxcc_f8e4m3fn_to_f32(uint8_t u) { return onnxcc_f8_decode(u, 3, 7, 0, 0); }
ONNXCC_HELPER float onnxcc_f8e4m3fnuz_to_f32(uint8_t u) { return onnxcc_f8_decode(u, 3, 8, 1, 0); }
ONNXCC_HELPER float onnxcc_f8e5m2_to_f32(uint8_t u) { return onnxcc_f8_decode(u, 2, 15, 0, 1); }
ONNXCC_HELPER float onnxcc_f8e5m2fnuz_to_f32(uint8_t u) { return onnxcc_f8_decode(u, 2, 16, 1, 0); }

ONNXCC_HELPER uint8_t onnxcc_f32_to_f8e4m3fn(float x, int sat)
{
	return onnxcc_f8_encode(x, sat, 3, 7, 448.0f, 0, 0);
}

ONNXCC_HELPER uint8_t onnxcc_f32_to_f8e4m3fnuz(float x, int sat)
{
	return onnxcc_f8_encode(x, sat, 3, 8, 240.0f, 1, 0);
}

ONNXCC_HELPER uint8_t onnxcc_f32_to_f8e5m2(float x, int sat)
{
	return onnxcc_f8_encode(x, sat, 2, 15, 57344.0f, 0, 1);
}

ONNXCC_HELPER uint8_t onnxcc_f32_to_f8e5m2fnuz(float x, int sat)
{
	return onnxcc_f8_encode(x, sat, 2, 16, 57344.0f, 1, 0);
}

/* float4e2m1: sign, 2 exponent bits (bias 1), 1 mantissa bit; max 6. */
ONNXCC_HELPER float onnxcc_f4e2m1_to_f32(uint8_t u)
{
	float v = onnxcc_f8_decode((uint8_t)(u & 7), 1, 1, 0, 0);

	return u & 8 ? -v : v;
}

ONNXCC_HELPER uint8_t onnxcc_f32_to_f4e2m1(float x)
{
	if (x != x)
		return 8;
	return (uint8_t)(onnxcc_f8_encode(fabsf(x), 1, 1, 1, 6.0f, 0, 0) | (signbit(x) ? 8 : 0));
}

/* float8e8m0: the code is a float's biased exponent. */
ONNXCC_HELPER float onnxcc_f8e8m0_to_f32(uint8_t u)
{
	return u == 0xff ? NAN : ldexpf(1.0f, (int)u - 127);
}

/* x's exponent, rounded by mode (0 up: any fraction bit rounds away from
 * zero; 1 down: truncate; 2 nearest: a half rounds up, except below 2^-126
 * where only more than a half does, as the reference rounds).  sat: no
 * rounding past the largest code 0xfe, and inf gives 0xfe; else both give
 * 0xff (NaN).  The sign is ignored (negative inputs are undefined). */
ONNXCC_HELPER uint8_t onnxcc_f32_to_f8e8m0(float x, int sat, int mode)
{
	uint32_t u, e, frac;
	int up;

	memcpy(&u, &x, 4);
	e = u >> 23 & 0xff;
	frac = u & 0x7fffff;
	if (e == 0xff)
		return frac || !sat ? 0xff : 0xfe;
	if (mode == 0)
		up = frac != 0;
	else if (mode == 2)
		up = (frac & 0x400000) && ((frac & 0x3fffff) || e > 0);
	else
		up = 0;
	if (up && sat && e == 0xfe)
		up = 0;
	return (uint8_t)(e + (uint32_t)up);
}

/* v's low `bits` bits as an unsigned or two's complement value. */
ONNXCC_HELPER int onnxcc_wrap_bits(uint64_t v, int bits, int sign)
{
	int m = (int)(v & ((1u << bits) - 1)), h = 1 << (bits - 1);

	return sign ? (m ^ h) - h : m;
}

#define ONNXCC_LOAD_id(x) (x)
#define ONNXCC_LOAD_i4(x) onnxcc_wrap_bits((uint64_t)(x), 4, 1)
#define ONNXCC_LOAD_u4(x) onnxcc_wrap_bits((uint64_t)(x), 4, 0)
#define ONNXCC_LOAD_i2(x) onnxcc_wrap_bits((uint64_t)(x), 2, 1)
#define ONNXCC_LOAD_u2(x) onnxcc_wrap_bits((uint64_t)(x), 2, 0)
#define ONNXCC_LOAD_f4e2m1(x) onnxcc_f4e2m1_to_f32(x)
#define ONNXCC_LOAD_f8e8m0(x) onnxcc_f8e8m0_to_f32(x)
#define ONNXCC_LOAD_f16(x) onnxcc_f16_to_f32(x)
#define ONNXCC_LOAD_bf16(x) onnxcc_bf16_to_f32(x)
#define ONNXCC_LOAD_f8e4m3fn(x) onnxcc_f8e4m3fn_to_f32(x)
#define ONNXCC_LOAD_f8e4m3fnuz(x) onnxcc_f8e4m3fnuz_to_f32(x)
#define ONNXCC_LOAD_f8e5m2(x) onnxcc_f8e5m2_to_f32(x)
#define ONNXCC_LOAD_f8e5m2fnuz(x) onnxcc_f8e5m2fnuz_to_f32(x)

#define ONNXCC_CVT_f_f32(v) ((float)(v))
#define ONNXCC_CVT_i_f32(v) ((float)(v))
#define ONNXCC_CVT_f_f64(v) ((double)(v))
#define ONNXCC_CVT_i_f64(v) ((double)(v))
#define ONNXCC_CVT_f_f16(v) onnxcc_f32_to_f16((float)(v))
#define ONNXCC_CVT_i_f16(v) onnxcc_f32_to_f16((float)(v))
#define ONNXCC_CVT_f_bf16(v) onnxcc_f32_to_bf16((float)(v))
#define ONNXCC_CVT_i_bf16(v) onnxcc_f32_to_bf16((float)(v))
#define ONNXCC_CVT_f_b8(v) ((uint8_t)((v) != 0))
#define ONNXCC_CVT_i_b8(v) ((uint8_t)((v) != 0))
#define ONNXCC_CVT_f_i8(v) ((int8_t)onnxcc_sat_range((double)(v), -128.0, 127.0))
#define ONNXCC_CVT_f_i16(v) ((int16_t)onnxcc_sat_range((double)(v), -32768.0, 32767.0))
#define ONNXCC_CVT_f_i32(v) \
	((int32_t)onnxcc_sat_range((double)(v), -2147483648.0, 2147483647.0))
#define ONNXCC_CVT_f_i64(v) onnxcc_sat_i64((double)(v))
#define ONNXCC_CVT_f_u8(v) ((uint8_t)onnxcc_sat_range((double)(v), 0.0, 255.0))
#define ONNXCC_CVT_f_u16(v) ((uint16_t)onnxcc_sat_range((double)(v), 0.0, 65535.0))
#define ONNXCC_CVT_f_u32(v) ((uint32_t)onnxcc_sat_range((double)(v), 0.0, 4294967295.0))
#define ONNXCC_CVT_f_u64(v) onnxcc_sat_u64((double)(v))
#define ONNXCC_CVT_i_i8(v) ((int8_t)(v))
#define ONNXCC_CVT_i_i16(v) ((int16_t)(v))
#define ONNXCC_CVT_i_i32(v) ((int32_t)(v))
#define ONNXCC_CVT_i_i64(v) ((int64_t)(v))
#define ONNXCC_CVT_i_u8(v) ((uint8_t)(v))
#define ONNXCC_CVT_i_u16(v) ((uint16_t)(v))
#define ONNXCC_CVT_i_u32(v) ((uint32_t)(v))
#define ONNXCC_CVT_i_u64(v) ((uint64_t)(v))
#define ONNXCC_CVT_f_i4(v) ((int8_t)onnxcc_wrap_bits((uint64_t)onnxcc_sat_i64((double)(v)), 4, 1))
#define ONNXCC_CVT_f_u4(v) ((uint8_t)onnxcc_wrap_bits((uint64_t)onnxcc_sat_i64((double)(v)), 4, 0))
#define ONNXCC_CVT_f_i2(v) ((int8_t)onnxcc_wrap_bits((uint64_t)onnxcc_sat_i64((double)(v)), 2, 1))
#define ONNXCC_CVT_f_u2(v) ((uint8_t)onnxcc_wrap_bits((uint64_t)onnxcc_sat_i64((double)(v)), 2, 0))
#define ONNXCC_CVT_i_i4(v) ((int8_t)onnxcc_wrap_bits((uint64_t)(v), 4, 1))
#define ONNXCC_CVT_i_u4(v) ((uint8_t)onnxcc_wrap_bits((uint64_t)(v), 4, 0))
#define ONNXCC_CVT_i_i2(v) ((int8_t)onnxcc_wrap_bits((uint64_t)(v), 2, 1))
#define ONNXCC_CVT_i_u2(v) ((uint8_t)onnxcc_wrap_bits((uint64_t)(v), 2, 0))
#define ONNXCC_CVT_f_f4e2m1(v) onnxcc_f32_to_f4e2m1((float)(v))
#define ONNXCC_CVT_i_f4e2m1(v) onnxcc_f32_to_f4e2m1((float)(v))

#define ONNXCC_CAST(NAME, TX, TY, LOAD, CVT) \
ONNXCC_KERNEL(NAME) \
{ \
	const TX *X = (const TX *)b[0]; \
	TY *Y = (TY *)b[1]; \
	int64_t i, n = p[0]; \
	(void)f; \
	for (i = 0; i < n; i++) \
		Y[i] = ONNXCC_CVT_##CVT(ONNXCC_LOAD_##LOAD(X[i])); \
}

/* To a float8 type D: p = {n, saturate}; the source goes through float. */
#define ONNXCC_CAST_F8(NAME, TX, LOAD, D) \
ONNXCC_KERNEL(NAME) \
{ \
	const TX *X = (const TX *)b[0]; \
	uint8_t *Y = (uint8_t *)b[1]; \
	int64_t i, n = p[0]; \
	int sat = (int)p[1]; \
	(void)f; \
	for (i = 0; i < n; i++) \
		Y[i] = onnxcc_f32_to_##D((float)ONNXCC_LOAD_##LOAD(X[i]), sat); \
}

/* To float8e8m0: p = {n, saturate, round_mode}; the source goes through float. */
#define ONNXCC_CAST_E8M0(NAME, TX, LOAD) \
ONNXCC_KERNEL(NAME) \
{ \
	const TX *X = (const TX *)b[0]; \
	uint8_t *Y = (uint8_t *)b[1]; \
	int64_t i, n = p[0]; \
	int sat = (int)p[1], mode = (int)p[2]; \
	(void)f; \
	for (i = 0; i < n; i++) \
		Y[i] = onnxcc_f32_to_f8e8m0((float)ONNXCC_LOAD_##LOAD(X[i]), sat, mode); \
}

#endif
