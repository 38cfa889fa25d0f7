/* detect.h: RoiAlign and NonMaxSuppression (ops/detect.c).
 *
 * roialign: b = {X, R, I (int64), Y, status}, p = {N, C, H, W, nroi, OH, OW, sampling,
 *           max, half_pixel}, f = {spatial_scale}
 *           X is [N, C, H, W], R [nroi, 4] boxes (x1, y1, x2, y2), I the image of each
 *           box, Y [nroi, C, OH, OW].  Each output bin averages (max: takes the largest
 *           weighted corner of) a grid of bilinear samples, sampling per side (0: as
 *           many as the bin is pixels high or wide, rounded up, at most
 *           ONNXCC_ROI_MAX_GRID).  An image index outside [0, N) sets *status to
 *           ONNXCC_ERR_INDEX and that box's output to 0.
 * nms:      b = {Boxes, Scores, [MaxOut (int64)], [Iou], [ScoreMin], Y (int64), S (int64
 *           scratch, 3 nb), status}, p = {nbatch, nclass, nb, rows, center, has_max,
 *           has_iou, has_score}
 *           Boxes [nbatch, nb, 4], Scores [nbatch, nclass, nb] (float); Y [rows, 3]
 *           lists (batch, class, box) of the selected boxes: per batch and class, by
 *           score, highest first (ties: lower index first), skipping boxes whose IoU
 *           with an already selected one exceeds Iou, at most MaxOut of them, only
 *           boxes scoring above ScoreMin.  A count other than rows sets *status to
 *           ONNXCC_ERR_SHAPE (rows beyond the count are left as they are). */
#ifndef ONNXCC_DETECT_H
#define ONNXCC_DETECT_H

#define ONNXCC_ROI_MAX_GRID 4096

/* ceil(v) samples, bounded; NaN and v <= 0 give 0. */
ONNXCC_HELPER int64_t onnxcc_roi_grid(double v)
{
	double g = ceil(v);

	return g > 0 ? (g < ONNXCC_ROI_MAX_GRID ? (int64_t)g : ONNXCC_ROI_MAX_GRID) : 0;
}

/* The four bilinear corners of (y, x) in an H x W image: offsets and weights
 * (all 0 outside the image, as the reference has it). */
ONNXCC_HELPER void onnxcc_roi_corners(double y, double x, int64_t H, int64_t W, int64_t *pos,
				      double *w)
{
	int64_t yl, xl, yh, xh;
	double ly, lx;

	if (!(y >= -1.0 && y <= (double)H && x >= -1.0 && x <= (double)W)) {
		pos[0] = pos[1] = pos[2] = pos[3] = 0;
		w[0] = w[1] = w[2] = w[3] = 0;
		return;
	}
	y = y < 0 ? 0 : y;
	x = x < 0 ? 0 : x;
	yl = (int64_t)y;
	xl = (int64_t)x;
	if (yl >= H - 1) {
		yh = yl = H - 1;
		y = (double)yl;
	} else {
		yh = yl + 1;
	}
	if (xl >= W - 1) {
		xh = xl = W - 1;
		x = (double)xl;
	} else {
		xh = xl + 1;
	}
	ly = y - (double)yl;
	lx = x - (double)xl;
	pos[0] = yl * W + xl;
	pos[1] = yl * W + xh;
	pos[2] = yh * W + xl;
	pos[3] = yh * W + xh;
	w[0] = (1 - ly) * (1 - lx);
	w[1] = (1 - ly) * lx;
	w[2] = ly * (1 - lx);
	w[3] = ly * lx;
}

