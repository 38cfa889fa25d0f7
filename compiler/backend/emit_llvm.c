/* emit_llvm.c: the LLVM backend, object code through the LLVM C API.
 *
 * The kernels are the C backend's: templates/kernels.def compiled by clang at
 * onnxcc's build time into one bitcode module per target triple
 * (bitcode/kernels.c), embedded in onnxcc.  For a model, this backend parses
 * the target's module, adds what emit_c.c writes as text (the constant blob,
 * the metadata tables, the run function with one kernel call per KCall, its
 * parameters as constant arrays, guards as branches, a barrier after each
 * call), makes everything but the header's symbols internal, runs LLVM's
 * optimization pipeline (the kernels inline and specialize on their constant
 * parameters; unused ones disappear) and writes an object file, assembly or
 * LLVM IR.  The header is header.c's, the same as for C. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "lower.h"

#ifndef ONNXCC_HAVE_LLVM

int emit_llvm_available(const char *target)
{
	(void)target;
	return 0;
}

static int emit_llvm(Graph *g, const EmitOptions *o, FILE *out)
{
	(void)g;
	(void)o;
	(void)out;
	return ir_error("this onnxcc was built without the LLVM backend (llvm-19-dev, clang-19)");
}

#else

#include <llvm-c/Analysis.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/BitWriter.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

static const EmbeddedBitcode *find_bitcode(const char *target)
{
	int i;

	for (i = 0; embedded_bitcode[i].triple; i++)
		if (strcmp(embedded_bitcode[i].triple, target) == 0)
			return &embedded_bitcode[i];
	return NULL;
}

int emit_llvm_available(const char *target)
{
	return find_bitcode(target) != NULL;
}

/* What one emission works with. */
typedef struct L {
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	LLVMTypeRef i8, i32, i64, f64, ptr, intptr, kfn_ty;
	LLVMValueRef run, consts, status, barrier;
	LLVMValueRef statics, ready, init;  /* static storage, its flag, NAME_init */
	LLVMTypeRef barrier_ty;
	const Graph *g;
	const EmitOptions *o;
	int nconst;
	unsigned noinline, alwaysinline;  /* attribute kinds */
} L;

static LLVMValueRef const_global(L *l, LLVMValueRef init, const char *what, int align)
{
	char name[64];
	LLVMValueRef gv;

	snprintf(name, sizeof name, "%s.%d", what, l->nconst++);
	gv = LLVMAddGlobal(l->mod, LLVMTypeOf(init), name);
	LLVMSetInitializer(gv, init);
	LLVMSetGlobalConstant(gv, 1);
	LLVMSetLinkage(gv, LLVMPrivateLinkage);
	LLVMSetUnnamedAddr(gv, 1);
	if (align)
		LLVMSetAlignment(gv, (unsigned)align);
	return gv;
}

static LLVMValueRef cstring(L *l, const char *s)
{
	return const_global(l, LLVMConstStringInContext2(l->ctx, s, strlen(s), 0), "str", 1);
}

static LLVMValueRef byte_gep(L *l, LLVMValueRef base, int64_t off)
{
	LLVMValueRef idx;

	if (!off)
		return base;
	idx = LLVMConstInt(l->i64, (unsigned long long)off, 0);
	return LLVMBuildInBoundsGEP2(l->b, l->i8, base, &idx, 1, "");
}

/* emit_c.c's emit_buffer: the address of byte `off` of v. */
static LLVMValueRef buffer(L *l, const Value *v, int64_t off)
{
	switch (v->mem) {
	case MEM_ARENA:
		return byte_gep(l, LLVMGetParam(l->run, (unsigned)(l->g->ninputs + l->g->noutputs)),
				v->offset + off);
	case MEM_CONST:
		return byte_gep(l, l->consts, v->offset + off);
	case MEM_STATIC:
		return byte_gep(l, l->statics, v->offset + off);
	case MEM_INPUT:
		return byte_gep(l, LLVMGetParam(l->run, (unsigned)v->io_index), off);
	case MEM_OUTPUT:
		return byte_gep(l, LLVMGetParam(l->run, (unsigned)(l->g->ninputs + v->io_index)), off);
	default:
		die("tensor '%s' has no memory", v->name);
	}
}

