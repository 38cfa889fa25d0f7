/* control.c: If, Loop and Scan, expanded at compile time.
 *
 * A control node's subgraphs (Attr.g) are templates loaded by the frontend;
 * the values they read from outer scopes are the node's captures (Node.caps).
 * Inference of a control node copies its subgraph into the main graph right
 * after the node, with the subgraph's inputs bound to actual values, infers
 * each copied node at once (so shapes and constants flow through, and nested
 * control nodes expand in turn), and gives the node's outputs to the last
 * nodes of the expansion; the control node itself is then dead.
 *
 *   If     a constant condition keeps one branch.  A run-time condition keeps
 *          both, each under a guard (the backend emits `if (cond) { ... }`),
 *          and every output is Where(cond, then, else): both branches must
 *          give the same type and shape.
 *   Loop   unrolled.  The trip count is the constant M, or, when M or the
 *          condition is only known at run time, the length that the model
 *          declares for a scan output.  An iteration whose run condition is
 *          not a constant runs under a guard and its loop-carried values are
 *          selected with Where; with scan outputs, Check nodes make the run
 *          function return NAME_ERR_SHAPE if the run-time iteration count
 *          differs from the static one.
 *   Scan   unrolled over the scan axis (always static); opset 8's batch axis
 *          is unrolled too.
 *   SequenceMap  the body once per element (sequences are compile-time lists).
 *
 * Unrolling is bounded (MAX_EXPANDED_NODES); beyond it the model is refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "ops_util.h"
#include "../passes/passes.h"

#define MAX_EXPANDED_NODES 200000

/* The opset versions of the helper nodes an expansion makes. */
static const struct {
	const char *op;
	int version;
} helper_ops[] = {
	{"Identity", 16}, {"Where", 16}, {"And", 7}, {"Not", 1}, {"Less", 13},
	{"Gather", 13}, {"Unsqueeze", 13}, {"Concat", 13}, {"SequenceConstruct", 11},
	{"SequenceEmpty", 11}, {"Mul", 14}, {"MatMul", 13}, {"Transpose", 13}, {"Cast", 13},
	{"Softmax", 13},
};

typedef struct Ctx {
	Graph *g;
	Node *n;              /* the control node */
	int seq;              /* for unique names */
} Ctx;

static int index_of(const Graph *g, const Node *n)
{
	int i;

	for (i = g->nnodes - 1; i >= 0; i--)
		if (g->nodes[i] == n)
			return i;
	die("node '%s' is not in its graph", n->name);
}

static Value *new_value(Ctx *c, const char *what)
{
	char name[512];

	snprintf(name, sizeof name, "%s/%s#%d", c->n->name, what, c->seq++);
	return graph_value(c->g, name);
}

static Value *const_scalar(Ctx *c, int dtype, int64_t x)
{
	Value *v = new_value(c, "const");

	value_set_shape(v, dtype, 0, NULL);
	value_set_const(v, scalar_of(dtype, (double)x), 0);
	return v;
}

static Value *const_axes(Ctx *c, int64_t axis)
{
	Value *v = new_value(c, "axes");
	int64_t one = 1, *d = xmalloc(sizeof(int64_t));

	*d = axis;
	value_set_shape(v, DT_INT64, 1, &one);
	value_set_const(v, d, 0);
	return v;
}

/* Append helper node `op` under guard gd, not yet inferred; its output is
 * `out` (the control node's own output) or a new value. */
static Node *helper_node(Ctx *c, Guard *gd, const char *op, Value *const *in, int nin, Value *out)
{
	char name[512];
	Node *m;
	size_t i;
	int version = 0, j;

	for (i = 0; i < sizeof helper_ops / sizeof helper_ops[0]; i++)
		if (strcmp(helper_ops[i].op, op) == 0)
			version = helper_ops[i].version;
	snprintf(name, sizeof name, "%s/%s#%d", c->n->name, op, c->seq++);
	m = graph_node(c->g, name, op, "");
	m->version = version;
	m->op = op_lookup("", op, version);
	if (!m->op)
		die("no operator row for helper %s-%d", op, version);
	m->guard = gd;
	for (j = 0; j < nin; j++)
		node_add_input(m, in[j]);
	node_add_output(m, out ? out : new_value(c, op));
	return m;
}

/* Infer a helper node; its output, or NULL after an error. */
static Value *helper_done(Ctx *c, Node *m)
{
	return infer_node(c->g, m) == 0 ? m->out[0] : NULL;
}

/* A helper node, inferred at once; axis != NO_AXIS sets the attribute "axis". */
#define NO_AXIS (-1000)
static Value *helper(Ctx *c, Guard *gd, const char *op, Value *const *in, int nin, Value *out,
		     int64_t axis)
{
	Node *m = helper_node(c, gd, op, in, nin, out);

	if (axis != NO_AXIS)
		node_add_attr(m, "axis", AT_INT)->i = axis;
	return helper_done(c, m);
}

