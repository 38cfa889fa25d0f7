#!/usr/bin/env bash
# run_conformance.sh: the ONNX backend conformance suite, run through onnxcc-run.
#
# Every case of the test data (folders node, simple, pytorch-converted,
# pytorch-operator, light) is compiled, built and run in parallel, each under
# a time limit, and classified:
#   pass         all of its data sets match the expected outputs
#   fail         wrong output, or the generated C does not build (reason says which)
#   unsupported  onnxcc refused the model (reason: its one-line message)
#   crash        killed by a signal (compiler or generated code), timeout, or a
#                run-time failure of the generated code
# Results go to BUILD/conformance/results.tsv (folder, case, status, reason).
#
# The ratchet: tests/conformance/passing.txt lists cases that must pass; the
# run exits 1 if one of them does not.  Cases that pass but are not listed are
# printed; --update adds them to the list (only passing cases are ever added).
#
# Another target (--cc a cross compiler, --exec an emulator) runs with its own
# results folder (BUILD/conformance-cross unless --out) and never updates
# passing.txt; --list FILE runs just the cases FILE names, which must pass
# (tests/conformance/aarch64_subset.txt: the subset run under qemu-aarch64).
set -u
export LC_ALL=C

usage() {
	cat <<'EOF'
usage: run_conformance.sh [options]

  --filter REGEX   run only the cases whose "folder/case" matches REGEX (grep -E)
  --jobs N         parallel cases (default: nproc)
  --timeout S      per data set time limit in seconds (default 120)
  --build DIR      build directory holding onnxcc-run (default: REPO/build,
                   or $ONNXCC_BUILD)
  --cpu NAME       target CPU for onnxcc-run (generic, avx2, avx512f, native;
                   default: onnxcc's default, native)
  --threads N      threads of the generated code (onnxcc-run --threads)
  --shard K/N      run only every Nth case, starting with the Kth (0-based)
  --cflags FLAGS   extra flags for building the generated code (onnxcc-run --cflags),
                   e.g. sanitizers
  --cc CC          C compiler for the generated code (onnxcc-run --cc), e.g. a
                   cross compiler
  --exec CMD       run the generated code through CMD (onnxcc-run --exec), e.g.
                   'qemu-aarch64 -L /usr/aarch64-linux-gnu'
  --list FILE      run only the cases FILE lists (one "folder/case" a line, # comments)
                   and use FILE as the ratchet instead of passing.txt
  --out DIR        results folder (default BUILD/conformance, or
                   BUILD/conformance-cross with --cc or --exec)
  --backend NAME   code generator for onnxcc-run: c (default) or llvm
  --update         add cases that pass to tests/conformance/passing.txt (and, on
                   a full run, list the others with their reason in
                   tests/conformance/not_passing.tsv)
  --top N          show the N most common unsupported reasons (default 10)
  --help           this text

The test data is REPO/../shared/onnx-backend-tests unless $ONNXCC_TESTDATA is set.
Exit status: 0 all cases of passing.txt pass, 1 some do not, 2 bad usage.
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
folders="node simple pytorch-converted pytorch-operator light"

# One line of text fit for a TSV field: no tabs, no newlines, bounded length.
oneline() {
	tr '\t\n\r' '   ' | sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//' | cut -c1-300
}

# Tolerances of a case folder's data.json, as onnxcc-run options.
tolerances() {
	local json=$1/data.json r a
	[ -f "$json" ] || return 0
	r=$(sed -n 's/.*"rtol"[[:space:]]*:[[:space:]]*\([-+0-9.eE]*\).*/\1/p' "$json" | head -n1)
	a=$(sed -n 's/.*"atol"[[:space:]]*:[[:space:]]*\([-+0-9.eE]*\).*/\1/p' "$json" | head -n1)
	[ -n "$r" ] && printf -- '--rtol %s ' "$r"
	[ -n "$a" ] && printf -- '--atol %s ' "$a"
	return 0
}

# Status and reason of one onnxcc-run, from its exit code and logs.
classify() {
	local rc=$1 out=$2 err=$3 line
	case $rc in
	0) echo "pass	" ;;
	1)
		line=$(grep -m1 -E 'FAIL' "$out" | sed 's/ FAIL$//')
		echo "fail	wrong output: ${line:-no comparison printed}"
		;;
	2)
		line=$(grep -v '^try ' "$err" | tail -n1 | sed 's/^onnxcc-run: //')
		echo "unsupported	${line:-onnxcc-run usage error}"
		;;
	3)
		line=$(grep -E '^onnxcc: ' "$err" | tail -n1 | sed 's/^onnxcc: //')
		echo "unsupported	${line:-onnxcc gave no message}"
		;;
	4)
		line=$(grep -m1 -E 'error:' "$err" | sed 's|^[^ ]*/model\.c:|model.c:|')
		echo "fail	generated C does not build: ${line:-see log}"
		;;
	5)
		line=$(grep -v -e 'the generated code failed at run time' "$err" | head -n1)
		echo "crash	run-time failure${line:+: $line}"
		;;
	124 | 137) echo "crash	timeout after ${TIMEOUT}s" ;;
	*)
		line=$(grep -m1 'internal error' "$err" | sed -e 's/^onnxcc: //' -e 's| at /[^ ]*/compiler/| at compiler/|')
		if [ "$rc" -gt 128 ]; then
			echo "crash	onnxcc-run killed by SIG$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))${line:+: $line}"
		else
			echo "crash	onnxcc-run exit $rc${line:+: $line}"
		fi
		;;
	esac
}

