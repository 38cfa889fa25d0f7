/* strops.h: kernels on string tensors (compiler/ops/strings.c, regex.c).
 *
 * A string element is a record of S bytes (onnxcc --string-bytes): UTF-8
 * text, NUL-terminated and zero-padded, so at most S - 1 bytes of text.  S is
 * a parameter of every kernel here.  A result that would not fit its record
 * sets *status to ONNXCC_ERR_STRING and leaves the record empty; nothing is
 * ever written past a record.
 *
 * equal:      b = {A, B, Y(bool)}, p = {broadcast (r, dims, sa, sb), S}
 * concat:     b = {A, B, Y, status}, p = {broadcast, S}
 * split:      b = {X, D(one record), Y, L(int64), status},
 *             p = {n, S, K, maxsplit (-1: none), by_whitespace}
 *             Y is [n, K]: the pieces padded with "", L the piece counts; a
 *             maximum count other than K is ONNXCC_ERR_SHAPE.
 * normalize:  b = {X, W(stopwords), Y, status},
 *             p = {n, S, nstop, action (0 none, 1 lower, 2 upper),
 *                  case_sensitive, K}
 *             Y gets the kept elements, case-changed (ASCII letters only; other
 *             bytes pass through); none kept gives one "".  A kept count other
 *             than K (1 when none) is ONNXCC_ERR_SHAPE.
 * regex:      b = {X, Y(bool), T(int64 scratch, 5 * nprog + 2)},
 *             p = {n, S, nprog, prog (3 * nprog: op, a, b), classes...}
 *             A Pike VM over code points: full match, linear time.
 * labelenc:   b = {X, Keys, Values, Default, Y}, p = {n, nkeys, ksize, vsize}
 *             the value of the last key equal to x, else the default; keys
 *             compare as strings, floats (NaN matches NaN) or bytes. */

/* Length of the text in a record of S bytes. */
ONNXCC_HELPER int64_t onnxcc_str_len(const char *s, int64_t S)
{
	int64_t n = 0;

	while (n < S && s[n])
		n++;
	return n;
}

/* Write len bytes of text into a record; 0 if they do not fit (record left empty). */
ONNXCC_HELPER int onnxcc_str_put(char *y, int64_t S, const char *a, int64_t la,
				 const char *b, int64_t lb)
{
	if (S <= 0)
		return 0;
	memset(y, 0, (size_t)S);
	if (la + lb > S - 1)
		return 0;
	if (la)
		memcpy(y, a, (size_t)la);
	if (lb)
		memcpy(y + la, b, (size_t)lb);
	return 1;
}

/* Broadcasting loop over two string operands (onnxcc_outer_offset is elementwise.h's). */
#define ONNXCC_STR_BROADCAST(BODY) \
	int64_t r = p[0], d, o, i, outer = 1; \
	const int64_t *dims = p + 1, *sa = p + 1 + r, *sb = p + 1 + 2 * r, S = p[1 + 3 * r]; \
	int64_t inner = dims[r - 1], ia = sa[r - 1], ib = sb[r - 1]; \
	(void)f; \
	for (d = 0; d < r - 1; d++) \
		outer *= dims[d]; \
	for (o = 0; o < outer; o++) { \
		const char *a0 = A + S * onnxcc_outer_offset(o, r, dims, sa); \
		const char *b0 = B + S * onnxcc_outer_offset(o, r, dims, sb); \
		for (i = 0; i < inner; i++) { \
			const char *x = a0 + S * i * ia, *y = b0 + S * i * ib; \
			int64_t at = o * inner + i; \
			BODY \
		} \
	}

#define ONNXCC_STR_EQUAL(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	const char *A = (const char *)b[0], *B = (const char *)b[1]; \
	uint8_t *Y = (uint8_t *)b[2]; \
	ONNXCC_STR_BROADCAST(Y[at] = strncmp(x, y, (size_t)S) == 0;) \
}

#define ONNXCC_STR_CONCAT(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	const char *A = (const char *)b[0], *B = (const char *)b[1]; \
	char *Y = (char *)b[2]; \
	int *status = (int *)b[3]; \
	ONNXCC_STR_BROADCAST( \
		if (!onnxcc_str_put(Y + S * at, S, x, onnxcc_str_len(x, S), y, onnxcc_str_len(y, S))) \
			*status = ONNXCC_ERR_STRING;) \
}

