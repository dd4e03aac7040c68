#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make deb`: the kheap-dkms package, build/kheap-dkms_<VERSION>_all.deb,
# with Debian's own tools (debhelper, dh-dkms: debian/). Built from a copy
# of what the package ships, in build/deb/, so the tree stays clean and
# dpkg-buildpackage's outputs (written next to its source dir) stay there.
# No root needed; nothing is installed but the build's packages (deps.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh build deb
ver=$(cat VERSION)
out="$top/build/deb"
rm -rf "$out"
mkdir -p "$out/kheap-$ver"
rsync -a --exclude '*.o' --exclude '*.ko' --exclude '*.cmd' --exclude '*.mod*' \
	--exclude 'Module.symvers' --exclude 'modules.order' --exclude '__pycache__' \
	debian dkms.conf VERSION dkms kmod include tools examples "$out/kheap-$ver/"
if ! (cd "$out/kheap-$ver" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1; then
	cat "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
fi
deb="kheap-dkms_${ver}_all.deb"
[ -f "$out/$deb" ] || { echo "deb: no $out/$deb" >&2; ls "$out" >&2; exit 1; }
mv "$out/$deb" "$top/build/$deb"
echo "deb: build/$deb ($(stat -c %s "build/$deb") bytes): $(dpkg-deb -f "build/$deb" Depends)"
dpkg-deb -c "build/$deb" | awk '$6 !~ /\/$/ {print "  " $6}'
