#!/usr/bin/env bash
# build.sh: install the dependencies, build onnxcc into build/, then compile
# the example model with onnxcc, build examples/tiny_cnn/app.c and run it.
# JOBS sets the build's parallelism (default: all cores).
set -eu
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "${JOBS:-$(nproc)}"
echo
echo "== examples/tiny_cnn: onnxcc tiny_cnn.onnx -o build/tiny_cnn/tiny_cnn.c, then app.c"
bash examples/tiny_cnn/run.sh build
