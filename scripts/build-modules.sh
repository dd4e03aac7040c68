#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build kheap's modules against one kernel tree, out of the source tree.
# Usage: scripts/build-modules.sh KDIR OUTDIR [make args...]
# The sources are mirrored into OUTDIR (Kbuild builds in the module's own
# directory), so several kernels can be built side by side. Any compiler
# warning fails the build: the tree is W=1 clean.
set -euo pipefail

kdir=${1:?usage: build-modules.sh KDIR OUTDIR}
out=${2:?usage: build-modules.sh KDIR OUTDIR}
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)

[ -d "$kdir" ] || { echo "build-modules.sh: no kernel tree $kdir" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '*.cmd' \
	--exclude '*.mod*' --exclude 'Module.symvers' --exclude 'modules.order' \
	"$top/Kbuild" "$top/VERSION" "$top/kmod" "$top/include" "$top/kunit" "$top/samples" \
	"$top/bench" "$out/"
log="$out/build.log"
if ! make -C "$kdir" M="$out" W=1 "$@" modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-modules.sh: build against $kdir failed" >&2
	exit 1
fi
if grep -E "warning:|error:" "$log" >&2; then
	echo "build-modules.sh: compiler warnings against $kdir" >&2
	exit 1
fi
