/* strings.c: string tensors (templates/strops.h).  Equal on strings,
 * StringConcat, StringSplit, StringNormalizer and ai.onnx.ml LabelEncoder and
 * CategoryMapper;
 * RegexFullMatch is in regex.c.
 *
 * A string element is a record of dt_string_bytes() bytes (ir.h), so string
 * tensors live in the arena like any other and views move them as bytes.
 * String constants of the model (initializers, attributes) that do not fit a
 * record are compile errors; results that do not fit make the run function
 * return ERR_STRING.  StringSplit's last dimension and StringNormalizer's
 * kept count depend on the data: from constant inputs they are computed here,
 * otherwise they are the shapes the model declares and the kernels check
 * them (ERR_SHAPE).
 *
 * Case mapping (StringNormalizer) covers ASCII letters; other UTF-8 bytes
 * pass through unchanged, whatever the locale attribute says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_util.h"
#include "onnxcc_rt.h"
#include "elementwise.h"
#include "strops.h"

/* Input i must be a string tensor. */
static int need_string(const Node *n, int i)
{
	if (n->in[i]->dtype != DT_STRING)
		return node_error(n, "input %d ('%s') has element type %s, expected string", i,
				  n->in[i]->name, dt_name(n->in[i]->dtype));
	return 0;
}

/* Every string of a list attribute must fit a record. */
static int check_fit(const Node *n, const char *attr, char *const *s, const size_t *len, int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (len[i] >= (size_t)dt_string_bytes() || memchr(s[i], 0, len[i]))
			return node_error(n, "attribute '%s': string %d has %zu bytes; string records "
					  "hold at most %d without NUL bytes (raise --string-bytes)",
					  attr, i, len[i], dt_string_bytes() - 1);
	return 0;
}

/* Records of count strings (malloc'd, count >= 1 bytes-wise). */
static char *records(char *const *s, const size_t *len, int count)
{
	size_t S = (size_t)dt_string_bytes();
	char *d = xcalloc((size_t)(count ? count : 1), S);
	int i;

	for (i = 0; i < count; i++)
		if (dt_put_string(d + i * S, s[i], len[i]) != 0)
			die("string attribute not checked");
	return d;
}

/* A constant scratch tensor of count elements of dtype holding data (owned). */
static Value *const_buf(Lower *L, int dtype, int64_t count, void *data)
{
	Value *v = lower_temp(L, dtype, 1, &count);

	value_set_const(v, data, 0);
	return v;
}

/* Equal on strings (called by binary_lower): one broadcasting compare. */
int str_equal_lower(Node *n, Lower *L)
{
	Value *ins[2] = {n->in[0], n->in[1]};
	KCall *k;

	if (n->version < 11)
		return node_error(n, "compares strings only from opset 11");
	if (!(k = lower_call(L, "str_equal__scalar")))
		return -1;
	kcall_buf(k, n->in[0]);
	kcall_buf(k, n->in[1]);
	kcall_buf(k, n->out[0]);
	kcall_broadcast(k, n->out[0], ins, 2);
	kcall_i(k, dt_string_bytes());
	return 0;
}

/* StringConcat ------------------------------------------------------------- */

int strconcat_infer(Node *n)
{
	int64_t dims[IR_MAX_RANK];
	int rank;

	if (need_string(n, 0) != 0 || need_string(n, 1) != 0 ||
	    broadcast_shapes(n, n->in, 2, &rank, dims) != 0)
		return -1;
	return set_out(n, 0, DT_STRING, rank, dims);
}

int strconcat_lower(Node *n, Lower *L)
{
	KCall *k;

	if (value_numel(n->out[0]) == 0)
		return 0;
	if (!(k = lower_call(L, "str_concat__scalar")))
		return -1;
	kcall_buf(k, n->in[0]);
	kcall_buf(k, n->in[1]);
	kcall_buf(k, n->out[0]);
	kcall_broadcast(k, n->out[0], n->in, 2);
	kcall_i(k, dt_string_bytes());
	kcall_checks(k);
	return 0;
}

