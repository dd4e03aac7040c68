#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make dkms-check`: prove dkms.conf works. Copies the sources to
# /usr/src/kheap-<VERSION>, runs `dkms add` and `dkms build -k <rel>` for
# both stock Debian kernels (their headers as unpacked into the cache by
# scripts/stock-kernels.sh, given with --kernelsourcedir; not the running
# kernel's, and none is installed), and
# always removes what it added (dkms remove --all, the /usr/src copy, the
# kept Module.symvers), so it can run again. Checks what dkms.conf promises:
# kheap.ko alone is built (not the example, not the KUnit suites), with its
# debug info (STRIP[0]="no"), and POST_BUILD kept each kernel's
# Module.symvers in /usr/share/kheap/<kernel>/, with kheap's exports.
# Needs root. Builds only: nothing lands in /lib/modules.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# dkms, and rsync for the copy; dkms runs make and gcc (build); the
# headers' own needs are stock-kernels.sh's to ask for.
scripts/deps.sh build dkms
list=$(scripts/stock-kernels.sh 6.1 6.12)
mapfile -t stock <<<"$list"
ver=$(cat VERSION)
log="$top/build/dkms-check.log"
mkdir -p "$top/build"
src=/usr/src/kheap-$ver

# One run at a time per machine: every worktree shares /usr/src and dkms.
exec 9>/run/lock/kheap-dkms-check.lock
flock 9

cleanup() {
	local l
	dkms remove "kheap/$ver" --all >/dev/null 2>&1 || true
	rm -rf "$src"
	# dkms runs POST_REMOVE only for an installed module: these were built.
	for l in "${stock[@]}"; do
		rm -rf "/usr/share/kheap/${l%% *}"
	done
	rmdir /usr/share/kheap 2>/dev/null || true
}
trap cleanup EXIT
cleanup	# leftovers of an interrupted run

# What a release carries: no build products.
mkdir -p "$src"
# What a release carries (what debian/rules installs): no build products.
rsync -a --exclude '*.o' --exclude '*.ko' --exclude '*.cmd' --exclude '*.mod*' \
	--exclude 'Module.symvers' --exclude 'modules.order' \
	dkms.conf VERSION dkms kmod include "$src/"
dkms add "kheap/$ver"
for l in "${stock[@]}"; do
	read -r rel kdir <<<"$l"
	echo "== dkms-check: build for $rel"
	if ! dkms build "kheap/$ver" -k "$rel" --kernelsourcedir "$kdir" >"$log" 2>&1; then
		cat "$log" "/var/lib/dkms/kheap/$ver/build/make.log" >&2 || true
		echo "dkms-check: dkms build for $rel failed" >&2
		exit 1
	fi
	mods=$(cd "/var/lib/dkms/kheap/$ver/$rel/x86_64/module" && echo *)
	# 6.12's Debian kernels compress their modules (xz); dkms does too.
	case "$mods" in
	kheap.ko) cat="cat" ;;
	kheap.ko.xz) cat="xz -dc" ;;
	*) echo "dkms-check: dkms built '$mods', not kheap.ko alone" >&2; exit 1 ;;
	esac
	ko=/var/lib/dkms/kheap/$ver/$rel/x86_64/module/$mods
	$cat "$ko" >"$top/build/dkms-check.ko"
	grep -q '\.debug_info' <<<"$(readelf -S "$top/build/dkms-check.ko")" ||
		{ echo "dkms-check: $ko has no debug info (STRIP[0]=\"no\")" >&2; exit 1; }
	sv=/usr/share/kheap/$rel/Module.symvers
	grep -q $'\tkheap_free\t' "$sv" 2>/dev/null ||
		{ echo "dkms-check: $sv is missing, or does not export kheap_free" >&2; exit 1; }
	echo "   $mods (with debug info; $(wc -l <"$sv") exports kept in $sv)"
done
echo "dkms-check: kheap/$ver builds under dkms for $(cut -d' ' -f1 <<<"$list" | tr '\n' ' ')"
