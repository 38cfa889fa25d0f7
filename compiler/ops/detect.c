/* detect.c: RoiAlign and NonMaxSuppression (kernels in templates/detect.h).
 *
 * RoiAlign computes in float or double (float16 and bfloat16 through float).
 * NonMaxSuppression's output has one row per selected box: with constant
 * inputs the count is computed now (the same onnxcc_nms the kernel runs);
 * otherwise the output takes the model's declared shape and the kernel
 * reports a different count at run time as ONNXCC_ERR_SHAPE. */
#include <stdlib.h>
#include <string.h>

#include "ops_util.h"
#include "onnxcc_rt.h"
#include "detect.h"

/* RoiAlign ------------------------------------------------------------------ */

/* Whether a RoiAlign node uses half_pixel coordinates (-1 after an error),
 * its mode checked too. */
static int roi_params(const Node *n, int64_t *is_max)
{
	const Value *x = n->in[0], *r = n->in[1], *bi = n->in[2];
	const char *ctm = attr_s(n, "coordinate_transformation_mode", "half_pixel");
	const char *mode = attr_s(n, "mode", "avg");

	if (strcmp(mode, "avg") != 0 && strcmp(mode, "max") != 0)
		return node_error(n, "mode '%s' is not supported", mode);
	*is_max = mode[0] == 'm';
	if (x->rank != 4 || !dt_is_float(x->dtype))
		return node_error(n, "input X must be a float tensor of rank 4 (N, C, H, W)");
	if (r->dtype != x->dtype || r->rank != 2 || r->dims[1] != 4)
		return node_error(n, "input rois must have shape (num_rois, 4) and X's type");
	if (bi->dtype != DT_INT64 || bi->rank != 1 || bi->dims[0] != r->dims[0])
		return node_error(n, "input batch_indices must be %lld int64 values, one per roi",
				  (long long)r->dims[0]);
	if (attr_i(n, "output_height", 1) < 1 || attr_i(n, "output_width", 1) < 1)
		return node_error(n, "output_height and output_width must be positive");
	if ((x->dims[2] < 1 || x->dims[3] < 1) && r->dims[0] > 0 && x->dims[1] > 0)
		return node_error(n, "input X has an empty image to sample from");
	/* Opset 10 has no attribute and behaves as output_half_pixel. */
	if (n->version < 16)
		return 0;
	if (strcmp(ctm, "half_pixel") != 0 && strcmp(ctm, "output_half_pixel") != 0)
		return node_error(n, "coordinate_transformation_mode '%s' is not supported", ctm);
	return ctm[0] == 'h';
}

int roialign_infer(Node *n)
{
	const Value *x = n->in[0];
	int64_t is_max, dims[4] = {n->in[1]->dims[0], x->dims[1], attr_i(n, "output_height", 1),
				   attr_i(n, "output_width", 1)};

	if (roi_params(n, &is_max) < 0)
		return -1;
	return set_out(n, 0, x->dtype, 4, dims);
}

