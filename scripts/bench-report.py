#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console of a `make bench` boot into a CSV, a table and a chart.

Usage: bench-report.py CONSOLE.log OUTDIR [--host TEXT] [--date YYYY-MM-DD]

Reads the "kheap_bench: ..." lines kheap_bench.ko prints (bench/run.c,
kb_print()), writes OUTDIR/bench.csv, prints the tables and the ratios the
targets name, each with PASS or MISS, and writes OUTDIR/bench.gp with its
data under OUTDIR/bench/, then runs gnuplot on it for OUTDIR/bench.svg and
OUTDIR/bench.png. The figures are reported, never judged: the exit status is
1 only when the console holds no result at all.
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
CASES = ["kmalloc", "kmem_cache", "mempool", "objpool", "kheap_alloc",
         "kheap_trace", "kheap_new", "kheap_pool", "kheap_chain"]
CASE_TEXT = {
    "kmalloc": "kmalloc+kfree",
    "kmem_cache": "kmem_cache_alloc+free",
    "mempool": "mempool_alloc+free",
    "objpool": "objpool_pop+push",
    "kheap_alloc": "kheap_alloc+kheap_free",
    "kheap_trace": "  same, trace reporter on",
    "kheap_new": "kheap_new+kheap_delete",
    "kheap_pool": "kheap_pool_get+put",
    "kheap_chain": "kheap_chain_get+put",
}


def parse(path):
    """Rows keyed by (test, case, size, cpus), and the info lines."""
    rows, info, skips = {}, {}, []
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
            elif kind in ("tput", "lat") and len(rest) >= 9:
                key = (rest[0], rest[1], int(rest[2]), int(rest[3]))
                row = rows.setdefault(key, {"test": key[0], "case": key[1],
                                            "size": key[2], "cpus": key[3]})
                if kind == "tput":
                    for col, v in zip(["ns_median", "ns_min", "ns_max",
                                       "mops", "misses"], rest[4:9]):
                        row[col] = float(v) if col != "misses" else int(v)
                else:
                    for col, v in zip(["p50_ns", "p99_ns", "p999_ns",
                                       "max_ns", "samples"], rest[4:9]):
                        row[col] = int(v)
            elif kind == "mem" and len(rest) >= 7:
                key = ("mem", rest[0], int(rest[1]), 1)
                rows[key] = dict(zip(CSV_COLUMNS[:4], key))
                for col, v in zip(CSV_COLUMNS[14:], rest[2:7]):
                    rows[key][col] = int(v)
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


def table_pair(rows, allcpus, out):
    out.append("== pair: get + put of one object, tight loop; ns per pair "
               "and CPU, median of the repetitions (min-max)")
    out.append("%-26s %5s %26s %9s %9s %9s %6s" % (
        "case", "size", "1 CPU ns/pair (min-max)", "x kmalloc",
        "Mops 1cpu", "Mops %dcpu" % allcpus, "scale"))
    for size in SIZES:
        base = get(rows, "pair", "kmalloc", size, 1)
        for case in CASES:
            row = rows.get(("pair", case, size, 1))
            if not row:
                continue
            m1 = row.get("mops")
            mn = get(rows, "pair", case, size, allcpus, "mops")
            out.append("%-26s %5d %26s %9s %9s %9s %6s" % (
                CASE_TEXT[case], size, spread(row),
                fmt(ratio(row.get("ns_median"), base), 9, 2),
                fmt(m1, 9, 3), fmt(mn, 9, 3), fmt(ratio(mn, m1), 6, 2)))
        out.append("")


