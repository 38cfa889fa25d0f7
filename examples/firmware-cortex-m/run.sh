#!/usr/bin/env bash
# run.sh: compile a model for the Cortex-M4F firmware, run it under QEMU
# (mps2-an386) and compare its outputs with the host's for the same inputs.
#
#   run.sh BUILD_DIR MODEL.onnx DATASET_DIR WORKDIR
#
# BUILD_DIR holds onnxcc and onnxcc-run.  DATASET_DIR has input_K.pb (and
# output_K.pb, which the host run is checked against first).  Steps:
#   1. host: onnxcc-run --cpu generic --keep WORKDIR/host runs the model on the
#      data set and leaves the raw inputs (in_K.bin) and outputs (out_K.bin);
#   2. onnxcc MODEL -o WORKDIR/fw/model.c --cpu generic (the C backend; with
#      FW_BACKEND=llvm, -o model.o --target thumbv7em-none-eabihf instead,
#      linked with BUILD_DIR/runtime_min/thumbv7em-none-eabihf/
#      libonnxcc_runtime_min.a; FW_ONNXCC_OPTS adds options, e.g. -Os);
#   3. build.sh links it with the firmware; the ELF must not contain malloc,
#      free or _sbrk;
#   4. qemu-system-arm runs it with semihosting, under `timeout`; it must exit
#      with status 0 and print every output;
#   5. fw_compare checks the target's outputs against the host's (rtol 1e-5,
#      atol 1e-6), and must also reject a copy of the host's outputs with one
#      value perturbed (the comparison can fail);
#   6. prints flash (.text + .rodata) and RAM (arena + stack) use.
# Exit status: 0 pass, 1 fail, 2 usage, 77 the Arm toolchain or QEMU is
# missing (scripts/install-deps.sh installs them).
set -u

[ $# -eq 4 ] || { echo "usage: run.sh BUILD_DIR MODEL.onnx DATASET_DIR WORKDIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "$1" && pwd) model=$2 dataset=$3 work=$4
arm_cc=${ARM_CC:-arm-none-eabi-gcc}
qemu=${QEMU_SYSTEM_ARM:-qemu-system-arm}
arch=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16)

skip() {
	echo "SKIP: $1 (scripts/install-deps.sh installs gcc-arm-none-eabi, libnewlib-arm-none-eabi and qemu-system-arm)"
	exit 77
}
for tool in "$arm_cc" arm-none-eabi-nm arm-none-eabi-size "$qemu"; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not found"
done
libc=$("$arm_cc" "${arch[@]}" -print-file-name=libc.a)
[ -f "$libc" ] || skip "newlib (libc.a for ${arch[*]}) not found"
"$qemu" -M help | grep -q '^mps2-an386 ' || skip "$qemu has no mps2-an386 machine"

fail() {
	echo "FAIL: $*"
	exit 1
}
rm -rf "$work"
mkdir -p "$work/fw"

# 1. The host's outputs, and the exact input bytes it ran on.
"$build/onnxcc-run" "$model" "$dataset" --cpu generic --keep "$work/host" >"$work/host.log" 2>&1 ||
	{ cat "$work/host.log"; fail "the host run of $model"; }
cat "$work/host.log"
inputs=() out_bytes=0
for ((k = 0; ; k++)); do
	[ -f "$dataset/input_$k.pb" ] || break
	inputs+=("$work/host/in_$k.bin")
done
for ((k = 0; ; k++)); do
	[ -f "$work/host/out_$k.bin" ] || break
	out_bytes=$((out_bytes + $(wc -c <"$work/host/out_$k.bin")))
done

