/* linalg.c: MatMul (numpy matmul) and Gemm.  Both lower to one call of
 * <type>_gemm__scalar (templates/linalg.h): a batched Y = alpha A B + beta C
 * where transposes and broadcasts are element strides; float32 takes the
 * target CPU's f32_gemm_<tile>__<isa> (templates/gemm_simd.h) if it has one,
 * with a constant B packed at compile time. */
#include <math.h>
#include <string.h>

#include "ops_util.h"

/* Element types MatMul and Gemm take (float16 and bfloat16 compute in float). */
static int gemm_type_ok(int dt)
{
	return dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_INT32 || dt == DT_INT64 ||
	       dt == DT_UINT32 || dt == DT_UINT64 || dt == DT_FLOAT16 || dt == DT_BFLOAT16;
}

/* Check that both inputs have one element type the kernel supports. */
static int check_types(const Node *n, const Value *a, const Value *b)
{
	if (a->dtype != b->dtype)
		return node_error(n, "inputs have different element types (%s and %s)",
				  dt_name(a->dtype), dt_name(b->dtype));
	if (!gemm_type_ok(a->dtype))
		return node_error(n, "element type %s is not supported (float, double, float16, "
				  "bfloat16, int32, int64, uint32, uint64 are)", dt_name(a->dtype));
	return 0;
}

/* A MatMul operand as a batch of matrices: a 1-D A is one row (1 x K), a 1-D
 * B one column (K x 1).  Fills the batch shape (rank - 2 dims) and rows/cols. */
typedef struct MatOperand {
	int brank;
	int64_t bdims[IR_MAX_RANK];
	int64_t rows, cols;
} MatOperand;

static void mat_operand(const Value *v, int is_b, MatOperand *m)
{
	if (v->rank == 1) {
		m->brank = 0;
		m->rows = is_b ? v->dims[0] : 1;
		m->cols = is_b ? 1 : v->dims[0];
		return;
	}
	m->brank = v->rank - 2;
	memcpy(m->bdims, v->dims, sizeof(int64_t) * m->brank);
	m->rows = v->dims[v->rank - 2];
	m->cols = v->dims[v->rank - 1];
}

/* The numpy broadcast of the two batch shapes into dims; its rank, or -1. */
static int batch_shape(const Node *n, const MatOperand *a, const MatOperand *b, int64_t *dims)
{
	int r = a->brank > b->brank ? a->brank : b->brank, d;

	for (d = 0; d < r; d++) {
		int da = d - (r - a->brank), db = d - (r - b->brank);
		int64_t x = da >= 0 ? a->bdims[da] : 1, y = db >= 0 ? b->bdims[db] : 1;
		if (x != y && x != 1 && y != 1)
			return node_error(n, "batch dimensions do not broadcast: %lld against %lld at "
					  "batch axis %d", (long long)x, (long long)y, d);
		dims[d] = x == 1 ? y : x;
	}
	return r;
}

int matmul_infer(Node *n)
{
	Value *a = n->in[0], *b = n->in[1];
	MatOperand ma, mb;
	int64_t dims[IR_MAX_RANK];
	int r;

	if (check_types(n, a, b) != 0)
		return -1;
	if (a->rank < 1 || b->rank < 1)
		return node_error(n, "inputs must have rank 1 or more (they have %d and %d)",
				  a->rank, b->rank);
	mat_operand(a, 0, &ma);
	mat_operand(b, 1, &mb);
	if (ma.cols != mb.rows)
		return node_error(n, "inner dimensions differ: A has %lld columns, B %lld rows",
				  (long long)ma.cols, (long long)mb.rows);
	if ((r = batch_shape(n, &ma, &mb, dims)) < 0)
		return -1;
	if (a->rank > 1)
		dims[r++] = ma.rows;
	if (b->rank > 1)
		dims[r++] = mb.cols;
	return set_out(n, 0, a->dtype, r, dims);
}

/* Element strides of an operand's batch dimensions against the output batch
 * shape (rank r): 0 where the operand is broadcast. */
static void batch_strides(const MatOperand *m, int r, const int64_t *dims, int64_t *st)
{
	int64_t s = m->rows * m->cols;
	int d;

	for (d = r - 1; d >= 0; d--) {
		int dm = d - (r - m->brank);
		int64_t x = dm >= 0 ? m->bdims[dm] : 1;
		st[d] = x == 1 && dims[d] != 1 ? 0 : s;
		s *= x;
	}
}

/* Append the gemm call's fixed parameters and buffers (C may be NULL).  A
 * float32 product takes the target's fast kernel (templates/gemm_simd.h) when
 * there is one: *packb then says whether B is a constant packed ahead of
 * time (only for a single B matrix, `single_b`), and the call gets its
 * packing scratch after Y; gemm_finish appends the packing flags. */
