/* loss.c: NegativeLogLikelihoodLoss (aux "nll") and SoftmaxCrossEntropyLoss
 * (aux "sce").  Both view the scores as [N, C, D], D the product of d1..dk,
 * and gather one score per target with templates/loss.h's nllloss kernel,
 * which checks each run-time target against [0, C).  SoftmaxCrossEntropyLoss
 * first takes the log-softmax over C (softmax.h), into its optional second
 * output log_prob or a scratch.  The opset 12, 13 and 22 versions differ only
 * in the types they allow.  float16 and bfloat16 go through float. */
#include <string.h>

#include "ops_util.h"

enum { RED_NONE, RED_SUM, RED_MEAN };

/* The reduction attribute as the kernel's code, or -1 after node_error. */
static int loss_reduction(const Node *n)
{
	static const char *const names[] = { "none", "sum", "mean" };
	const char *r = attr_s(n, "reduction", "mean");
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(r, names[i]) == 0)
			return i;
	return node_error(n, "reduction is '%s', expected 'none', 'sum' or 'mean'", r);
}

/* Target's shape must be the scores' without C: [N, d1..dk]. */
static int check_target(const Node *n, const Value *x, const Value *t)
{
	char a[128], b[128];
	int i, ok = t->rank == x->rank - 1 && t->dims[0] == x->dims[0];

	if (t->dtype != DT_INT32 && t->dtype != DT_INT64)
		return node_error(n, "target has type %s, expected int32 or int64", dt_name(t->dtype));
	for (i = 1; ok && i < t->rank; i++)
		ok = t->dims[i] == x->dims[i + 1];
	if (!ok)
		return node_error(n, "target has shape %s, expected the scores' %s without dimension 1",
				  shape_str(t, a, sizeof a), shape_str(x, b, sizeof b));
	return 0;
}

/* Types and shapes of scores, target and weight. */
static int check_inputs(const Node *n)
{
	const Value *x = n->in[0], *t = n->in[1], *w = node_in(n, 2);

	if (!dt_is_float(x->dtype))
		return node_error(n, "input 0 has type %s, expected a float type", dt_name(x->dtype));
	if (x->rank < 2)
		return node_error(n, "input 0 has rank %d, expected at least 2 (N, C, ...)", x->rank);
	if (check_target(n, x, t) != 0)
		return -1;
	if (w && (w->dtype != x->dtype || w->rank != 1 || w->dims[0] != x->dims[1]))
		return node_error(n, "weight must be a 1-D %s tensor of C = %lld elements",
				  dt_name(x->dtype), (long long)x->dims[1]);
	return 0;
}

/* The loss: target-shaped without reduction, else a scalar; log_prob: X's shape. */
int loss_infer(Node *n)
{
	Value *x = n->in[0], *t = n->in[1];
	int red;

	if (check_inputs(n) != 0 || (red = loss_reduction(n)) < 0)
		return -1;
	if (set_out(n, 0, x->dtype, red == RED_NONE ? t->rank : 0, t->dims) != 0)
		return -1;
	if (node_out(n, 1))
		return set_out(n, 1, x->dtype, x->rank, x->dims);
	return 0;
}

/* Number of d1..dk positions: the product of the scores' dimensions after C. */
static int64_t loss_inner(const Value *x)
{
	int64_t d = 1;
	int i;

	for (i = 2; i < x->rank; i++)
		d *= x->dims[i];
	return d;
}

/* log_prob of float or double scores x into lp, over dimension 1. */
static int lower_logsoftmax(Lower *L, Value *x, Value *lp)
{
	int64_t view[3] = { x->dims[0], x->dims[1], loss_inner(x) };
	KCall *k;

	if (value_numel(x) == 0)
		return 0;
	if (!(k = lower_callf(L, "%s_logsoftmax__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, lp);
	kcall_ints(k, view, 3);
	return 0;
}

/* The nllloss call on float or double scores x (log-probabilities). */
static int lower_nll(const Node *n, Lower *L, Value *x, Value *w, Value *y, int red)
{
	const Attr *ii = node_attr(n, "ignore_index");
	KCall *k;

	if (red == RED_NONE && value_numel(y) == 0)
		return 0;
	if (!(k = lower_callf(L, "%s_nllloss__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, n->in[1]);
	if (w)
		kcall_buf(k, w);
	kcall_buf(k, y);
	kcall_checks(k);
	kcall_i(k, x->dims[0]);
	kcall_i(k, x->dims[1]);
	kcall_i(k, loss_inner(x));
	kcall_i(k, n->in[1]->dtype == DT_INT64);
	kcall_i(k, w != NULL);
	kcall_i(k, ii != NULL);
	kcall_i(k, ii ? ii->i : 0);
	kcall_i(k, red);
	return 0;
}

/* The scores SoftmaxCrossEntropyLoss gathers from: log_prob (output 1, or a
 * scratch), computed here; NegativeLogLikelihoodLoss's own input x. */
static Value *loss_scores(const Node *n, Lower *L, Value *x)
{
	Value *o = node_out(n, 1), *lp;

	if (strcmp(n->op->aux, "sce") != 0)
		return x;
	lp = o ? half_out(L, o) : lower_temp(L, x->dtype, x->rank, x->dims);
	if (lower_logsoftmax(L, x, lp) != 0 || (o && narrow_half(L, lp, o) != 0))
		return NULL;
	return lp;
}

int loss_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *w = node_in(n, 2), *y = n->out[0], *t;
	int red = loss_reduction(n);

	if (red < 0 || widen_half(L, &x) != 0 || widen_half(L, &w) != 0)
		return -1;
	if (!(x = loss_scores(n, L, x)) || !(t = half_out(L, y)))
		return -1;
	if (lower_nll(n, L, x, w, t, red) != 0)
		return -1;
	return narrow_half(L, t, y);
}
