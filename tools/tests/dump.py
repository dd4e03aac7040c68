#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Rebuild the kheap debugfs tree a QEMU run dumped on its console.

Usage: dump.py LOG OUTDIR     writes OUTDIR/kheap/... and lists the files

The guest's /init (scripts/harness/init, dump_debugfs) prints, between
"kheap-init: dump of ... begins" and "kheap-init: dump ends", a line
"kheap-dump: file PATH MD5" per file, then its lines as "kheap-dump: |LINE".
Kernel messages may come in between (they are skipped: they do not start
with "kheap-dump: "); a file whose MD5 does not match (a line the kernel's
console output broke into) is an error.
"""
import hashlib
import os
import re
import sys

BEGIN = "kheap-init: dump of "
END = "kheap-init: dump ends"
FILE = re.compile(r"^kheap-dump: file (\S+) ([0-9a-f]{32})$")
LINE = "kheap-dump: |"


class DumpError(Exception):
    pass


def extract(log):
    """{relative path: text} of the last dump in LOG (a console log)."""
    with open(log, "rb") as f:
        raw = f.read().decode("utf-8", errors="replace")
    lines = [l.rstrip("\r") for l in raw.split("\n")]
    starts = [i for i, l in enumerate(lines) if l.startswith(BEGIN)]
    if not starts:
        raise DumpError("%s: no debugfs dump in it" % log)
    files, sums, cur = {}, {}, None
    ended = False
    for l in lines[starts[-1] + 1:]:
        if l.startswith(END):
            ended = True
            break
        m = FILE.match(l)
        if m:
            cur = m.group(1)
            if cur.startswith("/") or ".." in cur.split("/"):
                raise DumpError("%s: bad path %r" % (log, cur))
            files[cur] = []
            sums[cur] = m.group(2)
        elif l.startswith(LINE) and cur is not None:
            files[cur].append(l[len(LINE):])
    if not ended:
        raise DumpError("%s: the dump does not end" % log)
    out = {}
    for path, body in files.items():
        text = "".join(b + "\n" for b in body)
        if hashlib.md5(text.encode()).hexdigest() != sums[path]:
            raise DumpError("%s: %s: MD5 mismatch (console output "
                            "interleaved?)" % (log, path))
        out[path] = text
    return out


def write_tree(files, outdir):
    """Write the files under OUTDIR/kheap/; returns that directory."""
    root = os.path.join(outdir, "kheap")
    for path, text in files.items():
        p = os.path.join(root, path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    return root


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        files = extract(argv[0])
    except (OSError, DumpError) as e:
        print("dump.py: %s" % e, file=sys.stderr)
        return 1
    root = write_tree(files, argv[1])
    for path in sorted(files):
        print(os.path.join(root, path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