static void emit_consts(L *l)
{
	unsigned char *blob;
	int j;

	if (l->g->const_size == 0)
		return;
	blob = xcalloc(1, (size_t)l->g->const_size);
	for (j = 0; j < l->g->nvalues; j++) {
		const Value *v = l->g->values[j];
		if (v->mem == MEM_CONST)
			memcpy(blob + v->offset, v->data,
			       (size_t)(v->is_splat ? dt_size(v->dtype) : value_nbytes(v)));
	}
	l->consts = const_global(l, LLVMConstStringInContext2(l->ctx, (const char *)blob,
							      (size_t)l->g->const_size, 1),
				 "consts", 64);
	free(blob);
}

/* A public name must be exactly the header's: if a kernel or helper of the
 * bitcode has it (--name chosen so), that one is renamed (it becomes internal). */
static void claim_name(L *l, const char *name)
{
	LLVMValueRef v = LLVMGetNamedFunction(l->mod, name);
	char buf[300];

	if (!v)
		v = LLVMGetNamedGlobal(l->mod, name);
	if (v) {
		snprintf(buf, sizeof buf, "%s.kernel", name);
		LLVMSetValueName2(v, buf, strlen(buf));
	}
}

/* NAME_inputs / NAME_outputs, as emit_c.c's emit_info. */
static void emit_info(L *l, const char *which, Value **vals, int n)
{
	LLVMTypeRef fields[5] = {l->ptr, l->i32, l->i32, l->ptr, l->intptr}, st, arr;
	LLVMValueRef *rows = xcalloc((size_t)n + 1, sizeof *rows), gv;
	char name[256];
	int i, j;

	st = LLVMStructTypeInContext(l->ctx, fields, 5, 0);
	for (i = 0; i < n; i++) {
		const Value *v = vals[i];
		LLVMValueRef dims[IR_MAX_RANK + 1], f[5];
		for (j = 0; j < v->rank; j++)
			dims[j] = LLVMConstInt(l->i64, (unsigned long long)v->dims[j], 1);
		if (!v->rank)
			dims[0] = LLVMConstInt(l->i64, 0, 0);
		f[0] = cstring(l, v->name);
		f[1] = LLVMConstInt(l->i32, (unsigned long long)v->dtype, 1);
		f[2] = LLVMConstInt(l->i32, (unsigned long long)v->rank, 1);
		f[3] = const_global(l, LLVMConstArray2(l->i64, dims, (uint64_t)(v->rank ? v->rank : 1)),
				    "shape", 8);
		f[4] = LLVMConstInt(l->intptr, (unsigned long long)value_nbytes(v), 0);
		rows[i] = LLVMConstNamedStruct(st, f, 5);
	}
	if (!n)
		rows[n++] = LLVMConstNull(st);
	arr = LLVMArrayType2(st, (uint64_t)n);
	snprintf(name, sizeof name, "%s_%s", l->o->name, which);
	claim_name(l, name);
	gv = LLVMAddGlobal(l->mod, arr, name);
	LLVMSetInitializer(gv, LLVMConstArray2(st, rows, (uint64_t)n));
	LLVMSetGlobalConstant(gv, 1);
	free(rows);
}

static LLVMBasicBlockRef new_block(L *l, const char *name)
{
	return LLVMAppendBasicBlockInContext(l->ctx, l->run, name);
}

/* An early `return code` when cond holds; continues in a new block. */
static void return_if(L *l, LLVMValueRef cond, LLVMValueRef code)
{
	LLVMBasicBlockRef ret = new_block(l, "ret"), cont = new_block(l, "");

	LLVMBuildCondBr(l->b, cond, ret, cont);
	LLVMPositionBuilderAtEnd(l->b, ret);
	LLVMBuildRet(l->b, code);
	LLVMPositionBuilderAtEnd(l->b, cont);
}

