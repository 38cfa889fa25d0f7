/* shape.h: output-shape rules of the view ops, written once.  onnxcc calls
 * these functions at compile time when the shape or axes input is constant;
 * when it is run-time data, the *_check kernels call them in the generated
 * code and compare with the shape the model was compiled for.
 *
 * reshape_check:   b = {S (int64 shape), status}, p = {allowzero, in_rank, in_dims, out_rank, out_dims}
 * squeeze_check:   b = {A (int64 axes), status},  p = {naxes, in_rank, in_dims, out_rank, out_dims}
 * unsqueeze_check: same layout as squeeze_check
 * shape_check:     b = {S (int64), status},       p = {n, dims[n]}: S must equal dims
 * expand_check:    b = {S (int64 shape), status}, p = {n, in_rank, in_dims, out_rank, out_dims}
 * tile_check:      b = {R (int64 repeats), status}, p = {rank, in_dims[rank], out_dims[rank]}
 * split_check:     b = {S (int64 sizes), status}, p = {n, dim, want[n]}: S must be valid
 *                  sizes of an axis of size dim and equal want
 * check:           b = {C (bool), status}: C must be true (a Loop that runs exactly the
 *                  number of iterations it was unrolled for) */
#ifndef ONNXCC_SHAPE_H
#define ONNXCC_SHAPE_H

/* Reshape: resolve 0 (copy the input dim unless allowzero) and one -1.
 * Writes n dims to out; returns 0 or a nonzero error. */
ONNXCC_HELPER int onnxcc_reshape_dims(const int64_t *shape, int64_t n, int64_t allowzero,
				      const int64_t *in, int64_t in_rank, int64_t *out)
{
	int64_t i, known = 1, numel = 1, infer_at = -1;

	for (i = 0; i < in_rank; i++)
		numel *= in[i];
	for (i = 0; i < n; i++) {
		out[i] = shape[i];
		if (out[i] == 0 && !allowzero) {
			if (i >= in_rank)
				return 1;
			out[i] = in[i];
		}
		if (out[i] == -1) {
			if (infer_at >= 0)
				return 2;
			infer_at = i;
		} else if (out[i] < 0) {
			return 3;
		} else if (out[i] && known > INT64_MAX / out[i]) {
			return 6;	/* the product overflows: it cannot equal the input's size */
		} else {
			known *= out[i];
		}
	}
	if (infer_at >= 0) {
		if (known == 0 || numel % known)
			return 4;
		out[infer_at] = numel / known;
		known *= out[infer_at];
	}
	return known == numel ? 0 : 5;
}

/* Squeeze (unsqueeze = 0) or Unsqueeze (unsqueeze = 1) with explicit axes. */
ONNXCC_HELPER int onnxcc_squeeze_dims(const int64_t *axes, int64_t naxes, int unsqueeze,
				      const int64_t *in, int64_t in_rank, int64_t *out,
				      int64_t *out_rank)
{
	char mark[ONNXCC_MAX_RANK] = {0};
	int64_t r = unsqueeze ? in_rank + naxes : in_rank, i, j = 0;

	if (r > ONNXCC_MAX_RANK)
		return 1;
	for (i = 0; i < naxes; i++) {
		int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
		if (a < 0 || a >= r || mark[a] || (!unsqueeze && in[a] != 1))
			return 2;
		mark[a] = 1;
	}
	for (i = 0; i < r; i++) {
		if (unsqueeze)
			out[i] = mark[i] ? 1 : in[j++];
		else if (!mark[i])
			out[j++] = in[i];
	}
	*out_rank = unsqueeze ? r : j;
	return 0;
}

ONNXCC_HELPER int onnxcc_same_dims(const int64_t *a, int64_t na, const int64_t *b, int64_t nb)
{
	int64_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

#define ONNXCC_CHECK(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	(void)p; \
	(void)f; \
	if (!*(const unsigned char *)b[0]) \
		*(int *)b[1] = ONNXCC_ERR_SHAPE; \
}

#define ONNXCC_RESHAPE_CHECK(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t *S = (const int64_t *)b[0], *in = p + 2, *want = p + 3 + p[1]; \
	int64_t got[ONNXCC_MAX_RANK], wr = p[2 + p[1]]; \
	(void)f; \
	if (onnxcc_reshape_dims(S, wr, p[0], in, p[1], got) || !onnxcc_same_dims(got, wr, want, wr)) \
		*(int *)b[1] = ONNXCC_ERR_SHAPE; \
}

