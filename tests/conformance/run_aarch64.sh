#!/usr/bin/env bash
# run_aarch64.sh: the AArch64 target, cross-built and run under qemu-aarch64.
#
#   run_aarch64.sh unit BUILD         tests/unit/test_gemm_neon.c: the NEON GEMM
#                                     micro-kernel and drivers against the portable
#                                     micro-kernel, the scalar GEMM and doubles
#   run_aarch64.sh conformance BUILD  the cases of tests/conformance/aarch64_subset.txt
#                                     with --cpu neon, then --cpu generic; every one
#                                     must pass (results in BUILD/conformance-aarch64-CPU)
#
# AARCH64_CC (default aarch64-linux-gnu-gcc) builds, AARCH64_EXEC (default
# 'qemu-aarch64 -L /usr/aarch64-linux-gnu') runs; AARCH64_JOBS parallel cases
# (default nproc).  Exit 77 (a skipped ctest) when either tool is missing;
# scripts/install-deps.sh installs both.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
mode=${1:-}
build=${2:-$repo/build}
cc=${AARCH64_CC:-aarch64-linux-gnu-gcc}
exec_cmd=${AARCH64_EXEC:-qemu-aarch64 -L /usr/aarch64-linux-gnu}
jobs=${AARCH64_JOBS:-$(nproc 2>/dev/null || echo 2)}

for tool in "${cc%% *}" "${exec_cmd%% *}"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "run_aarch64.sh: $tool not found (scripts/install-deps.sh installs it): skipped"
		exit 77
	fi
done

case $mode in
unit)
	out=$build/aarch64-unit
	mkdir -p "$out"
	# shellcheck disable=SC2086 # $cc may carry options (clang --target=...)
	$cc -std=c99 -O2 -Wall -Wextra -Werror -I"$repo/runtime_min" -I"$repo/templates" \
		"$repo/tests/unit/test_gemm_neon.c" -o "$out/test_gemm_neon" -lm || exit 1
	start=$(date +%s)
	# shellcheck disable=SC2086 # $exec_cmd is a command with its options
	$exec_cmd "$out/test_gemm_neon" || exit 1
	echo "ran under ${exec_cmd%% *} in $(($(date +%s) - start))s"
	;;
conformance)
	rc=0
	for cpu in neon generic; do
		start=$(date +%s)
		bash "$here/run_conformance.sh" --build "$build" --jobs "$jobs" --top 0 --cpu "$cpu" \
			--cc "$cc" --exec "$exec_cmd" --list "$here/aarch64_subset.txt" \
			--out "$build/conformance-aarch64-$cpu" || rc=1
		echo "== --cpu $cpu under ${exec_cmd%% *}: $(($(date +%s) - start))s wall"
		echo
	done
	exit $rc
	;;
*)
	echo "usage: run_aarch64.sh unit|conformance [BUILD]" >&2
	exit 2
	;;
esac
