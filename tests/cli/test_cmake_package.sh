#!/usr/bin/env bash
# test_cmake_package.sh: the installed CMake package.  Installs onnxcc from
# BUILD_DIR into a staging prefix and moves it elsewhere (the package must be
# relocatable), configures examples/cmake-app against it as a separate project
# (find_package(onnxcc) + onnxcc_add_model()), builds and runs it, and checks
# the printed probabilities against the tiny CNN's test data set (computed by
# the model generator's own forward pass, not by onnxcc).  Then checks that
# a rebuild with nothing changed does not run onnxcc, and that touching the
# model or the installed onnxcc runs it again.  The installed onnxcc-run
# must use the installed harness and pass the same data set.
#
#   test_cmake_package.sh BUILD_DIR SOURCE_DIR WORKDIR [C_COMPILER [BACKEND]]
#
# BACKEND (c, the default, or llvm) is onnxcc_add_model()'s.  With llvm the
# model is compiled with --threads 2: the object calls the thread pool of
# runtime_min's library, which the package must install and link.
set -u

[ $# -ge 3 ] || { echo "usage: test_cmake_package.sh BUILD_DIR SOURCE_DIR WORKDIR [C_COMPILER [BACKEND]]" >&2; exit 2; }
build=$(realpath "$1") src=$(realpath "$2") work=$3
cc=${4:-${CC:-cc}}
backend=${5:-c}
cmake=${CMAKE:-cmake} # ctest passes its own
case $backend in
c) ext=c options="-O2" ;;
llvm) ext=o options="-O2;--threads;2" ;;
*) echo "test_cmake_package.sh: unknown backend $backend" >&2; exit 2 ;;
esac
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# run DESCRIPTION LOG -- COMMAND...: run COMMAND into LOG; a failure ends the test
run() {
	local what=$1 log=$2
	shift 3
	if ! "$@" >"$log" 2>&1; then
		echo "FAIL: $what (exit $?):"
		tail -n 30 "$log" | sed 's/^/    /'
		exit 1
	fi
	echo "ok: $what"
}

rm -rf "$work"
mkdir -p "$work/model"
work=$(realpath "$work")
cd "$work" || exit 1

# A copy of the model, so that touching it leaves the source tree alone.
cp "$src/examples/tiny_cnn/tiny_cnn.onnx" model/ || exit 1
expected=$src/examples/tiny_cnn/test_data_set_0/output_0.pb

run "cmake --install" install.log -- "$cmake" --install "$build" --prefix "$work/stage"
mv "$work/stage" "$work/prefix" || exit 1
for f in bin/onnxcc include/onnxcc/onnxcc_rt.h lib/cmake/onnxcc/onnxccConfig.cmake \
	lib/cmake/onnxcc/onnxccConfigVersion.cmake lib/cmake/onnxcc/onnxccAddModel.cmake \
	lib/libonnxcc_runtime_min.a; do
	[ -e "prefix/$f" ] || fail "the prefix has no $f"
