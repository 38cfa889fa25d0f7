/* cast.h: element type conversions (Cast, CastLike, Pow's exponent).
 *
 * cast: b = {X, Y}, p = {n}: Y[i] = X[i] converted.
 * A conversion loads the source as a C arithmetic value (float16 and
 * bfloat16 widen to float) and stores it with ONNXCC_CVT_<c>_<dst>, where c
 * is f for floating and i for integer or bool sources.  Floating to integer
 * conversions saturate and map NaN to 0, so no value is undefined behaviour;
 * integer narrowing keeps the low bits.  Uses onnxcc_sat_i64 from
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

#define ONNXCC_LOAD_id(x) (x)
#define ONNXCC_LOAD_f16(x) onnxcc_f16_to_f32(x)
#define ONNXCC_LOAD_bf16(x) onnxcc_bf16_to_f32(x)

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

#endif
