/* fuse_ew.c: chains of float32 elementwise nodes become one EwChain node
 * (ops/elementwise.c), whose kernel (ONNXCC_EWCHAIN, templates/elementwise.h)
 * runs the whole chain block by block: no intermediate tensor is written.
 *
 * A chain is a run of at least two nodes under the same guard, each reading
 * the previous one's output (the chain value), which nothing else reads and
 * which is no graph output.  A step is a unary map of elementwise.h's list
 * (ONNXCC_EWC_UNARY_OPS), Clip with constant bounds, or a binary op (Add,
 * Sub, Mul, Div, Pow, Max, Min, PRelu; Sum, Max and Min of two) reading the
 * chain value on either side.  The other operand of a binary step is a
 * float32 tensor of the chain's element count, a single element, or a
 * vector along a run of axes of the output (per channel: [C, 1, 1] against
 * N x C x H x W); every step keeps the element count.  The first node may
 * be binary with both operands full (either becomes the chain's input). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops_util.h"
#include "onnxcc_rt.h"
#include "elementwise.h"
#include "passes.h"
#include "fuse.h"

#define EWC_MAX_STEPS 32
#define EWC_MAX_OPERANDS (KCALL_MAX_BUF - 2)	/* the kernel also takes X and Y */

/* The step code of each scalar operation (ops.def's aux). */
static const struct {
	const char *aux;
	int code;
} ew_steps[] = {
#define EWC_ROW(op) {#op, ONNXCC_EWC_##op},
	ONNXCC_EWC_UNARY_OPS(EWC_ROW) ONNXCC_EWC_BINARY_OPS(EWC_ROW)
#undef EWC_ROW
};

enum { KIND_NONE, KIND_UNARY, KIND_BINARY, KIND_CLIP };

typedef struct Chain {
	Node *nodes[EWC_MAX_STEPS];
	int n;
	Value *x;                      /* the chain's input */
	Value *ops[EWC_MAX_OPERANDS];  /* binary steps' operands (EwChain inputs 1..) */
	int nops;
	int64_t numel;
	int64_t steps[5 * EWC_MAX_STEPS];   /* ONNXCC_EWCHAIN's program */
	double params[2 * EWC_MAX_STEPS];
} Chain;

/* The kind of step node n can be, with its code in *code. */
static int step_kind(const Node *n, int *code)
{
	size_t i;
	int kind;

	if (n->dead || !n->op || *n->domain || n->nout != 1 || !n->out[0] ||
	    n->out[0]->dtype != DT_FLOAT)
		return KIND_NONE;
	if (n->op->lower == clip_lower) {
		*code = ONNXCC_EWC_clip;
		return KIND_CLIP;
	}
	if (n->op->lower == unary_lower && n->nin == 1)
		kind = KIND_UNARY;
	else if (n->nin == 2 && ((n->op->lower == binary_lower && n->version >= 7) ||
				 n->op->lower == variadic_lower))
		kind = KIND_BINARY;	/* before opset 7, broadcasting had attributes */
	else
		return KIND_NONE;
	for (i = 0; i < sizeof ew_steps / sizeof ew_steps[0]; i++)
		if (strcmp(n->op->aux, ew_steps[i].aux) == 0 &&
		    (kind == KIND_BINARY) == (ew_steps[i].code >= ONNXCC_EWC_add)) {
			*code = ew_steps[i].code;
			return kind;
		}
	return KIND_NONE;
}

/* Clip's constant bounds into f (flags 2: lower, 4: upper); 0 if a bound is
 * not a constant. */
static int clip_bounds(const Node *n, double *f, int64_t *flags)
{
	static const char *const attrs[2] = {"min", "max"};
	int i;

	for (i = 0; i < 2; i++) {
		const Value *v = node_in(n, i + 1);
		if (n->version < 11) {
			if (!node_attr(n, attrs[i]))
				continue;
			f[i] = attr_f(n, attrs[i], 0);
		} else if (!v || !v->name || !*v->name) {
			continue;
		} else if (v->data && v->dtype == DT_FLOAT && value_numel(v) == 1) {
			f[i] = const_f64(v, 0);
		} else {
			return 0;
		}
		*flags |= 2 << i;
	}
	return 1;
}

/* c's element at output element i of y is c[(i / inner) % count]: c is a
 * single element, y's size, or varies along one run of y's axes only.
 * 0 if c is none of these. */
static int operand_shape(const Value *c, const Value *y, int64_t *inner, int64_t *count)
{
	int off = y->rank - c->rank, d, d1 = -1;

	if (c->dtype != DT_FLOAT || c->is_seq || c->rank < 0 || off < 0)
		return 0;
	*inner = 1;
	*count = value_numel(c);
	if (*count == 1 || *count == value_numel(y))
		return 1;
	for (d = 0; d < c->rank; d++) {
		if (c->dims[d] == 1)
			continue;
		if (c->dims[d] != y->dims[d + off] || (d1 >= 0 && d1 != d - 1))
			return 0;	/* broadcast, or a second run */
		d1 = d;
	}
	for (d = d1 + off + 1; d < y->rank; d++)
		*inner *= y->dims[d];
	return d1 >= 0;
}