# Run one case ("folder/case") and write its TSV line to OUT/cases/.
run_case() {
	local id=$1 folder=${1%%/*} name=${1#*/} dir model tol ds sets tmp
	local log=$OUT/logs/$folder/$name result rc=0
	tmp=$OUT/tmp/$folder.$name
	mkdir -p "$tmp" "$OUT/logs/$folder"
	if [ "$folder" = light ]; then
		model=$DATA/light/$name.onnx
		mkdir -p "$tmp/test_data_set_0"
		ln -sf "$DATA/light/${name}_output_0.pb" "$tmp/test_data_set_0/output_0.pb"
		sets=("$tmp/test_data_set_0")
		tol=$(tolerances "$DATA/light")
	else
		dir=$DATA/$id
		model=$dir/model.onnx
		sets=("$dir"/test_data_set_*)
		tol=$(tolerances "$dir")
	fi
	result="pass	"
	for ds in "${sets[@]}"; do
		if [ ! -f "$ds/output_0.pb" ]; then
			result="fail	no expected output in ${ds#"$DATA"/}"
			rc=1
			break
		fi
		# The braces take bash's own "Aborted" report of a killed child.
		# shellcheck disable=SC2086 # $tol is a list of options
		{
			TMPDIR=$tmp timeout -k 10 "$TIMEOUT" "$RUNNER" "$model" "$ds" $tol ${CPU:+--cpu "$CPU"} \
				${BACKEND:+--backend "$BACKEND"} ${THREADS:+--threads "$THREADS"} ${CFLAGS_EXTRA:+--cflags "$CFLAGS_EXTRA"} \
				${RUN_CC:+--cc "$RUN_CC"} ${RUN_EXEC:+--exec "$RUN_EXEC"} >"$log.out" 2>"$log.err" </dev/null
			rc=$?
		} 2>/dev/null
		result=$(classify "$rc" "$log.out" "$log.err")
		[ "$rc" -eq 0 ] || break
	done
	if [ "$rc" -eq 0 ]; then
		rm -f "$log.out" "$log.err"
	fi
	rm -rf "$tmp"
	printf '%s\t%s\t%s\t%s\n' "$folder" "$name" "${result%%$'\t'*}" \
		"$(printf '%s' "${result#*$'\t'}" | oneline)" >"$OUT/cases/$folder.$name.tsv"
}

# Every case id of the data, "folder/case", one a line.
list_cases() {
	local f c
	for f in $folders; do
		if [ "$f" = light ]; then
			for c in "$DATA"/light/light_*.onnx; do
				[ -f "$c" ] && c=${c##*/} && echo "light/${c%.onnx}"
			done
		else
			for c in "$DATA/$f"/*/model.onnx; do
				[ -f "$c" ] && c=${c%/model.onnx} && echo "$f/${c##*/}"
			done
		fi
	done
}

# The table by folder: total, pass, fail, unsupported, crash.
summary_table() {
	awk -F'\t' 'NR > 1 {
		n[$1]++; s[$1, $3]++; N++; S[$3]++
		if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 }
	}
	END {
		printf "%-18s %6s %6s %6s %12s %6s\n", "folder", "total", "pass", "fail", "unsupported", "crash"
		for (i = 1; i <= k; i++) {
			f = order[i]
			printf "%-18s %6d %6d %6d %12d %6d\n", f, n[f], s[f, "pass"], s[f, "fail"], s[f, "unsupported"], s[f, "crash"]
		}
		printf "%-18s %6d %6d %6d %12d %6d\n", "all", N, S["pass"], S["fail"], S["unsupported"], S["crash"]
	}' "$1"
}

