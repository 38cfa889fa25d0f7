/* semihost.h: the two Arm semihosting calls the firmware needs, without the C
 * library (newlib's printf would bring in its heap).  On M-profile cores a
 * semihosting call is `bkpt 0xab` with the operation in r0 and its argument
 * in r1; QEMU serves it with -semihosting-config enable=on,target=native. */
#ifndef FW_SEMIHOST_H
#define FW_SEMIHOST_H

/* Print a NUL-terminated string on the host's standard output. */
void sh_write0(const char *s);

/* End the program: QEMU exits with status 0 when ok is nonzero, else 1. */
void sh_exit(int ok) __attribute__((noreturn));

#endif
