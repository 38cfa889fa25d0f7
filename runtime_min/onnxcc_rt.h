/* onnxcc_rt.h: what every kernel and every generated file shares.
 * The C backend pastes this file at the top of each generated model; onnxcc
 * compiles it in for constant folding.  No allocation, no written globals. */
#ifndef ONNXCC_RT_H
#define ONNXCC_RT_H

#include <stdint.h>
#include <string.h>
/* GCC's <tgmath.h> names every variant of a generic function, the complex
 * long double ones too (cexpl, cpowl, ...), which newlib's <complex.h>
 * declares only for Cygwin: declared here, a float call still resolves to
 * expf and friends at compile time, and these are never linked. */
#if defined(_NEWLIB_VERSION) && !defined(__CYGWIN__)
#include <complex.h>
long double complex cacosl(long double complex), casinl(long double complex);
long double complex catanl(long double complex), ccosl(long double complex);
long double complex csinl(long double complex), ctanl(long double complex);
long double complex cacoshl(long double complex), casinhl(long double complex);
long double complex catanhl(long double complex), ccoshl(long double complex);
long double complex csinhl(long double complex), ctanhl(long double complex);
long double complex cexpl(long double complex), clogl(long double complex);
long double complex cpowl(long double complex, long double complex);
long double complex csqrtl(long double complex), conjl(long double complex);
long double complex cprojl(long double complex);
#endif
#include <tgmath.h>

/* The kernel signature (compiler/lower.h): buffers, integer and float parameters. */
#define ONNXCC_KERNEL(name) \
	static void name(void *const *b, const int64_t *p, const double *f)

/* Helpers in templates may go unused in a given model: say so, for clang. */
#if defined(__GNUC__) || defined(__clang__)
#define ONNXCC_HELPER static inline __attribute__((unused))
#else
#define ONNXCC_HELPER static inline
#endif

/* Between two kernel calls of a run function.  Kernels reuse arena bytes
 * with different types (a float tensor, later an int64 one; byte movers that
 * copy floats as uint32_t), so once the calls are inlined into one function,
 * type-based alias analysis could move one kernel's loads past another's
 * stores.  The barrier keeps each kernel's memory accesses in call order. */
#if defined(__GNUC__) || defined(__clang__)
#define ONNXCC_BARRIER() __asm__ __volatile__("" ::: "memory")
#else
#define ONNXCC_BARRIER() ((void)0)
#endif

/* Alignment of the constant blob. */
#if defined(__GNUC__) || defined(__clang__)
#define ONNXCC_ALIGNED(n) __attribute__((aligned(n)))
#else
#define ONNXCC_ALIGNED(n)
#endif

/* Status codes a checking kernel stores in its int *status (compiler/lower.h). */
#define ONNXCC_ERR_SHAPE 2
#define ONNXCC_ERR_INDEX 3
#define ONNXCC_ERR_STRING 4 /* a string result does not fit its record (--string-bytes) */

/* Threads (onnxcc --threads N defines ONNXCC_THREADS N above this file).
 * onnxcc_parallel(fn, ctx) calls fn(ctx, t, ONNXCC_NTHREADS) once for each t
 * in [0, ONNXCC_NTHREADS) and returns when all calls have returned; a kernel
 * gives task t its share of the work and of the per-thread scratch (sized
 * for ONNXCC_NTHREADS by the compiler).  Single-threaded (the default, and
 * onnxcc's constant folding) it is a plain call and no pthreads are used.
 * The pool: ONNXCC_THREADS - 1 workers in static storage, started by the
 * first parallel call, asleep on a condition variable between calls; every
 * participant (the caller too) claims tasks until none is left, so a worker
 * that could not be created only costs speed.  Not reentrant: one parallel
 * call at a time (the run functions say so in the generated header). */
typedef void (*onnxcc_task_fn)(void *ctx, int64_t t, int64_t nt);

/* libonnxcc_runtime_min.a (runtime_min/onnxcc_rt.c, one per target): the same
 * pool with the number of tasks nt given at run time, up to 64.  The LLVM
 * backend's threaded objects call it; generated C carries its own copy
 * below and needs no library.  Built without threads (bare metal), it runs
 * the nt tasks one after the other. */
void onnxcc_rt_parallel(onnxcc_task_fn fn, void *ctx, int64_t nt);
void onnxcc_rt_pool_join(void);

