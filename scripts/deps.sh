#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages kheap's scripts need on the host.
# Idempotent and quiet when everything is present; non-interactive.
# Usage: scripts/deps.sh [group...]      With no group, installs all of them.
# Every script asks here for exactly the groups it uses itself (a script it
# calls asks for its own), so no target relies on what another one installed.
# The groups, and who asks for them:
#   build    make, gcc, rsync: kheap's modules against a prepared kernel
#            tree (scripts/build-modules.sh; make, lint, check, demo, bench)
#   kernel   the toolchain of a kernel build from source (scripts/kernel.sh)
#   source   linux-source-6.12 at the version scripts/kernel-pkgs.sh names,
#            and xz to unpack it (scripts/kernel-src.sh)
#   stock    what Debian's stock headers, unpacked into the cache by
#            scripts/stock-kernels.sh, need to build a module: the compiler
#            they were made with (gcc-12), the shared libraries of their
#            kbuild tools (libelf1, libssl3, zlib1g; see ldd) and pahole
#            (6.12's kbuild depends on it: BTF of modules)
#   qemu     QEMU, the initramfs (busybox, cpio) and the verdict (python3)
#   graph    graphviz: make demo draws the heap hierarchy
#   tool     tools/kheap and its tests (python3), and their lint (pyflakes3)
#   lint     sparse, clang-format, perl (checkpatch, kernel-doc)
#   docs     perl (kernel-doc) and docutils (rst2html)
#   bench    gnuplot, pgrep (procps), python3 (the report)
#   dkms     dkms, and xz (6.12's modules are compressed) (make dkms-check)
#   deb      build-essential (dpkg-checkbuilddeps asks for it, as for any
#            Debian build), debhelper, dh-dkms, dpkg-dev (make deb)
#   fresh    debootstrap (make check-fresh)
# Kernel images are never installed: the stock kernels QEMU boots are
# unpacked into the cache (scripts/stock-kernels.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
all="build kernel source stock qemu graph tool lint docs bench dkms deb fresh"
declare -A pkgs=(
	[build]="make gcc rsync"
	[kernel]="build-essential bc flex bison libelf-dev libssl-dev openssl dwarves cpio kmod"
	[source]="xz-utils" # and linux-source-6.12=VERSION, below
	[stock]="gcc-12 libelf1 libssl3 zlib1g pahole"
	[qemu]="qemu-system-x86 busybox-static cpio python3"
	[graph]="graphviz"
	[tool]="python3 pyflakes3"
	[lint]="sparse clang-format perl"
	[docs]="perl python3-docutils"
	[bench]="gnuplot-nox procps python3"
	[dkms]="dkms xz-utils"
	[deb]="build-essential debhelper dh-dkms dpkg-dev"
	[fresh]="debootstrap"
)
[ "$#" -gt 0 ] || read -ra groups <<<"$all"
[ "$#" -eq 0 ] || groups=("$@")

want=""
source=""
for g in "${groups[@]}"; do
	[ -n "${pkgs[$g]:-}" ] || { echo "deps.sh: unknown group '$g' (groups: $all)" >&2; exit 2; }
	want="$want ${pkgs[$g]}"
	[ "$g" != source ] || source=1
done

missing() {	# the PACKAGE[=VERSION] words not installed (at that version)
	local p v
	for p in "$@"; do
		v=$(dpkg-query -W -f='${Status} ${Version}\n' "${p%%=*}" 2>/dev/null || true)
		case "$p" in
		*=*) [ "$v" = "install ok installed ${p#*=}" ] || echo "$p" ;;
		*) [[ $v == "install ok installed "* ]] || echo "$p" ;;
		esac
	done
}

export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

updated=""
apt_update() {
	[ -n "$updated" ] && return 0
	echo "deps.sh: apt-get update" >&2
	$SUDO apt-get update -qq >/dev/null
	updated=1
}

# The linux-source-6.12 version kernel-pkgs.sh names (the candidate), not
# any installed one: the stock 6.12 headers and image are that version too.
source_pkg() {
	[ -n "$source" ] || return 0
	"$top/scripts/kernel-pkgs.sh" | awk '$2 == "source" {print $3 "=" $4}'
}
# A fresh machine's lists may not know linux-source-6.12 yet.
src=$(source_pkg 2>/dev/null) || { apt_update; src=$(source_pkg); }
# shellcheck disable=SC2086
todo=$(missing $want $src | sort -u | tr '\n' ' ')
[ -n "${todo// /}" ] || exit 0
if [ -z "$updated" ]; then
	# Something is missing: fetch the lists first and ask again, so the
	# versions installed are the mirror's current ones.
	apt_update
	src=$(source_pkg)
	# shellcheck disable=SC2086
	todo=$(missing $want $src | sort -u | tr '\n' ' ')
	[ -n "${todo// /}" ] || exit 0
fi
echo "deps.sh: installing:$todo" >&2
# apt's chatter (debconf notes and the like) is shown only if it fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $todo >"$log" 2>&1 || {
	cat "$log" >&2
	exit 1
}
