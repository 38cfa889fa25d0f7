/* newlib_tgmath.h: forced into the model's compilation (-include) for
 * newlib.  GCC's <tgmath.h> names every variant of a generic function,
 * including the complex long double ones (cexpl, cpowl, ...), but newlib's
 * <complex.h> declares those only for Cygwin, so `exp(x)` on a float fails
 * to compile.  Declaring them is enough: the real-typed calls of the model
 * resolve to expf and friends at compile time and these are never linked. */
#ifndef FW_NEWLIB_TGMATH_H
#define FW_NEWLIB_TGMATH_H

#include <complex.h>

#if defined(_NEWLIB_VERSION) && !defined(__CYGWIN__)
long double complex cacosl(long double complex);
long double complex casinl(long double complex);
long double complex catanl(long double complex);
long double complex ccosl(long double complex);
long double complex csinl(long double complex);
long double complex ctanl(long double complex);
long double complex cacoshl(long double complex);
long double complex casinhl(long double complex);
long double complex catanhl(long double complex);
long double complex ccoshl(long double complex);
long double complex csinhl(long double complex);
long double complex ctanhl(long double complex);
long double complex cexpl(long double complex);
long double complex clogl(long double complex);
long double complex cpowl(long double complex, long double complex);
long double complex csqrtl(long double complex);
long double complex conjl(long double complex);
long double complex cprojl(long double complex);
#endif

#endif