#if defined(ONNXCC_RT_LIBRARY) && !defined(ONNXCC_RT_NO_THREADS)
#define ONNXCC_POOL_WORKERS 63
#elif !defined(ONNXCC_RT_LIBRARY) && defined(ONNXCC_THREADS) && ONNXCC_THREADS > 1
#define ONNXCC_POOL_WORKERS (ONNXCC_THREADS - 1)
#endif

#ifdef ONNXCC_POOL_WORKERS
#include <pthread.h>
#include <sched.h>

static pthread_mutex_t onnxcc_pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t onnxcc_pool_work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t onnxcc_pool_done = PTHREAD_COND_INITIALIZER;
static pthread_t onnxcc_pool_thread[ONNXCC_POOL_WORKERS];
static int onnxcc_pool_failed, onnxcc_pool_stop, onnxcc_pool_nworkers;
static unsigned long onnxcc_pool_gen;  /* parallel calls so far */
static onnxcc_task_fn onnxcc_pool_fn;
static void *onnxcc_pool_ctx;
static int64_t onnxcc_pool_ntasks;     /* of the current call */
static int64_t onnxcc_pool_next, onnxcc_pool_left; /* tasks not claimed, not finished */

/* Before sleeping, a worker waiting for the next call and the caller waiting
 * for the workers spin a little (ONNXCC_POOL_SPIN polls), reading the state
 * with atomic loads: the kernels of a run follow each other within
 * microseconds, less than a condition variable takes to wake a thread.
 * The state only changes under the mutex, with atomic stores.  The default
 * (about 50 us on x86) is short because spinning costs a core that other
 * processes may need; build with -DONNXCC_POOL_SPIN=N to change it. */
#if defined(__GNUC__) || defined(__clang__)
#ifndef ONNXCC_POOL_SPIN
#define ONNXCC_POOL_SPIN 2000
#endif
#define ONNXCC_POOL_LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define ONNXCC_POOL_STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#else
#undef ONNXCC_POOL_SPIN
#define ONNXCC_POOL_SPIN 0
#define ONNXCC_POOL_LOAD(x) (x)
#define ONNXCC_POOL_STORE(x, v) ((x) = (v))
#endif
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define ONNXCC_POOL_PAUSE() __builtin_ia32_pause()
#else
#define ONNXCC_POOL_PAUSE() ((void)0)
#endif

/* Where the workers run (Linux).  The scheduler tends to wake a sleeping
 * worker on the CPU of the thread that woke it.  After the process has been
 * idle for some milliseconds, both threads of --threads 2 then often share
 * one CPU for a whole run: squeezenet took 9.5 ms a run 20 ms apart, against
 * 4.5 back to back (7.2 with one thread).  So a parallel call from another
 * CPU than the last one keeps the workers off the caller's: their affinity
 * becomes the caller's CPUs but that one (no change when none would be left).
 * The caller's own affinity is never changed.  Needs _GNU_SOURCE before the
 * first include (generated code and onnxcc_rt.c define it); without it, or
 * elsewhere, the pool leaves placement to the scheduler. */
static int onnxcc_pool_cpu = -1;	/* the CPU the workers were last kept off */

ONNXCC_HELPER void onnxcc_pool_apart(void)	/* mutex held */
{
#if defined(__linux__) && defined(CPU_SET) && defined(CPU_COUNT)
	cpu_set_t s;
	int cpu = sched_getcpu(), i;

	if (cpu < 0 || cpu >= CPU_SETSIZE || cpu == onnxcc_pool_cpu || onnxcc_pool_nworkers == 0)
		return;
	onnxcc_pool_cpu = cpu;
	if (sched_getaffinity(0, sizeof s, &s) != 0)
		return;
	CPU_CLR(cpu, &s);
	if (CPU_COUNT(&s) == 0)
		return;
	for (i = 0; i < onnxcc_pool_nworkers; i++)
		pthread_setaffinity_np(onnxcc_pool_thread[i], sizeof s, &s);
#endif
}

/* Claim and run the current call's tasks until none is left (mutex held). */
ONNXCC_HELPER void onnxcc_pool_drain(void)
{
	while (onnxcc_pool_next < onnxcc_pool_ntasks) {
		int64_t t = onnxcc_pool_next++, nt = onnxcc_pool_ntasks;
		onnxcc_task_fn fn = onnxcc_pool_fn;
		void *ctx = onnxcc_pool_ctx;
		pthread_mutex_unlock(&onnxcc_pool_mu);
		fn(ctx, t, nt);
		pthread_mutex_lock(&onnxcc_pool_mu);
		ONNXCC_POOL_STORE(onnxcc_pool_left, onnxcc_pool_left - 1);
		if (onnxcc_pool_left == 0)
			pthread_cond_signal(&onnxcc_pool_done);
	}
}