static Value *check_node(Ctx *c, Value *cond)
{
	char name[512];
	Node *m;

	snprintf(name, sizeof name, "%s/Check#%d", c->n->name, c->seq++);
	m = graph_node(c->g, name, "Check", "onnxcc.internal");
	m->version = 1;
	m->op = op_lookup("onnxcc.internal", "Check", 1);
	m->guard = c->n->guard;
	node_add_input(m, cond);
	return infer_node(c->g, m) == 0 ? cond : NULL;
}

static int is_const_true(const Value *v) { return v->data && const_i64(v, 0) != 0; }
static int is_const_false(const Value *v) { return v->data && const_i64(v, 0) == 0; }

/* The value that body value v stands for in the copy (map, filled as nodes
 * are copied; constants are copied on first use). */
static Value *mapped(Ctx *c, Value **map, const Value *v)
{
	if (!map[v->id] && v->data) {
		Value *k = new_value(c, v->name);
		size_t nb = (size_t)(v->is_splat ? dt_size(v->dtype) : value_nbytes(v));
		value_set_shape(k, v->dtype, v->rank, v->dims);
		value_set_const(k, memcpy(xmalloc(nb + 1), v->data, nb), v->is_splat);
		map[v->id] = k;
	}
	return map[v->id];
}

/* Copy subgraph b into the graph under guard gd: its inputs are args[0..nargs)
 * (an absent one is an error if used), its outer names resolve through the
 * control node's captures.  res[i] receives the value of b's output i. */
static int clone_body(Ctx *c, const Graph *b, Value *const *args, int nargs, Guard *gd,
		      const char *tag, Value **res)
{
	Value **map = xcalloc(b->nvalues ? b->nvalues : 1, sizeof(Value *));
	char name[512];
	int i, j, k, rc = 0;

	if (c->g->nnodes + b->nnodes > MAX_EXPANDED_NODES) {
		free(map);
		return node_error(c->n, "expanding its subgraphs exceeds %d nodes", MAX_EXPANDED_NODES);
	}
	for (i = 0; i < b->ninputs; i++)
		map[b->inputs[i]->id] = i < nargs ? args[i] : NULL;
	for (i = 0; i < b->nfree; i++)
		for (j = 0; j < c->n->ncaps; j++)
			if (strcmp(c->n->caps[j]->name, b->free_vals[i]->name) == 0)
				map[b->free_vals[i]->id] = c->n->caps[j];
	for (i = 0; rc == 0 && i < b->nnodes; i++) {
		const Node *bn = b->nodes[i];
		Node *m;
		snprintf(name, sizeof name, "%s/%s", tag, bn->name);
		m = graph_node(c->g, name, bn->op_type, bn->domain);
		m->version = bn->version;
		m->op = bn->op;
		m->guard = gd;
		for (j = 0; rc == 0 && j < bn->nin; j++) {
			Value *v = bn->in[j] ? mapped(c, map, bn->in[j]) : NULL;
			if (bn->in[j] && !v)
				rc = node_error(c->n, "subgraph value '%s' has no value here", bn->in[j]->name);
			node_add_input(m, v);
		}
		for (j = 0; j < bn->nout; j++) {
			Value *o = bn->out[j], *v = NULL;
			if (o) {
				snprintf(name, sizeof name, "%s/%s", tag, o->name);
				v = graph_value(c->g, name);
				v->decl_dtype = o->decl_dtype;
				v->decl_rank = o->decl_rank;
				for (k = 0; k < o->decl_rank; k++)
					v->decl_dims[k] = o->decl_dims[k];
				map[o->id] = v;
			}
			node_add_output(m, v);
		}
		for (j = 0; j < bn->nattrs; j++)
			node_copy_attr(m, &bn->attrs[j]);
		for (j = 0; rc == 0 && j < bn->ncaps; j++) {
			Value *v = mapped(c, map, bn->caps[j]);
			if (!v)
				rc = node_error(c->n, "subgraph value '%s' has no value here",
						bn->caps[j]->name);
			else
				node_add_cap(m, v);
		}
		if (rc == 0)
			rc = infer_node(c->g, m);
	}
	for (i = 0; rc == 0 && i < b->noutputs; i++) {
		res[i] = mapped(c, map, b->outputs[i]);
		if (!res[i])
			rc = node_error(c->n, "subgraph output '%s' has no value", b->outputs[i]->name);
	}
	free(map);
	return rc;
}

static const Graph *subgraph(const Node *n, const char *name)
{
	const Attr *a = node_attr(n, name);

	if (!a || a->type != AT_GRAPH || !a->g) {
		node_error(n, "attribute '%s' (a graph) is missing", name);
		return NULL;
	}
	return a->g;
}

/* Start an expansion; finish() moves the new nodes after n and retires n. */
static void start(Ctx *c, Node *n, int *from)
{
	c->g = n->graph;
	c->n = n;
	c->seq = 0;
	*from = c->g->nnodes;
}

static int finish(Ctx *c, int from, int rc)
{
	graph_move_tail(c->g, from, index_of(c->g, c->n));
	if (rc == 0) {
		c->n->dead = 1;
		c->n->nin = c->n->nout = c->n->ncaps = 0;
	}
	return rc;
}

