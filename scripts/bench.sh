#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: kheap against the kernel's own allocators, in one boot.
#  1. installs what is missing (scripts/deps.sh, gnuplot among it);
#  2. builds (or reuses) the non-debug bench kernel (scripts/kernel.sh bench:
#     no KASAN, lockdep or kmemleak; test_objpool as a module);
#  3. builds kheap.ko and bench/kheap_bench.ko against it;
#  4. boots it under QEMU (TCG, -smp 2, preempt=full): /init loads kheap.ko
#     and kheap_bench.ko, which runs every case at load and prints its
#     figures on the console;
#  5. boots it a second time with init_on_alloc=1 (Debian's default, which
#     the bench kernel's config does not set) for the pair_init test only;
#  6. scripts/bench-report.py writes build/bench.csv, build/bench-reps.csv
#     and build/bench.txt, prints the tables and the targets' ratios with
#     PASS or MISS, and draws build/bench.svg and build/bench.png with
#     gnuplot.
# A MISS fails nothing. The run fails only if a guest crashed, hung or
# printed a splat, or if no figure came out.
#
# Knobs: KHEAP_BENCH_ARGS="reps=5 rep_ms=40 tests=pair,xfer ..." (module
# parameters of kheap_bench, see bench/main.c and doc/benchmark.md; a tests=
# list runs the second boot only if it names pair_init), KHEAP_BENCH_INIT=0
# (no second boot), KHEAP_SMP (default 2), KHEAP_QEMU_TIMEOUT (default
# 900 s, per boot).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
b="$top/build/bench"
cd "$top"
mkdir -p "$b"

scripts/deps.sh build qemu bench
echo "== bench: kernel (bench flavour)"
kdir=$(scripts/kernel.sh bench)
echo "== bench: modules"
scripts/build-modules.sh "$kdir" "$b" KHEAP_BENCH=1
scripts/initramfs.sh "$b/initrd.cpio.gz" "$b" "$b/bench/kheap_bench.ko"

# The module's parameters, less tests=, which each boot sets.
args=""
tests=""
for a in ${KHEAP_BENCH_ARGS:-}; do
	case "$a" in
	tests=*) tests=${a#tests=} ;;
	*) args="$args kheap_bench.$a" ;;
	esac
done
# pair_init runs in the second boot only; either boot may be left out.
main_tests=all
init=${KHEAP_BENCH_INIT:-1}
if [ -n "$tests" ]; then
	main_tests=$(echo ",$tests," | sed 's/,pair_init,/,/g; s/^,*//; s/,*$//')
	case ",$tests," in
	*,pair_init,*) ;;
	*) init=0 ;;
	esac
fi
smp=${KHEAP_SMP:-2}
load=$(cut -d' ' -f1-3 /proc/loadavg)
others=$(pgrep -c -f 'qemu-system|make.*bzImage|cc1' || true)

# boot PREFIX ARGS...: one guest run; sets tcg to what QEMU did with the vCPUs.
boot() {
	local out=$1 qpid pid vcpus=0 start secs
	shift
	start=$(date +%s)
	# shellcheck disable=SC2086
	KHEAP_SMP=$smp KHEAP_QEMU_TIMEOUT=${KHEAP_QEMU_TIMEOUT:-900} \
		scripts/qemu.sh "$kdir/arch/x86/boot/bzImage" "$b/initrd.cpio.gz" \
		"$out" kheap.mode=bench preempt=full "$@" &
	qpid=$!
	# Multi-threaded TCG runs each vCPU on a host thread of its own ("CPU
	# n/TCG"); without it the vCPUs take turns and no scaling figure means
	# anything.
	for _ in $(seq 1 100); do
		pid=$(pgrep -f "^qemu-system.*$out.log" | head -1 || true)
		if [ -n "$pid" ]; then
			vcpus=$(cat /proc/"$pid"/task/*/comm 2>/dev/null |
				grep -c 'CPU [0-9]*/TCG' || true)
			[ "$vcpus" -eq 0 ] || break
		fi
		sleep 0.1
	done
	wait "$qpid"
	secs=$(($(date +%s) - start))
	if [ "$vcpus" -gt 1 ]; then
		tcg="MTTCG: $vcpus vCPU threads"
	else
		tcg="single-threaded TCG: the vCPUs take turns"
	fi
	echo "== bench: the guest ran for $secs s ($tcg)"
}

logs=()
prefixes=()
tcg=""
main_tcg=""
rm -f "$b/boot.log" "$b/boot-init.log"
if [ -n "$main_tests" ]; then
	echo "== bench: QEMU TCG -smp $smp (host load $load, $others other qemu/compiler processes)"
	# shellcheck disable=SC2086
	boot "$b/boot" kheap_bench.tests="$main_tests" $args
	main_tcg=$tcg
	logs+=("$b/boot.log")
	prefixes+=("$b/boot")
fi
if [ "$init" != 0 ]; then
	echo "== bench: second boot, init_on_alloc=1, test pair_init"
	# shellcheck disable=SC2086
	boot "$b/boot-init" init_on_alloc=1 kheap_bench.tests=pair_init $args
	logs+=("$b/boot-init.log")
	prefixes+=("$b/boot-init")
fi
[ "${#logs[@]}" -gt 0 ] || { echo "bench: no test to run" >&2; exit 2; }

host="host: $(nproc)-core $(lscpu | sed -n 's/^Model name: *//p' | head -1), Debian $(cat /etc/debian_version)"
host="$host, load $load; QEMU $(qemu-system-x86_64 --version | sed -n 's/.*version \([^ ]*\).*/\1/p') TCG -smp $smp (${main_tcg:-$tcg})"
rc=0
scripts/bench-report.py "${logs[@]}" "$top/build" --host="$host" \
	--date="$(date -u +%F)" || rc=$?
if ! scripts/check-log.py --quiet "${prefixes[@]}" >/dev/null; then
	scripts/check-log.py "${prefixes[@]}" | head -n -1
	echo "bench: a benchmark boot was not clean, consoles: ${logs[*]}"
	exit 1
fi
exit "$rc"
