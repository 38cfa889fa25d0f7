/* movement.c: data movement (Transpose, Concat, Split, Slice, Gather, Expand,
 * Tile, Pad) and Range.  Movement kernels only move bytes, so they are chosen
 * by element width (width_prefix) and serve every type, bool included.
 * Transpose, Slice, Concat, Split, Tile and Pad's interior are all one strided
 * N-d copy (x*_strided__scalar) with per-dimension strides and a start offset. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_util.h"
#include "onnxcc_rt.h"
#include "shape.h"
#include "movement.h"

/* Kernel dimensions: a Tile doubles the rank before merging. */
#define MV_MAX_DIMS (2 * IR_MAX_RANK)

/* The first of inputs [from, to) present and not a compile-time constant:
 * an input whose values the generated code reads and checks at run time. */
static const Value *runtime_input(const Node *n, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		if (node_in(n, i) && !n->in[i]->data)
			return n->in[i];
	return NULL;
}

/* A run-time integer list input: 1-D, int64 (or int32 if int32_ok), with at
 * most max entries.  Returns its length, or -1 after an error. */
static int runtime_list(const Node *n, int i, int int32_ok, int max)
{
	const Value *v = n->in[i];

	if (v->rank != 1 || (v->dtype != DT_INT64 && (!int32_ok || v->dtype != DT_INT32)))
		return node_error(n, "input %d ('%s') must be a 1-D %s tensor", i, v->name,
				  int32_ok ? "int32 or int64" : "int64");
	if (v->dims[0] > max)
		return node_error(n, "input %d ('%s') has %lld entries, at most %d are possible", i,
				  v->name, (long long)v->dims[0], max);
	return (int)v->dims[0];
}

/* Output i must have the shape that constant inputs give: infer may have
 * taken the declared shape while an input was still run-time data that
 * folding made constant later. */
static int out_is(const Node *n, int i, int64_t rank, const int64_t *dims)
{
	const Value *y = node_out(n, i);

	if (!y || (y->rank == rank && !memcmp(y->dims, dims, sizeof(int64_t) * rank)))
		return 0;
	return node_error(n, "output %d ('%s'): the constant inputs give a shape other than the "
			  "declared %s", i, y->name, shape_str(y, (char[128]){0}, 128));
}

/* p = {n, in_rank, in_dims, out_rank, out_dims}: the layout of shape.h's checks. */
static void check_params(KCall *k, int64_t n, const Value *x, const Value *y)
{
	kcall_i(k, n);
	kcall_i(k, x->rank);
	kcall_ints(k, x->dims, x->rank);
	kcall_i(k, y->rank);
	kcall_ints(k, y->dims, y->rank);
}


/* Appends {r, dims, sx, sy} for a strided copy, with size-1 dimensions
 * dropped and neighbours merged where both sides are contiguous across them,
 * so that the kernel's inner loop is as long as possible. */
static void kcall_strided(KCall *k, int r, const int64_t *dims, const int64_t *sx,
			  const int64_t *sy)
{
	int64_t md[MV_MAX_DIMS], mx[MV_MAX_DIMS], my[MV_MAX_DIMS];
	int d, m = 0;

	for (d = 0; d < r; d++) {
		if (dims[d] == 1)
			continue;
		if (m > 0 && mx[m - 1] == sx[d] * dims[d] && my[m - 1] == sy[d] * dims[d]) {
			md[m - 1] *= dims[d];
			mx[m - 1] = sx[d];
			my[m - 1] = sy[d];
			continue;
		}
		md[m] = dims[d];
		mx[m] = sx[d];
		my[m++] = sy[d];
	}
	if (m == 0) {
		md[0] = mx[0] = my[0] = 1;
		m = 1;
	}
	kcall_i(k, m);
	kcall_ints(k, md, m);
	kcall_ints(k, mx, m);
	kcall_ints(k, my, m);
}

/* Copy dims-shaped elements of x (from element xoff, strides sx) into y (from
 * yoff, strides sy).  Emits nothing for an empty index space. */
int lower_strided(Lower *L, Value *x, int64_t xoff, Value *y, int64_t yoff, int r,
			 const int64_t *dims, const int64_t *sx, const int64_t *sy)
{
	int64_t esz = dt_size(y->dtype), words, wd[MV_MAX_DIMS], wx[MV_MAX_DIMS], wy[MV_MAX_DIMS];
	const char *prefix = word_prefix(y->dtype, &words);
	KCall *k;
	int d;

	if (r > MV_MAX_DIMS)
		die("strided copy of rank %d", r);
	for (d = 0; d < r; d++)
		if (dims[d] == 0)
			return 0;
	if (words > 1) {
		/* An element of several words (a string record): one more dimension. */
		if (r + 1 > MV_MAX_DIMS)
			return node_error(L->node, "too many dimensions to move elements of %s",
					  dt_name(y->dtype));
		for (d = 0; d < r; d++) {
			wd[d] = dims[d];
			wx[d] = sx[d] * words;
			wy[d] = sy[d] * words;
		}
		wd[r] = words;
		wx[r] = wy[r] = 1;
		dims = wd;
		sx = wx;
		sy = wy;
		r++;
	}
	if (!(k = lower_callf(L, "%s_strided__scalar", prefix)))
		return -1;
	kcall_buf_at(k, x, xoff * esz);
	kcall_buf_at(k, y, yoff * esz);
	kcall_strided(k, r, dims, sx, sy);
	return 0;
}

/* Transpose --------------------------------------------------------------- */

/* The permutation (default: reversed axes); -1 after an error. */
static int transpose_perm(const Node *n, int rank, int64_t *perm)
{
	const int64_t *a;
	char seen[IR_MAX_RANK] = {0};
	int k = attr_ints(n, "perm", &a), i;

	if (k < 0) {
		for (i = 0; i < rank; i++)
			perm[i] = rank - 1 - i;
		return 0;
	}
	if (k != rank)
		return node_error(n, "perm has %d entries, expected %d (the input rank)", k, rank);
	for (i = 0; i < rank; i++) {
		if (a[i] < 0 || a[i] >= rank || seen[a[i]])
			return node_error(n, "perm is not a permutation of 0..%d", rank - 1);
		seen[a[i]] = 1;
		perm[i] = a[i];
	}
	return 0;
}

