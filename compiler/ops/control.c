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
 *   Call   (a model-local function, loaded per call by the frontend) its body,
 *          inlined like a branch.
 * (The machinery of expansion is in expand.c.)
 *
 * Unrolling is bounded (MAX_EXPANDED_NODES); beyond it the model is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "ops_util.h"
#include "../passes/passes.h"

#include "expand.h"

/* Two values that can be selected between at run time. */
static int selectable(const Node *n, const char *what, int i, const Value *a, const Value *b)
{
	char sa[128], sb[128];

	if (a->is_opt || b->is_opt)
		return node_error(n, "%s %d is an optional, whose presence cannot be chosen at run "
				  "time (the condition must be a compile-time constant)", what, i);
	if (a->is_seq || b->is_seq)
		return node_error(n, "%s %d is a sequence of a different length or shapes on each "
				  "path, which cannot be chosen at run time (the condition must be a "
				  "compile-time constant)", what, i);
	if (a->dtype != b->dtype || !value_same_shape(a, b))
		return node_error(n, "%s %d is %s %s on one path and %s %s on the other; a run-time "
				  "choice needs one static type and shape", what, i, dt_name(a->dtype),
				  shape_str(a, sa, sizeof sa), dt_name(b->dtype), shape_str(b, sb, sizeof sb));
	return 0;
}

/* out = cond ? t : e, for tensors, or for sequences of one length whose
 * tensors pair up (one Where per tensor). */
static int select_into(Expand *c, Value *cond, Value *t, Value *e, int i, Value *out)
{
	Value *in[3] = {cond, t, e}, **sel;
	int k, rc = 0;

	if (!t->is_seq || !e->is_seq || t->is_opt || e->is_opt || t->nelems != e->nelems ||
	    t->nelems == 0) {
		if ((rc = selectable(c->n, "output", i, t, e)) != 0)
			return rc;
		return expand_op(c, c->n->guard, "Where", in, 3, out, NO_AXIS) ? 0 : -1;
	}
	sel = xcalloc(t->nelems, sizeof(Value *));
	for (k = 0; rc == 0 && k < t->nelems; k++) {
		in[1] = t->elems[k];
		in[2] = e->elems[k];
		if ((rc = selectable(c->n, "output", i, in[1], in[2])) == 0 &&
		    !(sel[k] = expand_op(c, c->n->guard, "Where", in, 3, NULL, NO_AXIS)))
			rc = -1;
	}
	if (rc == 0 && !expand_op(c, c->n->guard, "SequenceConstruct", sel, t->nelems, out, NO_AXIS))
		rc = -1;
	free(sel);
	return rc;
}

/* If ---------------------------------------------------------------------------- */

int ctrl_if_infer(Node *n)
{
	const Graph *tb = node_subgraph(n, "then_branch"), *eb = node_subgraph(n, "else_branch");
	Value *cond = n->in[0], **rt, **re;
	Expand c;
	int from, i, rc = 0;

	if (!tb || !eb)
		return -1;
	if (tb->noutputs != n->nout || eb->noutputs != n->nout)
		return node_error(n, "has %d outputs but its branches have %d and %d", n->nout,
				  tb->noutputs, eb->noutputs);
	if (value_numel(cond) != 1)
		return node_error(n, "condition '%s' must have one element", cond->name);
	expand_start(&c, n, &from);
	rt = xcalloc(n->nout + 1, sizeof(Value *));
	re = xcalloc(n->nout + 1, sizeof(Value *));
	if (cond->data) {
		rc = expand_clone(&c, const_i64(cond, 0) ? tb : eb, NULL, 0, n->guard, n->name, rt);
		for (i = 0; rc == 0 && i < n->nout; i++)
			if (n->out[i] && !expand_op(&c, n->guard, "Identity", &rt[i], 1, n->out[i], NO_AXIS))
				rc = -1;
		free(rt);
		free(re);
		return expand_finish(&c, from, rc);
	}
	{
		char tag[512];
		Guard *gt = graph_guard(c.g, cond, n->guard), *ge;
		Value *ncond;
		snprintf(tag, sizeof tag, "%s/then", n->name);
		rc = expand_clone(&c, tb, NULL, 0, gt, tag, rt);
		if (rc == 0 && !(ncond = expand_op(&c, n->guard, "Not", &cond, 1, NULL, NO_AXIS)))
			rc = -1;
		if (rc == 0) {
			ge = graph_guard(c.g, ncond, n->guard);
			snprintf(tag, sizeof tag, "%s/else", n->name);
			rc = expand_clone(&c, eb, NULL, 0, ge, tag, re);
		}
	}
	for (i = 0; rc == 0 && i < n->nout; i++)
		if (n->out[i])
			rc = select_into(&c, cond, rt[i], re[i], i, n->out[i]);
	free(rt);
	free(re);
	return expand_finish(&c, from, rc);
}