static int emit_call(L *l, const KCall *c, LLVMBasicBlockRef entry)
{
	const char *kname = kernels[c->kernel].name;
	LLVMValueRef fn = LLVMGetNamedFunction(l->mod, kname), args[3], bufs, slot, idx[2];
	LLVMTypeRef bty;
	int i, n = c->nbuf + (c->checks ? 1 : 0);

	if (!fn || LLVMIsDeclaration(fn))
		return ir_error("LLVM backend: kernel %s is not in the bitcode", kname);
	/* void *const b[] = {...}: an array in the frame, as in C */
	bty = LLVMArrayType2(l->ptr, (uint64_t)(n ? n : 1));
	{
		LLVMBasicBlockRef here = LLVMGetInsertBlock(l->b);
		LLVMValueRef first = LLVMGetFirstInstruction(entry);
		if (first)
			LLVMPositionBuilderBefore(l->b, first);
		else
			LLVMPositionBuilderAtEnd(l->b, entry);
		bufs = LLVMBuildAlloca(l->b, bty, "b");
		LLVMSetAlignment(bufs, 8);
		LLVMPositionBuilderAtEnd(l->b, here);
	}
	for (i = 0; i < n; i++) {
		idx[0] = LLVMConstInt(l->i64, 0, 0);
		idx[1] = LLVMConstInt(l->i64, (unsigned long long)i, 0);
		slot = LLVMBuildInBoundsGEP2(l->b, bty, bufs, idx, 2, "");
		LLVMBuildStore(l->b, i < c->nbuf ? buffer(l, c->buf[i], c->boff[i]) : l->status, slot);
	}
	args[0] = bufs;
	args[1] = LLVMConstNull(l->ptr);
	args[2] = LLVMConstNull(l->ptr);
	if (c->np) {
		LLVMValueRef *v = xmalloc((size_t)c->np * sizeof *v);
		for (i = 0; i < c->np; i++)
			v[i] = LLVMConstInt(l->i64, (unsigned long long)c->p[i], 1);
		args[1] = const_global(l, LLVMConstArray2(l->i64, v, (uint64_t)c->np), "p", 8);
		free(v);
	}
	if (c->nf) {
		LLVMValueRef *v = xmalloc((size_t)c->nf * sizeof *v);
		for (i = 0; i < c->nf; i++)
			v[i] = LLVMConstReal(l->f64, c->f[i]);
		args[2] = const_global(l, LLVMConstArray2(l->f64, v, (uint64_t)c->nf), "f", 8);
		free(v);
	}
	LLVMBuildCall2(l->b, LLVMGlobalGetValueType(fn), fn, args, 3, "");
	/* Every call inlines, so that its constant parameters specialize the
	 * kernel (gcc does so for the C backend's static kernels; LLVM's cost
	 * model would keep a kernel called from several places, e.g. each
	 * MaxPool, out of line and generic).  The out-of-line SIMD GEMMs stay.
	 * -Os leaves it to LLVM's cost model: smaller code, shared kernels. */
	if (!l->o->opt_size &&
	    !LLVMGetEnumAttributeAtIndex(fn, (unsigned)LLVMAttributeFunctionIndex, l->noinline))
		LLVMAddAttributeAtIndex(fn, (unsigned)LLVMAttributeFunctionIndex,
					LLVMCreateEnumAttribute(l->ctx, l->alwaysinline, 0));
	/* ONNXCC_BARRIER(): an empty asm statement that clobbers memory */
	LLVMBuildCall2(l->b, l->barrier_ty, l->barrier, NULL, 0, "");
	if (c->checks) {
		LLVMValueRef st = LLVMBuildLoad2(l->b, l->i32, l->status, "status");
		return_if(l, LLVMBuildICmp(l->b, LLVMIntNE, st, LLVMConstInt(l->i32, 0, 0), ""), st);
	}
	return 0;
}

/* emit_c.c's emit_guards with blocks: close the open guards the next call
 * does not share (branch to their join blocks), open the new ones. */
