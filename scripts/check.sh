#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the project's test command.
#  1. installs what is missing (scripts/deps.sh), and tests tools/kheap on
#     the debugfs trees earlier runs dumped (tools/tests/test_kheap.py);
#  2. for each test-kernel flavour (KHEAP_FLAVOURS, default "debug kcsan rt"):
#     builds (or reuses) the kernel (scripts/kernel.sh FLAVOUR), builds
#     kheap.ko, the KUnit modules, the example client and the benchmark
#     module (compiled only) against it in build/ktest-FLAVOUR/, and boots
#     it under QEMU: /init loads kheap, runs every KUnit suite (the soak for
#     KHEAP_SOAK_SECONDS, 10) while debugfs readers run, writes malformed
#     input to every writable debugfs file, reads debugfs, unloads, loads
#     and unloads kheap and its client KHEAP_CYCLES times (25; `make
#     check-extra` does 100 on the debug kernel), scans
#     kmemleak (where the kernel has it); its debugfs tree, dumped on the
#     console, is then the tool's test's too.
#     The flavours:
#       debug  KASAN, lockdep, kmemleak, failslab, DEBUG_LIST; UBSAN
#              (bounds, shift, division by zero) on kheap's modules;
#       kcsan  the data-race detector (it cannot share a kernel with KASAN),
#              strict, on kheap's modules;
#       rt     PREEMPT_RT with lockdep and DEBUG_ATOMIC_SLEEP;
#       prof   (opt-in: KHEAP_FLAVOURS="debug kcsan rt prof") memory
#              allocation profiling and hist triggers: every suite but
#              kheap_cache (the block cache is off there) and the fault
#              suites, and no orphan client (a module that unloads with
#              charged blocks WARNs);
#  3. builds against Debian's stock 6.1, 6.12 and 6.12-rt headers and boots
#     each stock kernel to insmod kheap and the client, read debugfs, rmmod
#     (headers and images unpacked into the cache by scripts/stock-kernels.sh,
#     never installed);
#  4. runs the lint (scripts/lint.sh) and a dkms build (scripts/dkms-check.sh);
#     a background worker at the lowest CPU priority (SCHED_IDLE,
#     scripts/check-bg.sh)
#     does these two, 3's fetch and unpacking, and the kernel builds of the
#     flavours after the first, while the boots leave the CPUs partly idle;
#  5. judges every run (scripts/check-log.py; each flavour's KUnit run
#     against kunit/expected: every suite listed runs to its end, no skip
#     that is not listed with its reason) and ends with the KUnit totals
#     summed over the flavours.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
b="$top/build"
mkdir -p "$b"
cd "$top"

# What this script runs itself; kernel.sh, stock-kernels.sh, lint.sh and
# dkms-check.sh ask for their own, but the background worker runs some of
# them: everything is installed here first, so no two apt runs overlap.
scripts/deps.sh build qemu tool kernel source stock lint dkms

step() { echo "== check: $*"; }

# What each flavour's boot checks, for the step line.
flavour_what() {
	case "$1" in
	debug) echo "KASAN, UBSAN on kheap's modules, lockdep, kmemleak, preempt=full" ;;
	kcsan) echo "KCSAN strict on kheap's modules, preempt=full" ;;
	rt) echo "PREEMPT_RT, lockdep, DEBUG_ATOMIC_SLEEP" ;;
	prof) echo "memory allocation profiling, /proc/allocinfo, hist triggers" ;;
	*) echo "$1" ;;
	esac
}

# tools/kheap on the debugfs trees earlier runs dumped (the fixtures, and
# build/'s last logs): on the host, in seconds; red stops here.
step "tools/kheap on the dumped debugfs trees (tools/tests/test_kheap.py)"
scripts/deps.sh tool
python3 tools/tests/test_kheap.py >"$b/tool-test.log" 2>&1 ||
	{ cat "$b/tool-test.log"; echo "check: tools/kheap's tests are red"; exit 1; }
grep -E '^(test_kheap:|Ran )' "$b/tool-test.log"

# The flavours, each once (two builds of one kernel at once would clash).
flavours=()
for f in ${KHEAP_FLAVOURS:-debug kcsan rt}; do
	[[ " ${flavours[*]} " == *" $f "* ]] || flavours+=("$f")
