#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Name every Debian kernel package kheap uses, with its exact version, from
# one `apt-cache policy` answer, so the source the test kernels are built
# from and the stock kernels' headers and images always agree:
#   linux-source-6.12's candidate V gives the 6.12 ABI (6.12.117-1~deb12u1
#     -> 6.12.117+deb12) and so the names of 6.12's and 6.12-rt's headers,
#     their -common packages, their kbuild tools and their images, all at V;
#   linux-image-amd64's candidate W is Debian 12's own 6.1: its ABI
#     (6.1.0-N) is in no version string, so it is read from what that
#     metapackage, at W, depends on; its packages are all at W.
# Prints "KERNEL ROLE PACKAGE VERSION" lines, ROLE one of source, release
# (PACKAGE is then the kernel release, `uname -r` of that kernel), headers,
# image. Reads the package lists only: installs and downloads nothing, and
# fails if the lists have no candidate (scripts/deps.sh runs apt-get update).
# Usage: scripts/kernel-pkgs.sh
set -euo pipefail

policy=$(apt-cache policy linux-source-6.12 linux-image-amd64)
cand() {	# cand PACKAGE: its candidate version in the policy answer
	awk -v p="$1:" '$1 == p {on = 1; next} on && /^ *Candidate:/ {print $2; exit}' <<<"$policy"
}
v612=$(cand linux-source-6.12)
v61=$(cand linux-image-amd64)
for v in "$v612" "$v61"; do
	[[ $v =~ ^[0-9] ]] || {
		echo "kernel-pkgs.sh: no candidate for linux-source-6.12 or linux-image-amd64 (apt-get update?)" >&2
		exit 1
	}
done
abi612=${v612%%-*}+deb12
abi61=$(apt-cache show "linux-image-amd64=$v61" | sed -n 's/^Depends: .*linux-image-\(6\.1\.0-[0-9]*\)-amd64.*/\1/p' | head -1)
[ -n "$abi61" ] || { echo "kernel-pkgs.sh: no 6.1 ABI in linux-image-amd64 $v61's Depends" >&2; exit 1; }

echo "source source linux-source-6.12 $v612"
# (kbuild: the 6.1 packages name it by the major version, 6.12's by the ABI)
kernel() {	# kernel NAME RELEASE COMMON KBUILD VERSION
	echo "$1 release $2 $5"
	echo "$1 headers linux-headers-$2 $5"
	echo "$1 headers $3 $5"
	echo "$1 headers $4 $5"
	echo "$1 image linux-image-$2 $5"
}
kernel 6.1 "$abi61-amd64" "linux-headers-$abi61-common" linux-kbuild-6.1 "$v61"
kernel 6.12 "$abi612-amd64" "linux-headers-$abi612-common" "linux-kbuild-$abi612" "$v612"
kernel 6.12-rt "$abi612-rt-amd64" "linux-headers-$abi612-common-rt" "linux-kbuild-$abi612" "$v612"
