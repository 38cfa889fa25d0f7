/* attention.h: the parts of Attention that are not matrix products, and
 * RotaryEmbedding.
 *
 * Attention lowers to gemm (linalg.h) for the scores S = scale Q K^T and for
 * Y = P V; between the two, attnsoftmax turns the scores into probabilities
 * in place, one row (b, h, i) of total_len keys at a time.
 *
 * attnsoftmax: b = {S, [mask], [nonpad], [QK]}
 *   p = {nb, nh, sq, t, has_mask, mask_bool, mask_len, mb, mh, mi, causal,
 *        past_len, has_nonpad, offset_nonpad, left, right, qk_mode}
 *   f = {softcap}
 *   S is (nb, nh, sq, t), contiguous: scores in, probabilities out.  For each
 *   score s of row (b, h, i) and key j:
 *     s = softcap tanh(s / softcap)            (softcap > 0)
 *     s += bias, where bias is, summed:
 *       mask[b mb + h mh + i mi + j] (float mask; T) or 0 / -inf (bool mask,
 *       uint8_t), -inf for j >= mask_len (a short mask is padded);
 *       -inf if causal and j > i + off;
 *       -inf if has_nonpad and j >= nonpad[b];
 *       -inf if left >= 0 and j < i + off - left, or right >= 0 and j > i + off + right;
 *     with off = nonpad[b] - sq if offset_nonpad, else past_len (int64 nonpad).
 *   then a softmax along the row; a row whose every key is masked (maximum
 *   -inf) becomes zeros, not NaN.  QK (same layout as S) receives the row at
 *   stage qk_mode: 0 raw, 1 after softcap, 2 after the bias, 3 the
 *   probabilities; qk_mode -1 means no QK buffer.
 *
 * rotary: b = {X, cos, sin, [pos], Y}, checking when has_pos (status after Y)
 *   p = {nb, nh, ns, hd, rd, interleaved, has_pos, npos, xb, xh, xs, cb, cs, pb, ps}
 *   X and Y share the element strides (xb, xh, xs) of dimensions batch, head,
 *   sequence; the head dimension is contiguous, hd long, and its first rd
 *   elements rotate.  The cache row of token (b, s) starts at element
 *   pos[b pb + s ps] * rd / 2 with position ids (int64, negative counts from
 *   npos; out of range: status ONNXCC_ERR_INDEX and the token is copied
 *   unrotated), else at b cb + s cs.  Pairs (x1, x2) are the two halves of
 *   the rotated part, or neighbours when interleaved:
 *     y1 = cos x1 - sin x2,  y2 = sin x1 + cos x2.
 *   Y may be X. */
#ifndef ONNXCC_ATTENTION_H
#define ONNXCC_ATTENTION_H

#define ONNXCC_ATTN_SOFTMAX(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t nb = p[0], nh = p[1], sq = p[2], t = p[3], has_mask = p[4], mbool = p[5]; \
	int64_t mlen = p[6], mb = p[7], mh = p[8], mi = p[9], causal = p[10], past = p[11]; \
	int64_t has_np = p[12], off_np = p[13], left = p[14], right = p[15], mode = p[16]; \
	int64_t bi, h, i, j, nbuf = 1; \
	T cap = (T)f[0]; \
	T *S = (T *)b[0]; \
	const void *M = has_mask ? b[nbuf++] : (const void *)0; \
	const int64_t *NP = has_np ? (const int64_t *)b[nbuf++] : (const int64_t *)0; \
	T *QK = mode >= 0 ? (T *)b[nbuf] : (T *)0; \
	for (bi = 0; bi < nb; bi++) { \
		int64_t off = off_np ? NP[bi] - sq : past, kvlen = has_np ? NP[bi] : t; \
		for (h = 0; h < nh; h++) \
			for (i = 0; i < sq; i++) { \
				int64_t row = ((bi * nh + h) * sq + i) * t, mrow = bi * mb + h * mh + i * mi; \
				T *s = S + row, *q = QK ? QK + row : (T *)0, mx = (T)-INFINITY, sum = 0; \
				for (j = 0; j < t; j++) { \
					T v = s[j]; \
					if (mode == 0) \
						q[j] = v; \
					if (cap > 0) \
						v = cap * tanh(v / cap); \
					if (mode == 1) \
						q[j] = v; \
					if (has_mask) { \
						if (j >= mlen) \
							v += (T)-INFINITY; \
						else if (mbool) \
							v += ((const uint8_t *)M)[mrow + j] ? (T)0 : (T)-INFINITY; \
						else \
							v += ((const T *)M)[mrow + j]; \
					} \
					if ((causal && j > i + off) || j >= kvlen || \
					    (left >= 0 && j < i + off - left) || \
					    (right >= 0 && j > i + off + right)) \
						v += (T)-INFINITY; \
					if (mode == 2) \
						q[j] = v; \
					s[j] = v; \
					if (v > mx) \
						mx = v; \
				} \
				if (mx == (T)-INFINITY) { \
					for (j = 0; j < t; j++) \
						s[j] = 0; \
				} else { \
					for (j = 0; j < t; j++) { \
						s[j] = exp(s[j] - mx); \
						sum += s[j]; \
					} \
					for (j = 0; j < t; j++) \
						s[j] /= sum; \
				} \
				if (mode == 3) \
					for (j = 0; j < t; j++) \
						q[j] = s[j]; \
			} \
	} \
}

#define ONNXCC_ROTARY(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t nb = p[0], nh = p[1], ns = p[2], hd = p[3], rd = p[4], inter = p[5]; \
	int64_t has_pos = p[6], npos = p[7], xb = p[8], xh = p[9], xs = p[10]; \
	int64_t cb = p[11], cs = p[12], pb = p[13], ps = p[14], half = rd / 2; \
	int64_t bi, h, s, k; \
	const T *X = (const T *)b[0], *C = (const T *)b[1], *SN = (const T *)b[2]; \
	const int64_t *P = has_pos ? (const int64_t *)b[3] : (const int64_t *)0; \
	T *Y = (T *)b[3 + has_pos]; \
	(void)f; \
	for (bi = 0; bi < nb; bi++) \
		for (s = 0; s < ns; s++) { \
			int64_t crow = bi * cb + s * cs, ok = 1; \
			if (has_pos) { \
				int64_t pid = P[bi * pb + s * ps]; \
				if (pid < 0) \
					pid += npos; \
				ok = pid >= 0 && pid < npos; \
				if (!ok) \
					*(int *)b[5] = ONNXCC_ERR_INDEX; \
				crow = ok ? pid * half : 0; \
			} \
			for (h = 0; h < nh; h++) { \
				const T *x = X + bi * xb + h * xh + s * xs; \
				T *y = Y + bi * xb + h * xh + s * xs; \
				for (k = 0; k < half && ok; k++) { \
					int64_t i1 = inter ? 2 * k : k, i2 = inter ? 2 * k + 1 : k + half; \
					T c = C[crow + k], sn = SN[crow + k], x1 = x[i1], x2 = x[i2]; \
					y[i1] = c * x1 - sn * x2; \
					y[i2] = sn * x1 + c * x2; \
				} \
				for (k = ok ? rd : 0; k < hd; k++) \
					y[k] = x[k]; \
			} \
		} \
}

#endif