int transpose_infer(Node *n)
{
	Value *x = n->in[0];
	int64_t perm[IR_MAX_RANK], dims[IR_MAX_RANK];
	int i;

	if (transpose_perm(n, x->rank, perm) != 0)
		return -1;
	for (i = 0; i < x->rank; i++)
		dims[i] = x->dims[perm[i]];
	return set_out(n, 0, x->dtype, x->rank, dims);
}

/* Y is written in order; X is read with its strides permuted. */
int transpose_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t perm[IR_MAX_RANK], xst[IR_MAX_RANK], sx[IR_MAX_RANK], sy[IR_MAX_RANK];
	int i;

	if (transpose_perm(n, x->rank, perm) != 0)
		return -1;
	value_strides(x, xst);
	value_strides(y, sy);
	for (i = 0; i < x->rank; i++)
		sx[i] = xst[perm[i]];
	return lower_strided(L, x, 0, y, 0, y->rank, y->dims, sx, sy);
}

/* Concat ------------------------------------------------------------------ */

/* The concat axis (an attribute with default 1 before opset 4, required since). */
static int concat_axis(const Node *n, int rank, int64_t *axis)
{
	if (n->version >= 4 && !node_attr(n, "axis"))
		return node_error(n, "attribute 'axis' is required");
	return norm_axis(n, attr_i(n, "axis", 1), rank, axis);
}

/* The input that gives the output's rank: the first non-empty one.  Empty
 * inputs of another rank contribute nothing and are ignored. */
static const Value *concat_ref(const Node *n)
{
	int i;

	for (i = 0; i < n->nin; i++)
		if (n->in[i] && value_numel(n->in[i]) > 0)
			return n->in[i];
	return n->in[0];
}

static int concat_skips(const Value *v, const Value *ref)
{
	return v == NULL || (value_numel(v) == 0 && v->rank != ref->rank);
}

int concat_infer(Node *n)
{
	const Value *ref = concat_ref(n);
	int64_t axis, dims[IR_MAX_RANK];
	int i, d, ovf = 0;

	if (!ref)
		return node_error(n, "input 0 is missing");
	if (ref->rank == 0)
		return node_error(n, "cannot concatenate scalars");
	if (concat_axis(n, ref->rank, &axis) != 0)
		return -1;
	memcpy(dims, ref->dims, sizeof(int64_t) * ref->rank);
	dims[axis] = 0;
	for (i = 0; i < n->nin; i++) {
		const Value *v = n->in[i];
		if (concat_skips(v, ref))
			continue;
		if (v->dtype != ref->dtype)
			return node_error(n, "inputs have different element types (%s and %s)",
					  dt_name(ref->dtype), dt_name(v->dtype));
		if (v->rank != ref->rank)
			return node_error(n, "input %d has rank %d, expected %d", i, v->rank, ref->rank);
		for (d = 0; d < v->rank; d++)
			if (d != axis && v->dims[d] != ref->dims[d])
				return node_error(n, "input %d has size %lld on axis %d, expected %lld", i,
						  (long long)v->dims[d], d, (long long)ref->dims[d]);
		dims[axis] = ck_add(dims[axis], v->dims[axis], &ovf);
	}
	if (ovf)	/* many inputs repeating one large tensor */
		return node_error(n, "the output's size along axis %lld overflows 64 bits",
				  (long long)axis);
	return set_out(n, 0, ref->dtype, ref->rank, dims);
}

/* One strided copy per input, into its slab of the output. */
int concat_lower(Node *n, Lower *L)
{
	Value *y = n->out[0];
	const Value *ref = concat_ref(n);
	int64_t axis, pos = 0, sx[IR_MAX_RANK], sy[IR_MAX_RANK];
	int i;

	if (concat_axis(n, y->rank, &axis) != 0)
		return -1;
	value_strides(y, sy);
	for (i = 0; i < n->nin; i++) {
		Value *v = n->in[i];
		if (concat_skips(v, ref))
			continue;
		value_strides(v, sx);
		if (lower_strided(L, v, 0, y, pos * sy[axis], v->rank, v->dims, sx, sy) != 0)
			return -1;
		pos += v->dims[axis];
	}
	return 0;
}

/* Split ------------------------------------------------------------------- */

/* Equal parts of dim over count outputs; the last is smaller if it does not
 * divide (opset 18's num_outputs rule, which is the equal rule when it does). */
static int split_equal(const Node *n, int64_t dim, int count, int64_t *sizes)
{
	int64_t chunk = count ? (dim + count - 1) / count : 0;
	int i;

	for (i = 0; i < count; i++)
		sizes[i] = chunk;
	if (count)
		sizes[count - 1] = dim - chunk * (count - 1);
	if (count && sizes[count - 1] < 0)
		return node_error(n, "cannot split size %lld into %d parts", (long long)dim, count);
	return 0;
}

/* Whether the sizes come from a `split` input that is run-time data. */
static const Value *split_runtime(const Node *n)
{
	return n->version == 1 || n->version >= 13 ? runtime_input(n, 1, 2) : NULL;
}

/* The size of each output along the axis: from the `split` input (opset 1
 * and 13+), the attribute (before 13), or equal parts.  A run-time `split`
 * gives the declared sizes, which infer checked and the generated code checks. */
static int split_sizes(const Node *n, int64_t axis, int64_t *sizes)
{
	const Value *s = node_in(n, 1);
	int64_t dim = n->in[0]->dims[axis];
	const int64_t *a;
	int k = -1, i;

	if (split_runtime(n)) {
		for (i = 0; i < n->nout; i++)
			sizes[i] = n->out[i]->dims[axis];
		return 0;
	}
	if (s && (n->version == 1 || n->version >= 13)) {
		if ((k = const_ints(n, 1, sizes, n->nout)) < 0)
			return -1;
	} else if (n->version < 13 && (k = attr_ints(n, "split", &a)) >= 0) {
		if (k != n->nout)
			return node_error(n, "split has %d entries for %d outputs", k, n->nout);
		memcpy(sizes, a, sizeof(int64_t) * k);
	}
	if (k < 0) {
		int64_t num = attr_i(n, "num_outputs", n->nout);
		if (n->version >= 18 && node_attr(n, "num_outputs") && num != n->nout)
			return node_error(n, "num_outputs is %lld but the node has %d outputs",
					  (long long)num, n->nout);
		return split_equal(n, dim, n->nout, sizes);
	}
	if (k != n->nout)
		return node_error(n, "split has %d entries for %d outputs", k, n->nout);
	if (!onnxcc_split_sizes_ok(sizes, k, dim))
		return node_error(n, "split sizes must be >= 0 and add up to %lld, the size of axis %lld",
				  (long long)dim, (long long)axis);
	return 0;
}