/* Python's str.isspace() on ASCII. */
ONNXCC_HELPER int onnxcc_str_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* Split text s (len n) like Python's str.split: by delimiter d (len nd) or, if
 * nd is 0, by runs of white space.  Calls piece(at, start, len) for piece
 * `at` when Y is not NULL (at < K); returns the piece count. */
ONNXCC_HELPER int64_t onnxcc_str_split1(const char *s, int64_t n, const char *d, int64_t nd,
					int64_t maxsplit, char *Y, int64_t S, int64_t K)
{
	int64_t cnt = 0, i = 0, start;

#define ONNXCC_STR_PIECE(st, len) \
	do { \
		if (Y && cnt < K) \
			onnxcc_str_put(Y + S * cnt, S, s + (st), (len), s, 0); \
		cnt++; \
	} while (0)
	if (nd > 0) {
		start = 0;
		while (i + nd <= n && (maxsplit < 0 || cnt < maxsplit)) {
			if (memcmp(s + i, d, (size_t)nd) == 0) {
				ONNXCC_STR_PIECE(start, i - start);
				i += nd;
				start = i;
			} else {
				i++;
			}
		}
		ONNXCC_STR_PIECE(start, n - start);
		return cnt;
	}
	for (;;) {
		while (i < n && onnxcc_str_space(s[i]))
			i++;
		if (i == n)
			break;
		if (maxsplit >= 0 && cnt == maxsplit) {
			ONNXCC_STR_PIECE(i, n - i);
			break;
		}
		start = i;
		while (i < n && !onnxcc_str_space(s[i]))
			i++;
		ONNXCC_STR_PIECE(start, i - start);
	}
#undef ONNXCC_STR_PIECE
	return cnt;
}

#define ONNXCC_STR_SPLIT(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	const char *X = (const char *)b[0], *D = (const char *)b[1]; \
	char *Y = (char *)b[2]; \
	int64_t *L = (int64_t *)b[3]; \
	int *status = (int *)b[4]; \
	int64_t n = p[0], S = p[1], K = p[2], maxsplit = p[3], nd, i, j, most = 0; \
	(void)f; \
	nd = p[4] ? 0 : onnxcc_str_len(D, S); \
	for (i = 0; i < n; i++) { \
		L[i] = onnxcc_str_split1(X + S * i, onnxcc_str_len(X + S * i, S), D, nd, maxsplit, \
					 NULL, S, K); \
		if (L[i] > most) \
			most = L[i]; \
	} \
	if (most != K) { \
		*status = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	for (i = 0; i < n; i++) { \
		for (j = 0; j < K; j++) \
			memset(Y + S * (i * K + j), 0, (size_t)S); \
		onnxcc_str_split1(X + S * i, onnxcc_str_len(X + S * i, S), D, nd, maxsplit, \
				  Y + S * i * K, S, K); \
	} \
}

ONNXCC_HELPER char onnxcc_ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

ONNXCC_HELPER char onnxcc_ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Whether text x equals one of the stop words (ASCII case folded unless cs). */
ONNXCC_HELPER int onnxcc_str_stop(const char *x, const char *W, int64_t nstop, int64_t S, int64_t cs)
{
	int64_t w, i;

	for (w = 0; w < nstop; w++) {
		const char *s = W + S * w;
		for (i = 0; i < S; i++) {
			char a = cs ? x[i] : onnxcc_ascii_lower(x[i]);
			char c = cs ? s[i] : onnxcc_ascii_lower(s[i]);
			if (a != c || !a)
				break;
		}
		if (i == S || (!x[i] && !s[i]))
			return 1;
	}
	return 0;
}

