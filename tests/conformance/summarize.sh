#!/usr/bin/env bash
# summarize.sh: tallies of a conformance run's results.tsv, to decide what to
# implement or fix next.
#
#   summarize.sh [--top N] [--brief] [RESULTS.tsv]
#
# Unsupported cases are grouped by the operator their message names
# ("node 'x' (Conv): ..." -> Conv), or by the message itself with quoted names
# blanked when it names no node.  Without --brief it also tallies the messages,
# the failures (wrong output / does not build) and the crashes.
set -u
export LC_ALL=C

top=20 brief=0
results=
while [ $# -gt 0 ]; do
	case $1 in
	--top) top=${2?--top needs a number}; shift ;;
	--brief) brief=1 ;;
	--help | -h) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) results=$1 ;;
	esac
	shift
done
if [ -z "$results" ]; then
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	results=${ONNXCC_BUILD:-$here/../../build}/conformance/results.tsv
fi
[ -f "$results" ] || { echo "summarize.sh: no $results (run run_conformance.sh first)" >&2; exit 2; }

# key TAB case for the rows of one status; key is what the row is grouped by.
# by=op: the operator named in the message; by=msg: the message, names blanked.
keys() {
	awk -F'\t' -v status="$1" -v by="$2" '
	NR > 1 && $3 == status {
		r = $4
		op = ""
		if (match(r, /^node '\''[^'\'']*'\'' \([^)]*\): /)) {
			op = substr(r, 1, RLENGTH)
			r = substr(r, RLENGTH + 1)
			sub(/^.*\(/, "", op)
			sub(/\): $/, "", op)
		}
		gsub(/'\''[^'\'']*'\''/, "'\''*'\''", r)
		if (by == "op")
			key = op != "" ? op : r
		else
			key = (op != "" ? op ": " : "") r
		print key "\t" $1 "/" $2
	}' "$results"
}

# The N most common keys: count, key, then an example case.
tally() {
	sort -t '	' -k1,1 | awk -F'\t' '
	{ if ($1 != k) { if (NR > 1) print n "\t" k "\t" ex; k = $1; n = 0; ex = $2 } n++ }
	END { if (NR) print n "\t" k "\t" ex }' | sort -t '	' -k1,1nr -k2,2 | head -n "$1" |
		awk -F'\t' '{ printf "%6d  %s  (e.g. %s)\n", $1, substr($2, 1, 150), $3 }'
}

count() {
	awk -F'\t' -v s="$1" 'NR > 1 && $3 == s' "$results" | wc -l
}

echo "top unsupported reasons by operator ($(count unsupported) unsupported cases):"
keys unsupported op | tally "$top"
[ "$brief" = 1 ] && exit 0

echo
echo "top unsupported messages:"
keys unsupported msg | tally "$top"
echo
echo "failures ($(count fail)):"
awk -F'\t' 'NR > 1 && $3 == "fail" {
	k = $4 ~ /^generated C does not build/ ? "generated C does not build" : "wrong output"
	print k "\t" $1 "/" $2 }' "$results" | tally "$top"
echo
echo "failing cases:"
awk -F'\t' 'NR > 1 && $3 == "fail" { printf "  %s/%s: %s\n", $1, $2, $4 }' "$results" | head -n "$top"
echo
echo "crashes ($(count crash)):"
keys crash msg | tally "$top"
