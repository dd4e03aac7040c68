#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's stock kernels kheap is checked against, fetched and unpacked into
# the cache, never installed: no image lands in /boot or the boot menu, no
# headers in /usr/src.
# Usage: scripts/stock-kernels.sh [--image] [--kdir] KERNEL...
#   KERNEL   6.1 (Debian 12's own), 6.12, 6.12-rt, or all (the three)
#   --image  the kernel image too (for QEMU), not only the headers
#   --kdir   print only each KERNEL's headers tree
# Prints one line per KERNEL: "RELEASE KDIR" (the release is its uname -r,
# KDIR the tree to build modules against), then " VMLINUZ" with --image.
# Everything else goes to stderr.
#
# The package names and versions come from scripts/kernel-pkgs.sh (one
# apt-cache policy answer). `apt-get download` fetches each .deb (a file
# already in apt's cache, /var/cache/apt/archives, is used as it is, and
# what is downloaded is kept there when it is writable, like any apt
# download, so a rerun or `make check-fresh` fetches nothing again; apt-get
# clean removes them). Each is unpacked once into
# ${KHEAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kheap}/stock/<version>/,
# one root per package version, so a new Debian kernel gets a root of its
# own:
#   headers  linux-headers-<rel> with its -common and linux-kbuild packages
#            (dpkg-deb -x; their relative symlinks meet in that root), the
#            one absolute line of its Makefile, "include /usr/src/...", made
#            to point into the root. Not the image their Depends ask for.
#   image    ./boot only (vmlinuz, config, System.map): the guest loads no
#            module of the image's, and its /lib/modules is 100 to 400 MB.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KHEAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kheap}
usage="usage: stock-kernels.sh [--image] [--kdir] 6.1|6.12|6.12-rt|all..."

image="" kdironly="" kernels=()
for a in "$@"; do
	case "$a" in
	--image) image=1 ;;
	--kdir) kdironly=1 ;;
	all) kernels+=(6.1 6.12 6.12-rt) ;;
	6.1 | 6.12 | 6.12-rt) kernels+=("$a") ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
[ "${#kernels[@]}" -gt 0 ] || { echo "$usage" >&2; exit 2; }

# What the unpacked headers need to build a module (see deps.sh, stock).
"$top/scripts/deps.sh" stock >&2

archives=/var/cache/apt/archives
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
mkdir -p "$cache/stock"
# Several scripts may want the kernels at once (make -j, parallel
# worktrees): one fetches and unpacks, the others wait for it.
exec 9>"$cache/stock/.lock"
flock 9

names=""
resolve() {
	names=$("$top/scripts/kernel-pkgs.sh")
}
root_of() {	# root_of VERSION: the unpacked root of that package version
	echo "$cache/stock/${1//:/_}"
}
todo() {	# the "PACKAGE VERSION ROLE" lines of what is not unpacked yet
	local k role p v
	for k in "${kernels[@]}"; do
		while read -r _ role p v; do
			[ "$role" = headers ] || { [ "$role" = image ] && [ -n "$image" ]; } || continue
			[ -f "$(root_of "$v")/.kheap/$p" ] || echo "$p $v $role"
		done < <(awk -v k="$k" '$1 == k' <<<"$names")
	done | sort -u
}
fetch() {	# fetch DIR "PACKAGE VERSION ROLE"...: the .debs into DIR
	local dir=$1 l p v deb get=()
	shift
	for l in "$@"; do
		read -r p v _ <<<"$l"
		deb=$(compgen -G "$archives/${p}_${v//:/%3a}_*.deb" | head -1 || true)
		if [ -n "$deb" ]; then
			ln -s "$deb" "$dir/"
		else
			get+=("$p=$v")
		fi
	done
	[ "${#get[@]}" -gt 0 ] || return 0
	echo "stock-kernels.sh: downloading ${get[*]}" >&2
	(cd "$dir" && apt-get download "${get[@]}") >"$dir/apt.log" 2>&1 || {
		cat "$dir/apt.log" >&2
		return 1
	}
	# Keep them where apt keeps what it downloads, if we may write there.
	if [ -w "$archives" ]; then
		for deb in "$dir"/*.deb; do
			[ -L "$deb" ] && continue
			cp "$deb" "$archives/.kheap-$(basename "$deb")"
			mv "$archives/.kheap-$(basename "$deb")" "$archives/$(basename "$deb")"
		done
	fi
}

resolve 2>/dev/null || {
	# A fresh machine's lists may not know the kernels yet.
	echo "stock-kernels.sh: apt-get update" >&2
	$SUDO apt-get update -qq >/dev/null
	resolve
}
mapfile -t need < <(todo)
if [ "${#need[@]}" -gt 0 ]; then
	dl=$(mktemp -d "$cache/stock/.dl.XXXXXX")
	trap 'rm -rf "$dl"' EXIT
	if ! fetch "$dl" "${need[@]}"; then
		# Lists older than the mirror name versions it no longer has.
		echo "stock-kernels.sh: download failed; apt-get update and again" >&2
		$SUDO apt-get update -qq >/dev/null
		resolve
		mapfile -t need < <(todo)
		rm -rf "${dl:?}"/*
		fetch "$dl" "${need[@]}"
	fi
	for l in "${need[@]}"; do
		read -r p v role <<<"$l"
		root=$(root_of "$v")
		deb=$(compgen -G "$dl/${p}_${v//:/%3a}_*.deb" | head -1)
		echo "stock-kernels.sh: unpacking $p $v" >&2
		mkdir -p "$root/.kheap"
		if [ "$role" = image ]; then
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$root" ./boot
		else
			dpkg-deb -x "$deb" "$root"
			# The headers tree's Makefile includes its -common tree's
			# by absolute path: make it the one in this root.
			case "$p" in
			linux-headers-*-common*) ;;
			linux-headers-*)
				sed -i "s|^include /usr/src/|include $root/usr/src/|" \
					"$root/usr/src/$p/Makefile"
				;;
			esac
		fi
		# Unpacked: a stamp per package (an interrupted unpack has none
		# and is done again).
		touch "$root/.kheap/$p"
	done
fi

for k in "${kernels[@]}"; do
	read -r _ _ rel v < <(awk -v k="$k" '$1 == k && $2 == "release"' <<<"$names")
	root=$(root_of "$v")
	kdir="$root/usr/src/linux-headers-$rel"
	[ -f "$kdir/Makefile" ] || { echo "stock-kernels.sh: no headers tree $kdir" >&2; exit 1; }
	if [ -n "$kdironly" ]; then
		echo "$kdir"
	elif [ -n "$image" ]; then
		echo "$rel $kdir $root/boot/vmlinuz-$rel"
	else
		echo "$rel $kdir"
	fi
done
