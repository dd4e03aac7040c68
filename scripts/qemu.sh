#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel and initramfs under QEMU (TCG; /dev/kvm is not usable here).
# Usage: scripts/qemu.sh KERNEL INITRD OUTPREFIX [kernel args...]
# Writes OUTPREFIX.log (serial console) and OUTPREFIX.token (second serial
# port, where /init writes its success token). Bounded by KHEAP_QEMU_TIMEOUT
# seconds (default 900) and KHEAP_SMP CPUs (default 4); KHEAP_MEM MiB of
# memory (2048); KHEAP_QEMU_ARGS, more QEMU arguments (words: a disk).
set -euo pipefail

kernel=${1:?usage: qemu.sh KERNEL INITRD OUTPREFIX [args...]}
initrd=${2:?usage: qemu.sh KERNEL INITRD OUTPREFIX [args...]}
out=${3:?usage: qemu.sh KERNEL INITRD OUTPREFIX [args...]}
shift 3

rm -f "$out.log" "$out.token"
: >"$out.token"
rc=0
timeout --foreground -k 10 "${KHEAP_QEMU_TIMEOUT:-900}" \
	qemu-system-x86_64 -accel tcg -machine q35 -cpu max \
	-smp "${KHEAP_SMP:-4}" -m "${KHEAP_MEM:-2048}" \
	-name kheap,debug-threads=on -display none -monitor none -no-reboot \
	-serial "file:$out.log" -serial "file:$out.token" \
	-kernel "$kernel" -initrd "$initrd" ${KHEAP_QEMU_ARGS:-} \
	-append "console=ttyS0 panic=-1 panic_on_warn=1 oops=panic $*" \
	</dev/null || rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "qemu.sh: timed out after ${KHEAP_QEMU_TIMEOUT:-900} s" | tee -a "$out.log" >&2
fi
exit 0