static int emit_guards(L *l, const Guard *want, const Guard **open, LLVMBasicBlockRef *join,
		       int nopen)
{
	const Guard *chain[64];
	int common, depth = guard_chain(want, chain, open, nopen, &common);

	for (; nopen > common; nopen--) {
		LLVMBuildBr(l->b, join[nopen - 1]);
		LLVMPositionBuilderAtEnd(l->b, join[nopen - 1]);
	}
	for (; nopen < depth; nopen++) {
		LLVMBasicBlockRef then = new_block(l, "guard");
		LLVMValueRef c = LLVMBuildLoad2(l->b, l->i8, buffer(l, chain[nopen]->cond, 0), "");
		join[nopen] = new_block(l, "join");
		LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, c, LLVMConstInt(l->i8, 0, 0), ""),
				then, join[nopen]);
		LLVMPositionBuilderAtEnd(l->b, then);
		open[nopen] = chain[nopen];
	}
	return nopen;
}

/* Static storage, its flag and NAME_init(), as emit_c.c's emit_init.  The
 * init calls are emitted with l->run set to NAME_init (emit_call builds in
 * l->run); they touch only constants and static storage. */
static int emit_init(L *l)
{
	const Graph *g = l->g;
	LLVMBasicBlockRef entry, work, done;
	char name[256];
	int i, rc = 0;

	if (g->static_size) {
		LLVMTypeRef t = LLVMArrayType2(l->i8, (uint64_t)g->static_size);
		l->statics = LLVMAddGlobal(l->mod, t, "static");
		LLVMSetInitializer(l->statics, LLVMConstNull(t));
		LLVMSetLinkage(l->statics, LLVMInternalLinkage);
		LLVMSetAlignment(l->statics, 64);
	}
	l->ready = LLVMAddGlobal(l->mod, l->i32, "ready");
	LLVMSetInitializer(l->ready, LLVMConstInt(l->i32, 0, 0));
	LLVMSetLinkage(l->ready, LLVMInternalLinkage);
	snprintf(name, sizeof name, "%s_init", l->o->name);
	claim_name(l, name);
	l->init = LLVMAddFunction(l->mod, name,
				  LLVMFunctionType(LLVMVoidTypeInContext(l->ctx), NULL, 0, 0));
	l->run = l->init;
	entry = new_block(l, "entry");
	work = new_block(l, "init");
	done = new_block(l, "done");
	LLVMPositionBuilderAtEnd(l->b, entry);
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, LLVMBuildLoad2(l->b, l->i32, l->ready, ""),
					    LLVMConstInt(l->i32, 0, 0), ""), done, work);
	LLVMPositionBuilderAtEnd(l->b, work);
	for (i = 0; rc == 0 && i < g->calls->n; i++)
		if (g->calls->v[i].init)
			rc = emit_call(l, &g->calls->v[i], entry);
	LLVMBuildStore(l->b, LLVMConstInt(l->i32, 1, 0), l->ready);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	LLVMBuildRetVoid(l->b);
	l->run = NULL;
	return rc;
}

static int emit_run(L *l)
{
	const Graph *g = l->g;
	int nparams = g->ninputs + g->noutputs + 1, i, nopen = 0, rc = 0;
	LLVMTypeRef *pt = xmalloc((size_t)nparams * sizeof *pt), fty;
	LLVMBasicBlockRef entry;
	LLVMValueRef bad = NULL;
	const Guard **open = xcalloc(64, sizeof(Guard *));
	LLVMBasicBlockRef join[64];
	char name[256];

	for (i = 0; i < nparams; i++)
		pt[i] = l->ptr;
	fty = LLVMFunctionType(l->i32, pt, (unsigned)nparams, 0);
	snprintf(name, sizeof name, "%s_run", l->o->name);
	claim_name(l, name);
	l->run = LLVMAddFunction(l->mod, name, fty);
	entry = new_block(l, "entry");
	LLVMPositionBuilderAtEnd(l->b, entry);
	/* a NULL input, output or (needed) arena: ONNXCC_ERR_NULL */
	for (i = 0; i < nparams; i++) {
		LLVMValueRef isnull;
		if (i == nparams - 1 && !g->arena_size)
			break;
		isnull = LLVMBuildIsNull(l->b, LLVMGetParam(l->run, (unsigned)i), "");
		bad = bad ? LLVMBuildOr(l->b, bad, isnull, "") : isnull;
	}
	if (bad)
		return_if(l, bad, LLVMConstInt(l->i32, 1, 0));
	l->status = LLVMBuildAlloca(l->b, l->i32, "status");
	LLVMBuildStore(l->b, LLVMConstInt(l->i32, 0, 0), l->status);
	LLVMBuildCall2(l->b, LLVMGlobalGetValueType(l->init), l->init, NULL, 0, "");
	for (i = 0; rc == 0 && i < g->calls->n; i++) {
		if (g->calls->v[i].init)
			continue;
		nopen = emit_guards(l, g->calls->v[i].guard, open, join, nopen);
		rc = emit_call(l, &g->calls->v[i], entry);
	}
	if (rc == 0) {
		emit_guards(l, NULL, open, join, nopen);
		LLVMBuildRet(l->b, LLVMConstInt(l->i32, 0, 0));
	}
	free(open);
	free(pt);
	return rc;
}

