#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-harness`: prove the harness can go red. Each deliberately broken
# module in kunit/broken/ gets a boot of its own on the test kernel; this
# script passes only if every one of those runs is judged red, and the same
# boot without a broken module is judged green.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
b="$top/build/harness"
cd "$top"
scripts/deps.sh build kernel qemu
kdir=$(scripts/kernel.sh debug)
scripts/build-modules.sh "$kdir" "$b" KHEAP_BROKEN=1

boot() {	# boot NAME [MODULE...]
	local name=$1
	shift
	scripts/initramfs.sh "$b/$name.cpio.gz" "$b" "$@"
	KHEAP_QEMU_TIMEOUT=300 scripts/qemu.sh "$kdir/arch/x86/boot/bzImage" \
		"$b/$name.cpio.gz" "$b/$name" kheap.mode=check kunit.stats_enabled=2
}

bad=0
boot control
if scripts/check-log.py "$b/control" | sed 's/^/  /'; then
	echo "check-harness: control run (no broken module) is green: good"
else
	echo "check-harness: the control run is red: the harness is broken"
	bad=1
fi
for m in "$b"/kunit/broken/*.ko; do
	n=$(basename "$m" .ko)
	boot "$n" "$m"
	if scripts/check-log.py "$b/$n" | sed 's/^/  /'; then
		echo "check-harness: $n left the run green: the harness missed it"
		bad=1
	else
		echo "check-harness: $n turned the run red: good"
	fi
done
[ "$bad" -eq 0 ] && echo "check-harness: every broken module was caught"
exit "$bad"
