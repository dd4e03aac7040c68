#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`'s background worker (scripts/check.sh starts it under
# SCHED_IDLE and `nice -n 19`): what the foreground needs later, done in
# the CPU time the foreground leaves idle. A QEMU boot of the suites leaves about a fifth of
# two cores idle, and on a cold cache each test kernel takes 4 to 5 minutes
# of both; the worker takes that idle time and nothing else (any runnable
# task at the default priority goes first).
#
# Usage: scripts/check-bg.sh DIR SKIP_STOCK SKIP_LINT FLAVOUR...
#   1. builds the kernel of each FLAVOUR (scripts/kernel.sh, cached), then
#      creates DIR/kernel-FLAVOUR, built or not: the foreground waits for
#      that file, then calls kernel.sh itself, which finds the kernel cached
#      (or builds it, and shows why it failed); its log: DIR/kernel-FLAVOUR.log;
#   2. unless SKIP_STOCK and SKIP_LINT are both 1: fetches and unpacks the
#      stock kernels (scripts/stock-kernels.sh, under its own lock: the
#      foreground's call waits for it and finds them unpacked);
#   3. unless SKIP_LINT is 1: runs scripts/lint.sh and scripts/dkms-check.sh,
#      their output in build/lint.log and build/dkms.log, their exit codes
#      in DIR/lint.rc and DIR/dkms.rc;
#   4. creates DIR/done, its last act.
# The foreground installs every package first (scripts/deps.sh), so the
# deps.sh calls of these scripts find nothing to install. (stock-kernels.sh
# runs apt-get update itself if a download fails: apt's own locks then
# order it with the foreground's apt-cache calls.)
set -uo pipefail

dir=${1:?usage: check-bg.sh DIR SKIP_STOCK SKIP_LINT FLAVOUR...}
skip_stock=${2:?}
skip_lint=${3:?}
shift 3
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# The session (setsid) and process group this script leads: what the
# foreground stops should it end first.
echo "$$" >"$dir/pgid"
# A new session is a new scheduler autogroup (Debian's kernels have
# CONFIG_SCHED_AUTOGROUP on), which would share the CPUs half and half with
# the foreground's, whatever our nice and policy: nice 19 for the group
# too. (Without it, a cold debug kernel build took 9.3 min, not 4.6, the
# worker's kcsan build beside it finishing first.)
if [ -w /proc/self/autogroup ]; then
	echo 19 >/proc/self/autogroup 2>/dev/null || true
fi

for f in "$@"; do
	scripts/kernel.sh "$f" >"$dir/kernel-$f.log" 2>&1
	touch "$dir/kernel-$f"
done

if [ "$skip_stock" != 1 ] || [ "$skip_lint" != 1 ]; then
	scripts/stock-kernels.sh --image all >"$dir/stock.log" 2>&1
fi

if [ "$skip_lint" != 1 ]; then
	scripts/lint.sh >"$top/build/lint.log" 2>&1
	echo $? >"$dir/lint.rc"
	scripts/dkms-check.sh >"$top/build/dkms.log" 2>&1
	echo $? >"$dir/dkms.rc"
fi
touch "$dir/done"
exit 0