/* NAME_run_generic(inputs, outputs, arena), as emit_c.c's emit_generic. */
static void emit_generic(L *l)
{
	const Graph *g = l->g;
	LLVMTypeRef pt[3] = {l->ptr, l->ptr, l->ptr};
	LLVMValueRef fn, *args, bad;
	LLVMBasicBlockRef ret, cont;
	char name[256];
	int i, n = g->ninputs + g->noutputs + 1;

	snprintf(name, sizeof name, "%s_run_generic", l->o->name);
	claim_name(l, name);
	fn = LLVMAddFunction(l->mod, name, LLVMFunctionType(l->i32, pt, 3, 0));
	LLVMPositionBuilderAtEnd(l->b, LLVMAppendBasicBlockInContext(l->ctx, fn, "entry"));
	bad = LLVMBuildIsNull(l->b, LLVMGetParam(fn, 1), "");
	if (g->ninputs)
		bad = LLVMBuildOr(l->b, bad, LLVMBuildIsNull(l->b, LLVMGetParam(fn, 0), ""), "");
	ret = LLVMAppendBasicBlockInContext(l->ctx, fn, "null");
	cont = LLVMAppendBasicBlockInContext(l->ctx, fn, "run");
	LLVMBuildCondBr(l->b, bad, ret, cont);
	LLVMPositionBuilderAtEnd(l->b, ret);
	LLVMBuildRet(l->b, LLVMConstInt(l->i32, 1, 0));
	LLVMPositionBuilderAtEnd(l->b, cont);
	args = xmalloc((size_t)n * sizeof *args);
	for (i = 0; i < n - 1; i++) {
		int in = i < g->ninputs;
		LLVMValueRef idx = LLVMConstInt(l->i64, (unsigned long long)(in ? i : i - g->ninputs), 0);
		LLVMValueRef p = LLVMBuildInBoundsGEP2(l->b, l->ptr, LLVMGetParam(fn, in ? 0 : 1), &idx,
						       1, "");
		args[i] = LLVMBuildLoad2(l->b, l->ptr, p, "");
	}
	args[n - 1] = LLVMGetParam(fn, 2);
	LLVMBuildRet(l->b, LLVMBuildCall2(l->b, LLVMGlobalGetValueType(l->run), l->run, args,
					  (unsigned)n, ""));
	free(args);
}

/* --threads: the kernels' onnxcc_nthreads (onnxcc_rt.h) becomes the model's
 * thread count, a constant that folds; a threaded model calls the pool of
 * libonnxcc_runtime_min.a (onnxcc_rt_parallel), and NAME_threads_join stops
 * it, as emit_c.c's does. */
static void emit_threads(L *l)
{
	LLVMValueRef n = LLVMGetNamedGlobal(l->mod, "onnxcc_nthreads"), fn, join;
	LLVMTypeRef vty = LLVMFunctionType(LLVMVoidTypeInContext(l->ctx), NULL, 0, 0);
	char name[256];

	if (n) {
		LLVMSetInitializer(n, LLVMConstInt(l->i64, (unsigned long long)lower_threads, 0));
		LLVMSetGlobalConstant(n, 1);
		LLVMSetLinkage(n, LLVMInternalLinkage);
	}
	if (lower_threads <= 1)
		return;
	if (!(join = LLVMGetNamedFunction(l->mod, "onnxcc_rt_pool_join")))
		join = LLVMAddFunction(l->mod, "onnxcc_rt_pool_join", vty);
	snprintf(name, sizeof name, "%s_threads_join", l->o->name);
	claim_name(l, name);
	fn = LLVMAddFunction(l->mod, name, vty);
	LLVMPositionBuilderAtEnd(l->b, LLVMAppendBasicBlockInContext(l->ctx, fn, "entry"));
	LLVMBuildCall2(l->b, vty, join, NULL, 0, "");
	LLVMBuildRetVoid(l->b);
}

