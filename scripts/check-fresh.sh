#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-fresh`: run the README's first commands on a fresh Debian 12,
# as a new user would, to prove no script relies on a package that another
# target (or this developer's machine) happened to install.
#  1. debootstrap --variant=minbase bookworm, plus git, make and
#     ca-certificates (what the quick start asks a fresh machine to have),
#     into ${KHEAP_FRESH_ROOT:-/var/tmp/kheap-fresh} (removed first);
#  2. the host's apt sources copied in; /proc, /sys, /dev and /dev/pts
#     mounted; the host's /var/cache/apt/archives bind-mounted, so a rerun
#     downloads nothing again (debootstrap keeps its .debs there too;
#     KHEAP_FRESH_APT_CACHE=DIR mounts DIR instead: an empty one measures a
#     first run with every download);
#  3. a git clone of HEAD (the commit, not the work tree) in /root/kheap;
#  4. in the chroot, as root with HOME=/root and an empty environment:
#     make demo, make check-package (the kheap-dkms package built, installed
#     with apt-get from the .deb, kheap and a client module built by dkms
#     against the installed headers and kept Module.symvers for the stock
#     6.12, both loaded in QEMU, the package's tool on what debugfs showed),
#     then make lint (KHEAP_FRESH_STEPS="demo check-package lint" sets the
#     targets);
#  5. prints each step's time, the packages each make target installed
#     (dpkg-query before and after), the size of the root's ~/.cache/kheap
#     and the .debs a machine with an empty apt cache downloads;
#  6. removes the root (kept after a red run, for a look, until the next).
# Fails if any step fails. Everything it mounted is unmounted on exit, on
# failure too. Needs root. Not part of make check:
# run it when a script's dependencies change. The log is build/check-fresh.log.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" -eq 0 ] || { echo "check-fresh: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
root=${KHEAP_FRESH_ROOT:-/var/tmp/kheap-fresh}
steps=${KHEAP_FRESH_STEPS:-demo check-package lint}
archives=${KHEAP_FRESH_APT_CACHE:-/var/cache/apt/archives}
archives=$(mkdir -p "$archives" && cd "$archives" && pwd)
mkdir -p build
log="$top/build/check-fresh.log"
: >"$log"
say() { echo "check-fresh: $*" | tee -a "$log"; }

mounts_under() {	# mount points at or under $root, deepest first
	awk -v r="$root" '$5 == r || index($5, r "/") == 1 {print $5}' /proc/self/mountinfo |
		sort -r
}
release() {	# stop what runs in the root, unmount all under it
	local p m
	# Only our own chroot's processes: those whose root is $root.
	for p in /proc/[0-9]*; do
		if [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ]; then
			kill -KILL "${p#/proc/}" 2>/dev/null || true
		fi
	done
	for m in $(mounts_under); do
		umount "$m" 2>/dev/null || umount -l "$m" || true
	done
	if [ -n "$(mounts_under)" ]; then
		echo "check-fresh: still mounted under $root: $(mounts_under | tr '\n' ' ')" >&2
		return 1
	fi
}
cleanup() {
	local rc=$?
	release || rc=1
	[ "$rc" -eq 0 ] || echo "check-fresh: red; the root is kept in $root (log: $log)" >&2
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Never rm -rf a tree with the host's /dev or apt cache mounted in it.
release
rm -rf "$root"

scripts/deps.sh fresh
# The host's Debian mirror: the first bookworm "deb" source, deb822 or
# one-line style.
existing() { local f; for f in "$@"; do [ ! -f "$f" ] || cat "$f"; done; }
mirror=$({
	existing /etc/apt/sources.list.d/*.sources | awk -v RS= '
		/(^|\n)Types:[^\n]*deb([ \n]|$)/ && /(^|\n)Suites:[^\n]*bookworm([ \n]|$)/ &&
		!/(^|\n)Enabled: *no/ {
			match($0, /(^|\n)URIs: *[^ \n]+/)
			s = substr($0, RSTART, RLENGTH); sub(/^\n?URIs: */, "", s); print s
		}'
	existing /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '
		$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) while ($i !~ /\]$/) i++
			if ($i ~ /\]$/ && $2 ~ /^\[/) i++
			if ($(i + 1) == "bookworm") print $i
		}'
} | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
head=$(git rev-parse HEAD)
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	say "note: the work tree has uncommitted changes; they are not tested"
say "root $root, mirror $mirror, commit $(git log -1 --format='%h %s')"

before_debs=$(mktemp)
ls "$archives" >"$before_debs"
start_all=$(date +%s)
t() { echo $(($(date +%s) - $1)); }