def table_simple(rows, test, title, cpus, out, baseline="kmalloc"):
    present = [k for k in rows if k[0] == test]
    if not present:
        return
    out.append(title)
    out.append("%-26s %5s %26s %9s %9s" % ("case", "size", "ns/op (min-max)",
                                          "x " + baseline, "Mops"))
    for size in SIZES:
        base = get(rows, test, baseline, size, cpus)
        for case in CASES:
            row = rows.get((test, case, size, cpus))
            if not row:
                continue
            out.append("%-26s %5d %26s %9s %9s" % (
                CASE_TEXT[case], size, spread(row),
                fmt(ratio(row.get("ns_median"), base), 9, 2),
                fmt(row.get("mops"), 9, 3)))
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
    parts = [k for k in rows if k[0] == "parts"]
    if not parts:
        return
    out.append("== parts: primitives of the tracked path, each alone (ns per "
               "operation and CPU); for scale, the 64 B pairs:")
    out.append("%-30s %26s %26s" % ("", "1 CPU", "all CPUs at once"))
    names = [k[1] for k in parts if k[3] == 1]
    for name in names:
        many = [k for k in parts if k[1] == name and k[3] > 1]
        out.append("%-30s %26s %26s" % (
            name, spread(rows[("parts", name, 0, 1)]),
            spread(rows[many[0]]) if many else ""))
    for case in ("kmalloc", "kheap_alloc"):
        row = rows.get(("pair", case, 64, 1))
        if row:
            many = [k for k in rows if k[:3] == ("pair", case, 64) and
                    k[3] > 1]
            out.append("%-30s %26s %26s" % (
                "pair " + case + " 64 B", spread(row),
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
        for case in ("kheap_pool", "objpool"):
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


def targets(rows, allcpus):
    """(text, value, goal text, passed) per target line."""
    res = []

    def add(text, value, goal, ok):
        res.append((text, value, goal, None if value is None else ok(value)))

    for size in SIZES:
        add("1. kheap_alloc+free / kmalloc+kfree, 1 CPU, %d B" % size,
            ratio(get(rows, "pair", "kheap_alloc", size, 1),
                  get(rows, "pair", "kmalloc", size, 1)),
            "<= 1.30", lambda v: v <= 1.30)
    for size in SIZES:
        ctl = scaling(rows, "pair", "kmalloc", size, allcpus)
        add("2. kheap_alloc+free, %d CPUs / 1 CPU throughput, %d B"
            " [kmalloc: %s]" % (allcpus, size, fmt(ctl, 4, 2).strip()),
            scaling(rows, "pair", "kheap_alloc", size, allcpus),
            ">= 1.80", lambda v: v >= 1.80)
    for size in SIZES:
        add("3a. kheap_pool_get+put / kmem_cache_alloc+free, 1 CPU, %d B"
            % size,
            ratio(get(rows, "pair", "kheap_pool", size, 1),
                  get(rows, "pair", "kmem_cache", size, 1)),
            "<= 0.50", lambda v: v <= 0.50)
    for size in SIZES:
        add("3b. kheap_pool_get+put / objpool_pop+push, 1 CPU, %d B" % size,
            ratio(get(rows, "pair", "kheap_pool", size, 1),
                  get(rows, "pair", "objpool", size, 1)),
            "<= 1.00", lambda v: v <= 1.00)
    add("4. kheap_ring / kfifo, ns per transfer CPU0 -> CPU1",
        ratio(get(rows, "xfer", "kheap_ring", 0, 2),
              get(rows, "xfer", "kfifo", 0, 2)),
        "<= 1.00", lambda v: v <= 1.00)
    add("5. kheap_pool scaling 1 -> %d CPUs, test_objpool method"
        " [objpool: %s]" % (allcpus, fmt(scaling(
            rows, "scale", "objpool", 64, allcpus), 4, 2).strip()),
        scaling(rows, "scale", "kheap_pool", 64, allcpus),
        ">= 1.90", lambda v: v >= 1.90)
    return res


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        w.writeheader()
        for key in rows:
            w.writerow(rows[key])


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
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    log, outdir = args
    os.makedirs(outdir, exist_ok=True)
    rows, info, skips = parse(log)
    if not rows:
        print("bench-report: no result in %s" % log, file=sys.stderr)
        return 1
    allcpus = int(info.get("cpus", "2"))
    date = opts.get("date", datetime.date.today().isoformat())
    out = ["kheap benchmark, %s; %s" % (date, opts.get("host", "")),
           "guest: Linux %s (scripts/kconfig/bench.config), %d CPUs, "
           "preempt=full; %s repetitions of ~%s ms each after a warm-up of "
           "%s operations" % (info.get("kernel", "?"), allcpus,
                              info.get("reps", "?"), info.get("rep_ms", "?"),
                              info.get("warmup", "?")),
           ""]
    table_pair(rows, allcpus, out)
    table_simple(rows, "batch256", "== batch256: 256 gets, then 256 puts; "
                 "ns per pair, 1 CPU", 1, out)
    table_simple(rows, "xcpu", "== xcpu: CPU0 gets and hands each object "
                 "through a kheap_ring to CPU1, which puts it; ns per object",
                 2, out)
    table_lat(rows, out)
    table_parts(rows, out)
    table_misc(rows, allcpus, out)
    out.append("== targets (the benchmark reports; a MISS fails nothing; "
               "[control] = the same ratio for the kernel's peer)")
    for text, value, goal, passed in targets(rows, allcpus):
        out.append("%-77s %7s  (%s)  %s" % (
            text, fmt(value, 7, 2) + "x" if value is not None else "-",
            goal, "-" if passed is None else ("PASS" if passed else "MISS")))
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
    with open(os.path.join(outdir, "bench.txt"), "w") as f:
        f.write(text)
    drawn = chart(rows, allcpus, outdir)
    print("bench: %s/bench.csv, bench.txt%s" % (
        outdir, ", bench.svg, bench.png" if drawn else " (gnuplot failed)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