int ctrl_if_lower(Node *n, Lower *L)
{
	(void)L;
	die("If '%s' was not expanded", n->name);
}

/* Stacking per-iteration values (Loop and Scan outputs) ------------------------- */

/* out = the rows stacked along axis (each row gets a new axis there). */
static int stack(Expand *c, Value **rows, int nrows, int64_t axis, Value *out, const Value *decl)
{
	Value **u, *ax;
	int i;

	if (nrows == 0) {
		/* No iteration ran: an empty tensor of the declared shape. */
		if (!decl || decl->decl_rank < 0)
			return node_error(c->n, "runs no iteration and the model declares no shape for "
					  "output '%s'", decl ? decl->name : "?");
		Value *e = expand_value(c, "empty");
		value_set_shape(e, decl->decl_dtype, decl->decl_rank, decl->decl_dims);
		if (value_numel(e) != 0)
			return node_error(c->n, "runs no iteration but declares output '%s' non-empty",
					  decl->name);
		value_set_const(e, xcalloc(1, 8), 0);
		return expand_op(c, c->n->guard, "Identity", &e, 1, out, NO_AXIS) ? 0 : -1;
	}
	u = xcalloc(nrows, sizeof(Value *));
	for (i = 0; i < nrows; i++) {
		Value *in[2];
		if (rows[i]->is_seq) {
			free(u);
			return node_error(c->n, "a scan output is a sequence; only tensors can be stacked");
		}
		ax = expand_axes(c, axis < 0 ? axis + rows[i]->rank + 1 : axis);
		in[0] = rows[i];
		in[1] = ax;
		if (!(u[i] = expand_op(c, c->n->guard, "Unsqueeze", in, 2, NULL, NO_AXIS))) {
			free(u);
			return -1;
		}
	}
	ax = expand_op(c, c->n->guard, "Concat", u, nrows, out,
		    axis < 0 ? axis + rows[0]->rank + 1 : axis);
	free(u);
	return ax ? 0 : -1;
}

/* Loop -------------------------------------------------------------------------- */

