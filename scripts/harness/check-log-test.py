#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of scripts/check-log.py: crafted consoles it must judge.

Usage: check-log-test.py [CHECKER]
Each case is a console log (KTAP as KUnit 6.12 prints it), whether the
token came, the expectation file's text and the verdict the checker must
give. It runs CHECKER (default scripts/check-log.py) as check.sh does:
--expect-kunit, and --expect FILE --flavour rt where CHECKER knows them
(an older checker without them is run as check.sh ran it then). Prints
each case's verdict; exit status 1 when any verdict is wrong. Also tests
the lint of the expectation file (make lint) against crafted sources.
"""
import importlib.util
import os
import subprocess
import sys
import tempfile

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

EXPECT = """\
# crafted
suite kheap_a
suite kheap_b
suite kheap_d debug
skip rt kheap_b.b_test_irq no hardirq on PREEMPT_RT
"""


def suite(name, cases, end="ok", n=1, plan=None, skip=None):
    """KUnit's lines for one suite: CASES are (status, name[, skip reason])."""
    out = ["    KTAP version 1", "    # Subtest: " + name,
           "    # module: " + name + "_test",
           "    1..%d" % (len(cases) if plan is None else plan)]
    for i, c in enumerate(cases, 1):
        out.append("    %s %d %s%s" % (c[0], i, c[1],
                                       " # SKIP " + c[2] if len(c) > 2 else ""))
    out.append("# %s: pass:%d fail:0 skip:0 total:%d" % (name, len(cases), len(cases)))
    out.append("%s %d %s%s" % (end, n, name, " # SKIP " + skip if skip else ""))
    return out


def module(*suites):
    lines = ["KTAP version 1", "1..%d" % len(suites)]
    for s in suites:
        lines += s
    return lines


A = suite("kheap_a", [("ok", "a_test_one"), ("ok", "a_test_two")])
B = suite("kheap_b", [("ok", "b_test_one"), ("ok", "b_test_irq")])
B_SKIP = suite("kheap_b", [("ok", "b_test_one"),
                           ("ok", "b_test_irq", "no hardirq on PREEMPT_RT")])
BOOT = ["Linux version 6.12.0 (crafted)", "KTAP version 1", "1..0",
        "kheap-init: mode check"]
END = ["kheap-init: debugfs readers: 2178 reads during the suites",
       "kheap-init: done, 0 failures"]

# (what it shows, console, token, verdict: True for green)
CASES = [
    ("a clean run", BOOT + module(A) + module(B) + END, True, True),
    ("an allowed skip, its reason as listed",
     BOOT + module(A) + module(B_SKIP) + END, True, True),
    ("no token", BOOT + module(A) + module(B) + END, False, False),
    ("a failed case",
     BOOT + module(A) + module(suite("kheap_b", [("ok", "b_test_one"),
                                                 ("not ok", "b_test_irq")],
                                     end="not ok")) + END, True, False),
    # Harness gaps of issue 17, each green on the checker before it.
    ("an expected suite never ran (its module missing)",
     BOOT + module(A) + END, True, False),
    ("a suite crashed before its plan line (suite_init failed)",
     BOOT + module(A) + module(["    # failed to initialize (-12)",
                                "not ok 1 kheap_b"]) + END, True, False),
    ("a module's plan promised two suites, one ran",
     BOOT + ["KTAP version 1", "1..2"] + A + module(B) + END, True, False),
    ("a suite planned 3 cases, 2 ended",
     BOOT + module(A) + module(suite("kheap_b", [("ok", "b_test_one"),
                                                 ("ok", "b_test_irq")],
                                     plan=3)) + END, True, False),
    ("a suite 'not ok' with no failed case",
     BOOT + module(A) + module(suite("kheap_b", [("ok", "b_test_one"),
                                                 ("ok", "b_test_irq")],
                                     end="not ok")) + END, True, False),
    ("a skip not on the list",
     BOOT + module(suite("kheap_a", [("ok", "a_test_one"),
                                     ("ok", "a_test_two", "no reason")])) +
     module(B) + END, True, False),
    ("a listed skip with another reason",
     BOOT + module(A) + module(suite("kheap_b", [
         ("ok", "b_test_one"), ("ok", "b_test_irq", "some other reason")])) +
     END, True, False),
    ("a skipped parameter",
     BOOT + module(A) + module(
         ["    KTAP version 1", "    # Subtest: kheap_b", "    1..2",
          "    ok 1 b_test_one", "        KTAP version 1",
          "        # Subtest: b_test_irq", "        ok 1 size 1",
          "        ok 2 size 2 # SKIP too big", "    ok 2 b_test_irq",
          "ok 1 kheap_b"]) + END, True, False),
    ("a whole suite skipped, with no case",
     BOOT + module(A) + module(suite("kheap_b", [], skip="no cases")) + END,
     True, False),
    # A UBSAN report alone (as printed with panic_on_warn=0: no panic, no
    # "Call Trace" line, the case still "ok"): the report itself is red.
    ("a UBSAN report, the run otherwise clean",
     BOOT + module(A) + ["------------[ cut here ]------------",
                         "UBSAN: array-index-out-of-bounds in "
                         "kunit/broken/kheap_broken_ubsan.c:30:20",
                         "index 5 is out of range for type 'int [4]'",
                         "---[ end trace ]---"] + module(B) + END,
     True, False),
    ("a UBSAN shift report",
     BOOT + module(A) + ["UBSAN: shift-out-of-bounds in kmod/x.c:1:2",
                         "shift exponent 40 is too large for 32-bit type "
                         "'unsigned int'"] + module(B) + END, True, False),
]


