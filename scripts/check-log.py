#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one QEMU run of kheap's harness from its console log and token.

Usage: check-log.py [--expect-kunit] [--quiet] PREFIX [PREFIX...]
Reads PREFIX.log (console) and PREFIX.token (second serial port) for each
run. A run is red when its token is missing (panic, hang, failed step), when
the console shows a splat (BUG, WARNING, Oops, KASAN, KCSAN, lockdep,
sleeping in atomic context, kmemleak, Call Trace), or when a KUnit case
failed or a suite never finished. Each run's line counts the reports by
kind. The last line printed is 'N passed, N failed, N skipped' over all
runs; exit status 1 when any run is red.
"""
import re
import sys

TOKEN = "KHEAP-INIT-OK"
STAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
SPLATS = re.compile(
    r"Kernel panic|BUG:|WARNING:|Oops|KASAN:|Call Trace|"
    r"unreferenced object|kmemleak: \d+ new suspected|"
    r"possible recursive locking|possible circular locking|"
    r"inconsistent lock state|sleeping function called from invalid context|"
    r"KCSAN:|Invalid wait context|scheduling while atomic|"
    r"kheap-init: FAIL|qemu.sh: timed out")
# What kind of report a console line opens, for the per-run summary. Every
# such line is also a splat above; this only names it.
KINDS = [
    ("kcsan", re.compile(r"BUG: KCSAN:")),
    ("kasan", re.compile(r"BUG: KASAN:|KASAN:")),
    ("sleep-in-atomic", re.compile(
        r"BUG: sleeping function called from invalid context|"
        r"BUG: scheduling while atomic")),
    ("lockdep", re.compile(
        r"(BUG|WARNING): .*(lock|RCU|wait context)|"
        r"possible recursive locking|possible circular locking|"
        r"inconsistent lock state")),
    ("kmemleak", re.compile(r"unreferenced object|kmemleak: \d+ new suspected")),
]
SUBTEST = re.compile(r"^    # Subtest: (\S+)")
CASE = re.compile(r"^    (ok|not ok) \d+ (\S+)(.*)$")
SUITE_END = re.compile(r"^(ok|not ok) \d+ (\S+)")


def judge(prefix, expect_kunit, quiet):
    passed = failed = skipped = 0
    problems = []
    try:
        with open(prefix + ".log", errors="replace") as f:
            lines = [STAMP.sub("", l.rstrip("\r\n")) for l in f]
    except OSError as e:
        return 0, 0, 0, ["no console log: %s" % e]
    try:
        with open(prefix + ".token", errors="replace") as f:
            token = TOKEN in f.read()
    except OSError:
        token = False

    suite = None
    suites = 0
    kinds = {}
    for line in lines:
        if SPLATS.search(line):
            problems.append("console: " + line.strip())
            for kind, pattern in KINDS:
                if pattern.search(line):
                    kinds[kind] = kinds.get(kind, 0) + 1
                    break
        m = SUBTEST.match(line)
        if m:
            if suite:
                problems.append("suite %s never finished" % suite)
                failed += 1
            suite = m.group(1)
            suites += 1
            continue
        m = CASE.match(line)
        if m and suite:
            if m.group(1) == "not ok":
                failed += 1
                problems.append("failed: %s.%s" % (suite, m.group(2)))
            elif "# SKIP" in m.group(3):
                skipped += 1
            else:
                passed += 1
            continue
        m = SUITE_END.match(line)
        if m and suite and m.group(2) == suite:
            suite = None
    if suite:
        problems.append("suite %s never finished (crash or hang)" % suite)
        failed += 1
    if expect_kunit and suites == 0:
        problems.append("no KUnit suite ran")
        failed += 1
    if not token:
        problems.append("no success token from /init (panic, hang or a failed step)")
    if not quiet:
        state = "RED" if problems else "green"
        reports = ", ".join("%s %d" % (k, kinds.get(k, 0)) for k, _ in KINDS)
        print("%s: %s: %d suites, %d passed, %d failed, %d skipped; reports: %s"
              % (prefix, state, suites, passed, failed, skipped, reports))
        for p in problems[:40]:
            print("  " + p)
    return passed, failed, skipped, problems


def main(argv):
    expect_kunit = "--expect-kunit" in argv
    quiet = "--quiet" in argv
    prefixes = [a for a in argv if not a.startswith("--")]
    if not prefixes:
        print(__doc__, file=sys.stderr)
        return 2
    tp = tf = ts = 0
    red = False
    for p in prefixes:
        a, b, c, problems = judge(p, expect_kunit, quiet)
        tp, tf, ts = tp + a, tf + b, ts + c
        red = red or bool(problems)
    print("%d passed, %d failed, %d skipped" % (tp, tf, ts))
    return 1 if red else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