/* Two values that can be selected between at run time. */
static int selectable(const Node *n, const char *what, int i, const Value *a, const Value *b)
{
	char sa[128], sb[128];

	if (a->is_seq || b->is_seq)
		return node_error(n, "%s %d is a sequence, which cannot be chosen at run time "
				  "(the condition must be a compile-time constant)", what, i);
	if (a->dtype != b->dtype || !value_same_shape(a, b))
		return node_error(n, "%s %d is %s %s on one path and %s %s on the other; a run-time "
				  "choice needs one static type and shape", what, i, dt_name(a->dtype),
				  shape_str(a, sa, sizeof sa), dt_name(b->dtype), shape_str(b, sb, sizeof sb));
	return 0;
}

/* If ---------------------------------------------------------------------------- */

int ctrl_if_infer(Node *n)
{
	const Graph *tb = subgraph(n, "then_branch"), *eb = subgraph(n, "else_branch");
	Value *cond = n->in[0], **rt, **re, *in[3];
	Ctx c;
	int from, i, rc = 0;

	if (!tb || !eb)
		return -1;
	if (tb->noutputs != n->nout || eb->noutputs != n->nout)
		return node_error(n, "has %d outputs but its branches have %d and %d", n->nout,
				  tb->noutputs, eb->noutputs);
	if (value_numel(cond) != 1)
		return node_error(n, "condition '%s' must have one element", cond->name);
	start(&c, n, &from);
	rt = xcalloc(n->nout + 1, sizeof(Value *));
	re = xcalloc(n->nout + 1, sizeof(Value *));
	if (cond->data) {
		rc = clone_body(&c, const_i64(cond, 0) ? tb : eb, NULL, 0, n->guard, n->name, rt);
		for (i = 0; rc == 0 && i < n->nout; i++)
			if (n->out[i] && !helper(&c, n->guard, "Identity", &rt[i], 1, n->out[i], NO_AXIS))
				rc = -1;
		free(rt);
		free(re);
		return finish(&c, from, rc);
	}
	{
		char tag[512];
		Guard *gt = graph_guard(c.g, cond, n->guard), *ge;
		Value *ncond;
		snprintf(tag, sizeof tag, "%s/then", n->name);
		rc = clone_body(&c, tb, NULL, 0, gt, tag, rt);
		if (rc == 0 && !(ncond = helper(&c, n->guard, "Not", &cond, 1, NULL, NO_AXIS)))
			rc = -1;
		if (rc == 0) {
			ge = graph_guard(c.g, ncond, n->guard);
			snprintf(tag, sizeof tag, "%s/else", n->name);
			rc = clone_body(&c, eb, NULL, 0, ge, tag, re);
		}
	}
	for (i = 0; rc == 0 && i < n->nout; i++) {
		if (!n->out[i])
			continue;
		if ((rc = selectable(n, "output", i, rt[i], re[i])) != 0)
			break;
		in[0] = cond;
		in[1] = rt[i];
		in[2] = re[i];
		if (!helper(&c, n->guard, "Where", in, 3, n->out[i], NO_AXIS))
			rc = -1;
	}
	free(rt);
	free(re);
	return finish(&c, from, rc);
}

int ctrl_if_lower(Node *n, Lower *L)
{
	(void)L;
	die("If '%s' was not expanded", n->name);
}

/* Stacking per-iteration values (Loop and Scan outputs) ------------------------- */

/* out = the rows stacked along axis (each row gets a new axis there). */
static int stack(Ctx *c, Value **rows, int nrows, int64_t axis, Value *out, const Value *decl)
{
	Value **u, *ax;
	int i;

	if (nrows == 0) {
		/* No iteration ran: an empty tensor of the declared shape. */
		if (!decl || decl->decl_rank < 0)
			return node_error(c->n, "runs no iteration and the model declares no shape for "
					  "output '%s'", decl ? decl->name : "?");
		Value *e = new_value(c, "empty");
		value_set_shape(e, decl->decl_dtype, decl->decl_rank, decl->decl_dims);
		if (value_numel(e) != 0)
			return node_error(c->n, "runs no iteration but declares output '%s' non-empty",
					  decl->name);
		value_set_const(e, xcalloc(1, 8), 0);
		return helper(c, c->n->guard, "Identity", &e, 1, out, NO_AXIS) ? 0 : -1;
	}
	u = xcalloc(nrows, sizeof(Value *));
	for (i = 0; i < nrows; i++) {
		Value *in[2];
		if (rows[i]->is_seq) {
			free(u);
			return node_error(c->n, "a scan output is a sequence; only tensors can be stacked");
		}
		ax = const_axes(c, axis < 0 ? axis + rows[i]->rank + 1 : axis);
		in[0] = rows[i];
		in[1] = ax;
		if (!(u[i] = helper(c, c->n->guard, "Unsqueeze", in, 2, NULL, NO_AXIS))) {
			free(u);
			return -1;
		}
	}
	ax = helper(c, c->n->guard, "Concat", u, nrows, out,
		    axis < 0 ? axis + rows[0]->rank + 1 : axis);
	free(u);
	return ax ? 0 : -1;
}