/* Run-time `split`: each output takes its declared shape, which must be the
 * input's except on the axis, where the sizes must add up. */
static int split_declared(Node *n, int64_t axis, const Value *s)
{
	Value *x = n->in[0];
	int64_t total = 0;
	int i, d;

	if (runtime_list(n, 1, 0, n->nout) < 0)
		return -1;
	if (s->dims[0] != n->nout)
		return node_error(n, "split has %lld entries for %d outputs", (long long)s->dims[0],
				  n->nout);
	for (i = 0; i < n->nout; i++) {
		Value *y = n->out[i];
		if (!y)
			return node_error(n, "output %d is missing", i);
		if (set_out_declared(n, i, x->dtype, s) != 0)
			return -1;
		for (d = 0; d < x->rank && y->rank == x->rank; d++)
			if (d != axis && y->dims[d] != x->dims[d])
				break;
		if (y->rank != x->rank || d < x->rank)
			return node_error(n, "the declared shape of output %d does not fit input shape %s",
					  i, shape_str(x, (char[128]){0}, 128));
		total += y->dims[axis];
	}
	if (total != x->dims[axis])
		return node_error(n, "the declared outputs add up to %lld on axis %lld, the input has %lld",
				  (long long)total, (long long)axis, (long long)x->dims[axis]);
	return 0;
}

int split_infer(Node *n)
{
	Value *x = n->in[0];
	const Value *rt = split_runtime(n);
	int64_t axis, dims[IR_MAX_RANK], *sizes;
	int i, rc = 0;

	if (norm_axis(n, attr_i(n, "axis", 0), x->rank, &axis) != 0)
		return -1;
	if (rt)
		return split_declared(n, axis, rt);
	sizes = xcalloc(n->nout, sizeof(int64_t));
	if (split_sizes(n, axis, sizes) != 0)
		rc = -1;
	memcpy(dims, x->dims, sizeof(int64_t) * x->rank);
	for (i = 0; rc == 0 && i < n->nout; i++) {
		dims[axis] = sizes[i];
		rc = set_out(n, i, x->dtype, x->rank, dims);
	}
	free(sizes);
	return rc;
}

/* One strided copy per output, from its slab of the input; a run-time
 * `split` is checked first. */
int split_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *s = node_in(n, 1);
	int64_t axis, pos = 0, sx[IR_MAX_RANK], sy[IR_MAX_RANK];
	int64_t *sizes = xcalloc(n->nout, sizeof(int64_t));
	KCall *k;
	int i, rc = 0;

	if (norm_axis(n, attr_i(n, "axis", 0), x->rank, &axis) != 0 ||
	    split_sizes(n, axis, sizes) != 0)
		rc = -1;
	if (rc == 0 && split_runtime(n)) {
		if (!(k = lower_call(L, "i64_split_check__scalar"))) {
			rc = -1;
		} else {
			kcall_buf(k, s);
			kcall_checks(k);
			kcall_i(k, n->nout);
			kcall_i(k, x->dims[axis]);
			kcall_ints(k, sizes, n->nout);
		}
	}
	value_strides(x, sx);
	for (i = 0; rc == 0 && i < n->nout; i++) {
		Value *y = n->out[i];
		if (y && y->dims[axis] != sizes[i]) {
			rc = node_error(n, "output %d has size %lld on the axis, the constant split %lld",
					i, (long long)y->dims[axis], (long long)sizes[i]);
		} else if (y) {
			value_strides(y, sy);
			rc = lower_strided(L, x, pos * sx[axis], y, 0, y->rank, y->dims, sx, sy);
		}
		pos += sizes[i];
	}
	free(sizes);
	return rc;
}

/* Slice ------------------------------------------------------------------- */

/* starts, ends, axes, steps of a Slice: attributes before opset 10, inputs
 * after.  Returns the number of sliced axes, or -1 after an error. */
static int slice_lists(const Node *n, int64_t *st, int64_t *en, int64_t *ax, int64_t *sp)
{
	const int64_t *a;
	int k, i;

	if (n->version < 10) {
		if ((k = attr_ints(n, "starts", &a)) < 0 || k > IR_MAX_RANK)
			return node_error(n, "attribute 'starts' is missing or too long");
		memcpy(st, a, sizeof(int64_t) * k);
		if (attr_ints(n, "ends", &a) != k)
			return node_error(n, "'ends' must have as many entries as 'starts'");
		memcpy(en, a, sizeof(int64_t) * k);
		i = attr_ints(n, "axes", &a);
		if (i >= 0 && i != k)
			return node_error(n, "'axes' must have as many entries as 'starts'");
		for (i = 0; i < k; i++) {
			ax[i] = node_attr(n, "axes") ? a[i] : i;
			sp[i] = 1;
		}
		return k;
	}
	if (!node_in(n, 1) || !node_in(n, 2))
		return node_error(n, "inputs 'starts' and 'ends' are required");
	if ((k = const_ints(n, 1, st, IR_MAX_RANK)) < 0 || const_ints(n, 2, en, IR_MAX_RANK) < 0)
		return -1;
	if (value_numel(n->in[2]) != k)
		return node_error(n, "'ends' must have as many entries as 'starts'");
	for (i = 0; i < k; i++) {
		ax[i] = i;
		sp[i] = 1;
	}
	if (node_in(n, 3) && (const_ints(n, 3, ax, IR_MAX_RANK) < 0 || value_numel(n->in[3]) != k))
		return node_error(n, "'axes' must be a constant with as many entries as 'starts'");
	if (node_in(n, 4) && (const_ints(n, 4, sp, IR_MAX_RANK) < 0 || value_numel(n->in[4]) != k))
		return node_error(n, "'steps' must be a constant with as many entries as 'starts'");
	return k;
}

