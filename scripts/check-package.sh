#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-package`: the kheap-dkms package serves a client, as a user
# installs it. Needs root; changes the system (and puts it back on exit):
#  1. make deb; apt-get install ./build/kheap-dkms_<VERSION>_all.deb (its
#     dependencies from the archive; --no-install-recommends: dkms would
#     recommend the running kernel's headers);
#  2. dkms builds kheap for Debian's stock 6.12 (its headers from the cache,
#     scripts/stock-kernels.sh: the kernel QEMU boots; dkms's own build at
#     install targets the running kernel, whose headers may not be there),
#     and POST_BUILD keeps /usr/share/kheap/<kernel>/Module.symvers;
#  3. the package's client example (/usr/share/doc/kheap-dkms/examples/
#     client: its dkms.conf with BUILD_DEPENDS="kheap", its Kbuild with
#     -I/usr/share/kheap/include and KBUILD_EXTRA_SYMBOLS at that
#     Module.symvers) is built as its own dkms module for that kernel;
#  4. the stock 6.12 boots under QEMU with both modules
#     (scripts/harness/client-init): the client loads, debugfs shows its heap
#     and pool, both unload; the debugfs dump it prints is rebuilt on the
#     host and the package's /usr/bin/kheap reads it (heaps, tree, pools);
#  5. on exit: the client removed from dkms, the package purged (only if
#     this run installed it).
# The log of the boot is build/package/boot.log.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" -eq 0 ] || { echo "check-package: needs root (apt-get, dkms)" >&2; exit 2; }
scripts/deps.sh build deb dkms qemu
ver=$(cat VERSION)
b="$top/build/package"
rm -rf "$b"
mkdir -p "$b"
read -r rel kdir vmlinuz <<<"$(scripts/stock-kernels.sh --image 6.12)"
client=/usr/share/doc/kheap-dkms/examples/client
export DEBIAN_FRONTEND=noninteractive

# One run at a time per machine: dkms and the package are the machine's.
mkdir -p /run/lock
exec 9>/run/lock/kheap-dkms-check.lock
flock 9
installed_here=""
cleanup() {
	dkms remove kheap-client/1.0 --all >/dev/null 2>&1 || true
	rm -rf /usr/src/kheap-client-1.0
	if [ -n "$installed_here" ]; then
		apt-get purge -y -qq kheap-dkms >"$b/purge.log" 2>&1 || cat "$b/purge.log" >&2
	fi
}
trap cleanup EXIT

# --- 1. the package -------------------------------------------------------------
make -s deb
if dpkg-query -W -f='${Status}' kheap-dkms 2>/dev/null | grep -q 'ok installed'; then
	echo "check-package: kheap-dkms is installed on this machine; not replacing it" >&2
	exit 1
fi
echo "== check-package: apt-get install ./build/kheap-dkms_${ver}_all.deb"
installed_here=1
apt-get install -y -q --no-install-recommends "./build/kheap-dkms_${ver}_all.deb" >"$b/install.log" 2>&1 ||
	{ cat "$b/install.log" >&2; echo "check-package: apt-get install failed" >&2; exit 1; }
grep -E 'Setting up kheap-dkms|Loading new|Module build|skipped' "$b/install.log" | sed 's/^/   /' || true

# --- 2. kheap for the stock 6.12 --------------------------------------------------
echo "== check-package: dkms build kheap/$ver -k $rel"
dkms build "kheap/$ver" -k "$rel" --kernelsourcedir "$kdir" >"$b/dkms-kheap.log" 2>&1 ||
	{ cat "$b/dkms-kheap.log" /var/lib/dkms/kheap/"$ver"/build/make.log >&2 || true; exit 1; }
sv=/usr/share/kheap/$rel/Module.symvers
[ -s "$sv" ] || { cat "$b/dkms-kheap.log" >&2; echo "check-package: no $sv after the build" >&2; exit 1; }
echo "   $(grep -c . "$sv") exports kept in $sv"
echo "== check-package: dkms status kheap"
dkms status kheap 2>/dev/null | sed 's/^/   /'

