/* quant.h: linear quantization (QuantizeLinear, DequantizeLinear,
 * DynamicQuantizeLinear) and the pieces of the integer products
 * (MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv), whose products
 * themselves run on the int32 GEMM of linalg.h and conv.h.
 *
 * quantize:   b = {X, S, [Z] (has_z), Y}
 *             p = {outer, D, inner, block, so, sa, si, has_z}
 *   X is outer x D x inner (D the quantization axis).  The scale (and zero
 *   point) of element (o, a, i) is at o * so + (a / block) * sa + i * si, which
 *   covers per-tensor (all strides 0), per-axis (sa 1) and blocked scales.
 *       Y = saturate(round_half_even(X / S) + Z)
 *   computed in TC (float for float X, double for int32 X, as numpy does).
 *   S is float (the compiler widens float16 / bfloat16 scales).
 * dequantize: b = {X, S, [Z], Y (float)}, p as quantize:  Y = (X - Z) * S
 * quantize_f8 / dequantize_f8: the same for the float8 types (cast.h's
 *   helpers), with p[8] = saturate for quantize and a zero point of 0.
 * quantize_f4 / dequantize_f4: the same for float4e2m1 (cast.h's helpers),
 *   the zero point decoded and added / subtracted in float.
 * The 4- and 2-bit integers quantize and dequantize as the 8-bit ones, one
 * element per byte, with their own saturation range.
 * dynquant:   b = {X, Y, S, Z}, p = {n}: DynamicQuantizeLinear to uint8, with
 *   the scale and zero point of the range of X widened to contain 0.
 * subzp:      the binary layout of elementwise.h: Y (int32) = A - B, the
 *   quantized operand minus its (broadcast) zero point; subzpf the same with
 *   a float Y, exact (the integer convolution on the float GEMM, quant.c).
 * qweights:   b = {W, [Z] (has_z), Y (float)}, p = {m, per, mg, s, has_z, zn}:
 *   the float weights of the integer convolution on the float GEMM (quant.c),
 *   v = W - Z of each of the m output channels (per weights; Z has zn
 *   elements, 1 or m), split by s (onnxcc_qsplit) unless s is 1: per group
 *   of mg channels, their rows of H and then their rows of L.
 * hilo:       b = {Y (float), C (int32)}, p = {blocks, plane, s}: Y holds
 *   integers in float, per block a plane of H then one of L (s 1: C itself,
 *   no L); C = s * H + L.
 * requant:    b = {C (int32), S1, S2, S3, [Z], Y}
 *             p = {rows, m, n, s1r, s1c, s2r, s2c, has_z, half}
 *   C and Y are rows x n; row r uses row index r % m of the scales:
 *       Y[r, c] = saturate(round_half_even(C * (S1 * S2 / S3) + Z))
 *   with S1 at (r % m) * s1r + c * s1c, S2 likewise, S3 and Z scalars.  The
 *   factor is computed in float and, as the reference does in the scales'
 *   own type, rounded to float16 (half 1) or bfloat16 (half 2) after each
 *   operation; the product with C is in double. */
#ifndef ONNXCC_QUANT_H
#define ONNXCC_QUANT_H

/* v saturated to [lo, hi]; NaN gives lo, as the reference's int32 conversion does. */
ONNXCC_HELPER double onnxcc_qsat(double v, double lo, double hi)
{
	if (!(v >= lo))
		return lo;
	return v > hi ? hi : v;
}

/* v rounded to the precision of the scales' type (see requant). */
ONNXCC_HELPER float onnxcc_qround(float v, int64_t half)
{
	if (half == 1)
		return onnxcc_f16_to_f32(onnxcc_f32_to_f16(v));
	if (half == 2)
		return onnxcc_bf16_to_f32(onnxcc_f32_to_bf16(v));
	return v;
}

/* Loads of a quantized element: the sub-byte integers (one per byte) read
 * only their low 4 or 2 bits, as cast.h does. */
