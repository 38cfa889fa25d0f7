/* softmax.h: Softmax, LogSoftmax and Hardmax along one axis.
 *
 * X and Y are viewed as (outer, axis_len, inner); each of the outer * inner
 * lines of axis_len elements (stride inner) is normalized on its own.
 *
 * softmax, logsoftmax, hardmax: b = {X, Y}, p = {outer, axis_len, inner}
 *
 * Softmax and LogSoftmax subtract the line's maximum before exp(), so large
 * inputs do not overflow.  Hardmax writes 1 at the first maximum, 0 elsewhere. */
#ifndef ONNXCC_SOFTMAX_H
#define ONNXCC_SOFTMAX_H

/* Loops over every line; the body (the variadic part, so that it may hold
 * commas) sees x (const T *), y (T *), n and the stride st. */
#define ONNXCC_SOFTMAX_LINES(T, ...) \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t outer = p[0], n = p[1], st = p[2], o, i; \
	(void)f; \
	for (o = 0; o < outer; o++) \
		for (i = 0; i < st; i++) { \
			const T *x = X + o * n * st + i; \
			T *y = Y + o * n * st + i; \
			__VA_ARGS__ \
		}

/* The line's maximum (n > 0). */
#define ONNXCC_LINE_MAX(T, x, n, st, m) \
	do { \
		int64_t j_; \
		m = x[0]; \
		for (j_ = 1; j_ < n; j_++) \
			if (x[j_ * st] > m) \
				m = x[j_ * st]; \
	} while (0)

#define ONNXCC_SOFTMAX(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	ONNXCC_SOFTMAX_LINES(T, { \
		T m, sum = 0; \
		int64_t j; \
		ONNXCC_LINE_MAX(T, x, n, st, m); \
		for (j = 0; j < n; j++) { \
			y[j * st] = exp(x[j * st] - m); \
			sum += y[j * st]; \
		} \
		for (j = 0; j < n; j++) \
			y[j * st] /= sum; \
	}) \
}

#define ONNXCC_LOGSOFTMAX(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	ONNXCC_SOFTMAX_LINES(T, { \
		T m, sum = 0, lse; \
		int64_t j; \
		ONNXCC_LINE_MAX(T, x, n, st, m); \
		for (j = 0; j < n; j++) \
			sum += exp(x[j * st] - m); \
		lse = log(sum); \
		for (j = 0; j < n; j++) \
			y[j * st] = x[j * st] - m - lse; \
	}) \
}

#define ONNXCC_HARDMAX(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	ONNXCC_SOFTMAX_LINES(T, { \
		int64_t j, arg = 0; \
		for (j = 1; j < n; j++) \
			if (x[j * st] > x[arg * st]) \
				arg = j; \
		for (j = 0; j < n; j++) \
			y[j * st] = (T)(j == arg); \
	}) \
}

#endif