#define ONNXCC_ROIALIGN(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	const T *X = (const T *)b[0], *R = (const T *)b[1]; \
	const int64_t *Bi = (const int64_t *)b[2]; \
	T *Y = (T *)b[3]; \
	const int64_t N = p[0], C = p[1], H = p[2], W = p[3], nroi = p[4], OH = p[5], OW = p[6]; \
	const int64_t sampling = p[7], is_max = p[8], half = p[9]; \
	int64_t r, c, ph, pw, iy, ix, gh, gw, k, pos[4]; \
	double wt[4]; \
	for (r = 0; r < nroi; r++) { \
		const double off = half ? 0.5 : 0.0, sc = f[0]; \
		double sw = (double)R[r * 4 + 0] * sc - off, sh = (double)R[r * 4 + 1] * sc - off; \
		double rw = (double)R[r * 4 + 2] * sc - off - sw, rh = (double)R[r * 4 + 3] * sc - off - sh; \
		double bh, bw, count; \
		T *y = Y + r * C * OH * OW; \
		if (Bi[r] < 0 || Bi[r] >= N) { \
			*(int *)b[4] = ONNXCC_ERR_INDEX; \
			for (k = 0; k < C * OH * OW; k++) \
				y[k] = 0; \
			continue; \
		} \
		if (!half) { \
			rw = rw > 1 ? rw : 1; \
			rh = rh > 1 ? rh : 1; \
		} \
		bh = rh / (double)OH; \
		bw = rw / (double)OW; \
		gh = sampling > 0 ? sampling : onnxcc_roi_grid(bh); \
		gw = sampling > 0 ? sampling : onnxcc_roi_grid(bw); \
		count = gh * gw > 1 ? (double)(gh * gw) : 1.0; \
		for (c = 0; c < C; c++) { \
			const T *x = X + (Bi[r] * C + c) * H * W; \
			for (ph = 0; ph < OH; ph++) \
				for (pw = 0; pw < OW; pw++) { \
					double acc = 0, v; \
					int first = 1; \
					for (iy = 0; iy < gh; iy++) { \
						double yy = sh + (double)ph * bh + ((double)iy + 0.5) * bh / (double)gh; \
						for (ix = 0; ix < gw; ix++) { \
							double xx = sw + (double)pw * bw + \
								    ((double)ix + 0.5) * bw / (double)gw; \
							onnxcc_roi_corners(yy, xx, H, W, pos, wt); \
							if (!is_max) { \
								for (k = 0; k < 4; k++) \
									acc += wt[k] * (double)x[pos[k]]; \
								continue; \
							} \
							v = wt[0] * (double)x[pos[0]]; \
							for (k = 1; k < 4; k++) \
								if (wt[k] * (double)x[pos[k]] > v) \
									v = wt[k] * (double)x[pos[k]]; \
							acc = first || v > acc ? v : acc; \
							first = 0; \
						} \
					} \
					y[(c * OH + ph) * OW + pw] = (T)(is_max ? acc : acc / count); \
				} \
		} \
	} \
}

/* (lo, hi) of two coordinates. */
ONNXCC_HELPER void onnxcc_nms_span(float a, float b, float *lo, float *hi)
{
	*lo = a >= b ? b : a;
	*hi = a >= b ? a : b;
}

/* Whether box a suppresses box b: IoU above thr (float arithmetic, as the
 * reference).  Boxes are (y1, x1, y2, x2), or (xc, yc, w, h) with center. */
ONNXCC_HELPER int onnxcc_nms_suppress(const float *a, const float *b, int64_t center, float thr)
{
	float ax0, ax1, ay0, ay1, bx0, bx1, by0, by1, ix0, ix1, iy0, iy1, inter, ua, ub, uni;

	if (center) {
		ax0 = a[0] - a[2] / 2;
		ax1 = a[0] + a[2] / 2;
		ay0 = a[1] - a[3] / 2;
		ay1 = a[1] + a[3] / 2;
		bx0 = b[0] - b[2] / 2;
		bx1 = b[0] + b[2] / 2;
		by0 = b[1] - b[3] / 2;
		by1 = b[1] + b[3] / 2;
	} else {
		onnxcc_nms_span(a[1], a[3], &ax0, &ax1);
		onnxcc_nms_span(b[1], b[3], &bx0, &bx1);
		onnxcc_nms_span(a[0], a[2], &ay0, &ay1);
		onnxcc_nms_span(b[0], b[2], &by0, &by1);
	}
	ix0 = ax0 > bx0 ? ax0 : bx0;
	ix1 = ax1 < bx1 ? ax1 : bx1;
	iy0 = ay0 > by0 ? ay0 : by0;
	iy1 = ay1 < by1 ? ay1 : by1;
	if (!(ix1 > ix0) || !(iy1 > iy0))
		return 0;
	inter = (ix1 - ix0) * (iy1 - iy0);
	ua = (ax1 - ax0) * (ay1 - ay0);
	ub = (bx1 - bx0) * (by1 - by0);
	uni = ua + ub - inter;
	if (!(inter > 0) || !(ua > 0) || !(ub > 0) || !(uni > 0))
		return 0;
	return inter / uni > thr;
}