/* Loop -------------------------------------------------------------------------- */

int ctrl_loop_infer(Node *n)
{
	const Graph *b = subgraph(n, "body");
	Value *M = node_in(n, 0), *cond = node_in(n, 1), *in[3], *run = NULL;
	Value **v, **args, **res, ***rows;
	int nv = n->nin - 2, nscan, from, i, s, rc = 0;
	int64_t bound = -1, k;
	Ctx c;

	if (!b)
		return -1;
	nscan = b->noutputs - 1 - nv;
	if (b->ninputs != nv + 2 || nscan < 0 || n->nout > nv + nscan)
		return node_error(n, "has %d loop-carried values, but its body takes %d inputs and "
				  "gives %d outputs", nv, b->ninputs, b->noutputs);
	if (M && (value_numel(M) != 1 || !dt_is_int(M->dtype)))
		return node_error(n, "trip count '%s' must be one integer", M->name);
	if (cond && value_numel(cond) != 1)
		return node_error(n, "condition '%s' must have one element", cond->name);
	/* The static number of iterations. */
	if (M && M->data)
		bound = const_i64(M, 0) < 0 ? 0 : const_i64(M, 0);
	for (s = 0; s < nscan && nv + s < n->nout; s++) {
		Value *o = n->out[nv + s];
		if (o && o->decl_rank > 0 && (bound < 0 || o->decl_dims[0] < bound))
			bound = o->decl_dims[0];
	}
	if (bound < 0 && (!cond || is_const_false(cond)))
		bound = 0;
	if (bound < 0)
		return node_error(n, "the trip count is not a compile-time constant and the model "
				  "declares no scan output length that would bound it");
	if (bound * (b->nnodes + 4) > MAX_EXPANDED_NODES)
		return node_error(n, "unrolling %lld iterations of a %d-node body exceeds %d nodes",
				  (long long)bound, b->nnodes, MAX_EXPANDED_NODES);

	start(&c, n, &from);
	v = xcalloc(nv + 1, sizeof(Value *));
	args = xcalloc(nv + 2, sizeof(Value *));
	res = xcalloc(b->noutputs + 1, sizeof(Value *));
	rows = xcalloc(nscan + 1, sizeof(Value **));
	for (s = 0; s < nscan; s++)
		rows[s] = xcalloc(bound + 1, sizeof(Value *));
	for (i = 0; i < nv; i++)
		v[i] = n->in[2 + i];
	if (!cond)
		cond = const_scalar(&c, DT_BOOL, 1);
	for (k = 0; rc == 0 && k <= bound; k++) {
		char tag[512];
		Guard *gd = n->guard;
		/* run_k = (k < M) and cond_k */
		run = cond;
		if (M) {
			in[0] = const_scalar(&c, DT_INT64, k);
			in[1] = M;
			if (!(in[0] = helper(&c, n->guard, "Less", in, 2, NULL, NO_AXIS))) {
				rc = -1;
				break;
			}
			in[1] = cond;
			if (!(run = helper(&c, n->guard, "And", in, 2, NULL, NO_AXIS))) {
				rc = -1;
				break;
			}
		}
		if (k == bound || is_const_false(run))
			break;
		if (!run->data)
			gd = graph_guard(c.g, run, n->guard);
		args[0] = const_scalar(&c, DT_INT64, k);
		args[1] = cond;
		for (i = 0; i < nv; i++)
			args[2 + i] = v[i];
		snprintf(tag, sizeof tag, "%s/%lld", n->name, (long long)k);
		if ((rc = clone_body(&c, b, args, nv + 2, gd, tag, res)) != 0)
			break;
		if (run->data) {
			cond = res[0];
			for (i = 0; i < nv; i++)
				v[i] = res[1 + i];
		} else {
			in[0] = run;
			in[1] = res[0];
			if (!(cond = helper(&c, n->guard, "And", in, 2, NULL, NO_AXIS)))
				rc = -1;
			for (i = 0; rc == 0 && i < nv; i++) {
				if ((rc = selectable(n, "loop-carried value", i, res[1 + i], v[i])) != 0)
					break;
				in[0] = run;
				in[1] = res[1 + i];
				in[2] = v[i];
				if (!(v[i] = helper(&c, n->guard, "Where", in, 3, NULL, NO_AXIS)))
					rc = -1;
			}
			/* Scan outputs have one row per iteration: every one must run. */
			if (rc == 0 && nscan && !check_node(&c, run))
				rc = -1;
		}
		for (s = 0; s < nscan; s++)
			rows[s][k] = res[1 + nv + s];
	}
	if (rc == 0 && nscan && k == bound && !is_const_false(run)) {
		/* ... and the loop must end there. */
		if (run->data)
			rc = node_error(n, "runs more than %lld iterations, the length the model "
					"declares for its scan outputs", (long long)bound);
		else if (!(in[0] = helper(&c, n->guard, "Not", &run, 1, NULL, NO_AXIS)) ||
			 !check_node(&c, in[0]))
			rc = -1;
	}
	for (i = 0; rc == 0 && i < nv && i < n->nout; i++)
		if (n->out[i] && !helper(&c, n->guard, "Identity", &v[i], 1, n->out[i], NO_AXIS))
			rc = -1;
	for (s = 0; rc == 0 && s < nscan && nv + s < n->nout; s++)
		if (n->out[nv + s])
			rc = stack(&c, rows[s], (int)k, 0, n->out[nv + s], n->out[nv + s]);
	for (s = 0; s < nscan; s++)
		free(rows[s]);
	free(rows);
	free(v);
	free(args);
	free(res);
	return finish(&c, from, rc);
}