static int is_public(const L *l, const char *s)
{
	static const char *const sfx[] = {"_run", "_run_generic", "_inputs", "_outputs", "_init",
					  "_threads_join"};
	size_t n = strlen(l->o->name), i;

	if (strncmp(s, l->o->name, n) != 0)
		return 0;
	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++)
		if (strcmp(s + n, sfx[i]) == 0)
			return 1;
	return 0;
}

/* Everything but the header's symbols becomes internal (so unused kernels go
 * away and the rest inline); every function gets the target machine's CPU
 * and features, keeping the extra features a kernel asked for (the AVX2 and
 * AVX-512 GEMMs). */
static void internalize(L *l, const char *cpu, const char *features)
{
	LLVMValueRef f, gv;
	unsigned idx = (unsigned)LLVMAttributeFunctionIndex;

	for (f = LLVMGetFirstFunction(l->mod); f; f = LLVMGetNextFunction(f)) {
		const char *nm = LLVMGetValueName(f);
		LLVMAttributeRef a;
		char *feat;
		const char *old = "";
		unsigned len = 0;
		if (LLVMIsDeclaration(f))
			continue;
		if (!is_public(l, nm))
			LLVMSetLinkage(f, LLVMInternalLinkage);
		/* C throws nothing: no unwind tables (nor, on ARM, the EHABI personality) */
		LLVMAddAttributeAtIndex(f, idx, LLVMCreateEnumAttribute(
						l->ctx, LLVMGetEnumAttributeKindForName("nounwind", 8), 0));
		/* -Os: what clang -Os marks each function with (no unrolling, ...) */
		if (l->o->opt_size)
			LLVMAddAttributeAtIndex(f, idx, LLVMCreateEnumAttribute(
							l->ctx, LLVMGetEnumAttributeKindForName("optsize", 7), 0));
		a = LLVMGetStringAttributeAtIndex(f, idx, "target-features", 15);
		if (a)
			old = LLVMGetStringAttributeValue(a, &len);
		if (len == strlen(features) && strncmp(old, features, len) == 0)
			len = 0;	/* the bitcode's own (non-x86 targets) */
		feat = xmalloc(strlen(features) + len + 2);
		sprintf(feat, "%s%s%.*s", features, *features && len ? "," : "", (int)len, old);
		if (*cpu)
			LLVMAddAttributeAtIndex(f, idx, LLVMCreateStringAttribute(l->ctx, "target-cpu", 10,
										  cpu, (unsigned)strlen(cpu)));
		if (*feat)
			LLVMAddAttributeAtIndex(f, idx,
						LLVMCreateStringAttribute(l->ctx, "target-features", 15,
									  feat, (unsigned)strlen(feat)));
		free(feat);
	}
	for (gv = LLVMGetFirstGlobal(l->mod); gv; gv = LLVMGetNextGlobal(gv))
		if (!LLVMIsDeclaration(gv) && !is_public(l, LLVMGetValueName(gv)) &&
		    LLVMGetLinkage(gv) != LLVMPrivateLinkage)
			LLVMSetLinkage(gv, LLVMInternalLinkage);
}

static int llvm_error(LLVMErrorRef e, const char *what)
{
	char *msg = LLVMGetErrorMessage(e);
	int rc = ir_error("LLVM backend: %s: %s", what, msg);

	LLVMDisposeErrorMessage(msg);
	return rc;
}