# Compare with the ratchet list (passing.txt, or --list); update it if asked.
# Returns 1 on a regression.
ratchet() {
	local results=$1 list=$LIST ran passed listed missing new
	ran=$(awk -F'\t' 'NR > 1 { print $1 "/" $2 }' "$results" | sort)
	passed=$(awk -F'\t' 'NR > 1 && $3 == "pass" { print $1 "/" $2 }' "$results" | sort)
	touch "$list"
	listed=$(grep -v -e '^#' -e '^[[:space:]]*$' "$list" | sort -u)
	if [ -n "$FILTER" ]; then
		listed=$(printf '%s\n' "$listed" | grep -E -- "$FILTER")
	fi
	if [ -n "$SHARD" ]; then	# only the cases of this shard
		listed=$(comm -12 <(printf '%s\n' "$listed" | sed '/^$/d') <(printf '%s\n' "$ran" | sed '/^$/d'))
	fi
	# a listed case that did not run (gone from the data) counts as not passing
	missing=$(comm -23 <(printf '%s\n' "$listed" | sed '/^$/d') <(printf '%s\n' "$passed" | sed '/^$/d'))
	new=$(comm -13 <(printf '%s\n' "$listed" | sed '/^$/d') <(printf '%s\n' "$passed" | sed '/^$/d'))
	if [ -n "$new" ]; then
		echo
		echo "passing but not in ${list#"$repo"/} ($(printf '%s\n' "$new" | wc -l)):"
		printf '%s\n' "$new" | sed 's/^/  /'
		if [ "$UPDATE" = 1 ]; then
			{ grep -v -e '^#' -e '^[[:space:]]*$' "$list"; printf '%s\n' "$new"; } | sort -u >"$list.tmp"
			{ grep '^#' "$list"; cat "$list.tmp"; } >"$list.new"
			mv "$list.new" "$list"
			rm -f "$list.tmp"
			echo "added them to ${list#"$repo"/}"
		else
			echo "(run with --update to add them)"
		fi
	fi
	# A full run with --update also records why every other case does not pass.
	if [ "$UPDATE" = 1 ] && [ -z "$FILTER" ] && [ -z "$SHARD" ] && [ "$list" = "$here/passing.txt" ]; then
		{
			echo "# Cases that do not pass, with the reason (written by run_conformance.sh --update)."
			awk -F'\t' -v data="$DATA/" 'NR > 1 && $3 != "pass" {
				r = $4
				while ((i = index(r, data)) > 0)
					r = substr(r, 1, i - 1) substr(r, i + length(data))
				print $1 "/" $2 "\t" $3 "\t" r
			}' "$results" | sort
		} >"$here/not_passing.tsv"
	fi
	if [ -n "$missing" ]; then
		echo
		echo "REGRESSION: listed in ${list#"$repo"/} but not passing ($(printf '%s\n' "$missing" | wc -l)):"
		printf '%s\n' "$missing" | while read -r id; do
			if printf '%s\n' "$ran" | grep -qxF -- "$id"; then
				awk -F'\t' -v f="${id%%/*}" -v c="${id#*/}" '$1 == f && $2 == c { print "  " f "/" c ": " $3 ": " $4 }' "$results"
			else
				echo "  $id: not found in the test data"
			fi
		done
		return 1
	fi
	return 0
}