/* Per input dimension: first index, step and output length, by the spec's
 * clamping rules (onnxcc_slice_params, which the run-time kernel shares). */
static int slice_params(const Node *n, const Value *x, int64_t *start, int64_t *step, int64_t *len)
{
	int64_t st[IR_MAX_RANK], en[IR_MAX_RANK], ax[IR_MAX_RANK], sp[IR_MAX_RANK], bad;
	int k;

	if ((k = slice_lists(n, st, en, ax, sp)) < 0)
		return -1;
	switch (onnxcc_slice_params(x->dims, x->rank, st, en, ax, sp, k, start, step, len, &bad)) {
	case 0:
		return 0;
	case ONNXCC_SLICE_EAXIS:
		return node_error(n, "axis %lld is out of range for rank %d", (long long)ax[bad],
				  x->rank);
	case ONNXCC_SLICE_EREPEAT:
		return node_error(n, "axis %lld is repeated", (long long)ax[bad]);
	default:
		return node_error(n, "steps[%lld] is 0", (long long)bad);
	}
}

/* Whether some of starts, ends, axes, steps (inputs since opset 10) are
 * run-time data. */
static const Value *slice_runtime(const Node *n)
{
	return n->version >= 10 ? runtime_input(n, 1, 5) : NULL;
}

int slice_static(const Node *n, int64_t *start, int64_t *step, int64_t *len)
{
	return !slice_runtime(n) && n->in[0]->rank >= 0 &&
	       slice_params(n, n->in[0], start, step, len) == 0;
}

/* Run-time starts, ends, axes or steps: the declared output, whose shape
 * the kernel checks.  The lists share one int32 or int64 type and length. */
static int slice_declared(Node *n, const Value *rt)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t k = -1;
	int i, d;

	if (!node_in(n, 1) || !node_in(n, 2))
		return node_error(n, "inputs 'starts' and 'ends' are required");
	if (set_out_declared(n, 0, x->dtype, rt) != 0)
		return -1;
	if (x->rank < 1)
		return node_error(n, "cannot slice a scalar");
	for (i = 1; i < 5; i++) {
		if (!node_in(n, i))
			continue;
		if (runtime_list(n, i, 1, x->rank) < 0)
			return -1;
		if (n->in[i]->dtype != n->in[1]->dtype || (k >= 0 && n->in[i]->dims[0] != k))
			return node_error(n, "starts, ends, axes and steps must have one type and length");
		k = n->in[i]->dims[0];
	}
	for (d = 0; d < x->rank && y->rank == x->rank; d++)
		if (y->dims[d] > x->dims[d])
			break;
	if (y->rank != x->rank || d < x->rank)
		return node_error(n, "the declared output shape %s cannot be a slice of %s",
				  shape_str(y, (char[128]){0}, 128), shape_str(x, (char[128]){0}, 128));
	return 0;
}

int slice_infer(Node *n)
{
	Value *x = n->in[0];
	const Value *rt = slice_runtime(n);
	int64_t start[IR_MAX_RANK], step[IR_MAX_RANK], len[IR_MAX_RANK];

	if (rt)
		return slice_declared(n, rt);
	if (slice_params(n, x, start, step, len) != 0)
		return -1;
	return set_out(n, 0, x->dtype, x->rank, len);
}

/* The run-time kernel normalizes the lists, checks the output shape, then
 * copies: emitted even for an empty output, so that the check runs. */
static int slice_lower_runtime(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	KCall *k;
	int i;

	if (!(k = lower_callf(L, "%s_slice__scalar", width_prefix(y->dtype))))
		return -1;
	kcall_buf(k, x);
	for (i = 1; i < 5; i++)
		if (node_in(n, i))
			kcall_buf(k, n->in[i]);
	kcall_buf(k, y);
	kcall_checks(k);
	kcall_i(k, x->rank);
	kcall_i(k, value_numel(n->in[1]));
	kcall_i(k, node_in(n, 3) != NULL);
	kcall_i(k, node_in(n, 4) != NULL);
	kcall_i(k, n->in[1]->dtype == DT_INT64);
	kcall_ints(k, x->dims, x->rank);
	kcall_ints(k, y->dims, y->rank);
	return 0;
}

int slice_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t start[IR_MAX_RANK], step[IR_MAX_RANK], len[IR_MAX_RANK];
	int64_t xst[IR_MAX_RANK], sx[IR_MAX_RANK], sy[IR_MAX_RANK], off = 0;
	int i;

	if (slice_runtime(n))
		return slice_lower_runtime(n, L);
	if (slice_params(n, x, start, step, len) != 0 || out_is(n, 0, x->rank, len) != 0)
		return -1;
	if (value_numel(y) == 0)
		return 0;
	value_strides(x, xst);
	value_strides(y, sy);
	for (i = 0; i < x->rank; i++) {
		off += start[i] * xst[i];
		sx[i] = step[i] * xst[i];
	}
	return lower_strided(L, x, off, y, 0, y->rank, y->dims, sx, sy);
}

/* Gather ------------------------------------------------------------------ */

int gather_infer(Node *n)
{
	Value *x = n->in[0], *idx = n->in[1];
	int64_t axis, dims[IR_MAX_RANK], i;
	int r = 0, d;

	if (x->rank < 1)
		return node_error(n, "data must have rank >= 1");
	if (idx->dtype != DT_INT32 && idx->dtype != DT_INT64)
		return node_error(n, "indices have element type %s, expected int32 or int64",
				  dt_name(idx->dtype));
	if (norm_axis(n, attr_i(n, "axis", 0), x->rank, &axis) != 0)
		return -1;
	if (x->rank - 1 + idx->rank > IR_MAX_RANK)
		return node_error(n, "output rank %d is more than %d", x->rank - 1 + idx->rank,
				  IR_MAX_RANK);
	for (d = 0; d < x->rank; d++) {
		if (d != axis) {
			dims[r++] = x->dims[d];
			continue;
		}
		memcpy(dims + r, idx->dims, sizeof(int64_t) * idx->rank);
		r += idx->rank;
	}
	/* Constant indices are checked now; run-time ones by the kernel. */
	for (i = 0; idx->data && i < value_numel(idx); i++) {
		int64_t v = const_i64(idx, i);
		if (v < -x->dims[axis] || v >= x->dims[axis])
			return node_error(n, "index %lld is out of range for axis %lld of size %lld",
					  (long long)v, (long long)axis, (long long)x->dims[axis]);
	}
	return set_out(n, 0, x->dtype, r, dims);
}

