/* strcast.h: Cast between strings and numbers (compiler/ops/cast.c).
 *
 * to string:   b = {X, Y, status}, p = {n, S}.  Integers in decimal, floats
 *              as numpy's str() of a scalar: the fewest significant digits
 *              that read back as the same value of the source type,
 *              positional for 1e-4 <= |x| < 1e16 ("0.1", "100.0"), else
 *              scientific ("1e-05", "1.5e+16"); "nan", "inf", "-inf".  Text
 *              longer than a record sets ONNXCC_ERR_STRING.
 * from string: b = {X, Y}, p = {n, S}.  strtod's syntax (so "1e-5", "INF",
 *              "-inf", "NaN" in any case); an integer destination first
 *              tries the whole text as an integer, else converts the number
 *              read as a double (saturating, NaN to 0).  Text that is not
 *              a number reads as 0 (the spec leaves it undefined).
 * Uses onnxcc_str_put and onnxcc_str_len (strops.h), the ONNXCC_LOAD_* and
 * ONNXCC_CVT_* conversions (cast.h). */
#include <stdio.h>
#include <stdlib.h>

/* double to float rounding to nearest, without the undefined behaviour of an
 * out-of-range conversion: beyond the largest float by half an ulp is inf. */
ONNXCC_HELPER float onnxcc_f32_of(double w)
{
	if (w > 3.4028234663852886e38 || w < -3.4028234663852886e38) {
		if (w != w)
			return (float)w;
		if (w < 3.4028235677973366e38 && w > -3.4028235677973366e38)
			return w > 0 ? 3.4028234663852886e38f : -3.4028234663852886e38f;
		return w > 0 ? INFINITY : -INFINITY;
	}
	return (float)w;
}

