#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make lint's version check: VERSION, dkms.conf and debian/changelog agree.

Usage: version-check.py [TOP]    prints "file:line: message" per finding

dkms.conf is read as Debian's dh_dkms reads it (dh-dkms 3.0.10): a Perl
regex over every line, the last match winning, no bash:
    /PACKAGE_NAME=(["']?)(.*)\\1/    /PACKAGE_VERSION=(["']?)(.*)\\1/
so PACKAGE_VERSION must be a literal (or dh_dkms's placeholder
#MODULE_VERSION#, which `dh_dkms -V` replaces with the changelog's upstream
version). dkms itself sources the file with bash: the two must agree, so
no '$', backquote or backslash in the value either. debian/changelog's
first entry's version, without a Debian revision, is the package's.
"""
import os
import re
import sys

PLACEHOLDER = "#MODULE_VERSION#"


def dh_dkms_read(text):
    """(name, name_line, version, version_line) as dh_dkms finds them."""
    name = version = None
    nline = vline = 0
    for i, line in enumerate(text.split("\n"), 1):
        m = re.search(r"""PACKAGE_NAME=(["']?)(.*)\1""", line)
        if m:
            name, nline = m.group(2), i
        m = re.search(r"""PACKAGE_VERSION=(["']?)(.*)\1""", line)
        if m:
            version, vline = m.group(2), i
    return name, nline, version, vline


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..")
    out = []
    with open(os.path.join(top, "VERSION")) as f:
        lines = f.read().split("\n")
    version = lines[0]
    if not re.fullmatch(r"[0-9][0-9A-Za-z.+~]*", version) or any(lines[1:]):
        out.append("VERSION:1: not one line with an upstream version: %r"
                   % "\n".join(lines))
    with open(os.path.join(top, "dkms.conf")) as f:
        name, nline, dv, vline = dh_dkms_read(f.read())
    if name != "kheap":
        out.append("dkms.conf:%d: PACKAGE_NAME reads as %r to dh_dkms, not "
                   "'kheap'" % (nline, name))
    if dv is None:
        out.append("dkms.conf:1: no PACKAGE_VERSION= line dh_dkms can read")
    elif dv != PLACEHOLDER and dv != version:
        out.append("dkms.conf:%d: PACKAGE_VERSION reads as %r to dh_dkms, "
                   "VERSION says %r" % (vline, dv, version))
    elif re.search(r"[$`\\\"']", dv):
        out.append("dkms.conf:%d: PACKAGE_VERSION %r is not a literal"
                   % (vline, dv))
    with open(os.path.join(top, "debian", "changelog")) as f:
        first = f.readline()
    m = re.match(r"^(\S+) \(([^)]+)\) ", first)
    if not m:
        out.append("debian/changelog:1: no 'SOURCE (VERSION) ...' line")
    else:
        upstream = re.sub(r"-[^-]+$", "", m.group(2))
        if m.group(1) != "kheap":
            out.append("debian/changelog:1: source %r, not 'kheap'"
                       % m.group(1))
        if upstream != version:
            out.append("debian/changelog:1: version %s (upstream %s), "
                       "VERSION says %s" % (m.group(2), upstream, version))
    for o in out:
        print(o)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
