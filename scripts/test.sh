#!/usr/bin/env bash
# test.sh: install the dependencies, build into build/ (incrementally), then
# run every test with ctest: the unit tests, the CLI test, the example and the
# conformance ratchet (tests/conformance/passing.txt).  JOBS sets the build's
# parallelism (default: all cores); extra arguments go to ctest.
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
exit $rc