/* StringSplit -------------------------------------------------------------- */

/* The delimiter (NULL: split at white space) and maxsplit (-1: no limit). */
static int split_attrs(const Node *n, const Attr **delim, int64_t *maxsplit)
{
	const Attr *d = node_attr(n, "delimiter");

	*delim = d && d->type == AT_STRING && d->slen > 0 ? d : NULL;
	*maxsplit = node_attr(n, "maxsplit") ? attr_i(n, "maxsplit", -1) : -1;
	if (*maxsplit < 0 && node_attr(n, "maxsplit"))
		return node_error(n, "maxsplit is %lld, expected at least 0", (long long)*maxsplit);
	if (*delim && check_fit(n, "delimiter", &(*delim)->s, &(*delim)->slen, 1) != 0)
		return -1;
	return 0;
}

int strsplit_infer(Node *n)
{
	Value *x = n->in[0], *y = n->out[0];
	const Attr *d;
	int64_t maxsplit, dims[IR_MAX_RANK], i, most = 0, S = dt_string_bytes();
	int r = x->rank;

	if (need_string(n, 0) != 0 || split_attrs(n, &d, &maxsplit) != 0)
		return -1;
	if (r + 1 > IR_MAX_RANK)
		return node_error(n, "input rank %d leaves no room for the pieces' dimension", r);
	memcpy(dims, x->dims, sizeof(int64_t) * r);
	if (x->data) {
		for (i = 0; i < value_numel(x); i++) {
			const char *s = (const char *)x->data + (x->is_splat ? 0 : i) * S;
			int64_t c = onnxcc_str_split1(s, onnxcc_str_len(s, S), d ? d->s : "",
						      d ? (int64_t)d->slen : 0, maxsplit, NULL, S, 0);
			most = c > most ? c : most;
		}
		dims[r] = most;
	} else if (value_numel(x) == 0) {
		dims[r] = 0;
	} else {
		if (y->decl_rank != r + 1 || memcmp(y->decl_dims, x->dims, sizeof(int64_t) * r))
			return node_error(n, "the number of pieces depends on the input '%s': the model "
					  "must declare output '%s' as its shape plus one dimension",
					  x->name, y->name);
		dims[r] = y->decl_dims[r];
	}
	if (set_out(n, 0, DT_STRING, r + 1, dims) != 0)
		return -1;
	return n->nout > 1 ? set_out(n, 1, DT_INT64, r, x->dims) : 0;
}

int strsplit_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *len = n->nout > 1 ? n->out[1] : NULL;
	const Attr *d;
	int64_t maxsplit, S = dt_string_bytes();
	char *rec = xcalloc(1, (size_t)S);
	KCall *k;

	if (split_attrs(n, &d, &maxsplit) != 0) {
		free(rec);
		return -1;
	}
	if (value_numel(x) == 0) {
		free(rec);
		return 0;
	}
	if (d)
		memcpy(rec, d->s, d->slen);
	if (!len)
		len = lower_temp(L, DT_INT64, x->rank, x->dims);
	if (!(k = lower_call(L, "str_split__scalar"))) {
		free(rec);
		return -1;
	}
	kcall_buf(k, x);
	kcall_buf(k, const_buf(L, DT_STRING, 1, rec));
	kcall_buf(k, y);
	kcall_buf(k, len);
	kcall_i(k, value_numel(x));
	kcall_i(k, S);
	kcall_i(k, y->dims[y->rank - 1]);
	kcall_i(k, maxsplit);
	kcall_i(k, d == NULL);
	kcall_checks(k);
	return 0;
}

/* StringNormalizer --------------------------------------------------------- */

