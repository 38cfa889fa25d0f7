/* movement.h: data movement kernels, by element width (x8, x16, x32, x64).
 *
 * copy:   b = {X, Y}, p = {nbytes}                       plain byte copy
 * fill:   b = {X, Y}, p = {n}                            Y[0..n) = X[0] (materializes splats)
 * expand: see ONNXCC_EXPAND
 * Uses onnxcc_outer_offset from elementwise.h. */
#ifndef ONNXCC_MOVEMENT_H
#define ONNXCC_MOVEMENT_H

#define ONNXCC_COPY(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	(void)f; \
	if (b[0] != b[1]) \
		memmove(b[1], b[0], (size_t)p[0]); \
}

#define ONNXCC_FILL(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T v = *(const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t i, n = p[0]; \
	(void)f; \
	for (i = 0; i < n; i++) \
		Y[i] = v; \
}

/* expand: b = {X, Y}, p = {r, dims[r], stride_x[r]}: broadcast X into contiguous Y. */
#define ONNXCC_EXPAND(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t r = p[0], d, o, i, outer = 1; \
	const int64_t *dims = p + 1, *sx = p + 1 + r; \
	int64_t inner = dims[r - 1], ix = sx[r - 1]; \
	(void)f; \
	for (d = 0; d < r - 1; d++) \
		outer *= dims[d]; \
	for (o = 0; o < outer; o++) { \
		const T *x0 = X + onnxcc_outer_offset(o, r, dims, sx); \
		for (i = 0; i < inner; i++) \
			Y[o * inner + i] = x0[i * ix]; \
	} \
}

#endif