main() {
	local jobs top=10 build=${ONNXCC_BUILD:-$repo/build} start ids total rc out=
	jobs=$(nproc 2>/dev/null || echo 2)
	FILTER='' UPDATE=0 TIMEOUT=120 SHARD='' CFLAGS_EXTRA='' CPU='' RUN_CC='' RUN_EXEC='' LIST='' BACKEND='' THREADS=''
	while [ $# -gt 0 ]; do
		case $1 in
		--filter) FILTER=${2?--filter needs a regex}; shift ;;
		--jobs) jobs=${2?--jobs needs a number}; shift ;;
		--timeout) TIMEOUT=${2?--timeout needs seconds}; shift ;;
		--build) build=${2?--build needs a directory}; shift ;;
		--top) top=${2?--top needs a number}; shift ;;
		--cpu) CPU=${2?--cpu needs a name}; shift ;;
		--threads) THREADS=${2?--threads needs a number}; shift ;;
		--update) UPDATE=1 ;;
		--shard) SHARD=${2?--shard needs K/N}; shift ;;
		--cflags) CFLAGS_EXTRA=${2?--cflags needs flags}; shift ;;
		--cc) RUN_CC=${2?--cc needs a compiler}; shift ;;
		--exec) RUN_EXEC=${2?--exec needs a command}; shift ;;
		--list) LIST=${2?--list needs a file}; shift ;;
		--out) out=${2?--out needs a directory}; shift ;;
		--backend) BACKEND=${2?--backend needs c or llvm}; shift ;;
		--help | -h) usage; exit 0 ;;
		*) echo "run_conformance.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
		esac
		shift
	done
	case $jobs$TIMEOUT$top in *[!0-9]*) echo "run_conformance.sh: --jobs, --timeout, --top take numbers" >&2; exit 2 ;; esac
	if [ -n "$SHARD" ] && ! [[ $SHARD =~ ^[0-9]+/[1-9][0-9]*$ ]]; then
		echo "run_conformance.sh: --shard takes K/N, e.g. 0/3" >&2
		exit 2
	fi
	if [ -n "$LIST" ]; then
		if [ ! -f "$LIST" ]; then
			echo "run_conformance.sh: --list $LIST: no such file" >&2
			exit 2
		fi
		LIST=$(cd "$(dirname "$LIST")" && pwd)/$(basename "$LIST")
	elif [ -n "$RUN_CC$RUN_EXEC" ] && [ "$UPDATE" = 1 ]; then
		echo "run_conformance.sh: --update with --cc or --exec would change the host's passing.txt; use --list" >&2
		exit 2
	fi
	[ -n "$LIST" ] || LIST=$here/passing.txt
	DATA=${ONNXCC_TESTDATA:-$repo/../shared/onnx-backend-tests}
	RUNNER=$build/onnxcc-run
	if [ -n "$out" ]; then
		mkdir -p "$out" && OUT=$(cd "$out" && pwd)
	elif [ -n "$RUN_CC$RUN_EXEC" ]; then
		OUT=$build/conformance-cross
	else
		OUT=$build/conformance
	fi
	if [ ! -d "$DATA/node" ]; then
		echo "run_conformance.sh: no test data at $DATA (set ONNXCC_TESTDATA)" >&2
		exit 1
	fi
	DATA=$(cd "$DATA" && pwd)
	if [ ! -x "$RUNNER" ]; then
		echo "run_conformance.sh: $RUNNER not found: build first (or pass --build DIR)" >&2
		exit 1
	fi
	export DATA RUNNER OUT TIMEOUT CFLAGS_EXTRA CPU RUN_CC RUN_EXEC BACKEND THREADS
	rm -rf "$OUT/cases" "$OUT/tmp" "$OUT/logs" "$OUT/results.tsv" "$OUT/summary.txt"
	mkdir -p "$OUT/cases" "$OUT/tmp" "$OUT/logs"
	ids=$(list_cases | { if [ "$LIST" != "$here/passing.txt" ]; then
			grep -xF -f <(grep -v -e '^#' -e '^[[:space:]]*$' "$LIST"); else cat; fi; } |
		{ if [ -n "$FILTER" ]; then grep -E -- "$FILTER"; else cat; fi; } |
		{ if [ -n "$SHARD" ]; then awk -v k="${SHARD%/*}" -v n="${SHARD#*/}" '(NR - 1) % n == k'; else cat; fi; })
	total=$(printf '%s' "$ids" | grep -c .)
	echo "conformance: $total cases from $DATA, $jobs jobs, ${TIMEOUT}s limit${CPU:+, --cpu $CPU}${THREADS:+, --threads $THREADS}${BACKEND:+, --backend $BACKEND}${RUN_CC:+, --cc $RUN_CC}${RUN_EXEC:+, --exec $RUN_EXEC}"
	start=$(date +%s)
	if [ "$total" -gt 0 ]; then
		printf '%s\n' "$ids" | xargs -d '\n' -P "$jobs" -n 1 bash "$here/run_conformance.sh" --one-case
	fi
	{
		printf 'folder\tcase\tstatus\treason\n'
		find "$OUT/cases" -name '*.tsv' -exec cat {} + | sort -t '	' -k1,1 -k2,2
	} >"$OUT/results.tsv"
	rm -rf "$OUT/cases" "$OUT/tmp"
	echo "ran in $(($(date +%s) - start))s; results in $OUT/results.tsv, logs of failing cases in $OUT/logs"
	echo
	summary_table "$OUT/results.tsv" | tee "$OUT/summary.txt"
	if [ "$top" -gt 0 ]; then
		echo
		bash "$here/summarize.sh" --top "$top" --brief "$OUT/results.tsv"
	fi
	ratchet "$OUT/results.tsv"
	rc=$?
	[ $rc -eq 0 ] && echo && echo "ratchet: all cases of ${LIST#"$repo"/} pass"
	return $rc
}

if [ "${1:-}" = --one-case ]; then
	run_case "$2"
	exit 0
fi
main "$@"
