#!/usr/bin/env bash
# test_llvm.sh: the LLVM backend end to end.  An object file from onnxcc
# links into a program beside a model from the C backend and computes the
# right numbers; --emit=llvm-ir and --emit=asm write what they say; bad
# --emit and --target values fail cleanly; the control-flow model (run-time
# If and Loop, a checking kernel) gives onnxcc-run --backend llvm the same
# results and exit codes as the C backend; and --target objects are for
# their machines (aarch64 runs under qemu-aarch64 when it is installed).
#
#   test_llvm.sh ONNXCC ONNXCC_RUN MKMODEL WORKDIR
set -u

[ $# -eq 4 ] || { echo "usage: test_llvm.sh ONNXCC ONNXCC_RUN MKMODEL WORKDIR" >&2; exit 2; }
onnxcc=$(realpath "$1") run=$(realpath "$2") mkmodel=$(realpath "$3") work=$4
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect CODE DESCRIPTION -- COMMAND...
expect() {
	local want=$1 what=$2 rc
	shift 3
	"$@" >"$work/stdout" 2>"$work/stderr"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$what: exit $rc, expected $want"
		sed 's/^/    /' "$work/stderr" | head -n 5
		return 1
	fi
	echo "ok: $what"
}

contains() {
	grep -qF -- "$2" "$work/$1" || fail "$1 does not contain '$2': $(head -c 300 "$work/$1")"
}

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
"$mkmodel" add add.onnx || exit 1
"$mkmodel" control control || exit 1

# an object from the LLVM backend and C from the C backend in one program
expect 0 "compile add.onnx -o m1.o" -- "$onnxcc" add.onnx -o m1.o --name m1
[ -f m1.o ] && [ -f m1.h ] || fail "-o m1.o did not write m1.o and m1.h"
expect 0 "compile add.onnx -o m2.c" -- "$onnxcc" add.onnx -o m2.c --name m2
cat >app.c <<'EOF'
#include <stdint.h>
#include <stdio.h>
#include "m1.h"
#ifndef ONLY_M1
#include "m2.h"
#else /* the LLVM model only: m2 is m1 */
#define m2_run m1_run
#define M2_OK M1_OK
#define M2_ARENA_SIZE M1_ARENA_SIZE
#endif

static double arena1[(M1_ARENA_SIZE + 64) / sizeof(double) + 1];
static double arena2[(M2_ARENA_SIZE + 64) / sizeof(double) + 1];

int main(void)
{
	static const float x[6] = {0, 1, 2, 3, 4, 5}, want[6] = {1, 3, 5, 4, 6, 8};
	float y1[6], y2[6];
	const void *in[1] = {x};
	void *out[1] = {y1};
	void *a1 = (void *)(((uintptr_t)arena1 + 63) & ~(uintptr_t)63);
	void *a2 = (void *)(((uintptr_t)arena2 + 63) & ~(uintptr_t)63);
	int i, bad = 0;

	if (m1_run_generic(in, out, a1) != M1_OK || m2_run(x, y2, a2) != M2_OK)
		return 2;
	for (i = 0; i < 6; i++)
		bad += y1[i] != want[i] || y2[i] != want[i];
	if (m1_run(NULL, y1, a1) != M1_ERR_NULL || m1_run_generic(NULL, out, a1) != M1_ERR_NULL)
		return 3;
	if (m1_inputs[0].nbytes != sizeof x || m1_outputs[0].rank != 2 ||
	    m1_outputs[0].shape[1] != 3 || m1_inputs[0].elem_type != 1)
		return 4;
	printf("%s %s\n", m1_inputs[0].name, bad ? "wrong" : "right");
	return bad != 0;
}
EOF
expect 0 "cc links app.c with m1.o and m2.c" -- \
	"${CC:-cc}" -std=c99 -Wall -Wextra -Werror -O2 app.c m1.o m2.c -o app -lm
expect 0 "app runs" -- ./app && contains stdout "right"
nm m1.o | grep -q ' [Tt] m1_run$' || fail "m1.o defines no m1_run"
[ "$(nm --defined-only -g m1.o | wc -l)" -eq 5 ] ||
	fail "m1.o exports more than the header's five symbols: $(nm --defined-only -g m1.o)"

# --emit=llvm-ir, --emit=asm, and the extension's default
expect 0 "--emit=llvm-ir" -- "$onnxcc" add.onnx -o ir.txt --emit=llvm-ir --name m1
grep -q '^define .*@m1_run(' ir.txt || fail "ir.txt defines no m1_run"
expect 0 "-o m.ll" -- "$onnxcc" add.onnx -o m.ll
grep -q '^target triple' m.ll || fail "m.ll is not LLVM IR"
expect 0 "--emit asm" -- "$onnxcc" add.onnx -o m.s --emit asm --name m1
grep -q '^m1_run:' m.s || fail "m.s has no m1_run label"

# bad options fail cleanly and leave nothing behind
expect 2 "--emit=bogus" -- "$onnxcc" add.onnx -o x.o --emit=bogus &&
	contains stderr "--emit bogus: expected c, obj, asm or llvm-ir"
expect 1 "--target bogus" -- "$onnxcc" add.onnx -o x.o --target bogus &&
	contains stderr "--target bogus: not a target of this onnxcc"
expect 1 "--target with C output" -- "$onnxcc" add.onnx -o x.c --target x86_64-linux-gnu &&
	contains stderr "--target is for --emit=obj"
expect 1 "--cpu avx2 for aarch64" -- "$onnxcc" add.onnx -o x.o --cpu avx2 --target aarch64-linux-gnu &&
	contains stderr "--cpu avx2: an x86-64 CPU"
ls x.* 2>/dev/null | grep -q . && fail "failed compiles left files behind: $(ls x.*)"

# run-time control flow and checks, through onnxcc-run --backend llvm
for set in then:0 else:0 short:5; do
	expect "${set#*:}" "onnxcc-run --backend llvm control/${set%:*}" -- \
		"$run" control/model.onnx "control/${set%:*}" --backend llvm
done
expect 2 "onnxcc-run --backend bogus" -- "$run" control/model.onnx --backend bogus &&
	contains stderr "backend 'bogus' is not available"

# --threads: the object calls the pool of runtime_min's library, which
# onnxcc-run links (BUILD/runtime_min/libonnxcc_runtime_min.a); the tiny CNN
# must give its data set's outputs on 3 threads.  Bare metal has no threads.
tiny=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../examples/tiny_cnn" && pwd)
expect 0 "onnxcc-run --backend llvm --threads 3 tiny_cnn" -- \
	"$run" "$tiny/tiny_cnn.onnx" "$tiny/test_data_set_0" --backend llvm --threads 3 --keep tiny_host &&
	contains stdout "PASS"
expect 0 "compile tiny_cnn.onnx -o mt.o --threads 3" -- "$onnxcc" "$tiny/tiny_cnn.onnx" -o mt.o --threads 3
nm mt.o | grep -q ' U onnxcc_rt_parallel$' || fail "mt.o (--threads 3) does not call onnxcc_rt_parallel"
nm mt.o | grep -q ' T mt_threads_join$' || fail "mt.o (--threads 3) defines no mt_threads_join"
nm m1.o | grep -q 'onnxcc_rt_' && fail "m1.o (no --threads) calls runtime_min: $(nm m1.o | grep onnxcc_rt_)"

# cross targets
if command -v file >/dev/null; then
	expect 0 "--target aarch64-linux-gnu" -- "$onnxcc" add.onnx -o a64.o --name m1 --target aarch64-linux-gnu &&
		{ file a64.o | grep -q 'ARM aarch64' || fail "a64.o: $(file a64.o)"; }
	expect 0 "--target thumbv7em-none-eabihf" -- \
		"$onnxcc" add.onnx -o m4.o --name m1 --target thumbv7em-none-eabihf &&
		{ file m4.o | grep -q 'ELF 32-bit LSB relocatable, ARM' || fail "m4.o: $(file m4.o)"; }
	expect 1 "--threads 2 for thumbv7em" -- \
		"$onnxcc" add.onnx -o x.o --threads 2 --target thumbv7em-none-eabihf &&
		contains stderr "bare metal, without threads"
fi
if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
	expect 0 "aarch64-linux-gnu-gcc links app.c with a64.o" -- \
		aarch64-linux-gnu-gcc -std=c99 -DONLY_M1 -static -O2 app.c a64.o -o app.a64 -lm
	expect 0 "app.a64 runs under qemu-aarch64" -- qemu-aarch64 ./app.a64 && contains stdout "right"
	# threaded, with runtime_min's library for aarch64: the tiny CNN's outputs
	# must be the host's (onnxcc-run --keep above)
	rtlib=$(dirname "$onnxcc")/runtime_min/aarch64-linux-gnu/libonnxcc_runtime_min.a
	mkdir -p t64 && cp tiny_host/in_0.bin t64/
	expect 0 "tiny_cnn --threads 3 --target aarch64-linux-gnu" -- \
		"$onnxcc" "$tiny/tiny_cnn.onnx" -o t64/model.o --name onnxcc_model --threads 3 --target aarch64-linux-gnu
	expect 0 "aarch64-linux-gnu-gcc links the harness with t64/model.o and $rtlib" -- \
		aarch64-linux-gnu-gcc -std=c99 -static -pthread -O2 -It64 "$tiny/../../runtime_min/onnxcc_harness.c" \
		t64/model.o "$rtlib" -o t64/harness -lm
	expect 0 "the threaded aarch64 tiny CNN runs under qemu-aarch64" -- qemu-aarch64 t64/harness t64 1 &&
		{ paste <(od -An -v -tf4 -w4 t64/out_0.bin) <(od -An -v -tf4 -w4 tiny_host/out_0.bin) |
			awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-6) bad++ } END { exit NR != 10 || bad }' ||
			fail "the threaded aarch64 tiny CNN's outputs differ from the host's"; }
else
	echo "skip: aarch64-linux-gnu-gcc or qemu-aarch64 not installed"
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures LLVM backend check(s) failed"
	exit 1
fi
echo "all LLVM backend checks passed"
