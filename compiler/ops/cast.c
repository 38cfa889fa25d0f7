/* cast.c: Cast and CastLike.  Every pair of the element types with a C
 * representation (the 4- and 2-bit types one element per byte) converts
 * through one <src>_to_<dst>__scalar kernel (templates/cast.def), which for
 * a float8 destination also takes the `saturate` attribute (opset 19; 1
 * before) and for float8e8m0 `saturate` and `round_mode`; to and from
 * strings through templates/strcast.h (numbers only: bool and float8 are
 * refused); complex is reported as unsupported. */
#include <string.h>

#include "ops_util.h"

/* The float8e8m0 rounding: 0 up, 1 down, 2 nearest (cast_e8m0 in cast.h). */
static int e8m0_round_mode(const Node *n)
{
	const char *m = attr_s(n, "round_mode", "up");

	if (!strcmp(m, "up"))
		return 0;
	if (!strcmp(m, "down"))
		return 1;
	if (!strcmp(m, "nearest"))
		return 2;
	return node_error(n, "round_mode '%s' is not up, down or nearest", m);
}

/* Element types a cast kernel exists for: those with a C representation. */
static int castable(int dt)
{
	return dt_size(dt) > 0;
}

/* Same shape; the type is the attribute `to` (Cast) or input 1's (CastLike). */
int cast_infer(Node *n)
{
	Value *x = n->in[0];
	int to;

	if (n->nin > 1) {
		to = n->in[1]->dtype;
	} else {
		if (!node_attr(n, "to"))
			return node_error(n, "attribute 'to' is missing");
		to = (int)attr_i(n, "to", 0);
	}
	if (!castable(x->dtype))
		return node_error(n, "cannot cast from element type %s (%d): not supported",
				  dt_name(x->dtype), x->dtype);
	if (!castable(to))
		return node_error(n, "cannot cast to element type %s (%d): not supported",
				  dt_name(to), to);
	if (to == DT_FLOAT8E8M0 && e8m0_round_mode(n) < 0)
		return -1;
	return set_out(n, 0, to, x->rank, x->dims);
}

/* A byte copy for a same-type cast, else one conversion call. */
int cast_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (x->dtype == y->dtype)
		k = lower_call(L, "x8_copy__scalar");
	else
		k = lower_callf(L, "%s_to_%s__scalar", dt_short(x->dtype), dt_short(y->dtype));
	if (!k)
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_i(k, x->dtype == y->dtype ? value_nbytes(y) : value_numel(y));
	if (x->dtype != y->dtype && (dt_is_float8(y->dtype) || y->dtype == DT_FLOAT8E8M0))
		kcall_i(k, attr_i(n, "saturate", 1) != 0);
	if (x->dtype != y->dtype && (x->dtype == DT_STRING || y->dtype == DT_STRING))
		kcall_i(k, dt_string_bytes());
	if (x->dtype != y->dtype && y->dtype == DT_STRING)
		kcall_checks(k);	/* a text longer than a record */
	if (x->dtype != y->dtype && y->dtype == DT_FLOAT8E8M0)
		kcall_i(k, e8m0_round_mode(n));
	return 0;
}

/* BitCast (opset 26): the same bytes under another element type of the same
 * width, so the same shape. */
int bitcast_infer(Node *n)
{
	Value *x = n->in[0];
	int to;

	if (!node_attr(n, "to"))
		return node_error(n, "attribute 'to' is missing");
	to = (int)attr_i(n, "to", 0);
	if (!castable(x->dtype))
		return node_error(n, "cannot bitcast from element type %s (%d): not supported",
				  dt_name(x->dtype), x->dtype);
	if (!castable(to))
		return node_error(n, "cannot bitcast to element type %s (%d): not supported",
				  dt_name(to), to);
	if (dt_size(to) != dt_size(x->dtype))
		return node_error(n, "cannot bitcast %s (%d bytes) to %s (%d bytes): widths differ",
				  dt_name(x->dtype), dt_size(x->dtype), dt_name(to), dt_size(to));
	return set_out(n, 0, to, x->rank, x->dims);
}

int bitcast_lower(Node *n, Lower *L)
{
	return lower_copy(L, n->in[0], n->out[0]);
}