int ctrl_loop_lower(Node *n, Lower *L)
{
	(void)L;
	die("Loop '%s' was not expanded", n->name);
}

/* Scan -------------------------------------------------------------------------- */

typedef struct ScanSpec {
	int nstate, nin, nout;          /* states, scan inputs, scan outputs */
	int64_t in_axis[64], in_dir[64], out_axis[64], out_dir[64];
} ScanSpec;

/* One scan over axis lengths L: states st[] (updated in place), inputs xs[],
 * outputs ys[] (new values, or the given ones when non-NULL). */
static int scan_run(Ctx *c, const Graph *b, const ScanSpec *sp, Value **st, Value **xs,
		    Value **ys, const char *tag0)
{
	Value **args = xcalloc(sp->nstate + sp->nin + 1, sizeof(Value *));
	Value **res = xcalloc(b->noutputs + 1, sizeof(Value *));
	Value ***rows = xcalloc(sp->nout + 1, sizeof(Value **));
	int64_t L = -1, t;
	int i, rc = 0;

	for (i = 0; i < sp->nin; i++) {
		int64_t ax = sp->in_axis[i];
		if (xs[i]->is_seq || ax < -xs[i]->rank || ax >= xs[i]->rank) {
			rc = node_error(c->n, "scan input %d has no axis %lld", i, (long long)ax);
			goto out;
		}
		ax = ax < 0 ? ax + xs[i]->rank : ax;
		if (L >= 0 && xs[i]->dims[ax] != L) {
			rc = node_error(c->n, "scan inputs have lengths %lld and %lld", (long long)L,
					(long long)xs[i]->dims[ax]);
			goto out;
		}
		L = xs[i]->dims[ax];
	}
	if (L < 0)
		L = 0;
	if (L * (b->nnodes + 2 * sp->nin + 2) > MAX_EXPANDED_NODES) {
		rc = node_error(c->n, "unrolling %lld iterations of a %d-node body exceeds %d nodes",
				(long long)L, b->nnodes, MAX_EXPANDED_NODES);
		goto out;
	}
	for (i = 0; i < sp->nout; i++)
		rows[i] = xcalloc(L + 1, sizeof(Value *));
	for (t = 0; rc == 0 && t < L; t++) {
		char tag[512];
		for (i = 0; i < sp->nstate; i++)
			args[i] = st[i];
		for (i = 0; rc == 0 && i < sp->nin; i++) {
			int64_t ax = sp->in_axis[i] < 0 ? sp->in_axis[i] + xs[i]->rank : sp->in_axis[i];
			Value *in[2] = {xs[i], const_scalar(c, DT_INT64, sp->in_dir[i] ? L - 1 - t : t)};
			if (!(args[sp->nstate + i] = helper(c, c->n->guard, "Gather", in, 2, NULL, ax)))
				rc = -1;
		}
		snprintf(tag, sizeof tag, "%s/%lld", tag0, (long long)t);
		if (rc == 0)
			rc = clone_body(c, b, args, sp->nstate + sp->nin, c->n->guard, tag, res);
		for (i = 0; rc == 0 && i < sp->nstate; i++)
			st[i] = res[i];
		for (i = 0; rc == 0 && i < sp->nout; i++)
			rows[i][sp->out_dir[i] ? L - 1 - t : t] = res[sp->nstate + i];
	}
	for (i = 0; rc == 0 && i < sp->nout; i++) {
		if (!ys[i])
			ys[i] = new_value(c, "scan_out");
		rc = stack(c, rows[i], (int)L, sp->out_axis[i], ys[i], ys[i]);
	}
	for (i = 0; i < sp->nout; i++)
		free(rows[i]);
out:
	free(rows);
	free(args);
	free(res);
	return rc;
}

