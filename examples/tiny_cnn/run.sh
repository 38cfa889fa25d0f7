#!/usr/bin/env bash
# run.sh [BUILD_DIR]: compile the tiny CNN with onnxcc, build app.c against the
# generated tiny_cnn.c / tiny_cnn.h, and run it.  BUILD_DIR holds onnxcc
# (default: the repository's build/); the results go to BUILD_DIR/tiny_cnn/.
set -eu
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
out=$build/tiny_cnn
mkdir -p "$out"
"$build/onnxcc" "$here/tiny_cnn.onnx" -o "$out/tiny_cnn.c"
"${CC:-cc}" -std=c99 -Wall -Wextra -Werror -O2 -I"$out" -I"$here" \
	"$here/app.c" "$out/tiny_cnn.c" -lm -o "$out/app"
"$out/app"
