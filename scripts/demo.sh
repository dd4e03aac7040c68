#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot Debian's stock 6.12 kernel under QEMU with kheap.ko, the
# example client (samples/) and the package's client example
# (examples/client: a heap pair and a per-CPU pool, built out of tree the
# way a user's module is, against kheap's headers and Module.symvers), run
# the example's workload and print what debugfs shows; then the kheap tool's
# heaps, tree and pools on the debugfs tree the guest dumped on its console
# (tools/tests/dump.py rebuilds it in build/demo/dump/kheap).
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
# The client, as a user builds it: the package's layout (include/,
# <kernel>/Module.symvers) staged in build/demo/share.
rm -rf "$b/share" "$b/client"
mkdir -p "$b/share/$rel"
cp -r include "$b/share/"
cp "$b/Module.symvers" "$b/share/$rel/"
cp -r examples/client "$b/client"
make -C "$kdir" M="$b/client" KHEAP="$b/share" modules >"$b/client.log" 2>&1 ||
	{ cat "$b/client.log" >&2; echo "demo: the client example did not build" >&2; exit 1; }
if grep -E "warning:|error:|WARNING:" "$b/client.log" >&2; then
	echo "demo: the client example's build warned" >&2
	exit 1
fi
cp "$b/client/kheap_client.ko" "$b/samples/"	# initramfs.sh packs samples/*.ko
scripts/initramfs.sh "$b/initrd.cpio.gz" "$b"
KHEAP_SMP=2 KHEAP_QEMU_TIMEOUT=300 scripts/qemu.sh "$vmlinuz" \
	"$b/initrd.cpio.gz" "$b/boot" kheap.mode=demo loglevel=6
echo "== demo: Debian $rel under QEMU: what kheap shows"
sed -n '/kheap-init: mode/,/kheap-init: done/p' "$b/boot.log" | tr -d '\r' |
	grep -E '^kheap-init|^[^[]|kheap' | grep -vE 'taints kernel|verification failed|^kheap-dump: ' |
	sed -E 's/^\[ *[0-9.]+\] //'
# Pull the DOT graph out of the console and draw it.
awk '/^kheap-init: ---- .*hierarchy.dot/ {on=1; next} /^kheap-init: / {on=0} on' \
	"$b/boot.log" | tr -d '\r' >"$b/hierarchy.dot"
if [ -s "$b/hierarchy.dot" ] && dot -Tsvg "$b/hierarchy.dot" -o "$b/hierarchy.svg" 2>/dev/null; then
	dot -Tpng "$b/hierarchy.dot" -o "$b/hierarchy.png"
	echo "== demo: hierarchy drawn to $b/hierarchy.svg and .png"
fi
rm -rf "$b/dump"
python3 tools/tests/dump.py "$b/boot.log" "$b/dump" >/dev/null
for c in heaps tree pools; do
	echo "== demo: tools/kheap $c   (on the guest's debugfs: tools/kheap --root build/demo/dump/kheap $c)"
	tools/kheap --root "$b/dump/kheap" "$c"
done
scripts/check-log.py "$b/boot" >/dev/null || { echo "demo: the run was not clean, see $b/boot.log"; exit 1; }