# 2-3. The model through the C backend, and the firmware.  FW_BACKEND=llvm
# takes the LLVM backend's object for thumbv7em-none-eabihf instead, linked
# with runtime_min's library for that target (BUILD_DIR/runtime_min/TRIPLE/).
if [ "${FW_BACKEND:-c}" = llvm ]; then
	rtlib=$build/runtime_min/thumbv7em-none-eabihf/libonnxcc_runtime_min.a
	[ -f "$rtlib" ] || skip "$rtlib was not built (onnxcc without the LLVM backend or newlib)"
	# shellcheck disable=SC2086 # FW_ONNXCC_OPTS: more onnxcc options, e.g. -Os
	"$build/onnxcc" "$model" -o "$work/fw/model.o" --target thumbv7em-none-eabihf ${FW_ONNXCC_OPTS:-} ||
		fail "onnxcc $model"
	fw_model=$work/fw/model.o
	export FW_LIBS="${FW_LIBS:+$FW_LIBS }$rtlib"
else
	"$build/onnxcc" "$model" -o "$work/fw/model.c" --cpu generic || fail "onnxcc $model"
	fw_model=$work/fw/model.c
fi
bash "$here/build.sh" "$work/fw" "$fw_model" "$out_bytes" "${inputs[@]}" || fail "the firmware build"
if arm-none-eabi-nm "$work/fw/fw.elf" | grep -Ew '(_?malloc|_malloc_r|free|_free_r|calloc|realloc|_sbrk|_sbrk_r)$'; then
	fail "the firmware links a heap function (above)"
fi
echo "no malloc/free/_sbrk in fw.elf"

# 4. Run it.  Semihosting prints on QEMU's standard output; SYS_EXIT ends it.
timeout 60 "$qemu" -M mps2-an386 -nographic -monitor none -serial none \
	-semihosting-config enable=on,target=native -kernel "$work/fw/fw.elf" >"$work/fw.log" 2>&1
status=$?
cat "$work/fw.log"
[ $status -eq 124 ] && fail "QEMU timed out"
[ $status -eq 0 ] || fail "QEMU exited with status $status"

# 5. Compare, then make sure a perturbed expectation is caught.
cc=${CC:-cc}
"$cc" -std=c99 -O2 -Wall -Wextra -Werror "$here/fw_compare.c" -lm -o "$work/fw_compare" || fail "building fw_compare"
"$work/fw_compare" "$work/fw.log" "$work/host" || fail "the target's outputs differ from the host's"
"$work/fw_compare" "$work/fw.log" "$work/host" --perturb >"$work/perturbed.log"
case $? in
1) echo "a perturbed expected output is rejected (as it should be)" ;;
*) cat "$work/perturbed.log"; fail "fw_compare did not reject a perturbed expected output" ;;
esac

# 6. Sizes.  Flash: code and constants (the model's weights are in .rodata),
# plus .data's initial values; RAM: .data + .bss (the arena, inputs are in
# flash, outputs in .bss) + the reserved stack.
arm-none-eabi-size -A "$work/fw/fw.elf" | awk -v arena="$(awk '/^#define [A-Z0-9_]*_ARENA_SIZE /{print $3}' "$work/fw/model.h")" \
	-v used="$(sed -n 's/.*stack_used \([0-9]*\).*/\1/p' "$work/fw.log")" '
	$1 == ".text" || $1 == ".ARM.exidx" { text += $2 }
	$1 == ".rodata" { ro = $2 }
	$1 == ".data" { data = $2 }
	$1 == ".bss" { bss = $2 }
	$1 == ".stack" { stack = $2 }
	END {
		printf "flash: %d bytes (.text %d with .ARM.exidx + .rodata %d + .data init %d)\n", text + ro + data, text, ro, data
		printf "RAM: %d bytes (arena %d + stack %d reserved, %d used; .data %d, other .bss %d)\n",
			data + bss + stack, arena, stack, used, data, bss - arena
	}'
arm-none-eabi-size -A "$work/fw/model.o" | awk '
	$1 ~ /^\.text/ { text += $2 } $1 ~ /^\.rodata/ { ro += $2 }
	END { printf "of which the model (model.o): .text %d + .rodata %d = %d bytes\n", text, ro, text + ro }'
echo "PASS"
