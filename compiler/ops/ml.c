/* ml.c: classical machine-learning operators: TfIdfVectorizer, and from the
 * ai.onnx.ml domain ArrayFeatureExtractor, Binarizer and TreeEnsemble
 * (kernels in templates/ml.h).  Everything the attributes describe (the
 * n-gram pool, the trees) is checked here and handed to the kernels as
 * constant parameters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_util.h"

/* ---- TfIdfVectorizer ---- */

/* Output coordinates: max(ngram_indexes) + 1, or -1 after an error. */
static int64_t tfidf_out_size(const Node *n)
{
	const int64_t *idx;
	int ni = attr_ints(n, "ngram_indexes", &idx), i;
	int64_t m = -1;

	if (ni <= 0)
		return node_error(n, "attribute ngram_indexes is missing or empty");
	for (i = 0; i < ni; i++) {
		if (idx[i] < 0)
			return node_error(n, "ngram_indexes[%d] is %lld, expected >= 0", i,
					  (long long)idx[i]);
		if (idx[i] > m)
			m = idx[i];
	}
	return m + 1;
}

int tfidf_infer(Node *n)
{
	Value *x = n->in[0];
	int64_t dims[2], out;

	if (node_attr(n, "pool_strings"))
		return node_error(n, "string pools (pool_strings) are not supported");
	if (x->dtype != DT_INT32 && x->dtype != DT_INT64)
		return node_error(n, "input has element type %s, expected int32 or int64",
				  dt_name(x->dtype));
	if (x->rank > 2)
		return node_error(n, "input has rank %d, expected [C] or [N, C]", x->rank);
	if (x->rank == 2 && x->dims[0] < 1)
		return node_error(n, "input has %lld rows, expected at least 1",
				  (long long)x->dims[0]);
	if ((out = tfidf_out_size(n)) < 0)
		return -1;
	dims[0] = x->rank == 2 ? x->dims[0] : out;
	dims[1] = out;
	return set_out(n, 0, DT_FLOAT, x->rank == 2 ? 2 : 1, dims);
}

/* Whether the k-gram at pool + at appears again before end (among the grams
 * of its size): the last of equal grams is the one that counts. */
static int gram_repeated(const int64_t *pool, int64_t at, int64_t k, int64_t end)
{
	int64_t j;

	for (j = at + k; j + k <= end; j += k)
		if (memcmp(pool + at, pool + j, (size_t)k * sizeof(int64_t)) == 0)
			return 1;
	return 0;
}

/* Appends the pool's grams of sizes min..max to k: {G, then {k, coordinate,
 * values} each}. */
static int tfidf_grams(const Node *n, KCall *k, int64_t mn, int64_t mx, int64_t out)
{
	const int64_t *pool, *cnt, *idx;
	int np = attr_ints(n, "pool_int64s", &pool), nc = attr_ints(n, "ngram_counts", &cnt);
	int ni = attr_ints(n, "ngram_indexes", &idx), c, gi = 0, gpos;
	int64_t size, at, end, G = 0;

	if (np < 0)
		return node_error(n, "attribute pool_int64s is missing");
	if (nc < 1)
		return node_error(n, "attribute ngram_counts is missing or empty");
	gpos = k->np;
	kcall_i(k, 0);
	for (c = 0; c < nc; c++) {
		size = c + 1;
		end = c + 1 < nc ? cnt[c + 1] : np;
		if (cnt[c] < 0 || end < cnt[c] || end > np || (end - cnt[c]) % size != 0)
			return node_error(n, "ngram_counts[%d] = %lld does not delimit whole %lld-grams "
					  "in a pool of %d", c, (long long)cnt[c], (long long)size, np);
		for (at = cnt[c]; at < end; at += size, gi++) {
			if (gi >= ni)
				return node_error(n, "ngram_indexes has %d values, fewer than the pool's "
						  "n-grams", ni);
			if (size < mn || size > mx || gram_repeated(pool, at, size, end))
				continue;
			if (idx[gi] >= out)
				return node_error(n, "ngram_indexes[%d] out of range", gi);
			kcall_i(k, size);
			kcall_i(k, idx[gi]);
			kcall_ints(k, pool + at, (int)size);
			G++;
		}
	}
	k->p[gpos] = G;
	return 0;
}