static int scan_spec(const Node *n, const Graph *b, int nstate, int nin, ScanSpec *sp)
{
	const char *in_dir_name = n->version < 9 ? "directions" : "scan_input_directions";

	sp->nstate = nstate;
	sp->nin = nin;
	sp->nout = b->noutputs - nstate;
	if (nstate < 0 || nin < 1 || b->ninputs != nstate + nin || sp->nout < 0 ||
	    n->nout > b->noutputs)
		return node_error(n, "has %d states and %d scan inputs, but its body takes %d inputs "
				  "and gives %d outputs", nstate, nin, b->ninputs, b->noutputs);
	if (nin > 64 || sp->nout > 64)
		return node_error(n, "more than 64 scan inputs or outputs");
	if (attr_list(n, in_dir_name, nin, 0, 0, sp->in_dir) != 0 ||
	    attr_list(n, "scan_output_directions", sp->nout, 0, 0, sp->out_dir) != 0)
		return -1;
	if (n->version < 9) {
		memset(sp->in_axis, 0, sizeof sp->in_axis);
		memset(sp->out_axis, 0, sizeof sp->out_axis);
		return 0;
	}
	if (attr_list(n, "scan_input_axes", nin, 0, -IR_MAX_RANK, sp->in_axis) != 0 ||
	    attr_list(n, "scan_output_axes", sp->nout, 0, -IR_MAX_RANK - 1, sp->out_axis) != 0)
		return -1;
	return 0;
}

int ctrl_scan_infer(Node *n)
{
	const Graph *b = subgraph(n, "body");
	int64_t nin = attr_i(n, "num_scan_inputs", -1);
	int lens = n->version < 9;       /* opset 8: sequence_lens first, batch axis 0 */
	int nstate, from, i, rc = 0;
	Value **st, **xs, **ys;
	ScanSpec sp;
	Ctx c;

	if (!b)
		return -1;
	if (nin < 1 || nin > n->nin - lens)
		return node_error(n, "num_scan_inputs %lld does not fit its %d inputs", (long long)nin,
				  n->nin);
	nstate = n->nin - lens - (int)nin;
	if (scan_spec(n, b, nstate, (int)nin, &sp) != 0)
		return -1;
	for (i = 0; i < n->nin; i++)
		if (n->in[i] && n->in[i]->is_seq)
			return node_error(n, "input %d is a sequence; Scan takes tensors", i);
	start(&c, n, &from);
	st = xcalloc(nstate + 1, sizeof(Value *));
	xs = xcalloc(nin + 1, sizeof(Value *));
	ys = xcalloc(sp.nout + 1, sizeof(Value *));
	if (!lens) {
		for (i = 0; i < nstate; i++)
			st[i] = n->in[i];
		for (i = 0; i < nin; i++)
			xs[i] = n->in[nstate + i];
		for (i = 0; i < sp.nout; i++)
			ys[i] = nstate + i < n->nout ? n->out[nstate + i] : NULL;
		rc = scan_run(&c, b, &sp, st, xs, ys, n->name);
		for (i = 0; rc == 0 && i < nstate && i < n->nout; i++)
			if (n->out[i] && !helper(&c, n->guard, "Identity", &st[i], 1, n->out[i], NO_AXIS))
				rc = -1;
	} else {
		/* Opset 8: every input has a batch axis 0; each batch entry scans on its own. */
		Value *sl = n->in[0], **fin, ***per;
		int64_t B = -1, bi;
		for (i = 1; i < n->nin; i++)
			if (n->in[i] && n->in[i]->rank >= 1)
				B = B < 0 ? n->in[i]->dims[0] : B;
		if (B < 0)
			B = 0;
		if (sl && !sl->data)
			rc = node_error(n, "sequence_lens must be a compile-time constant");
		for (bi = 0; rc == 0 && sl && bi < value_numel(sl); bi++)
			if (const_i64(sl, bi) != n->in[1 + nstate]->dims[1])
				rc = node_error(n, "sequence_lens entries shorter than the scan axis are "
						"not supported");
		fin = xcalloc(nstate + 1, sizeof(Value *));
		per = xcalloc(nstate + sp.nout + 1, sizeof(Value **));
		for (i = 0; i < nstate + sp.nout; i++)
			per[i] = xcalloc(B + 1, sizeof(Value *));
		for (bi = 0; rc == 0 && bi < B; bi++) {
			char tag[512];
			for (i = 0; rc == 0 && i < nstate + (int)nin; i++) {
				Value *in[2] = {n->in[1 + i], const_scalar(&c, DT_INT64, bi)};
				Value *x = helper(&c, n->guard, "Gather", in, 2, NULL, 0);
				if (!x)
					rc = -1;
				else if (i < nstate)
					st[i] = x;
				else
					xs[i - nstate] = x;
			}
			for (i = 0; i < sp.nout; i++)
				ys[i] = NULL;
			snprintf(tag, sizeof tag, "%s/b%lld", n->name, (long long)bi);
			if (rc == 0)
				rc = scan_run(&c, b, &sp, st, xs, ys, tag);
			for (i = 0; rc == 0 && i < nstate; i++)
				per[i][bi] = st[i];
			for (i = 0; rc == 0 && i < sp.nout; i++)
				per[nstate + i][bi] = ys[i];
		}
		for (i = 0; rc == 0 && i < nstate + sp.nout && i < n->nout; i++)
			if (n->out[i])
				rc = stack(&c, per[i], (int)B, 0, n->out[i], n->out[i]);
		for (i = 0; i < nstate + sp.nout; i++)
			free(per[i]);
		free(per);
		free(fin);
	}
	free(st);
	free(xs);
	free(ys);
	return finish(&c, from, rc);
}

