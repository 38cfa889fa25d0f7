#!/usr/bin/env bash
# install-deps.sh: the Debian packages onnxcc needs to build and test.
# Does nothing when they are all installed already; otherwise runs apt-get
# (as root directly, else through sudo).
set -eu

pkgs="build-essential cmake pkg-config libprotobuf-c-dev protobuf-c-compiler libonnx-dev check clang
	clang-19 libclang-rt-19-dev llvm-19-dev
	gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
	qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross"

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	echo "install-deps: not a Debian system; install these (or their equivalents) by hand: $pkgs" >&2
	exit 0
fi
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages are installed"
	exit 0
fi
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
# shellcheck disable=SC2086 # one word per package
$sudo apt-get install -y --no-install-recommends $missing </dev/null
