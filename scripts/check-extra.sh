#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-extra`: the longer and rarer runs `make check` leaves out (CI
# runs make check only; run this before resolving an issue). Each part boots
# QEMU once, is judged by scripts/check-log.py and timed; the last lines
# give each part's verdict and time. KHEAP_EXTRA_PARTS picks (default
# "smp2 long lockdown"):
#   smp2      the debug kernel's whole KUnit run (as make check's debug
#             boot, judged against kunit/expected) on 2 CPUs with
#             preempt=none: other interleavings, no preemption in the
#             kernel;
#   long      the debug kernel, the soak for KHEAP_EXTRA_SOAK_SECONDS (240,
#             its most; make check: 20) and the seeded debugfs write
#             fuzzer with KHEAP_FUZZ_ARGS: words MODULE.PARAM=VALUE on the
#             kernel command line, which /init passes to that test module
#             (default "kheap_debugfs_test.fuzz_writes=10000"; every module it
#             names must be built and its suite must run; empty: the soak
#             alone);
#   lockdown  a kernel with the lockdown LSM and MODULE_SIG_FORCE
#             (scripts/kconfig/lockdown.config, on the bench kernel) booted
#             with lockdown=integrity: every .ko is signed here with the
#             build's scripts/sign-file and key (out-of-tree modules are
#             signed only by modules_install), an unsigned kheap.ko must be
#             refused, the signed ones load, every read-only debugfs file is
#             0400 and reads, every writable one is refused (EPERM), no
#             WARN (/init's lockdown mode, scripts/harness/init).
# Each kernel is built (or reused) by scripts/kernel.sh; the runs are in
# build/extra-PART/. The functions run as an if's condition, where set -e
# does not apply: each step that can fail says so (|| return 1).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
b="$top/build"
mkdir -p "$b"
cd "$top"
scripts/deps.sh build qemu

FUZZ_ARGS=${KHEAP_FUZZ_ARGS-kheap_debugfs_test.fuzz_writes=10000}
SOAK=${KHEAP_EXTRA_SOAK_SECONDS:-240}

step() { echo "== check-extra: $*"; }
declare -A verdict took
parts=${KHEAP_EXTRA_PARTS:-smp2 long lockdown}

# debug_modules OUT: the debug kernel and kheap's modules against it, in OUT.
debug_modules() {
	kdir=$(scripts/kernel.sh debug) || return 1
	scripts/build-modules.sh "$kdir" "$1" || return 1
}

