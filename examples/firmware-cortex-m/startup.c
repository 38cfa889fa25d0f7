/* startup.c: the vector table and the reset handler of the firmware.
 *
 * Reset: enable the FPU (CPACR grants full access to CP10 and CP11) before
 * any floating-point instruction can run, copy .data from flash to RAM, zero
 * .bss, fill the stack with a pattern (main measures how deep it went), call
 * main and report its result through semihosting.  A fault prints its name
 * and exits QEMU with a failure status, so a test never hangs on one. */
#include <stdint.h>

#include "semihost.h"

/* From the linker script (cortex_m4.ld). */
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_bottom[], __stack_top[];

#define STACK_FILL 0x5afe57acu

int main(void);
void Reset_Handler(void) __attribute__((noreturn));

/* Stack bytes never written since reset (the painted low end of the stack). */
uint32_t fw_stack_untouched(void)
{
	const uint32_t *p = __stack_bottom;

	while (p < __stack_top && *p == STACK_FILL)
		p++;
	return (uint32_t)((uintptr_t)p - (uintptr_t)__stack_bottom);
}

uint32_t fw_stack_size(void)
{
	return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)__stack_bottom);
}

void Reset_Handler(void)
{
	volatile uint32_t *const cpacr = (volatile uint32_t *)0xE000ED88u;
	uint32_t *dst, *src, *sp;

	*cpacr |= 0xFu << 20;
	__asm__ __volatile__("dsb\n\tisb" ::: "memory");

	for (src = __data_load, dst = __data_start; dst < __data_end;)
		*dst++ = *src++;
	for (dst = __bss_start; dst < __bss_end;)
		*dst++ = 0;
	/* Paint the stack below this frame (64 bytes of margin). */
	__asm__ __volatile__("mov %0, sp" : "=r"(sp));
	for (dst = __stack_bottom; dst < sp - 16;)
		*dst++ = STACK_FILL;

	sh_exit(main() == 0);
}

static void fault(const char *what)
{
	sh_write0("firmware: ");
	sh_write0(what);
	sh_write0("\n");
	sh_exit(0);
}

static void NMI_Handler(void) { fault("NMI"); }
static void HardFault_Handler(void) { fault("HardFault"); }
static void MemManage_Handler(void) { fault("MemManage fault"); }
static void BusFault_Handler(void) { fault("BusFault"); }
static void UsageFault_Handler(void) { fault("UsageFault"); }
static void Default_Handler(void) { fault("unexpected exception"); }

/* The initial stack pointer, then the handlers of the system exceptions. */
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
	(void (*)(void))(uintptr_t)__stack_top,
	Reset_Handler,
	NMI_Handler,
	HardFault_Handler,
	MemManage_Handler,
	BusFault_Handler,
	UsageFault_Handler,
	0, 0, 0, 0,
	Default_Handler, /* SVCall */
	Default_Handler, /* DebugMonitor */
	0,
	Default_Handler, /* PendSV */
	Default_Handler, /* SysTick */
};
