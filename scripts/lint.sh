#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make lint`: static checks of kheap's C sources. Prints each finding as
# "file:line: [tool] message" and exits non-zero if there is any.
#  1. checkpatch.pl --strict: any ERROR or WARNING fails. A CHECK fails
#     unless the line, or the line above it, carries a comment containing
#     "checkpatch:" that says why the code is right as it is, e.g.
#       /* checkpatch: MACRO_ARG_REUSE: typeof() evaluates nothing */
#  2. kernel-doc -Wall on the public headers and the module's sources, and
#     every exported function has a kernel-doc comment (STYLE.md: kernel-doc
#     for every function of the API).
#  3. sparse (C=2) and W=1 builds against Debian's stock 6.1, 6.12 and
#     6.12 PREEMPT_RT headers, unpacked into the cache by
#     scripts/stock-kernels.sh (the benchmark module included where the
#     kernel has objpool), plus each public header compiled on its own,
#     with and without KHEAP_NO_TRACKING: any warning fails.
#  4. clang-format --dry-run with the kernel's .clang-format: any change it
#     would make fails (regions it mangles are fenced, with a reason, by
#     "clang-format off/on" comments).
#  5. tools/kheap and its tests (Python): compiled, then pyflakes; any
#     finding fails.
#  6. kunit/expected, the suites make check expects, against kunit/*.c.
#  7. the package's version: dkms.conf's PACKAGE_VERSION as Debian's dh_dkms
#     reads it (a regex, no bash), debian/changelog's and VERSION agree
#     (scripts/version-check.py).
#  8. every README block make recipes runs (scripts/harness/recipes-init
#     names it) is marked "<!-- recipe: NAME -->" in README.md, once, and
#     the marker stands right above a code block.
# The tools come from Debian's linux-source-6.12 (scripts/kernel-src.sh).
# kunit/broken/ is wrong on purpose and is not linted.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out="$top/build/lint"
mkdir -p "$out"
# sparse, clang-format, perl; kernel-src.sh and stock-kernels.sh ask for
# the kernel source and the headers' needs themselves.
scripts/deps.sh build lint tool
ksrc=$(scripts/kernel-src.sh)

mapfile -t srcs < <(find kmod include kunit samples bench examples -path kunit/broken -prune \
	-o -name '*.[ch]' -print | sort)
: >"$out/findings"
report() {	# report TOOL < "file:line: message" lines; shows and keeps them
	sed -E "s|^([^: ]+:[0-9]+:([0-9]+:)?) ?|\1 [$1] |; t; s|^|[$1] |" | tee -a "$out/findings"
}
build_report() {	# build_report TOOL LOG RC: its warnings, or that it failed
	local hits
	# Once each: a header's warning repeats for every file including it.
	hits=$(grep -iE 'warning:|error:' "$2" | sed "s|$out/[^/]*/||; s|$top/||" |
		awk '!seen[$0]++' || true)
	[ -n "$hits" ] || [ "$3" -eq 0 ] || hits="$2:1: the build failed"
	[ -z "$hits" ] || echo "$hits" | report "$1"
}

