#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make recipes`: run the README's recipes once on Debian's stock 6.12 with a
# full Debian 12 userspace, and print the transcript (opt-in; not part of
# make check). Needs root (debootstrap, chroot, mount).
#  1. A Debian 12 root, made with debootstrap --variant=minbase from the
#     host's mirror (as make check-fresh does), with the stock 6.12's image
#     and headers (the same packages scripts/stock-kernels.sh unpacks into
#     the cache; the image brings /lib/modules and initramfs-tools makes its
#     initrd) and, from Debian's archive, linux-perf, trace-cmd, bpftrace,
#     and make, gcc and python3 for the README's commands. Kept in
#     ${KHEAP_RECIPES_DIR:-/var/tmp/kheap-recipes}/root and made again only
#     when that list or the kernel changes (KHEAP_RECIPES_FRESH=1 forces it;
#     KHEAP_RECIPES_ROOT_ONLY=1 stops once it is made).
#     The host's apt cache is bind-mounted: a rerun downloads nothing.
#  2. The work tree's tracked files copied to /root/kheap in the root, and
#     built there (chroot) with the README's own command,
#     `make KDIR=/lib/modules/<release>/build`, and the client example
#     (examples/client) against that build, the way make demo builds it:
#     the guest's `make` of the README then finds them built (compiling
#     under TCG would take most of an hour).
#  3. The root packed into an ext4 image (mkfs.ext4 -d), booted once under
#     QEMU with the cached stock vmlinuz and the root's own initrd;
#     /init is scripts/harness/recipes-init, which runs every recipe and
#     every README block marked `<!-- recipe: NAME -->` (README.md) as
#     written, each bounded by a timeout, and writes the token only when all
#     passed. KHEAP_RECIPES_LOCK=FILE holds `flock FILE` for the boot alone.
#  4. The transcript (build/recipes/transcript.txt) printed; fails on a
#     failed recipe, a missing token, a timeout or a splat
#     (scripts/check-log.py). The console is build/recipes/boot.log.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" -eq 0 ] || { echo "recipes: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
dir=${KHEAP_RECIPES_DIR:-/var/tmp/kheap-recipes}
root="$dir/root"
b="$top/build/recipes"
archives=/var/cache/apt/archives
mkdir -p "$dir" "$b"
say() { echo "recipes: $*"; }

# e2fsprogs: mkfs.ext4 -d packs the root without mounting an image.
scripts/deps.sh qemu fresh build
apt_e2fs=$(dpkg-query -W -f='${Status}' e2fsprogs 2>/dev/null || true)
[ "$apt_e2fs" = "install ok installed" ] || { echo "recipes: e2fsprogs missing" >&2; exit 1; }
read -r rel _ vmlinuz <<<"$(scripts/stock-kernels.sh --image 6.12)"
kver=$(scripts/kernel-pkgs.sh | awk '$1 == "6.12" && $2 == "image" {print $4}')

# What the root holds. Changing this list makes the root again.
pkgs="linux-image-$rel=$kver linux-headers-$rel=$kver linux-perf trace-cmd bpftrace
	make gcc rsync python3 kmod procps util-linux"
stamp="$(echo "$pkgs" | tr -s ' \t\n' ' ') v1"

mounts_under() {
	awk -v r="$root" '$5 == r || index($5, r "/") == 1 {print $5}' /proc/self/mountinfo | sort -r
}
release() {
	local p m
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -KILL "${p#/proc/}" 2>/dev/null
	done
	for m in $(mounts_under); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
	[ -z "$(mounts_under)" ] || { echo "recipes: still mounted under $root" >&2; return 1; }
}
trap 'release' EXIT
mount_root() {
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount --bind /dev "$root/dev"
	mount --bind /dev/pts "$root/dev/pts"
	mount --bind "$archives" "$root/var/cache/apt/archives"
}
in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "$1"
}