static void *onnxcc_pool_worker(void *arg)
{
	unsigned long seen;
	long spin;
	(void)arg;
	pthread_mutex_lock(&onnxcc_pool_mu);
	seen = onnxcc_pool_gen;
	for (;;) {
		pthread_mutex_unlock(&onnxcc_pool_mu);
		for (spin = 0; spin < ONNXCC_POOL_SPIN && ONNXCC_POOL_LOAD(onnxcc_pool_gen) == seen &&
			       !ONNXCC_POOL_LOAD(onnxcc_pool_stop); spin++)
			ONNXCC_POOL_PAUSE();
		pthread_mutex_lock(&onnxcc_pool_mu);
		while (onnxcc_pool_gen == seen && !onnxcc_pool_stop)
			pthread_cond_wait(&onnxcc_pool_work, &onnxcc_pool_mu);
		if (onnxcc_pool_stop)
			break;
		seen = onnxcc_pool_gen;
		onnxcc_pool_drain();
	}
	pthread_mutex_unlock(&onnxcc_pool_mu);
	return (void *)0;
}

/* Run tasks 0..nt-1 on the caller and up to nt - 1 workers, started here
 * as needed (once one cannot be created, no more are tried until a join). */
ONNXCC_HELPER void onnxcc_pool_run(onnxcc_task_fn fn, void *ctx, int64_t nt)
{
	pthread_mutex_lock(&onnxcc_pool_mu);
	while (!onnxcc_pool_failed && onnxcc_pool_nworkers < ONNXCC_POOL_WORKERS &&
	       onnxcc_pool_nworkers < nt - 1) {
		if (pthread_create(&onnxcc_pool_thread[onnxcc_pool_nworkers], (const pthread_attr_t *)0,
				   onnxcc_pool_worker, (void *)0) != 0) {
			onnxcc_pool_failed = 1;
		} else {
			onnxcc_pool_nworkers++;
			onnxcc_pool_cpu = -1;	/* place the new one too */
		}
	}
	onnxcc_pool_apart();
	onnxcc_pool_fn = fn;
	onnxcc_pool_ctx = ctx;
	onnxcc_pool_ntasks = nt;
	onnxcc_pool_next = 0;
	ONNXCC_POOL_STORE(onnxcc_pool_left, nt);
	ONNXCC_POOL_STORE(onnxcc_pool_gen, onnxcc_pool_gen + 1);
	pthread_cond_broadcast(&onnxcc_pool_work);
	onnxcc_pool_drain();
	if (onnxcc_pool_left > 0) {
		long spin;
		pthread_mutex_unlock(&onnxcc_pool_mu);
		for (spin = 0; spin < ONNXCC_POOL_SPIN && ONNXCC_POOL_LOAD(onnxcc_pool_left) > 0; spin++)
			ONNXCC_POOL_PAUSE();
		pthread_mutex_lock(&onnxcc_pool_mu);
	}
	while (onnxcc_pool_left > 0)
		pthread_cond_wait(&onnxcc_pool_done, &onnxcc_pool_mu);
	pthread_mutex_unlock(&onnxcc_pool_mu);
}

/* Stop and join the workers (the generated NAME_threads_join). */
ONNXCC_HELPER void onnxcc_pool_join(void)
{
	int i;
	pthread_mutex_lock(&onnxcc_pool_mu);
	ONNXCC_POOL_STORE(onnxcc_pool_stop, 1);
	pthread_cond_broadcast(&onnxcc_pool_work);
	pthread_mutex_unlock(&onnxcc_pool_mu);
	for (i = 0; i < onnxcc_pool_nworkers; i++)
		pthread_join(onnxcc_pool_thread[i], (void **)0);
	pthread_mutex_lock(&onnxcc_pool_mu);
	ONNXCC_POOL_STORE(onnxcc_pool_stop, 0);
	onnxcc_pool_failed = 0;
	onnxcc_pool_nworkers = 0;
	pthread_mutex_unlock(&onnxcc_pool_mu);
}
#endif

#if defined(ONNXCC_RT_LINKED)
/* The LLVM backend's kernel bitcode (compiler/backend/bitcode/kernels.c):
 * the backend gives onnxcc_nthreads the model's --threads as a constant, and
 * a threaded model calls the library's pool. */
