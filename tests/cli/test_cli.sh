#!/usr/bin/env bash
# test_cli.sh: onnxcc's command line: help and usage errors, a bad model
# (exit 1, a message, no output left behind), and generated code that builds
# warning-free under gcc and clang, links two models into one program and
# computes the right numbers.
#
#   test_cli.sh ONNXCC MKMODEL WORKDIR
set -u

[ $# -eq 3 ] || { echo "usage: test_cli.sh ONNXCC MKMODEL WORKDIR" >&2; exit 2; }
onnxcc=$(realpath "$1") mkmodel=$(realpath "$2") work=$3
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect CODE DESCRIPTION -- COMMAND...: run COMMAND, keep its output in
# $work/stdout and $work/stderr, check its exit status.
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

# the captured stdout or stderr must contain a fixed string
contains() {
	grep -qF -- "$2" "$work/$1" || fail "$1 does not contain '$2': $(head -c 300 "$work/$1")"
}

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
"$mkmodel" add add.onnx || exit 1
"$mkmodel" unsupported unsupported.onnx || exit 1
"$mkmodel" int4 int4.onnx || exit 1
"$mkmodel" strcat strcat.onnx || exit 1
printf 'not an ONNX model\n' >garbage.onnx
head -c 100 add.onnx >truncated.onnx

# --help, --version
expect 0 "--help" -- "$onnxcc" --help && contains stdout "usage: onnxcc MODEL.onnx -o OUT.c"
expect 0 "--version" -- "$onnxcc" --version && contains stdout "onnxcc "

# bad usage: exit 2 with a message on stderr
expect 2 "no arguments" -- "$onnxcc" && contains stderr "no model given"
expect 2 "no output" -- "$onnxcc" add.onnx && contains stderr "no output given"
expect 2 "unknown option" -- "$onnxcc" add.onnx -o x.c --frobnicate && contains stderr "unknown option --frobnicate"
expect 2 "-o without a file" -- "$onnxcc" add.onnx -o && contains stderr "-o needs a file name"
expect 2 "two models" -- "$onnxcc" add.onnx add.onnx -o x.c && contains stderr "more than one model"
expect 2 "bad --shape" -- "$onnxcc" add.onnx -o x.c --shape nonsense && contains stderr "--shape nonsense"
expect 2 "bad --string-bytes" -- "$onnxcc" add.onnx -o x.c --string-bytes 1 && contains stderr "--string-bytes 1: expected 2 to 65536"
expect 2 "bad --threads" -- "$onnxcc" add.onnx -o x.c --threads 0 && contains stderr "--threads 0: expected 1 to 64"
expect 2 "unknown --dump-ir pass" -- "$onnxcc" add.onnx --dump-ir=nopass && contains stderr "unknown pass"

# bad models: exit 1, one message, and no output file (not even a temporary)
expect_no_output() {
	local left
	left=$(ls -A | grep -v -e '\.onnx$' -e '^stdout$' -e '^stderr$' -e '^keep\.' | tr '\n' ' ')
	[ -z "$left" ] || fail "$1 left files behind: $left"
}
expect 1 "garbage model" -- "$onnxcc" garbage.onnx -o bad.c &&
	contains stderr "onnxcc: garbage.onnx: not a valid ONNX model (protobuf parse failed)"
expect_no_output "garbage model"
expect 1 "truncated model" -- "$onnxcc" truncated.onnx -o bad.c &&
	contains stderr "onnxcc: truncated.onnx: not a valid ONNX model (protobuf parse failed)"
expect_no_output "truncated model"
expect 1 "missing model" -- "$onnxcc" missing.onnx -o bad.c &&
	contains stderr "onnxcc: missing.onnx: cannot open the model file"
expect_no_output "missing model"
expect 1 "unsupported operator" -- "$onnxcc" unsupported.onnx -o bad.c &&
	contains stderr "onnxcc: node 'frob' (FrobnicateAll): operator 'FrobnicateAll' is not supported"
expect_no_output "unsupported operator"
[ "$(wc -l <stderr)" -eq 1 ] || fail "the error is not one line: $(cat stderr)"
expect 1 "header as output" -- "$onnxcc" add.onnx -o bad.h && contains stderr "must not end in .h"
expect_no_output "header as output"
expect 1 "bad --name" -- "$onnxcc" add.onnx -o bad.c --name 1abc && contains stderr "--name 1abc: not a C identifier"
expect_no_output "bad --name"

# a failed compile leaves an existing output untouched
echo "keep me" >keep.c
echo "keep me" >keep.h
expect 1 "failed compile over existing files" -- "$onnxcc" garbage.onnx -o keep.c
[ "$(cat keep.c keep.h)" = "keep me
keep me" ] || fail "a failed compile changed keep.c/keep.h"
rm -f keep.c keep.h

# the default name comes from the output file; --dump-ir and --report print
mkdir gen
expect 0 "compile add.onnx" -- "$onnxcc" add.onnx -o gen/add_model.c
[ -f gen/add_model.c ] && [ -f gen/add_model.h ] || fail "-o gen/add_model.c did not write add_model.c and add_model.h"
grep -q 'int add_model_run(' gen/add_model.h || fail "add_model.h declares no add_model_run"
grep -q 'ADD_MODEL_ARENA_SIZE' gen/add_model.h || fail "add_model.h defines no ADD_MODEL_ARENA_SIZE"
grep -q '#include "add_model.h"' gen/add_model.c || fail "add_model.c does not include add_model.h"
expect 0 "--dump-ir" -- "$onnxcc" add.onnx --dump-ir && contains stdout "Add"
expect 0 "--report" -- "$onnxcc" add.onnx --report && contains stdout "arena:"
ls gen | grep -q tmp && fail "temporary files left in gen/: $(ls gen)"

# two models with different prefixes, built warning-free as C99 by each compiler
expect 0 "compile --name m1" -- "$onnxcc" add.onnx -o m1.c --name m1
expect 0 "compile --name m2 -O0" -- "$onnxcc" add.onnx -o m2.c --name m2 -O0
cat >app.c <<'EOF'
#include <stdint.h>
#include <stdio.h>
#include "m1.h"
#include "m2.h"

/* An arena of SIZE bytes aligned to 64, from static storage. */
#define ARENA(name, size) \
	static double name##_storage[((size) + 64) / sizeof(double) + 1]; \
	void *name = (void *)(((uintptr_t)name##_storage + 63) & ~(uintptr_t)63)

int main(void)
{
	static const float x[6] = {0, 1, 2, 3, 4, 5}, want[6] = {1, 3, 5, 4, 6, 8};
	float y1[6], y2[6];
	const void *in[1];
	void *out[1];
	int i, bad = 0;
	ARENA(a1, M1_ARENA_SIZE);
	ARENA(a2, M2_ARENA_SIZE);

	in[0] = x;
	out[0] = y2;
	if (m1_run(x, y1, a1) != M1_OK || m2_run_generic(in, out, a2) != M2_OK)
		return 2;
	if (m1_run(NULL, y1, a1) != M1_ERR_NULL)
		return 3;
	for (i = 0; i < 6; i++)
		bad += y1[i] != want[i] || y2[i] != want[i];
	if (m1_inputs[0].nbytes != sizeof x || m2_outputs[0].rank != 2)
		return 4;
	printf("%s\n", bad ? "wrong" : "right");
	return bad != 0;
}
EOF
# sub-byte types at the interface: one element per byte, said in the header
expect 0 "compile int4.onnx" -- "$onnxcc" int4.onnx -o m4.c --name m4
grep -q 'ONE ELEMENT PER BYTE' m4.h || fail "m4.h does not say how int4 is laid out"
grep -q 'int m4_run(const int8_t \*in_x, int8_t \*out_t, float \*out_f, int8_t \*out_e' m4.h ||
	fail "m4.h: unexpected m4_run: $(grep 'm4_run(' m4.h)"
cat >app4.c <<'EOF'
#include <stdint.h>
#include <stdio.h>
#include "m4.h"

static double arena[(M4_ARENA_SIZE + 64) / sizeof(double) + 1];

/* x = [[-8, 7, 3], [-1, 0, 1]] one per byte; 0x1f reads as its low bits, -1. */
int main(void)
{
	static const int8_t x[6] = {-8, 7, 3, 0x1f, 0, 1}, tw[6] = {-8, 0x1f, 7, 0, 3, 1};
	static const int8_t ew[6] = {1, 0, 0, 1, 0, 0};
	static const float fw[6] = {-8, -1, 7, 0, 3, 1};
	int8_t t[6], e[6];
	float f[6];
	void *a = (void *)(((uintptr_t)arena + 63) & ~(uintptr_t)63);
	int i, bad = 0;

	if (m4_run(x, t, f, e, a) != M4_OK)
		return 2;
	for (i = 0; i < 6; i++)
		bad += t[i] != tw[i] || f[i] != fw[i] || e[i] != ew[i];
	if (m4_inputs[0].nbytes != 6 || m4_inputs[0].elem_type != 22)
		return 4;
	printf("%s\n", bad ? "wrong" : "right");
	return bad != 0;
}
EOF

compilers=${CC:-cc}
command -v clang >/dev/null && compilers="$compilers clang"
for cc in $compilers; do
	for f in m1.c m2.c; do
		expect 0 "$cc -std=c99 -Wall -Wextra -Werror -pedantic -c $f" -- \
			"$cc" -std=c99 -Wall -Wextra -Werror -pedantic -c "$f" -o "${f%.c}.$cc.o"
	done
	expect 0 "$cc builds app.c with both models" -- \
		"$cc" -std=c99 -Wall -Wextra -Werror -O2 app.c m1.c m2.c -o "app.$cc" -lm
	expect 0 "app ($cc) runs" -- "./app.$cc" && contains stdout "right"
	expect 0 "$cc builds app4.c (int4)" -- \
		"$cc" -std=c99 -Wall -Wextra -Werror -pedantic -O2 app4.c m4.c -o "app4.$cc" -lm
	expect 0 "app4 ($cc) runs" -- "./app4.$cc" && contains stdout "right"
done

# --threads: the default needs no pthreads at all; N > 1 declares the pool's
# join function and builds warning-free with -pthread
expect 0 "compile add.onnx --threads 3" -- "$onnxcc" add.onnx -o mt.c --threads 3
grep -q '#define MT_THREADS 3' mt.h || fail "mt.h does not define MT_THREADS 3"
grep -q 'void mt_threads_join(void);' mt.h || fail "mt.h does not declare mt_threads_join"
grep -q '#define M1_THREADS 1' m1.h || fail "m1.h does not define M1_THREADS 1"
for cc in $compilers; do
	expect 0 "$cc -E m1.c (single-threaded)" -- "$cc" -std=c99 -E m1.c &&
		! grep -q 'pthread_create' "$work/stdout" || fail "m1.c (no --threads) uses pthreads"
	expect 0 "$cc -std=c99 -Wall -Wextra -Werror -pedantic -pthread -c mt.c" -- \
		"$cc" -std=c99 -Wall -Wextra -Werror -pedantic -pthread -c mt.c -o "mt.$cc.o"
done

# string tensors: records of --string-bytes bytes; a result too long is ERR_STRING
expect 0 "compile strcat.onnx --string-bytes 8" -- "$onnxcc" strcat.onnx -o str.c --string-bytes 8
grep -q '#define STR_STRING_BYTES 8' str.h || fail "str.h does not define STR_STRING_BYTES 8"
cat >strapp.c <<'EOF'
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "str.h"

int main(void)
{
	static double storage[(STR_ARENA_SIZE + 64) / sizeof(double) + 1];
	void *arena = (void *)(((uintptr_t)storage + 63) & ~(uintptr_t)63);
	char x[2][STR_STRING_BYTES] = {"ab", ""}, y[2][STR_STRING_BYTES];

	if (str_run(&x[0][0], &y[0][0], arena) != STR_OK)
		return 2;
	if (strcmp(y[0], "ab-ok") != 0 || strcmp(y[1], "-ok") != 0)
		return 3;
	strcpy(x[0], "abcde");	/* 5 + 3 bytes do not fit 7 */
	if (str_run(&x[0][0], &y[0][0], arena) != STR_ERR_STRING)
		return 4;
	printf("right\n");
	return 0;
}
EOF
for cc in $compilers; do
	expect 0 "$cc builds a string model (-pedantic)" -- \
		"$cc" -std=c99 -Wall -Wextra -Werror -pedantic -O2 strapp.c str.c -o "strapp.$cc" -lm
	expect 0 "strapp ($cc) runs" -- "./strapp.$cc" && contains stdout "right"
done

if [ "$failures" -ne 0 ]; then
	echo "$failures CLI check(s) failed"
	exit 1
fi
echo "all CLI checks passed"