/* Case action: 0 NONE, 1 LOWER, 2 UPPER; -1 after an error. */
static int case_action(const Node *n)
{
	const char *a = attr_s(n, "case_change_action", "NONE");

	if (strcmp(a, "NONE") == 0)
		return 0;
	if (strcmp(a, "LOWER") == 0)
		return 1;
	if (strcmp(a, "UPPER") == 0)
		return 2;
	return node_error(n, "case_change_action is '%s', expected NONE, LOWER or UPPER", a);
}

/* Stop words as records (malloc'd) and their count; -1 after an error. */
static int stopwords(const Node *n, char **rec)
{
	char *const *s;
	const size_t *len;
	int count = attr_strings(n, "stopwords", &s, &len);

	if (count < 0)
		count = 0;
	if (check_fit(n, "stopwords", s, len, count) != 0)
		return -1;
	*rec = records(s, len, count);
	return count;
}

int strnorm_infer(Node *n)
{
	Value *x = n->in[0], *y = n->out[0];
	int64_t C, K, i, S = dt_string_bytes(), dims[2] = {1, 0};
	char *w = NULL;
	int nstop, cs = attr_i(n, "is_case_sensitive", 0) != 0;

	if (need_string(n, 0) != 0 || case_action(n) < 0 || (nstop = stopwords(n, &w)) < 0)
		return -1;
	if (x->rank != 1 && !(x->rank == 2 && x->dims[0] == 1)) {
		free(w);
		return node_error(n, "input '%s' must have shape [C] or [1, C]", x->name);
	}
	C = x->dims[x->rank - 1];
	if (x->data) {
		for (i = 0, K = 0; i < C; i++)
			K += !onnxcc_str_stop((const char *)x->data + (x->is_splat ? 0 : i) * S, w,
					      nstop, S, cs);
	} else if (nstop == 0) {
		K = C;
	} else if (y->decl_rank == x->rank && (x->rank == 1 || y->decl_dims[0] == 1)) {
		K = y->decl_dims[x->rank - 1];
	} else {
		free(w);
		return node_error(n, "how many elements remain depends on the input '%s': the model "
				  "must declare the shape of output '%s'", x->name, y->name);
	}
	free(w);
	dims[x->rank - 1] = K ? K : 1;
	return set_out(n, 0, DT_STRING, x->rank, dims);
}

int strnorm_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	char *w;
	int nstop = stopwords(n, &w);
	KCall *k;

	if (nstop < 0)
		return -1;
	if (!(k = lower_call(L, "str_normalize__scalar"))) {
		free(w);
		return -1;
	}
	kcall_buf(k, x);
	kcall_buf(k, const_buf(L, DT_STRING, nstop ? nstop : 1, w));
	kcall_buf(k, y);
	kcall_i(k, value_numel(x));
	kcall_i(k, dt_string_bytes());
	kcall_i(k, nstop);
	kcall_i(k, case_action(n));
	kcall_i(k, attr_i(n, "is_case_sensitive", 0) != 0);
	kcall_i(k, value_numel(y));
	kcall_checks(k);
	return 0;
}

/* LabelEncoder (ai.onnx.ml) ------------------------------------------------- */

/* One side of the map (keys or values) or the default: its element type,
 * count and data (malloc'd). */
typedef struct Side {
	int dtype;
	int64_t count;
	void *data;
} Side;

static int encodable(int dt)
{
	return dt == DT_STRING || dt == DT_FLOAT || dt == DT_DOUBLE || dt_is_int(dt);
}

