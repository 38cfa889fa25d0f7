/* judge.c: which graph outputs are random and how onnxcc-run judges them
 * (see judge.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"
#include "ops.h"

int judge_probe(Graph *g)
{
	int i, j, k, added = 0;

	for (i = 0; i < g->nnodes; i++) {
		Node *n = g->nodes[i];
		Value *v[3];
		int nv, feeds = 0;
		if (n->dead || !n->op || !(n->op->flags & OPF_RANDOM))
			continue;
		nv = random_operands(n, v);
		for (j = 0; j < n->nout; j++)
			feeds |= n->out[j] && n->out[j]->is_output;
		for (k = 0; feeds && k < nv; k++) {
			if (!v[k] || v[k]->is_input || v[k]->data || v[k]->is_output)
				continue;
			g->outputs = xrealloc(g->outputs, (g->noutputs + 1) * sizeof(Value *));
			v[k]->is_output = 1;
			v[k]->io_index = g->noutputs;
			g->outputs[g->noutputs++] = v[k];
			added++;
		}
	}
	return added;
}

/* The value set of a Cast's output from its input's set r. */
static void cast_set(Judge *r, int to)
{
	if (r->kind == JUDGE_FINITE && dt_is_float(to))
		return;
	if (r->kind != JUDGE_RANGE || !(dt_is_float(to) || dt_is_int(to))) {
		r->kind = JUDGE_SHAPE;
		return;
	}
	if (dt_is_int(to) && !r->integral) {
		r->lo = trunc(r->lo);
		r->hi = trunc(r->hi);
		r->integral = 1;
		r->hi_open = 0;
	} else if (!r->integral) {
		r->lo -= fabs(r->lo) / 256 + 1e-7;   /* rounding onto or past a bound */
		r->hi += fabs(r->hi) / 256 + 1e-7;
		r->hi_open = 0;
	}
}

/* The rule of output o of node n, one of whose inputs has the rule *src. */
static Judge derived_rule(const Node *n, const Value *o, const Judge *src, int from_in0)
{
	Judge r = *src;

	r.derived = 1;
	if (o->dtype == DT_BOOL) {
		r.kind = JUDGE_RANGE;
		r.lo = 0;
		r.hi = 1;
		r.hi_open = 0;
		r.integral = 1;
	} else if ((n->op->flags & OPF_VIEW) && from_in0) {
		/* the same elements in another shape */
	} else if (!strcmp(n->op_type, "Cast") && !*n->domain) {
		cast_set(&r, o->dtype);
	} else {
		r.kind = JUDGE_SHAPE;
	}
	return r;
}

/* Where onnxcc-run finds value v at run time. */
static Operand operand(const Graph *g, const Value *v, Operand def)
{
	Operand o = def;
	int k;

	if (!v || def.where == OPD_CONST)
		return def;
	if (v->is_input) {
		o.where = OPD_INPUT;
		o.index = v->io_index;
		return o;
	}
	for (k = 0; k < g->noutputs; k++)
		if (!strcmp(g->outputs[k]->name, v->name)) {
			o.where = OPD_OUTPUT;
			o.index = k;
			return o;
		}
	if (v->data && value_numel(v) == 1) {
		o.where = OPD_CONST;
		o.value = const_f64(v, 0);
	}
	return o;
}

/* The graph output holding v (or a detached copy of it), or -1. */
static int output_of(const Graph *g, int n, const Value *v)
{
	int k;

	for (k = 0; v && k < n; k++)
		if (!strcmp(g->outputs[k]->name, v->name))
			return k;
	return -1;
}

/* A node replaced by constants (its outputs): its rules still hold. */
static int folded(const Node *n)
{
	int j, any = 0;

	for (j = 0; j < n->nout; j++) {
		if (n->out[j] && !n->out[j]->data)
			return 0;
		any |= n->out[j] != NULL;
	}
	return any;
}

/* A graph output that was folded to a constant is a copy of the node's value
 * (passes/lower.c detach_outputs): the value of that name with a rule. */
static const Value *original(const Graph *g, const Judge *vs, const Value *v)
{
	int i;

	for (i = 0; vs[v->id].kind == JUDGE_EXACT && i < g->nvalues; i++)
		if (vs[i].kind != JUDGE_EXACT && !strcmp(g->values[i]->name, v->name))
			return g->values[i];
	return v;
}