extern const int64_t onnxcc_nthreads;
#define ONNXCC_NTHREADS onnxcc_nthreads
ONNXCC_HELPER void onnxcc_parallel(onnxcc_task_fn fn, void *ctx)
{
	if (ONNXCC_NTHREADS > 1)
		onnxcc_rt_parallel(fn, ctx, ONNXCC_NTHREADS);
	else
		fn(ctx, 0, 1);
}
#elif defined(ONNXCC_THREADS) && ONNXCC_THREADS > 1 && !defined(ONNXCC_RT_LIBRARY)
#define ONNXCC_NTHREADS ((int64_t)ONNXCC_THREADS)
ONNXCC_HELPER void onnxcc_parallel(onnxcc_task_fn fn, void *ctx)
{
	onnxcc_pool_run(fn, ctx, ONNXCC_NTHREADS);
}
#else
#define ONNXCC_NTHREADS ((int64_t)1)
ONNXCC_HELPER void onnxcc_parallel(onnxcc_task_fn fn, void *ctx)
{
	fn(ctx, 0, 1);
}
#endif

/* Task t's share [*lo, *hi) of n units split among nt tasks as evenly as
 * possible, in whole multiples of `align` (the last share takes the rest). */
ONNXCC_HELPER void onnxcc_share(int64_t n, int64_t align, int64_t t, int64_t nt, int64_t *lo,
				int64_t *hi)
{
	int64_t blocks = (n + align - 1) / align;
	*lo = blocks * t / nt * align;
	*hi = blocks * (t + 1) / nt * align;
	if (*lo > n)
		*lo = n;
	if (*hi > n)
		*hi = n;
}

/* Kernels index tensors with int64_t; the largest rank they support. */
#define ONNXCC_MAX_RANK 8

/* Advance the multi-index idx over dims[0..r) (last fastest) and return the
 * change of a linear offset with element strides st[]. */
ONNXCC_HELPER int64_t onnxcc_next_index(int64_t r, const int64_t *dims,
					const int64_t *st, int64_t *idx)
{
	int64_t d, delta = 0;

	for (d = r - 1; d >= 0; d--) {
		if (++idx[d] < dims[d])
			return delta + st[d];
		idx[d] = 0;
		delta -= st[d] * (dims[d] - 1);
	}
	return delta;
}

/* IEEE half and bfloat16 <-> float, rounding to nearest even.  The half
 * conversions are branch-free (selects only) so that a loop of them
 * vectorizes: the narrowing runs 25 times faster than with branches.
 * Half -> float: the magnitude's bits move up 13 and the exponent is
 * rebiased by 112 (by 224 for inf and NaN); a subnormal h = m 2^-24 is
 * 2^-14 (1 + m 2^-10) - 2^-14, exact in float. */
ONNXCC_HELPER float onnxcc_f16_to_f32(uint16_t h)
{
	uint32_t o = (uint32_t)(h & 0x7fff) << 13, e = o & 0x0f800000u, u = o + 0x38800000u;
	float x;

	memcpy(&x, &u, 4);
	x -= 6.103515625e-05f;
	memcpy(&u, &x, 4);
	u = e == 0 ? u : e == 0x0f800000u ? o + 0x70000000u : o + 0x38000000u;
	u |= (uint32_t)(h & 0x8000) << 16;
	memcpy(&x, &u, 4);
	return x;
}

/* Float -> half.  NaN keeps its payload's top bits (and becomes quiet),
 * |f| >= 65520 rounds to inf.  Below 2^-14, |f| + 0.5 rounds |f| to a
 * multiple of 2^-24 (the float addition's own rounding, to nearest even):
 * its low bits are the half subnormal.  Above, the mantissa drops 13 bits
 * with round-half-to-even (+0xfff, +1 if the kept part is odd) and the
 * exponent is rebiased by -112 (0xc8000000); a carry out of the mantissa
 * correctly bumps the exponent, to inf past the largest half. */
ONNXCC_HELPER uint16_t onnxcc_f32_to_f16(float f)
{
	uint32_t u, a, sub, nrm, h;
	float x;

	memcpy(&u, &f, 4);
	a = u & 0x7fffffffu;
	memcpy(&x, &a, 4);
	x += 0.5f;
	memcpy(&sub, &x, 4);
	sub -= 0x3f000000u;
	nrm = (a + 0xc8000fffu + ((a >> 13) & 1)) >> 13;
	h = a > 0x7f800000u ? 0x7e00 | ((a >> 13) & 0x3ff)
	    : a >= 0x47800000u ? 0x7c00 : a < 0x38800000u ? sub : nrm;
	return (uint16_t)(h | ((u >> 16) & 0x8000));
}

