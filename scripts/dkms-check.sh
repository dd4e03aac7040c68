#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make dkms-check`: prove dkms.conf works. Copies the sources to
# /usr/src/kheap-<VERSION>, runs `dkms add` and `dkms build -k <rel>` for
# both stock Debian kernels (their headers, not the running kernel), and
# always removes what it added (dkms remove --all, the /usr/src copy), so it
# can run again. Needs root. Builds only: nothing lands in /lib/modules.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh build stock
ver=$(cat VERSION)
log="$top/build/dkms-check.log"
mkdir -p "$top/build"
src=/usr/src/kheap-$ver

# One run at a time per machine: every worktree shares /usr/src and dkms.
exec 9>/run/lock/kheap-dkms-check.lock
flock 9

cleanup() {
	dkms remove "kheap/$ver" --all >/dev/null 2>&1 || true
	rm -rf "$src"
}
trap cleanup EXIT
cleanup	# leftovers of an interrupted run

# What a release carries: no build products.
mkdir -p "$src"
rsync -a --exclude '*.o' --exclude '*.ko' --exclude '*.cmd' --exclude '*.mod*' \
	--exclude 'Module.symvers' --exclude 'modules.order' \
	dkms.conf VERSION Kbuild Makefile README.md kmod include kunit samples "$src/"
dkms add "kheap/$ver"
for rel in $(scripts/stock-kernels.sh); do
	echo "== dkms-check: build for $rel"
	if ! dkms build "kheap/$ver" -k "$rel" \
		--kernelsourcedir "/usr/src/linux-headers-$rel" >"$log" 2>&1; then
		cat "$log" "/var/lib/dkms/kheap/$ver/build/make.log" >&2 || true
		echo "dkms-check: dkms build for $rel failed" >&2
		exit 1
	fi
	echo "   $(cd "/var/lib/dkms/kheap/$ver/$rel/x86_64/module" && echo *)"
done
echo "dkms-check: kheap/$ver builds under dkms for $(scripts/stock-kernels.sh | tr '\n' ' ')"
