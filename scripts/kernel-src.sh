#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of Debian's linux-source-6.12, extracted (once) into the
# cache: ${KHEAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kheap}/src/. The test
# kernel is built from it (scripts/kernel.sh) and the lint and docs tooling
# takes checkpatch.pl, kernel-doc, .clang-format and spelling.txt from it.
# Everything but the path goes to stderr.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KHEAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kheap}

"$top/scripts/deps.sh" source >&2

ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
src="$cache/src/linux-source-6.12-$ver"
mkdir -p "$cache/src"
# Several scripts may want the source at once (make -j, parallel worktrees):
# one extracts, the others wait for it.
exec 9>"$cache/src/.lock"
flock 9
if [ ! -f "$src/.kheap-extracted" ]; then
	echo "kernel-src.sh: extracting linux-source-6.12 $ver" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" -xf /usr/src/linux-source-6.12.tar.xz
	mv "$src.tmp/linux-source-6.12" "$src"
	rmdir "$src.tmp"
	touch "$src/.kheap-extracted"
fi
echo "$src"
