/* onnxcc_rt.c: libonnxcc_runtime_min.a, what objects of the LLVM backend
 * call at run time (the generated C carries the same code from onnxcc_rt.h
 * and needs no library).  Built for each target (CMakeLists.txt): the host,
 * aarch64-linux-gnu and thumbv7em-none-eabihf when their compilers are
 * installed; -DONNXCC_RT_NO_THREADS for bare metal, where there are no
 * threads and the tasks run one after the other.
 *
 * Today that is the thread pool of onnxcc --threads N: onnxcc_rt.h's pool,
 * compiled once here with up to 63 workers and the task count given at run
 * time, so one library serves models compiled for any --threads.  An
 * object compiled with --threads 1 (the default) calls nothing here. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1	/* the pool's CPU affinity (onnxcc_rt.h) */
#endif
#define ONNXCC_RT_LIBRARY 1
#include "onnxcc_rt.h"

void onnxcc_rt_parallel(onnxcc_task_fn fn, void *ctx, int64_t nt)
{
	if (nt <= 1) {
		fn(ctx, 0, 1);
		return;
	}
#ifdef ONNXCC_POOL_WORKERS
	onnxcc_pool_run(fn, ctx, nt);	/* any nt: the participants claim tasks until none is left */
#else
	{
		int64_t t;
		for (t = 0; t < nt; t++)
			fn(ctx, t, nt);
	}
#endif
}

void onnxcc_rt_pool_join(void)
{
#ifdef ONNXCC_POOL_WORKERS
	onnxcc_pool_join();
#endif
}