/* X viewed as [outer, n, inner]; the kernel checks each index at run time. */
int gather_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *idx = n->in[1], *y = n->out[0];
	int64_t axis, outer = 1, inner;
	const char *prefix = word_prefix(y->dtype, &inner);  /* inner: words per element */
	KCall *k;
	int d;

	if (value_numel(y) == 0)
		return 0;
	if (norm_axis(n, attr_i(n, "axis", 0), x->rank, &axis) != 0)
		return -1;
	for (d = 0; d < x->rank; d++) {
		if (d < axis)
			outer *= x->dims[d];
		else if (d > axis)
			inner *= x->dims[d];
	}
	if (!(k = lower_callf(L, "%s_gather__scalar", prefix)))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, idx);
	kcall_buf(k, y);
	kcall_checks(k);
	kcall_i(k, outer);
	kcall_i(k, x->dims[axis]);
	kcall_i(k, value_numel(idx));
	kcall_i(k, inner);
	kcall_i(k, idx->dtype == DT_INT64);
	return 0;
}

/* Expand ------------------------------------------------------------------ */

/* A run-time shape: the declared output, which X must broadcast into. */
static int expand_declared(Node *n)
{
	Value *x = n->in[0], *s = n->in[1], *y = n->out[0];
	int64_t r;
	int d;

	if (set_out_declared(n, 0, x->dtype, s) != 0 || runtime_list(n, 1, 0, IR_MAX_RANK) < 0)
		return -1;
	r = s->dims[0] > x->rank ? s->dims[0] : x->rank;
	for (d = 0; d < x->rank && y->rank == r; d++) {
		int64_t a = x->dims[d], o = y->dims[r - x->rank + d];
		if (a != o && a != 1)
			break;
	}
	if (y->rank != r || d < x->rank)
		return node_error(n, "input shape %s does not expand to the declared output shape %s",
				  shape_str(x, (char[128]){0}, 128), shape_str(y, (char[128]){0}, 128));
	return 0;
}

int expand_infer(Node *n)
{
	Value *x = n->in[0];
	int64_t shape[IR_MAX_RANK], dims[IR_MAX_RANK], r;
	int k;

	if (!n->in[1]->data)
		return expand_declared(n);
	if ((k = const_ints(n, 1, shape, IR_MAX_RANK)) < 0)
		return -1;
	if (onnxcc_expand_dims(shape, k, x->dims, x->rank, dims, &r) != 0)
		return node_error(n, "input shape %s does not broadcast with the shape input's values",
				  shape_str(x, (char[128]){0}, 128));
	return set_out(n, 0, x->dtype, (int)r, dims);
}

/* The output's shape decides the movement; a run-time shape input is only
 * checked against it. */
int expand_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *s = n->in[1], *y = n->out[0], *ins[1] = {x};
	int64_t shape[IR_MAX_RANK], dims[IR_MAX_RANK], r, words;
	const char *prefix;
	KCall *k;
	int ns;

	if (!s->data) {
		if (!(k = lower_call(L, "i64_expand_check__scalar")))
			return -1;
		kcall_buf(k, s);
		kcall_checks(k);
		check_params(k, value_numel(s), x, y);
	} else {
		if ((ns = const_ints(n, 1, shape, IR_MAX_RANK)) < 0)
			return -1;
		if (onnxcc_expand_dims(shape, ns, x->dims, x->rank, dims, &r) != 0)
			return node_error(n, "input shape %s does not broadcast with the shape input's "
					  "values", shape_str(x, (char[128]){0}, 128));
		if (out_is(n, 0, r, dims) != 0)
			return -1;
	}
	if (value_numel(y) == 0)
		return 0;
	prefix = word_prefix(y->dtype, &words);
	if (!(k = lower_callf(L, "%s_expand__scalar", prefix)))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	return kcall_broadcast_words(k, n, y, ins, 1, words, NULL);
}

/* Tile -------------------------------------------------------------------- */

/* A `repeats` input (opset 6+) that is run-time data. */
static const Value *tile_runtime(const Node *n)
{
	return n->version >= 6 ? runtime_input(n, 1, 2) : NULL;
}

/* Repeats per axis: the `repeats` input since opset 6; before, a scalar
 * `tiles` along a scalar `axis` (inputs 1 and 2).  Run-time repeats are
 * those of the declared output (infer checked that they divide). */
static int tile_repeats(const Node *n, const Value *x, int64_t *rep)
{
	const Value *y = n->out[0];
	int64_t t, a;
	int k, i;

	if (n->version < 6) {
		/* Tile-1's tiles and axis have the input's (float) type. */
		const Value *tv = node_in(n, 1), *av = node_in(n, 2);
		if (!tv || !av || !tv->data || !av->data || value_numel(tv) != 1 ||
		    value_numel(av) != 1 || !dt_size(tv->dtype) || tv->dtype == DT_FLOAT16 ||
		    tv->dtype == DT_BFLOAT16 || av->dtype == DT_FLOAT16 || av->dtype == DT_BFLOAT16)
			return node_error(n, "'tiles' and 'axis' must be constant scalars");
		t = const_i64(tv, 0);
		if (norm_axis(n, const_i64(av, 0), x->rank, &a) != 0)
			return -1;
		for (i = 0; i < x->rank; i++)
			rep[i] = i == a ? t : 1;
		k = x->rank;
	} else if (tile_runtime(n)) {
		for (i = 0; i < x->rank; i++)
			rep[i] = x->dims[i] ? y->dims[i] / x->dims[i] : 0;
		k = x->rank;
	} else if ((k = const_ints(n, 1, rep, IR_MAX_RANK)) < 0) {
		return -1;
	}
	if (k != x->rank)
		return node_error(n, "repeats has %d entries, expected %d (the input rank)", k,
				  x->rank);
	return 0;
}