int ctrl_scan_lower(Node *n, Lower *L)
{
	(void)L;
	die("Scan '%s' was not expanded", n->name);
}

/* SequenceMap ------------------------------------------------------------------- */

int ctrl_seqmap_infer(Node *n)
{
	const Graph *b = subgraph(n, "body");
	Value **args, **res, ***outs;
	int len, from, i, j, rc = 0;
	Ctx c;

	if (!b)
		return -1;
	if (!n->in[0]->is_seq || n->in[0]->is_opt)
		return node_error(n, "input 0 must be a sequence");
	len = n->in[0]->nelems;
	for (i = 1; i < n->nin; i++)
		if (n->in[i] && n->in[i]->is_seq && (n->in[i]->is_opt || n->in[i]->nelems != len))
			return node_error(n, "input %d is not a sequence of length %d", i, len);
	if (b->ninputs != n->nin || b->noutputs != n->nout)
		return node_error(n, "has %d inputs and %d outputs, its body %d and %d", n->nin,
				  n->nout, b->ninputs, b->noutputs);
	start(&c, n, &from);
	args = xcalloc(n->nin + 1, sizeof(Value *));
	res = xcalloc(n->nout + 1, sizeof(Value *));
	outs = xcalloc(n->nout + 1, sizeof(Value **));
	for (j = 0; j < n->nout; j++)
		outs[j] = xcalloc(len + 1, sizeof(Value *));
	for (i = 0; rc == 0 && i < len; i++) {
		char tag[512];
		for (j = 0; j < n->nin; j++)
			args[j] = n->in[j] && n->in[j]->is_seq ? n->in[j]->elems[i] : n->in[j];
		snprintf(tag, sizeof tag, "%s/%d", n->name, i);
		rc = clone_body(&c, b, args, n->nin, n->guard, tag, res);
		for (j = 0; rc == 0 && j < n->nout; j++) {
			if (res[j]->is_seq)
				rc = node_error(n, "body output %d is a sequence; SequenceMap outputs "
						"sequences of tensors", j);
			outs[j][i] = res[j];
		}
	}
	for (j = 0; rc == 0 && j < n->nout; j++) {
		if (!n->out[j])
			continue;
		if (len == 0) {
			/* the element type comes from the body's declared output */
			Value *o = b->outputs[j];
			char name[512];
			Node *m;
			snprintf(name, sizeof name, "%s/SequenceEmpty#%d", n->name, c.seq++);
			m = graph_node(c.g, name, "SequenceEmpty", "");
			m->version = 11;
			m->op = op_lookup("", "SequenceEmpty", 11);
			m->guard = n->guard;
			node_add_output(m, n->out[j]);
			node_add_attr(m, "dtype", AT_INT)->i = o->decl_dtype ? o->decl_dtype : DT_FLOAT;
			rc = infer_node(c.g, m);
		} else if (!helper(&c, n->guard, "SequenceConstruct", outs[j], len, n->out[j], NO_AXIS)) {
			rc = -1;
		}
	}
	for (j = 0; j < n->nout; j++)
		free(outs[j]);
	free(outs);
	free(args);
	free(res);
	return finish(&c, from, rc);
}

int ctrl_seqmap_lower(Node *n, Lower *L)
{
	(void)L;
	die("SequenceMap '%s' was not expanded", n->name);
}

/* FlexAttention (ai.onnx.preview): attention whose scores and probabilities pass
 * through optional subgraphs, expanded like the function ONNX defines for it:
 * Q and K scaled by sqrt(scale) each, Q.K^T in the input type, then score_mod,
 * Softmax, prob_mod and the product with V in softmax_precision. ------------ */

static Value *cast_to(Ctx *c, Value *x, int dtype, Value *out)
{
	Node *m;

	if (x->dtype == dtype && !out)
		return x;
	m = helper_node(c, c->n->guard, x->dtype == dtype ? "Identity" : "Cast", &x, 1, out);
	if (x->dtype != dtype)
		node_add_attr(m, "to", AT_INT)->i = dtype;
	return helper_done(c, m);
}

/* A modifier subgraph: one rank-4 input, one output of the same type and shape. */
static Value *modify(Ctx *c, const char *attr, Value *x)
{
	const Attr *a = node_attr(c->n, attr);
	Value *res[2] = {NULL, NULL};
	char tag[512];

	if (!a)
		return x;
	if (a->type != AT_GRAPH || !a->g || a->g->ninputs != 1 || a->g->noutputs != 1) {
		node_error(c->n, "attribute '%s' must be a graph of one input and one output", attr);
		return NULL;
	}
	snprintf(tag, sizeof tag, "%s/%s", c->n->name, attr);
	if (clone_body(c, a->g, &x, 1, c->n->guard, tag, res) != 0)
		return NULL;
	if (res[0]->is_seq || res[0]->dtype != x->dtype || !value_same_shape(res[0], x)) {
		node_error(c->n, "subgraph '%s' must keep its input's type and shape", attr);
		return NULL;
	}
	return res[0];
}

