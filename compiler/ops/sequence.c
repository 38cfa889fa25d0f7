/* sequence.c: sequences of tensors, resolved at compile time.
 *
 * A sequence value is a list of tensor values (ir.h: is_seq, elems).  The
 * list ops (SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceErase,
 * SequenceLength) only rearrange lists during inference and lower to
 * nothing; positions must be compile-time constants.  The ops that move data
 * (SequenceAt, SplitToSequence, ConcatFromSequence) lower to copies, Split
 * steps and Concat steps.  Sequences never cross the model's interface. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_util.h"

/* The sequence input i, or an error. */
static Value *seq_in(const Node *n, int i)
{
	Value *s = node_in(n, i);

	if (!s || !s->is_seq || s->is_opt) {
		node_error(n, "input %d is not a sequence", i);
		return NULL;
	}
	return s;
}

/* A constant position input (default `def` when absent), normalized to [0, len]
 * (insert) or [0, len) (the others). */
static int seq_pos(const Node *n, int i, int len, int def, int inclusive, int *pos)
{
	const Value *p = node_in(n, i);
	int64_t v = def;

	if (p) {
		if (!p->data)
			return node_error(n, "position input '%s' must be a compile-time constant",
					  p->name);
		if (value_numel(p) != 1 || !dt_is_int(p->dtype))
			return node_error(n, "position input '%s' must be one integer", p->name);
		v = const_i64(p, 0);
		if (v < 0)
			v += len;
	}
	if (v < 0 || v > len || (!inclusive && v == len))
		return node_error(n, "position %lld is out of range for a sequence of %d",
				  (long long)(p ? const_i64(p, 0) : def), len);
	*pos = (int)v;
	return 0;
}

static int lower_nothing(Node *n, Lower *L)
{
	(void)n;
	(void)L;
	return 0;
}

int seqempty_infer(Node *n)
{
	value_set_seq(n->out[0], (int)attr_i(n, "dtype", DT_FLOAT), NULL, 0);
	return 0;
}

int seqempty_lower(Node *n, Lower *L) { return lower_nothing(n, L); }

int seqconstruct_infer(Node *n)
{
	int i;

	for (i = 0; i < n->nin; i++)
		if (!n->in[i] || n->in[i]->is_seq || n->in[i]->dtype != n->in[0]->dtype)
			return node_error(n, "input %d must be a tensor of element type %s", i,
					  dt_name(n->in[0]->dtype));
	value_set_seq(n->out[0], n->in[0]->dtype, n->in, n->nin);
	return 0;
}

int seqconstruct_lower(Node *n, Lower *L) { return lower_nothing(n, L); }

int seqinsert_infer(Node *n)
{
	Value *s = seq_in(n, 0), *t = n->in[1], **list;
	int pos;

	if (!s)
		return -1;
	if (t->is_seq || (s->nelems && t->dtype != s->dtype))
		return node_error(n, "the tensor's element type %s differs from the sequence's %s",
				  dt_name(t->dtype), dt_name(s->dtype));
	if (seq_pos(n, 2, s->nelems, s->nelems, 1, &pos) != 0)
		return -1;
	list = xcalloc(s->nelems + 1, sizeof(Value *));
	memcpy(list, s->elems, pos * sizeof(Value *));
	list[pos] = t;
	memcpy(list + pos + 1, s->elems + pos, (s->nelems - pos) * sizeof(Value *));
	value_set_seq(n->out[0], t->dtype, list, s->nelems + 1);
	free(list);
	return 0;
}

int seqinsert_lower(Node *n, Lower *L) { return lower_nothing(n, L); }

int seqerase_infer(Node *n)
{
	Value *s = seq_in(n, 0), **list;
	int pos;

	if (!s)
		return -1;
	if (seq_pos(n, 1, s->nelems, s->nelems - 1, 0, &pos) != 0)
		return -1;
	list = xcalloc(s->nelems, sizeof(Value *));
	memcpy(list, s->elems, pos * sizeof(Value *));
	memcpy(list + pos, s->elems + pos + 1, (s->nelems - pos - 1) * sizeof(Value *));
	value_set_seq(n->out[0], s->dtype, list, s->nelems - 1);
	free(list);
	return 0;
}

int seqerase_lower(Node *n, Lower *L) { return lower_nothing(n, L); }

int seqlength_infer(Node *n)
{
	Value *s = seq_in(n, 0);

	if (!s || set_out(n, 0, DT_INT64, 0, NULL) != 0)
		return -1;
	value_set_const(n->out[0], scalar_of(DT_INT64, s->nelems), 0);
	return 0;
}

int seqlength_lower(Node *n, Lower *L)
{
	(void)L;
	die("SequenceLength node '%s' reached lowering", n->name);
}