void judge_outputs(const Graph *g, int nout, Judge *out)
{
	Judge *vs = xcalloc(g->nvalues ? g->nvalues : 1, sizeof(Judge));
	const Node **src = xcalloc(g->nvalues ? g->nvalues : 1, sizeof(Node *));
	int i, j, k;

	for (i = 0; i < g->nnodes; i++) {
		const Node *n = g->nodes[i];
		if (n->dead && !folded(n))
			continue;
		for (j = 0; j < n->nout; j++) {
			const Value *o = n->out[j];
			Judge r;
			int from = -1;
			if (!o || o->id >= g->nvalues)
				continue;
			if ((n->op->flags & OPF_RANDOM) && random_value_set(n, j, &r)) {
				vs[o->id] = r;
				src[o->id] = n;
				continue;
			}
			for (k = 0; k < n->nin && from < 0; k++)
				if (n->in[k] && vs[n->in[k]->id].kind != JUDGE_EXACT)
					from = k;
			if (from < 0)
				continue;
			vs[o->id] = derived_rule(n, o, &vs[n->in[from]->id], from == 0);
			src[o->id] = src[n->in[from]->id];
		}
	}
	for (k = 0; k < nout; k++) {
		const Value *v = original(g, vs, g->outputs[k]);
		const Node *d = src[v->id];
		Judge *r = &out[k];
		*r = vs[v->id];
		if (r->kind != JUDGE_DROPOUT && r->kind != JUDGE_DROPOUT_MASK)
			continue;
		r->x = operand(g, d->in[0], r->x);
		r->ratio = operand(g, d->nin > 1 ? d->in[1] : NULL, r->ratio);
		r->train = operand(g, d->nin > 2 ? d->in[2] : NULL, r->train);
		r->y = r->derived ? -1 : output_of(g, nout, d->out[0]);
		r->mask = r->derived || d->nout < 2 ? -1 : output_of(g, nout, d->out[1]);
		if (r->kind == JUDGE_DROPOUT && r->derived)
			r->y = k;
		if (r->x.where != OPD_INPUT && r->x.where != OPD_OUTPUT)
			r->kind = JUDGE_SHAPE;   /* X is a constant onnxcc-run cannot see */
	}
	free(vs);
	free(src);
}

const char *judge_describe(const Judge *j, char *buf, size_t len)
{
	const char *how = j->derived ? " through other ops" : "";

	switch (j->kind) {
	case JUDGE_RANGE:
		if (j->integral && j->lo == 0 && j->hi == 1)
			snprintf(buf, len, "random (%s%s): judged by shape and value set {0, 1}",
				 j->source, how);
		else
			snprintf(buf, len, "random (%s%s): judged by shape and value set %s[%g, %g%c",
				 j->source, how, j->integral ? "integers in " : "", j->lo, j->hi,
				 j->hi_open ? ')' : ']');
		break;
	case JUDGE_FINITE:
		snprintf(buf, len, "random (%s%s): judged by shape and value set: finite", j->source, how);
		break;
	case JUDGE_SHAPE:
		snprintf(buf, len, "random (%s%s): judged by type and shape only", j->source, how);
		break;
	case JUDGE_DROPOUT:
		snprintf(buf, len, "random (%s, training)%s: judged by shape and value set "
			 "{0, x/(1-ratio)}%s", j->source, how, j->mask >= 0 ? " agreeing with the mask" : "");
		break;
	case JUDGE_DROPOUT_MASK:
		snprintf(buf, len, "random (%s mask, training)%s: judged by shape and value set {0, 1}%s",
			 j->source, how, j->y >= 0 ? " agreeing with the output" : "");
		break;
	default:
		snprintf(buf, len, "compared element by element");
	}
	return buf;
}

/* The value of float8 bits u (dt 17..20: E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ). */
static double f8_value(int dt, unsigned u)
{
	int mb = dt <= 18 ? 3 : 2, bias = dt == 17 ? 7 : dt == 18 ? 8 : dt == 19 ? 15 : 16;
	int fnuz = dt == 18 || dt == 20, e = (int)(u & 0x7f) >> mb, m = (int)u & ((1 << mb) - 1);
	double v;

	if (fnuz ? u == 0x80 : dt == 17 ? (u & 0x7f) == 0x7f : e == 31 && m)
		return NAN;
	v = dt == 19 && e == 31 ? INFINITY
		: e ? ldexp(m | 1 << mb, e - bias - mb) : ldexp(m, 1 - bias - mb);
	return u & 0x80 ? -v : v;
}

