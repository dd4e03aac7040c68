#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the releases of the stock Debian kernels kheap is checked against:
# the 6.1 of linux-image-amd64 and the 6.12 matching linux-source-6.12.
# Each has its headers in /usr/src and its image in /boot.
set -euo pipefail

v61=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | grep -o 'linux-headers-6\.1[^ ,]*' | head -1)
echo "${v61#linux-headers-}"
v612=$(dpkg-query -W -f='${Version}' linux-source-6.12)
echo "${v612%%-*}+deb12-amd64"
