#!/usr/bin/env bash
# test_control.sh: control flow with run-time conditions, end to end.  The
# model of `mkmodel control` picks an If branch by a run-time bool and runs a
# Loop a run-time number of times; onnxcc-run builds and runs it on data sets
# whose expected outputs were worked out by hand, and a trip count that
# disagrees with the declared scan length must make the run fail (exit 5).
# The model of `mkmodel function` calls model-local functions (one calling
# another, attribute references and defaults, a left-out input): its right
# data set must pass and its wrong one (an expected value off by one) fail.
#
#   test_control.sh ONNXCC_RUN MKMODEL WORKDIR
set -u

[ $# -eq 3 ] || { echo "usage: test_control.sh ONNXCC_RUN MKMODEL WORKDIR" >&2; exit 2; }
run=$(realpath "$1") mkmodel=$(realpath "$2") work=$3
failures=0

check() {
	local want=$1 set=$2 model=${3:-$work/model.onnx} rc
	"$run" "$model" "$work/$set" >"$work/$set.out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: data set $set: exit $rc, expected $want"
		cat "$work/$set.out"
		failures=$((failures + 1))
	else
		echo "ok: data set $set (exit $rc)"
	fi
}

rm -rf "$work"
"$mkmodel" control "$work" || exit 1
check 0 then
check 0 else
check 5 short
grep -q "PASS" "$work/then.out" || { echo "FAIL: then did not compare"; failures=$((failures + 1)); }
"$mkmodel" function "$work/fn" || exit 1
check 0 fn/right "$work/fn/model.onnx"
check 1 fn/wrong "$work/fn/model.onnx"
grep -q "PASS" "$work/fn/right.out" || { echo "FAIL: fn/right did not compare"; failures=$((failures + 1)); }
if [ "$failures" -ne 0 ]; then
	echo "$failures control check(s) failed"
	exit 1
fi
echo "all control checks passed"