int roialign_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *r = n->in[1], *y = n->out[0], *t;
	int64_t is_max;
	int half = roi_params(n, &is_max);
	KCall *k;

	if (half < 0)
		return -1;
	if (value_numel(y) == 0)
		return 0;
	if (widen_half(L, &x) != 0 || widen_half(L, &r) != 0 || !(t = half_out(L, y)))
		return -1;
	if (!(k = lower_callf(L, "%s_roialign__scalar", dt_short(t->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, r);
	kcall_buf(k, n->in[2]);
	kcall_buf(k, t);
	kcall_checks(k);
	kcall_ints(k, x->dims, 4);
	kcall_i(k, r->dims[0]);
	kcall_i(k, y->dims[2]);
	kcall_i(k, y->dims[3]);
	kcall_i(k, attr_i(n, "sampling_ratio", 0));
	kcall_i(k, is_max);
	kcall_i(k, half);
	kcall_f(k, attr_f(n, "spatial_scale", 1.0));
	return narrow_half(L, t, y);
}

/* NonMaxSuppression --------------------------------------------------------- */

/* Optional input i, or NULL when absent or empty (the reference ignores both). */
static Value *nms_opt(const Node *n, int i)
{
	Value *v = node_in(n, i);

	return v && value_numel(v) > 0 ? v : NULL;
}

/* The inputs checked against each other. */
static int nms_check(const Node *n)
{
	const Value *bx = n->in[0], *sc = n->in[1], *mo = nms_opt(n, 2);
	int64_t c = attr_i(n, "center_point_box", 0);
	int i;

	if (bx->dtype != DT_FLOAT || bx->rank != 3 || bx->dims[2] != 4)
		return node_error(n, "input boxes must be float of shape (batches, boxes, 4)");
	if (sc->dtype != DT_FLOAT || sc->rank != 3 || sc->dims[0] != bx->dims[0] ||
	    sc->dims[2] != bx->dims[1])
		return node_error(n, "input scores must be float of shape (%lld, classes, %lld)",
				  (long long)bx->dims[0], (long long)bx->dims[1]);
	if (mo && (mo->dtype != DT_INT64 || value_numel(mo) != 1))
		return node_error(n, "max_output_boxes_per_class must be one int64 value");
	for (i = 3; i < 5; i++)
		if (nms_opt(n, i) && (n->in[i]->dtype != DT_FLOAT || value_numel(n->in[i]) != 1))
			return node_error(n, "input %d must be one float value", i);
	if (c != 0 && c != 1)
		return node_error(n, "center_point_box must be 0 or 1");
	return 0;
}

/* The number of selected boxes when it is known now, else -1. */
static int64_t nms_count(const Node *n)
{
	const Value *bx = n->in[0], *sc = n->in[1], *mo = nms_opt(n, 2);
	const Value *iou = nms_opt(n, 3), *smin = nms_opt(n, 4);
	int64_t maxout, cnt, *S, i, nbx = value_numel(bx), nsc = value_numel(sc);
	float *B, *C;

	if (!mo || (mo->data && const_i64(mo, 0) <= 0))
		return 0;
	if (!bx->data || !sc->data || !mo->data || (iou && !iou->data) || (smin && !smin->data))
		return -1;
	maxout = const_i64(mo, 0);
	/* Whole float copies: a splat constant holds one element. */
	B = xcalloc((size_t)nbx + 1, sizeof *B);
	C = xcalloc((size_t)nsc + 1, sizeof *C);
	for (i = 0; i < nbx; i++)
		B[i] = (float)const_f64(bx, i);
	for (i = 0; i < nsc; i++)
		C[i] = (float)const_f64(sc, i);
	S = xcalloc((size_t)(3 * bx->dims[1] + 1), sizeof *S);
	cnt = onnxcc_nms(B, C, bx->dims[0], sc->dims[1], bx->dims[1], maxout,
			 iou ? (float)const_f64(iou, 0) : 0.0f, smin != NULL,
			 smin ? (float)const_f64(smin, 0) : 0.0f, attr_i(n, "center_point_box", 0),
			 S, NULL, 0);
	free(S);
	free(B);
	free(C);
	return cnt;
}

int nonmaxsuppression_infer(Node *n)
{
	const Value *y;
	int64_t cnt, dims[2];

	if (nms_check(n) != 0)
		return -1;
	if ((cnt = nms_count(n)) >= 0) {
		dims[0] = cnt;
		dims[1] = 3;
		return set_out(n, 0, DT_INT64, 2, dims);
	}
	if (set_out_declared(n, 0, DT_INT64, n->in[1]) != 0)
		return -1;
	y = n->out[0];
	if (y->rank != 2 || y->dims[1] != 3)
		return node_error(n, "declared output shape must be (selected, 3)");
	return 0;
}

int nonmaxsuppression_lower(Node *n, Lower *L)
{
	Value *bx = n->in[0], *sc = n->in[1], *y = n->out[0], *s;
	int64_t len = 3 * bx->dims[1] + 1;
	KCall *k;
	int i;

	if (nms_check(n) != 0)
		return -1;
	if (value_numel(y) == 0 && nms_count(n) == 0)
		return 0;
	s = lower_temp(L, DT_INT64, 1, &len);
	if (!(k = lower_call(L, "f32_nms__scalar")))
		return -1;
	kcall_buf(k, bx);
	kcall_buf(k, sc);
	for (i = 2; i < 5; i++)
		if (nms_opt(n, i))
			kcall_buf(k, n->in[i]);
	kcall_buf(k, y);
	kcall_buf(k, s);
	kcall_checks(k);
	kcall_i(k, bx->dims[0]);
	kcall_i(k, sc->dims[1]);
	kcall_i(k, bx->dims[1]);
	kcall_i(k, y->dims[0]);
	kcall_i(k, attr_i(n, "center_point_box", 0));
	for (i = 2; i < 5; i++)
		kcall_i(k, nms_opt(n, i) != NULL);
	return 0;
}
