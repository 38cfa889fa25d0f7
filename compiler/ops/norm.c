/* norm.c: BatchNormalization and LRN (templates/norm.h).
 *
 * BatchNormalization becomes one per-channel affine map y = x * s + t, with
 * s = scale / sqrt(var + eps) and t = bias - mean * s computed in the
 * compiler when the four parameters are constants (the usual case), else by
 * a small kernel at run time.  Training mode (training_mode=1 from opset 14;
 * before it, asking for the statistics outputs) normalizes with the batch's
 * own statistics and also writes the running ones. */
#include <math.h>
#include <stdlib.h>

#include "ops_util.h"

/* Per-channel parameter count and the (outer, C, inner) view of X.  Before
 * opset 9, spatial=0 gives every element of a sample its own parameters. */
static void bn_view(const Node *n, int64_t *v)
{
	const Value *x = n->in[0];
	int spatial = n->version >= 9 || attr_i(n, "spatial", 1) != 0;
	int i;

	v[0] = x->dims[0];
	v[1] = x->dims[1];
	v[2] = 1;
	for (i = 2; i < x->rank; i++)
		v[spatial ? 2 : 1] *= x->dims[i];
}

/* Whether the node normalizes with batch statistics. */
static int bn_training(const Node *n)
{
	int i;

	if (n->version >= 14)
		return attr_i(n, "training_mode", 0) != 0;
	for (i = 1; i < n->nout; i++)
		if (n->out[i])
			return 1;
	return 0;
}

int batchnorm_infer(Node *n)
{
	const Value *x = n->in[0];
	int64_t v[3];
	int i;

	if (x->rank < 2)
		return node_error(n, "input X has rank %d, expected N x C x ... (rank >= 2)", x->rank);
	if (n->version >= 14 && n->nout > 3)
		return node_error(n, "%d outputs, expected at most 3 at opset %d", n->nout, n->version);
	if (!bn_training(n) && n->nout > 1 && (node_out(n, 1) || node_out(n, 2)))
		return node_error(n, "outputs running_mean and running_var need training_mode=1");
	if (!dt_is_float(x->dtype))
		return node_error(n, "input X has element type %s, expected a float type",
				  dt_name(x->dtype));
	bn_view(n, v);
	for (i = 1; i < 5; i++) {
		const Value *p = n->in[i];
		if (!p)
			return node_error(n, "input %d is missing", i);
		if (p->dtype != x->dtype)
			return node_error(n, "input %d ('%s') has element type %s, expected %s like X",
					  i, p->name, dt_name(p->dtype), dt_name(x->dtype));
		if (value_numel(p) != v[1])
			return node_error(n, "input %d ('%s') has %lld elements, expected %lld", i,
					  p->name, (long long)value_numel(p), (long long)v[1]);
	}
	if (set_out(n, 0, x->dtype, x->rank, x->dims) != 0)
		return -1;
	for (i = 1; i < n->nout; i++)
		if (set_out(n, i, x->dtype, n->in[3]->rank, n->in[3]->dims) != 0)
			return -1;
	return 0;
}

/* P = {s[C], t[C]} from constant parameters, as a constant of the call list. */
static Value *bn_const_params(Node *n, Lower *L, int64_t C)
{
	const Value *sc = n->in[1], *bi = n->in[2], *mu = n->in[3], *var = n->in[4];
	int64_t dims[2] = {2, C}, c;
	double eps = attr_f(n, "epsilon", 1e-5);
	Value *P = lower_temp(L, sc->dtype, 2, dims);
	void *data = xmalloc((size_t)value_nbytes(P) + 1);

	for (c = 0; c < C; c++) {
		double s = const_f64(sc, c) / sqrt(const_f64(var, c) + eps);
		double t = const_f64(bi, c) - const_f64(mu, c) * s;
		if (P->dtype == DT_FLOAT) {
			((float *)data)[c] = (float)s;
			((float *)data)[C + c] = (float)t;
		} else {
			((double *)data)[c] = s;
			((double *)data)[C + c] = t;
		}
	}
	value_set_const(P, data, 0);
	return P;
}