#define ONNXCC_STR_NORMALIZE(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	const char *X = (const char *)b[0], *W = (const char *)b[1]; \
	char *Y = (char *)b[2]; \
	int *status = (int *)b[3]; \
	int64_t n = p[0], S = p[1], nstop = p[2], action = p[3], cs = p[4], K = p[5]; \
	int64_t i, j, kept = 0; \
	(void)f; \
	for (i = 0; i < n; i++) \
		kept += !onnxcc_str_stop(X + S * i, W, nstop, S, cs); \
	if ((kept ? kept : 1) != K) { \
		*status = ONNXCC_ERR_SHAPE; \
		return; \
	} \
	memset(Y, 0, (size_t)(S * K)); \
	for (i = 0, kept = 0; i < n; i++) { \
		const char *x = X + S * i; \
		char *y = Y + S * kept; \
		if (onnxcc_str_stop(x, W, nstop, S, cs)) \
			continue; \
		for (j = 0; j < S - 1 && x[j]; j++) \
			y[j] = action == 1 ? onnxcc_ascii_lower(x[j]) \
			     : action == 2 ? onnxcc_ascii_upper(x[j]) : x[j]; \
		kept++; \
	} \
}

/* Regex programs (compiler/ops/regex.c): instructions of three int64 each. */
enum {
	ONNXCC_RE_CHAR,   /* a: code point */
	ONNXCC_RE_ANY,    /* any code point but '\n' */
	ONNXCC_RE_CLASS,  /* a: offset of {negated, nranges, lo, hi, ...} in the class data */
	ONNXCC_RE_SPLIT,  /* continue at a and at b */
	ONNXCC_RE_JMP,    /* continue at a */
	ONNXCC_RE_ASSERT, /* a: ONNXCC_RE_BOL, _EOL, _WORDB, _NWORDB */
	ONNXCC_RE_MATCH
};
enum { ONNXCC_RE_BOL, ONNXCC_RE_EOL, ONNXCC_RE_WORDB, ONNXCC_RE_NWORDB };

/* The code point at s[i] (n bytes in all) and its length in *len; invalid
 * UTF-8 reads as U+FFFD of one byte.  -1 at the end. */
ONNXCC_HELPER int64_t onnxcc_utf8_at(const char *s, int64_t i, int64_t n, int64_t *len)
{
	const unsigned char *u = (const unsigned char *)s + i;
	int64_t k, need, cp;

	*len = 1;
	if (i >= n)
		return -1;
	if (u[0] < 0x80)
		return u[0];
	need = u[0] >= 0xf0 && u[0] < 0xf5 ? 3 : u[0] >= 0xe0 ? (u[0] < 0xf0 ? 2 : 0)
	     : u[0] >= 0xc2 ? 1 : 0;
	if (!need || i + need >= n)
		return 0xfffd;
	cp = u[0] & (0x3f >> need);
	for (k = 1; k <= need; k++) {
		if ((u[k] & 0xc0) != 0x80)
			return 0xfffd;
		cp = cp << 6 | (u[k] & 0x3f);
	}
	if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) ||
	    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0xfffd;
	*len = need + 1;
	return cp;
}