/* keys_* or values_* ("keys"/"values"): exactly one must be set. */
static int map_side(const Node *n, const char *side, Side *o)
{
	char name[32];
	const Attr *a, *found = NULL;
	static const char *const kinds[] = {"strings", "int64s", "floats", "tensor"};
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof name, "%s_%s", side, kinds[i]);
		if ((a = node_attr(n, name))) {
			if (found)
				return node_error(n, "sets both %s and %s", found->name, a->name);
			found = a;
		}
	}
	if (!found)
		return node_error(n, "sets none of %s_strings, %s_int64s, %s_floats, %s_tensor",
				  side, side, side, side);
	a = found;
	if (a->type == AT_STRINGS) {
		if (check_fit(n, a->name, a->strs, a->slens, a->n) != 0)
			return -1;
		*o = (Side){DT_STRING, a->n, records(a->strs, a->slens, a->n)};
	} else if (a->type == AT_INTS) {
		*o = (Side){DT_INT64, a->n, xcalloc(a->n ? a->n : 1, 8)};
		memcpy(o->data, a->ints, 8 * (size_t)a->n);
	} else if (a->type == AT_FLOATS) {
		float *f = xcalloc(a->n ? a->n : 1, sizeof(float));
		for (i = 0; i < a->n; i++)
			f[i] = (float)a->floats[i];
		*o = (Side){DT_FLOAT, a->n, f};
	} else if (a->type == AT_TENSOR && a->t->rank == 1 && encodable(a->t->dtype)) {
		int64_t nb = value_nbytes(a->t);
		*o = (Side){a->t->dtype, value_numel(a->t), memcpy(xmalloc((size_t)nb + 1), a->t->data,
								    (size_t)nb)};
	} else {
		return node_error(n, "attribute '%s' must be a list or a one-dimensional tensor of "
				  "strings, integers or floats", a->name);
	}
	return 0;
}

/* The default value, of the values' type. */
static int map_default(const Node *n, int dt, Side *o)
{
	const Attr *t = node_attr(n, "default_tensor");
	size_t S = (size_t)dt_string_bytes();

	*o = (Side){dt, 1, xcalloc(1, (size_t)dt_size(dt) + 8)};
	if (t && t->type == AT_TENSOR) {
		if (t->t->dtype != dt || value_numel(t->t) != 1)
			return node_error(n, "default_tensor must hold one %s", dt_name(dt));
		memcpy(o->data, t->t->data, (size_t)dt_size(dt));
	} else if (dt == DT_STRING) {
		const Attr *a = node_attr(n, "default_string");
		char *s = a && a->type == AT_STRING ? a->s : "_Unused";
		size_t len = a && a->type == AT_STRING ? a->slen : 7;
		if (check_fit(n, "default_string", &s, &len, 1) != 0)
			return -1;
		memcpy(o->data, s, len < S ? len : S - 1);
	} else if (dt == DT_FLOAT) {
		*(float *)o->data = (float)attr_f(n, "default_float", -0.0);
	} else if (dt == DT_DOUBLE) {
		*(double *)o->data = -0.0;
	} else {
		int64_t v = dt == DT_INT64 ? attr_i(n, "default_int64", -1) : -1;
		memcpy(o->data, &v, (size_t)dt_size(dt));	/* little-endian truncation */
	}
	return 0;
}

static void sides_free(Side *a, Side *b, Side *c)
{
	free(a->data);
	free(b->data);
	free(c->data);
}

/* Keys, values and default, checked against the input; -1 after an error. */
static int labelenc_map(const Node *n, Side *keys, Side *vals, Side *dflt)
{
	*keys = *vals = *dflt = (Side){0, 0, NULL};
	if (map_side(n, "keys", keys) != 0 || map_side(n, "values", vals) != 0 ||
	    map_default(n, vals->dtype, dflt) != 0)
		goto fail;
	if (keys->count != vals->count) {
		node_error(n, "has %lld keys and %lld values", (long long)keys->count,
			   (long long)vals->count);
		goto fail;
	}
	if (keys->dtype != n->in[0]->dtype) {
		node_error(n, "keys are %s, input '%s' is %s", dt_name(keys->dtype), n->in[0]->name,
			   dt_name(n->in[0]->dtype));
		goto fail;
	}
	return 0;
fail:
	sides_free(keys, vals, dflt);
	return -1;
}

