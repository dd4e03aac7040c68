#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pack a busybox initramfs with kheap's /init and modules.
# Usage: scripts/initramfs.sh OUT.cpio.gz MODDIR [TESTMOD...]
# MODDIR holds the build (kmod/kheap.ko, samples/*.ko); TESTMODs are KUnit
# (or deliberately broken) modules that /init loads one after the other,
# except the clients (kheap_*_client.ko), which are no suites: /init loads
# kheap_orphan_client.ko in a step of its own, the kheap_owner suite
# kheap_owner_client.ko.
set -euo pipefail

out=${1:?usage: initramfs.sh OUT MODDIR [TESTMOD...]}
moddir=${2:?usage: initramfs.sh OUT MODDIR [TESTMOD...]}
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/kheap/tests}
cp /bin/busybox "$root/bin/busybox"
cp "$top/scripts/harness/init" "$root/init"
chmod 755 "$root/init"
cp "$moddir/kmod/kheap.ko" "$root/lib/kheap/"
cp "$moddir"/samples/*.ko "$root/lib/kheap/"
for m in "$@"; do
	case $(basename "$m") in
	kheap_*_client.ko) cp "$m" "$root/lib/kheap/" ;;
	*) cp "$m" "$root/lib/kheap/tests/" ;;
	esac
done
# The README's fault-injection block, which /init runs as written where
# the kernel has fault injection (Debian's stock kernels do not).
awk -v m="<!-- recipe: fault-injection -->" '
	$0 == m {want = 1; next}
	want && /^```/ {if (on) exit; on = 1; next}
	on {print}' "$top/README.md" >"$root/lib/kheap/readme-fault-injection.sh"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