ONNXCC_HELPER int onnxcc_re_word(int64_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

ONNXCC_HELPER int onnxcc_re_class(const int64_t *cls, int64_t c)
{
	int64_t k, in = 0;

	for (k = 0; k < cls[1] && !in; k++)
		in = c >= cls[2 + 2 * k] && c <= cls[3 + 2 * k];
	return in != (int)cls[0];
}

/* Add pc and what it reaches without consuming (prev, cur: the code points
 * around the position, -1 past either end) to list L of *nl entries. */
ONNXCC_HELPER void onnxcc_re_add(const int64_t *prog, int64_t *L, int64_t *nl, int64_t *mark,
				 int64_t *stack, int64_t stamp, int64_t pc, int64_t prev, int64_t cur)
{
	int64_t sp = 0;

	stack[sp++] = pc;
	while (sp > 0) {
		const int64_t *in;
		pc = stack[--sp];
		if (mark[pc] == stamp)
			continue;
		mark[pc] = stamp;
		in = prog + 3 * pc;
		switch (in[0]) {
		case ONNXCC_RE_JMP:
			stack[sp++] = in[1];
			break;
		case ONNXCC_RE_SPLIT:
			stack[sp++] = in[2];
			stack[sp++] = in[1];
			break;
		case ONNXCC_RE_ASSERT: {
			int ok = in[1] == ONNXCC_RE_BOL ? prev < 0
			       : in[1] == ONNXCC_RE_EOL ? cur < 0
			       : (onnxcc_re_word(prev) != onnxcc_re_word(cur)) == (in[1] == ONNXCC_RE_WORDB);
			if (ok)
				stack[sp++] = pc + 1;
			break;
		}
		default:
			L[(*nl)++] = pc;
		}
	}
}

/* Whether text s (n bytes) matches the whole program. */
ONNXCC_HELPER int onnxcc_re_full(const int64_t *prog, int64_t np, const int64_t *cls,
				 const char *s, int64_t n, int64_t *T)
{
	int64_t *cl = T, *nl = T + np, *mark = T + 2 * np, *stack = T + 3 * np, *tmp;
	int64_t ncl = 0, nnl, pos = 0, len, len2, prev = -1, cp, next, stamp = 0, k;

	for (k = 0; k < np; k++)
		mark[k] = -1;
	cp = onnxcc_utf8_at(s, 0, n, &len);
	onnxcc_re_add(prog, cl, &ncl, mark, stack, stamp, 0, prev, cp);
	while (pos < n && ncl > 0) {
		next = onnxcc_utf8_at(s, pos + len, n, &len2);
		nnl = 0;
		stamp++;
		for (k = 0; k < ncl; k++) {
			const int64_t *in = prog + 3 * cl[k];
			int ok = in[0] == ONNXCC_RE_CHAR ? cp == in[1]
			       : in[0] == ONNXCC_RE_ANY ? cp != '\n'
			       : in[0] == ONNXCC_RE_CLASS ? onnxcc_re_class(cls + in[1], cp) : 0;
			if (ok)
				onnxcc_re_add(prog, nl, &nnl, mark, stack, stamp, cl[k] + 1, cp, next);
		}
		tmp = cl;
		cl = nl;
		nl = tmp;
		ncl = nnl;
		pos += len;
		prev = cp;
		cp = next;
		len = len2;
	}
	if (pos < n)
		return 0;
	for (k = 0; k < ncl; k++)
		if (prog[3 * cl[k]] == ONNXCC_RE_MATCH)
			return 1;
	return 0;
}

#define ONNXCC_STR_REGEX(NAME) \
ONNXCC_KERNEL(NAME) \
{ \
	const char *X = (const char *)b[0]; \
	uint8_t *Y = (uint8_t *)b[1]; \
	int64_t *T = (int64_t *)b[2]; \
	int64_t n = p[0], S = p[1], np = p[2], i; \
	(void)f; \
	for (i = 0; i < n; i++) \
		Y[i] = (uint8_t)onnxcc_re_full(p + 3, np, p + 3 + 3 * np, X + S * i, \
					       onnxcc_str_len(X + S * i, S), T); \
}

/* LabelEncoder: KEQ(x, k, size) says whether element x equals key k. */
#define ONNXCC_KEQ_STR(x, k, sz) (strncmp((const char *)(x), (const char *)(k), (size_t)(sz)) == 0)
#define ONNXCC_KEQ_BYTES(x, k, sz) (memcmp((x), (k), (size_t)(sz)) == 0)
#define ONNXCC_KEQ_FLT(T) \
	(*(const T *)(x) == *(const T *)(k) || \
	 (*(const T *)(x) != *(const T *)(x) && *(const T *)(k) != *(const T *)(k)))
#define ONNXCC_KEQ_F32(x, k, sz) ONNXCC_KEQ_FLT(float)
#define ONNXCC_KEQ_F64(x, k, sz) ONNXCC_KEQ_FLT(double)

#define ONNXCC_LABELENC(NAME, KEQ) \
ONNXCC_KERNEL(NAME) \
{ \
	const char *X = (const char *)b[0], *Kk = (const char *)b[1], *V = (const char *)b[2]; \
	const char *Dflt = (const char *)b[3]; \
	char *Y = (char *)b[4]; \
	int64_t n = p[0], nk = p[1], ks = p[2], vs = p[3], i, j; \
	(void)f; \
	for (i = 0; i < n; i++) { \
		const char *x = X + ks * i, *v = Dflt; \
		for (j = nk - 1; j >= 0; j--) { \
			const char *k = Kk + ks * j; \
			if (KEQ(x, k, ks)) { \
				v = V + vs * j; \
				break; \
			} \
		} \
		memcpy(Y + vs * i, v, (size_t)vs); \
	} \
}