/* The CPU and features of the target machine for --cpu on x86-64. */
static void x86_cpu(const char *cpu, char **name, char **features)
{
	if (!cpu || strcmp(cpu, "native") == 0) {
		*name = LLVMGetHostCPUName();
		*features = LLVMGetHostCPUFeatures();
		return;
	}
	*name = LLVMCreateMessage(strcmp(cpu, "avx2") == 0      ? "haswell"
				  : strcmp(cpu, "avx512f") == 0 ? "skylake-avx512"
								: "x86-64");
	*features = LLVMCreateMessage("");
}

/* An attribute's value (not NUL-terminated) as an LLVM message. */
static char *attr_message(LLVMAttributeRef a)
{
	unsigned len = 0;
	const char *s = a ? LLVMGetStringAttributeValue(a, &len) : "";
	char *buf = xmalloc((size_t)len + 1), *m;

	memcpy(buf, s, len);
	buf[len] = '\0';
	m = LLVMCreateMessage(buf);
	free(buf);
	return m;
}

/* The CPU and features the kernels were compiled for (the clang flags of
 * bitcode/kernels.c for this triple, e.g. cortex-m4 with the single-precision
 * FPU): the target machine and the functions added here get the same, or
 * the kernels would not inline into the run function (LLVM inlines only into
 * a caller with at least the callee's features) and a call between the two
 * would pass floats in different registers. */
static void bitcode_cpu(LLVMModuleRef mod, char **name, char **features)
{
	unsigned idx = (unsigned)LLVMAttributeFunctionIndex;
	LLVMValueRef f;

	*name = *features = NULL;
	for (f = LLVMGetFirstFunction(mod); f && !*name; f = LLVMGetNextFunction(f)) {
		LLVMAttributeRef c = LLVMGetStringAttributeAtIndex(f, idx, "target-cpu", 10);
		if (LLVMIsDeclaration(f) || !c)
			continue;
		*name = attr_message(c);
		*features = attr_message(LLVMGetStringAttributeAtIndex(f, idx, "target-features", 15));
	}
	if (!*name) {
		*name = LLVMCreateMessage("");
		*features = LLVMCreateMessage("");
	}
}

