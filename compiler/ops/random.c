/* random.c: RandomUniform, RandomNormal, RandomUniformLike, RandomNormalLike,
 * Bernoulli, Multinomial and Dropout (kernels in templates/random.h).
 *
 * The generated code draws from a stateless counter-based generator: draw k
 * of a node is a hash of (seed, k).  The seed is the node's `seed` attribute
 * when it has one (its bits, hashed), else a hash (FNV-1a) of the name of the
 * node's first output, which is unique in the graph: a fixed per-node seed
 * chosen at compile time, so every run of a compiled model gives the same
 * values.  onnxcc-run judges these outputs by their value sets (judge.h);
 * random_value_set() below says what each op can produce.
 *
 * Dropout is an identity (and an all-true mask) unless its training_mode input
 * is present and not the constant false; then it drops elements at random,
 * reading the ratio and the mode at run time when they are not constants. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"
#include "ops_util.h"

/* The node's seed (see the top of the file), kept to 62 bits. */
static int64_t node_seed(const Node *n)
{
	const Attr *a = node_attr(n, "seed");
	uint64_t h = 14695981039346656037ULL;
	const char *s;

	if (a && (a->type == AT_FLOAT || a->type == AT_INT)) {
		double d = a->type == AT_FLOAT ? a->f : (double)a->i;
		memcpy(&h, &d, sizeof h);
	} else {
		for (s = n->out[0]->name; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	}
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return (int64_t)((h ^ (h >> 31)) >> 2);
}

static int check_float_type(const Node *n, int dt, const char *what)
{
	if (dt != DT_FLOAT && dt != DT_DOUBLE && dt != DT_FLOAT16 && dt != DT_BFLOAT16)
		return node_error(n, "%s has element type %s, expected a float type", what, dt_name(dt));
	return 0;
}

/* RandomUniform, RandomNormal: shape and dtype from attributes. */
int random_infer(Node *n)
{
	const int64_t *shape;
	int r = attr_ints(n, "shape", &shape), dt = (int)attr_i(n, "dtype", DT_FLOAT), i;

	if (r < 0)
		return node_error(n, "attribute shape is required");
	if (r > IR_MAX_RANK)
		return node_error(n, "shape has rank %d, at most %d is supported", r, IR_MAX_RANK);
	for (i = 0; i < r; i++)
		if (shape[i] < 0)
			return node_error(n, "shape[%d] = %lld is negative", i, (long long)shape[i]);
	if (check_float_type(n, dt, "attribute dtype") != 0)
		return -1;
	return set_out(n, 0, dt, r, shape);
}

/* RandomUniformLike, RandomNormalLike: the input's shape, dtype or the input's type. */
int randomlike_infer(Node *n)
{
	Value *x = n->in[0];
	int dt = (int)attr_i(n, "dtype", x->dtype);

	if (check_float_type(n, dt, "the output") != 0)
		return -1;
	return set_out(n, 0, dt, x->rank, x->dims);
}

/* The uniform or normal draws, through float for halves. */
int random_lower(Node *n, Lower *L)
{
	Value *y = n->out[0], *t;
	int uniform = !strcmp(n->op->aux, "uniform");
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (!(t = half_out(L, y)) ||
	    !(k = lower_callf(L, "%s_random_%s__scalar", dt_short(t->dtype), n->op->aux)))
		return -1;
	kcall_buf(k, t);
	kcall_i(k, value_numel(y));
	kcall_i(k, node_seed(n));
	kcall_f(k, uniform ? attr_f(n, "low", 0.0) : attr_f(n, "mean", 0.0));
	kcall_f(k, uniform ? attr_f(n, "high", 1.0) : attr_f(n, "scale", 1.0));
	return narrow_half(L, t, y);
}

int randomlike_lower(Node *n, Lower *L) { return random_lower(n, L); }

int bernoulli_infer(Node *n)
{
	Value *x = n->in[0];
	int dt = (int)attr_i(n, "dtype", x->dtype);

	if (check_float_type(n, x->dtype, "input 0") != 0)
		return -1;
	if (!dt_size(dt) || dt == DT_STRING || dt == DT_COMPLEX64 || dt == DT_COMPLEX128 ||
	    dt_is_float8(dt))
		return node_error(n, "output element type %s is not supported", dt_name(dt));
	return set_out(n, 0, dt, x->rank, x->dims);
}

/* Y = draw < P ? 1 : 0, written as the bits of 1 in Y's type. */
int bernoulli_lower(Node *n, Lower *L)
{
	Value *p = n->in[0], *y = n->out[0];
	void *one = scalar_of(y->dtype, 1.0);
	uint64_t bits = 0;
	KCall *k;

	memcpy(&bits, one, (size_t)dt_size(y->dtype));
	free(one);
	if (value_numel(y) == 0)
		return 0;
	if (widen_half(L, &p) != 0 ||
	    !(k = lower_callf(L, "%s_bernoulli_x%d__scalar", dt_short(p->dtype), 8 * dt_size(y->dtype))))
		return -1;
	kcall_buf(k, p);
	kcall_buf(k, y);
	kcall_i(k, value_numel(y));
	kcall_i(k, node_seed(n));
	kcall_i(k, (int64_t)bits);
	return 0;
}

int multinomial_infer(Node *n)
{
	Value *x = n->in[0];
	int dt = (int)attr_i(n, "dtype", DT_INT32);
	int64_t dims[2];

	if (check_float_type(n, x->dtype, "input 0") != 0)
		return -1;
	if (x->rank != 2)
		return node_error(n, "input 0 has rank %d, expected 2 ([batch, classes])", x->rank);
	if (dt != DT_INT32 && dt != DT_INT64)
		return node_error(n, "attribute dtype %s: expected int32 or int64", dt_name(dt));
	dims[0] = x->dims[0];
	dims[1] = attr_i(n, "sample_size", 1);
	if (dims[1] < 0)
		return node_error(n, "sample_size %lld is negative", (long long)dims[1]);
	if (x->dims[1] == 0 && dims[0] * dims[1] > 0)
		return node_error(n, "input 0 has no classes to sample from");
	return set_out(n, 0, dt, 2, dims);
}

int multinomial_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (widen_half(L, &x) != 0 ||
	    !(k = lower_callf(L, "%s_multinomial_%s__scalar", dt_short(x->dtype), dt_short(y->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_i(k, x->dims[0]);
	kcall_i(k, x->dims[1]);
	kcall_i(k, y->dims[1]);
	kcall_i(k, node_seed(n));
	return 0;
}

/* Whether a Dropout may run in training mode: training_mode present and not
 * the constant false (before opset 12 there is no such input). */
static int dropout_training(const Node *n)
{
	const Value *tm = node_in(n, 2);

	return tm && (!tm->data || const_i64(tm, 0) != 0);
}

/* The ratio: input 1 from opset 12, else the attribute (default 0.5). */
static double dropout_ratio_const(const Node *n)
{
	const Value *r = node_in(n, 1);

	return r && r->data ? const_f64(r, 0) : n->version < 12 ? attr_f(n, "ratio", 0.5) : 0.5;
}

int dropout_infer(Node *n)
{
	Value *x = n->in[0], *r = node_in(n, 1), *tm = node_in(n, 2);
	int mt = n->version < 10 ? x->dtype : DT_BOOL;   /* the mask is bool since opset 10 */

	if (set_out(n, 0, x->dtype, x->rank, x->dims) != 0 ||
	    set_out(n, 1, mt, x->rank, x->dims) != 0)
		return -1;
	if (!dropout_training(n)) {
		if (n->nout > 1 && n->out[1])
			value_set_const(n->out[1], scalar_of(mt, 1.0), 1);
		return 0;
	}
	if (check_float_type(n, x->dtype, "input 0") != 0)
		return -1;
	if (r && check_float_type(n, r->dtype, "input 1 (ratio)") != 0)
		return -1;
	if (r && value_numel(r) != 1)
		return node_error(n, "ratio must be a scalar");
	if (tm->dtype != DT_BOOL || value_numel(tm) != 1)
		return node_error(n, "training_mode must be a bool scalar");
	if (r && r->data && !(const_f64(r, 0) >= 0.0 && const_f64(r, 0) < 1.0))
		return node_error(n, "ratio %g is outside [0, 1)", const_f64(r, 0));
	return 0;
}

/* Inference: a copy.  Training: the dropout kernel (halves through float). */
int dropout_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *r = node_in(n, 1), *tm = node_in(n, 2);
	Value *m = node_out(n, 1), *t;
	KCall *k;

	if (value_nbytes(y) == 0)
		return 0;
	if (!dropout_training(n)) {
		return lower_copy(L, x, y);
	}
	if (widen_half(L, &x) != 0 || !(t = half_out(L, y)) ||
	    !(k = lower_callf(L, "%s_dropout_train__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, r && !r->data ? r : x);
	kcall_buf(k, tm->data ? x : tm);
	kcall_buf(k, t);
	kcall_buf(k, m ? m : x);
	kcall_i(k, value_numel(y));
	kcall_i(k, node_seed(n));
	kcall_i(k, r && !r->data);
	kcall_i(k, !r || r->data ? 0 : r->dtype == DT_DOUBLE ? 1 : r->dtype == DT_FLOAT16 ? 2
		: r->dtype == DT_BFLOAT16 ? 3 : 0);
	kcall_i(k, !tm->data);
	kcall_i(k, m != NULL);
	kcall_f(k, dropout_ratio_const(n));
	return narrow_half(L, t, y);
}

/* Bounds of a float range in type dt: rounded to it, and for halves closed and
 * widened by their precision (narrowing may round onto a bound). */
static void range_in_type(Judge *j, int dt)
{
	if (dt == DT_FLOAT) {
		j->lo = (float)j->lo;
		j->hi = (float)j->hi;
	} else if (dt == DT_FLOAT16 || dt == DT_BFLOAT16) {
		j->lo -= fabs(j->lo) / 256 + 1e-7;
		j->hi += fabs(j->hi) / 256 + 1e-7;
		j->hi_open = 0;
	}
}

int random_value_set(const Node *n, int i, Judge *j)
{
	const char *aux = n->op->aux;
	const Value *y = n->out[i];

	memset(j, 0, sizeof *j);
	snprintf(j->source, sizeof j->source, "%s", n->op_type);
	j->y = j->mask = -1;
	if (!strcmp(aux, "dropout")) {
		const Value *r = node_in(n, 1), *tm = n->in[2 < n->nin ? 2 : 0];
		if (!dropout_training(n))
			return 0;
		j->kind = i == 0 ? JUDGE_DROPOUT : JUDGE_DROPOUT_MASK;
		j->ratio.where = !r || r->data ? OPD_CONST : OPD_NONE;
		j->ratio.value = dropout_ratio_const(n);
		j->train.where = tm->data ? OPD_CONST : OPD_NONE;
		j->train.value = tm->data ? (double)const_i64(tm, 0) : 1.0;
		return 1;
	}
	j->kind = JUDGE_RANGE;
	if (!strcmp(aux, "uniform")) {
		j->lo = attr_f(n, "low", 0.0);
		j->hi = attr_f(n, "high", 1.0);
		j->hi_open = 1;
		range_in_type(j, y->dtype);
	} else if (!strcmp(aux, "normal")) {
		j->kind = JUDGE_FINITE;
	} else if (!strcmp(aux, "bernoulli")) {
		j->hi = 1;
		j->integral = 1;
	} else {
		j->hi = (double)(n->in[0]->dims[1] - 1);
		j->integral = 1;
	}
	return 1;
}

int random_operands(const Node *n, Value **v)
{
	if (strcmp(n->op->aux, "dropout") || !dropout_training(n))
		return 0;
	v[0] = n->in[0];
	v[1] = node_in(n, 1);
	v[2] = node_in(n, 2);
	return 3;
}
