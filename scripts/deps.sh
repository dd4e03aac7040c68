#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages kheap's build, tests and demo need.
# Idempotent and quiet when everything is present; non-interactive.
# Usage: scripts/deps.sh [group...]   groups: build kernel qemu stock lint docs bench
# With no group, installs all of them.
set -euo pipefail

[ "$#" -gt 0 ] || set -- build kernel qemu stock lint docs bench

pkgs_build="build-essential make gcc kmod bc flex bison libelf-dev libssl-dev dwarves cpio rsync python3"
pkgs_kernel="linux-source-6.12 xz-utils"
pkgs_qemu="qemu-system-x86 busybox-static cpio"
pkgs_lint="sparse clang-format perl"
pkgs_docs="graphviz perl python3-docutils"
pkgs_bench="gnuplot-nox"

# The stock kernels: Debian's metapackage for 6.1, and the 6.12 build that
# matches the linux-source-6.12 package, so tests and demo use one ABI; plus
# that 6.12's PREEMPT_RT flavour, which lint builds against and check boots.
stock_pkgs() {
	local v abi
	v=$(apt-cache policy linux-source-6.12 | awk '/Candidate:/ {print $2}')
	abi=${v%%-*}+deb12
	echo "linux-image-amd64 linux-headers-amd64 linux-image-${abi}-amd64-unsigned linux-headers-${abi}-amd64 linux-image-${abi}-rt-amd64 linux-headers-${abi}-rt-amd64 dkms"
}

want=""
for g in "$@"; do
	case "$g" in
	build) want="$want $pkgs_build" ;;
	kernel) want="$want $pkgs_kernel" ;;
	qemu) want="$want $pkgs_qemu" ;;
	lint) want="$want $pkgs_lint" ;;
	docs) want="$want $pkgs_docs" ;;
	bench) want="$want $pkgs_bench" ;;
	stock) want="$want @stock" ;;
	*) echo "deps.sh: unknown group '$g'" >&2; exit 2 ;;
	esac
done

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"
	done
}

export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

updated=""
apt_update() {
	[ -n "$updated" ] && return 0
	$SUDO apt-get update -qq >/dev/null
	updated=1
}

if [[ " $want " == *" @stock "* ]]; then
	want=${want//@stock/}
	# stock_pkgs needs a package list; an empty cache has no candidate.
	if ! apt-cache policy linux-source-6.12 | grep -q 'Candidate: [0-9]'; then
		apt_update
	fi
	want="$want $(stock_pkgs)"
fi

# shellcheck disable=SC2086
todo=$(missing $want | sort -u | tr '\n' ' ')
[ -n "${todo// /}" ] || exit 0
echo "deps.sh: installing:$todo" >&2
apt_update
# apt's chatter (debconf notes and the like) is shown only if it fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $todo >"$log" 2>&1 || {
	cat "$log" >&2
	exit 1
}