/* SequenceAt: a copy of the chosen tensor. */
int seqat_infer(Node *n)
{
	Value *s = seq_in(n, 0), *t;
	int pos;

	if (!s || seq_pos(n, 1, s->nelems, 0, 0, &pos) != 0)
		return -1;
	t = s->elems[pos];
	if (t->dyn_elem)
		return node_error(n, "tensor %d of the sequence has a shape that depends on run-time "
				  "split sizes", pos);
	return set_out(n, 0, t->dtype, t->rank, t->dims);
}

int seqat_lower(Node *n, Lower *L)
{
	Value *s = n->in[0], *y = n->out[0], *t;
	int pos;

	if (seq_pos(n, 1, s->nelems, 0, 0, &pos) != 0)
		return -1;
	t = s->elems[pos];
	return lower_copy(L, t, y);
}

/* A new tensor value that node n produces inside a sequence. */
static Value *seq_new_tensor(Node *n, const char *name, int dtype, int rank, const int64_t *dims)
{
	Value *v = graph_value(n->graph, name);

	if (value_set_shape(v, dtype, rank, dims) != 0)
		die("sequence element '%s': %s", name, ir_last_error());
	v->producer = n;
	return v;
}

/* SplitToSequence: chunk sizes along the axis from the split input (a scalar
 * chunk size, or a list), or chunks of 1 (squeezed unless keepdims). */
static int split_plan(const Node *n, int64_t axis, int64_t **sizes, int *count, int *squeeze)
{
	const Value *x = n->in[0], *sp = node_in(n, 1);
	int64_t dim = x->dims[axis], i, total = 0;

	*squeeze = !sp && !attr_i(n, "keepdims", 1);
	if (!sp) {
		*count = (int)dim;
		*sizes = xcalloc(dim ? dim : 1, sizeof(int64_t));
		for (i = 0; i < dim; i++)
			(*sizes)[i] = 1;
		return 0;
	}
	if (!sp->data)
		return node_error(n, "split input '%s' must be a compile-time constant", sp->name);
	if (sp->rank == 0) {
		int64_t c = const_i64(sp, 0);
		if (c <= 0)
			return node_error(n, "split size %lld must be positive", (long long)c);
		*count = (int)((dim + c - 1) / c);
		*sizes = xcalloc(*count ? *count : 1, sizeof(int64_t));
		for (i = 0; i < *count; i++)
			(*sizes)[i] = i + 1 < *count ? c : dim - c * (*count - 1);
		return 0;
	}
	*count = (int)value_numel(sp);
	*sizes = xcalloc(*count ? *count : 1, sizeof(int64_t));
	for (i = 0; i < *count; i++) {
		(*sizes)[i] = const_i64(sp, i);
		if ((*sizes)[i] < 0)
			return node_error(n, "split sizes must not be negative");
		total += (*sizes)[i];
	}
	if (total != dim)
		return node_error(n, "split sizes add up to %lld, the axis has %lld",
				  (long long)total, (long long)dim);
	return 0;
}

int splittoseq_infer(Node *n)
{
	Value *x = n->in[0], **elems;
	int64_t axis, *sizes = NULL, dims[IR_MAX_RANK];
	int count, squeeze, i, d, r;

	const Value *sp = node_in(n, 1);

	if (norm_axis(n, attr_i(n, "axis", 0), x->rank, &axis) != 0)
		return -1;
	if (sp && !sp->data && sp->rank == 1) {
		/* Run-time sizes: the length is known, the tensors' shapes are not. */
		count = (int)sp->dims[0];
		elems = xcalloc(count ? count : 1, sizeof(Value *));
		for (i = 0; i < count; i++) {
			char name[64];
			snprintf(name, sizeof name, "%.40s_%d", n->out[0]->name, i);
			elems[i] = graph_value(n->graph, name);
			elems[i]->dtype = x->dtype;
			elems[i]->dyn_elem = 1;
			elems[i]->producer = n;
		}
		value_set_seq(n->out[0], x->dtype, elems, count);
		free(elems);
		return 0;
	}
	if (split_plan(n, axis, &sizes, &count, &squeeze) != 0) {
		free(sizes);
		return -1;
	}
	elems = xcalloc(count ? count : 1, sizeof(Value *));
	for (i = 0; i < count; i++) {
		char name[64];
		snprintf(name, sizeof name, "%.40s_%d", n->out[0]->name, i);
		for (d = 0, r = 0; d < x->rank; d++)
			if (d != axis || !squeeze)
				dims[r++] = d == axis ? sizes[i] : x->dims[d];
		elems[i] = seq_new_tensor(n, name, x->dtype, r, dims);
	}
	value_set_seq(n->out[0], x->dtype, elems, count);
	free(elems);
	free(sizes);
	return 0;
}