int tfidf_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	const char *mode = attr_s(n, "mode", "");
	int64_t mn = attr_i(n, "min_gram_length", 0), mx = attr_i(n, "max_gram_length", 0);
	int64_t skip = attr_i(n, "max_skip_count", 0), out = tfidf_out_size(n), m, rows, C, i;
	const Attr *w = node_attr(n, "weights");
	KCall *k;

	if (out < 0)
		return -1;
	if (strcmp(mode, "TF") == 0)
		m = 0;
	else if (strcmp(mode, "IDF") == 0)
		m = 1;
	else if (strcmp(mode, "TFIDF") == 0)
		m = 2;
	else
		return node_error(n, "mode is '%s', expected TF, IDF or TFIDF", mode);
	if (mn < 1 || mx < mn || skip < 0)
		return node_error(n, "gram lengths %lld..%lld or max_skip_count %lld are invalid",
				  (long long)mn, (long long)mx, (long long)skip);
	if (w && w->n < out)
		return node_error(n, "weights has %d values, expected %lld", w->n, (long long)out);
	rows = x->rank == 2 ? x->dims[0] : 1;
	C = x->rank == 0 ? 1 : x->dims[x->rank - 1];
	if (!(k = lower_callf(L, "%s_tfidf__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_i(k, rows);
	kcall_i(k, C);
	kcall_i(k, m);
	kcall_i(k, mn);
	kcall_i(k, mx);
	kcall_i(k, skip);
	kcall_i(k, out);
	kcall_i(k, w != NULL);
	for (i = 0; w && i < out; i++)
		kcall_f(k, w->floats[i]);
	return tfidf_grams(n, k, mn, mx, out);
}

/* ---- ArrayFeatureExtractor ---- */

/* Z: X's dimensions but the last (a 1-D X counts as [1, n]), then the
 * number of indices. */
int afe_infer(Node *n)
{
	Value *x = n->in[0], *ix = n->in[1];
	int64_t dims[IR_MAX_RANK];
	int d;

	if (ix->dtype != DT_INT64)
		return node_error(n, "indices have element type %s, expected int64",
				  dt_name(ix->dtype));
	if (x->rank < 1)
		return node_error(n, "input is a scalar, expected rank 1 or more");
	if (!dt_size(x->dtype))
		return node_error(n, "element type %s is not supported", dt_name(x->dtype));
	for (d = 0; d < x->rank - 1; d++)
		dims[d] = x->dims[d];
	if (x->rank == 1)
		dims[d++] = 1;
	dims[d] = value_numel(ix);
	if (dims[d] > 0 && x->dims[x->rank - 1] == 0)
		return node_error(n, "the last dimension is empty: no feature to select");
	return set_out(n, 0, x->dtype, d + 1, dims);
}

int afe_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *ix = n->in[1], *z = n->out[0];
	int64_t last = x->dims[x->rank - 1];
	KCall *k;

	if (value_numel(z) == 0)
		return 0;
	if (!(k = lower_callf(L, "%s_afe__scalar", width_prefix(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, ix);
	kcall_buf(k, z);
	kcall_checks(k);
	kcall_i(k, value_numel(x) / last);
	kcall_i(k, last);
	kcall_i(k, value_numel(ix));
	return 0;
}

/* ---- Binarizer ---- */

int binarizer_infer(Node *n)
{
	Value *x = n->in[0];

	return set_out(n, 0, x->dtype, x->rank, x->dims);
}

int binarizer_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (!(k = lower_callf(L, "%s_binarizer__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, y);
	kcall_i(k, value_numel(y));
	kcall_f(k, attr_f(n, "threshold", 0));
	return 0;
}

/* ---- TreeEnsemble ---- */

/* The integer list attributes of the node table. */
enum { T_FEAT, T_TRUE, T_FALSE, T_TLEAF, T_FLEAF, T_NATTR };
static const char *const tree_attr_names[T_NATTR] = {
	"nodes_featureids", "nodes_truenodeids", "nodes_falsenodeids", "nodes_trueleafs",
	"nodes_falseleafs",
};

typedef struct Trees {
	const int64_t *a[T_NATTR], *roots, *ltarget, *missing;
	int nnodes, nroots, nleaves;
	const Value *modes, *splits, *lweights, *members;
	int64_t targets;
} Trees;

/* A tensor attribute of n elements (n < 0: any), or NULL after an error. */
static const Value *tensor_attr(const Node *n, const char *name, int64_t len, int required)
{
	const Attr *a = node_attr(n, name);

	if (!a) {
		if (required)
			node_error(n, "attribute %s is missing", name);
		return NULL;
	}
	if (a->type != AT_TENSOR || !a->t || !a->t->data) {
		node_error(n, "attribute %s must be a tensor", name);
		return NULL;
	}
	if (len >= 0 && value_numel(a->t) != len) {
		node_error(n, "attribute %s has %lld values, expected %lld", name,
			   (long long)value_numel(a->t), (long long)len);
		return NULL;
	}
	return a->t;
}

/* Reads and checks the attributes: lengths, ids in range. */
static int tree_read(const Node *n, Trees *t)
{
	int i, j;
	int64_t f = n->in[0]->dims[1];

	for (i = 0; i < T_NATTR; i++) {
		int m = attr_ints(n, tree_attr_names[i], &t->a[i]);
		if (m < 0)
			return node_error(n, "attribute %s is missing", tree_attr_names[i]);
		if (i > 0 && m != t->nnodes)
			return node_error(n, "attribute %s has %d values, expected %d",
					  tree_attr_names[i], m, t->nnodes);
		t->nnodes = m;
	}
	t->nroots = attr_ints(n, "tree_roots", &t->roots);
	t->nleaves = attr_ints(n, "leaf_targetids", &t->ltarget);
	if (t->nroots < 1 || t->nleaves < 1 || t->nnodes < 1)
		return node_error(n, "tree_roots, leaf_targetids and nodes_* must not be empty");
	if (attr_ints(n, "nodes_missing_value_tracks_true", &t->missing) < 0)
		t->missing = NULL;
	else if (attr_ints(n, "nodes_missing_value_tracks_true", &t->missing) != t->nnodes)
		return node_error(n, "attribute nodes_missing_value_tracks_true has the wrong length");
	if (!(t->modes = tensor_attr(n, "nodes_modes", t->nnodes, 1)) ||
	    !(t->splits = tensor_attr(n, "nodes_splits", t->nnodes, 1)) ||
	    !(t->lweights = tensor_attr(n, "leaf_weights", t->nleaves, 1)))
		return -1;
	t->members = tensor_attr(n, "membership_values", -1, 0);
	if (!t->members && node_attr(n, "membership_values"))
		return -1;
	/* n_targets, or one more than the largest target id */
	t->targets = 0;
	for (i = 0; i < t->nleaves; i++)
		if (t->ltarget[i] >= t->targets)
			t->targets = t->ltarget[i] + 1;
	t->targets = attr_i(n, "n_targets", t->targets);
	for (i = 0; i < t->nleaves; i++)
		if (t->ltarget[i] < 0 || t->ltarget[i] >= t->targets)
			return node_error(n, "leaf_targetids[%d] = %lld is out of range for %lld "
					  "targets", i, (long long)t->ltarget[i], (long long)t->targets);
	for (i = 0; i < t->nroots; i++)
		if (t->roots[i] < 0 || t->roots[i] >= t->nnodes)
			return node_error(n, "tree_roots[%d] is out of range", i);
	for (i = 0; i < t->nnodes; i++) {
		int64_t mode = const_i64(t->modes, i);
		if (mode < 0 || mode > 6)
			return node_error(n, "nodes_modes[%d] is %lld, expected 0..6", i, (long long)mode);
		if (t->a[T_FEAT][i] < 0 || t->a[T_FEAT][i] >= f)
			return node_error(n, "nodes_featureids[%d] = %lld is out of range for %lld "
					  "features", i, (long long)t->a[T_FEAT][i], (long long)f);
		for (j = 0; j < 2; j++) {
			int64_t id = t->a[T_TRUE + j][i], leaf = t->a[T_TLEAF + j][i];
			if (id < 0 || id >= (leaf ? t->nleaves : t->nnodes))
				return node_error(n, "node %d: its %s branch %lld is out of range", i,
						  j ? "false" : "true", (long long)id);
		}
	}
	return 0;
}

/* Every tree is finite: a depth-first walk from each root never meets a node
 * on its own path (colour 1) and visits each node once overall. */
static int tree_acyclic(const Node *n, const Trees *t)
{
	char *colour = xcalloc((size_t)t->nnodes, 1);
	int64_t *stack = xmalloc(sizeof(int64_t) * 2 * (size_t)t->nnodes), sp;
	int r, rc = 0;

	for (r = 0; r < t->nroots && !rc; r++) {
		if (colour[t->roots[r]])
			continue;
		sp = 0;
		stack[sp++] = t->roots[r];
		colour[t->roots[r]] = 1;
		stack[sp++] = 0;	/* next branch to explore */
		while (sp > 0 && !rc) {
			int64_t id = stack[sp - 2], br = stack[sp - 1];
			if (br == 2) {
				colour[id] = 2;
				sp -= 2;
				continue;
			}
			stack[sp - 1]++;
			if (t->a[T_TLEAF + br][id])
				continue;
			id = t->a[T_TRUE + br][id];
			if (colour[id] == 1)
				rc = node_error(n, "node %lld lies on a cycle of the trees", (long long)id);
			else if (!colour[id]) {
				colour[id] = 1;
				stack[sp++] = id;
				stack[sp++] = 0;
			}
		}
	}
	free(colour);
	free(stack);
	return rc;
}

int tree_infer(Node *n)
{
	Value *x = n->in[0];
	Trees t = {0};
	int64_t dims[2];

	if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE && x->dtype != DT_FLOAT16)
		return node_error(n, "input has element type %s, expected float, double or float16",
				  dt_name(x->dtype));
	if (x->rank != 2)
		return node_error(n, "input has rank %d, expected [N, F]", x->rank);
	if (tree_read(n, &t) != 0 || tree_acyclic(n, &t) != 0)
		return -1;
	dims[0] = x->dims[0];
	dims[1] = t.targets;
	return set_out(n, 0, x->dtype, 2, dims);
}

/* The f parameters after the splits and leaf weights: each membership node's
 * set as {count, values}; start[i] gets its offset in f (0 for other nodes). */
static int tree_members(const Node *n, const Trees *t, KCall *k, int64_t *start)
{
	int64_t at = 0, nm = t->members ? value_numel(t->members) : 0;
	int i;

	for (i = 0; i < t->nnodes; i++) {
		start[i] = 0;
		if (const_i64(t->modes, i) != 6)
			continue;
		if (at >= nm)
			return node_error(n, "membership_values has fewer sets than the membership "
					  "nodes");
		start[i] = k->nf;
		kcall_f(k, 0);
		while (at < nm && !isnan(const_f64(t->members, at))) {
			kcall_f(k, const_f64(t->members, at++));
			k->f[start[i]]++;
		}
		at++;	/* the NaN that ends the set */
	}
	return 0;
}

int tree_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *y = n->out[0], *yt;
	Trees t = {0};
	int64_t agg = attr_i(n, "aggregate_function", 1), post = attr_i(n, "post_transform", 0);
	int64_t *start;
	int i, j, rc;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (tree_read(n, &t) != 0)
		return -1;
	if (agg < 0 || agg > 3)
		return node_error(n, "aggregate_function is %lld, expected 0..3", (long long)agg);
	if (post < 0 || post > 3)
		return node_error(n, "post_transform %lld is not supported (NONE, SOFTMAX, LOGISTIC "
				  "and SOFTMAX_ZERO are)", (long long)post);
	if (widen_half(L, &x) != 0 || !(yt = half_out(L, y)) ||
	    !(k = lower_callf(L, "%s_tree__scalar", dt_short(x->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, yt);
	kcall_i(k, x->dims[0]);
	kcall_i(k, x->dims[1]);
	kcall_i(k, t.targets);
	kcall_i(k, agg);
	kcall_i(k, post);
	kcall_i(k, t.nroots);
	kcall_ints(k, t.roots, t.nroots);
	for (i = 0; i < t.nnodes; i++)
		kcall_f(k, const_f64(t.splits, i));
	for (i = 0; i < t.nleaves; i++)
		kcall_f(k, const_f64(t.lweights, i));
	start = xmalloc(sizeof(int64_t) * (size_t)t.nnodes);
	rc = tree_members(n, &t, k, start);
	kcall_i(k, t.nnodes);
	for (i = 0; i < t.nnodes && !rc; i++) {
		kcall_i(k, t.a[T_FEAT][i]);
		kcall_i(k, const_i64(t.modes, i));
		for (j = T_TRUE; j < T_NATTR; j++)
			kcall_i(k, t.a[j][i]);
		kcall_i(k, t.missing && t.missing[i]);
		kcall_i(k, start[i]);
	}
	free(start);
	if (rc)
		return -1;
	kcall_i(k, t.nleaves);
	kcall_ints(k, t.ltarget, t.nleaves);
	return narrow_half(L, yt, y);
}
