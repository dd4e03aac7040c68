#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make docs`: render the API documentation of include/kheap/*.h with the
# kernel's scripts/kernel-doc into build/docs/:
#   man/man9/<name>.9   one man page per function and struct (man -l FILE)
#   kheap.html          every header: its opening design note, then its
#                       kernel-doc; then the kernel-doc that sits next to
#                       the exported functions in kmod/*.c (mempool style)
# kernel-doc's reStructuredText uses Sphinx's C domain; plain docutils
# (rst2html) does not know it, so its directives become section titles and
# its roles inline literals. No Sphinx needed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out="$top/build/docs"
scripts/deps.sh docs
kdoc="$(scripts/kernel-src.sh)/scripts/kernel-doc"
# Reproducible man page dates: the date of the last commit, not today.
KBUILD_BUILD_TIMESTAMP=$(git log -1 --format=%cI 2>/dev/null || date -R)
export KBUILD_BUILD_TIMESTAMP

rm -rf "$out"
mkdir -p "$out/man/man9"
# kernel-doc -man writes one stream; each page starts at its .TH line, whose
# third field names it ("kheap_create", "struct kheap_reporter").
# Only headers with kernel-doc: an umbrella header has none.
mapfile -t docd < <(grep -l '^/\*\*' include/kheap/*.h)
{
	"$kdoc" -man -module kheap "${docd[@]}"
	"$kdoc" -man -module kheap -export kmod/*.c 2>/dev/null
} |
	awk -F'"' -v dir="$out/man/man9" '
		/^\.TH / {name = $4; gsub(/ /, "_", name); if (f) close(f); f = dir "/" name ".9"}
		f {print > f}'

rst_plain() {	# Sphinx C-domain rst from kernel-doc -> plain docutils rst
	sed -E 's/:c:[a-z]+:`([^`<]*)( <[^>]*>)?`/``\1``/g' |
		awk '/^\.\. c:[a-z]+:: / {
			kind = $2; sub(/^c:/, "", kind); sub(/::$/, "", kind)
			$1 = $2 = ""; sub(/^ +/, "")
			t = "``" ($0 ~ /\(/ ? $0 : kind " " $0) "``"
			u = t; gsub(/./, "-", u)
			print t; print u; next
		} {print}'
}

rst="$out/kheap.rst"
{
	echo "=========================="
	echo "kheap API"
	echo "=========================="
	echo
	echo ".. contents::"
	echo "   :depth: 2"
	for h in include/kheap/*.h; do
		t="<kheap/$(basename "$h")>"
		printf '\n%s\n%s\n\n::\n\n' "$t" "${t//?/=}"
		# The header's opening comment: its design and locking rules.
		awk 'NR > 1 && /^\/\*/ {on = 1; next} on && /^ \*\// {exit}
			on {sub(/^ \* ?/, ""); print ($0 == "" ? "" : "   " $0)}' "$h"
		echo
		# (an umbrella header with no kernel-doc gets only its note)
		grep -q '^/\*\*' "$h" || continue
		"$kdoc" -rst -sphinx-version 3.0 "$h" | rst_plain
	done
	printf '\nExported functions (kmod/)\n==========================\n\n'
	# (-export: only what kmod/*.c exports; "no structured comments" is
	# not news for a file without any, lint reports what is missing)
	"$kdoc" -rst -sphinx-version 3.0 -export kmod/*.c 2>/dev/null | rst_plain
} >"$rst"
rst2html --halt=error --title="kheap API" "$rst" "$out/kheap.html"
echo "docs: $out/kheap.html and $(ls "$out/man/man9" | wc -l) man pages in $out/man/man9"
