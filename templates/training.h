/* training.h: the optimizer steps of ai.onnx.preview.training (Adagrad, Adam,
 * Momentum) for one optimized tensor X of n elements.  R (the learning rate) is
 * float or double (p[1] says double), T the int64 update count; the arithmetic
 * is in double, the results are written in the tensors' type.
 *
 * adagrad:  b = {R, T, X, G, H, X_new, H_new}, p = {n, r64}, f = {norm, epsilon, decay}
 * adam_state: b = {X, G, V, H, V_new, H_new}, p = {n}, f = {norm, alpha, beta}
 * adam_step:  b = {R, T, X, V_new, H_new, X_new}, p = {n, r64},
 *           f = {norm_post, alpha, beta, epsilon}
 *           (Adam is two calls: X_new reads the new states as rounded to T.)
 * momentum: b = {R, T, X, G, V, X_new, V_new}, p = {n, r64, nesterov},
 *           f = {norm, alpha, beta}
 * Every output may alias its own input (elementwise). */
#ifndef ONNXCC_TRAINING_H
#define ONNXCC_TRAINING_H

/* The learning-rate scalar R, float or double. */
ONNXCC_HELPER double onnxcc_train_rate(const void *r, int64_t is64)
{
	return is64 ? *(const double *)r : (double)*(const float *)r;
}

#define ONNXCC_ADAGRAD(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[2], *G = (const T *)b[3], *H = (const T *)b[4]; \
	T *Xn = (T *)b[5], *Hn = (T *)b[6]; \
	double r = onnxcc_train_rate(b[0], p[1]) / \
		(1.0 + (double)*(const int64_t *)b[1] * f[2]); \
	int64_t i; \
	for (i = 0; i < p[0]; i++) { \
		double x = (double)X[i], g = f[0] * x + (double)G[i]; \
		double h = (double)H[i] + g * g; \
		Hn[i] = (T)h; \
		Xn[i] = (T)(x - r * g / (sqrt(h) + f[1])); \
	} \
}

#define ONNXCC_ADAM_STATE(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0], *G = (const T *)b[1], *V = (const T *)b[2]; \
	const T *H = (const T *)b[3]; \
	T *Vn = (T *)b[4], *Hn = (T *)b[5]; \
	int64_t i; \
	for (i = 0; i < p[0]; i++) { \
		double g = f[0] * (double)X[i] + (double)G[i]; \
		Vn[i] = (T)(f[1] * (double)V[i] + (1.0 - f[1]) * g); \
		Hn[i] = (T)(f[2] * (double)H[i] + (1.0 - f[2]) * g * g); \
	} \
}

#define ONNXCC_ADAM_STEP(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[2], *Vn = (const T *)b[3], *Hn = (const T *)b[4]; \
	T *Xn = (T *)b[5]; \
	double r = onnxcc_train_rate(b[0], p[1]), t = (double)*(const int64_t *)b[1]; \
	int64_t i; \
	if (t > 0) \
		r = r * sqrt(1.0 - pow(f[2], t)) / (1.0 - pow(f[1], t)); \
	for (i = 0; i < p[0]; i++) \
		Xn[i] = (T)((1.0 - f[0]) * ((double)X[i] - r * (double)Vn[i] / \
					    (sqrt((double)Hn[i]) + f[3]))); \
}

#define ONNXCC_MOMENTUM(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[2], *G = (const T *)b[3], *V = (const T *)b[4]; \
	T *Xn = (T *)b[5], *Vn = (T *)b[6]; \
	double r = onnxcc_train_rate(b[0], p[1]), alpha = f[1]; \
	double beta = *(const int64_t *)b[1] > 0 ? f[2] : 1.0; \
	int64_t i; \
	for (i = 0; i < p[0]; i++) { \
		double x = (double)X[i], g = f[0] * x + (double)G[i]; \
		double v = alpha * (double)V[i] + beta * g; \
		Vn[i] = (T)v; \
		Xn[i] = (T)(x - r * (p[2] ? g + alpha * v : v)); \
	} \
}

#endif