/* numpy-style text of the number that "%.*e" printed into e; o holds 48 bytes. */
ONNXCC_HELPER void onnxcc_np_float_text(char *o, const char *e)
{
	char dig[40];
	int nd = 0, neg = e[0] == '-', x, i;
	const char *q = e + neg;
	char *w = o;

	for (; *q && *q != 'e' && nd < 39; q++)
		if (*q >= '0' && *q <= '9')
			dig[nd++] = *q;
	x = *q == 'e' ? atoi(q + 1) : 0;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (neg)
		*w++ = '-';
	if (nd == 1 && dig[0] == '0') {
		memcpy(w, "0.0", 4);
		return;
	}
	if (x >= -4 && x < 16) {
		if (x < 0) {
			*w++ = '0';
			*w++ = '.';
			for (i = 0; i < -x - 1; i++)
				*w++ = '0';
			for (i = 0; i < nd; i++)
				*w++ = dig[i];
		} else {
			for (i = 0; i <= x; i++)
				*w++ = i < nd ? dig[i] : '0';
			*w++ = '.';
			if (nd > x + 1)
				for (i = x + 1; i < nd; i++)
					*w++ = dig[i];
			else
				*w++ = '0';
		}
		*w = 0;
		return;
	}
	*w++ = dig[0];
	if (nd > 1) {
		*w++ = '.';
		for (i = 1; i < nd; i++)
			*w++ = dig[i];
	}
	sprintf(w, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
}

/* Shortest text of v, a value of a type with at most maxp significant
 * digits; SAME(w, x) says whether the double w reads back as source x. */
#define ONNXCC_FLT_TEXT(o, v, x, SAME, maxp) \
	do { \
		char e_[48]; \
		int p_; \
		double w_; \
		if ((v) != (v)) { \
			memcpy(o, "nan", 4); \
			break; \
		} \
		if (isinf(v)) { \
			memcpy(o, (v) > 0 ? "inf" : "-inf", (v) > 0 ? 4 : 5); \
			break; \
		} \
		for (p_ = 1; p_ <= (maxp); p_++) { \
			snprintf(e_, sizeof e_, "%.*e", p_ - 1, (double)(v)); \
			w_ = strtod(e_, NULL); \
			if (SAME(w_, x)) \
				break; \
		} \
		onnxcc_np_float_text(o, e_); \
	} while (0)

#define ONNXCC_SAME_f32(w, x) (onnxcc_f32_of(w) == (x))
#define ONNXCC_SAME_f64(w, x) ((w) == (x))
#define ONNXCC_SAME_f16(w, x) (onnxcc_f32_to_f16(onnxcc_f32_of(w)) == (x))
#define ONNXCC_SAME_bf16(w, x) (onnxcc_f32_to_bf16(onnxcc_f32_of(w)) == (x))

/* A parsed double into a floating destination. */
#define ONNXCC_STRCVT_f32(v) onnxcc_f32_of(v)
#define ONNXCC_STRCVT_f64(v) (v)
#define ONNXCC_STRCVT_f16(v) onnxcc_f32_to_f16(onnxcc_f32_of(v))
#define ONNXCC_STRCVT_bf16(v) onnxcc_f32_to_bf16(onnxcc_f32_of(v))

#define ONNXCC_FLT_TO_STR(NAME, TX, LOAD, SAME, MAXP) \
ONNXCC_KERNEL(NAME) \
{ \
	const TX *X = (const TX *)b[0]; \
	char *Y = (char *)b[1], t[48]; \
	int *status = (int *)b[2]; \
	int64_t n = p[0], S = p[1], i; \
	(void)f; \
	for (i = 0; i < n; i++) { \
		double v = (double)ONNXCC_LOAD_##LOAD(X[i]); \
		ONNXCC_FLT_TEXT(t, v, X[i], ONNXCC_SAME_##SAME, MAXP); \
		if (!onnxcc_str_put(Y + S * i, S, t, (int64_t)strlen(t), t, 0)) \
			*status = ONNXCC_ERR_STRING; \
	} \
}

#define ONNXCC_INT_TO_STR(NAME, TX, CT, FMT) \
ONNXCC_KERNEL(NAME) \
{ \
	const TX *X = (const TX *)b[0]; \
	char *Y = (char *)b[1], t[32]; \
	int *status = (int *)b[2]; \
	int64_t n = p[0], S = p[1], i; \
	(void)f; \
	for (i = 0; i < n; i++) { \
		snprintf(t, sizeof t, FMT, (CT)X[i]); \
		if (!onnxcc_str_put(Y + S * i, S, t, (int64_t)strlen(t), t, 0)) \
			*status = ONNXCC_ERR_STRING; \
	} \
}

/* The number in record s as a double, NaN-free 0 when it holds none. */
ONNXCC_HELPER double onnxcc_str_number(const char *s, int64_t S)
{
	if (onnxcc_str_len(s, S) >= S)
		return 0;
	return strtod(s, NULL);
}

#define ONNXCC_STR_TO_FLT(NAME, TY, CVT) \
ONNXCC_KERNEL(NAME) \
{ \
	const char *X = (const char *)b[0]; \
	TY *Y = (TY *)b[1]; \
	int64_t n = p[0], S = p[1], i; \
	(void)f; \
	for (i = 0; i < n; i++) \
		Y[i] = ONNXCC_STRCVT_##CVT(onnxcc_str_number(X + S * i, S)); \
}

/* PARSE is strtoll or strtoull, CT its type. */
#define ONNXCC_STR_TO_INT(NAME, TY, CVT, CT, PARSE) \
ONNXCC_KERNEL(NAME) \
{ \
	const char *X = (const char *)b[0]; \
	TY *Y = (TY *)b[1]; \
	int64_t n = p[0], S = p[1], i; \
	(void)f; \
	for (i = 0; i < n; i++) { \
		const char *s = X + S * i; \
		char *end = NULL; \
		CT v = 0; \
		if (onnxcc_str_len(s, S) < S && s[0]) \
			v = PARSE(s, &end, 10); \
		if (end && end != s && !*end) \
			Y[i] = ONNXCC_CVT_i_##CVT(v); \
		else \
			Y[i] = ONNXCC_CVT_f_##CVT(onnxcc_str_number(s, S)); \
	} \
}
