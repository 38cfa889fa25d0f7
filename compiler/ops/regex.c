/* regex.c: RegexFullMatch.  The pattern (RE2 syntax) is compiled here into a
 * program for the Pike VM of templates/strops.h, which runs it over the code
 * points of each string in linear time, with no recursion and no heap.
 *
 * Supported: literals (UTF-8), '.', classes [...] with ranges and negation,
 * \d \D \w \W \s \S (ASCII, as RE2), \b \B, \A \z, ^ $ (text start and end),
 * escapes \n \t \r \f \v \a \xHH \x{H...} and escaped punctuation, groups
 * ( ), (?: ), (?P<name> ), (?<name> ), alternation |, quantifiers * + ?
 * {n} {n,} {n,m} (lazy forms too: the same for a full match).  Flags (?i)
 * and the like, \p{..} classes, POSIX [:classes:] and \C are refused with a
 * message naming them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_util.h"
#include "onnxcc_rt.h"
#include "strops.h"

#define RX_MAX_PROG 20000   /* instructions after expanding {n,m} */
#define RX_MAX_REPEAT 1000  /* RE2's limit on n and m */
#define RX_MAX_DEPTH 200    /* nesting of groups */
#define RX_MAX_PATTERN 4096 /* bytes of pattern (the parser and generator recurse) */

enum { RX_CHAR, RX_ANY, RX_CLASS, RX_CAT, RX_ALT, RX_REP, RX_ASSERT, RX_EMPTY };

typedef struct RxNode {
	int kind;
	int64_t a;       /* code point, class offset or assertion */
	int l, r;        /* children (CAT, ALT; REP uses l) */
	int lo, hi;      /* REP bounds, hi -1: no limit */
} RxNode;

typedef struct Rx {
	const Node *n;
	const char *s;
	size_t len, pos;
	int depth;
	RxNode *nodes;
	int nnodes;
	int64_t *cls, ncls;     /* class data: {negated, nranges, lo, hi, ...} per class */
	int64_t *prog, nprog;   /* 3 per instruction */
	int err;
} Rx;

static int rx_fail(Rx *x, const char *what)
{
	if (!x->err)
		node_error(x->n, "pattern '%.*s%s': %s at offset %zu", x->len > 60 ? 57 : (int)x->len,
			   x->s, x->len > 60 ? "..." : "", what, x->pos);
	x->err = 1;
	return -1;
}

static int rx_node(Rx *x, int kind, int64_t a, int l, int r)
{
	x->nodes = xrealloc(x->nodes, (size_t)(x->nnodes + 1) * sizeof(RxNode));
	x->nodes[x->nnodes] = (RxNode){kind, a, l, r, 0, 0};
	return x->nnodes++;
}

static void cls_push(Rx *x, int64_t v)
{
	x->cls = xrealloc(x->cls, (size_t)(x->ncls + 1) * sizeof(int64_t));
	x->cls[x->ncls++] = v;
}

/* A growing list of code point ranges. */
typedef struct Ranges {
	int64_t lo[512], hi[512];
	int n;
} Ranges;

static int range_add(Rx *x, Ranges *r, int64_t lo, int64_t hi)
{
	if (r->n == 512)
		return rx_fail(x, "character class too large");
	r->lo[r->n] = lo;
	r->hi[r->n++] = hi;
	return 0;
}

/* The ranges of \d, \w, \s (kind 'd', 'w', 's'), or their complement. */
static int range_perl(Rx *x, Ranges *r, int kind, int neg)
{
	static const int64_t d[] = {'0', '9'}, w[] = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
	static const int64_t s[] = {'\t', '\n', '\f', '\r', ' ', ' '};
	const int64_t *t = kind == 'd' ? d : kind == 'w' ? w : s;
	int n = kind == 'd' ? 1 : kind == 'w' ? 4 : 3, i;
	int64_t next = 0;

	for (i = 0; i < n; i++) {
		if (!neg && range_add(x, r, t[2 * i], t[2 * i + 1]) != 0)
			return -1;
		if (neg && t[2 * i] > next && range_add(x, r, next, t[2 * i] - 1) != 0)
			return -1;
		next = t[2 * i + 1] + 1;
	}
	return neg ? range_add(x, r, next, 0x10ffff) : 0;
}