part_smp2() {
	local out="$b/extra-smp2"
	debug_modules "$out" || return 1
	scripts/initramfs.sh "$out/initrd.cpio.gz" "$out" "$out"/kunit/*.ko || return 1
	step "KUnit under QEMU on debug, -smp 2, preempt=none"
	KHEAP_SMP=2 scripts/qemu.sh "$kdir/arch/x86/boot/bzImage" \
		"$out/initrd.cpio.gz" "$out/kunit" kheap.mode=check \
		kunit.stats_enabled=2 kheap.soak="${KHEAP_SOAK_SECONDS:-20}" \
		kheap.cycles="${KHEAP_CYCLES:-100}" preempt=none
	scripts/check-log.py --expect-kunit --expect kunit/expected --flavour debug \
		"$out/kunit"
}

part_long() {
	local out="$b/extra-long" w m mods=() expect
	debug_modules "$out" || return 1
	mods+=("$out/kunit/kheap_soak_test.ko")
	for w in $FUZZ_ARGS; do
		m=${w%%.*}
		if [ ! -f "$out/kunit/$m.ko" ]; then
			echo "check-extra: KHEAP_FUZZ_ARGS names $m, and there is no kunit/$m.ko"
			return 1
		fi
		case " ${mods[*]} " in
		*" $out/kunit/$m.ko "*) ;;
		*) mods+=("$out/kunit/$m.ko") ;;
		esac
	done
	[ -n "$FUZZ_ARGS" ] || echo "check-extra: KHEAP_FUZZ_ARGS is empty: no fuzzer run, the soak alone"
	scripts/initramfs.sh "$out/initrd.cpio.gz" "$out" "${mods[@]}" || return 1
	step "long run on debug: soak ${SOAK} s, fuzzer '${FUZZ_ARGS}'"
	# shellcheck disable=SC2046,SC2086 # the arguments are words
	KHEAP_QEMU_TIMEOUT=$((900 + 2 * SOAK)) scripts/qemu.sh \
		"$kdir/arch/x86/boot/bzImage" "$out/initrd.cpio.gz" "$out/kunit" \
		kheap.mode=check kunit.stats_enabled=2 kheap.soak="$SOAK" kheap.cycles=0 \
		$FUZZ_ARGS $(scripts/flavour-args.sh debug)
	expect="$out/expected"
	echo "suite kheap_soak" >"$expect"
	grep '^skip debug ' kunit/expected >>"$expect" || true
	scripts/check-log.py --expect-kunit --expect "$expect" --flavour debug "$out/kunit" ||
		return 1
	# Each module KHEAP_FUZZ_ARGS names ran its suites (check-log.py saw
	# every suite that began end well).
	for m in "${mods[@]}"; do
		m=$(basename "$m" .ko)
		grep -aq "# module: $m\b" "$out/kunit.log" ||
			{ echo "check-extra: no suite of $m ran"; return 1; }
	done
	grep -aE '# (soak|fuzz)[a-z_]*: |seed' "$out/kunit.log" | tr -d '\r' | head -n 20 || true
}

part_lockdown() {
	local out="$b/extra-lockdown" kdir hash ko n=0
	kdir=$(scripts/kernel.sh lockdown) || return 1
	scripts/build-modules.sh "$kdir" "$out" || return 1
	hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$kdir/.config")
	[ -n "$hash" ] && [ -x "$kdir/scripts/sign-file" ] &&
		[ -f "$kdir/certs/signing_key.pem" ] && [ -f "$kdir/certs/signing_key.x509" ] ||
		{ echo "check-extra: $kdir has no sign-file, signing key or hash"; return 1; }
	# Signed copies in signed/ (a rebuild keeps an unchanged .ko, which
	# must not be signed twice); one unsigned kheap.ko, which must be
	# refused.
	rm -rf "$out/signed"
	mkdir -p "$out/signed/kmod" "$out/signed/samples"
	cp "$out/kmod/kheap.ko" "$out/kheap-unsigned.ko" || return 1
	for ko in "$out"/kmod/kheap.ko "$out"/samples/*.ko; do
		ko=${ko#"$out"/}
		cp "$out/$ko" "$out/signed/$ko" || return 1
		"$kdir/scripts/sign-file" "$hash" "$kdir/certs/signing_key.pem" \
			"$kdir/certs/signing_key.x509" "$out/signed/$ko" || return 1
		tail -c 28 "$out/signed/$ko" | grep -q '~Module signature appended~' ||
			{ echo "check-extra: $ko: no signature after sign-file"; return 1; }
		n=$((n + 1))
	done
	echo "check-extra: signed $n modules ($hash, $kdir/certs/signing_key.pem)"
	scripts/initramfs.sh "$out/initrd.cpio.gz" "$out/signed" "$out/kheap-unsigned.ko" ||
		return 1
	step "lockdown=integrity boot: signed modules, debugfs"
	# shellcheck disable=SC2046 # the arguments are words
	KHEAP_SMP=2 KHEAP_QEMU_TIMEOUT=300 scripts/qemu.sh \
		"$kdir/arch/x86/boot/bzImage" "$out/initrd.cpio.gz" "$out/boot" \
		kheap.mode=lockdown $(scripts/flavour-args.sh lockdown)
	grep -a 'kheap-init: lockdown' "$out/boot.log" | sed -E 's/^\[ *[0-9.]+\] +//' |
		tr -d '\r' || true
	scripts/check-log.py "$out/boot"
}

for p in $parts; do
	case "$p" in
	smp2 | long | lockdown) ;;
	*) echo "check-extra: no part '$p' (smp2, long, lockdown)"; exit 2 ;;
	esac
	step "part $p"
	start=$(date +%s)
	if "part_$p"; then
		verdict[$p]=green
	else
		verdict[$p]=RED
	fi
	took[$p]=$(($(date +%s) - start))
done

step "verdict"
red=0
for p in $parts; do
	echo "check-extra: $p: ${verdict[$p]}, ${took[$p]} s"
	[ "${verdict[$p]}" = green ] || red=1
done
exit "$red"
