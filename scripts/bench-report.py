#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console of `make bench` boots into a CSV, a table and a chart.

Usage: bench-report.py CONSOLE.log [CONSOLE.log...] OUTDIR [--host TEXT]
       [--date YYYY-MM-DD]

Reads the "kheap_bench: ..." lines kheap_bench.ko prints (bench/run.c,
kb_print()): the first console is the main boot, any other one adds its rows
(the init_on_alloc=1 boot adds the pair_init rows). Writes OUTDIR/bench.csv
(one row per test, case, size and CPUs) and OUTDIR/bench-reps.csv (each
repetition of each row, in the order they ran), prints the tables and the
ratios the targets name, each with PASS or MISS and, where both sides took
turns in one run, the spread of the ratio over the repetitions, and writes
OUTDIR/bench.gp with its data under OUTDIR/bench/, then runs gnuplot on it
for OUTDIR/bench.svg and OUTDIR/bench.png. The figures are reported, never
judged: the exit status is 1 only when the consoles hold no result at all.
"""
import csv
import datetime
import os
import re
import subprocess
import sys

LINE = re.compile(r"kheap_bench: (\w+),(.*)$")
SIZES = (64, 256, 1024)
CSV_COLUMNS = ["test", "case", "size", "cpus", "ns_median", "ns_min",
               "ns_max", "mops", "misses", "p50_ns", "p99_ns", "p999_ns",
               "max_ns", "samples", "header_bytes", "trailer_bytes",
               "kmalloc_request", "kmalloc_class", "plain_class"]
# The order of the tables' rows.
CASES = ["kmalloc", "kzalloc", "kmem_cache", "mempool", "objpool",
         "kheap_alloc", "kheap_alloc_nocache", "kheap_trace", "kheap_new",
         "kheap_pool", "kheap_chain"]
CASE_TEXT = {
    "kmalloc": "kmalloc+kfree",
    "kzalloc": "kzalloc+kfree",
    "kmem_cache": "kmem_cache_alloc+free",
    "mempool": "mempool_alloc+free",
    "objpool": "objpool_pop+push",
    "kheap_alloc": "kheap_alloc+kheap_free",
    "kheap_alloc_nocache": "  same, block cache off",
    "kheap_trace": "  same, trace reporter on",
    "kheap_new": "kheap_new+kheap_delete",
    "kheap_pool": "kheap_pool_get+put",
    "kheap_chain": "kheap_chain_get+put",
}
# What a case is compared with in the tables: kheap_new zeroes, as kzalloc.
PEER = {"kheap_new": "kzalloc"}
# The parts rows, in order, with what they time (bench/cases.c).
PART_TEXT = {
    "empty_loop": "the loop alone",
    "exported_call": "call kheap_name(NULL) in kheap.ko",
    "this_cpu_inc": "this_cpu_inc()",
    "preempt_disable+enable": "preempt_disable+enable",
    "local_irq_save+restore": "local_irq_save+restore",
    "lock_cmpxchg": "uncontended lock cmpxchg",
    "raw_spin_lock_irqsave+unlock": "raw_spin_lock_irqsave+unlock",
    "jiffies": "read jiffies",
    "local_clock": "local_clock()",
    "get_kernel_nofault": "__get_kernel_nofault, 8 B",
    "copy_from_kernel_nofault_hdr": "copy_from_kernel_nofault, hdr",
    "rcu_read_lock+unlock": "rcu_read_lock+unlock",
    "floor": "floor: kmalloc(+64)+hdr+kfree",
    "stacks_off": "kheap_alloc+free, stacks off",
    "stacks_on": "kheap_alloc+free, stacks on",
}


def parse(path, boot=0, rows=None):
    """Rows keyed by (test, case, size, cpus), and the info lines.

    A row's repetitions come with the run ("group") they were part of:
    rows of one group took turns, one repetition each, so the ratio of
    their repetitions of the same rank is a fair per-repetition ratio. A
    row an earlier boot (a console read before) has is kept as it is.
    """
    rows = {} if rows is None else rows
    info, skips = {}, []

    def row_of(key):
        row = rows.setdefault(key, {"test": key[0], "case": key[1],
                                    "size": key[2], "cpus": key[3],
                                    "boot": boot})
        return row if row["boot"] == boot else {}

    with open(path, errors="replace") as f:
        for raw in f:
            m = LINE.search(raw.rstrip("\r\n"))
            if not m:
                continue
            kind, rest = m.group(1), m.group(2).split(",")
            if kind == "info" and len(rest) >= 2:
                info[rest[0]] = ",".join(rest[1:])
            elif kind == "skip":
                skips.append(",".join(rest))
            elif kind == "reps" and len(rest) >= 6:
                row = row_of((rest[0], rest[1], int(rest[2]), int(rest[3])))
                row["group"] = (boot, int(rest[4]))
                row["reps"] = [float(v) for v in rest[5:]]
            elif kind in ("tput", "lat") and len(rest) >= 9:
                row = row_of((rest[0], rest[1], int(rest[2]), int(rest[3])))
                if kind == "tput":
                    for col, v in zip(["ns_median", "ns_min", "ns_max",
                                       "mops", "misses"], rest[4:9]):
                        row[col] = float(v) if col != "misses" else int(v)
                else:
                    for col, v in zip(["p50_ns", "p99_ns", "p999_ns",
                                       "max_ns", "samples"], rest[4:9]):
                        row[col] = int(v)
            elif kind == "mem" and len(rest) >= 7:
                row = row_of(("mem", rest[0], int(rest[1]), 1))
                for col, v in zip(CSV_COLUMNS[14:], rest[2:7]):
                    row[col] = int(v)
    return rows, info, skips


def get(rows, test, case, size, cpus, col="ns_median"):
    row = rows.get((test, case, size, cpus))
    return None if row is None else row.get(col)


def fmt(v, width=8, prec=1):
    return ("%*.*f" % (width, prec, v)) if v is not None else "%*s" % (width, "-")


def spread(row):
    """'median (min-max)', 26 characters wide."""
    if not row or "ns_median" not in row:
        return "%8s" % "-" + " " * 18
    return ("%8.1f (%.1f-%.1f)" % (row["ns_median"], row["ns_min"],
                                   row["ns_max"])).ljust(26)


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def rep_ratios(rows, ka, kb, scale=1.0):
    """Per-repetition ratios scale * a / b of two rows that took turns."""
    a, b = rows.get(ka), rows.get(kb)
    if not a or not b or "reps" not in a or "reps" not in b:
        return None
    if a.get("group") != b.get("group") or len(a["reps"]) != len(b["reps"]):
        return None
    if not all(b["reps"]) or not all(a["reps"]):
        return None
    return [scale * x / y for x, y in zip(a["reps"], b["reps"])]


def rep_spread(rows, ka, kb, scale=1.0):
    """(min, max) of rep_ratios(), or None."""
    r = rep_ratios(rows, ka, kb, scale)
    return (min(r), max(r)) if r else None


def fmt_spread(sp, prec=2):
    """'[min-max]' of a ratio over the repetitions, or ''."""
    return "[%.*f-%.*f]" % (prec, sp[0], prec, sp[1]) if sp else ""


def peer_ratio(rows, test, case, size, cpus, default="kmalloc"):
    """(peer, ratio of medians, spread over the repetitions) of a row."""
    peer = PEER.get(case, default)
    if (test, peer, size, cpus) not in rows:
        peer = default
    ka, kb = (test, case, size, cpus), (test, peer, size, cpus)
    return (peer, ratio(get(rows, *ka), get(rows, *kb)),
            rep_spread(rows, ka, kb))


def table_pair(rows, allcpus, out, test="pair", title=None):
    if not any(k[0] == test for k in rows):
        return
    out.append(title or (
        "== pair: get + put of one object, tight loop; ns per pair and CPU, "
        "median of the repetitions (min-max)"))
    out.append("   x peer: median / the peer's (kmalloc; kzalloc for "
               "kheap_new), [min-max] of the per-repetition ratios")
    out.append("%-26s %5s %26s %9s %-13s %9s %9s %6s" % (
        "case", "size", "1 CPU ns/pair (min-max)", "x peer", "[reps]",
        "Mops 1cpu", "Mops %dcpu" % allcpus, "scale"))
    for size in SIZES:
        for case in CASES:
            row = rows.get((test, case, size, 1))
            if not row or "ns_median" not in row:
                continue
            peer, r, sp = peer_ratio(rows, test, case, size, 1)
            m1 = row.get("mops")
            mn = get(rows, test, case, size, allcpus, "mops")
            out.append("%-26s %5d %26s %9s %-13s %9s %9s %6s" % (
                CASE_TEXT.get(case, case), size, spread(row),
                fmt(r, 8, 2) + ("z" if peer == "kzalloc" else " "),
                fmt_spread(sp), fmt(m1, 9, 3), fmt(mn, 9, 3),
                fmt(ratio(mn, m1), 6, 2)))
        out.append("")


def table_simple(rows, test, title, cpus, out, baseline="kmalloc",
                 sizes=SIZES, show_reps=False):
    present = [k for k in rows if k[0] == test]
    if not present:
        return
    out.append(title)
    out.append("%-26s %5s %26s %9s %-13s %9s%s" % (
        "case", "size", "ns/op (min-max)", "x " + baseline, "[reps]",
        "Mops", "   every repetition, in order" if show_reps else ""))
    for size in sizes:
        for case in CASES:
            row = rows.get((test, case, size, cpus))
            if not row or "ns_median" not in row:
                continue
            ka, kb = (test, case, size, cpus), (test, baseline, size, cpus)
            out.append("%-26s %5d %26s %9s %-13s %9s%s" % (
                CASE_TEXT.get(case, case), size, spread(row),
                fmt(ratio(row.get("ns_median"), get(rows, *kb)), 9, 2),
                fmt_spread(rep_spread(rows, ka, kb)),
                fmt(row.get("mops"), 9, 3),
                "   " + " ".join("%.0f" % v for v in row.get("reps", []))
                if show_reps else ""))
        out.append("")


def table_lat(rows, out):
    if not any(k[0] == "lat" for k in rows):
        return
    out.append("== lat: one get + put timed with ktime_get_ns() (ns, "
               "includes one clock read pair); 1000 live blocks in the heap;")
    out.append("   'reader': another CPU reads debugfs kheap/heap/kb.64/live "
               "in a loop meanwhile")
    out.append("%-26s %5s %7s %7s %7s %8s   %7s %7s %7s %8s" % (
        "case", "size", "p50", "p99", "p99.9", "max", "rd p50", "rd p99",
        "rd p99.9", "rd max"))
    for case in CASES:
        row = rows.get(("lat", case, 64, 1))
        if not row or "p50_ns" not in row:
            continue
        rd = rows.get(("lat_reader", case, 64, 2), {})
        cols = [row.get(c) for c in ("p50_ns", "p99_ns", "p999_ns", "max_ns")]
        rcols = [rd.get(c) for c in ("p50_ns", "p99_ns", "p999_ns", "max_ns")]
        out.append("%-26s %5d %7s %7s %7s %8s   %7s %7s %7s %8s" % tuple(
            [CASE_TEXT[case], 64] +
            [fmt(v, 7, 0) for v in cols[:3]] + [fmt(cols[3], 8, 0)] +
            [fmt(v, 7, 0) for v in rcols[:3]] + [fmt(rcols[3], 8, 0)]))
    out.append("")


def table_parts(rows, out):
    parts = [k for k in rows if k[0] == "parts" and "ns_median" in rows[k]]
    if not parts:
        return
    out.append("== parts: primitives of the tracked path, each alone (ns per "
               "operation and CPU; 'net': less the empty loop's median); "
               "for scale, the 64 B pairs:")
    out.append("%-34s %26s %7s %26s" % ("", "1 CPU", "net",
                                        "all CPUs at once"))
    loop = get(rows, "parts", "empty_loop", 0, 1)
    names = list(PART_TEXT) + sorted(
        {k[1] for k in parts} - set(PART_TEXT))
    for name in names:
        one = [k for k in parts if k[1] == name and k[3] == 1]
        if not one:
            continue
        many = [k for k in parts if k[1] == name and k[3] > 1]
        row = rows[one[0]]
        net = (row["ns_median"] - loop
               if loop is not None and name != "empty_loop" else None)
        label = PART_TEXT.get(name, name)
        if one[0][2]:
            label += " %d B" % one[0][2]
        out.append("%-34s %26s %7s %26s" % (
            label, spread(row), fmt(net, 7, 1),
            spread(rows[many[0]]) if many else ""))
    for case in ("kmalloc", "kheap_alloc", "kheap_alloc_nocache"):
        row = rows.get(("pair", case, 64, 1))
        if row and "ns_median" in row:
            many = [k for k in rows if k[:3] == ("pair", case, 64) and
                    k[3] > 1]
            out.append("%-34s %26s %7s %26s" % (
                "pair " + case + " 64 B", spread(row), "",
                spread(rows[many[0]]) if many else ""))
    out.append("")


def table_misc(rows, allcpus, out):
    xfer = [k for k in rows if k[0] == "xfer"]
    if xfer:
        out.append("== xfer: one pointer through a queue; 1 CPU: push then "
                   "pop; 2 CPUs: CPU0 pushes, CPU1 pops (ns per transfer)")
        for case in ("kheap_ring", "kfifo"):
            for cpus in (1, 2):
                row = rows.get(("xfer", case, 0, cpus))
                if row:
                    out.append("%-26s %5d cpu %26s %9s Mops" % (
                        case, cpus, spread(row), fmt(row.get("mops"), 9, 3)))
        out.append("")
    for cpus in (1, 2):
        row = rows.get(("hier", "kheap_hier_bytes", 1000, cpus))
        if row:
            if cpus == 1:
                out.append("== hier: kheap_hier_bytes() over a tree of 1000 "
                           "heaps (ns per call)")
            out.append("%-26s %26s" % (
                "alone" if cpus == 1 else "while 1 CPU allocates",
                spread(row)))
    if any(k[0] == "hier" for k in rows):
        out.append("")
    for test, title in (("scale", "== scale: lib/test_objpool.c's method, "
                         "64 B: bound kthread per CPU, start gate, fixed "
                         "duration (Mops/s = hits/us)"),
                        ("scale_irq", "== scale_irq: the same with an "
                         "hrtimer doing 4 gets + 4 puts in hardirq every "
                         "1 ms")):
        if not any(k[0] == test for k in rows):
            continue
        out.append(title)
        for case in ("kheap_pool", "objpool", "percpu_ctl"):
            if not any(k[:2] == (test, case) for k in rows):
                continue
            m1 = get(rows, test, case, 64, 1, "mops")
            mn = get(rows, test, case, 64, allcpus, "mops")
            out.append("%-26s 1 cpu %9s   %d cpus %9s   scaling %s" % (
                case, fmt(m1, 9, 3), allcpus, fmt(mn, 9, 3),
                fmt(ratio(mn, m1), 5, 2)))
        out.append("")
    mem = sorted(k for k in rows if k[0] == "mem")
    if mem:
        out.append("== mem: what a tracked block costs (bytes)")
        out.append("%-26s %5s %7s %8s %8s %14s %12s" % (
            "case", "size", "header", "trailer", "request", "kmalloc class",
            "plain class"))
        for k in mem:
            r = rows[k]
            out.append("%-26s %5d %7d %8d %8d %14d %12d" % (
                "kheap_alloc", r["size"], r["header_bytes"],
                r["trailer_bytes"], r["kmalloc_request"], r["kmalloc_class"],
                r["plain_class"]))
        out.append("")


def scaling(rows, test, case, size, allcpus):
    return ratio(get(rows, test, case, size, allcpus, "mops"),
                 get(rows, test, case, size, 1, "mops"))


def disturbed(rows, allcpus):
    """Sizes at which kmalloc itself did not scale: the host was busy."""
    return [s for s in SIZES
            if (scaling(rows, "pair", "kmalloc", s, allcpus) or 2) < 1.7]


def targets(rows, allcpus, cache="?"):
    """(text, value, goal text, spread, status) per target line.

    status is PASS, MISS, '-' (no figure) or 'absent' (a case the kheap
    under test cannot run: kheap_alloc_nocache without the cache
    parameter). spread is the [min-max] of the per-repetition ratios when
    both sides took turns in one run.
    """
    res = []

    def add(text, value, goal, ok, sp=None, unit="x", absent=False):
        if value is None:
            status = "absent" if absent else "-"
        else:
            status = "PASS" if ok(value) else "MISS"
        res.append((text, value, goal, sp, status, unit))

    def le(lim):
        return lambda v: v <= lim

    def ge(lim):
        return lambda v: v >= lim

    def pair(test, a, b, size, cpus=1):
        ka, kb = (test, a, size, cpus), (test, b, size, cpus)
        return ratio(get(rows, *ka), get(rows, *kb)), rep_spread(rows, ka, kb)

    nocache_absent = cache == "absent"
    for size in SIZES:
        v, sp = pair("pair", "kheap_alloc", "kmalloc", size)
        add("1. kheap_alloc+free / kmalloc+kfree, 1 CPU, %d B" % size,
            v, "<= 1.30", le(1.30), sp)
    for size in SIZES:
        ctl = scaling(rows, "pair", "kmalloc", size, allcpus)
        ka, kb = ("pair", "kheap_alloc", size, 1), \
            ("pair", "kheap_alloc", size, allcpus)
        add("2. kheap_alloc+free, %d CPUs / 1 CPU throughput, %d B"
            " [kmalloc: %s]" % (allcpus, size, fmt(ctl, 4, 2).strip()),
            scaling(rows, "pair", "kheap_alloc", size, allcpus),
            ">= 1.80", ge(1.80), rep_spread(rows, ka, kb, allcpus))
    for size in SIZES:
        v, sp = pair("pair", "kheap_pool", "kmem_cache", size)
        # The figure is 0.60; 0.5 is its goal.
        add("3a. kheap_pool_get+put / kmem_cache_alloc+free, 1 CPU, %d B"
            % size, v, "<= 0.60", le(0.60), sp)
    for size in SIZES:
        v, sp = pair("pair", "kheap_pool", "objpool", size)
        add("3b. kheap_pool_get+put / objpool_pop+push, 1 CPU, %d B" % size,
            v, "<= 1.00", le(1.00), sp)
    v, sp = pair("xfer", "kheap_ring", "kfifo", 0, 2)
    add("4. kheap_ring / kfifo, ns per transfer CPU0 -> CPU1", v,
        "<= 1.00", le(1.00), sp)
    ka, kb = ("scale", "kheap_pool", 64, 1), \
        ("scale", "kheap_pool", 64, allcpus)
    add("5. kheap_pool scaling 1 -> %d CPUs, test_objpool method"
        " [objpool: %s]" % (allcpus, fmt(scaling(
            rows, "scale", "objpool", 64, allcpus), 4, 2).strip()),
        scaling(rows, "scale", "kheap_pool", 64, allcpus),
        ">= 1.90", ge(1.90), rep_spread(rows, ka, kb, allcpus))
    ka, kb = ("scale_irq", "kheap_pool", 64, 1), \
        ("scale_irq", "kheap_pool", 64, allcpus)
    add("5b. kheap_pool scaling with hardirq gets+puts [objpool: %s, "
        "control: %s]" % tuple(fmt(scaling(
            rows, "scale_irq", c, 64, allcpus), 4, 2).strip()
            for c in ("objpool", "percpu_ctl")),
        scaling(rows, "scale_irq", "kheap_pool", 64, allcpus),
        ">= 1.90", ge(1.90), rep_spread(rows, ka, kb, allcpus))
    for size in SIZES:
        v, sp = pair("batch256", "kheap_alloc", "kmalloc", size)
        add("6. batch256: kheap_alloc / kmalloc, 1 CPU, %d B" % size, v,
            "<= 2.00", le(2.00), sp)
    v, sp = pair("mixed", "kheap_alloc", "kmalloc", 0)
    add("7. mixed 16-2048 B, 256 live: kheap_alloc / kmalloc, 1 CPU", v,
        "<= 1.60", le(1.60), sp)
    for test, size in [("pair", s) for s in SIZES] + \
            [("batch256", s) for s in SIZES] + [("mixed", 0)]:
        v, sp = pair(test, "kheap_alloc_nocache", "kmalloc", size)
        add("8. %s: kheap_alloc, cache off / kmalloc, 1 CPU%s" % (
            test, ", %d B" % size if size else ""), v, "<= 2.00",
            le(2.00), sp, absent=nocache_absent)
    for size in SIZES:
        v, sp = pair("pair", "kheap_new", "kzalloc", size)
        add("9. kheap_new+delete / kzalloc+kfree, 1 CPU, %d B" % size, v,
            "<= 1.30", le(1.30), sp)
    v, sp = pair("xcpu", "kheap_alloc", "kmalloc", 64, 2)
    add("10a. xcpu 64 B: kheap_alloc / kmalloc, median", v, "<= 2.00",
        le(2.00), sp)
    add("10b. xcpu 64 B: kheap_alloc, slowest / fastest repetition",
        ratio(get(rows, "xcpu", "kheap_alloc", 64, 2, "ns_max"),
              get(rows, "xcpu", "kheap_alloc", 64, 2, "ns_min")),
        "<= 2.00", le(2.00))
    add("11. kheap_alloc p99.9, 64 B: with a CPU reading live / alone",
        ratio(get(rows, "lat_reader", "kheap_alloc", 64, 2, "p999_ns"),
              get(rows, "lat", "kheap_alloc", 64, 1, "p999_ns")),
        "<= 2.00", le(2.00))
    add("12. kheap_alloc 64 B: the kmalloc class it lands in",
        get(rows, "mem", "kheap_alloc", 64, 1, "kmalloc_class"),
        "<= 128", le(128), unit=" B")
    return res


def print_targets(rows, allcpus, cache, out):
    out.append("== targets (the benchmark reports; a MISS fails nothing; "
               "[control] = the same ratio for the kernel's peer;")
    out.append("   [min-max] = the ratio in each repetition, where both "
               "sides took turns in one run)")
    for text, value, goal, sp, status, unit in targets(rows, allcpus,
                                                       cache):
        if value is None:
            shown = "-"
        elif unit == "x":
            shown = fmt(value, 7, 2) + "x"
        else:
            shown = "%d%s" % (value, unit)
        out.append("%-72s %8s %-13s (%s)  %s" % (
            text, shown, fmt_spread(sp), goal, status))


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        w.writeheader()
        for key in rows:
            if "ns_median" in rows[key] or key[0] == "mem":
                w.writerow(rows[key])


def write_reps_csv(rows, path):
    """Each repetition: test, case, size, cpus, boot, run, rep, ns."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["test", "case", "size", "cpus", "boot", "run", "rep",
                    "ns"])
        for key, row in rows.items():
            for i, v in enumerate(row.get("reps", [])):
                w.writerow(list(key) + [row["group"][0], row["group"][1],
                                        i + 1, v])