int splittoseq_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *s = n->out[0];
	int64_t axis, pos = 0, *sizes = NULL;
	int count, squeeze, i, rc = 0;

	if (norm_axis(n, attr_i(n, "axis", 0), x->rank, &axis) != 0 ||
	    split_plan(n, axis, &sizes, &count, &squeeze) != 0)
		rc = -1;
	for (i = 0; rc == 0 && i < count; i++) {
		rc = lower_axis_slice(L, x, axis, pos, sizes[i], s->elems[i]);
		pos += sizes[i];
	}
	free(sizes);
	return rc;
}

/* ConcatFromSequence: the output shape.  Without new_axis the tensors join
 * along `axis`; with it they are stacked along a new axis at `axis`. */
static int concat_plan(const Node *n, const Value *s, int64_t *axis, int *new_axis, int64_t *dims,
		       int *rank)
{
	const Value *t0;
	int64_t total = 0;
	int i, d;

	*new_axis = attr_i(n, "new_axis", 0) != 0;
	if (!s->nelems)
		return node_error(n, "cannot concatenate an empty sequence");
	for (i = 0; i < s->nelems; i++)
		if (s->elems[i]->dyn_elem)
			return node_error(n, "the sequence's tensors have shapes that depend on run-time "
					  "split sizes");
	t0 = s->elems[0];
	*rank = t0->rank + *new_axis;
	if (*rank > IR_MAX_RANK || *rank == 0)
		return node_error(n, "cannot concatenate tensors of rank %d", t0->rank);
	if (norm_axis(n, attr_i(n, "axis", 0), *rank, axis) != 0)
		return -1;
	for (i = 0; i < s->nelems; i++) {
		const Value *t = s->elems[i];
		if (t->rank != t0->rank)
			return node_error(n, "tensor %d has rank %d, tensor 0 has %d", i, t->rank,
					  t0->rank);
		for (d = 0; d < t->rank; d++)
			if ((*new_axis || d != *axis) && t->dims[d] != t0->dims[d])
				return node_error(n, "tensor %d differs from tensor 0 in dimension %d",
						  i, d);
		total += *new_axis ? 1 : t->dims[*axis];
	}
	for (d = 0, i = 0; d < *rank; d++) {
		if (d == *axis) {
			dims[d] = total;
			if (!*new_axis)
				i++;
		} else {
			dims[d] = t0->dims[i++];
		}
	}
	return 0;
}

int concatfromseq_infer(Node *n)
{
	Value *s = seq_in(n, 0);
	int64_t axis, dims[IR_MAX_RANK];
	int new_axis, rank;

	if (!s || concat_plan(n, s, &axis, &new_axis, dims, &rank) != 0)
		return -1;
	return set_out(n, 0, s->dtype, rank, dims);
}

int concatfromseq_lower(Node *n, Lower *L)
{
	Value *s = n->in[0], *y = n->out[0];
	int64_t axis, dims[IR_MAX_RANK], pos = 0;
	int new_axis, rank, i;

	if (concat_plan(n, s, &axis, &new_axis, dims, &rank) != 0)
		return -1;
	for (i = 0; i < s->nelems; i++) {
		int64_t len = new_axis ? 1 : s->elems[i]->dims[axis];
		if (lower_axis_place(L, s->elems[i], y, axis, pos, len) != 0)
			return -1;
		pos += len;
	}
	return 0;
}

/* Optionals: also compile-time (ir.h: is_opt), so these only look. -------- */

int optional_infer(Node *n)
{
	Value *x = node_in(n, 0);
	const Attr *t = node_attr(n, "type");

	if (x) {
		value_set_opt(n->out[0], x->dtype, x);
		return 0;
	}
	if (!t || t->type != AT_TYPE_PROTO || t->i < 0)
		return node_error(n, "an empty Optional needs a 'type' attribute naming a tensor type");
	value_set_opt(n->out[0], (int)t->i, NULL);
	return 0;
}

int optional_lower(Node *n, Lower *L) { return lower_nothing(n, L); }

int opthas_infer(Node *n)
{
	const Value *x = node_in(n, 0);
	int has = x && (!x->is_opt || x->nelems > 0);

	if (set_out(n, 0, DT_BOOL, 0, NULL) != 0)
		return -1;
	value_set_const(n->out[0], scalar_of(DT_BOOL, has), 0);
	return 0;
}

int opthas_lower(Node *n, Lower *L) { return lower_nothing(n, L); }

/* OptionalGetElement: the element (opset 18 also passes a plain tensor or
 * sequence through). */
int optget_infer(Node *n)
{
	Value *x = n->in[0];

	if (x->is_opt) {
		if (!x->nelems)
			return node_error(n, "optional input '%s' is empty", x->name);
		x = x->elems[0];
	}
	if (x->is_seq) {
		value_set_seq(n->out[0], x->dtype, x->elems, x->nelems);
		return 0;
	}
	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

int optget_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];

	if (x->is_opt)
		x = x->elems[0];
	return y->is_seq ? 0 : lower_copy(L, x, y);
}
