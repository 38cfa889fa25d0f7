/* training.c: the optimizers of ai.onnx.preview.training: Adagrad, Adam and
 * Momentum (kernels in templates/training.h).
 *
 * Inputs are R (learning rate, float/double scalar), T (int64 scalar update
 * count), then k groups of tensors: the k tensors X, their k gradients, and
 * one or two groups of state (Adagrad: H; Adam: V, H; Momentum: V).  Outputs
 * are the groups' new values: X_new, then the new states, k of each.  Every
 * group member has the shape of its X (the spec's broadcasting is not needed
 * for these element-aligned updates and is refused). */
#include <string.h>

#include "ops_util.h"

/* Tensor groups among the inputs (X, G, states) and among the outputs. */
static void optim_groups(const Node *n, int *in_groups, int *out_groups)
{
	const char *aux = n->op->aux;

	*in_groups = !strcmp(aux, "adam") ? 4 : 3;
	*out_groups = *in_groups - 1;
}

int optim_infer(Node *n)
{
	int ig, og, k, i, j;
	const Value *r = n->in[0], *t = n->in[1];

	optim_groups(n, &ig, &og);
	if ((n->nin - 2) % ig != 0 || n->nin - 2 < ig)
		return node_error(n, "%d inputs: expected R, T and %d groups of tensors", n->nin, ig);
	k = (n->nin - 2) / ig;
	if (n->nout != og * k)
		return node_error(n, "%d outputs for %d optimized tensors, expected %d", n->nout, k,
				  og * k);
	if ((r->dtype != DT_FLOAT && r->dtype != DT_DOUBLE) || value_numel(r) != 1)
		return node_error(n, "input 0 ('%s') must be a float or double scalar", r->name);
	if (t->dtype != DT_INT64 || value_numel(t) != 1)
		return node_error(n, "input 1 ('%s') must be an int64 scalar", t->name);
	for (i = 0; i < k; i++) {
		const Value *x = n->in[2 + i];
		if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE)
			return node_error(n, "input %d ('%s') has element type %s, expected float or "
					  "double", 2 + i, x->name, dt_name(x->dtype));
		for (j = 1; j < ig; j++) {
			const Value *v = n->in[2 + j * k + i];
			if (v->dtype != x->dtype || !value_same_shape(v, x))
				return node_error(n, "input %d ('%s') must have the type and shape of "
						  "input %d ('%s')", 2 + j * k + i, v->name, 2 + i,
						  x->name);
		}
		for (j = 0; j < og; j++)
			if (set_out(n, j * k + i, x->dtype, x->rank, x->dims) != 0)
				return -1;
	}
	if (!strcmp(n->op->aux, "momentum")) {
		const char *mode = attr_s(n, "mode", "");
		if (strcmp(mode, "standard") && strcmp(mode, "nesterov"))
			return node_error(n, "attribute mode '%s': expected 'standard' or 'nesterov'",
					  mode);
	}
	return 0;
}

/* Adam: the new states, then X_new from them (templates/training.h). */
static int lower_adam(const Node *n, Lower *L, Value *const *in, Value *const *out)
{
	const char *t = dt_short(in[0]->dtype);
	KCall *c;
	int j;

	if (!(c = lower_callf(L, "%s_adam_state__scalar", t)))
		return -1;
	for (j = 0; j < 4; j++)
		kcall_buf(c, in[j]);
	kcall_buf(c, out[1]);
	kcall_buf(c, out[2]);
	kcall_i(c, value_numel(in[0]));
	kcall_f(c, attr_f(n, "norm_coefficient", 0.0));
	kcall_f(c, attr_f(n, "alpha", 0.9));
	kcall_f(c, attr_f(n, "beta", 0.999));
	if (!(c = lower_callf(L, "%s_adam_step__scalar", t)))
		return -1;
	kcall_buf(c, n->in[0]);
	kcall_buf(c, n->in[1]);
	kcall_buf(c, in[0]);
	kcall_buf(c, out[1]);
	kcall_buf(c, out[2]);
	kcall_buf(c, out[0]);
	kcall_i(c, value_numel(in[0]));
	kcall_i(c, n->in[0]->dtype == DT_DOUBLE);
	kcall_f(c, attr_f(n, "norm_coefficient_post", 0.0));
	kcall_f(c, attr_f(n, "alpha", 0.9));
	kcall_f(c, attr_f(n, "beta", 0.999));
	kcall_f(c, attr_f(n, "epsilon", 0.0));
	return 0;
}

/* Adagrad and Momentum: one call. */
static int lower_single(const Node *n, Lower *L, Value *const *in, Value *const *out)
{
	int adagrad = !strcmp(n->op->aux, "adagrad"), j;
	KCall *c;

	if (!(c = lower_callf(L, "%s_%s__scalar", dt_short(in[0]->dtype), n->op->aux)))
		return -1;
	kcall_buf(c, n->in[0]);
	kcall_buf(c, n->in[1]);
	for (j = 0; j < 3; j++)
		kcall_buf(c, in[j]);
	kcall_buf(c, out[0]);
	kcall_buf(c, out[1]);
	kcall_i(c, value_numel(in[0]));
	kcall_i(c, n->in[0]->dtype == DT_DOUBLE);
	kcall_f(c, attr_f(n, "norm_coefficient", 0.0));
	if (adagrad) {
		kcall_f(c, attr_f(n, "epsilon", 0.0));
		kcall_f(c, attr_f(n, "decay_factor", 0.0));
	} else {
		kcall_i(c, !strcmp(attr_s(n, "mode", ""), "nesterov"));
		kcall_f(c, attr_f(n, "alpha", 0.0));
		kcall_f(c, attr_f(n, "beta", 0.0));
	}
	return 0;
}

/* Per optimized tensor; an absent output is written to scratch. */
int optim_lower(Node *n, Lower *L)
{
	int ig, og, k, i, j, any;

	optim_groups(n, &ig, &og);
	k = (n->nin - 2) / ig;
	for (i = 0; i < k; i++) {
		Value *x = n->in[2 + i], *in[4], *out[3];
		for (j = 0; j < ig; j++)
			in[j] = n->in[2 + j * k + i];
		for (any = j = 0; j < og; j++)
			any |= n->out[j * k + i] != NULL;
		if (!any)
			continue;
		for (j = 0; j < og; j++)
			out[j] = n->out[j * k + i] ? n->out[j * k + i]
				: lower_temp(L, x->dtype, x->rank, x->dims);
		if ((ig == 4 ? lower_adam(n, L, in, out) : lower_single(n, L, in, out)) != 0)
			return -1;
	}
	return 0;
}