/* A class node for the ranges. */
static int class_node(Rx *x, const Ranges *r, int neg)
{
	int64_t off = x->ncls;
	int i;

	cls_push(x, neg);
	cls_push(x, r->n);
	for (i = 0; i < r->n; i++) {
		cls_push(x, r->lo[i]);
		cls_push(x, r->hi[i]);
	}
	return rx_node(x, RX_CLASS, off, -1, -1);
}

/* The next code point of the pattern (UTF-8). */
static int64_t rx_char(Rx *x)
{
	int64_t len, cp = onnxcc_utf8_at(x->s, (int64_t)x->pos, (int64_t)x->len, &len);

	x->pos += (size_t)len;
	return cp;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* After a backslash: a single code point (return >= 0), or a class kind in
 * *perl ('d', 'D', ...), or an assertion in *as. */
static int64_t rx_escape(Rx *x, int *perl, int *as, int in_class)
{
	int c, h;
	int64_t v = 0;

	*perl = *as = 0;
	if (x->pos >= x->len)
		return rx_fail(x, "trailing backslash");
	c = (unsigned char)x->s[x->pos++];
	switch (c) {
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
		*perl = c;
		return 0;
	case 'b': case 'B': case 'A': case 'z':
		if (in_class)
			return rx_fail(x, "assertion inside a character class");
		*as = c;
		return 0;
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'v': return '\v';
	case 'a': return 7;
	case 'x':
		if (x->pos < x->len && x->s[x->pos] == '{') {
			for (x->pos++; x->pos < x->len && (h = hexval(x->s[x->pos])) >= 0; x->pos++)
				if ((v = v * 16 + h) > 0x10ffff)
					return rx_fail(x, "\\x{...} out of range");
			if (x->pos >= x->len || x->s[x->pos++] != '}')
				return rx_fail(x, "bad \\x{...} escape");
			return v;
		}
		if (x->pos + 2 > x->len || hexval(x->s[x->pos]) < 0 || hexval(x->s[x->pos + 1]) < 0)
			return rx_fail(x, "bad \\x escape");
		v = hexval(x->s[x->pos]) * 16 + hexval(x->s[x->pos + 1]);
		x->pos += 2;
		return v;
	}
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
		x->pos--;
		return rx_fail(x, "this escape is not supported by onnxcc's matcher");
	}
	if (c >= 0x80) {
		x->pos--;
		return rx_char(x);
	}
	return c;
}

/* [...] after the '['. */
static int rx_class(Rx *x)
{
	Ranges r = {{0}, {0}, 0};
	int neg = 0, first = 1, perl, as;
	int64_t lo, hi;

	if (x->pos < x->len && x->s[x->pos] == '^') {
		neg = 1;
		x->pos++;
	}
	for (;;) {
		if (x->pos >= x->len)
			return rx_fail(x, "missing ']'");
		if (x->s[x->pos] == ']' && !first)
			break;
		first = 0;
		if (x->s[x->pos] == '[' && x->pos + 1 < x->len && x->s[x->pos + 1] == ':')
			return rx_fail(x, "POSIX classes [:...:] are not supported by onnxcc's matcher");
		if (x->s[x->pos] == '\\') {
			x->pos++;
			if ((lo = rx_escape(x, &perl, &as, 1)) < 0)
				return -1;
			if (perl) {
				if (range_perl(x, &r, perl | 0x20, perl < 'a') != 0)
					return -1;
				continue;
			}
		} else {
			lo = rx_char(x);
		}
		hi = lo;
		if (x->pos + 1 < x->len && x->s[x->pos] == '-' && x->s[x->pos + 1] != ']') {
			x->pos++;
			if (x->s[x->pos] == '\\') {
				x->pos++;
				if ((hi = rx_escape(x, &perl, &as, 1)) < 0)
					return -1;
				if (perl)
					return rx_fail(x, "bad character class range");
			} else {
				hi = rx_char(x);
			}
			if (hi < lo)
				return rx_fail(x, "bad character class range");
		}
		if (range_add(x, &r, lo, hi) != 0)
			return -1;
	}
	x->pos++;
	return class_node(x, &r, neg);
}

