#!/usr/bin/env bash
# test_matmul.sh: MatMul of awkward sizes, end to end, on every kernel target
# this host runs (the portable kernels and the SIMD ones of templates/gemm_simd.h),
# with B a run-time input and a constant (packed at compile time).  Expected
# outputs are computed in double by `mkmodel matmul`.
#
#   test_matmul.sh ONNXCC_RUN MKMODEL WORKDIR
set -u

[ $# -eq 3 ] || { echo "usage: test_matmul.sh ONNXCC_RUN MKMODEL WORKDIR" >&2; exit 2; }
run=$(realpath "$1") mkmodel=$(realpath "$2") work=$3
failures=0
rm -rf "$work"
mkdir -p "$work"
cpus="generic"
grep -qw avx2 /proc/cpuinfo 2>/dev/null && cpus="$cpus avx2"
grep -qw avx512f /proc/cpuinfo 2>/dev/null && cpus="$cpus avx512f"
for size in "7 13 19" "1 1 1" "64 64 64" "1 40 300" "70 3 33" "130 300 600"; do
	for kind in input const; do
		dir=$work/mm_${size// /x}_$kind
		# shellcheck disable=SC2086 # $size is three numbers
		"$mkmodel" matmul "$dir" $size "$kind" || exit 1
		for cpu in $cpus; do
			if "$run" "$dir/model.onnx" "$dir/test_data_set_0" --cpu "$cpu" --rtol 1e-4 --atol 1e-5 \
				>"$dir/$cpu.out" 2>&1 && grep -q PASS "$dir/$cpu.out"; then
				echo "ok: matmul $size ($kind B) --cpu $cpu"
			else
				echo "FAIL: matmul $size ($kind B) --cpu $cpu"
				cat "$dir/$cpu.out"
				failures=$((failures + 1))
			fi
		done
	done
done
if [ "$failures" -ne 0 ]; then
	echo "$failures matmul check(s) failed"
	exit 1
fi
echo "all matmul checks passed"
