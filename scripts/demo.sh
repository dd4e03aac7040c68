#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot Debian's stock 6.12 kernel under QEMU with kheap.ko and
# the example client, run the client's workload and print what debugfs shows.
# The hierarchy is also drawn with Graphviz to build/demo/hierarchy.svg.
# The kernel's image and headers are Debian's packages unpacked into the
# cache (scripts/stock-kernels.sh), not installed: nothing boots from /boot.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
b="$top/build/demo"
cd "$top"
scripts/deps.sh build qemu graph
stock=$(scripts/stock-kernels.sh --image 6.12)
read -r rel kdir vmlinuz <<<"$stock"
scripts/build-modules.sh "$kdir" "$b"
scripts/initramfs.sh "$b/initrd.cpio.gz" "$b"
KHEAP_SMP=2 KHEAP_QEMU_TIMEOUT=300 scripts/qemu.sh "$vmlinuz" \
	"$b/initrd.cpio.gz" "$b/boot" kheap.mode=demo loglevel=6
echo "== demo: Debian $rel under QEMU: what kheap shows"
sed -n '/kheap-init: mode/,/kheap-init: done/p' "$b/boot.log" | tr -d '\r' |
	grep -E '^kheap-init|^[^[]|kheap' | grep -v 'taints kernel|verification failed' |
	sed -E 's/^\[ *[0-9.]+\] //'
# Pull the DOT graph out of the console and draw it.
awk '/^kheap-init: ---- .*hierarchy.dot/ {on=1; next} /^kheap-init: / {on=0} on' \
	"$b/boot.log" | tr -d '\r' >"$b/hierarchy.dot"
if [ -s "$b/hierarchy.dot" ] && dot -Tsvg "$b/hierarchy.dot" -o "$b/hierarchy.svg" 2>/dev/null; then
	dot -Tpng "$b/hierarchy.dot" -o "$b/hierarchy.png"
	echo "== demo: hierarchy drawn to $b/hierarchy.svg and .png"
fi
scripts/check-log.py "$b/boot" >/dev/null || { echo "demo: the run was not clean, see $b/boot.log"; exit 1; }