static int rx_alt(Rx *x);

/* One atom, or -1. */
static int rx_atom(Rx *x)
{
	int c = (unsigned char)x->s[x->pos], perl, as, e;
	int64_t v;
	Ranges r = {{0}, {0}, 0};

	switch (c) {
	case '(':
		x->pos++;
		if (x->pos < x->len && x->s[x->pos] == '?') {
			if (x->pos + 1 < x->len && x->s[x->pos + 1] == ':') {
				x->pos += 2;
			} else if (x->pos + 1 < x->len && (x->s[x->pos + 1] == 'P' || x->s[x->pos + 1] == '<')) {
				const char *gt = memchr(x->s + x->pos, '>', x->len - x->pos);
				if (!gt)
					return rx_fail(x, "bad named group");
				x->pos = (size_t)(gt - x->s) + 1;
			} else {
				return rx_fail(x, "flags and other (?...) groups are not supported by "
					       "onnxcc's matcher");
			}
		}
		if (++x->depth > RX_MAX_DEPTH)
			return rx_fail(x, "groups nested too deeply");
		e = rx_alt(x);
		x->depth--;
		if (e < 0)
			return -1;
		if (x->pos >= x->len || x->s[x->pos] != ')')
			return rx_fail(x, "missing ')'");
		x->pos++;
		return e;
	case '[':
		x->pos++;
		return rx_class(x);
	case '.':
		x->pos++;
		return rx_node(x, RX_ANY, 0, -1, -1);
	case '^':
		x->pos++;
		return rx_node(x, RX_ASSERT, ONNXCC_RE_BOL, -1, -1);
	case '$':
		x->pos++;
		return rx_node(x, RX_ASSERT, ONNXCC_RE_EOL, -1, -1);
	case '*': case '+': case '?':
		return rx_fail(x, "missing argument to repetition operator");
	case '\\':
		x->pos++;
		if ((v = rx_escape(x, &perl, &as, 0)) < 0)
			return -1;
		if (perl) {
			if (range_perl(x, &r, perl | 0x20, perl < 'a') != 0)
				return -1;
			return class_node(x, &r, 0);
		}
		if (as)
			return rx_node(x, RX_ASSERT, as == 'b' ? ONNXCC_RE_WORDB : as == 'B' ? ONNXCC_RE_NWORDB
						     : as == 'A' ? ONNXCC_RE_BOL : ONNXCC_RE_EOL, -1, -1);
		return rx_node(x, RX_CHAR, v, -1, -1);
	}
	return rx_node(x, RX_CHAR, rx_char(x), -1, -1);
}

/* A decimal number at s[*p] (clamped, so that a huge one is "too large"), or -1. */
static long rx_number(const Rx *x, size_t *p)
{
	long v = -1;

	for (; *p < x->len && x->s[*p] >= '0' && x->s[*p] <= '9'; (*p)++)
		v = v < 0 ? x->s[*p] - '0' : v > 100000 ? v : v * 10 + (x->s[*p] - '0');
	return v;
}

