/* lower.c: building kernel-call lists, the kernel table, and running calls
 * inside the compiler (for constant folding). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "ops.h"

/* The kernels themselves, instantiated from templates/kernels.def. */
#include "onnxcc_rt.h"
#include "kernels_all.h"

#define K(name, tmpl, inst) inst
#include "kernels.def"
#undef K

const Kernel kernels[] = {
#define K(name, tmpl, inst) {#name, tmpl, #inst, name},
#include "kernels.def"
#undef K
};
const int nkernels = sizeof kernels / sizeof kernels[0];

static int kernel_cmp(const void *a, const void *b)
{
	return strcmp(kernels[*(const int *)a].name, kernels[*(const int *)b].name);
}

/* Binary search over a name-sorted index built on first use. */
int kernel_find(const char *name)
{
	static int *sorted;
	int lo = 0, hi = nkernels - 1, i;

	if (!sorted) {
		sorted = xmalloc(nkernels * sizeof(int));
		for (i = 0; i < nkernels; i++)
			sorted[i] = i;
		qsort(sorted, nkernels, sizeof(int), kernel_cmp);
	}
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(name, kernels[sorted[mid]].name);
		if (c == 0)
			return sorted[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

KCall *lower_call(Lower *L, const char *name)
{
	KCallList *l = L->out;
	int k = kernel_find(name);
	KCall *c;

	if (k < 0) {
		const char *t = strchr(name, '_');
		node_error(L->node, "no kernel '%s': element type %.*s is not supported by this operator",
			   name, t ? (int)(t - name) : 0, name);
		return NULL;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->v = xrealloc(l->v, l->cap * sizeof(KCall));
	}
	c = &l->v[l->n++];
	memset(c, 0, sizeof *c);
	c->kernel = k;
	c->node = L->node;
	c->guard = L->node ? L->node->guard : NULL;
	return c;
}

KCall *lower_callf(Lower *L, const char *fmt, ...)
{
	char name[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	return lower_call(L, name);
}

void kcall_buf_at(KCall *k, Value *v, int64_t byte_offset)
{
	if (k->nbuf == KCALL_MAX_BUF)
		die("kernel %s: more than %d buffers", kernels[k->kernel].name, KCALL_MAX_BUF);
	k->buf[k->nbuf] = v;
	k->boff[k->nbuf++] = byte_offset;
}

void kcall_buf(KCall *k, Value *v)
{
	kcall_buf_at(k, v, 0);
}

void kcall_i(KCall *k, int64_t x)
{
	if (k->np == k->capp) {
		k->capp = k->capp ? 2 * k->capp : 16;
		k->p = xrealloc(k->p, k->capp * sizeof(int64_t));
	}
	k->p[k->np++] = x;
}

void kcall_ints(KCall *k, const int64_t *x, int n)
{
	int i;

	for (i = 0; i < n; i++)
		kcall_i(k, x[i]);
}

void kcall_f(KCall *k, double x)
{
	if (k->nf == k->capf) {
		k->capf = k->capf ? 2 * k->capf : 4;
		k->f = xrealloc(k->f, k->capf * sizeof(double));
	}
	k->f[k->nf++] = x;
}

/* The first scratch tensor of the node being lowered that was too large. */
static char temp_error[512];

Value *lower_temp(Lower *L, int dtype, int rank, const int64_t *dims)
{
	char name[64];
	Value *v;

	snprintf(name, sizeof name, "tmp%d", L->g->nvalues);
	v = graph_value(L->g, name);
	if (value_set_shape(v, dtype, rank, dims) != 0) {
		/* too large: lower_node reports it; a scalar stands in until then */
		if (!temp_error[0])
			snprintf(temp_error, sizeof temp_error, "scratch %s", ir_last_error());
		value_set_shape(v, dtype, 0, NULL);
	}
	return v;
}

void kcall_init(KCall *k)
{
	k->init = 1;
	k->guard = NULL;
}

Value *lower_init_temp(Lower *L, int dtype, int rank, const int64_t *dims)
{
	Value *v = lower_temp(L, dtype, rank, dims);

	v->mem = MEM_STATIC;	/* pass_memplan places it in static storage */
	return v;
}

/* An init call of kernel (b = {out}, p = {width, kc, batches, m, k}, f =
 * {splat w's value}) writing `size` floats of static storage. */
static Value *splat_init(Lower *L, const char *kernel, const Value *w, int64_t size,
			 int64_t width, int64_t kc, int64_t batches, int64_t m, int64_t k)
{
	int64_t dims[1] = {size}, p[5] = {width, kc, batches, m, k};
	KCall *c;
	Value *v;

	if (!(c = lower_call(L, kernel)))
		die("no kernel %s", kernel);
	v = lower_init_temp(L, DT_FLOAT, 1, dims);
	kcall_f(c, const_f64(w, 0));
	kcall_buf(c, v);
	kcall_ints(c, p, 5);
	kcall_init(c);
	return v;
}

Value *lower_prepack_splat(Lower *L, const Value *w, const GemmIsa *isa, int64_t width,
			   int64_t batches, int64_t m, int64_t k)
{
	if (w->dtype != DT_FLOAT || !w->is_splat)
		die("prepacking '%s': not a float32 splat", w->name);
	return splat_init(L, "f32_prepack_splat__scalar", w,
			  batches * onnxcc_round_up(m, width) * k, width, isa->kc, batches, m, k);
}

double lower_qsplit(double v, int64_t s, int low)
{
	return onnxcc_qsplit((float)v, s, low);
}

int lower_node_cpu(Graph *g, Node *n, KCallList *out, int cpu)
{
	Lower L = {g, out, n, cpu};
	int rc;

	attr_mismatch_clear();
	temp_error[0] = 0;
	rc = n->op->lower(n, &L);
	if (attr_mismatch(n) != 0)
		return -1;
	if (temp_error[0]) {
		rc = node_error(n, "%s", temp_error);
		temp_error[0] = 0;
	}
	return rc;
}

int lower_node(Graph *g, Node *n, KCallList *out)
{
	return lower_node_cpu(g, n, out, CPU_GENERIC);
}

int lower_cpu = CPU_GENERIC;
int lower_threads = 1;
int lower_small;

static const char *const cpu_names[] = {"generic", "avx2", "avx512f", "neon"};

const char *cpu_name(int cpu)
{
	return cpu >= 0 && cpu < (int)(sizeof cpu_names / sizeof cpu_names[0]) ? cpu_names[cpu] : "?";
}

int cpu_native(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f"))
		return CPU_AVX512F;
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return CPU_AVX2;
#elif defined(__aarch64__)
	return CPU_NEON;	/* Advanced SIMD is part of AArch64 */
#endif
	return CPU_GENERIC;
}

int cpu_parse(const char *name)
{
	int i;

	if (strcmp(name, "native") == 0)
		return cpu_native();
	for (i = 0; i < (int)(sizeof cpu_names / sizeof cpu_names[0]); i++)
		if (strcmp(name, cpu_names[i]) == 0)
			return i;
	return -1;
}

const GemmIsa *gemm_isa(int cpu)
{
	static const GemmIsa avx2 = {"6x16__avx2", ONNXCC_AVX2_MR, ONNXCC_AVX2_NR, ONNXCC_AVX2_KC,
				     ONNXCC_AVX2_MC, ONNXCC_AVX2_NC};
	static const GemmIsa avx512f = {"8x32__avx512f", ONNXCC_AVX512F_MR, ONNXCC_AVX512F_NR,
					ONNXCC_AVX512F_KC, ONNXCC_AVX512F_MC, ONNXCC_AVX512F_NC};
	static const GemmIsa neon = {"8x12__neon", ONNXCC_NEON_MR, ONNXCC_NEON_NR, ONNXCC_NEON_KC,
				     ONNXCC_NEON_MC, ONNXCC_NEON_NC};

	switch (cpu) {
	case CPU_AVX2: return &avx2;
	case CPU_AVX512F: return &avx512f;
	case CPU_NEON: return &neon;
	default: return NULL;
	}
}

int64_t gemm_isa_scratch(const GemmIsa *isa, int64_t m, int64_t n, int64_t k, int packed_a,
			 int packed_b)
{
	return onnxcc_f32_gemm_scratch(m, n, k, isa->mr, isa->nr, isa->kc, isa->mc, isa->nc,
				       packed_a, packed_b);
}

typedef char conv_forms_agree[CONV_COLS == ONNXCC_CONV_COLS && CONV_ROWS == ONNXCC_CONV_ROWS &&
			      CONV_PLANE == ONNXCC_CONV_PLANE && CONV_WINO == ONNXCC_CONV_WINO &&
			      CONV_WINO_ROWS == ONNXCC_CONV_WINO_ROWS ? 1 : -1];

int64_t wino_temps(int64_t chunk)
{
	return onnxcc_wino_temps(chunk);
}

int64_t conv_isa_scratch(const GemmIsa *isa, int64_t mg, int64_t os, int64_t k, int64_t chunk,
			 int usecol, int form, int64_t planes)
{
	return onnxcc_f32_conv_scratch(mg, os, k, chunk, usecol, form, 1, planes, isa->mr, isa->nr,
				       isa->kc, isa->mc, isa->nc);
}

int64_t phases_scratch(const int64_t *out, const int64_t *k, const int64_t *stride,
		       const int64_t *dil)
{
	return ONNXCC_PHASES_SCRATCH(out[0], out[1], k[0], k[1], stride[0], stride[1], dil[0],
				     dil[1]);
}

int64_t pool_scratch(const int64_t *in, const int64_t *out, const int64_t *stride)
{
	return ONNXCC_POOL_SCRATCH(in[1], out[0], out[1], stride[0]);
}

Value *lower_prepack(Lower *L, const Value *w, const GemmIsa *isa, int64_t width, int64_t batches,
		     int64_t bstride, int64_t m, int64_t k, int64_t rs, int64_t cs)
{
	int64_t per = onnxcc_round_up(m, width) * k, dims[1], i;
	float *data;
	char name[96];
	Value *v;

	if (w->dtype != DT_FLOAT || !w->data || w->is_splat)
		die("prepacking '%s': not a float32 constant", w->name);
	dims[0] = batches * per;
	snprintf(name, sizeof name, "%.64s.packed%d", w->name, L->g->nvalues);
	v = graph_value(L->g, name);
	if (value_set_shape(v, DT_FLOAT, 1, dims) != 0)
		die("packed constant for '%s': %s", L->node->name, ir_last_error());
	data = xcalloc((size_t)(dims[0] ? dims[0] : 1), sizeof(float));
	for (i = 0; i < batches; i++)
		onnxcc_f32_prepack(width, isa->kc, m, k, (const float *)w->data + i * bstride, rs, cs,
				   data + i * per);
	value_set_const(v, data, 0);
	return v;
}

Value *lower_wino_weights(Lower *L, const Value *w, const GemmIsa *isa, int64_t width,
			  int64_t group, int64_t mg, int64_t cg)
{
	int64_t dims[1];
	float *u, *data;
	char name[96];
	Value *v;

	dims[0] = 36 * group * onnxcc_round_up(mg, width) * cg;
	if (w->dtype != DT_FLOAT || (!w->data && !w->is_splat))
		die("Winograd weights of '%s': not a float32 constant", w->name);
	if (w->is_splat)
		return splat_init(L, "f32_wino_splat__scalar", w, dims[0], width, isa->kc, group,
				  mg, cg);
	u = xcalloc((size_t)(36 * mg * cg), sizeof(float));
	data = xcalloc((size_t)dims[0], sizeof(float));
	onnxcc_f32_wino_weights((const float *)w->data, group, mg, cg, width, isa->kc, u, data);
	free(u);
	snprintf(name, sizeof name, "%.64s.wino%d", w->name, L->g->nvalues);
	v = graph_value(L->g, name);
	if (value_set_shape(v, DT_FLOAT, 1, dims) != 0)
		die("Winograd weights for '%s': %s", L->node->name, ir_last_error());
	value_set_const(v, data, 0);
	return v;
}

Value *kcall_value(const KCall *c, int j)
{
	const Guard *gd = c->guard;

	if (j < c->nbuf)
		return c->buf[j];
	for (j -= c->nbuf; gd && j > 0; j--)
		gd = gd->up;
	return gd ? gd->cond : NULL;
}

void kcalls_free(KCallList *l)
{
	int i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].p);
		free(l->v[i].f);
	}
	free(l->v);
	free(l);
}

void kcall_checks(KCall *k)
{
	k->checks = 1;
}

int kernels_run(const KCallList *l, void **bufs)
{
	void *b[KCALL_MAX_BUF + 1];
	int i, j, status = 0;

	for (i = 0; i < l->n; i++) {
		const KCall *c = &l->v[i];
		for (j = 0; j < c->nbuf; j++)
			b[j] = (char *)bufs[c->buf[j]->id] + c->boff[j];
		b[c->nbuf] = &status;
		kernels[c->kernel].fn(b, c->p, c->f);
		if (status)
			return status;
	}
	return 0;
}

int guard_chain(const Guard *want, const Guard **chain, const Guard *const *open, int nopen,
		int *common)
{
	int depth = want ? want->depth : 0, i;
	const Guard *gd;

	if (depth > 64)
		die("guards nest %d deep", depth);
	for (gd = want, i = depth - 1; gd; gd = gd->up, i--)
		chain[i] = gd;
	for (*common = 0; *common < nopen && *common < depth && open[*common] == chain[*common];)
		(*common)++;
	return depth;
}