done
# runtime_min for each cross target the build made.
for d in "$build"/runtime_min/*/; do
	t=$(basename "$d")
	[ -e "prefix/lib/onnxcc/$t/libonnxcc_runtime_min.a" ] || fail "the prefix has no lib/onnxcc/$t/libonnxcc_runtime_min.a"
done
# Relocatable: nothing installed names the staging prefix.
if grep -rl "$work/stage" prefix/lib/cmake >/dev/null; then
	fail "the package names its install prefix: $(grep -rl "$work/stage" prefix/lib/cmake | tr '\n' ' ')"
fi

run "configure examples/cmake-app" configure.log -- \
	"$cmake" -S "$src/examples/cmake-app" -B app -DCMAKE_PREFIX_PATH="$work/prefix" \
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF \
	-DTINY_CNN_MODEL="$work/model/tiny_cnn.onnx" -DTINY_CNN_BACKEND="$backend" -DTINY_CNN_OPTIONS="$options"
found=$(sed -n 's/^onnxcc_DIR:PATH=//p' app/CMakeCache.txt)
[ "$found" = "$work/prefix/lib/cmake/onnxcc" ] || fail "find_package(onnxcc) found '$found', not the test's prefix"

# check_output: the app's ten probabilities against the data set's.  The
# expected tensor ends with raw_data (field 9, tag 0x4a) of 40 bytes (0x28).
check_output() {
	local what=$1
	if ! app/cmake_app >out.txt 2>err.txt; then
		fail "$what: cmake_app failed: $(head -c 300 err.txt)"
		return
	fi
	if [ "$(tail -c 42 "$expected" | head -c 2 | od -An -tx1 | tr -d ' ')" != 4a28 ]; then
		fail "$expected: not a tensor of 10 raw floats"
		return
	fi
	tail -c 40 "$expected" | od -An -v -t f4 -w4 | tr -d ' ' >want.txt
	sed -n 's/^probs\[[0-9]*\] = //p' out.txt >got.txt
	if ! awk 'NR == FNR { want[FNR] = $1; n = FNR; next }
		{ got[FNR] = $1; m = FNR }
		END {
			if (m != n || n != 10) { printf "%d values, expected %d\n", m, n; exit 1 }
			for (i = 1; i <= n; i++) {
				d = got[i] - want[i]; if (d < 0) d = -d
				t = want[i] < 0 ? -want[i] : want[i]
				if (d > 1e-6 + 1e-4 * t) { printf "probs[%d] = %s, expected %s\n", i - 1, got[i], want[i]; exit 1 }
			}
		}' want.txt got.txt >cmp.txt; then
		fail "$what: $(cat cmp.txt)"
		return
	fi
	echo "ok: $what: the output matches the data set"
}

# onnxcc_ran LOG: the build in LOG ran onnxcc (the custom command's comment)
onnxcc_ran() {
	grep -q "onnxcc: compiling .*tiny_cnn.onnx" "$1"
}

generated=app/onnxcc/tiny_cnn/tiny_cnn.$ext
run "build" build1.log -- "$cmake" --build app -j1
onnxcc_ran build1.log || fail "the first build did not run onnxcc"
[ -f app/onnxcc/tiny_cnn/tiny_cnn.h ] || fail "no generated header app/onnxcc/tiny_cnn/tiny_cnn.h"
check_output "first build"
if [ "$backend" = llvm ]; then
	# the threaded object calls the pool, found in the installed library
	nm "$generated" | grep -q ' U onnxcc_rt_parallel$' || fail "$generated does not call onnxcc_rt_parallel"
	nm app/cmake_app | grep -q ' T onnxcc_rt_parallel$' || fail "cmake_app has no onnxcc_rt_parallel"
	grep -rq "prefix/lib/libonnxcc_runtime_min.a" app/CMakeFiles/cmake_app.dir/link.txt ||
		fail "cmake_app is not linked with the installed libonnxcc_runtime_min.a"
fi

run "rebuild, nothing changed" build2.log -- "$cmake" --build app -j1
onnxcc_ran build2.log && fail "a rebuild with nothing changed ran onnxcc"

# Touching the model (a second later: file systems with coarse times) ...
sleep 1
touch model/tiny_cnn.onnx
run "rebuild after touching the model" build3.log -- "$cmake" --build app -j1
onnxcc_ran build3.log || fail "touching the model did not run onnxcc again"
[ "$generated" -nt model/tiny_cnn.onnx ] || fail "touching the model left $generated older than the model"
check_output "after touching the model"

# ... and the installed compiler.
sleep 1
touch prefix/bin/onnxcc
run "rebuild after touching onnxcc" build4.log -- "$cmake" --build app -j1
onnxcc_ran build4.log || fail "touching the installed onnxcc did not run it again"
check_output "after touching onnxcc"

# The installed onnxcc-run builds with the installed harness (a broken copy
# must break it) and passes the tiny CNN's data set.
data=$src/examples/tiny_cnn/test_data_set_0
harness=prefix/share/onnxcc/onnxcc_harness.c
cp "$harness" harness.keep
echo '#error the installed harness' >>"$harness"
CC=$cc prefix/bin/onnxcc-run model/tiny_cnn.onnx "$data" >run_broken.log 2>&1
rc=$?
[ "$rc" -eq 4 ] || fail "onnxcc-run with a broken installed harness: exit $rc, expected 4 (it does not use the installed harness)"
cp harness.keep "$harness"
if CC=$cc prefix/bin/onnxcc-run model/tiny_cnn.onnx "$data" >run.log 2>&1 && grep -q '^PASS' run.log; then
	echo "ok: the installed onnxcc-run passes the data set"
else
	fail "the installed onnxcc-run: $(tail -n 5 run.log)"
fi

# With llvm: the installed onnxcc-run links an LLVM object with the installed
# runtime_min (an empty copy must break a threaded build) and passes.
if [ "$backend" = llvm ]; then
	rtlib=prefix/lib/libonnxcc_runtime_min.a
	cp "$rtlib" rtlib.keep
	ar rc empty.a && cp empty.a "$rtlib"
	CC=$cc prefix/bin/onnxcc-run model/tiny_cnn.onnx "$data" --backend llvm --threads 2 >run_llvm_broken.log 2>&1
	rc=$?
	[ "$rc" -eq 4 ] || fail "onnxcc-run --backend llvm with an empty installed runtime_min: exit $rc, expected 4"
	cp rtlib.keep "$rtlib"
	if CC=$cc prefix/bin/onnxcc-run model/tiny_cnn.onnx "$data" --backend llvm --threads 2 >run_llvm.log 2>&1 &&
		grep -q '^PASS' run_llvm.log; then
		echo "ok: the installed onnxcc-run --backend llvm --threads 2 passes the data set"
	else
		fail "the installed onnxcc-run --backend llvm --threads 2: $(tail -n 5 run_llvm.log)"
	fi
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "all CMake package checks passed"