static KCall *gemm_call(Lower *L, Value *y, Value *a, Value *b, Value *c,
			const int64_t *mnk, const int64_t *strides, int single_b, int *packb)
{
	const GemmIsa *isa = y->dtype == DT_FLOAT ? gemm_isa(L->cpu) : NULL;
	KCall *k;

	*packb = -1;
	if (isa) {
		*packb = single_b && b->data && b->dtype == DT_FLOAT;
		/* B's "rows" are its columns, its steps its rows */
		if (*packb && b->is_splat)	/* packed at the first run (an init call) */
			b = lower_prepack_splat(L, b, isa, isa->nr, 1, mnk[1], mnk[2]);
		else if (*packb)
			b = lower_prepack(L, b, isa, isa->nr, 1, 0, mnk[1], mnk[2], strides[3],
					  strides[2]);
	}
	k = isa ? lower_callf(L, "f32_gemm_%s", isa->suffix)
		: lower_callf(L, "%s_gemm__scalar", dt_short(y->dtype));
	if (!k)
		return NULL;
	kcall_buf(k, a);
	kcall_buf(k, b);
	if (c)
		kcall_buf(k, c);
	kcall_buf(k, y);
	if (isa) {
		int64_t dims[1];
		dims[0] = gemm_isa_scratch(isa, mnk[0], mnk[1], mnk[2], 0, *packb);
		if (dims[0] < 1)
			dims[0] = 1;
		dims[0] *= lower_threads;	/* one scratch per thread */
		kcall_buf(k, lower_temp(L, DT_FLOAT, 1, dims));
	}
	kcall_ints(k, mnk, 3);
	kcall_ints(k, strides, 4);
	kcall_i(k, c != NULL);
	kcall_ints(k, strides + 4, 2);
	return k;
}

/* After the batch parameters: the fast kernel's packed_a, packed_b; then the
 * epilogue (alpha and beta come first in f) and the residual's buffer. */
static void gemm_finish(KCall *k, int packb, const Node *n, double alpha, double beta)
{
	if (packb >= 0) {
		kcall_i(k, 0);
		kcall_i(k, packb);
	}
	kcall_f(k, alpha);
	kcall_f(k, beta);
	kcall_epilogue(k, n);
	if (node_in(n, 3))	/* a fused residual (passes/fuse.c) */
		kcall_buf(k, n->in[3]);
}

/* y (m x n) = a (m x k) times b (k x n, or n x k when transb), all row-major
 * and contiguous, with no bias or epilogue: one call of the fast GEMM (a
 * constant b packed at compile time) or of the scalar one.  For ops that
 * compute a product on the side (the recurrent ops' input projections). */
int lower_matmul_plain(Lower *L, Value *a, Value *b, Value *y, int64_t m, int64_t n, int64_t k,
		       int transb)
{
	int64_t mnk[3], st[6] = {0};
	int packb;
	KCall *c;

	mnk[0] = m;
	mnk[1] = n;
	mnk[2] = k;
	st[0] = k;
	st[1] = 1;
	st[2] = transb ? 1 : n;
	st[3] = transb ? k : 1;
	if (!(c = gemm_call(L, y, a, b, NULL, mnk, st, 1, &packb)))
		return -1;
	kcall_i(c, 0);
	if (packb >= 0) {
		kcall_i(c, 0);
		kcall_i(c, packb);
	}
	kcall_f(c, 1.0);
	kcall_f(c, 0.0);
	kcall_epilogue(c, NULL);
	return 0;
}

int matmul_lower(Node *n, Lower *L)
{
	/* c: a bias (passes/fuse.c), broadcast along the last axis */
	Value *a = n->in[0], *b = n->in[1], *c = node_in(n, 2), *y = n->out[0], *yt;
	MatOperand ma, mb;
	int64_t dims[IR_MAX_RANK], sa[IR_MAX_RANK], sb[IR_MAX_RANK], mnk[3], st[6] = {0};
	int r, d, kept = 0, packb;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	mat_operand(a, 0, &ma);
	mat_operand(b, 1, &mb);
	if ((r = batch_shape(n, &ma, &mb, dims)) < 0)
		return -1;
	mnk[0] = ma.rows;
	mnk[1] = mb.cols;
	mnk[2] = ma.cols;
	st[0] = ma.cols;       /* rsa */
	st[1] = 1;             /* csa */
	st[2] = mb.cols;       /* rsb */
	st[3] = 1;             /* csb */
	if (mb.brank == 0) {
		/* B is one matrix: A's batch is just more rows of one product. */
		for (d = 0; d < r; d++)
			mnk[0] *= dims[d];
		r = 0;
	}
	batch_strides(&ma, r, dims, sa);
	batch_strides(&mb, r, dims, sb);
	/* Drop batch dimensions of size 1. */
	for (d = 0; d < r; d++)
		if (dims[d] != 1) {
			dims[kept] = dims[d];
			sa[kept] = sa[d];
			sb[kept++] = sb[d];
		}
	if (c) {	/* a single row (numel N) or a scalar, added to each row */
		st[4] = 0;
		st[5] = value_numel(c) == 1 ? 0 : 1;
	}
	if (widen_half(L, &a) != 0 || widen_half(L, &b) != 0 || !(yt = half_out(L, y)) ||
	    !(k = gemm_call(L, yt, a, b, c, mnk, st, kept == 0, &packb)))
		return -1;
	kcall_i(k, kept);
	kcall_ints(k, dims, kept);
	kcall_ints(k, sa, kept);
	kcall_ints(k, sb, kept);
	gemm_finish(k, packb, n, 1.0, c ? 1.0 : 0.0);
	return narrow_half(L, yt, y);
}