/* Run-time repeats: the declared output, a multiple of X on every axis. */
static int tile_declared(Node *n, const Value *r)
{
	Value *x = n->in[0], *y = n->out[0];
	int d;

	if (set_out_declared(n, 0, x->dtype, r) != 0 || runtime_list(n, 1, 0, IR_MAX_RANK) < 0)
		return -1;
	if (r->dims[0] != x->rank)
		return node_error(n, "repeats has %lld entries, expected %d (the input rank)",
				  (long long)r->dims[0], x->rank);
	for (d = 0; d < x->rank && y->rank == x->rank; d++)
		if (x->dims[d] ? y->dims[d] % x->dims[d] != 0 : y->dims[d] != 0)
			break;
	if (y->rank != x->rank || d < x->rank)
		return node_error(n, "the declared output shape %s is not a tiling of %s",
				  shape_str(y, (char[128]){0}, 128), shape_str(x, (char[128]){0}, 128));
	return 0;
}

int tile_infer(Node *n)
{
	Value *x = n->in[0];
	const Value *rt = tile_runtime(n);
	int64_t rep[IR_MAX_RANK], dims[IR_MAX_RANK];

	if (rt)
		return tile_declared(n, rt);
	if (tile_repeats(n, x, rep) != 0)
		return -1;
	if (onnxcc_tile_dims(rep, x->dims, x->rank, dims) != 0)
		return node_error(n, "repeats must be >= 0 and give sizes that fit int64");
	return set_out(n, 0, x->dtype, x->rank, dims);
}

/* Each axis d becomes two: (repeat, d), the repeat reading X with stride 0.
 * Run-time repeats are checked first. */
int tile_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t rep[IR_MAX_RANK], xst[IR_MAX_RANK], yst[IR_MAX_RANK];
	int64_t dims[MV_MAX_DIMS], sx[MV_MAX_DIMS], sy[MV_MAX_DIMS];
	KCall *k;
	int i;

	if (tile_repeats(n, x, rep) != 0)
		return -1;
	if (tile_runtime(n)) {
		if (!(k = lower_call(L, "i64_tile_check__scalar")))
			return -1;
		kcall_buf(k, n->in[1]);
		kcall_checks(k);
		kcall_i(k, x->rank);
		kcall_ints(k, x->dims, x->rank);
		kcall_ints(k, y->dims, y->rank);
	} else if (onnxcc_tile_dims(rep, x->dims, x->rank, dims) != 0) {
		return node_error(n, "repeats must be >= 0 and give sizes that fit int64");
	} else if (out_is(n, 0, x->rank, dims) != 0) {
		return -1;
	}
	value_strides(x, xst);
	value_strides(y, yst);
	for (i = 0; i < x->rank; i++) {
		dims[2 * i] = rep[i];
		sx[2 * i] = 0;
		sy[2 * i] = x->dims[i] * yst[i];
		dims[2 * i + 1] = x->dims[i];
		sx[2 * i + 1] = xst[i];
		sy[2 * i + 1] = yst[i];
	}
	return lower_strided(L, x, 0, y, 0, 2 * x->rank, dims, sx, sy);
}

/* Pad --------------------------------------------------------------------- */

/* Whether pads (opset 11+) or axes (18+) are run-time data. */
static const Value *pad_runtime(const Node *n)
{
	if (n->version < 11)
		return NULL;
	return runtime_input(n, 1, 2) ? n->in[1] : n->version >= 18 ? runtime_input(n, 3, 4) : NULL;
}

/* Begin and end pads per axis (negative ones crop): the `paddings` (opset 1)
 * or `pads` attribute before opset 11, inputs pads and axes (18) after,
 * normalized by onnxcc_pad_amounts (which the run-time kernel shares). */
static int pad_amounts(const Node *n, const Value *x, int64_t *pb, int64_t *pe)
{
	int64_t pads[2 * IR_MAX_RANK], axes[IR_MAX_RANK], bad;
	const int64_t *at;
	int k, na;

	if (n->version < 11) {
		k = attr_ints(n, n->version < 2 ? "paddings" : "pads", &at);
		if (k < 0 || k > 2 * IR_MAX_RANK)
			return node_error(n, "attribute '%s' is missing or too long",
					  n->version < 2 ? "paddings" : "pads");
		memcpy(pads, at, sizeof(int64_t) * k);
	} else if (!node_in(n, 1)) {
		return node_error(n, "input 'pads' is required");
	} else if ((k = const_ints(n, 1, pads, 2 * IR_MAX_RANK)) < 0) {
		return -1;
	}
	na = x->rank;
	if (n->version >= 18 && node_in(n, 3) && (na = const_ints(n, 3, axes, IR_MAX_RANK)) < 0)
		return -1;
	if (k != 2 * na)
		return node_error(n, "pads has %d entries, expected %d", k, 2 * na);
	switch (onnxcc_pad_amounts(pads, n->version >= 18 && node_in(n, 3) ? axes : NULL, na,
				   x->rank, pb, pe, &bad)) {
	case 0:
		return 0;
	case 1:
		return node_error(n, "axis %lld is out of range for rank %d", (long long)axes[bad],
				  x->rank);
	default:
		return node_error(n, "pads[%lld] is %lld, out of range (at most 2^40 either way)",
				  (long long)bad, (long long)pads[bad]);
	}
}

static int pad_mode(const Node *n)
{
	static const char *const modes[] = {"constant", "reflect", "edge", "wrap"};
	static const int ids[] = {ONNXCC_PAD_CONSTANT, ONNXCC_PAD_REFLECT, ONNXCC_PAD_EDGE,
				  ONNXCC_PAD_WRAP};
	const char *m = attr_s(n, "mode", "constant");
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(m, modes[i]) == 0)
			return ids[i];
	return node_error(n, "mode '%s' is not one of constant, reflect, edge, wrap", m);
}

/* Run-time pads or axes: the declared output, which the kernel checks.
 * pads holds two entries per padded axis: all of them, or those in axes. */
static int pad_declared(Node *n, const Value *rt)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t na = x->rank;

	if (set_out_declared(n, 0, x->dtype, rt) != 0)
		return -1;
	if (x->rank < 1)
		return node_error(n, "cannot pad a scalar by run-time pads");
	if (n->version >= 18 && node_in(n, 3) && (na = runtime_list(n, 3, 1, x->rank)) < 0)
		return -1;
	if (runtime_list(n, 1, 0, 2 * IR_MAX_RANK) < 0)
		return -1;
	if (n->in[1]->dims[0] != 2 * na)
		return node_error(n, "pads has %lld entries, expected %lld",
				  (long long)n->in[1]->dims[0], (long long)(2 * na));
	if (y->rank != x->rank)
		return node_error(n, "the declared output has rank %d, the input %d", y->rank,
				  x->rank);
	return 0;
}

