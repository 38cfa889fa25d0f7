#!/usr/bin/env bash
# fuzz.sh: the bounded fuzz run.  Builds the libFuzzer target (clang, with
# AddressSanitizer and UndefinedBehaviorSanitizer) into build-fuzz/, replays the
# kept crashers of tests/fuzz/regressions/, then fuzzes FUZZ_RUNS inputs
# (default 30000, at most FUZZ_SECONDS, default 600) from the fixed random seed
# FUZZ_SEED (default 1), seeded with the conformance models, so that a run is
# repeatable.  Exits non-zero on any
# crash, leak or sanitizer report; a new crasher is left in build-fuzz/ as
# crash-<hash>: fix it and move it into tests/fuzz/regressions/.
set -eu
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${FUZZ_SECONDS:-600} runs=${FUZZ_RUNS:-30000} seed=${FUZZ_SEED:-1}
cc=$(command -v clang-19 || command -v clang || true)
[ -n "$cc" ] || { echo "fuzz.sh: no clang found (scripts/install-deps.sh installs it)" >&2; exit 1; }
data=${ONNXCC_TESTDATA:-../shared/onnx-backend-tests}

if [ ! -f build-fuzz/CMakeCache.txt ]; then
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER="$cc" -DONNXCC_FUZZ=ON -DBUILD_TESTING=OFF \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build-fuzz --target onnxcc_fuzz -j "${JOBS:-$(nproc)}"

# Seeds: the conformance models up to 64 KiB (the light models are too big to mutate well),
# and the CLI test's control-flow and function models.
mkdir -p build-fuzz/seeds build-fuzz/corpus
if [ -d "$data/node" ] && [ -z "$(ls -A build-fuzz/seeds)" ]; then
	for m in "$data"/{node,simple,pytorch-converted,pytorch-operator}/*/model.onnx; do
		[ "$(stat -c %s "$m")" -le 65536 ] || continue
		c=${m%/model.onnx}
		cp "$m" "build-fuzz/seeds/${c##*/}.onnx"
	done
	# and the CLI test's models with subgraphs and model-local functions (ctest made them)
	for m in build/tests/control/model.onnx build/tests/control/fn/model.onnx; do
		[ -f "$m" ] && cp "$m" "build-fuzz/seeds/cli_$(basename "$(dirname "$m")").onnx"
	done
fi

if [ -n "$(ls -A tests/fuzz/regressions 2>/dev/null)" ]; then
	echo "== fuzz: replaying tests/fuzz/regressions"
	build-fuzz/onnxcc_fuzz tests/fuzz/regressions/*
fi
rm -rf build-fuzz/corpus && mkdir build-fuzz/corpus	# each run starts from the seeds alone
echo "== fuzz: $runs inputs (seed $seed, at most ${seconds}s) from $(ls build-fuzz/seeds | wc -l) seeds"
build-fuzz/onnxcc_fuzz -runs="$runs" -seed="$seed" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
	-max_len=262144 -print_final_stats=1 -artifact_prefix=build-fuzz/ \
	build-fuzz/corpus build-fuzz/seeds 2>&1 | tee build-fuzz/fuzz.log |
	grep -E '^(#[0-9]+.*(INITED|DONE)|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' || true
grep -q 'ERROR\|SUMMARY: ' build-fuzz/fuzz.log && { echo "fuzz.sh: a crash, see build-fuzz/fuzz.log" >&2; exit 1; }
grep -q 'stat::number_of_executed_units' build-fuzz/fuzz.log || { echo "fuzz.sh: the fuzzer did not finish" >&2; exit 1; }
echo "fuzz.sh: no crash"