#define ONNXCC_QLOAD_id(x) (x)
#define ONNXCC_QLOAD_i4(x) (((int)((x) & 15) ^ 8) - 8)
#define ONNXCC_QLOAD_u4(x) ((int)((x) & 15))
#define ONNXCC_QLOAD_i2(x) (((int)((x) & 3) ^ 2) - 2)
#define ONNXCC_QLOAD_u2(x) ((int)((x) & 3))

#define ONNXCC_QUANTIZE(NAME, TX, TC, TY, LO, HI, LOAD) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t outer = p[0], d = p[1], inner = p[2], bs = p[3], so = p[4], sa = p[5]; \
	int64_t si = p[6], hz = p[7], o, a, i; \
	const TX *X = (const TX *)b[0]; \
	const float *S = (const float *)b[1]; \
	const TY *Z = hz ? (const TY *)b[2] : (const TY *)0; \
	TY *Y = (TY *)b[2 + hz]; \
	(void)f; \
	for (o = 0; o < outer; o++) \
		for (a = 0; a < d; a++) { \
			int64_t s0 = o * so + (a / bs) * sa, off = (o * d + a) * inner; \
			for (i = 0; i < inner; i++) { \
				int64_t s = s0 + i * si; \
				TC v = rint((TC)X[off + i] / (TC)S[s]); \
				if (Z) \
					v += (TC)ONNXCC_QLOAD_##LOAD(Z[s]); \
				Y[off + i] = (TY)onnxcc_qsat((double)v, LO, HI); \
			} \
		} \
}

#define ONNXCC_DEQUANTIZE(NAME, TX, LOAD) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t outer = p[0], d = p[1], inner = p[2], bs = p[3], so = p[4], sa = p[5]; \
	int64_t si = p[6], hz = p[7], o, a, i; \
	const TX *X = (const TX *)b[0]; \
	const float *S = (const float *)b[1]; \
	const TX *Z = hz ? (const TX *)b[2] : (const TX *)0; \
	float *Y = (float *)b[2 + hz]; \
	(void)f; \
	for (o = 0; o < outer; o++) \
		for (a = 0; a < d; a++) { \
			int64_t s0 = o * so + (a / bs) * sa, off = (o * d + a) * inner; \
			for (i = 0; i < inner; i++) { \
				int64_t s = s0 + i * si; \
				float v = (float)ONNXCC_QLOAD_##LOAD(X[off + i]); \
				if (Z) \
					v -= (float)ONNXCC_QLOAD_##LOAD(Z[s]); \
				Y[off + i] = v * S[s]; \
			} \
		} \
}

/* To float8 type D: the quantize layout with p[8] = saturate; Y = D(X / S).
 * The zero point (0, checked by the compiler when constant) is not read. */
#define ONNXCC_QUANTIZE_F8(NAME, D) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t outer = p[0], d = p[1], inner = p[2], bs = p[3], so = p[4], sa = p[5]; \
	int64_t si = p[6], hz = p[7], o, a, i; \
	int sat = (int)p[8]; \
	const float *X = (const float *)b[0], *S = (const float *)b[1]; \
	uint8_t *Y = (uint8_t *)b[2 + hz]; \
	(void)f; \
	for (o = 0; o < outer; o++) \
		for (a = 0; a < d; a++) { \
			int64_t s0 = o * so + (a / bs) * sa, off = (o * d + a) * inner; \
			for (i = 0; i < inner; i++) \
				Y[off + i] = onnxcc_f32_to_##D(X[off + i] / S[s0 + i * si], sat); \
		} \
}

/* From float8 type D: the dequantize layout, Y = float(X) * S (zero point 0). */
#define ONNXCC_DEQUANTIZE_F8(NAME, D) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t outer = p[0], d = p[1], inner = p[2], bs = p[3], so = p[4], sa = p[5]; \
	int64_t si = p[6], hz = p[7], o, a, i; \
	const uint8_t *X = (const uint8_t *)b[0]; \
	const float *S = (const float *)b[1]; \
	float *Y = (float *)b[2 + hz]; \
	(void)f; \
	for (o = 0; o < outer; o++) \
		for (a = 0; a < d; a++) { \
			int64_t s0 = o * so + (a / bs) * sa, off = (o * d + a) * inner; \
			for (i = 0; i < inner; i++) \
				Y[off + i] = onnxcc_##D##_to_f32(X[off + i]) * S[s0 + i * si]; \
		} \
}