int pad_infer(Node *n)
{
	Value *x = n->in[0], *v = node_in(n, 2);
	const Value *rt = pad_runtime(n);
	int64_t pb[IR_MAX_RANK], pe[IR_MAX_RANK], dims[IR_MAX_RANK], bad;
	int mode;

	if ((mode = pad_mode(n)) < 0)
		return -1;
	if (n->version >= 11 && v && (v->dtype != x->dtype || value_numel(v) != 1))
		return node_error(n, "constant_value must be one element of type %s", dt_name(x->dtype));
	if (rt)
		return pad_declared(n, rt);
	if (pad_amounts(n, x, pb, pe) != 0)
		return -1;
	switch (onnxcc_pad_dims(x->dims, x->rank, pb, pe, mode, dims, &bad)) {
	case 0:
		return set_out(n, 0, x->dtype, x->rank, dims);
	case 1:
		return node_error(n, "pads make axis %lld of size %lld negative", (long long)bad,
				  (long long)x->dims[bad]);
	default:
		return node_error(n, "cannot pad axis %lld in mode '%s': it has no elements",
				  (long long)bad, attr_s(n, "mode", "constant"));
	}
}

/* The element of type dtype with value v, as bits in the low bytes. */
static uint64_t elem_bits(int dtype, double v)
{
	uint64_t u = 0;
	float f = (float)v;
	void *e;

	switch (dtype) {
	case DT_FLOAT: memcpy(&u, &f, 4); return u;
	case DT_DOUBLE: memcpy(&u, &v, 8); return u;
	case DT_FLOAT16: return onnxcc_f32_to_f16(f);
	case DT_BFLOAT16: return onnxcc_f32_to_bf16(f);
	case DT_BOOL: return v != 0;
	case DT_UINT64: return (uint64_t)v;
	}
	if (!dt_is_float8(dtype) && !dt_packed_bits(dtype) && dtype != DT_FLOAT8E8M0)
		return (uint64_t)(int64_t)v;
	e = scalar_of(dtype, v);      /* float8, float8e8m0 and the sub-byte types */
	memcpy(&u, e, 1);
	free(e);
	return u;
}

/* Constant mode: fill Y with the value, then copy the kept part of X into it. */
static int pad_constant(Node *n, Lower *L, const int64_t *pb, const int64_t *pe)
{
	Value *x = n->in[0], *y = n->out[0], *v = n->version >= 11 ? node_in(n, 2) : NULL;
	int64_t xst[IR_MAX_RANK], yst[IR_MAX_RANK], dims[IR_MAX_RANK], xoff = 0, yoff = 0;
	int d, grows = 0, empty = 0;
	uint64_t bits = 0;
	KCall *k;

	value_strides(x, xst);
	value_strides(y, yst);
	for (d = 0; d < x->rank; d++) {
		int64_t cb = pb[d] < 0 ? -pb[d] : 0, ce = pe[d] < 0 ? -pe[d] : 0;
		dims[d] = x->dims[d] - cb - ce;
		xoff += cb * xst[d];
		yoff += (pb[d] > 0 ? pb[d] : 0) * yst[d];
		grows |= pb[d] > 0 || pe[d] > 0;
		empty |= dims[d] <= 0;
	}
	if (grows || empty) {
		if (v && !v->data) {
			if (!(k = lower_callf(L, "%s_fill__scalar", width_prefix(y->dtype))))
				return -1;
			kcall_buf(k, v);
		} else if (!(k = lower_callf(L, "%s_fillp__scalar", width_prefix(y->dtype)))) {
			return -1;
		}
		if (v && v->data)
			memcpy(&bits, v->data, dt_size(v->dtype));
		else if (!v)
			bits = elem_bits(y->dtype, n->version < 11 ? attr_f(n, "value", 0.0) : 0.0);
		kcall_buf(k, y);
		kcall_i(k, value_numel(y));
		if (!v || v->data)
			kcall_i(k, (int64_t)bits);
	}
	if (empty)
		return 0;
	return lower_strided(L, x, xoff, y, yoff, x->rank, dims, xst, yst);
}

/* Edge, reflect, wrap: a per-axis table of the input offset each output
 * coordinate reads.  Neighbouring unpadded axes merge into one. */
