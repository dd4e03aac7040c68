#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-harness`: prove the harness can go red. Each deliberately broken
# module in kunit/broken/ gets a boot of its own on the test kernel that must
# catch it; this script passes only if every one of those runs is judged red,
# and the same boot without a broken module is judged green, on each kernel.
# kheap_broken_race is caught by KCSAN (the kcsan kernel), kheap_broken_rt
# by PREEMPT_RT (the rt kernel); the others on the debug kernel, where
# kheap_broken_ubsan_bounds and _shift must be caught by UBSAN itself.
# KHEAP_HARNESS_ONLY="MODULE..." boots those broken modules only (and the
# controls of their kernels).
# First, without a boot, scripts/harness/check-log-test.py feeds the log
# checker crafted consoles it must judge red (a listed suite that never ran
# or stopped short of its plan, a suite "not ok" with no failed case, a skip
# on no list) or green.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh build qemu

bad=0
if scripts/harness/check-log-test.py | sed 's/^/  /'; then
	echo "check-harness: the log checker judged every crafted console right: good"
else
	echo "check-harness: the log checker misjudged a crafted console"
	bad=1
fi

flavour_of() {	# the test kernel that catches broken module $1
	case "$1" in
	kheap_broken_race) echo kcsan ;;
	kheap_broken_rt) echo rt ;;
	*) echo debug ;;
	esac
}

# The report kind (scripts/check-log.py's "reports:") a broken module's run
# must count, where a red run for another reason would not prove the check:
# the UBSAN modules' runs end in a panic (panic_on_warn) whatever stopped
# them, so they must show the UBSAN report itself.
kind_of() {
	case "$1" in
	kheap_broken_ubsan_*) echo ubsan ;;
	*) echo "" ;;
	esac
}

only=${KHEAP_HARNESS_ONLY:-}
flavours="debug kcsan rt"
if [ -n "$only" ]; then
	flavours=$(for n in $only; do flavour_of "$n"; done | sort -u | tr '\n' ' ')
fi

declare -A kdirs
for f in $flavours; do
	kdirs[$f]=$(scripts/kernel.sh "$f")
	scripts/build-modules.sh "${kdirs[$f]}" "$top/build/harness-$f" KHEAP_BROKEN=1
done

boot() {	# boot FLAVOUR NAME [MODULE...]
	local f=$1 name=$2 b="$top/build/harness-$1"
	shift 2
	scripts/initramfs.sh "$b/$name.cpio.gz" "$b" "$@"
	# shellcheck disable=SC2046 # the arguments are words
	KHEAP_QEMU_TIMEOUT=300 scripts/qemu.sh "${kdirs[$f]}/arch/x86/boot/bzImage" \
		"$b/$name.cpio.gz" "$b/$name" kheap.mode=check kunit.stats_enabled=2 \
		$(scripts/flavour-args.sh "$f")
}

for f in $flavours; do
	boot "$f" control
	if scripts/check-log.py "$top/build/harness-$f/control" | sed 's/^/  /'; then
		echo "check-harness: $f control run (no broken module) is green: good"
	else
		echo "check-harness: the $f control run is red: the harness is broken"
		bad=1
	fi
done
for m in "$top"/kunit/broken/kheap_broken_*.c; do
	n=$(basename "$m" .c)
	case " ${only:-$n} " in
	*" $n "*) ;;
	*) continue ;;
	esac
	f=$(flavour_of "$n")
	boot "$f" "$n" "$top/build/harness-$f/kunit/broken/$n.ko"
	k=$(kind_of "$n")
	if scripts/check-log.py "$top/build/harness-$f/$n" >"$top/build/harness-$f/$n.verdict"; then
		sed 's/^/  /' "$top/build/harness-$f/$n.verdict"
		echo "check-harness: $n left the $f run green: the harness missed it"
		bad=1
	elif [ -n "$k" ] && ! grep -qE "reports: .*\b$k [1-9]" "$top/build/harness-$f/$n.verdict"; then
		sed 's/^/  /' "$top/build/harness-$f/$n.verdict"
		echo "check-harness: $n turned the $f run red, but with no $k report"
		bad=1
	else
		sed 's/^/  /' "$top/build/harness-$f/$n.verdict"
		echo "check-harness: $n turned the $f run red${k:+ with a $k report}: good"
	fi
done
[ "$bad" -eq 0 ] && echo "check-harness: every broken module was caught"
exit "$bad"