/* To float4e2m1: the quantize layout; Y = float4e2m1(X / S + Z), rounded to
 * nearest even and saturated (cast.h). */
#define ONNXCC_QUANTIZE_F4(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t outer = p[0], d = p[1], inner = p[2], bs = p[3], so = p[4], sa = p[5]; \
	int64_t si = p[6], hz = p[7], o, a, i; \
	const float *X = (const float *)b[0], *S = (const float *)b[1]; \
	const uint8_t *Z = hz ? (const uint8_t *)b[2] : (const uint8_t *)0; \
	uint8_t *Y = (uint8_t *)b[2 + hz]; \
	(void)f; \
	for (o = 0; o < outer; o++) \
		for (a = 0; a < d; a++) { \
			int64_t s0 = o * so + (a / bs) * sa, off = (o * d + a) * inner; \
			for (i = 0; i < inner; i++) { \
				int64_t s = s0 + i * si; \
				float v = X[off + i] / S[s]; \
				if (Z) \
					v += onnxcc_f4e2m1_to_f32(Z[s]); \
				Y[off + i] = onnxcc_f32_to_f4e2m1(v); \
			} \
		} \
}

/* From float4e2m1: the dequantize layout, Y = (float(X) - float(Z)) * S. */
#define ONNXCC_DEQUANTIZE_F4(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t outer = p[0], d = p[1], inner = p[2], bs = p[3], so = p[4], sa = p[5]; \
	int64_t si = p[6], hz = p[7], o, a, i; \
	const uint8_t *X = (const uint8_t *)b[0]; \
	const float *S = (const float *)b[1]; \
	const uint8_t *Z = hz ? (const uint8_t *)b[2] : (const uint8_t *)0; \
	float *Y = (float *)b[2 + hz]; \
	(void)f; \
	for (o = 0; o < outer; o++) \
		for (a = 0; a < d; a++) { \
			int64_t s0 = o * so + (a / bs) * sa, off = (o * d + a) * inner; \
			for (i = 0; i < inner; i++) { \
				int64_t s = s0 + i * si; \
				float v = onnxcc_f4e2m1_to_f32(X[off + i]); \
				if (Z) \
					v -= onnxcc_f4e2m1_to_f32(Z[s]); \
				Y[off + i] = v * S[s]; \
			} \
		} \
}

/* DynamicQuantizeLinear in float (as the reference: x / scale is float,
 * and float and double give the same rint, + zero point and saturation);
 * the range in 16 lanes and the quantization branch-free, so both loops
 * vectorize.  A NaN is skipped by the range and quantizes to 0. */
#define ONNXCC_DYNQUANT(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	const float *X = (const float *)b[0]; \
	uint8_t *Y = (uint8_t *)b[1], *Z = (uint8_t *)b[3]; \
	float *S = (float *)b[2], lo = 0, hi = 0, scale, zp, lov[16] = {0}, hiv[16] = {0}; \
	int64_t n = p[0], i, j; \
	(void)f; \
	for (i = 0; i + 16 <= n; i += 16) \
		for (j = 0; j < 16; j++) { \
			lov[j] = X[i + j] < lov[j] ? X[i + j] : lov[j]; \
			hiv[j] = X[i + j] > hiv[j] ? X[i + j] : hiv[j]; \
		} \
	for (; i < n; i++) { \
		lo = X[i] < lo ? X[i] : lo; \
		hi = X[i] > hi ? X[i] : hi; \
	} \
	for (j = 0; j < 16; j++) { \
		lo = lov[j] < lo ? lov[j] : lo; \
		hi = hiv[j] > hi ? hiv[j] : hi; \
	} \
	scale = hi == lo ? 1.0f : (hi - lo) / 255.0f; \
	zp = (float)onnxcc_qsat((double)rint(0.0f - lo / scale), 0.0, 255.0); \
	for (i = 0; i < n; i++) { \
		float v = rintf(X[i] / scale) + zp; \
		v = v >= 0.0f ? v : 0.0f; \
		Y[i] = (uint8_t)(v <= 255.0f ? v : 255.0f); \
	} \
	*S = scale; \
	*Z = (uint8_t)zp; \
}