double judge_elem(const void *p, int dt, size_t i)
{
	switch (dt) {
	case 17: case 18: case 19: case 20: return f8_value(dt, ((const uint8_t *)p)[i]);
	/* The sub-byte types, one element per byte (tensor_from_proto unpacks). */
	case DT_INT4: case DT_INT2: return ((const int8_t *)p)[i];
	case DT_UINT4: case DT_UINT2: return ((const uint8_t *)p)[i];
	case DT_FLOAT4E2M1: {
		unsigned u = ((const uint8_t *)p)[i], e = u >> 1 & 3, m = u & 1;
		double v = e ? ldexp(2 + m, (int)e - 2) : m * 0.5;
		return u & 8 ? -v : v;
	}
	case DT_FLOAT8E8M0: {
		unsigned u = ((const uint8_t *)p)[i];
		return u == 0xff ? NAN : ldexp(1.0, (int)u - 127);
	}
	case DT_FLOAT: return ((const float *)p)[i];
	case DT_DOUBLE: return ((const double *)p)[i];
	case DT_INT8: return ((const int8_t *)p)[i];
	case DT_UINT8: case DT_BOOL: return ((const uint8_t *)p)[i];
	case DT_INT16: return ((const int16_t *)p)[i];
	case DT_UINT16: return ((const uint16_t *)p)[i];
	case DT_INT32: return ((const int32_t *)p)[i];
	case DT_UINT32: return ((const uint32_t *)p)[i];
	case DT_INT64: return (double)((const int64_t *)p)[i];
	case DT_UINT64: return (double)((const uint64_t *)p)[i];
	case DT_FLOAT16: {
		uint16_t h = ((const uint16_t *)p)[i];
		int e = (h >> 10) & 0x1f, mant = h & 0x3ff;
		double v = e == 0 ? ldexp(mant, -24) : e == 31 ? (mant ? NAN : INFINITY)
							       : ldexp(mant | 0x400, e - 25);
		return h & 0x8000 ? -v : v;
	}
	case DT_BFLOAT16: {
		uint32_t u = (uint32_t)((const uint16_t *)p)[i] << 16;
		float fl;
		memcpy(&fl, &u, 4);
		return fl;
	}
	}
	return 0;
}

/* A scalar operand's value: a constant, or element 0 of its data (0 if none). */
static double scalar(const Operand *o, const void *data, int dtype)
{
	if (o->where == OPD_CONST)
		return o->value;
	return data ? judge_elem(data, dtype, 0) : 0.0;
}

/* Dropout's elements: each y either 0 or x / (1 - ratio), and where a mask is
 * known, kept exactly where it is true. */
static int check_dropout(const JudgeData *d, double ratio, char *msg, size_t len)
{
	double scale = 1.0 / (1.0 - ratio);
	size_t i, n = d->n;

	if (!d->x || d->x_n != n) {
		snprintf(msg, len, "the Dropout input is not available (%zu elements, expected %zu)",
			 d->x ? d->x_n : 0, n);
		return 0;
	}
	for (i = 0; i < n; i++) {
		double x = judge_elem(d->x, d->x_dtype, i), want = x * scale;
		double y = d->y ? judge_elem(d->y, d->dtype, i) : 0;
		int m = d->mask ? judge_elem(d->mask, DT_BOOL, i) != 0 : -1;
		int zero = y == 0, kept = fabs(y - want) <= d->atol + d->rtol * fabs(want);
		if (d->mask && judge_elem(d->mask, DT_BOOL, i) > 1) {
			snprintf(msg, len, "mask element %zu is %g, not a bool", i,
				 judge_elem(d->mask, DT_BOOL, i));
			return 0;
		}
		if (!d->y)
			continue;
		if (m == 1 ? !kept : m == 0 ? !zero : !(kept || zero)) {
			snprintf(msg, len, "element %zu is %g with x = %g, ratio %g%s: expected %s", i, y,
				 x, ratio, m < 0 ? "" : m ? ", mask true" : ", mask false",
				 m == 1 ? "x/(1-ratio)" : m == 0 ? "0" : "0 or x/(1-ratio)");
			return 0;
		}
	}
	return 1;
}

int judge_check(const Judge *j, const JudgeData *d, char *msg, size_t len)
{
	size_t i;

	msg[0] = 0;
	if (j->kind == JUDGE_DROPOUT || j->kind == JUDGE_DROPOUT_MASK) {
		double ratio = scalar(&j->ratio, d->ratio, d->ratio_dtype);
		double train = scalar(&j->train, d->train, DT_BOOL);
		if (train == 0 || ratio == 0)
			return -1;
		return check_dropout(d, ratio, msg, len);
	}
	for (i = 0; i < d->n && j->kind != JUDGE_EXACT && j->kind != JUDGE_SHAPE; i++) {
		double e = judge_elem(d->got, d->dtype, i);
		int ok = j->kind == JUDGE_FINITE ? isfinite(e)
			: e >= j->lo && (j->hi_open ? e < j->hi : e <= j->hi) &&
			  (!j->integral || e == floor(e));
		if (!ok) {
			snprintf(msg, len, "element %zu is %g, outside the value set", i, e);
			return 0;
		}
	}
	return j->kind == JUDGE_EXACT ? -1 : 1;
}
