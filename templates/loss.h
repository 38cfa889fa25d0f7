/* loss.h: NegativeLogLikelihoodLoss (and SoftmaxCrossEntropyLoss, whose
 * log-probabilities come from softmax.h's logsoftmax kernel first).
 *
 * nllloss: b = {X, T, [W], Y, status},
 *          p = {N, C, D, idx64, has_weight, has_ignore, ignore_index, reduction}
 *   X [N, C, D] (the d1..dk dimensions flattened into D), T [N, D] int32
 *   (int64 if idx64) class indices, W [C] weights (present if has_weight).
 *   Each target t gives loss -X[n][t][d] * w with w = W[t] (1 without W);
 *   a target equal to ignore_index (if has_ignore) gives loss 0 and weight 0.
 *   reduction 0 (none): Y [N, D] holds the losses; 1 (sum): Y[0] is their
 *   sum; 2 (mean): Y[0] is their sum over the sum of the weights.
 *   A target outside [0, C) that is not ignored sets *status to
 *   ONNXCC_ERR_INDEX and the kernel returns without reading X at it.
 *
 * The sums are accumulated in double: one scalar per call, and the mean's
 * quotient of two sums is sensitive to their rounding. */
#ifndef ONNXCC_LOSS_H
#define ONNXCC_LOSS_H

/* Target j of an int32 or int64 target buffer. */
ONNXCC_HELPER int64_t onnxcc_loss_target(const void *t, int64_t j, int64_t idx64)
{
	return idx64 ? ((const int64_t *)t)[j] : (int64_t)((const int32_t *)t)[j];
}

#define ONNXCC_NLLLOSS(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t N = p[0], C = p[1], D = p[2], hw = p[4] != 0, red = p[7]; \
	const T *X = (const T *)b[0]; \
	const T *W = hw ? (const T *)b[2] : (const T *)0; \
	T *Y = (T *)b[2 + hw]; \
	int *status = (int *)b[3 + hw]; \
	double sum = 0, wsum = 0; \
	int64_t i, d; \
	(void)f; \
	for (i = 0; i < N; i++) \
		for (d = 0; d < D; d++) { \
			int64_t j = i * D + d, t = onnxcc_loss_target(b[1], j, p[3]); \
			double w = 0, l = 0; \
			if (!(p[5] && t == p[6])) { \
				if (t < 0 || t >= C) { \
					*status = ONNXCC_ERR_INDEX; \
					return; \
				} \
				w = W ? (double)W[t] : 1.0; \
				l = -(double)X[(i * C + t) * D + d] * w; \
			} \
			if (red == 0) \
				Y[j] = (T)l; \
			sum += l; \
			wsum += w; \
		} \
	if (red == 1) \
		Y[0] = (T)sum; \
	else if (red == 2) \
		Y[0] = (T)(sum / wsum); \
}

#endif