/* The high part (low 0) or the low part of integer v split by s, a power of
 * two: h = v / s rounded half up, l = v - s h, both exact in float.  The
 * compiler bounds the sums with the same function (lower_qsplit). */
ONNXCC_HELPER float onnxcc_qsplit(float v, int64_t s, int low)
{
	float h = s == 1 ? v : floorf(v / (float)s + 0.5f);

	return low ? v - (float)s * h : h;
}

#define ONNXCC_QWEIGHTS(NAME, TW) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t m = p[0], per = p[1], mg = p[2], s = p[3], hz = p[4], zn = p[5], i, j; \
	const TW *W = (const TW *)b[0], *Z = hz ? (const TW *)b[1] : (const TW *)0; \
	float *Y = (float *)b[1 + hz]; \
	(void)f; \
	for (i = 0; i < m; i++) { \
		int64_t hr = s == 1 ? i : (i / mg) * 2 * mg + i % mg; \
		float z = Z ? (float)Z[zn == 1 ? 0 : i] : 0.0f; \
		for (j = 0; j < per; j++) { \
			float v = (float)W[i * per + j] - z; \
			Y[hr * per + j] = onnxcc_qsplit(v, s, 0); \
			if (s > 1) \
				Y[(hr + mg) * per + j] = onnxcc_qsplit(v, s, 1); \
		} \
	} \
}

#define ONNXCC_HILO(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t blocks = p[0], plane = p[1], s = p[2], i, j; \
	const float *Y = (const float *)b[0]; \
	int32_t *C = (int32_t *)b[1]; \
	(void)f; \
	if (s == 1) { \
		for (j = 0; j < blocks * plane; j++) \
			C[j] = (int32_t)Y[j]; \
		return; \
	} \
	for (i = 0; i < blocks; i++) { \
		const float *h = Y + 2 * i * plane, *l = h + plane; \
		int32_t *c = C + i * plane; \
		for (j = 0; j < plane; j++) \
			c[j] = (int32_t)(s * (int64_t)h[j] + (int64_t)l[j]); \
	} \
}

/* The zero point subtraction of subzp, in int32, and of subzpf, in float
 * (exact: both are 8-bit integers). */
#define ONNXCC_OP_qsub(x, y, f) ((int32_t)(x) - (int32_t)(y))
#define ONNXCC_OP_qsubf(x, y, f) ((float)(x) - (float)(y))

#define ONNXCC_REQUANT(NAME, TY, LO, HI) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t rows = p[0], m = p[1], n = p[2], s1r = p[3], s1c = p[4], s2r = p[5]; \
	int64_t s2c = p[6], hz = p[7], half = p[8], r, c; \
	const int32_t *C = (const int32_t *)b[0]; \
	const float *S1 = (const float *)b[1], *S2 = (const float *)b[2]; \
	const float *S3 = (const float *)b[3]; \
	const TY *Z = hz ? (const TY *)b[4] : (const TY *)0; \
	TY *Y = (TY *)b[4 + hz]; \
	double z = Z ? (double)Z[0] : 0.0; \
	(void)f; \
	for (r = 0; r < rows; r++) { \
		int64_t i = r % m; \
		for (c = 0; c < n; c++) { \
			float s = onnxcc_qround(S1[i * s1r + c * s1c] * S2[i * s2r + c * s2c], half); \
			double v = (double)C[r * n + c] * (double)onnxcc_qround(s / S3[0], half) + z; \
			Y[r * n + c] = (TY)onnxcc_qsat(rint(v), LO, HI); \
		} \
	} \
}

#endif