# --- 3. the client, as its own dkms module ------------------------------------------
echo "== check-package: dkms build kheap-client/1.0 -k $rel (from $client)"
mkdir -p /usr/src/kheap-client-1.0
cp "$client"/* /usr/src/kheap-client-1.0/
if ! { dkms add kheap-client/1.0 &&
	dkms build kheap-client/1.0 -k "$rel" --kernelsourcedir "$kdir"; } >"$b/dkms-client.log" 2>&1; then
	cat "$b/dkms-client.log" /var/lib/dkms/kheap-client/1.0/build/make.log >&2 || true
	exit 1
fi
if grep -q 'WARNING: modpost' "$b/dkms-client.log" /var/lib/dkms/kheap-client/1.0/"$rel"/x86_64/log/make.log 2>/dev/null; then
	grep 'WARNING: modpost' /var/lib/dkms/kheap-client/1.0/"$rel"/x86_64/log/make.log >&2
	echo "check-package: the client's modpost warned (kheap's symbols unresolved?)" >&2
	exit 1
fi
unpack() {	# unpack DKMSMODULEDIR NAME OUT: the built module, uncompressed
	local f
	f=$(compgen -G "$1/$2.ko*" | head -1) || true
	[ -n "$f" ] || { echo "check-package: no $2.ko in $1" >&2; exit 1; }
	case "$f" in
	*.xz) xz -dc "$f" >"$3" ;;
	*) cp "$f" "$3" ;;
	esac
}
mods="$b/initramfs/lib/kheap"
mkdir -p "$mods" "$b/initramfs"/{bin,dev,proc,sys,tmp}
unpack "/var/lib/dkms/kheap/$ver/$rel/x86_64/module" kheap "$mods/kheap.ko"
unpack "/var/lib/dkms/kheap-client/1.0/$rel/x86_64/module" kheap_client "$mods/kheap_client.ko"
grep -q '\.debug_info' <<<"$(readelf -S "$mods/kheap.ko")" ||
	{ echo "check-package: dkms's kheap.ko has no debug info" >&2; exit 1; }

# --- 4. both in QEMU, the package's tool on what debugfs showed ----------------------
cp /bin/busybox "$b/initramfs/bin/busybox"
cp scripts/harness/client-init "$b/initramfs/init"
(cd "$b/initramfs" && find . | cpio -o -H newc --quiet) | gzip -1 >"$b/initrd.cpio.gz"
echo "== check-package: boot $rel with kheap.ko (dkms) and kheap_client.ko"
KHEAP_SMP=2 KHEAP_QEMU_TIMEOUT=300 scripts/qemu.sh "$vmlinuz" "$b/initrd.cpio.gz" "$b/boot" loglevel=6
tr -d '\r' <"$b/boot.log" | grep -E '^kheap-init: (mode|client|FAIL|done)' | sed 's/^/   /'
scripts/check-log.py "$b/boot" || { echo "check-package: the boot was red, see $b/boot.log" >&2; exit 1; }
python3 tools/tests/dump.py "$b/boot.log" "$b/dump" >/dev/null
for c in heaps tree pools; do
	echo "== check-package: kheap $c (/usr/bin/kheap, on the guest's debugfs)"
	/usr/bin/kheap --root "$b/dump/kheap" "$c" | sed 's/^/   /'
done
/usr/bin/kheap --root "$b/dump/kheap" heaps | grep -q '^ *client\.msg ' ||
	{ echo "check-package: kheap heaps does not list client.msg" >&2; exit 1; }
/usr/bin/kheap --root "$b/dump/kheap" pools | grep -q 'client\.bufs' ||
	{ echo "check-package: kheap pools does not list client.bufs" >&2; exit 1; }
echo "check-package: green: kheap-dkms_${ver} installed, kheap and a client built by dkms for $rel, both loaded and unloaded under QEMU"