# --- 1. checkpatch ------------------------------------------------------
# Ignored types, and why:
#   LINUX_VERSION_CODE  "code should be for the version to which it is
#       merged": kheap is not merged; it builds against 6.1 and 6.12 and its
#       compat header has to compare versions (STYLE.md: the version #ifs
#       live there, not in the .c files).
# Kept on purpose, though they look tree-only: SPDX_LICENSE_TAG (every file
# has its SPDX line; with --no-tree the licence name itself is not checked),
# MODULE_LICENSE (checks the string modpost trusts). FILE_PATH_CHANGES
# ("does MAINTAINERS need updating?") only fires on patches, never with -f.
echo "== lint: checkpatch.pl --strict" >&2
cp_log="$out/checkpatch.log"
"$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore LINUX_VERSION_CODE -f "${srcs[@]}" >"$cp_log" 2>&1 || true
# A CHECK passes with a "checkpatch:" comment on its line or the line above.
# Also let through, as justified:
#  - CONSTANT_COMPARISON on a "LINUX_VERSION_CODE >= KERNEL_VERSION()" line:
#    the consequence of allowing version checks (above), in their usual form;
#  - CHECKs in trace headers (they include <trace/define_trace.h>): the
#    TRACE_EVENT() layout of include/trace/events/ is the convention there,
#    and checkpatch reads its TP_*() blocks as badly aligned C.
: >"$out/checkpatch.justified"
grep -E '(ERROR|WARNING|CHECK):' "$cp_log" |
	while IFS= read -r l; do
		ok=""
		if [[ $l =~ ^([^:]+):([0-9]+):\ ([A-Z]+):([A-Z_]+): ]]; then
			f=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]}
			lvl=${BASH_REMATCH[3]} type=${BASH_REMATCH[4]}
			if [ "$lvl" = CHECK ] &&
				{ grep -q '<trace/define_trace.h>' "$f" ||
				sed -n "$((n > 1 ? n - 1 : 1)),${n}p" "$f" | grep -q 'checkpatch:'; }; then
				ok=1
			elif [ "$type" = CONSTANT_COMPARISON ] &&
				sed -n "${n}p" "$f" | grep -q '^#.*LINUX_VERSION_CODE'; then
				ok=1
			fi
		fi
		if [ -n "$ok" ]; then
			echo "$l" >>"$out/checkpatch.justified"
		else
			echo "$l"
		fi
	done | report checkpatch