ONNXCC_HELPER float onnxcc_bf16_to_f32(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float out;

	memcpy(&out, &u, 4);
	return out;
}

ONNXCC_HELPER uint16_t onnxcc_f32_to_bf16(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	if ((u & 0x7fffffff) > 0x7f800000)
		return (uint16_t)((u >> 16) | 0x40);
	u += 0x7fff + ((u >> 16) & 1);
	return (uint16_t)(u >> 16);
}

/* Phase planes (the convolutions' form of a padded plane, for any stride and
 * dilation): for each phase (ry, rx) of the strides sy, sx, the hph x wph
 * plane of the zero-padded image's elements [sy i + ry][sx j + rx], phase
 * after phase, hph = oh + (kh - 1) dy / sy rows and wph = ow + (kw - 1) dx /
 * sx columns.  Tap (ty, tx) of output (oy, ox) is then element (oy + ty dy /
 * sy, ox + tx dx / sx) of phase (ty dy % sy, tx dx % sx): every tap is one
 * run over the positions oy wph + ox.  ONNXCC_PHASES_SCRATCH: the planes
 * (+ kw: a tap's run reads past the last plane) and oh x wph sums. */
#define ONNXCC_PHASE_ROWS(oh, kh, dy, sy) ((oh) + ((kh) - 1) * (dy) / (sy))
#define ONNXCC_PHASES_SCRATCH(oh, ow, kh, kw, sy, sx, dy, dx) \
	((sy) * (sx) * ONNXCC_PHASE_ROWS(oh, kh, dy, sy) * ONNXCC_PHASE_ROWS(ow, kw, dx, sx) + \
	 (kw) + (oh) * ONNXCC_PHASE_ROWS(ow, kw, dx, sx))

/* Whether some tap t < k of a kernel dimension (dilation d, stride s) falls
 * on phase r: d t % s == r. */
ONNXCC_HELPER int onnxcc_phase_used(int64_t k, int64_t d, int64_t s, int64_t r)
{
	int64_t t;

	if (d == 1)	/* taps t < s land on phase t: no division */
		return r < k;
	for (t = 0; t < k && t < s; t++)
		if (d * t % s == r)
			return 1;
	return 0;
}

/* Where tap (ty, tx)'s run starts in phase planes of hph x wph (strides sy,
 * sx; dilations dy, dx), phase after phase. */
ONNXCC_HELPER int64_t onnxcc_phase_tap(int64_t ty, int64_t tx, int64_t sy, int64_t sx, int64_t dy,
				       int64_t dx, int64_t hph, int64_t wph)
{
	int64_t y = ty * dy, x = tx * dx;

	return (y % sy * sx + x % sx) * hph * wph + y / sy * wph + x / sx;
}

/* BODY (a statement on index J) for J in [0, L): from 4 to 15, in runs of
 * W (4, else 8), the last run overlapping the one before, so that a short row
 * (an image of 7 or 14 columns) still takes whole vectors where a loop of L
 * would be left scalar.  BODY must give the same result when it runs twice
 * for an index (a copy, not an update in place). */
#define ONNXCC_SHORT_ROW_RUNS(J, L, W, BODY) \
	for (bs_ = 0;; bs_ += (W)) { \
		bs_ = bs_ > (L) - (W) ? (L) - (W) : bs_; \
		for (J = bs_; J < bs_ + (W); J++) { \
			BODY; \
		} \
		if (bs_ == (L) - (W)) \
			break; \
	}
#define ONNXCC_SHORT_ROW(J, L, BODY) \
	do { \
		int64_t ls_ = (L), bs_; \
		if (ls_ < 4 || ls_ >= 16) { \
			for (J = 0; J < ls_; J++) { \
				BODY; \
			} \
		} else if (ls_ < 8) { \
			ONNXCC_SHORT_ROW_RUNS(J, ls_, 4, BODY) \
		} else { \
			ONNXCC_SHORT_ROW_RUNS(J, ls_, 8, BODY) \
		} \
	} while (0)

/* Fill the phase planes xp (element type T, hph x wph each, one after the
 * other) of the ih x iw image x0, with leading pads py, px, padded with 0;
 * the planes no tap reads (a 1x1 kernel with strides) are left as they are. */