/* Gemm's M, N, K from A, B and the transpose attributes. */
static int gemm_mnk(const Node *n, int64_t *mnk)
{
	const Value *a = n->in[0], *b = n->in[1];
	int ta = attr_i(n, "transA", 0) != 0, tb = attr_i(n, "transB", 0) != 0;

	if (a->rank != 2 || b->rank != 2)
		return node_error(n, "A and B must be matrices (they have rank %d and %d)",
				  a->rank, b->rank);
	mnk[0] = a->dims[ta ? 1 : 0];
	mnk[2] = a->dims[ta ? 0 : 1];
	mnk[1] = b->dims[tb ? 0 : 1];
	if (b->dims[tb ? 1 : 0] != mnk[2])
		return node_error(n, "inner dimensions differ: op(A) has %lld columns, op(B) %lld rows",
				  (long long)mnk[2], (long long)b->dims[tb ? 1 : 0]);
	return 0;
}

/* C must broadcast unidirectionally to (M, N); before opset 7 only with
 * broadcast=1, else it must be exactly (M, N). */
static int check_c(const Node *n, const int64_t *mnk)
{
	const Value *c = node_in(n, 2);
	int d;

	if (!c)
		return 0;
	if (c->dtype != n->in[0]->dtype)
		return node_error(n, "C has element type %s, A %s", dt_name(c->dtype),
				  dt_name(n->in[0]->dtype));
	if (n->version < 7 && !attr_i(n, "broadcast", 0)) {
		if (c->rank != 2 || c->dims[0] != mnk[0] || c->dims[1] != mnk[1])
			return node_error(n, "C must have shape (%lld, %lld) without broadcast=1",
					  (long long)mnk[0], (long long)mnk[1]);
		return 0;
	}
	if (c->rank > 2)
		return node_error(n, "C has rank %d, expected at most 2", c->rank);
	for (d = 0; d < c->rank; d++) {
		int64_t want = mnk[2 - c->rank + d];
		if (c->dims[d] != want && c->dims[d] != 1)
			return node_error(n, "C's dimension %d is %lld, expected %lld or 1", d,
					  (long long)c->dims[d], (long long)want);
	}
	return 0;
}

int gemm_infer(Node *n)
{
	int64_t mnk[3];

	if (check_types(n, n->in[0], n->in[1]) != 0 || gemm_mnk(n, mnk) != 0 ||
	    check_c(n, mnk) != 0)
		return -1;
	if (dt_is_int(n->in[0]->dtype) &&
	    (attr_f(n, "alpha", 1.0) != floor(attr_f(n, "alpha", 1.0)) ||
	     attr_f(n, "beta", 1.0) != floor(attr_f(n, "beta", 1.0))))
		return node_error(n, "alpha and beta must be integers for element type %s",
				  dt_name(n->in[0]->dtype));
	return set_out(n, 0, n->in[0]->dtype, 2, mnk);
}

/* C's element strides broadcast to (M, N): st[0] rows, st[1] columns. */
static void c_strides(const Value *c, int64_t *st)
{
	int64_t rows = c->rank == 2 ? c->dims[0] : 1, cols = c->rank >= 1 ? c->dims[c->rank - 1] : 1;

	st[0] = rows == 1 ? 0 : cols;
	st[1] = cols == 1 ? 0 : 1;
}

int gemm_lower(Node *n, Lower *L)
{
	Value *a = n->in[0], *b = n->in[1], *c = node_in(n, 2), *y = n->out[0], *yt;
	int ta = attr_i(n, "transA", 0) != 0, tb = attr_i(n, "transB", 0) != 0;
	double alpha = attr_f(n, "alpha", 1.0), beta = attr_f(n, "beta", 1.0);
	int64_t mnk[3], st[6] = {0};
	int packb;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (gemm_mnk(n, mnk) != 0)
		return -1;
	/* Stored A is (M, K), or (K, M) when transposed; the same for B. */
	st[0] = ta ? 1 : mnk[2];
	st[1] = ta ? mnk[0] : 1;
	st[2] = tb ? 1 : mnk[1];
	st[3] = tb ? mnk[2] : 1;
	if (beta == 0)
		c = NULL;  /* as the reference: beta 0 ignores C, even its NaNs */
	if (c)
		c_strides(c, st + 4);
	if (widen_half(L, &a) != 0 || widen_half(L, &b) != 0 || widen_half(L, &c) != 0 ||
	    !(yt = half_out(L, y)) || !(k = gemm_call(L, yt, a, b, c, mnk, st, 1, &packb)))
		return -1;
	kcall_i(k, 0);
	gemm_finish(k, packb, n, alpha, beta);
	return narrow_half(L, yt, y);
}
