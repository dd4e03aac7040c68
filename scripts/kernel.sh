#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) a kheap test kernel from Debian's linux-source-6.12.
# Usage: scripts/kernel.sh FLAVOUR      (debug | kcsan | rt | prof | bench | lockdown)
# Prints the kernel build directory (O=) on stdout; everything else on stderr.
#
# Builds are cached outside the clone, keyed by the source package version,
# the flavour's config fragments and this script, so a warm machine reuses
# them: ${KHEAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kheap}/kernel/<key>/.
set -euo pipefail

flavour=${1:?usage: kernel.sh FLAVOUR}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KHEAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kheap}
# A flavour's fragment may build on another flavour's with a comment line
# "# kheap-base: FLAVOUR" (lockdown.config on bench.config): that fragment is
# merged before it.
based=$(sed -n 's/^# kheap-base: //p' "$top/scripts/kconfig/$flavour.config" 2>/dev/null || true)
frags="$top/scripts/kconfig/base.config"
for f in $based $flavour; do
	frags="$frags $top/scripts/kconfig/$f.config"
done
for f in $frags; do
	[ -f "$f" ] || { echo "kernel.sh: no fragment $f" >&2; exit 2; }
done

# The toolchain, and the source package whose version keys the cache
# (kernel-src.sh unpacks it).
"$top/scripts/deps.sh" kernel source >&2

ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
src=$("$top/scripts/kernel-src.sh")

# Bump when the build recipe below changes in a way that changes the result.
recipe=1
# A fragment may add make variables to the kernel build with a comment line
# "# kheap-make: VAR=value ..." (kcsan.config leaves the core kernel
# uninstrumented); being in a fragment, they are part of the cache key.
makeargs=$(sed -n 's/^# kheap-make: //p' $frags | tr '\n' ' ')
key=$( (echo "$ver $recipe"; cat $frags) | sha256sum | cut -c1-12)
obj="$cache/kernel/6.12-$flavour-$key"
if [ -f "$obj/.kheap-built" ]; then
	echo "$obj"
	exit 0
fi

echo "kernel.sh: building the $flavour kernel in $obj (a few minutes)" >&2
rm -rf "$obj"
mkdir -p "$obj"
log="$obj/build.log"
(
	cd "$src"
	# alldefconfig with the fragments; merge_config.sh reports any
	# requested value the final .config did not keep.
	ARCH=x86_64 scripts/kconfig/merge_config.sh -O "$obj" $frags
	# shellcheck disable=SC2086 # makeargs are words
	make -s ARCH=x86_64 O="$obj" -j"$(nproc)" $makeargs bzImage modules
) >"$log" 2>&1 || {
	tail -40 "$log" >&2
	echo "kernel.sh: kernel build failed, log: $log" >&2
	exit 1
}
# Later fragments override earlier ones (rt.config turns base.config's
# PREEMPT and PREEMPT_DYNAMIC off), and merge_config.sh checks the merged
# request only. A "# CONFIG_X is not set" request is met when the final
# .config does not mention X at all: X is then not even visible (as
# PREEMPT_DYNAMIC is not under PREEMPT_RT). Any other miss fails.
missed=$(awk '/^Value requested for / { cfg = $4 }
	/^Requested value:/ { req = $0 }
	/^Actual value:/ {
		if (!(req ~ /is not set$/ && $0 ~ /^Actual value: *$/))
			print cfg
	}' "$log")
if [ -n "$missed" ]; then
	for cfg in $missed; do
		grep -A2 "Value requested for $cfg " "$log" >&2
	done
	echo "kernel.sh: the fragments ask for options the kernel did not keep" >&2
	exit 1
fi
touch "$obj/.kheap-built"
echo "$obj"