done
skip_stock=${KHEAP_SKIP_STOCK:-0}
skip_lint=${KHEAP_SKIP_LINT:-0}

# The background worker (scripts/check-bg.sh), at the lowest CPU priority:
# the kernels after the first, the stock kernels, the lint and the dkms
# build, in the time the foreground's boots leave idle. SCHED_IDLE, not
# only nice 19: a QEMU vCPU thread that wakes preempts it at once (one
# vCPU waiting holds up the others). In a session of its own, so that its whole process group is stopped with this
# script, whatever the way out, unless it is done ($bg/done, its last
# act).
bg="$b/bg"
rm -rf "$bg"
rm -f "$b/lint.log" "$b/dkms.log"
mkdir -p "$bg"
setsid -w chrt --idle 0 nice -n 19 scripts/check-bg.sh "$bg" "$skip_stock" "$skip_lint" \
	"${flavours[@]:1}" &
worker=$!
trap '[ -e "$bg/done" ] || [ ! -s "$bg/pgid" ] ||
	kill -TERM -- -"$(cat "$bg/pgid")" 2>/dev/null || true' EXIT

kunit_ok=0
runs=()
for f in "${flavours[@]}"; do
	out="$b/ktest-$f"
	runs+=("$out/kunit")
	mkdir -p "$out"
	rm -f "$out/kunit.log" "$out/kunit.token"
	step "$f test kernel"
	# The worker builds it (if not the first): wait until it is done with it.
	while [ "$f" != "${flavours[0]}" ] && [ ! -e "$bg/kernel-$f" ] &&
		[ ! -e "$bg/done" ]; do
		sleep 2
	done
	if ! kdir=$(scripts/kernel.sh "$f"); then
		echo "check: the $f kernel did not build" | tee "$out/kunit.log"
		kunit_ok=1
		continue
	fi
	step "modules against the $f kernel"
	# KHEAP_BENCH=1 compiles the benchmark too, so it does not rot; it is
	# not loaded here (make bench runs it, on a kernel without sanitizers).
	scripts/build-modules.sh "$kdir" "$out" KHEAP_BENCH=1
	tests=$(ls "$out"/kunit/*.ko)
	expect=kunit/expected
	if [ "$f" = prof ]; then
		# Profiling WARNs when a module unloads with blocks it allocated
		# still live: not the orphan client, which leaves its blocks to
		# kheap's exit (every suite frees its own first); and kheap's
		# block cache cannot be switched on there: not kheap_cache, nor
		# kheap_stacks (its cache case).
		# kunit/expected lists neither for prof (nor the fault suites,
		# not built: the prof kernel has no FAULT_INJECTION).
		tests=""
		for t in "$out"/kunit/*.ko; do
			case $t in
			*/kheap_orphan_client.ko | */kheap_cache_test.ko | \
				*/kheap_stacks_test.ko) ;;
			*) tests="$tests $t" ;;
			esac
		done
	fi
	scripts/initramfs.sh "$out/initrd.cpio.gz" "$out" $tests
	step "KUnit under QEMU on $f (-smp ${KHEAP_SMP:-4}, $(flavour_what "$f"))"
	start=$(date +%s)
	# shellcheck disable=SC2046 # the arguments are words
	scripts/qemu.sh "$kdir/arch/x86/boot/bzImage" "$out/initrd.cpio.gz" \
		"$out/kunit" kheap.mode=check kunit.stats_enabled=2 \
		kheap.soak="${KHEAP_SOAK_SECONDS:-10}" kheap.cycles="${KHEAP_CYCLES:-25}" \
		$(scripts/flavour-args.sh "$f")
	scripts/check-log.py --expect-kunit --expect "$expect" --flavour "$f" \
		"$out/kunit" >"$out/kunit.verdict" || kunit_ok=1
	head -n -1 "$out/kunit.verdict"
	# What the fault, soak, hostile-input and lifetime steps counted.
	grep -aE '^kheap-init: (fail|hostile|lifetime|debugfs readers)|# (fault|soak)_test_[a-z_]+: [0-9]' \
		"$out/kunit.log" | sed -E 's/^\[ *[0-9.]+\] +//' | tr -d '\r' || true
	echo "check: $f boot took $(($(date +%s) - start)) s"
done