int ctrl_loop_infer(Node *n)
{
	const Graph *b = node_subgraph(n, "body");
	Value *M = node_in(n, 0), *cond = node_in(n, 1), *in[3], *run = NULL;
	Value **v, **args, **res, ***rows;
	int nv = n->nin - 2, nscan, from, i, s, rc = 0;
	int64_t bound = -1, k;
	Expand c;

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
		const Value *o = n->out[nv + s] ? declared_via(n->out[nv + s], 0) : NULL;
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

	expand_start(&c, n, &from);
	v = xcalloc(nv + 1, sizeof(Value *));
	args = xcalloc(nv + 2, sizeof(Value *));
	res = xcalloc(b->noutputs + 1, sizeof(Value *));
	rows = xcalloc(nscan + 1, sizeof(Value **));
	for (s = 0; s < nscan; s++)
		rows[s] = xcalloc(bound + 1, sizeof(Value *));
	for (i = 0; i < nv; i++)
		v[i] = n->in[2 + i];
	if (!cond)
		cond = expand_scalar(&c, DT_BOOL, 1);
	for (k = 0; rc == 0 && k <= bound; k++) {
		char tag[512];
		Guard *gd = n->guard;
		/* run_k = (k < M) and cond_k */
		run = cond;
		if (M) {
			in[0] = expand_scalar(&c, DT_INT64, k);
			in[1] = M;
			if (!(in[0] = expand_op(&c, n->guard, "Less", in, 2, NULL, NO_AXIS))) {
				rc = -1;
				break;
			}
			in[1] = cond;
			if (!(run = expand_op(&c, n->guard, "And", in, 2, NULL, NO_AXIS))) {
				rc = -1;
				break;
			}
		}
		if (k == bound || is_const_false(run))
			break;
		if (!run->data)
			gd = graph_guard(c.g, run, n->guard);
		args[0] = expand_scalar(&c, DT_INT64, k);
		args[1] = cond;
		for (i = 0; i < nv; i++)
			args[2 + i] = v[i];
		snprintf(tag, sizeof tag, "%s/%lld", n->name, (long long)k);
		if ((rc = expand_clone(&c, b, args, nv + 2, gd, tag, res)) != 0)
			break;
		if (run->data) {
			cond = res[0];
			for (i = 0; i < nv; i++)
				v[i] = res[1 + i];
		} else {
			in[0] = run;
			in[1] = res[0];
			if (!(cond = expand_op(&c, n->guard, "And", in, 2, NULL, NO_AXIS)))
				rc = -1;
			for (i = 0; rc == 0 && i < nv; i++) {
				if ((rc = selectable(n, "loop-carried value", i, res[1 + i], v[i])) != 0)
					break;
				in[0] = run;
				in[1] = res[1 + i];
				in[2] = v[i];
				if (!(v[i] = expand_op(&c, n->guard, "Where", in, 3, NULL, NO_AXIS)))
					rc = -1;
			}
			/* Scan outputs have one row per iteration: every one must run. */
			if (rc == 0 && nscan && !expand_check(&c, run))
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
		else if (!(in[0] = expand_op(&c, n->guard, "Not", &run, 1, NULL, NO_AXIS)) ||
			 !expand_check(&c, in[0]))
			rc = -1;
	}
	for (i = 0; rc == 0 && i < nv && i < n->nout; i++)
		if (n->out[i] && !expand_op(&c, n->guard, "Identity", &v[i], 1, n->out[i], NO_AXIS))
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
	return expand_finish(&c, from, rc);
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
static int scan_run(Expand *c, const Graph *b, const ScanSpec *sp, Value **st, Value **xs,
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
			Value *in[2] = {xs[i], expand_scalar(c, DT_INT64, sp->in_dir[i] ? L - 1 - t : t)};
			if (!(args[sp->nstate + i] = expand_op(c, c->n->guard, "Gather", in, 2, NULL, ax)))
				rc = -1;
		}
		snprintf(tag, sizeof tag, "%s/%lld", tag0, (long long)t);
		if (rc == 0)
			rc = expand_clone(c, b, args, sp->nstate + sp->nin, c->n->guard, tag, res);
		for (i = 0; rc == 0 && i < sp->nstate; i++)
			st[i] = res[i];
		for (i = 0; rc == 0 && i < sp->nout; i++)
			rows[i][sp->out_dir[i] ? L - 1 - t : t] = res[sp->nstate + i];
	}
	for (i = 0; rc == 0 && i < sp->nout; i++) {
		if (!ys[i])
			ys[i] = expand_value(c, "scan_out");
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
	const Graph *b = node_subgraph(n, "body");
	int64_t nin = attr_i(n, "num_scan_inputs", -1);
	int lens = n->version < 9;       /* opset 8: sequence_lens first, batch axis 0 */
	int nstate, from, i, rc = 0;
	Value **st, **xs, **ys;
	ScanSpec sp;
	Expand c;

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
	expand_start(&c, n, &from);
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
			if (n->out[i] && !expand_op(&c, n->guard, "Identity", &st[i], 1, n->out[i], NO_AXIS))
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
				Value *in[2] = {n->in[1 + i], expand_scalar(&c, DT_INT64, bi)};
				Value *x = expand_op(&c, n->guard, "Gather", in, 2, NULL, 0);
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
	return expand_finish(&c, from, rc);
}

int ctrl_scan_lower(Node *n, Lower *L)
{
	(void)L;
	die("Scan '%s' was not expanded", n->name);
}

/* SequenceMap ------------------------------------------------------------------- */

int ctrl_seqmap_infer(Node *n)
{
	const Graph *b = node_subgraph(n, "body");
	Value **args, **res, ***outs;
	int len, from, i, j, rc = 0;
	Expand c;

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
	expand_start(&c, n, &from);
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
		rc = expand_clone(&c, b, args, n->nin, n->guard, tag, res);
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
		} else if (!expand_op(&c, n->guard, "SequenceConstruct", outs[j], len, n->out[j], NO_AXIS)) {
			rc = -1;
		}
	}
	for (j = 0; j < n->nout; j++)
		free(outs[j]);
	free(outs);
	free(args);
	free(res);
	return expand_finish(&c, from, rc);
}

int ctrl_seqmap_lower(Node *n, Lower *L)
{
	(void)L;
	die("SequenceMap '%s' was not expanded", n->name);
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

/* Call: a node calling a model-local function -------------------------------- */

/* The frontend loaded the function's body for this call (its attribute
 * references resolved, left-out inputs missing); inline it like a branch. */
int ctrl_call_infer(Node *n)
{
	const Graph *b = node_subgraph(n, "body");
	Value **args, **res;
	Expand c;
	int from, i, nargs = 0, rc;

	if (!b)
		return -1;
	args = xcalloc(n->nin + 1, sizeof(Value *));
	res = xcalloc(b->noutputs + 1, sizeof(Value *));
	for (i = 0; i < n->nin; i++)
		if (n->in[i])
			args[nargs++] = n->in[i];
	expand_start(&c, n, &from);
	rc = expand_clone(&c, b, args, nargs, n->guard, n->name, res);
	for (i = 0; rc == 0 && i < n->nout; i++)
		if (n->out[i] && !expand_op(&c, n->guard, "Identity", &res[i], 1, n->out[i], NO_AXIS))
			rc = -1;
	free(args);
	free(res);
	return expand_finish(&c, from, rc);
}

int ctrl_call_lower(Node *n, Lower *L)
{
	(void)L;
	die("function call '%s' was not inlined", n->name);
}