/* {n}, {n,}, {n,m} at x->pos: 1 and the bounds, or 0 if it is not one (then a literal '{'). */
static int rx_braces(Rx *x, int *lo, int *hi)
{
	size_t p = x->pos + 1;
	long a = rx_number(x, &p), b = a;

	if (a < 0 || p >= x->len)
		return 0;
	if (x->s[p] == ',') {
		p++;
		b = rx_number(x, &p);
	}
	if (p >= x->len || x->s[p] != '}')
		return 0;
	x->pos = p + 1;
	*lo = (int)a;
	*hi = (int)b;
	return 1;
}

/* An atom with its quantifier. */
static int rx_rep(Rx *x)
{
	int e = rx_atom(x), lo, hi, q;

	if (e < 0 || x->pos >= x->len)
		return e;
	q = (unsigned char)x->s[x->pos];
	if (q == '*' || q == '+' || q == '?') {
		x->pos++;
		lo = q == '+';
		hi = q == '?' ? 1 : -1;
	} else if (q != '{' || !rx_braces(x, &lo, &hi)) {
		return e;
	}
	if (lo > RX_MAX_REPEAT || hi > RX_MAX_REPEAT || (hi >= 0 && hi < lo))
		return rx_fail(x, "bad repetition count");
	if (x->pos < x->len && x->s[x->pos] == '?')
		x->pos++;	/* lazy: the same set of full matches */
	if (x->pos < x->len && strchr("*+?", x->s[x->pos]))
		return rx_fail(x, "bad repetition operator");
	e = rx_node(x, RX_REP, 0, e, -1);
	x->nodes[e].lo = lo;
	x->nodes[e].hi = hi;
	return e;
}

static int rx_cat(Rx *x)
{
	int e = -1, a;

	while (x->pos < x->len && x->s[x->pos] != '|' && x->s[x->pos] != ')') {
		if ((a = rx_rep(x)) < 0)
			return -1;
		e = e < 0 ? a : rx_node(x, RX_CAT, 0, e, a);
	}
	return e < 0 ? rx_node(x, RX_EMPTY, 0, -1, -1) : e;
}

static int rx_alt(Rx *x)
{
	int e = rx_cat(x), b;

	while (e >= 0 && x->pos < x->len && x->s[x->pos] == '|') {
		x->pos++;
		if ((b = rx_cat(x)) < 0)
			return -1;
		e = rx_node(x, RX_ALT, 0, e, b);
	}
	return e;
}

/* Append an instruction; its index, or -1 when the program is too large. */
static int64_t emit(Rx *x, int64_t op, int64_t a, int64_t b)
{
	if (x->nprog == RX_MAX_PROG)
		return rx_fail(x, "the pattern is too large once its counted repetitions are expanded");
	x->prog = xrealloc(x->prog, (size_t)(x->nprog + 1) * 3 * sizeof(int64_t));
	x->prog[3 * x->nprog] = op;
	x->prog[3 * x->nprog + 1] = a;
	x->prog[3 * x->nprog + 2] = b;
	return x->nprog++;
}