/* P computed at run time from the parameter tensors scale, bias, mean, var. */
static Value *bn_run_params(Node *n, Lower *L, Value *mean, Value *var, int64_t C)
{
	int64_t dims[2] = {2, C};
	Value *P = lower_temp(L, n->in[0]->dtype, 2, dims);
	KCall *k = lower_callf(L, "%s_bnprep__scalar", dt_short(P->dtype));

	if (!k)
		return NULL;
	kcall_buf(k, n->in[1]);
	kcall_buf(k, n->in[2]);
	kcall_buf(k, mean);
	kcall_buf(k, var);
	kcall_buf(k, P);
	kcall_i(k, C);
	kcall_f(k, attr_f(n, "epsilon", 1e-5));
	return P;
}

/* out = in * momentum + batch * (1 - momentum): a running statistic. */
static int bn_moment(Node *n, Lower *L, Value *in, Value *batch, Value *out)
{
	KCall *k;

	if (!out)
		return 0;
	if (!(k = lower_callf(L, "%s_bnmoment__scalar", dt_short(out->dtype))))
		return -1;
	kcall_buf(k, in);
	kcall_buf(k, batch);
	kcall_buf(k, out);
	kcall_i(k, value_numel(out));
	kcall_f(k, attr_f(n, "momentum", 0.9));
	return 0;
}

/* Batch mean and variance into the saved-statistics outputs (opset < 14) or
 * scratch, then the running statistics. */
static int bn_batch_stats(Node *n, Lower *L, const int64_t *v, Value **mean, Value **var)
{
	const Value *m = n->in[3];
	KCall *k;

	*mean = node_out(n, 3) ? n->out[3] : lower_temp(L, m->dtype, m->rank, m->dims);
	*var = node_out(n, 4) ? n->out[4] : lower_temp(L, m->dtype, m->rank, m->dims);
	if (!(k = lower_callf(L, "%s_bnstats__scalar", dt_short(m->dtype))))
		return -1;
	kcall_buf(k, n->in[0]);
	kcall_buf(k, *mean);
	kcall_buf(k, *var);
	kcall_ints(k, v, 3);
	if (bn_moment(n, L, n->in[3], *mean, node_out(n, 1)) != 0)
		return -1;
	return bn_moment(n, L, n->in[4], *var, node_out(n, 2));
}

int batchnorm_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *mean = n->in[3], *var = n->in[4], *P;
	int64_t v[3];
	KCall *k;

	if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE)
		return node_error(n, "element type %s is not supported", dt_name(x->dtype));
	bn_view(n, v);
	if (bn_training(n) && bn_batch_stats(n, L, v, &mean, &var) != 0)
		return -1;
	if (value_numel(n->out[0]) == 0)
		return 0;
	if (n->in[1]->data && n->in[2]->data && mean->data && var->data)
		P = bn_const_params(n, L, v[1]);
	else
		P = bn_run_params(n, L, mean, var, v[1]);
	if (!P || !(k = lower_callf(L, "%s_bnapply__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, P);
	kcall_buf(k, n->out[0]);
	kcall_ints(k, v, 3);
	if (n->epi_act != 0 && n->epi_act != 1)	/* passes/fuse.c gives only Relu */
		die("BatchNormalization '%s': fused activation %d", n->name, n->epi_act);
	kcall_i(k, n->epi_act);
	return 0;
}

int lrn_infer(Node *n)
{
	const Value *x = n->in[0];

	if (x->rank < 2)
		return node_error(n, "input has rank %d, expected N x C x ... (rank >= 2)", x->rank);
	if (attr_i(n, "size", 0) <= 0)
		return node_error(n, "attribute size is %s, expected a positive integer",
				  node_attr(n, "size") ? "not positive" : "missing");
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

/* The window over channels c - floor((size-1)/2) .. c + ceil((size-1)/2). */
int lrn_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t size = attr_i(n, "size", 1), inner = 1;
	int i;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	for (i = 2; i < x->rank; i++)
		inner *= x->dims[i];
	if (!(k = lower_callf(L, "%s_lrn__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_i(k, x->dims[0]);
	kcall_i(k, x->dims[1]);
	kcall_i(k, inner);
	kcall_i(k, (size - 1) / 2);
	kcall_i(k, size / 2);
	kcall_f(k, attr_f(n, "alpha", 1e-4) / (double)size);
	kcall_f(k, attr_f(n, "beta", 0.75));
	kcall_f(k, attr_f(n, "bias", 1.0));
	return 0;
}