#define ONNXCC_PHASE_PLANES(T, x0, xp, ih, iw, kh, kw, sy, sx, dy, dx, py, px, hph, wph) \
	do { \
		int64_t ry_, rx_, i_, j_; \
		T *pl_ = (xp); \
		for (ry_ = 0; ry_ < (sy); ry_++) \
			for (rx_ = 0; rx_ < (sx); rx_++, pl_ += (hph) * (wph)) { \
				/* the columns j with sx j + rx - px in [0, iw): [j0_, j1_) */ \
				int64_t j0_ = (px) - rx_ > 0 ? ((px) - rx_ + (sx) - 1) / (sx) : 0; \
				int64_t j1_ = (iw) + (px) - rx_ > 0 ? ((iw) + (px) - rx_ + (sx) - 1) / (sx) : 0; \
				if (!onnxcc_phase_used(kh, dy, sy, ry_) || !onnxcc_phase_used(kw, dx, sx, rx_)) \
					continue; \
				j1_ = j1_ > (wph) ? (wph) : j1_; \
				j0_ = j0_ > j1_ ? j1_ : j0_; \
				/* the padding first, in one loop over the plane: short rows \
				 * would make three short loops each */ \
				for (i_ = 0; i_ < (hph) * (wph); i_++) \
					pl_[i_] = (T)0; \
				for (i_ = 0; i_ < (hph); i_++) { \
					int64_t iy_ = (sy) * i_ + ry_ - (py); \
					const T *restrict xr_; \
					T *restrict d_ = pl_ + i_ * (wph); \
					if (iy_ < 0 || iy_ >= (ih)) \
						continue; \
					xr_ = (x0) + (iy_ * (iw) + rx_ - (px) + (sx) * j0_); \
					d_ += j0_; \
					if ((sx) == 1) \
						ONNXCC_SHORT_ROW(j_, j1_ - j0_, d_[j_] = xr_[j_]); \
					else if ((sx) == 2)	/* a literal stride vectorizes */ \
						ONNXCC_SHORT_ROW(j_, j1_ - j0_, d_[j_] = xr_[2 * j_]); \
					else \
						for (j_ = 0; j_ < j1_ - j0_; j_++) \
							d_[j_] = xr_[(sx) * j_]; \
				} \
			} \
	} while (0)

/* e^x in float, in straight-line code that a compiler vectorizes (libm's
 * expf is a call per element).  x = n ln2 + r with |r| <= ln2 / 2; e^r by its
 * Taylor polynomial to degree 7 (truncation under 3e-9); 2^n as two factors
 * 2^(n/2) made from exponent bits, so results that underflow to subnormals or
 * overflow to infinity round as IEEE arithmetic rounds them.  Within about 2
 * ulp of the exact value; NaN stays NaN. */
ONNXCC_HELPER float onnxcc_expf(float x)
{
	float xc = x > -104.0f ? x : -104.0f, nf, r, p, s1, s2;
	int32_t n, h, e1, e2;

	xc = xc < 89.0f ? xc : 89.0f;
	/* n = round(xc / ln2): adding and taking away 1.5 * 2^23 rounds */
	nf = (xc * 1.44269504f + 12582912.0f) - 12582912.0f;
	n = (int32_t)nf;
	r = (xc - nf * 0.693359375f) - nf * -2.12194440e-4f;
	p = 1.0f + r * (1.0f + r * (0.5f + r * (1.66666667e-1f + r * (4.16666667e-2f +
	    r * (8.33333333e-3f + r * (1.38888889e-3f + r * 1.98412698e-4f))))));
	h = n / 2;
	e1 = (h + 127) << 23;
	e2 = (n - h + 127) << 23;
	memcpy(&s1, &e1, 4);
	memcpy(&s2, &e2, 4);
	p = p * s1 * s2;
	return x == x ? p : x;
}

/* 1 / (1 + e^-x), through onnxcc_expf. */
ONNXCC_HELPER float onnxcc_sigmoidf(float x)
{
	return 1.0f / (1.0f + onnxcc_expf(-x));
}

/* Sigmoid of x: float through onnxcc_expf (it vectorizes), double through
 * libm. */
#define ONNXCC_SIGMOID(x) (sizeof(x) == sizeof(float) ? onnxcc_sigmoidf((float)(x)) \
	: (double)(x) >= 0 ? 1 / (1 + exp(-(double)(x))) : exp((double)(x)) / (1 + exp((double)(x))))

#endif