/* Operand o's input index in the EwChain node (1..), or 0 if there is no room. */
static int operand_index(Chain *c, Value *o)
{
	int j;

	for (j = 0; j < c->nops; j++)
		if (c->ops[j] == o)
			return j + 1;
	if (c->nops == EWC_MAX_OPERANDS)
		return 0;
	c->ops[c->nops++] = o;
	return c->nops;
}

/* Append n, which reads chain value v, as the next step; 0 if it cannot be one. */
static int add_step(Chain *c, Node *n, Value *v)
{
	int code, kind = step_kind(n, &code), s = c->n;
	int64_t *st = c->steps + 5 * s;
	double *fp = c->params + 2 * s;
	Value *o;

	if (kind == KIND_NONE || s == EWC_MAX_STEPS || value_numel(n->out[0]) != c->numel)
		return 0;
	memset(st, 0, 5 * sizeof *st);
	st[0] = code;
	st[2] = st[3] = 1;
	fp[0] = fp[1] = 0;
	if (kind == KIND_UNARY) {
		if (n->in[0] != v)
			return 0;
		unary_fparams(n, fp);
	} else if (kind == KIND_CLIP) {
		if (n->in[0] != v || !clip_bounds(n, fp, &st[4]))
			return 0;
	} else {
		/* x OP x reads the chain's input as the operand too */
		if (n->in[0] == v && n->in[1] == v && v != c->x)
			return 0;
		st[4] = n->in[0] != v;	/* the operand is the left one */
		if (n->in[0] != v && n->in[1] != v)
			return 0;
		o = n->in[st[4] ? 0 : 1];
		if (!operand_shape(o, n->out[0], &st[2], &st[3]) || !(st[1] = operand_index(c, o)))
			return 0;
	}
	c->nodes[c->n++] = n;
	return 1;
}

/* A chain starting at n: its input is n's (a binary n's first operand of
 * the output's size, else its second). */
static int start_chain(Chain *c, Node *n)
{
	int code, kind = step_kind(n, &code);
	Value *x;

	c->n = c->nops = 0;
	if (kind == KIND_NONE || n->nin < 1 || !(x = n->in[0]))
		return 0;
	if (kind == KIND_BINARY && value_numel(x) != value_numel(n->out[0]))
		x = n->in[1];
	if (!x || x->dtype != DT_FLOAT || x->is_seq || x->rank < 0 ||
	    value_numel(x) != value_numel(n->out[0]) || value_numel(x) == 0)
		return 0;
	c->x = x;
	c->numel = value_numel(x);
	return add_step(c, n, x);
}

/* The EwChain node of chain c takes the place of its last node. */
static void make_chain(Fuse *f, Chain *c)
{
	Graph *g = f->g;
	Node *last = c->nodes[c->n - 1], *m;
	Value *y = last->out[0];
	int at = f->pos[y->id], i;
	char *label = fuse_node_label(c->nodes[0]);
	Attr *a;

	m = graph_node(g, last->name, "EwChain", "onnxcc.internal");
	m->op = op_lookup("onnxcc.internal", "EwChain", 1);
	if (!m->op || at < 0 || g->nodes[at] != last)
		die("fuse_ew: cannot place the chain ending at '%s'", last->name);
	m->version = 1;
	m->guard = last->guard;
	m->inferred = 1;
	node_add_input(m, c->x);
	for (i = 0; i < c->nops; i++)
		node_add_input(m, c->ops[i]);
	a = node_add_attr(m, "steps", AT_INTS);
	a->n = 5 * c->n;
	a->ints = xmalloc((size_t)a->n * sizeof(int64_t));
	memcpy(a->ints, c->steps, (size_t)a->n * sizeof(int64_t));
	a = node_add_attr(m, "params", AT_FLOATS);
	a->n = 2 * c->n;
	a->floats = xmalloc((size_t)a->n * sizeof(double));
	memcpy(a->floats, c->params, (size_t)a->n * sizeof(double));
	for (i = 0; i < c->n; i++) {
		Node *n = c->nodes[i];
		if (i > 0) {	/* "Div(d) + Erf(e) + ...", for --report */
			char *b = fuse_node_label(n), *s = xmalloc(strlen(label) + strlen(b) + 4);
			sprintf(s, "%s + %s", label, b);
			free(label);
			free(b);
			label = s;
		}
		n->dead = 1;
		n->out[0] = NULL;	/* so that dce leaves it dead */
	}
	m->fused = label;
	node_add_output(m, y);
	g->nodes[g->nnodes - 1] = last;
	g->nodes[at] = m;
	f->pos[y->id] = at;
	f->fused++;
}

void fuse_ew_chains(Fuse *f)
{
	Graph *g = f->g;
	int i, nn = g->nnodes;
	Chain c;
	Node *u;

	for (i = 0; i < nn; i++) {
		if (!start_chain(&c, g->nodes[i]))
			continue;
		while ((u = fuse_sole_user(f, c.nodes[c.n - 1]->out[0], c.nodes[0]->guard)) &&
		       add_step(&c, u, c.nodes[c.n - 1]->out[0]))
			;
		if (c.n >= 2)
			make_chain(f, &c);
	}
}
