#!/usr/bin/env bash
# test_bad_models.sh: every model of the bad-model corpus (written by
# gen_bad_models, with the message expected for each) makes onnxcc exit 1 with
# exactly that message on one line, and leaves no output file nor temporary;
# then the model with external weights compiles and computes the right
# numbers through onnxcc-run.
#
#   test_bad_models.sh ONNXCC ONNXCC_RUN GEN_BAD_MODELS WORKDIR
set -u

[ $# -eq 4 ] || { echo "usage: test_bad_models.sh ONNXCC ONNXCC_RUN GEN WORKDIR" >&2; exit 2; }
onnxcc=$(realpath "$1") run=$(realpath "$2") gen=$(realpath "$3") work=$4
failures=0 cases=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

rm -rf "$work"
mkdir -p "$work"
# (the builder never frees: no leak report for the generator)
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$gen" "$work/corpus" || { echo "FAIL: gen_bad_models"; exit 1; }
cd "$work/corpus" || exit 1
mkdir out
while IFS=$'\t' read -r name msg; do
	cases=$((cases + 1))
	"$onnxcc" "$name.onnx" -o out/model.c >../stdout 2>../stderr
	rc=$?
	got=$(cat ../stderr)
	if [ "$rc" -ne 1 ]; then
		fail "$name: exit $rc, expected 1: $got"
	elif [ "$got" != "onnxcc: $msg" ]; then
		fail "$name: wrong message
    got:      $got
    expected: onnxcc: $msg"
	else
		echo "ok: $name: $msg"
	fi
	left=$(ls -A out)
	[ -z "$left" ] || { fail "$name left files behind: $left"; rm -f out/* out/.[!.]*; }
done <expected.tsv
[ "$cases" -ge 40 ] || fail "only $cases cases in expected.tsv"

# external weights: compiles, runs, right numbers; run from elsewhere so the
# data file is found relative to the model, not to the working directory
cd "$work" || exit 1
if "$onnxcc" corpus/good_external/model.onnx -o ext.c >stdout 2>stderr; then
	echo "ok: good_external compiles"
else
	fail "good_external does not compile: $(cat stderr)"
fi
if "$run" corpus/good_external/model.onnx corpus/good_external/test_data_set_0 >stdout 2>stderr; then
	echo "ok: good_external runs and matches"
else
	fail "good_external: onnxcc-run failed: $(cat stdout stderr | tail -n 5)"
fi
# the weights are really read: other bytes give other numbers
cp -r corpus/good_external changed
printf '\001\002\003\004' | dd of=changed/weights.bin bs=1 seek=16 conv=notrunc 2>/dev/null
if "$run" changed/model.onnx changed/test_data_set_0 >stdout 2>stderr; then
	fail "good_external with changed weights still matches"
else
	echo "ok: changed external weights change the result"
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures of the bad-model checks failed ($cases cases)"
	exit 1
fi
echo "all $cases bad models rejected as expected"