/* idx[0..n) sorted by s[idx] descending, stable (ties keep their order);
 * tmp holds n more indices. */
ONNXCC_HELPER void onnxcc_nms_sort(const float *s, int64_t *idx, int64_t *tmp, int64_t n)
{
	int64_t w, lo, i, *src = idx, *dst = tmp, *t;

	for (w = 1; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			int64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			int64_t a = lo, c = mid, d = lo;
			while (a < mid && c < hi)
				dst[d++] = s[src[c]] > s[src[a]] ? src[c++] : src[a++];
			while (a < mid)
				dst[d++] = src[a++];
			while (c < hi)
				dst[d++] = src[c++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != idx)
		for (i = 0; i < n; i++)
			idx[i] = src[i];
}

/* The selection (layout at the top): writes at most rows triples to Y (none
 * if Y is NULL) and returns how many boxes were selected.  S: 3 nb int64. */
ONNXCC_HELPER int64_t onnxcc_nms(const float *boxes, const float *scores, int64_t nbatch,
				 int64_t nclass, int64_t nb, int64_t maxout, float iou,
				 int has_score, float score_min, int64_t center, int64_t *S,
				 int64_t *Y, int64_t rows)
{
	int64_t bt, cl, i, j, nc, nsel, total = 0, *cand = S, *tmp = S + nb, *sel = S + 2 * nb;

	for (bt = 0; bt < nbatch; bt++)
		for (cl = 0; cl < nclass; cl++) {
			const float *s = scores + (bt * nclass + cl) * nb, *bx = boxes + bt * nb * 4;
			for (i = nc = 0; i < nb; i++)
				if (!has_score || s[i] > score_min)
					cand[nc++] = i;
			onnxcc_nms_sort(s, cand, tmp, nc);
			for (i = nsel = 0; i < nc && nsel < maxout; i++) {
				for (j = 0; j < nsel; j++)
					if (onnxcc_nms_suppress(bx + cand[i] * 4, bx + sel[j] * 4, center, iou))
						break;
				if (j < nsel)
					continue;
				sel[nsel++] = cand[i];
				if (Y && total < rows) {
					Y[total * 3] = bt;
					Y[total * 3 + 1] = cl;
					Y[total * 3 + 2] = cand[i];
				}
				total++;
			}
		}
	return total;
}

#define ONNXCC_NMS(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	const int64_t nbatch = p[0], nclass = p[1], nb = p[2], rows = p[3], center = p[4]; \
	int bi = 2; \
	const int64_t *mo = p[5] ? (const int64_t *)b[bi++] : 0; \
	const float *iou = p[6] ? (const float *)b[bi++] : 0; \
	const float *smin = p[7] ? (const float *)b[bi++] : 0; \
	int64_t *Y = (int64_t *)b[bi], *S = (int64_t *)b[bi + 1]; \
	int64_t maxout = mo && mo[0] > 0 ? mo[0] : 0; \
	(void)f; \
	if (onnxcc_nms((const float *)b[0], (const float *)b[1], nbatch, nclass, nb, maxout, \
		       iou ? iou[0] : 0.0f, smin != 0, smin ? smin[0] : 0.0f, center, S, Y, \
		       rows) != rows) \
		*(int *)b[bi + 2] = ONNXCC_ERR_SHAPE; \
}

#endif