static int gen(Rx *x, int e)
{
	const RxNode *nd = &x->nodes[e];
	int64_t s, j, i, k, *opt;

	switch (nd->kind) {
	case RX_CHAR: return emit(x, ONNXCC_RE_CHAR, nd->a, 0) < 0 ? -1 : 0;
	case RX_ANY: return emit(x, ONNXCC_RE_ANY, 0, 0) < 0 ? -1 : 0;
	case RX_CLASS: return emit(x, ONNXCC_RE_CLASS, nd->a, 0) < 0 ? -1 : 0;
	case RX_ASSERT: return emit(x, ONNXCC_RE_ASSERT, nd->a, 0) < 0 ? -1 : 0;
	case RX_EMPTY: return 0;
	case RX_CAT: return gen(x, nd->l) != 0 ? -1 : gen(x, nd->r);
	case RX_ALT:
		if ((s = emit(x, ONNXCC_RE_SPLIT, x->nprog + 1, 0)) < 0 || gen(x, nd->l) != 0 ||
		    (j = emit(x, ONNXCC_RE_JMP, 0, 0)) < 0)
			return -1;
		x->prog[3 * s + 2] = x->nprog;
		if (gen(x, nd->r) != 0)
			return -1;
		x->prog[3 * j + 1] = x->nprog;
		return 0;
	}
	/* RX_REP: lo copies, then a loop or hi - lo optional copies. */
	for (i = 0; i < nd->lo; i++)
		if (gen(x, nd->l) != 0)
			return -1;
	if (nd->hi < 0) {
		if ((s = emit(x, ONNXCC_RE_SPLIT, x->nprog + 1, 0)) < 0 || gen(x, nd->l) != 0 ||
		    emit(x, ONNXCC_RE_JMP, s, 0) < 0)
			return -1;
		x->prog[3 * s + 2] = x->nprog;
		return 0;
	}
	opt = xcalloc((size_t)(nd->hi - nd->lo + 1), sizeof(int64_t));
	for (i = 0; i < nd->hi - nd->lo; i++)
		if ((opt[i] = emit(x, ONNXCC_RE_SPLIT, x->nprog + 1, 0)) < 0 || gen(x, nd->l) != 0) {
			free(opt);
			return -1;
		}
	for (k = 0; k < i; k++)
		x->prog[3 * opt[k] + 2] = x->nprog;
	free(opt);
	return 0;
}

/* Compile the node's pattern into x->prog and x->cls; -1 after an error. */
static int rx_compile(const Node *n, Rx *x)
{
	const Attr *a = node_attr(n, "pattern");
	int e;

	memset(x, 0, sizeof *x);
	x->n = n;
	if (!a || a->type != AT_STRING)
		return node_error(n, "has no pattern attribute");
	x->s = a->s;
	x->len = a->slen;
	if (memchr(a->s, 0, a->slen))
		return node_error(n, "pattern holds a NUL byte");
	if (a->slen > RX_MAX_PATTERN)
		return node_error(n, "pattern has %zu bytes, onnxcc's matcher takes at most %d",
				  a->slen, RX_MAX_PATTERN);
	e = rx_alt(x);
	if (e >= 0 && x->pos < x->len)
		e = rx_fail(x, "unmatched ')'");
	if (e < 0 || gen(x, e) != 0 || emit(x, ONNXCC_RE_MATCH, 0, 0) < 0) {
		free(x->nodes);
		free(x->cls);
		free(x->prog);
		return -1;
	}
	free(x->nodes);
	return 0;
}

int regex_infer(Node *n)
{
	Value *x = n->in[0];
	Rx rx;

	if (x->dtype != DT_STRING)
		return node_error(n, "input '%s' has element type %s, expected string", x->name,
				  dt_name(x->dtype));
	if (rx_compile(n, &rx) != 0)
		return -1;
	free(rx.cls);
	free(rx.prog);
	return set_out(n, 0, DT_BOOL, x->rank, x->dims);
}

int regex_lower(Node *n, Lower *L)
{
	Value *x = n->in[0];
	Rx rx;
	KCall *k;
	int64_t scratch;

	if (value_numel(x) == 0)
		return 0;
	if (rx_compile(n, &rx) != 0)
		return -1;
	scratch = 5 * rx.nprog + 2;
	if (!(k = lower_call(L, "str_regex__scalar"))) {
		free(rx.cls);
		free(rx.prog);
		return -1;
	}
	kcall_buf(k, x);
	kcall_buf(k, n->out[0]);
	kcall_buf(k, lower_temp(L, DT_INT64, 1, &scratch));
	kcall_i(k, value_numel(x));
	kcall_i(k, dt_string_bytes());
	kcall_i(k, rx.nprog);
	kcall_ints(k, rx.prog, (int)(3 * rx.nprog));
	if (rx.ncls)
		kcall_ints(k, rx.cls, (int)rx.ncls);
	free(rx.cls);
	free(rx.prog);
	return 0;
}