int flexattn_infer(Node *n)
{
	Value *q = n->in[0], *k = n->in[1], *v = n->in[2], *in[2], *x;
	int64_t hq, hkv, group, i, *idx;
	int dt = q->dtype, sp, from, rc = 0;
	double scale;
	Node *m;
	Ctx c;

	if (q->rank != 4 || k->rank != 4 || v->rank != 4)
		return node_error(n, "Q, K and V must have rank 4");
	if (!dt_is_float(dt) || k->dtype != dt || v->dtype != dt)
		return node_error(n, "Q, K and V must have one floating type");
	hq = q->dims[1];
	hkv = k->dims[1];
	if (hkv <= 0 || hq % hkv != 0 || v->dims[1] != hkv || k->dims[0] != q->dims[0] ||
	    v->dims[0] != q->dims[0] || k->dims[3] != q->dims[3] || v->dims[2] != k->dims[2])
		return node_error(n, "Q, K and V have incompatible shapes");
	sp = (int)attr_i(n, "softmax_precision", dt == DT_DOUBLE ? DT_DOUBLE : DT_FLOAT);
	if (sp != DT_FLOAT && sp != DT_DOUBLE && sp != DT_FLOAT16 && sp != DT_BFLOAT16)
		return node_error(n, "softmax_precision %d is not a floating type", sp);
	scale = attr_f(n, "scale", q->dims[3] > 0 ? 1.0 / sqrt((double)q->dims[3]) : 1.0);
	start(&c, n, &from);
	/* GQA: query head h reads K/V head h / group. */
	group = hq / hkv;
	if (group > 1) {
		Value *ix = new_value(&c, "heads");
		idx = xmalloc((hq + 1) * sizeof(int64_t));
		for (i = 0; i < hq; i++)
			idx[i] = i / group;
		value_set_shape(ix, DT_INT64, 1, &hq);
		value_set_const(ix, idx, 0);
		in[0] = k;
		in[1] = ix;
		k = helper(&c, n->guard, "Gather", in, 2, NULL, 1);
		in[0] = v;
		v = k ? helper(&c, n->guard, "Gather", in, 2, NULL, 1) : NULL;
		if (!v)
			return finish(&c, from, -1);
	}
	{
		Value *s = new_value(&c, "sqrt_scale");
		value_set_shape(s, dt, 0, NULL);
		value_set_const(s, scalar_of(dt, sqrt(scale)), 0);
		in[0] = q;
		in[1] = s;
		q = helper(&c, n->guard, "Mul", in, 2, NULL, NO_AXIS);
		in[0] = k;
		k = q ? helper(&c, n->guard, "Mul", in, 2, NULL, NO_AXIS) : NULL;
	}
	if (!k)
		return finish(&c, from, -1);
	m = helper_node(&c, n->guard, "Transpose", &k, 1, NULL);
	{
		static const int64_t perm[] = {0, 1, 3, 2};
		Attr *a = node_add_attr(m, "perm", AT_INTS);
		a->n = 4;
		a->ints = memcpy(xmalloc(sizeof perm), perm, sizeof perm);
	}
	in[0] = q;
	if (!(in[1] = helper_done(&c, m)) || !(x = helper(&c, n->guard, "MatMul", in, 2, NULL, NO_AXIS)) ||
	    !(x = cast_to(&c, x, sp, NULL)) || !(x = modify(&c, "score_mod", x)) ||
	    !(x = helper(&c, n->guard, "Softmax", &x, 1, NULL, 3)) || !(x = modify(&c, "prob_mod", x)) ||
	    !(in[1] = cast_to(&c, v, sp, NULL)))
		rc = -1;
	in[0] = x;
	if (rc == 0 && !(x = helper(&c, n->guard, "MatMul", in, 2, sp == dt ? n->out[0] : NULL, NO_AXIS)))
		rc = -1;
	if (rc == 0 && sp != dt && !cast_to(&c, x, dt, n->out[0]))
		rc = -1;
	return finish(&c, from, rc);
}

int flexattn_lower(Node *n, Lower *L)
{
	(void)L;
	die("FlexAttention '%s' was not expanded", n->name);
}

/* Check: a run-time assertion made by the Loop expansion ------------------------ */

int ctrl_check_infer(Node *n)
{
	if (value_numel(n->in[0]) != 1 || n->in[0]->dtype != DT_BOOL)
		return node_error(n, "checks one bool");
	return 0;
}

int ctrl_check_lower(Node *n, Lower *L)
{
	KCall *k;

	if (is_const_true(n->in[0]))
		return 0;
	if (!(k = lower_call(L, "b_check__scalar")))
		return -1;
	kcall_buf(k, n->in[0]);
	kcall_checks(k);
	return 0;
}
