/* ml.h: classical machine-learning operators (TfIdfVectorizer and the
 * ai.onnx.ml domain's ArrayFeatureExtractor, Binarizer, TreeEnsemble).
 *
 * tfidf:    b = {X (int32/int64 [rows, C]), Y (float [rows, out])},
 *           p = {rows, C, mode, min, max, maxskip, out, hasw, G, then G grams
 *                of {k, coordinate, v[k]}}, f = weights[out] when hasw.
 *           Counts, in each row, every n-gram of the pool found with skip
 *           distance 1..maxskip+1 (unigrams once), size min..max; mode 0 (TF)
 *           writes the counts, 1 (IDF) w or 1 where the count is nonzero,
 *           2 (TFIDF) w * count (or the count).
 * afe:      b = {X, I (int64 [n]), Z, status}, p = {outer, last, n}
 *           Z[o][j] = X[o][Ix[j]] (width kernels); an index outside
 *           [-last, last) is ONNXCC_ERR_INDEX, negative ones count from the end.
 * binarizer: b = {X, Y}, p = {n}, f = {threshold}: Y = X > threshold ? 1 : 0.
 * tree:     b = {X (T [N, F]), Y (T [N, targets])},
 *           p = {N, F, targets, aggregate, post, ntrees, roots[ntrees],
 *                nnodes, nodes[nnodes][8] = {feature, mode, true id, false id,
 *                true is leaf, false is leaf, NaN goes true, member start},
 *                nleaves, leaf targets[nleaves]}
 *           f = {splits[nnodes], leaf weights[nleaves], member values}
 *           mode 0..5: <= < >= > == != against the split, 6: membership in
 *           the set {count, values[count]} at f + `member start`.  The
 *           compiler checked every id and that no tree has a cycle.
 *           aggregate 0 AVERAGE, 1 SUM, 2 MIN, 3 MAX; post 0 NONE,
 *           1 SOFTMAX, 2 LOGISTIC, 3 SOFTMAX_ZERO. */
#ifndef ONNXCC_ML_H
#define ONNXCC_ML_H

/* Gram g of size k matches when X[s], X[s + d], ... equal its k values. */
#define ONNXCC_TFIDF(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	float *Y = (float *)b[1]; \
	int64_t rows = p[0], C = p[1], mode = p[2], mn = p[3], mx = p[4], skip = p[5]; \
	int64_t out = p[6], hasw = p[7], G = p[8], r, d, s, i, g, k, m; \
	for (i = 0; i < rows * out; i++) \
		Y[i] = 0; \
	for (r = 0; r < rows; r++) { \
		const T *x = X + r * C; \
		float *y = Y + r * out; \
		for (d = 1; d <= skip + 1; d++) \
			for (s = 0; s < C; s++) { \
				const int64_t *q = p + 9; \
				for (g = 0; g < G; g++, q += 2 + k) { \
					k = q[0]; \
					if (k < mn || k > mx || (d > 1 && k == 1) || s + (k - 1) * d >= C) \
						continue; \
					for (m = 0; m < k && (int64_t)x[s + m * d] == q[2 + m]; m++) \
						; \
					if (m == k) \
						y[q[1]] += 1; \
				} \
			} \
		for (i = 0; i < out; i++) \
			if (mode == 1) \
				y[i] = y[i] > 0 ? (hasw ? (float)f[i] : 1.0f) : 0.0f; \
			else if (mode == 2 && hasw) \
				y[i] = (float)f[i] * y[i]; \
	} \
}

#define ONNXCC_AFE(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	const int64_t *Ix = (const int64_t *)b[1]; \
	T *Z = (T *)b[2]; \
	int64_t outer = p[0], last = p[1], n = p[2], o, j; \
	(void)f; \
	for (j = 0; j < n; j++) \
		if (Ix[j] < -last || Ix[j] >= last) { \
			*(int *)b[3] = ONNXCC_ERR_INDEX; \
			return; \
		} \
	for (o = 0; o < outer; o++) \
		for (j = 0; j < n; j++) \
			Z[o * n + j] = X[o * last + (Ix[j] < 0 ? Ix[j] + last : Ix[j])]; \
}

#define ONNXCC_BINARIZER(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t n = p[0], i; \
	for (i = 0; i < n; i++) \
		Y[i] = (double)X[i] > f[0] ? (T)1 : (T)0; \
}

/* Whether node `nd` sends x (a row of X) to its true branch. */
#define ONNXCC_TREE_GOES_TRUE(T) \
	T v = x[nd[0]]; \
	int t; \
	if (isnan(v)) { \
		t = nd[6] != 0; \
	} else { \
		T sp = (T)f[id]; \
		switch (nd[1]) { \
		case 0: t = v <= sp; break; \
		case 1: t = v < sp; break; \
		case 2: t = v >= sp; break; \
		case 3: t = v > sp; break; \
		case 4: t = v == sp; break; \
		case 5: t = v != sp; break; \
		default: { \
			const double *mv = f + nd[7] + 1; \
			int64_t c_ = (int64_t)f[nd[7]]; \
			for (t = 0; c_-- > 0 && !t; mv++) \
				t = v == (T)*mv; \
		} \
		} \
	}

#define ONNXCC_TREE(NAME, T, TMAX) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0]; \
	T *Y = (T *)b[1]; \
	int64_t N = p[0], F = p[1], nt = p[2], agg = p[3], post = p[4], ntrees = p[5]; \
	const int64_t *roots = p + 6, *nodes = roots + ntrees + 1; \
	int64_t nnodes = roots[ntrees], nleaves = nodes[8 * nnodes]; \
	const int64_t *ltarget = nodes + 8 * nnodes + 1; \
	const double *lweight = f + nnodes; \
	int64_t r, i, tr, id, leaf; \
	(void)nleaves; \
	for (r = 0; r < N; r++) { \
		const T *x = X + r * F; \
		T *y = Y + r * nt; \
		for (i = 0; i < nt; i++) \
			y[i] = agg == 2 ? TMAX : agg == 3 ? -TMAX : 0; \
		for (tr = 0; tr < ntrees; tr++) { \
			T w; \
			id = roots[tr]; \
			for (;;) { \
				const int64_t *nd = nodes + 8 * id; \
				ONNXCC_TREE_GOES_TRUE(T) \
				if (nd[t ? 4 : 5]) { \
					leaf = nd[t ? 2 : 3]; \
					break; \
				} \
				id = nd[t ? 2 : 3]; \
			} \
			w = (T)lweight[leaf]; \
			i = ltarget[leaf]; \
			if (agg == 0) \
				y[i] += w / (T)ntrees; \
			else if (agg == 1) \
				y[i] += w; \
			else if (agg == 2 ? w < y[i] : w > y[i]) \
				y[i] = w; \
		} \
		if (post == 2) { \
			for (i = 0; i < nt; i++) \
				y[i] = (T)1 / ((T)1 + exp(-y[i])); \
		} else if (post == 1 || post == 3) { \
			T m = y[0], s = 0; \
			for (i = 1; i < nt; i++) \
				if (y[i] > m) \
					m = y[i]; \
			for (i = 0; i < nt; i++) { \
				y[i] = post == 3 && y[i] == 0 ? (T)0 : exp(y[i] - m); \
				s += y[i]; \
			} \
			for (i = 0; i < nt && s > 0; i++) \
				y[i] /= s; \
		} \
	} \
}

#endif
