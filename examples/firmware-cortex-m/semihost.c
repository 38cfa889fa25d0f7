/* semihost.c: SYS_WRITE0 and SYS_EXIT through `bkpt 0xab` (see semihost.h). */
#include <stdint.h>

#include "semihost.h"

#define SYS_WRITE0 0x04
#define SYS_EXIT 0x18
/* Reasons of SYS_EXIT (angel_SWIreason_ReportException): QEMU exits with 0
 * for ApplicationExit and 1 for anything else. */
#define ADP_Stopped_ApplicationExit 0x20026
#define ADP_Stopped_RunTimeErrorUnknown 0x20023

static int semihost_call(int op, const void *arg)
{
	register int r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ __volatile__("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

void sh_write0(const char *s)
{
	semihost_call(SYS_WRITE0, s);
}

void sh_exit(int ok)
{
	/* On 32-bit Arm the reason itself is the argument, not a block. */
	semihost_call(SYS_EXIT, (const void *)(uintptr_t)(ok ? ADP_Stopped_ApplicationExit
						   : ADP_Stopped_RunTimeErrorUnknown));
	for (;;) /* not reached under a debugger or QEMU that serves the call */
		__asm__ __volatile__("wfi");
}