# --- 1. debootstrap ---------------------------------------------------------
s=$(date +%s)
say "debootstrap --variant=minbase bookworm (+ git make ca-certificates)"
debootstrap --variant=minbase --include=git,make,ca-certificates \
	--cache-dir="$archives" bookworm "$root" "$mirror" >>"$log" 2>&1 || {
	tail -20 "$log" >&2
	say "debootstrap failed"
	exit 1
}
time_debootstrap=$(t "$s")

# --- 2. sources, mounts, the clone --------------------------------------------
s=$(date +%s)
rm -rf "$root/etc/apt/sources.list" "$root/etc/apt/sources.list.d"
cp -a /etc/apt/sources.list* "$root/etc/apt/"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount --bind "$archives" "$root/var/cache/apt/archives"
git clone -q --no-hardlinks "$top" "$root/root/kheap"
git -C "$root/root/kheap" checkout -q --detach "$head"
time_setup=$(t "$s")

in_root() {	# in_root CMD: run CMD in the root, as a fresh login would
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c "$1"
}
pkgs() {	# "PACKAGE VERSION" of every package installed in the root
	in_root "dpkg-query -W -f='\${db:Status-Abbrev} \${Package} \${Version}\n'" </dev/null |
		awk '$1 == "ii" {print $2, $3}' | sort
}

stock() {	# "PACKAGE VERSION" of every stock kernel package in the root's cache
	local st v
	for st in "$root"/root/.cache/kheap/stock/*/.kheap/*; do
		[ -e "$st" ] || continue
		v=$(basename "$(dirname "$(dirname "$st")")")
		echo "$(basename "$st") ${v//_/:}"
	done | sort
}
debs() {	# debs < "PACKAGE VERSION" lines: how many .debs, how big
	local p v f n=0 b=0
	while read -r p v; do
		f=$(compgen -G "$archives/${p}_${v//:/%3a}_*.deb" | head -1 || true)
		[ -n "$f" ] || { echo "check-fresh: no .deb of $p $v in $archives" >&2; continue; }
		b=$((b + $(stat -c %s "$f"))) n=$((n + 1))
	done
	echo "$n .debs, $((b / 1048576)) MiB"
}

# --- 3. the README's first commands -------------------------------------------
pkgs >"$log.pkgs.0"
stock >"$log.stock.0"
summary=()
n=0
for target in $steps; do
	n=$((n + 1))
	say "make $target (in the root)"
	s=$(date +%s)
	rc=0
	in_root "cd /root/kheap && make $target" </dev/null 2>&1 | tee -a "$log" || rc=$?
	secs=$(t "$s")
	pkgs >"$log.pkgs.$n"
	stock >"$log.stock.$n"
	new=$(comm -13 "$log.pkgs.$((n - 1))" "$log.pkgs.$n")
	fetched=$(comm -13 "$log.stock.$((n - 1))" "$log.stock.$n")
	# What a machine with an empty apt cache downloads for this step.
	summary+=("make $target: $secs s, rc $rc; installed (or upgraded) $(grep -c . <<<"$new" || true) packages ($(debs <<<"$new")): $(cut -d' ' -f1 <<<"$new" | tr '\n' ' ')")
	summary+=("make $target: fetched into ~/.cache/kheap/stock $(debs <<<"$fetched"): $(cut -d' ' -f1 <<<"$fetched" | tr '\n' ' ')")
	if [ "$rc" -ne 0 ]; then
		say "make $target failed (rc $rc) after $secs s"
		printf '%s\n' "${summary[@]}" | tee -a "$log"
		exit 1
	fi
done

# --- 4. what it took ----------------------------------------------------------
say "times: debootstrap $time_debootstrap s, setup $time_setup s, total $(t "$start_all") s"
printf 'check-fresh: %s\n' "${summary[@]}" | tee -a "$log"
say "all steps, from an empty apt cache: $(comm -13 "$log.pkgs.0" "$log.pkgs.$n" | cat - <(stock) | debs)"
say "root's ~/.cache/kheap: $(du -sh "$root/root/.cache/kheap" | cut -f1) ($(cd "$root/root/.cache/kheap" && du -sh -- * | tr '\t\n' ': ' ))"
new_here=0 nn=0
while read -r f; do
	new_here=$((new_here + $(stat -c %s "$archives/$f"))) nn=$((nn + 1))
done < <(comm -13 "$before_debs" <(ls "$archives") | grep '\.deb$' || true)
say "downloaded by this run (new in $archives): $nn .debs, $((new_here / 1048576)) MiB"
rm -f "$before_debs"

# --- 5. away with it ------------------------------------------------------------
release
s=$(date +%s)
rm -rf "$root"
say "removed the root in $(t "$s") s"
say "green: $steps from nothing, $(t "$start_all") s in all"