static int emit_llvm(Graph *g, const EmitOptions *o, FILE *out)
{
	const EmbeddedBitcode *bc = find_bitcode(o->target);
	LLVMMemoryBufferRef mb = NULL;
	LLVMTargetRef target;
	LLVMTargetMachineRef tm = NULL;
	LLVMTargetDataRef td = NULL;
	LLVMPassBuilderOptionsRef po = NULL;
	LLVMErrorRef err;
	char *msg = NULL, *cpu = NULL, *features = NULL, *triple = NULL;
	int rc = 0, x86 = strncmp(o->target, "x86_64", 6) == 0;
	L l;

	if (!bc)
		return ir_error("--target %s: no kernels for this target in this onnxcc", o->target);
	memset(&l, 0, sizeof l);
	l.g = g;
	l.o = o;
	LLVMInitializeAllTargetInfos();
	LLVMInitializeAllTargets();
	LLVMInitializeAllTargetMCs();
	LLVMInitializeAllAsmPrinters();
	LLVMInitializeAllAsmParsers();
	l.ctx = LLVMContextCreate();
	mb = LLVMCreateMemoryBufferWithMemoryRange((const char *)bc->start,
						   (size_t)(bc->end - bc->start), "kernels", 0);
	if (LLVMParseBitcodeInContext2(l.ctx, mb, &l.mod)) {
		l.mod = NULL;
		LLVMDisposeMemoryBuffer(mb);
		rc = ir_error("LLVM backend: the embedded kernel bitcode for %s does not parse",
			      o->target);
		goto done;
	}
	LLVMDisposeMemoryBuffer(mb);	/* the module holds a copy */
	triple = LLVMNormalizeTargetTriple(LLVMGetTarget(l.mod));
	if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
		rc = ir_error("LLVM backend: target %s: %s", triple, msg);
		goto done;
	}
	if (x86)
		x86_cpu(o->cpu, &cpu, &features);
	else
		bitcode_cpu(l.mod, &cpu, &features);
	tm = LLVMCreateTargetMachine(target, triple, *cpu ? cpu : "generic", features,
				     LLVMCodeGenLevelAggressive,
				     strstr(triple, "linux") ? LLVMRelocPIC : LLVMRelocStatic,
				     LLVMCodeModelDefault);
	if (!tm) {
		rc = ir_error("LLVM backend: no target machine for %s", triple);
		goto done;
	}
	td = LLVMCreateTargetDataLayout(tm);
	LLVMSetModuleDataLayout(l.mod, td);
	{
		LLVMValueRef table = LLVMGetNamedGlobal(l.mod, "onnxcc_kernel_table");
		if (table)
			LLVMDeleteGlobal(table);
	}
	l.b = LLVMCreateBuilderInContext(l.ctx);
	l.i8 = LLVMInt8TypeInContext(l.ctx);
	l.i32 = LLVMInt32TypeInContext(l.ctx);
	l.i64 = LLVMInt64TypeInContext(l.ctx);
	l.f64 = LLVMDoubleTypeInContext(l.ctx);
	l.ptr = LLVMPointerTypeInContext(l.ctx, 0);
	l.intptr = LLVMIntPtrTypeInContext(l.ctx, td);
	l.noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
	l.alwaysinline = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
	l.barrier_ty = LLVMFunctionType(LLVMVoidTypeInContext(l.ctx), NULL, 0, 0);
	l.barrier = LLVMGetInlineAsm(l.barrier_ty, "", 0, "~{memory}", 9, 1, 0,
				     LLVMInlineAsmDialectATT, 0);
	emit_consts(&l);
	emit_info(&l, "inputs", g->inputs, g->ninputs);
	emit_info(&l, "outputs", g->outputs, g->noutputs);
	rc = emit_init(&l);
	if (rc == 0)
		rc = emit_run(&l);
	if (rc)
		goto done;
	emit_generic(&l);
	emit_threads(&l);
	internalize(&l, cpu, features);
	/* Drop the kernels this model does not call before anything else looks
	 * at the module: the bitcode holds all of them. */
	po = LLVMCreatePassBuilderOptions();
	if ((err = LLVMRunPasses(l.mod, "globaldce", tm, po))) {
		rc = llvm_error(err, "dropping unused kernels");
		goto done;
	}
	if (LLVMVerifyModule(l.mod, LLVMReturnStatusAction, &msg)) {
		rc = ir_error("LLVM backend: invalid module: %.2000s", msg);
		goto done;
	}
	LLVMDisposeMessage(msg);
	msg = NULL;
	err = LLVMRunPasses(l.mod, o->opt_size ? "default<Os>" : o->opt_level >= 3 ? "default<O3>" : "default<O2>",
			    tm, po);
	if (err) {
		rc = llvm_error(err, "optimizing");
		goto done;
	}
	if (o->emit == EMIT_LLVM_IR) {
		char *s = LLVMPrintModuleToString(l.mod);
		fputs(s, out);
		LLVMDisposeMessage(s);
	} else {
		LLVMMemoryBufferRef ob;
		if (LLVMTargetMachineEmitToMemoryBuffer(tm, l.mod, o->emit == EMIT_ASM ? LLVMAssemblyFile
							: LLVMObjectFile, &msg, &ob)) {
			rc = ir_error("LLVM backend: code generation: %s", msg);
			goto done;
		}
		fwrite(LLVMGetBufferStart(ob), 1, LLVMGetBufferSize(ob), out);
		LLVMDisposeMemoryBuffer(ob);
	}
	if (ferror(out))
		rc = ir_error("cannot write the output");
done:
	if (msg)
		LLVMDisposeMessage(msg);
	if (po)
		LLVMDisposePassBuilderOptions(po);
	if (l.b)
		LLVMDisposeBuilder(l.b);
	if (td)
		LLVMDisposeTargetData(td);
	if (tm)
		LLVMDisposeTargetMachine(tm);
	if (triple)
		LLVMDisposeMessage(triple);
	if (cpu)
		LLVMDisposeMessage(cpu);
	if (features)
		LLVMDisposeMessage(features);
	if (l.mod)
		LLVMDisposeModule(l.mod);
	LLVMContextDispose(l.ctx);
	return rc;
}

#endif

const Backend backend_llvm = {"llvm", emit_llvm};
