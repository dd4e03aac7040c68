#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host tests of tools/kheap against debugfs trees QEMU runs dumped.

Every command, with and without --json, and every error path, runs against
--root DIR, where DIR is a tree rebuilt (tools/tests/dump.py) from:
  - the console logs checked in under tools/tests/fixtures/*.log;
  - the logs of the last `make check` in build/ (build/ktest-*/kunit.log,
    build/stock-*/boot.log), those that have a dump; or, when
    KHEAP_TOOL_CAPTURES names logs (space-separated), those, each of which
    must hold a dump (make check sets it after the boots).
Run: python3 tools/tests/test_kheap.py [-v]
"""
import atexit
import builtins
import glob
import importlib.machinery
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the tree
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
TOOL = os.path.join(TOP, "tools", "kheap")
sys.path.insert(0, HERE)
import dump  # noqa: E402


def load_tool():
    loader = importlib.machinery.SourceFileLoader("kheap_tool", TOOL)
    spec = importlib.util.spec_from_loader("kheap_tool", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


kheap = load_tool()


def capture_logs():
    """(name, log, required) of every dump to test on."""
    logs = [(os.path.basename(p), p, True)
            for p in sorted(glob.glob(os.path.join(HERE, "fixtures",
                                                   "*.log")))]
    env = os.environ.get("KHEAP_TOOL_CAPTURES")
    if env is not None:
        logs += [(p, p, True) for p in env.split()]
    else:
        build = os.path.join(TOP, "build")
        for p in sorted(glob.glob(os.path.join(build, "ktest-*", "kunit.log"))
                        + glob.glob(os.path.join(build, "stock-*",
                                                 "boot.log"))):
            logs.append((os.path.relpath(p, TOP), p, False))
    return logs


TMP = tempfile.mkdtemp(prefix="kheap-tool-test.")
TREES = []      # (name, root)
SKIPPED = []    # logs of earlier runs without a dump


def setUpModule():
    for i, (name, log, required) in enumerate(capture_logs()):
        try:
            files = dump.extract(log)
        except (OSError, dump.DumpError) as e:
            if required:
                raise
            SKIPPED.append("%s (%s)" % (name, e))
            continue
        TREES.append((name, dump.write_tree(files, os.path.join(TMP,
                                                                str(i)))))
    if not TREES:
        raise RuntimeError("no debugfs tree to test on")


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)
    print("\ntest_kheap: trees: %s" % ", ".join(n for n, _ in TREES),
          file=sys.stderr)
    for s in SKIPPED:
        print("test_kheap: no dump in %s" % s, file=sys.stderr)


_public = []


def public_tool():
    """A copy of the tool that any user can read: the checkout may sit in
    a directory only root can enter (a CI's mktemp -d clone). Made once,
    removed at exit."""
    if not _public:
        d = tempfile.mkdtemp(prefix="kheap-tool-public.")
        atexit.register(shutil.rmtree, d, True)
        os.chmod(d, 0o755)
        _public.append(os.path.join(d, "kheap"))
        shutil.copy(TOOL, _public[0])
        os.chmod(_public[0], 0o755)
    return _public[0]


def run(*args, root=None, user=None):
    # Another user may not reach this interpreter (a pyenv in /root):
    # Debian's then, and a copy of the tool it can read.
    py = "/usr/bin/python3" if user is not None else sys.executable
    cmd = [py, TOOL if user is None else public_tool()]
    if root is not None:
        cmd += ["--root", root]
    kw = {"user": user} if user is not None else {}
    p = subprocess.run(cmd + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True,
                       timeout=60, **kw)
    return p.returncode, p.stdout, p.stderr


def raw(root, rel):
    with open(os.path.join(root, rel)) as f:
        return f.read()


def version(root):
    """The grammar version of a tree (its heaps file's)."""
    return kheap.Source("heaps", raw(root, "heaps")).header()[1]


def v2_trees():
    trees = [(n, r) for n, r in TREES if version(r) == 2]
    if not trees:
        raise AssertionError("no grammar-v2 tree: tools/tests/fixtures/ "
                             "has one")
    return trees


def copy_tree(root):
    d = tempfile.mkdtemp(dir=TMP)
    dst = os.path.join(d, "kheap")
    shutil.copytree(root, dst)
    return dst


class Commands(unittest.TestCase):
    """Every command on every tree: exit 0, and the output agrees with the
    files it was read from."""

    def over_trees(self, check):
        for name, root in TREES:
            with self.subTest(tree=name):
                check(root)

    def ok(self, root, *args):
        rc, out, err = run(*args, root=root)
        self.assertEqual(rc, 0, "kheap %s: %s" % (" ".join(args), err))
        self.assertEqual(err, "")
        return out

    def js(self, root, *args):
        return json.loads(self.ok(root, *args, "--json"))

    def test_heaps(self):
        self.over_trees(self.check_heaps)

    def check_heaps(self, root):
        data = self.js(root, "heaps")
        rows = [l.split() for l in raw(root, "heaps").splitlines()
                if not l.startswith("#")]
        self.assertEqual(len(data["heaps"]), len(rows))
        self.assertIn("default", [h["name"] for h in data["heaps"]])
        for row in rows:
            h = [x for x in data["heaps"] if x["name"] == row[0]][0]
            self.assertEqual([h["bytes"], h["count"], h["peak"]],
                             [int(x) for x in row[1:4]])
        self.assertIsInstance(data["invalid_frees"], int)
        for key in ("bytes", "count", "peak"):
            got = self.js(root, "heaps", "--sort", key)["heaps"]
            self.assertEqual([h[key] for h in got],
                             sorted((h[key] for h in got), reverse=True))
        text = self.ok(root, "heaps", "--sort", "peak", "--human")
        self.assertTrue(text.startswith("HEAP "))
        self.assertIn("invalid frees: %d" % data["invalid_frees"], text)
        self.assertEqual(len(text.splitlines()), len(rows) + 2)

    def test_top(self):
        self.over_trees(self.check_top)

    def check_top(self, root):
        out = self.ok(root, "top", "--iterations", "3", "--delay", "0")
        self.assertEqual(out.count("kheap top - "), 3)
        self.assertNotIn("\033[", out)   # not a terminal: no clearing
        lines = self.ok(root, "top", "-n", "2", "-d", "0.01", "--json",
                        "--limit", "2").splitlines()
        self.assertEqual(len(lines), 2)
        for l in lines:
            frame = json.loads(l)
            self.assertLessEqual(len(frame["heaps"]), 2)
            self.assertEqual({h["delta_bytes"] for h in frame["heaps"]},
                             {0})

    def test_tree(self):
        self.over_trees(self.check_tree)

    def check_tree(self, root):
        data = self.js(root, "tree")
        hier = kheap.parse("hierarchy", raw(root, "hierarchy"),
                           "hierarchy")
        names = set()

        def walk(n):
            names.add(n["name"])
            for c in n.get("children", []):
                walk(c)
        for r in data["tree"]:
            walk(r)
        self.assertEqual(names, {h["name"] for h in hier["heaps"]})
        text = self.ok(root, "tree")
        for h in hier["heaps"]:
            self.assertRegex(text, r"(?m)^[|` -]*%s\b.* %d +%d$"
                             % (re.escape(h["name"]), h["hier_bytes"],
                                h["hier_count"]))
        self.ok(root, "tree", "--human")

    def test_live(self):
        self.over_trees(self.check_live)

    def check_live(self, root):
        heaps = self.js(root, "heaps")["heaps"]
        for h in heaps:
            data = self.js(root, "live", h["name"])
            self.assertEqual(data["heap"], h["name"])
            self.assertEqual(len(data["blocks"]), data["count"])
            ids = [b["id"] for b in data["blocks"]]
            self.assertEqual(ids, sorted(ids))
            text = self.ok(root, "live", h["name"])
            self.assertIn("%d of %d live blocks of %s"
                          % (data["count"], data["count"], h["name"]),
                          text)
            if not ids:
                continue
            mid = ids[len(ids) // 2]
            since = self.js(root, "live", h["name"], "--since",
                            str(mid))
            self.assertEqual([b["id"] for b in since["blocks"]],
                             [i for i in ids if i >= mid])
            ages = sorted(b["age_ms"] for b in data["blocks"])
            older = self.js(root, "live", h["name"], "--older-than",
                            "%.3f" % (ages[0] / 1000.0))
            self.assertEqual(len(older["blocks"]),
                             len([a for a in ages if a > ages[0]]))
            none = self.js(root, "live", h["name"], "--older-than",
                           str(ages[-1] / 1000.0 + 1))
            self.assertEqual(none["blocks"], [])

    def test_older_than_exact(self):
        """--older-than compares whole ms, as printed (4.063 * 1000 is
        4062.99... in floats)."""
        root = copy_tree(TREES[0][1])
        with open(os.path.join(root, "heap", "default", "live"), "w") as f:
            f.write("# kheap live v1 heap=default from=0 "
                    "to=18446744073709551615 count=2\n"
                    " id=1 size=8 age=4.063s caller=a+0x1/0x2\n"
                    " id=2 size=8 age=4.064s caller=b+0x1/0x2\n")
        got = self.js(root, "live", "default", "--older-than", "4.063")
        self.assertEqual([b["id"] for b in got["blocks"]], [2])

    def test_callsites(self):
        self.over_trees(self.check_callsites)

    def check_callsites(self, root):
        data = self.js(root, "callsites")
        rows = [l for l in raw(root, "callsites").splitlines()
                if not l.startswith("#")]
        self.assertEqual(len(data["callsites"]), len(rows))
        # the same blocks as the live files of every heap, by caller
        live = {}
        for h in self.js(root, "heaps")["heaps"]:
            for b in self.js(root, "live", h["name"])["blocks"]:
                live[b["caller"]] = live.get(b["caller"], 0) + b["size"]
        self.assertEqual({s["caller"]: s["bytes"]
                          for s in data["callsites"]}, live)
        by_count = self.js(root, "callsites", "--sort", "count",
                           "--limit", "1")["callsites"]
        self.assertLessEqual(len(by_count), 1)
        self.ok(root, "callsites", "--human")

    def test_pools(self):
        self.over_trees(self.check_pools)

    def check_pools(self, root):
        data = self.js(root, "pools")
        self.assertEqual(data["version"], 2)
        text = self.ok(root, "pools")
        if not data["pools"]:
            self.assertEqual(text, "no pools\n")

    def test_metrics(self):
        self.over_trees(self.check_metrics)

    SAMPLE = re.compile(r'^([a-z_]+)(\{([a-z_]+="[^"]*",?)*\})? -?\d+$')

    def check_metrics(self, root):
        text = self.ok(root, "metrics")
        declared = set()
        values = {}
        for l in text.splitlines():
            m = re.match(r"^# (HELP|TYPE) ([a-z_]+) (.+)$", l)
            if m:
                if m.group(1) == "TYPE":
                    self.assertIn(m.group(3), ("gauge", "counter"))
                    declared.add(m.group(2))
                continue
            m = self.SAMPLE.match(l)
            self.assertTrue(m, "not exposition format: %r" % l)
            self.assertIn(m.group(1), declared)
            values[l.rsplit(" ", 1)[0]] = int(l.rsplit(" ", 1)[1])
        heaps = self.js(root, "heaps")
        for h in heaps["heaps"]:
            lb = '{heap="%s"}' % h["name"]
            self.assertEqual(values["kheap_heap_bytes" + lb], h["bytes"])
            self.assertEqual(values["kheap_heap_blocks" + lb], h["count"])
            self.assertEqual(values["kheap_heap_peak_bytes" + lb],
                             h["peak"])
            self.assertEqual(values["kheap_heap_overruns_total" + lb],
                             h["overruns"])
        self.assertEqual(values["kheap_invalid_frees_total"],
                         heaps["invalid_frees"])
        fams = self.js(root, "metrics")
        self.assertIn("kheap_heap_bytes", [f["name"] for f in fams])
        prom = os.path.join(TMP, "kheap.prom")
        self.assertEqual(self.ok(root, "metrics", "-o", prom), "")
        with open(prom) as f:
            self.assertEqual(f.read(), text)
        self.assertEqual(glob.glob(prom + ".*"), [])

    def test_snapshot_diff(self):
        self.over_trees(self.check_snapshot_diff)

    def check_snapshot_diff(self, root):
        a = os.path.join(TMP, "a.json")
        out = self.ok(root, "snapshot", a)
        self.assertRegex(out, r"^%s: \d+ heaps, \d+ live blocks"
                         % re.escape(a))
        snap = kheap.load_snapshot(a)
        self.assertEqual(sorted(snap["heaps"]["heaps"], key=str),
                         sorted(self.js(root, "heaps")["heaps"], key=str))
        stdout = json.loads(self.ok(root, "snapshot", "-"))
        self.assertEqual(dict(stdout, time=0), dict(snap, time=0))
        same = self.js(root, "diff", a, a)
        self.assertFalse(any(h["delta_bytes"] or h["delta_count"]
                             for h in same["heaps"]))
        self.assertEqual(same["callsites"], [])
        self.assertEqual(same["new_live"], [])
        self.assertIn("no change", self.ok(root, "diff", a, a))
        every = self.ok(root, "diff", "--all", a, a)
        for h in snap["heaps"]["heaps"]:
            self.assertRegex(every, r"(?m)^%s +0 +0 +0 "
                             % re.escape(h["name"]))
        self.assertEqual(self.js(root, "snapshot", a), {"file": a})
        # B against debugfs now (the same tree): nothing grew either.
        self.assertEqual(self.js(root, "diff", a)["new_live"], [])

        # A second tree where one heap grew by a block of a new call
        # site: diff must name the heap, the site and the block.
        grown = copy_tree(root)
        heaps = kheap.parse("heaps", raw(grown, "heaps"), "heaps")
        victim = heaps["heaps"][0]["name"]
        live = kheap.parse("live", raw(grown, "heap/%s/live" % victim),
                           "live")
        new_id = max([b["id"] for b in live["blocks"]] + [0]) + 1
        v2 = version(root) == 2
        with open(os.path.join(grown, "heap", victim, "live"), "w") as f:
            lines = raw(root, "heap/%s/live" % victim).splitlines()
            lines[0] = re.sub(r"count=\d+", "count=%d"
                              % (live["count"] + 1), lines[0])
            if v2:
                # Into the blocks table, before a second (frames) table,
                # with as many fields as its header names.
                names = lines[1].lstrip("# ").split()
                line = "%d 4096 10 leaky_fn+0x1/0x2 leaky" % new_id
                line += " 0" * (len(names) - 5)
                end = next((i for i, l in enumerate(lines)
                            if i > 1 and l.startswith("#")), len(lines))
                lines.insert(end, line)
            else:
                lines.append(" id=%d size=4096 age=0.010s caller="
                             "leaky_fn+0x1/0x2 [leaky]" % new_id)
            f.write("\n".join(lines) + "\n")
        with open(os.path.join(grown, "heaps"), "w") as f:
            for l in raw(root, "heaps").splitlines():
                w = l.split()
                if w and w[0] == victim:
                    w[1] = str(int(w[1]) + 4096)
                    w[2] = str(int(w[2]) + 1)
                    l = " ".join(w)
                f.write(l + "\n")
        with open(os.path.join(grown, "callsites"), "a") as f:
            f.write("leaky_fn+0x1/0x2 leaky 4096 1\n" if v2 else
                    "4096 1 leaky_fn+0x1/0x2 [leaky]\n")
        b = os.path.join(TMP, "b.json")
        self.ok(grown, "snapshot", b)
        d = self.js(root, "diff", a, b)
        self.assertEqual(d["heaps"][0]["name"], victim)
        self.assertEqual(d["heaps"][0]["delta_bytes"], 4096)
        self.assertEqual(d["heaps"][0]["delta_count"], 1)
        self.assertEqual(d["callsites"][0]["caller"],
                         "leaky_fn+0x1/0x2 [leaky]")
        self.assertEqual(d["new_live"], [{
            "heap": victim, "caller": "leaky_fn+0x1/0x2 [leaky]",
            "bytes": 4096, "count": 1, "min_id": new_id}])
        text = self.ok(root, "diff", a, b)
        self.assertRegex(text, r"(?m)^%s +\+4096 +\+1 "
                         % re.escape(victim))
        self.assertIn("leaky_fn+0x1/0x2 [leaky]", text)
        # and the other way round, it shrank
        back = self.js(root, "diff", b, a)
        self.assertEqual(back["heaps"][-1]["delta_bytes"], -4096)
        self.assertEqual(back["new_live"], [])

    def test_read_only(self):
        """No file opened for writing; report and fail_alloc/ (a write bit:
        lockdown refuses them) never opened at all."""
        opened = []
        real_open = builtins.open

        def spy(path, mode="r", *a, **kw):
            opened.append((str(path), mode))
            return real_open(path, mode, *a, **kw)
        snap = os.path.join(TMP, "ro.json")
        for name, root in TREES:
            with self.subTest(tree=name):
                opened.clear()
                builtins.open = spy
                try:
                    for args in (["heaps"], ["top", "-n", "1", "-d", "0"],
                                 ["tree"], ["callsites"], ["pools"],
                                 ["metrics"], ["snapshot", snap],
                                 ["diff", snap], ["live", "default"]):
                        out = io.StringIO()
                        self.assertEqual(kheap.main(["--root", root] + args,
                                                    out=out), 0)
                finally:
                    builtins.open = real_open
                inside = [(p, m) for p, m in opened
                          if os.path.abspath(p).startswith(root)]
                self.assertTrue(inside)
                for p, m in inside:
                    self.assertNotRegex(m, "[wa+x]", p)
                    self.assertFalse(p.endswith("/report") or
                                     "/fail_alloc" in p, p)


POOLS = """# kheap pools v2
# pool NAME heap HEAP obj_size N stride N objs N ring_capacity N free N heap_bytes N other_bytes N flags N
#   cpu N then a NAME VALUE pair per counter
pool rx.bufs heap example.rx obj_size 120 stride 128 objs 64 ring_capacity 32 free 60 heap_bytes 8192 other_bytes 640 flags 0x1
  cpu 0 gets 10 puts 7 local_hits 9 remote_steals 1 empty 0 foreign_puts 1 double_puts 2
  cpu 1 gets 5 puts 4 local_hits 5 remote_steals 0 empty 1 foreign_puts 0 double_puts 0
pool p2 heap default obj_size 8 stride 8 objs 4 ring_capacity 4 free 4 heap_bytes 32 other_bytes 0 flags 0
  cpu 0 gets 0 puts 0 local_hits 0 remote_steals 0 empty 0 foreign_puts 0 double_puts 0
  cpu 1 gets 0 puts 0 local_hits 0 remote_steals 0 empty 0 foreign_puts 0 double_puts 0
"""


# The same pools in grammar v2 (kmod/pool.c's kheap_pools_show()).
POOLS_V2 = """# kheap pools v2
# name heap obj_size stride objs ring_capacity free heap_bytes other_bytes flags
rx.bufs example.rx 120 128 64 32 60 8192 640 1
p2 default 8 8 4 4 4 32 0 0
# pool cpu gets puts local_hits remote_steals empty foreign_puts double_puts
rx.bufs 0 10 7 9 1 0 1 2
rx.bufs 1 5 4 5 0 1 0 0
p2 0 0 0 0 0 0 0 0
p2 1 0 0 0 0 0 0 0
"""


class Pools(unittest.TestCase):
    """The dumped trees have no pool (the example makes none); a pools file
    written in kmod/pool.c's format (kheap_pools_show()) instead: grammar
    v2's, and (class PoolsPairs) the NAME VALUE pairs printed as "v2" before
    the grammar."""

    TEXT = POOLS_V2

    def setUp(self):
        self.root = copy_tree(TREES[0][1])
        with open(os.path.join(self.root, "pools"), "w") as f:
            f.write(self.TEXT)

    def test_same_as_pairs(self):
        a = kheap.parse("pools", POOLS, "pools")
        b = kheap.parse("pools", POOLS_V2, "pools")
        self.assertEqual(a, b)

    def test_pools(self):
        rc, out, err = run("pools", "--json", root=self.root)
        self.assertEqual(rc, 0, err)
        pools = json.loads(out)["pools"]
        self.assertEqual([p["name"] for p in pools], ["rx.bufs", "p2"])
        self.assertEqual(pools[0]["flags"], 1)
        self.assertEqual(pools[0]["totals"]["gets"], 15)
        self.assertEqual(pools[0]["totals"]["double_puts"], 2)
        self.assertEqual(len(pools[0]["cpus"]), 2)
        rc, out, err = run("pools", root=self.root)
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"(?m)^rx\.bufs +example\.rx +120 +64 +4 +60 "
                         r"+15 +11 +14 +1 +1 +1 +2$")

    def test_metrics(self):
        rc, out, err = run("metrics", root=self.root)
        self.assertEqual(rc, 0, err)
        self.assertIn('kheap_pool_double_puts_total{pool="rx.bufs",'
                      'heap="example.rx"} 2\n', out)
        self.assertIn('kheap_pool_free_objects{pool="p2",heap="default"} 4\n',
                      out)


class PoolsPairs(Pools):
    TEXT = POOLS


class Names(unittest.TestCase):
    """Grammar v2 escapes each byte of a name outside [A-Za-z0-9._:-] as
    \\xHH: the tool gives the name back, and finds its heap/<name>/."""

    NAMES = [("kt.dbg\\x5c\\x3d\\xe9", b"kt.dbg\\=\xe9", "kt.dbg\\=\\xe9"),
             ("caf\\xc3\\xa9", "café".encode(), "café"),
             ("mydrv.rx", b"mydrv.rx", "mydrv.rx"),
             ("a\\x22\\x2c\\x5bb\\x5d", b'a",[b]', 'a",[b]')]

    def test_names(self):
        root = copy_tree(v2_trees()[0][1])
        heaps = raw(root, "heaps")
        live = raw(root, "heap/default/live").splitlines()
        for esc, rawname, shown in self.NAMES:
            heaps += "%s 24 1 24 24 1 0\n" % esc
            d = os.path.join(os.fsencode(root), b"heap", rawname)
            os.makedirs(d)
            with open(os.path.join(d, b"live"), "w") as f:
                f.write("# kheap live v2 heap=%s from=0 "
                        "to=18446744073709551615 count=1\n%s\n"
                        "7 24 5 f+0x1/0x2 -\n" % (esc, live[1]))
        with open(os.path.join(root, "heaps"), "w") as f:
            f.write(heaps)
        got = json.loads(Commands.ok(self, root, "heaps", "--json"))
        names = [h["name"] for h in got["heaps"]]
        for esc, rawname, shown in self.NAMES:
            self.assertIn(shown, names)
            # the raw bytes on the command line, as a shell passes them
            p = subprocess.run([sys.executable, TOOL, "--root", root, "live",
                                os.fsdecode(rawname), "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 0, p.stderr)
            data = json.loads(p.stdout)
            self.assertEqual(data["heap"], shown)
            self.assertEqual(data["blocks"][0]["caller"], "f+0x1/0x2")

    def test_unescape(self):
        for esc, rawname, shown in self.NAMES:
            self.assertEqual(kheap.raw_name_v2(esc), rawname)
            self.assertEqual(kheap.unescape_v2(esc), shown)


class Stacks(unittest.TestCase):
    """A heap with stacks on: live's second table, a row per frame; the
    heaps file's stacks column. Written into a copy of a v2 tree."""

    LIVE = ("# kheap live v2 heap=st from=0 to=18446744073709551615 "
            "count=2\n"
            "# id size age_ms caller module frames\n"
            "1 33 5 st_alloc_site+0x7/0x40 kheap_stacks_test 3\n"
            "2 44 5 st_alloc_site+0x7/0x40 kheap_stacks_test 0\n"
            "# id frame caller module\n"
            "1 0 st_alloc_site+0x2c/0x40 kheap_stacks_test\n"
            "1 1 stacks_test_live+0x1ad/0x10f0 kheap_stacks_test\n"
            "1 2 kthread+0x2b9/0x390 -\n")

    def tree(self, live):
        root = copy_tree(v2_trees()[0][1])
        os.makedirs(os.path.join(root, "heap", "st"))
        with open(os.path.join(root, "heap", "st", "live"), "w") as f:
            f.write(live)
        return root

    def test_frames(self):
        root = self.tree(self.LIVE)
        rc, out, err = run("live", "st", "--json", root=root)
        self.assertEqual(rc, 0, err)
        blocks = json.loads(out)["blocks"]
        self.assertEqual(blocks[0]["stack"], [
            "st_alloc_site+0x2c/0x40 [kheap_stacks_test]",
            "stacks_test_live+0x1ad/0x10f0 [kheap_stacks_test]",
            "kthread+0x2b9/0x390"])
        self.assertEqual(blocks[1]["stack"], [])
        rc, out, err = run("live", "st", "--stacks", root=root)
        self.assertEqual(rc, 0, err)
        self.assertIn("\nblock 1:\n    st_alloc_site+0x2c/0x40 "
                      "[kheap_stacks_test]\n", out)
        self.assertNotIn("block 2:", out)
        rc, plain, err = run("live", "st", root=root)
        self.assertNotIn("block 1:", plain)

    def test_frames_out_of_place(self):
        for bad in (self.LIVE.replace("1 1 stacks", "1 2 stacks"),
                    self.LIVE.replace("\n1 2 kthread", "\n7 0 kthread"),
                    self.LIVE.replace("kheap_stacks_test 3", "kheap_stacks_test 2")):
            rc, out, err = run("live", "st", root=self.tree(bad))
            self.assertEqual(rc, kheap.EXIT_MALFORMED, err)

    def test_heaps_stacks_column(self):
        root = copy_tree(v2_trees()[0][1])
        path = os.path.join(root, "heaps")
        text = raw(root, "heaps").splitlines()
        text[1] += " stacks"
        text[2:] = [l + " 1" for l in text[2:]]
        with open(path, "w") as f:
            f.write("\n".join(text) + "\n")
        rc, out, err = run("heaps", "--json", root=root)
        self.assertEqual(rc, 0, err)
        self.assertTrue(all(h["stacks"] == 1
                            for h in json.loads(out)["heaps"]))


class Errors(unittest.TestCase):
    """Each failure: its exit status and a one-line message on stderr."""

    def fails(self, status, pattern, *args, root=None, user=None):
        rc, out, err = run(*args, root=root, user=user)
        self.assertEqual(rc, status, "kheap %s: rc %d, stderr %r"
                         % (" ".join(args), rc, err))
        self.assertEqual(out, "")
        self.assertRegex(err, r"^kheap: .*%s" % pattern)
        self.assertEqual(len(err.splitlines()), 1, err)
        return err

    def test_not_mounted(self):
        self.fails(kheap.EXIT_NOT_MOUNTED, "debugfs is not mounted", "heaps",
                   root=os.path.join(TMP, "no", "such", "kheap"))
        # The default root: no debugfs mounted at its parent.
        d = tempfile.mkdtemp(dir=TMP)
        saved = kheap.DEFAULT_ROOT
        kheap.DEFAULT_ROOT = os.path.join(d, "kheap")
        try:
            with self.assertRaises(kheap.KheapError) as e:
                kheap.Debugfs().check()
        finally:
            kheap.DEFAULT_ROOT = saved
        self.assertEqual(e.exception.status, kheap.EXIT_NOT_MOUNTED)

    def test_not_loaded(self):
        d = tempfile.mkdtemp(dir=TMP)
        for cmd in (["heaps"], ["tree"], ["metrics"], ["live", "x"]):
            self.fails(kheap.EXIT_NOT_LOADED, "kheap is not loaded", *cmd,
                       root=os.path.join(d, "kheap"))
        os.mkdir(os.path.join(d, "kheap"))
        self.fails(kheap.EXIT_NOT_LOADED, "has no heaps file", "heaps",
                   root=os.path.join(d, "kheap"))
        f = os.path.join(d, "file")
        open(f, "w").close()
        self.fails(kheap.EXIT_NOT_LOADED, "is not a directory", "heaps",
                   root=f)
        # a file gone between the check and the read (kheap unloading)
        root = copy_tree(TREES[0][1])
        os.unlink(os.path.join(root, "callsites"))
        self.fails(kheap.EXIT_NOT_LOADED, "no such file", "callsites",
                   root=root)

    def test_permission_denied(self):
        d = tempfile.mkdtemp(dir=TMP)
        os.chmod(d, 0o755)
        root = shutil.copytree(TREES[0][1], os.path.join(d, "kheap"))
        os.chmod(root, 0)
        try:
            # As root, chmod denies nothing: run the tool as nobody.
            user = 65534 if os.geteuid() == 0 else None
            for cmd in (["heaps"], ["top", "-n", "1"], ["live", "default"],
                        ["metrics"]):
                self.fails(kheap.EXIT_PERMISSION, "permission denied.*root",
                           *cmd, root=root, user=user)
        finally:
            os.chmod(root, 0o755)
        # EPERM (lockdown refusing a file) from a readable directory
        with self.assertRaises(kheap.KheapError) as e:
            fs = kheap.Debugfs(root)
            real_open = builtins.open

            def refuse(path, *a, **kw):
                raise PermissionError(1, "Operation not permitted", path)
            builtins.open = refuse
            try:
                fs.heaps()
            finally:
                builtins.open = real_open
        self.assertEqual(e.exception.status, kheap.EXIT_PERMISSION)
        self.assertIn("lockdown", str(e.exception))

    def test_no_such_heap(self):
        root = TREES[0][1]
        self.fails(kheap.EXIT_ERROR, "no heap 'nope' \\(heaps: default",
                   "live", "nope", root=root)
        for bad in ("..", ".", "a/b", "../heap/default"):
            self.fails(kheap.EXIT_ERROR, "is no heap name", "live", bad,
                       root=root)

    def test_usage(self):
        root = TREES[0][1]
        for args in ([], ["nope"], ["heaps", "--sort", "size"],
                     ["live"], ["top", "-n", "x"], ["diff"]):
            rc, out, err = run(*args, root=root)
            self.assertEqual(rc, kheap.EXIT_USAGE, args)
            self.assertIn("usage: kheap", err)

    def test_snapshot_files(self):
        root = TREES[0][1]
        self.fails(kheap.EXIT_ERROR, "No such file", "diff",
                   os.path.join(TMP, "missing.json"), root=root)
        self.fails(kheap.EXIT_ERROR, "No such file", "snapshot",
                   os.path.join(TMP, "no", "dir", "s.json"), root=root)
        bad = os.path.join(TMP, "bad.json")
        for text, why in (("{", "not a kheap snapshot"),
                          ('{"a": 1}', "not a kheap snapshot"),
                          ('{"format": "kheap-snapshot", "version": 9}',
                           "snapshot version 9")):
            with open(bad, "w") as f:
                f.write(text)
            self.fails(kheap.EXIT_MALFORMED, why, "diff", bad, bad,
                       root=root)

    # (file, corruption, the message expected); each on a copy of a tree.
    MALFORMED = [
        ("heaps", lambda t: "", "empty"),
        ("heaps", lambda t: "hello\n" + t, ":1: no '# kheap KIND vN'"),
        ("heaps", lambda t: t.replace(" v1", " v7", 1),
         "heaps format v7: this tool reads v1"),
        ("heaps", lambda t: t.replace("heaps v1", "hierarchy v1", 1),
         "a 'hierarchy' file, expected 'heaps'"),
        ("heaps", lambda t: t + "extra 1 2\n", "3 fields, the header names 7"),
        ("heaps", lambda t: t + "x 1 2 3 4 5 six\n",
         "overruns is not a number"),
        ("heaps", lambda t: "\n".join(l for l in t.split("\n")
                                      if not l.startswith("# name")),
         "column line"),
        ("heaps", lambda t: t.encode() + b"\xff\xfe\n", "not UTF-8"),
        ("hierarchy", lambda t: "# kheap hierarchy v1\n    -> x\n",
         ":2: an edge before any heap"),
        ("hierarchy", lambda t: t + "h bytes=1 count\n", "expected key=value"),
        ("hierarchy", lambda t: t + "h bytes=1 count=2\n", "no hier_bytes="),
        ("callsites", lambda t: t + "12 x f+0x1/0x2\n", "count is not a"),
        ("callsites", lambda t: t + "12\n", "expected BYTES COUNT CALLER"),
        ("pools", lambda t: t + "pool a heap\n", "odd number of words"),
        ("pools", lambda t: t + "  cpu 0 gets 1\n", "a cpu line before"),
        ("pools", lambda t: t + "what\n", "neither a pool nor a cpu"),
        ("heap/default/live", lambda t: t + " id=1 size=2 age=3s caller=f\n",
         "bad age '3s'"),
        ("heap/default/live", lambda t: t + " id=1 size=2 age=0.003s\n",
         "no caller="),
        ("heap/default/live",
         lambda t: t + " id=1 size=2 age=0.003s caller=f\n",
         "count=0 in the title, 1 blocks listed"),
        ("heap/default/live", lambda t: t.replace(" heap=default", ""),
         ":1: no heap= in the title"),
    ]

    # The same for grammar v2, on a v2 tree.
    MALFORMED_V2 = [
        ("heaps", lambda t: t.replace(" v2", " v7", 1),
         "heaps format v7: this tool reads v1, v2"),
        ("heaps", lambda t: t + "extra 1 2\n", "3 fields, the header names 7"),
        ("heaps", lambda t: t + "x 1 2 3 4 5 six\n",
         "overruns is not a number"),
        ("heaps", lambda t: t + "x  1 2 3 4 5 6\n", "8 fields, the header names 7"),
        ("heaps", lambda t: t + "a\\q 1 2 3 4 5 6\n",
         "name 'a\\\\q': not an escaped name"),
        ("heaps", lambda t: t + "a\\x4 1 2 3 4 5 6\n", "not an escaped name"),
        ("heaps", lambda t: t + "caf\u00e9 1 2 3 4 5 6\n",
         "not an escaped name"),
        ("heaps", lambda t: "\n".join(l for l in t.split("\n")
                                      if not l.startswith("# name")),
         ":2: a row before any header line"),
        ("heaps", lambda t: t.replace("# name", "# Name", 1),
         "not a header line of column names"),
        ("heaps", lambda t: t.replace("# name", "# heap", 1),
         "table 1's records are 'heap', expected 'name'"),
        ("heaps", lambda t: t.replace(" peak", " top", 1), "no peak column"),
        ("heaps", lambda t: t.replace("invalid_frees=", "invalid_frees=x", 1),
         "invalid_frees is not a number"),
        ("hierarchy", lambda t: t[:t.index("# from")],
         "no table 2 (its header line '# from ...')"),
        ("hierarchy", lambda t: t + "nope default\n", "an edge from 'nope'"),
        ("callsites", lambda t: t + "f+0x1/0x2 - x 1\n", "bytes is not a"),
        ("callsites", lambda t: t + "f+0x1/0x2 - 1\n", "3 fields"),
        ("pools", lambda t: t.replace("# pool cpu", "# cpu pool", 1),
         "table 2's records are 'cpu', expected 'pool'"),
        ("cache", lambda t: t + "0 1\n", "2 fields"),
        ("heap/default/live", lambda t: t + "1 2 3 f -\n",
         "count=0 in the version line, 1 blocks listed"),
        ("heap/default/live", lambda t: t + "1 2 3.5 f -\n",
         "age_ms is not a number"),
        ("heap/default/live", lambda t: t.replace(" heap=default", ""),
         ":1: no heap= in the version line"),
    ]

    def test_malformed_v2(self):
        self.malformed(v2_trees()[0][1], self.MALFORMED_V2)

    def test_malformed(self):
        self.malformed([r for n, r in TREES if version(r) == 1][0],
                       self.MALFORMED)

    def malformed(self, base, cases):
        self.assertEqual(version(base), 1 if cases is self.MALFORMED else 2)
        cmds = {"heaps": ["heaps"], "hierarchy": ["tree"],
                "callsites": ["callsites"], "pools": ["pools"],
                "cache": ["snapshot", "-"],
                "heap/default/live": ["live", "default"]}
        for rel, corrupt, why in cases:
            with self.subTest(file=rel, why=why):
                root = copy_tree(base)
                text = corrupt(raw(root, rel))
                with open(os.path.join(root, rel),
                          "wb" if isinstance(text, bytes) else "w") as f:
                    f.write(text)
                err = self.fails(kheap.EXIT_MALFORMED, re.escape(why),
                                 *cmds[rel], root=root)
                self.assertIn(os.path.join(root, rel), err)
                # every command that reads the file fails the same way
                if rel in ("heaps", "callsites", "hierarchy"):
                    self.fails(kheap.EXIT_MALFORMED, re.escape(why),
                               "snapshot", "-", root=root)


class Dump(unittest.TestCase):
    """dump.py: the console's dump back into files."""

    def test_interleaved_kernel_lines(self):
        log = os.path.join(TMP, "k.log")
        with open(log, "w") as f:
            f.write("kheap-init: dump of /sys/kernel/debug/kheap begins\r\n"
                    "kheap-dump: file a/b 1b5bb282b8f8792875e3c4203cfa9c57\r\n"
                    "kheap-dump: |x\r\n"
                    "[   12.5] some kernel message\r\n"
                    "kheap-dump: |y\r\n"
                    "kheap-init: dump ends\r\n")
        self.assertEqual(dump.extract(log), {"a/b": "x\ny\n"})

    def test_broken(self):
        log = os.path.join(TMP, "k.log")
        for body, why in (("", "no debugfs dump"),
                          ("kheap-init: dump of x begins\n", "does not end"),
                          ("kheap-init: dump of x begins\nkheap-dump: file "
                           "a 00000000000000000000000000000000\nkheap-dump: "
                           "|x\nkheap-init: dump ends\n", "MD5 mismatch"),
                          ("kheap-init: dump of x begins\nkheap-dump: file "
                           "../a 00000000000000000000000000000000\n"
                           "kheap-init: dump ends\n", "bad path")):
            with open(log, "w") as f:
                f.write(body)
            with self.assertRaisesRegex(dump.DumpError, why):
                dump.extract(log)


if __name__ == "__main__":
    unittest.main()
