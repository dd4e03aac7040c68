#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the project's test command.
#  1. installs what is missing (scripts/deps.sh);
#  2. builds (or reuses) the sanitizer test kernel (scripts/kernel.sh debug);
#  3. builds kheap.ko, the KUnit modules, the example client and the
#     benchmark module (compiled only) against it;
#  4. boots it under QEMU: /init loads kheap, runs every KUnit suite (the
#     soak for KHEAP_SOAK_SECONDS, 20), writes malformed input to every
#     writable debugfs file, reads debugfs, unloads, loads and unloads kheap
#     and its client KHEAP_CYCLES times (50), scans kmemleak;
#  5. builds against Debian's stock 6.1 and 6.12 headers and boots each stock
#     kernel to insmod kheap and the client, read debugfs and rmmod;
#  6. runs the lint (scripts/lint.sh) and a dkms build (scripts/dkms-check.sh);
#  7. judges every run (scripts/check-log.py) and ends with the KUnit totals.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
b="$top/build"
mkdir -p "$b"
cd "$top"

scripts/deps.sh build kernel qemu stock

step() { echo "== check: $*"; }

step "test kernel"
kdir=$(scripts/kernel.sh debug)

step "modules against the test kernel"
# KHEAP_BENCH=1 compiles the benchmark too, so it does not rot; it is not
# loaded here (make bench runs it, on a kernel without sanitizers).
scripts/build-modules.sh "$kdir" "$b/ktest" KHEAP_BENCH=1
tests=$(ls "$b"/ktest/kunit/*.ko)
scripts/initramfs.sh "$b/ktest/initrd.cpio.gz" "$b/ktest" $tests

runs=()
step "KUnit under QEMU (-smp ${KHEAP_SMP:-4}, KASAN, lockdep, kmemleak, preempt=full)"
scripts/qemu.sh "$kdir/arch/x86/boot/bzImage" "$b/ktest/initrd.cpio.gz" \
	"$b/ktest/kunit" kheap.mode=check kunit.stats_enabled=2 preempt=full \
	kheap.soak="${KHEAP_SOAK_SECONDS:-20}" kheap.cycles="${KHEAP_CYCLES:-50}"
kunit_ok=0
scripts/check-log.py --expect-kunit "$b/ktest/kunit" >"$b/ktest/kunit.verdict" || kunit_ok=1
head -n -1 "$b/ktest/kunit.verdict"
# What the fault, soak, hostile-input and lifetime steps counted.
grep -aE '^kheap-init: (fail|hostile|lifetime|debugfs readers)|# (fault|soak)_test_[a-z_]+: [0-9]' \
	"$b/ktest/kunit.log" | sed -E 's/^\[ *[0-9.]+\] +//' | tr -d '\r' || true

stock_ok=0
if [ "${KHEAP_SKIP_STOCK:-0}" != 1 ]; then
	for rel in $(scripts/stock-kernels.sh); do
		step "stock Debian $rel: build, insmod, debugfs, rmmod"
		scripts/build-modules.sh "/usr/src/linux-headers-$rel" "$b/stock-$rel"
		scripts/initramfs.sh "$b/stock-$rel/initrd.cpio.gz" "$b/stock-$rel"
		KHEAP_SMP=2 KHEAP_QEMU_TIMEOUT=300 scripts/qemu.sh "/boot/vmlinuz-$rel" \
			"$b/stock-$rel/initrd.cpio.gz" "$b/stock-$rel/boot" kheap.mode=stock
		scripts/check-log.py "$b/stock-$rel/boot" | head -n -1 || true
		scripts/check-log.py --quiet "$b/stock-$rel/boot" >/dev/null || stock_ok=1
	done
fi

lint_ok=0
if [ "${KHEAP_SKIP_LINT:-0}" != 1 ]; then
	step "lint: checkpatch --strict, kernel-doc, sparse + W=1 on 6.1/6.12/6.12-rt"
	scripts/lint.sh >"$b/lint.log" 2>&1 || lint_ok=1
	grep -E '^== lint|findings' "$b/lint.log" || true
	step "dkms build against the stock headers"
	scripts/dkms-check.sh >"$b/dkms.log" 2>&1 || lint_ok=1
	tail -n 3 "$b/dkms.log"
fi

step "verdict"
[ "$lint_ok" -eq 0 ] || echo "check: lint or dkms failed (build/lint.log, build/dkms.log)"
[ "$stock_ok" -eq 0 ] || echo "check: a stock kernel run is red"
[ "$kunit_ok" -eq 0 ] || echo "check: the KUnit run is red (console: $b/ktest/kunit.log)"
tail -n 1 "$b/ktest/kunit.verdict"
[ "$kunit_ok" -eq 0 ] && [ "$stock_ok" -eq 0 ] && [ "$lint_ok" -eq 0 ]