int labelenc_infer(Node *n)
{
	Side k, v, d;
	Value *x = n->in[0];

	if (labelenc_map(n, &k, &v, &d) != 0)
		return -1;
	sides_free(&k, &v, &d);
	return set_out(n, 0, v.dtype, x->rank, x->dims);
}

/* One call of the map kernel for the input's key type; owns the sides' data. */
static int lower_map(Node *n, Lower *L, Side *k, Side *v, Side *d)
{
	Value *x = n->in[0], *y = n->out[0], *dv;
	const char *kind = x->dtype == DT_STRING ? "str" : x->dtype == DT_FLOAT ? "f32"
			 : x->dtype == DT_DOUBLE ? "f64" : "xb";
	KCall *c;

	if (!(c = lower_callf(L, "%s_labelenc__scalar", kind))) {
		sides_free(k, v, d);
		return -1;
	}
	dv = const_buf(L, v->dtype, 1, d->data);
	kcall_buf(c, x);
	if (k->count) {
		kcall_buf(c, const_buf(L, k->dtype, k->count, k->data));
		kcall_buf(c, const_buf(L, v->dtype, v->count, v->data));
	} else {
		/* No keys: every element gets the default. */
		free(k->data);
		free(v->data);
		kcall_buf(c, x);
		kcall_buf(c, dv);
	}
	kcall_buf(c, dv);
	kcall_buf(c, y);
	kcall_i(c, value_numel(x));
	kcall_i(c, k->count);
	kcall_i(c, dt_size(x->dtype));
	kcall_i(c, dt_size(v->dtype));
	return 0;
}

int labelenc_lower(Node *n, Lower *L)
{
	Side k, v, d;

	if (value_numel(n->out[0]) == 0)
		return 0;
	if (labelenc_map(n, &k, &v, &d) != 0)
		return -1;
	return lower_map(n, L, &k, &v, &d);
}

/* CategoryMapper (ai.onnx.ml) ----------------------------------------------- */

/* cats_strings -> cats_int64s for a string input, the reverse for int64. */
static int catmap_map(const Node *n, Side *keys, Side *vals, Side *dflt)
{
	const Attr *s = node_attr(n, "cats_strings"), *i = node_attr(n, "cats_int64s");
	Side str, num;
	int to_int = n->in[0]->dtype == DT_STRING;

	if (!to_int && n->in[0]->dtype != DT_INT64)
		return node_error(n, "input '%s' is %s, expected string or int64", n->in[0]->name,
				  dt_name(n->in[0]->dtype));
	if (!s || s->type != AT_STRINGS || !i || i->type != AT_INTS || s->n != i->n)
		return node_error(n, "needs cats_strings and cats_int64s of the same length");
	if (check_fit(n, "cats_strings", s->strs, s->slens, s->n) != 0)
		return -1;
	str = (Side){DT_STRING, s->n, records(s->strs, s->slens, s->n)};
	num = (Side){DT_INT64, i->n, memcpy(xcalloc(i->n ? i->n : 1, 8), i->ints, 8 * (size_t)i->n)};
	*keys = to_int ? str : num;
	*vals = to_int ? num : str;
	if (map_default(n, vals->dtype, dflt) != 0) {
		free(str.data);
		free(num.data);
		return -1;
	}
	return 0;
}

int catmap_infer(Node *n)
{
	Side k, v, d;
	Value *x = n->in[0];

	if (catmap_map(n, &k, &v, &d) != 0)
		return -1;
	sides_free(&k, &v, &d);
	return set_out(n, 0, v.dtype, x->rank, x->dims);
}

int catmap_lower(Node *n, Lower *L)
{
	Side k, v, d;

	if (value_numel(n->out[0]) == 0)
		return 0;
	if (catmap_map(n, &k, &v, &d) != 0)
		return -1;
	return lower_map(n, L, &k, &v, &d);
}
