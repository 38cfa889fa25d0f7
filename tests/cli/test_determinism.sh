#!/usr/bin/env bash
# test_determinism.sh: compiling a model twice, from two working directories,
# with the model named by different paths and the outputs in different
# folders, gives byte-identical .c and .h; and the generated code gives
# bit-identical outputs run to run (two processes, and repeated runs in one).
# Models: the tiny CNN example, If/Loop control flow, random ops (generated
# values), external weights (from the bad-model corpus generator).
#
#   test_determinism.sh ONNXCC ONNXCC_RUN MKMODEL GEN_BAD_MODELS SRCDIR WORKDIR
set -u

[ $# -eq 6 ] || { echo "usage: test_determinism.sh ONNXCC ONNXCC_RUN MKMODEL GEN SRCDIR WORKDIR" >&2; exit 2; }
onnxcc=$(realpath "$1") run=$(realpath "$2") mkmodel=$(realpath "$3") gen=$(realpath "$4")
src=$(realpath "$5") work=$6
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

rm -rf "$work"
mkdir -p "$work/models/random/test_data_set_0" "$work/one/out" "$work/two/deeper/elsewhere"
work=$(realpath "$work")
cd "$work" || exit 1
cp -r "$src/examples/tiny_cnn" models/tiny_cnn
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$mkmodel" control models/control >/dev/null || exit 1
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$mkmodel" random models/random/model.onnx || exit 1
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$gen" corpus >/dev/null || exit 1
cp -r corpus/good_external models/external

# name MODEL (relative to models/) DATASET
check() {
	local name=$1 model=$2 data=$3 k
	# run 1: from one/, the model by an absolute path, output in one/out
	(cd one && "$onnxcc" "$work/models/$model" -o out/model.c) || { fail "$name: compile 1"; return; }
	# run 2: from two/deeper, the model by a relative path, output two levels away
	(cd two/deeper && "$onnxcc" "../../models/$model" -o elsewhere/model.c) ||
		{ fail "$name: compile 2"; return; }
	for f in model.c model.h; do
		if cmp -s "one/out/$f" "two/deeper/elsewhere/$f"; then
			echo "ok: $name: $f identical across directories"
		else
			fail "$name: $f differs between the two compilations: $(diff "one/out/$f" "two/deeper/elsewhere/$f" | head -n 6)"
		fi
	done
	grep -q "$work" one/out/model.c one/out/model.h && fail "$name: the output names the build folder"
	# generated code, run to run: onnxcc-run builds it and runs it once, then
	# the same binary runs again (a new process) and 3 more times in one process
	rm -rf "keep_$name"
	"$run" "models/$model" "models/$data" --keep "keep_$name" >"$name.log" 2>&1 ||
		{ fail "$name: onnxcc-run: $(tail -n 3 "$name.log")"; return; }
	mkdir "first_$name"
	cp "keep_$name"/out_*.bin "first_$name/" || { fail "$name: no outputs"; return; }
	for repeat in 0 3; do
		"keep_$name/harness" "keep_$name" "$repeat" >/dev/null || { fail "$name: harness run"; continue; }
		for k in "first_$name"/out_*.bin; do
			cmp -s "$k" "keep_$name/$(basename "$k")" ||
				fail "$name: $(basename "$k") differs between runs (repeat $repeat)"
		done
	done
	echo "ok: $name: outputs bit-identical run to run"
}

check tiny_cnn tiny_cnn/tiny_cnn.onnx tiny_cnn/test_data_set_0
check control control/model.onnx control/then
check random random/model.onnx random/test_data_set_0
check external external/model.onnx external/test_data_set_0

if [ "$failures" -ne 0 ]; then
	echo "$failures determinism check(s) failed"
	exit 1
fi
echo "all determinism checks passed"
