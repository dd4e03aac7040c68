#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one QEMU run of kheap's harness from its console log and token.

Usage: check-log.py [--expect-kunit] [--expect FILE --flavour F] [--quiet]
                    PREFIX [PREFIX...]
       check-log.py --lint FILE SOURCE... (make lint: FILE against kunit/*.c)
Reads PREFIX.log (console) and PREFIX.token (second serial port) for each
run. A run is red when its token is missing (panic, hang, failed step), when
the console shows a splat (BUG, WARNING, Oops, KASAN, KCSAN, UBSAN, lockdep,
sleeping in atomic context, kmemleak, Call Trace), or when KUnit says
anything but "ok": a case failed, a suite ended "not ok" (a failed
suite_init, with no case run), a suite or a module's run of suites stopped
short of its plan, or something was skipped that FILE does not list, with
that reason, for flavour F. --expect-kunit: at least one suite must run;
--expect FILE: every suite FILE lists for flavour F must run to its end.
Each run's line counts the reports by kind. The last line printed is
'N passed, N failed, N skipped' over all runs; exit status 1 when any run is
red. judge_lines() and parse_expect() take no file, for the host-side tests
(scripts/harness/check-log-test.py).
"""
import re
import sys

TOKEN = "KHEAP-INIT-OK"
FLAVOURS = ("debug", "kcsan", "rt", "prof")
STAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
SPLATS = re.compile(
    r"Kernel panic|BUG:|WARNING:|Oops|KASAN:|Call Trace|"
    r"unreferenced object|kmemleak: \d+ new suspected|"
    r"possible recursive locking|possible circular locking|"
    r"inconsistent lock state|sleeping function called from invalid context|"
    r"KCSAN:|UBSAN:|Invalid wait context|scheduling while atomic|"
    r"kheap-init: FAIL|qemu.sh: timed out")
# What kind of report a console line opens, for the per-run summary. Every
# such line is also a splat above; this only names it.
KINDS = [
    ("kcsan", re.compile(r"BUG: KCSAN:")),
    ("kasan", re.compile(r"BUG: KASAN:|KASAN:")),
    ("ubsan", re.compile(r"^UBSAN: ")),
    ("sleep-in-atomic", re.compile(
        r"BUG: sleeping function called from invalid context|"
        r"BUG: scheduling while atomic")),
    ("lockdep", re.compile(
        r"(BUG|WARNING): .*(lock|RCU|wait context)|"
        r"possible recursive locking|possible circular locking|"
        r"inconsistent lock state")),
    ("kmemleak", re.compile(r"unreferenced object|kmemleak: \d+ new suspected")),
]
# KTAP as KUnit prints it: a module's run opens with "1..N" (N suites) at
# column 0; a suite is "    # Subtest: NAME", "    1..N" (its plan), its
# cases at 4 spaces (a parameterised case's own results at 8), and ends with
# "ok|not ok N NAME" at column 0. A result may carry "# SKIP reason".
TOP_PLAN = re.compile(r"^1\.\.(\d+)$")
SUBTEST = re.compile(r"^    # Subtest: (\S+)")
PLAN = re.compile(r"^    1\.\.(\d+)$")
PARAM_SUBTEST = re.compile(r"^        # Subtest: (\S+)")
RESULT = re.compile(r"^( *)(ok|not ok) \d+ (.*)$")
SKIP = re.compile(r"^(.*?) # SKIP ?(.*)$")


class Expect:
    """What a run must show: suites that must run, skips allowed."""

    def __init__(self, suites=(), skips=None):
        self.suites = list(suites)
        self.skips = dict(skips or {})	# "suite.case" -> reason


def parse_expect(text, flavour):
    """Expect for FLAVOUR from the text of an expectation file.

    Lines: "suite NAME [FLAVOUR...]" (no flavour: every test kernel) and
    "skip FLAVOUR SUITE.CASE REASON"; '#' starts a comment line.
    """
    e = Expect()
    for n, line in enumerate(text.splitlines(), 1):
        w = line.split(None, 3)
        if not w or w[0].startswith("#"):
            continue
        if w[0] == "suite" and len(w) >= 2:
            if len(w) == 2 or flavour in line.split()[2:]:
                e.suites.append(w[1])
        elif w[0] == "skip" and len(w) == 4:
            if w[1] == flavour:
                e.skips[w[2]] = w[3].strip()
        else:
            raise ValueError("line %d: not 'suite NAME [FLAVOUR...]' nor "
                             "'skip FLAVOUR SUITE.CASE REASON': %s" % (n, line))
    return e


def judge_lines(lines, token, expect_kunit=False, expect=None):
    """Judge one run: its console lines (time stamps off) and whether its
    token came. Returns (passed, failed, skipped, suites, kinds, problems)."""
    passed = failed = skipped = 0
    problems = []
    allowed = expect.skips if expect else {}
    suite = None	# the suite being printed: its name, plan, results
    case = None	# the parameterised case being printed
    module_left = 0	# suites a module's plan promised and not yet ended
    seen = {}	# suite -> "ok", "not ok", "skip"
    suites = 0
    kinds = {}

    def skip_ok(key, reason):
        nonlocal skipped
        skipped += 1
        if allowed.get(key) != reason:
            problems.append("skipped, and not on the list with this reason: "
                            "%s: %s" % (key, reason))

    def short_module():
        if module_left > 0:
            problems.append("a module's run planned %d more suites than ran"
                            % module_left)

    for line in lines:
        if SPLATS.search(line):
            problems.append("console: " + line.strip())
            for kind, pattern in KINDS:
                if pattern.search(line):
                    kinds[kind] = kinds.get(kind, 0) + 1
                    break
        m = TOP_PLAN.match(line)
        if m:
            if suite:
                problems.append("suite %s never finished" % suite["name"])
                failed += 1
                suite = None
            short_module()
            module_left = int(m.group(1))
            continue
        m = SUBTEST.match(line)
        if m:
            if suite:
                problems.append("suite %s never finished" % suite["name"])
                failed += 1
            suite = {"name": m.group(1), "plan": None, "results": 0,
                     "failed": 0}
            case = None
            suites += 1
            continue
        if suite and PLAN.match(line):
            suite["plan"] = int(PLAN.match(line).group(1))
            continue
        m = PARAM_SUBTEST.match(line)
        if m and suite:
            case = m.group(1)
            continue
        m = RESULT.match(line)
        if not m:
            continue
        indent, status, rest = len(m.group(1)), m.group(2), m.group(3)
        s = SKIP.match(rest)
        name, reason = (s.group(1), s.group(2).strip()) if s else (rest, None)
        name = name.split(" # ")[0].strip()
        if indent == 8 and suite and case:
            # A parameter's result: a failure shows in its case's result
            # too; a skip is judged here.
            if reason is not None and status == "ok":
                skip_ok("%s.%s/%s" % (suite["name"], case, name), reason)
                skipped -= 1	# counted as its case's, if the case skips
            continue
        if indent == 4 and suite:
            case = None
            suite["results"] += 1
            if status == "not ok":
                failed += 1
                suite["failed"] += 1
                problems.append("failed: %s.%s" % (suite["name"], name))
            elif reason is not None:
                skip_ok("%s.%s" % (suite["name"], name), reason)
            else:
                passed += 1
            continue
        if indent != 0:
            continue
        # A suite's end, or, with no "# Subtest" before it, a suite that
        # printed nothing else (its suite_init failed).
        module_left -= 1
        if not suite or suite["name"] != name:
            if suite:
                problems.append("suite %s never finished" % suite["name"])
                failed += 1
            problems.append("suite %s ended '%s' before its plan line"
                            % (name, status))
            failed += 1
            seen[name] = "crashed"
            suite = None
            continue
        if suite["plan"] is None:
            problems.append("suite %s has no plan line" % name)
            failed += 1
        elif suite["results"] != suite["plan"]:
            problems.append("suite %s planned %d cases, %d ended"
                            % (name, suite["plan"], suite["results"]))
            failed += 1
        if status == "not ok":
            problems.append("suite %s ended 'not ok'" % name)
            if not suite["failed"]:
                failed += 1
            seen[name] = "not ok"
        elif reason is not None:
            # Every case skipped (each judged above), or none to run.
            if not suite["results"]:
                skip_ok(name, reason)
            seen[name] = "ok"
        else:
            seen[name] = "ok"
        suite = None
    if suite:
        problems.append("suite %s never finished (crash or hang)" % suite["name"])
        failed += 1
    short_module()
    if expect_kunit and suites == 0 and not seen:
        problems.append("no KUnit suite ran")
        failed += 1
    for name in expect.suites if expect else ():
        if name not in seen:
            problems.append("expected suite %s never ran" % name)
            failed += 1
    if not token:
        problems.append("no success token from /init (panic, hang or a failed step)")
    return passed, failed, skipped, suites, kinds, problems


def source_suites(name, text):
    """{suite: cases} that the KUnit source TEXT (file NAME) defines: the
    .name of each struct kunit_suite (a literal, or a macro: each of its
    #defines), the cases of its file."""
    found = {}
    cases = set(re.findall(r"KUNIT_CASE\w*\(\s*(\w+)", text))
    for body in re.findall(r"struct kunit_suite\s+\w+\s*=\s*\{(.*?)\};",
                           text, re.S):
        m = re.search(r"\.name\s*=\s*(\"[^\"]*\"|\w+)", body)
        if not m:
            raise ValueError("%s: a kunit_suite with no .name" % name)
        v = m.group(1)
        names = [v.strip('"')] if v.startswith('"') else re.findall(
            r"^#define\s+%s\s+\"([^\"]*)\"" % v, text, re.M)
        if not names:
            raise ValueError("%s: suite name %s: no #define" % (name, v))
        for n in names:
            found[n] = cases
    return found


def lint(expect_file, sources):
    """Problems of EXPECT_FILE against the KUnit SOURCES (make lint)."""
    problems = []
    defined = {}
    for s in sources:
        with open(s) as f:
            defined.update(source_suites(s, f.read()))
    with open(expect_file) as f:
        text = f.read()
    listed = set()
    for n, line in enumerate(text.splitlines(), 1):
        w = line.split(None, 3)
        if not w or w[0].startswith("#"):
            continue
        where = "%s:%d:" % (expect_file, n)
        if w[0] == "suite" and len(w) >= 2:
            if w[1] in listed:
                problems.append("%s suite %s listed twice" % (where, w[1]))
            listed.add(w[1])
            if w[1] not in defined:
                problems.append("%s suite %s is in no kunit/*.c" % (where, w[1]))
            for f in line.split()[2:]:
                if f not in FLAVOURS:
                    problems.append("%s no flavour %s" % (where, f))
        elif w[0] == "skip" and len(w) == 4:
            suite, _, case = w[2].partition(".")
            case = case.split("/")[0]
            if w[1] not in FLAVOURS:
                problems.append("%s no flavour %s" % (where, w[1]))
            if case not in defined.get(suite, ()):
                problems.append("%s no case %s in suite %s" % (where, case, suite))
        else:
            problems.append("%s not 'suite NAME [FLAVOUR...]' nor "
                            "'skip FLAVOUR SUITE.CASE REASON'" % where)
    for name in sorted(set(defined) - listed):
        problems.append("%s:1: suite %s (kunit/*.c) is not listed"
                        % (expect_file, name))
    return problems


def judge(prefix, expect_kunit, quiet, expect=None):
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
    passed, failed, skipped, suites, kinds, problems = judge_lines(
        lines, token, expect_kunit, expect)
    if not quiet:
        state = "RED" if problems else "green"
        reports = ", ".join("%s %d" % (k, kinds.get(k, 0)) for k, _ in KINDS)
        print("%s: %s: %d suites, %d passed, %d failed, %d skipped; reports: %s"
              % (prefix, state, suites, passed, failed, skipped, reports))
        for p in problems[:40]:
            print("  " + p)
    return passed, failed, skipped, problems


def main(argv):
    if argv[:1] == ["--lint"] and len(argv) >= 3:
        problems = lint(argv[1], argv[2:])
        for p in problems:
            print(p)
        return 1 if problems else 0
    expect_kunit = "--expect-kunit" in argv
    quiet = "--quiet" in argv
    expect = None
    args = [a for a in argv if a not in ("--expect-kunit", "--quiet")]
    opts = {}
    for o in ("--expect", "--flavour"):
        if o in args:
            i = args.index(o)
            if i + 1 >= len(args):
                print(__doc__, file=sys.stderr)
                return 2
            opts[o] = args[i + 1]
            del args[i:i + 2]
    if "--expect" in opts:
        if "--flavour" not in opts:
            print("check-log.py: --expect needs --flavour", file=sys.stderr)
            return 2
        with open(opts["--expect"]) as f:
            expect = parse_expect(f.read(), opts["--flavour"])
    prefixes = args
    if not prefixes or any(p.startswith("--") for p in prefixes):
        print(__doc__, file=sys.stderr)
        return 2
    tp = tf = ts = 0
    red = False
    for p in prefixes:
        a, b, c, problems = judge(p, expect_kunit, quiet, expect)
        tp, tf, ts = tp + a, tf + b, ts + c
        red = red or bool(problems)
    print("%d passed, %d failed, %d skipped" % (tp, tf, ts))
    return 1 if red else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
