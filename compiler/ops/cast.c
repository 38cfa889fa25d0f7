/* cast.c: Cast and CastLike.  Every pair of the element types with a C
 * representation converts through one <src>_to_<dst>__scalar kernel
 * (templates/cast.def), which for a float8 destination also takes the
 * `saturate` attribute (opset 19; 1 before); to and from strings through
 * templates/strcast.h (numbers only: bool and float8 are refused); complex
 * and the 4- and 2-bit types are reported as unsupported. */
#include "ops_util.h"

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
	if (x->dtype != y->dtype && dt_is_float8(y->dtype))
		kcall_i(k, attr_i(n, "saturate", 1) != 0);
	if (x->dtype != y->dtype && (x->dtype == DT_STRING || y->dtype == DT_STRING))
		kcall_i(k, dt_string_bytes());
	if (x->dtype != y->dtype && y->dtype == DT_STRING)
		kcall_checks(k);	/* a text longer than a record */
	return 0;
}
