/* random.h: RandomUniform(Like), RandomNormal(Like), Bernoulli, Multinomial and
 * Dropout in training mode.
 *
 * The generator is counter-based and stateless: the k-th draw of a node is
 * onnxcc_rand_u01(seed, k), a SplitMix64-style mix of (seed, k), so the same
 * seed gives the same values at every run, in any order, with no global state.
 * The seed is a kernel parameter fixed at compile time (ops/random.c says how).
 *
 * uniform:      b = {Y}, p = {n, seed}, f = {low, high}: Y[i] in [low, high)
 * normal:       b = {Y}, p = {n, seed}, f = {mean, scale} (Box-Muller on draws 2i, 2i+1)
 * bernoulli:    b = {P, Y}, p = {n, seed, one}: Y[i] = draw < P[i] ? one : 0, where Y
 *               is written as unsigned integers of its width and `one` holds the
 *               bits of 1 in Y's element type
 * multinomial:  b = {X, Y}, p = {batch, k, samples, seed}: X [batch, k] unnormalized
 *               log-probabilities, Y [batch, samples] class indices in [0, k)
 * dropout:      b = {X, R, TM, Y, M}, p = {n, seed, has_r, r_type, has_tm, has_m},
 *               f = {ratio}: the ratio is R (r_type 0 float, 1 double, 2 float16,
 *               3 bfloat16) or f[0]; training mode is TM (bool) or true.  Training
 *               with ratio r > 0: element i is kept when its draw is >= r, and then
 *               Y = X / (1 - r), else Y = 0; M (bool, written if has_m) says which were
 *               kept.  Otherwise Y = X and M is all true.  Unused buffers are dummies. */
#ifndef ONNXCC_RANDOM_H
#define ONNXCC_RANDOM_H

ONNXCC_HELPER uint64_t onnxcc_rand_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Draw k of the stream `seed`: a double in [0, 1) with 53 random bits. */
ONNXCC_HELPER double onnxcc_rand_u01(int64_t seed, int64_t k)
{
	uint64_t z = onnxcc_rand_mix((uint64_t)seed ^ onnxcc_rand_mix((uint64_t)k + 0x9e3779b97f4a7c15ULL));

	return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

#define ONNXCC_RANDOM_UNIFORM(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	T *Y = (T *)b[0], lo = (T)f[0], hi = (T)f[1]; \
	int64_t i; \
	for (i = 0; i < p[0]; i++) { \
		T v = (T)(f[0] + (f[1] - f[0]) * onnxcc_rand_u01(p[1], i)); \
		Y[i] = v < hi ? v : lo; /* rounding up to high wraps to low */ \
	} \
}

#define ONNXCC_RANDOM_NORMAL(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	T *Y = (T *)b[0]; \
	int64_t i; \
	for (i = 0; i < p[0]; i++) { \
		double u1 = 1.0 - onnxcc_rand_u01(p[1], 2 * i), u2 = onnxcc_rand_u01(p[1], 2 * i + 1); \
		double z = sqrt(-2.0 * log(u1)) * cos(6.28318530717958647692 * u2); \
		Y[i] = (T)(f[0] + f[1] * z); \
	} \
}

#define ONNXCC_BERNOULLI(NAME, TI, TO) \
ONNXCC_KERNEL(NAME) \
{ \
	const TI *P = (const TI *)b[0]; \
	TO *Y = (TO *)b[1]; \
	int64_t i; \
	(void)f; \
	for (i = 0; i < p[0]; i++) \
		Y[i] = onnxcc_rand_u01(p[1], i) < (double)P[i] ? (TO)p[2] : (TO)0; \
}

#define ONNXCC_MULTINOMIAL(NAME, TI, TO) \
ONNXCC_KERNEL(NAME) \
{ \
	const TI *X = (const TI *)b[0]; \
	TO *Y = (TO *)b[1]; \
	int64_t batch = p[0], k = p[1], s = p[2], r, t, j; \
	(void)f; \
	for (r = 0; r < batch; r++) { \
		const TI *x = X + r * k; \
		double mx = -HUGE_VAL, tot = 0; \
		for (j = 0; j < k; j++) \
			mx = (double)x[j] > mx ? (double)x[j] : mx; \
		for (j = 0; j < k; j++) \
			tot += exp((double)x[j] - mx); \
		for (t = 0; t < s; t++) { \
			double u = onnxcc_rand_u01(p[3], r * s + t) * tot, c = 0; \
			int64_t pick = k - 1; \
			for (j = 0; j < k; j++) { \
				c += exp((double)x[j] - mx); \
				if (u < c) { \
					pick = j; \
					break; \
				} \
			} \
			Y[r * s + t] = (TO)pick; \
		} \
	} \
}

/* The dropout ratio from R of type r_type (see the top of the file). */
ONNXCC_HELPER double onnxcc_dropout_ratio(const void *r, int64_t r_type)
{
	switch (r_type) {
	case 1: return *(const double *)r;
	case 2: return (double)onnxcc_f16_to_f32(*(const uint16_t *)r);
	case 3: return (double)onnxcc_bf16_to_f32(*(const uint16_t *)r);
	}
	return (double)*(const float *)r;
}

#define ONNXCC_DROPOUT_TRAIN(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[3]; \
	uint8_t *M = (uint8_t *)b[4]; \
	double ratio = p[2] ? onnxcc_dropout_ratio(b[1], p[3]) : f[0]; \
	int train = p[4] ? *(const uint8_t *)b[2] != 0 : 1; \
	double scale = ratio < 1.0 ? 1.0 / (1.0 - ratio) : 0.0; \
	int64_t i; \
	for (i = 0; i < p[0]; i++) { \
		int keep = !train || !(ratio > 0.0) || onnxcc_rand_u01(p[1], i) >= ratio; \
		Y[i] = !train || !(ratio > 0.0) ? X[i] : keep ? (T)((double)X[i] * scale) : (T)0; \
		if (p[5]) \
			M[i] = (uint8_t)keep; \
	} \
}

#endif