# And on the trees these boots dumped.
tool_ok=0
step "tools/kheap on the debugfs trees the boots dumped"
KHEAP_TOOL_CAPTURES="${runs[*]/%/.log}" python3 tools/tests/test_kheap.py \
	>"$b/tool-test.log" 2>&1 || tool_ok=1
grep -E '^(test_kheap:|Ran |FAILED)' "$b/tool-test.log" || true

# Boot stock kernel image $1 with the initramfs in $2; the console is $2/boot.log.
stock_boot() {
	KHEAP_SMP=2 KHEAP_QEMU_TIMEOUT=300 scripts/qemu.sh "$1" \
		"$2/initrd.cpio.gz" "$2/boot" kheap.mode=stock
}

stock_ok=0
if [ "$skip_stock" != 1 ]; then
	# Debian's 6.1 and 6.12, and the PREEMPT_RT flavour of that 6.12.
	stock=()
	if list=$(scripts/stock-kernels.sh --image all); then
		mapfile -t stock <<<"$list"
	else
		echo "check: the stock kernels could not be fetched"
		stock_ok=1
	fi
	for l in "${stock[@]}"; do
		read -r rel kdir vmlinuz <<<"$l"
		step "stock Debian $rel: build, insmod, debugfs, rmmod"
		scripts/build-modules.sh "$kdir" "$b/stock-$rel"
		scripts/initramfs.sh "$b/stock-$rel/initrd.cpio.gz" "$b/stock-$rel"
		# (A kernel that dies before init is booted again: qemu.sh.)
		stock_boot "$vmlinuz" "$b/stock-$rel"
		scripts/check-log.py "$b/stock-$rel/boot" | head -n -1 || true
		scripts/check-log.py --quiet "$b/stock-$rel/boot" >/dev/null || stock_ok=1
	done
fi

# The worker ran the lint and the dkms build meanwhile.
wait "$worker" || true
[ -e "$bg/done" ] || echo "check: the background worker died (build/bg/)"
lint_ok=0
if [ "$skip_lint" != 1 ]; then
	step "lint: checkpatch --strict, kernel-doc, sparse + W=1 on 6.1/6.12/6.12-rt (ran in the background)"
	[ "$(cat "$bg/lint.rc" 2>/dev/null)" = 0 ] || lint_ok=1
	[ -e "$bg/lint.rc" ] || echo "check: the lint did not run"
	grep -E '^== lint|findings' "$b/lint.log" 2>/dev/null || true
	step "dkms build against the stock headers (ran in the background)"
	[ "$(cat "$bg/dkms.rc" 2>/dev/null)" = 0 ] || lint_ok=1
	[ -e "$bg/dkms.rc" ] || echo "check: the dkms build did not run"
	tail -n 3 "$b/dkms.log" 2>/dev/null || true
fi

step "verdict"
[ "$lint_ok" -eq 0 ] || echo "check: lint or dkms failed (build/lint.log, build/dkms.log)"
[ "$stock_ok" -eq 0 ] || echo "check: a stock kernel run is red"
if [ "$kunit_ok" -ne 0 ]; then
	echo "check: a KUnit run is red (consoles: $b/ktest-*/kunit.log)"
	# What went red, here at the end where a CI's tail shows it: each red
	# run's problems and the first lines its failed expectations printed.
	for r in "${runs[@]}"; do
		grep -q ': RED:' "$r.verdict" 2>/dev/null || continue
		grep -v ': RED:' "$r.verdict" | head -n -1 | head -n 8 | sed "s|^|  $(basename "$(dirname "$r")"): |" || true
		grep -aE -A4 'EXPECTATION FAILED|ASSERTION FAILED' "$r.log" |
			sed -E 's/^\[ *[0-9.]+\] +//' | tr -d '\r' | head -n 16 | sed 's/^/    /' || true
	done
fi
[ "$tool_ok" -eq 0 ] || echo "check: tools/kheap's tests are red ($b/tool-test.log)"
# The KUnit totals summed over the flavours, as the last line (each run's
# verdict, against its flavour's kunit/expected, is kunit_ok's above).
{ scripts/check-log.py --expect-kunit --quiet "${runs[@]}" || true; } | tail -n 1
[ "$kunit_ok" -eq 0 ] && [ "$stock_ok" -eq 0 ] && [ "$lint_ok" -eq 0 ] && [ "$tool_ok" -eq 0 ]
