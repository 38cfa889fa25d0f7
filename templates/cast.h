/* cast.h: element type conversions (Cast, CastLike, Pow's exponent).
 *
 * cast: b = {X, Y}, p = {n}: Y[i] = X[i] converted.
 * A conversion loads the source as a C arithmetic value (float16 and
 * bfloat16 widen to float) and stores it with ONNXCC_CVT_<c>_<dst>, where c
 * is f for floating and i for integer or bool sources.  Floating to integer
 * conversions saturate and map NaN to 0, so no value is undefined behaviour;
 * integer narrowing keeps the low bits.  float8 sources load as float;
 * conversions to float8 (cast_f8) take p = {n, saturate}.  Uses onnxcc_sat_i64 from
 * elementwise.h. */
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

#define ONNXCC_LOAD_id(x) (x)
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

#endif
