#!/usr/bin/env bash
# test.sh: install the dependencies, build into build/ (incrementally), then
# run every test with ctest: the unit tests, the CLI test, the example and the
# conformance ratchet (tests/conformance/passing.txt).  Then the sanitizer job:
# onnxcc built with AddressSanitizer and UndefinedBehaviorSanitizer into
# build-asan/, the whole conformance suite (SANITIZE_SHARD=0/3 for a third;
# with --cpu generic, the portable kernels, while the first run used the host's
# SIMD ones) compiled and run through it with the
# generated code built with the same sanitizers; any report fails a case, and
# the ratchet must hold (SANITIZE=0 skips it).  Before it, the whole suite
# again through the LLVM backend (LLVM=0 skips it) and the threaded kernels'
# cases with --threads 2 (THREADS=0 skips it; a subset of them through the
# LLVM backend too, whose threaded objects call runtime_min's library).  Last, a bounded fuzz run
# (scripts/fuzz.sh: FUZZ_RUNS inputs from a fixed seed; FUZZ=0 skips it).  JOBS sets
# the build's parallelism (default: all cores); extra arguments go to ctest.
set -eu
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
if [ ! -f build/CMakeCache.txt ]; then
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build build -j "${JOBS:-$(nproc)}"
rm -f build/conformance/summary.txt
rc=0
ctest --test-dir build --output-on-failure "$@" || rc=$?
if [ -f build/conformance/summary.txt ]; then
	echo
	echo "== conformance (build/conformance/results.tsv)"
	cat build/conformance/summary.txt
fi

if [ "${LLVM:-1}" != 0 ] && grep -q '^ONNXCC_LLVM:BOOL=ON' build/CMakeCache.txt; then
	echo
	echo "== LLVM backend: the conformance suite through onnxcc -o model.o (build/conformance-llvm)"
	bash tests/conformance/run_conformance.sh --build build --top 0 --backend llvm \
		--out build/conformance-llvm || rc=1
fi

if [ "${THREADS:-1}" != 0 ]; then
	echo
	echo "== threads: the threaded kernels' cases with --threads 2 (build/conformance-threads)"
	bash tests/conformance/run_conformance.sh --build build --top 0 --threads 2 \
		--filter '^(light/|node/test_(conv|gemm|matmul|maxpool|averagepool|batchnorm|relu|add|sum|softmax|basic_conv|globalaveragepool)|pytorch-converted/test_(Conv|Linear|MaxPool|AvgPool|BatchNorm))' \
		--out build/conformance-threads || rc=1
	if [ "${LLVM:-1}" != 0 ] && grep -q '^ONNXCC_LLVM:BOOL=ON' build/CMakeCache.txt; then
		echo
		echo "== threads, LLVM backend: objects calling runtime_min's pool (build/conformance-threads-llvm)"
		bash tests/conformance/run_conformance.sh --build build --top 0 --threads 2 --backend llvm \
			--filter '^(light/|node/test_(conv|gemm|maxpool|averagepool|batchnorm|relu|softmax))' \
			--out build/conformance-threads-llvm || rc=1
	fi
fi

if [ "${SANITIZE:-1}" != 0 ]; then
	echo
	echo "== sanitizers: the conformance suite through onnxcc built with ASan+UBSan (build-asan/)"
	if [ ! -f build-asan/CMakeCache.txt ]; then
		cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONNXCC_SANITIZE=ON
	fi
	cmake --build build-asan --target onnxcc-run -j "${JOBS:-$(nproc)}"
	bash tests/conformance/run_conformance.sh --build build-asan --top 0 --shard "${SANITIZE_SHARD:-0/1}" --cpu generic \
		--cflags "-fsanitize=address,undefined -fno-sanitize-recover=all" || rc=1
fi

if [ "${FUZZ:-1}" != 0 ]; then
	echo
	echo "== fuzzing: libFuzzer over the whole compile pipeline (build-fuzz/)"
	bash scripts/fuzz.sh || rc=1
fi
exit $rc