static int pad_remap(Node *n, Lower *L, int mode, const int64_t *pb, const int64_t *pe)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t xst[IR_MAX_RANK], dims[IR_MAX_RANK], st[IR_MAX_RANK], lo[IR_MAX_RANK];
	int64_t kept[IR_MAX_RANK], before[IR_MAX_RANK], j;
	int d, r = 0, plain[IR_MAX_RANK];
	KCall *k;

	value_strides(x, xst);
	for (d = 0; d < x->rank; d++) {
		int p = pb[d] == 0 && pe[d] == 0;
		if (r > 0 && p && plain[r - 1]) {
			dims[r - 1] *= x->dims[d];
			kept[r - 1] = dims[r - 1];
			st[r - 1] = xst[d];
			continue;
		}
		plain[r] = p;
		dims[r] = y->dims[d];
		st[r] = xst[d];
		lo[r] = pb[d] < 0 ? -pb[d] : 0;
		before[r] = pb[d] > 0 ? pb[d] : 0;
		kept[r] = x->dims[d] - lo[r] - (pe[d] < 0 ? -pe[d] : 0);
		r++;
	}
	if (r == 0) {
		dims[0] = kept[0] = st[0] = 1;
		lo[0] = before[0] = 0;
		r = 1;
	}
	if (!(k = lower_callf(L, "%s_remap__scalar", width_prefix(y->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_i(k, r);
	kcall_ints(k, dims, r);
	for (d = 0; d < r; d++)
		for (j = 0; j < dims[d]; j++)
			kcall_i(k, (lo[d] + onnxcc_pad_source(mode, j - before[d], kept[d])) * st[d]);
	return 0;
}

/* The run-time kernel normalizes pads and axes, checks the output shape,
 * then pads: emitted even for an empty output, so that the check runs. */
static int pad_lower_runtime(Node *n, Lower *L, int mode)
{
	Value *x = n->in[0], *y = n->out[0], *a = n->version >= 18 ? node_in(n, 3) : NULL;
	Value *v = node_in(n, 2);
	KCall *k;

	if (!(k = lower_callf(L, "%s_pad__scalar", width_prefix(y->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, n->in[1]);
	if (a)
		kcall_buf(k, a);
	if (v)
		kcall_buf(k, v);
	kcall_buf(k, y);
	kcall_checks(k);
	kcall_i(k, x->rank);
	kcall_i(k, a ? value_numel(a) : x->rank);
	kcall_i(k, a != NULL);
	kcall_i(k, a && a->dtype == DT_INT64);
	kcall_i(k, v != NULL);
	kcall_i(k, mode);
	kcall_ints(k, x->dims, x->rank);
	kcall_ints(k, y->dims, y->rank);
	return 0;
}

int pad_lower(Node *n, Lower *L)
{
	int64_t pb[IR_MAX_RANK], pe[IR_MAX_RANK], dims[IR_MAX_RANK], bad;
	int mode;

	if ((mode = pad_mode(n)) < 0)
		return -1;
	if (pad_runtime(n))
		return pad_lower_runtime(n, L, mode);
	if (pad_amounts(n, n->in[0], pb, pe) != 0)
		return -1;
	if (onnxcc_pad_dims(n->in[0]->dims, n->in[0]->rank, pb, pe, mode, dims, &bad) != 0)
		return node_error(n, "pads do not give a valid shape on axis %lld", (long long)bad);
	if (out_is(n, 0, n->in[0]->rank, dims) != 0)
		return -1;
	if (value_numel(n->out[0]) == 0)
		return 0;
	if (mode == ONNXCC_PAD_CONSTANT)
		return pad_constant(n, L, pb, pe);
	return pad_remap(n, L, mode, pb, pe);
}

/* Range ------------------------------------------------------------------- */

/* A constant scalar as double (float16 and bfloat16 included). */
static double scalar_f64(const Value *v)
{
	if (v->dtype == DT_FLOAT16)
		return onnxcc_f16_to_f32(*(const uint16_t *)v->data);
	if (v->dtype == DT_BFLOAT16)
		return onnxcc_bf16_to_f32(*(const uint16_t *)v->data);
	return const_f64(v, 0);
}

/* Output length max(ceil((limit - start) / delta), 0), by the rule the
 * run-time check shares (onnxcc_range_len_i/_f). */
static int range_length(const Node *n, int64_t *len)
{
	const Value *s = n->in[0], *l = n->in[1], *d = n->in[2];
	int rc;

	if (dt_is_int(s->dtype))
		rc = onnxcc_range_len_i(const_i64(s, 0), const_i64(l, 0), const_i64(d, 0), len);
	else
		rc = onnxcc_range_len_f(scalar_f64(s), scalar_f64(l), scalar_f64(d), len);
	if (rc == 0)
		return 0;
	if (dt_is_int(s->dtype) ? const_i64(d, 0) == 0 : scalar_f64(d) == 0)
		return node_error(n, "delta is 0");
	if (dt_is_int(s->dtype))
		return node_error(n, "the output would have 2^63 elements or more");
	return node_error(n, "the output would have 1e15 elements or more");
}

/* With run-time start, limit or delta, the output has the declared length,
 * which the generated code checks before computing the values. */
int range_infer(Node *n)
{
	const Value *rt = runtime_input(n, 0, 3);
	int64_t len;
	int i;

	for (i = 0; i < 3; i++) {
		const Value *v = n->in[i];
		if (!v)
			return node_error(n, "input %d is missing", i);
		if (v->dtype != n->in[0]->dtype || value_numel(v) != 1)
			return node_error(n, "start, limit and delta must be scalars of one type");
	}
	if (rt) {
		if (set_out_declared(n, 0, n->in[0]->dtype, rt) != 0)
			return -1;
		if (n->out[0]->rank != 1)
			return node_error(n, "the declared output has rank %d, expected 1",
					  n->out[0]->rank);
		return 0;
	}
	if (range_length(n, &len) != 0)
		return -1;
	return set_out(n, 0, n->in[0]->dtype, 1, &len);
}

int range_lower(Node *n, Lower *L)
{
	int64_t len;
	KCall *k;

	if (runtime_input(n, 0, 3)) {
		if (!(k = lower_callf(L, "%s_range_check__scalar", dt_short(n->out[0]->dtype))))
			return -1;
		kcall_buf(k, n->in[0]);
		kcall_buf(k, n->in[1]);
		kcall_buf(k, n->in[2]);
		kcall_checks(k);
		kcall_i(k, value_numel(n->out[0]));
	} else if (range_length(n, &len) != 0 || out_is(n, 0, 1, &len) != 0) {
		return -1;
	}
	if (value_numel(n->out[0]) == 0)
		return 0;
	if (!(k = lower_callf(L, "%s_range__scalar", dt_short(n->out[0]->dtype))))
		return -1;
	kcall_buf(k, n->in[0]);
	kcall_buf(k, n->in[1]);
	kcall_buf(k, n->in[2]);
	kcall_buf(k, n->out[0]);
	kcall_i(k, value_numel(n->out[0]));
	return 0;
}


int lower_axis_slice(Lower *L, Value *x, int64_t axis, int64_t pos, int64_t len, Value *y)
{
	int64_t dims[IR_MAX_RANK], sx[IR_MAX_RANK], sy[IR_MAX_RANK];

	memcpy(dims, x->dims, sizeof dims);
	dims[axis] = len;
	value_strides(x, sx);
	dims_strides(x->rank, dims, sy);
	return lower_strided(L, x, pos * sx[axis], y, 0, x->rank, dims, sx, sy);
}

int lower_axis_place(Lower *L, Value *x, Value *y, int64_t axis, int64_t pos, int64_t len)
{
	int64_t dims[IR_MAX_RANK], sx[IR_MAX_RANK], sy[IR_MAX_RANK];

	memcpy(dims, y->dims, sizeof dims);
	dims[axis] = len;
	dims_strides(y->rank, dims, sx);
	value_strides(y, sy);
	return lower_strided(L, x, 0, y, pos * sy[axis], y->rank, dims, sx, sy);
}