# --- 2. kernel-doc ------------------------------------------------------
echo "== lint: kernel-doc -Wall" >&2
# (its exit status is not the verdict: KDOC_WERROR in the environment would
# make it one; the warnings it prints are)
{ "$ksrc/scripts/kernel-doc" -none -Wall include/kheap/*.h kmod/*.[ch] bench/*.[ch] 2>&1 || true; } |
	report kernel-doc
# Exported functions (an EXPORT_SYMBOL right after a lone "}") need a
# "name() - summary" kernel-doc comment in a public header or in kmod/.
awk 'FNR == 1 {prev = ""}
	/^EXPORT_SYMBOL(_NS)?(_GPL)?\(/ && prev ~ /^}$/ {
		match($0, /\([A-Za-z0-9_]+[,)]/)
		print FILENAME ":" FNR ":" substr($0, RSTART + 1, RLENGTH - 2)
	}
	NF {prev = $0}' kmod/*.c |
	while IFS=: read -r f n sym; do
		grep -qE "^ \* ${sym}(\(\))? - " include/kheap/*.h kmod/*.[ch] ||
			echo "$f:$n: exported function $sym() has no kernel-doc comment"
	done | report kernel-doc

# --- 3. sparse and W=1 builds ---------------------------------------------
# build-modules.sh builds with W=1 and fails on any "warning:"; C=2 runs
# sparse (with the kernel's own CHECKFLAGS) on every file, and sparse's
# findings say "warning:" too. Paths are mapped back from the build copy.
list=$(scripts/stock-kernels.sh all)
mapfile -t stock <<<"$list"
hdrtest() {	# hdrtest DIR: a module that includes each public header alone
	local d=$1 h b
	rm -rf "$d"
	mkdir -p "$d"
	printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n%s\n' \
		'MODULE_DESCRIPTION("kheap: each public header compiles alone");' >"$d/hdrtest.c"
	echo "obj-m += kheap_hdrtest.o" >"$d/Kbuild"
	echo "ccflags-y += -I$top/include" >>"$d/Kbuild"
	echo "kheap_hdrtest-y := hdrtest.o" >>"$d/Kbuild"
	for h in include/kheap/*.h; do
		b=$(basename "$h" .h)
		echo "#include <kheap/$b.h>" >"$d/h_$b.c"
		printf '#define KHEAP_NO_TRACKING\n#include <kheap/%s.h>\n' "$b" >"$d/h_${b}_notrack.c"
		echo "kheap_hdrtest-y += h_$b.o h_${b}_notrack.o" >>"$d/Kbuild"
	done
}
for l in "${stock[@]}"; do
	read -r rel kdir <<<"$l"
	echo "== lint: sparse and W=1 against $rel" >&2
	rm -f "$out/$rel/build.log"
	rc=0
	# KHEAP_BENCH=1: the benchmark too, where the kernel has objpool (6.12).
	scripts/build-modules.sh "$kdir" "$out/$rel" C=2 KHEAP_BENCH=1 >/dev/null 2>&1 || rc=$?
	build_report "build-$rel" "$out/$rel/build.log" "$rc"
	hdrtest "$out/hdr-$rel"
	rc=0
	make -C "$kdir" M="$out/hdr-$rel" W=1 C=2 modules >"$out/hdr-$rel.log" 2>&1 || rc=$?
	build_report "headers-$rel" "$out/hdr-$rel.log" "$rc"
done

# --- 4. clang-format ---------------------------------------------------
# The kernel's .clang-format is "not perfect" (Documentation/dev-tools/
# clang-format.rst), so where its output would be worse than the kernel's
# own convention (TRACE_EVENT() blocks, one-line !CONFIG stubs) the file
# fences the region with /* clang-format off */ ... /* clang-format on */
# and a comment saying why. Everything else must be exactly its output.
echo "== lint: clang-format --dry-run (kernel .clang-format)" >&2
for f in "${srcs[@]}"; do
	clang-format --dry-run "$f" 2>&1 |
		sed -n 's/^\([^:]*:[0-9]*\):[0-9]*: warning: \(.*\) \[-Wclang-format-violations\]$/\1: \2/p'
done | report clang-format

# --- 5. Python: tools/kheap and its tests ----------------------------------
# Compiled in memory (no .pyc written), then pyflakes.
echo "== lint: python compile and pyflakes on tools/" >&2
mapfile -t pys < <(find tools -name '*.py' | sort)
{
	python3 -c 'import sys
for f in sys.argv[1:]:
    try:
        compile(open(f).read(), f, "exec")
    except SyntaxError as e:
        print("%s:%s: %s" % (f, e.lineno, e.msg))' tools/kheap "${pys[@]}"
	pyflakes3 tools/kheap "${pys[@]}" 2>&1 || true
} | report python

# --- 6. the suites make check expects ------------------------------------
# kunit/expected lists every suite of kunit/*.c (check-log.py reddens a run
# where a listed suite does not run), and its allowed skips name real cases.
echo "== lint: kunit/expected against kunit/*.c" >&2
scripts/check-log.py --lint kunit/expected kunit/*.c | report expected

# --- 7. the package's version ----------------------------------------------
echo "== lint: VERSION, dkms.conf and debian/changelog agree" >&2
scripts/version-check.py | report version

# --- 8. the README blocks make recipes runs ---------------------------------
echo "== lint: README.md's recipe markers against scripts/harness/recipes-init" >&2
for name in $(grep -oE '^(run_block|run_prompts|ctrl_c) [a-z-]+' scripts/harness/recipes-init |
	awk '{print $2}' | sort -u); do
	awk -v m="<!-- recipe: $name -->" -v n="$name" '
		found && NR == at + 1 && !/^```/ {print "README.md:" NR ": the marker of " n " is not above a code block"}
		$0 == m {found++; at = NR}
		END {if (found != 1) print "README.md:1: " found + 0 " markers <!-- recipe: " n " --> (want 1)"}' README.md
done | report recipes

n=$(wc -l <"$out/findings")
if [ "$n" -ne 0 ]; then
	echo "lint: $n findings (list in build/lint/findings)" >&2
	exit 1
fi
echo "lint: clean" >&2