def has_data(path):
    """Does the data file hold a non-zero figure?"""
    with open(path) as f:
        return any(float(x) for line in f if not line.startswith("#")
                   for x in line.split()[1:])


def chart(rows, allcpus, outdir):
    """Write the gnuplot data and script; run gnuplot. False if it failed."""
    d = os.path.join(outdir, "bench")
    os.makedirs(d, exist_ok=True)
    cases = [c for c in CASES if ("pair", c, 64, 1) in rows]
    with open(os.path.join(d, "pair.dat"), "w") as f:
        f.write("# case " + " ".join("ns%d min%d max%d" % (s, s, s)
                                      for s in SIZES) + "\n")
        for c in cases:
            vals = []
            for s in SIZES:
                r = rows.get(("pair", c, s, 1), {})
                vals += [r.get("ns_median", 0), r.get("ns_min", 0),
                         r.get("ns_max", 0)]
            f.write("%s %s\n" % (c, " ".join("%.1f" % v for v in vals)))
    with open(os.path.join(d, "mops.dat"), "w") as f:
        f.write("# case mops_1cpu mops_allcpu (64 B)\n")
        for c in cases:
            f.write("%s %.3f %.3f\n" % (
                c, get(rows, "pair", c, 64, 1, "mops") or 0,
                get(rows, "pair", c, 64, allcpus, "mops") or 0))
    with open(os.path.join(d, "lat.dat"), "w") as f:
        f.write("# case p50 p99 p999 (64 B, 1 CPU)\n")
        for c in CASES:
            r = rows.get(("lat", c, 64, 1))
            if r and "p50_ns" in r:
                f.write("%s %d %d %d\n" % (c, r["p50_ns"], r["p99_ns"],
                                           r["p999_ns"]))
    with open(os.path.join(d, "scale.dat"), "w") as f:
        f.write("# run 1cpu allcpu\n")
        for test in ("scale", "scale_irq"):
            for c in ("kheap_pool", "objpool"):
                f.write("%s %.3f %.3f\n" % (
                    c + ("+irq" if test == "scale_irq" else ""),
                    get(rows, test, c, 64, 1, "mops") or 0,
                    get(rows, test, c, 64, allcpus, "mops") or 0))
    panels = [p % {"d": d, "all": allcpus}
              for name, p in PANELS if has_data(os.path.join(d, name))]
    if not panels:
        return False
    gp = os.path.join(outdir, "bench.gp")
    with open(gp, "w") as f:
        f.write(GNUPLOT_HEAD % {"d": d, "rows": (len(panels) + 1) // 2})
        f.write("".join(panels))
        f.write("unset multiplot\n")
    ok = True
    height = 450 * ((len(panels) + 1) // 2)
    for term, ext in (("svg size 1200,%d dynamic font 'sans,10'" % height,
                       "svg"),
                      ("pngcairo size 1200,%d font 'sans,9'" % height,
                       "png")):
        out = os.path.join(outdir, "bench." + ext)
        r = subprocess.run(["gnuplot", "-e", "set terminal %s; set output "
                            "'%s'" % (term, out), gp],
                           capture_output=True, text=True)
        if r.returncode:
            sys.stderr.write(r.stderr)
            ok = False
    return ok


GNUPLOT_HEAD = r"""# kheap benchmark chart; data in %(d)s (scripts/bench-report.py)
set multiplot layout %(rows)d,2 title "kheap benchmark under QEMU TCG: compare ratios, not absolute values"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -30 scale 0 noenhanced
set key top left noenhanced
set termoption noenhanced
set grid ytics
"""

# (data file, gnuplot commands): a panel is drawn when its file has data.
PANELS = [
    ("pair.dat", r"""
set title "get + put pair, 1 CPU (ns, median, min-max bars)"
unset logscale y
set yrange [0:*]
set style histogram errorbars gap 1 lw 1
plot '%(d)s/pair.dat' using 2:3:4:xtic(1) title "64 B", \
     '' using 5:6:7 title "256 B", '' using 8:9:10 title "1024 B"
"""),
    ("mops.dat", r"""
set title "get + put pair, 64 B: throughput (Mops/s)"
unset logscale y
set yrange [0:*]
set style histogram clustered gap 1
plot '%(d)s/mops.dat' using 2:xtic(1) title "1 CPU", \
     '' using 3 title "%(all)d CPUs"
"""),
    ("lat.dat", r"""
set title "latency of one pair, 64 B, 1 CPU (ns, log scale)"
set logscale y
set yrange [10:*]
set style histogram clustered gap 1
plot '%(d)s/lat.dat' using 2:xtic(1) title "p50", \
     '' using 3 title "p99", '' using 4 title "p99.9"
"""),
    ("scale.dat", r"""
set title "pool scaling, test_objpool method (Mops/s)"
unset logscale y
set yrange [0:*]
set style histogram clustered gap 1
plot '%(d)s/scale.dat' using 2:xtic(1) title "1 CPU", \
     '' using 3 title "%(all)d CPUs"
"""),
]


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in argv
                if a.startswith("--") and "=" in a)
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    logs, outdir = args[:-1], args[-1]
    os.makedirs(outdir, exist_ok=True)
    rows, info, skips = parse(logs[0], 0)
    extra = []
    for boot, log in enumerate(logs[1:], 1):
        if not os.path.exists(log):
            skips.append("%s: no console" % log)
            continue
        _, binfo, bskips = parse(log, boot, rows)
        extra.append(binfo)
        skips += bskips
    if not rows:
        print("bench-report: no result in %s" % " ".join(logs),
              file=sys.stderr)
        return 1
    allcpus = int(info.get("cpus", "2"))
    cache = info.get("cache", "?")
    date = opts.get("date", datetime.date.today().isoformat())
    out = ["kheap benchmark, %s; %s" % (date, opts.get("host", "")),
           "guest: Linux %s (scripts/kconfig/bench.config), %d CPUs, "
           "preempt=full; %s repetitions of ~%s ms each after a warm-up of "
           "%s operations" % (info.get("kernel", "?"), allcpus,
                              info.get("reps", "?"), info.get("rep_ms", "?"),
                              info.get("warmup", "?")),
           "kheap's block cache parameter: %s; init_on_alloc %s; the cases "
           "a ratio compares took turns, one repetition each" % (
               cache, info.get("init_on_alloc", "?"))]
    for binfo in extra:
        out.append("second boot: init_on_alloc %s, tests %s (its rows: "
                   "test pair_init)" % (binfo.get("init_on_alloc", "?"),
                                        binfo.get("tests", "?")))
    out.append("")
    table_pair(rows, allcpus, out)
    table_pair(rows, allcpus, out, "pair_init",
               "== pair_init: the same, in a second boot with "
               "init_on_alloc=1 (every allocation zeroed, Debian's default)")
    table_simple(rows, "batch256", "== batch256: 256 gets, then 256 puts; "
                 "ns per pair, 1 CPU", 1, out)
    table_simple(rows, "mixed", "== mixed: 256 live blocks in a ring; each "
                 "operation frees the oldest and allocates the next of 9 "
                 "sizes, 16-2048 B; ns per operation, 1 CPU", 1, out,
                 sizes=(0,))
    table_simple(rows, "xcpu", "== xcpu: CPU0 gets and hands each object "
                 "through a kheap_ring to CPU1, which puts it; ns per object",
                 2, out, show_reps=True)
    table_lat(rows, out)
    table_parts(rows, out)
    table_misc(rows, allcpus, out)
    print_targets(rows, allcpus, cache, out)
    for s in skips:
        out.append("skipped: %s" % s)
    bad = disturbed(rows, allcpus)
    if bad:
        out.append("WARNING: kmalloc+kfree itself did not scale to %d CPUs "
                   "at %s B: something else ran on the host; the multi-CPU "
                   "figures of this run are void" % (
                       allcpus, ", ".join(str(b) for b in bad)))
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    write_csv(rows, os.path.join(outdir, "bench.csv"))
    write_reps_csv(rows, os.path.join(outdir, "bench-reps.csv"))
    with open(os.path.join(outdir, "bench.txt"), "w") as f:
        f.write(text)
    drawn = chart(rows, allcpus, outdir)
    print("bench: %s/bench.csv, bench-reps.csv, bench.txt%s" % (
        outdir, ", bench.svg, bench.png" if drawn else " (gnuplot failed)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