#define ONNXCC_SQUEEZE_CHECK(NAME, UNSQUEEZE) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t *A = (const int64_t *)b[0], *in = p + 2, *want = p + 3 + p[1]; \
	int64_t got[ONNXCC_MAX_RANK], gr; \
	(void)f; \
	if (onnxcc_squeeze_dims(A, p[0], UNSQUEEZE, in, p[1], got, &gr) || \
	    !onnxcc_same_dims(got, gr, want, p[2 + p[1]])) \
		*(int *)b[1] = ONNXCC_ERR_SHAPE; \
}

#define ONNXCC_SHAPE_CHECK(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	(void)f; \
	if (!onnxcc_same_dims((const int64_t *)b[0], p[0], p + 1, p[0])) \
		*(int *)b[1] = ONNXCC_ERR_SHAPE; \
}

/* Expand: numpy broadcast of the input's dims with the shape values (a 1
 * keeps the input's size).  Writes the output's rank and dims; nonzero when
 * they do not broadcast or a value is negative. */
ONNXCC_HELPER int onnxcc_expand_dims(const int64_t *shape, int64_t n, const int64_t *in,
				     int64_t in_rank, int64_t *out, int64_t *out_rank)
{
	int64_t r = n > in_rank ? n : in_rank, d;

	if (r > ONNXCC_MAX_RANK)
		return 1;
	for (d = 0; d < r; d++) {
		int64_t s = d >= r - n ? shape[d - (r - n)] : 1;
		int64_t a = d >= r - in_rank ? in[d - (r - in_rank)] : 1;
		if (s < 0)
			return 2;
		if (s != a && s != 1 && a != 1)
			return 3;
		out[d] = s == 1 ? a : s;
	}
	*out_rank = r;
	return 0;
}

/* Tile: out = in * repeats per axis; nonzero for a negative repeat or a size
 * that does not fit int64. */
ONNXCC_HELPER int onnxcc_tile_dims(const int64_t *rep, const int64_t *in, int64_t rank,
				   int64_t *out)
{
	int64_t d;

	for (d = 0; d < rank; d++) {
		if (rep[d] < 0 || (rep[d] > 0 && in[d] > INT64_MAX / rep[d]))
			return 1;
		out[d] = in[d] * rep[d];
	}
	return 0;
}

/* Split with explicit sizes: n sizes, each >= 0, adding up to dim. */
ONNXCC_HELPER int onnxcc_split_sizes_ok(const int64_t *split, int64_t n, int64_t dim)
{
	int64_t i, total = 0;

	for (i = 0; i < n; i++) {
		if (split[i] < 0 || split[i] > dim - total)
			return 0;
		total += split[i];
	}
	return total == dim;
}

#define ONNXCC_EXPAND_CHECK(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t *S = (const int64_t *)b[0], *in = p + 2, *want = p + 3 + p[1]; \
	int64_t got[ONNXCC_MAX_RANK], gr; \
	(void)f; \
	if (onnxcc_expand_dims(S, p[0], in, p[1], got, &gr) || \
	    !onnxcc_same_dims(got, gr, want, p[2 + p[1]])) \
		*(int *)b[1] = ONNXCC_ERR_SHAPE; \
}

#define ONNXCC_TILE_CHECK(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t *R = (const int64_t *)b[0], *in = p + 1, *want = p + 1 + p[0]; \
	int64_t got[ONNXCC_MAX_RANK]; \
	(void)f; \
	if (onnxcc_tile_dims(R, in, p[0], got) || !onnxcc_same_dims(got, p[0], want, p[0])) \
		*(int *)b[1] = ONNXCC_ERR_SHAPE; \
}

#define ONNXCC_SPLIT_CHECK(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t *S = (const int64_t *)b[0]; \
	(void)f; \
	if (!onnxcc_split_sizes_ok(S, p[0], p[1]) || !onnxcc_same_dims(S, p[0], p + 2, p[0])) \
		*(int *)b[1] = ONNXCC_ERR_SHAPE; \
}

#endif