# --- 1. the root ---------------------------------------------------------------
release
if [ "${KHEAP_RECIPES_FRESH:-0}" = 1 ] || [ "$(cat "$dir/root.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$root" "$dir/root.stamp"
	mirror=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
	mirror=${mirror:-http://deb.debian.org/debian}
	say "debootstrap --variant=minbase bookworm into $root ($mirror)"
	debootstrap --variant=minbase --cache-dir="$archives" bookworm "$root" "$mirror" \
		>"$b/debootstrap.log" 2>&1 || { tail -20 "$b/debootstrap.log" >&2; exit 1; }
	rm -rf "$root/etc/apt/sources.list" "$root/etc/apt/sources.list.d"
	cp -a /etc/apt/sources.list* "$root/etc/apt/"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf"
	mount_root
	say "apt-get install in the root: $(echo $pkgs)"
	# shellcheck disable=SC2086
	in_root "apt-get update -qq && apt-get install -y -qq --no-install-recommends $(echo $pkgs)" \
		>"$b/apt.log" 2>&1 </dev/null || { tail -30 "$b/apt.log" >&2; exit 1; }
	echo "kheap-recipes" >"$root/etc/hostname"
	printf '/dev/vda / ext4 rw 0 1\n' >"$root/etc/fstab"
	release
	echo "$stamp" >"$dir/root.stamp"
fi
[ -f "$root/boot/initrd.img-$rel" ] || { echo "recipes: no initrd.img-$rel in the root" >&2; exit 1; }
cmp -s "$root/boot/vmlinuz-$rel" "$vmlinuz" ||
	{ echo "recipes: the root's vmlinuz-$rel is not the cached one ($vmlinuz)" >&2; exit 1; }
[ "${KHEAP_RECIPES_ROOT_ONLY:-0}" != 1 ] || { say "the root is ready: $root"; exit 0; }

# --- 2. kheap in the root, built with the README's command ---------------------
rm -rf "$root/root/kheap" "$root/root/client" "$root/root/share"
mkdir -p "$root/root/kheap"
git ls-files -z | rsync -a --from0 --files-from=- ./ "$root/root/kheap/"
mount_root
say "in the root: make KDIR=/lib/modules/$rel/build, and the client example"
in_root "cd /root/kheap && make KDIR=/lib/modules/$rel/build &&
	mkdir -p /root/share/$rel && cp -r include /root/share/ &&
	cp build/modules/Module.symvers /root/share/$rel/ && cp -r examples/client /root/client &&
	make -C /lib/modules/$rel/build M=/root/client KHEAP=/root/share modules" \
	>"$b/build.log" 2>&1 </dev/null || { tail -30 "$b/build.log" >&2; exit 1; }
release
install -m 755 tools/kheap "$root/usr/local/bin/kheap"	# as make install puts it
install -m 755 scripts/harness/recipes-init "$root/root/recipes-init"

# --- 3. one boot ---------------------------------------------------------------
size=$(du -sm "$root" | cut -f1)
rm -f "$dir/root.img"
say "packing the root ($size MiB) into $dir/root.img"
mkfs.ext4 -q -F -L kheap-recipes -d "$root" "$dir/root.img" "$((size * 13 / 10 + 512))M" >/dev/null
say "booting $rel (QEMU TCG, one boot, timeout ${KHEAP_RECIPES_TIMEOUT:-1500} s)"
boot=(env KHEAP_SMP=2 KHEAP_MEM=3072 KHEAP_QEMU_TIMEOUT="${KHEAP_RECIPES_TIMEOUT:-1500}"
	KHEAP_QEMU_ARGS="-drive file=$dir/root.img,if=virtio,format=raw"
	scripts/qemu.sh "$vmlinuz" "$root/boot/initrd.img-$rel" "$b/boot"
	root=/dev/vda rw init=/root/recipes-init loglevel=4)
start=$(date +%s)
if [ -n "${KHEAP_RECIPES_LOCK:-}" ]; then
	flock "$KHEAP_RECIPES_LOCK" "${boot[@]}"
else
	"${boot[@]}"
fi
say "the boot took $(($(date +%s) - start)) s"

# --- 4. the transcript -------------------------------------------------------
tr -d '\r' <"$b/boot.log" | sed -n '/^=== recipes: begin/,/^=== recipes: end/p' >"$b/transcript.txt"
cat "$b/transcript.txt"
grep -a '^kheap-init: FAIL' "$b/boot.log" | tr -d '\r' || true
scripts/check-log.py "$b/boot" | head -n -1
scripts/check-log.py --quiet "$b/boot" >/dev/null ||
	{ echo "recipes: red (console: $b/boot.log)" >&2; exit 1; }
say "green: every recipe ran (transcript: $b/transcript.txt)"
