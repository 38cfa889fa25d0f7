/* softmax.c: Softmax, LogSoftmax and Hardmax; the row's aux names the kernel.
 * Before opset 13 the input is coerced to 2-D at `axis` (default 1) and the
 * whole trailing part is normalized; from 13 on only `axis` (default -1) is. */
#include "ops_util.h"

/* The (outer, axis_len, inner) view of the input. */
static int softmax_view(const Node *n, int64_t *v)
{
	const Value *x = n->in[0];
	int64_t axis;
	int i, legacy = n->version < 13;

	if (legacy && attr_i(n, "axis", 1) == x->rank)
		axis = x->rank;		/* coerced to (N, 1): every element alone */
	else if (norm_axis(n, attr_i(n, "axis", legacy ? 1 : -1), x->rank, &axis) != 0)
		return -1;
	v[0] = v[1] = v[2] = 1;
	for (i = 0; i < x->rank; i++) {
		if (i < axis)
			v[0] *= x->dims[i];
		else if (i == axis || legacy)
			v[1] *= x->dims[i];
		else
			v[2] *= x->dims[i];
	}
	return 0;
}

int softmax_infer(Node *n)
{
	Value *x = n->in[0];
	int64_t v[3];

	if (softmax_view(n, v) != 0)
		return -1;
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

int softmax_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *yt;
	int64_t v[3];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (softmax_view(n, v) != 0)
		return -1;
	/* float16 and bfloat16 compute in float, rounded once at the end */
	if (widen_half(L, &x) != 0 || !(yt = half_out(L, y)) ||
	    !(k = lower_callf(L, "%s_%s__scalar", dt_short(x->dtype), n->op->aux)))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, yt);
	kcall_ints(k, v, 3);
	return narrow_half(L, yt, y);
}