def run(checker, new, name, lines, token, tmp):
    prefix = os.path.join(tmp, name.replace(" ", "_").replace("'", ""))
    with open(prefix + ".log", "w") as f:
        # As the console shows them: time stamps, CR LF.
        f.writelines("[%5d.%06d] %s\r\n" % (i, i, l) for i, l in enumerate(lines))
    with open(prefix + ".token", "w") as f:
        f.write("KHEAP-INIT-OK\n" if token else "")
    args = [checker, "--expect-kunit"]
    if new:
        args += ["--expect", os.path.join(tmp, "expected"), "--flavour", "rt"]
    r = subprocess.run(args + [prefix], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    return r.returncode == 0, r.stdout


def lint_tests(checker):
    """The lint of an expectation file, on crafted sources."""
    spec = importlib.util.spec_from_file_location("check_log", checker)
    cl = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cl)
    bad = 0
    src = ('#ifdef X\n#define S "kheap_a"\n#else\n#define S "kheap_b"\n#endif\n'
           'static struct kunit_case c[] = { KUNIT_CASE(b_test_irq), {} };\n'
           'static struct kunit_suite s = {\n\t.name = S,\n\t.test_cases = c,\n};\n'
           'static struct kunit_suite d = { .name = "kheap_d", };\n')
    with tempfile.TemporaryDirectory() as tmp:
        s, e = os.path.join(tmp, "t.c"), os.path.join(tmp, "expected")
        with open(s, "w") as f:
            f.write(src)
        for text, want in [(EXPECT, 0),
                           (EXPECT.replace("suite kheap_d debug\n", ""), 1),
                           (EXPECT + "suite kheap_e\n", 1),
                           (EXPECT.replace("b_test_irq", "b_test_nmi"), 1),
                           (EXPECT.replace("skip rt", "skip arm"), 1),
                           (EXPECT + "junk\n", 1)]:
            with open(e, "w") as f:
                f.write(text)
            got = len(cl.lint(e, [s]))
            ok = (got == 0) == (want == 0)
            bad += not ok
            print("%s: lint finds %d problems in %s" % (
                "ok" if ok else "WRONG", got,
                text.strip().splitlines()[-1]))
    return bad


def main(argv):
    checker = argv[0] if argv else os.path.join(top, "scripts/check-log.py")
    with open(checker) as f:
        new = "--flavour" in f.read()
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "expected"), "w") as f:
            f.write(EXPECT)
        for name, lines, token, green in CASES:
            got, out = run(checker, new, name, lines, token, tmp)
            ok = got == green
            bad += not ok
            print("%s: %s: %s (%s)" % ("ok" if ok else "WRONG", name,
                                       "green" if got else "red",
                                       "right" if ok else "should be " +
                                       ("green" if green else "red")))
            if not ok:
                print("    " + out.replace("\n", "\n    "))
    if new:
        bad += lint_tests(checker)
    print("check-log-test: %d of the checker's verdicts wrong" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
