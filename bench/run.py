#!/usr/bin/env python3
"""The benchmark harness (SPEC §9): one command that builds everything, generates the province
corpus, runs every contender on it and writes docs/BENCHMARKS.md.

    python3 bench/run.py                      # the province: 1,400 returns x 120 rows
    python3 bench/run.py --million            # also once at 1,000,000 records
    python3 bench/run.py --units 140 --quick  # a small trial (no pandas, no scale check)

Contenders, all on the same generated workspace:
  C        bench/floor.rs read: every cell of the master list and the returns, calamine, files in parallel
  W        bench/floor.rs write: as many cells as C read, rust_xlsxwriter (constant memory)
  huizong  huizong run returns/2026-10 (all outputs: workbook, JSON, correction lists)
  pandas + python-calamine, pandas + openpyxl: bench/pipeline_*.py (rapidfuzz, xlsxwriter)

Each run is a child process measured with wait4: wall time, CPU time (user + system) and peak
resident memory. The Rust programs run --repeat times (the median is kept); the Python ones once.
Needs: cargo, python3 with pandas, python-calamine, rapidfuzz, xlsxwriter, openpyxl
(`pip install pandas python-calamine rapidfuzz xlsxwriter openpyxl`).
"""

import argparse
import importlib.metadata
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "target" / "release"
PERIOD = "2026-10"
PREVIOUS = "2026-09"


def run_measured(cmd, cwd=None, env=None):
    """Runs cmd as a child and measures it with os.wait4 (exact per-child rusage)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Read the pipes in full before reaping, so a chatty child cannot block on a full pipe.
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{err.decode('utf-8', 'replace')[-2000:]}")
    return {
        "wall": wall,
        "cpu": ru.ru_utime + ru.ru_stime,
        "rss_mb": ru.ru_maxrss / 1024,
        "out": out.decode("utf-8", "replace"),
        "err": err.decode("utf-8", "replace"),
    }


def median_run(cmd, repeat, before=None, **kw):
    runs = []
    for _ in range(repeat):
        if before:
            before()
        runs.append(run_measured(cmd, **kw))
    runs.sort(key=lambda r: r["wall"])
    mid = runs[len(runs) // 2]
    mid["walls"] = [r["wall"] for r in runs]
    return mid


def build():
    subprocess.run(
        ["cargo", "build", "--release", "--bin", "huizong", "--example", "gen_province", "--example", "floor"],
        cwd=ROOT,
        check=True,
    )


def generate(work, units, rows, seed, orgs=130):
    ws = work / f"province-{units}x{rows}-o{orgs}-s{seed}"
    stamp = ws / ".generated"
    if not stamp.exists():
        if ws.exists():
            shutil.rmtree(ws)
        subprocess.run(
            [
                RELEASE / "examples" / "gen_province",
                ws,
                *("--units", str(units), "--rows", str(rows), "--orgs", str(orgs), "--seed", str(seed)),
            ],
            check=True,
        )
        stamp.write_text("ok\n")
    return ws


def set_aside(ws, *paths):
    """Moves earlier outputs out of the way, into `.old` (removed by `remove_set_aside`).
    Not deleted: deleting a run's 1,400 files just before the next run is measured slows
    that run by up to half a second here (ext4 without a journal, as this machine's disk is,
    passes over inodes freed in the last 30 seconds when it makes files), a cost of the
    harness that a monthly run does not have."""
    old = ws / ".old"
    old.mkdir(exist_ok=True)
    for p in paths:
        if p.exists():
            p.rename(old / f"{len(list(old.iterdir()))}-{p.name}")


def remove_set_aside(ws):
    shutil.rmtree(ws / ".old", ignore_errors=True)


def clean_outputs(ws):
    def f():
        set_aside(ws, *(ws / d for d in ("输出", "pandas-calamine", "pandas-openpyxl")))

    return f


def run_huizong(ws, repeat):
    env = dict(os.environ, HUIZONG_TIMING="1")
    r = median_run(
        [RELEASE / "huizong", "run", f"returns/{PERIOD}", "-q"], repeat, before=clean_outputs(ws), cwd=ws, env=env
    )
    stages = re.findall(r"耗时 (\S+) ([0-9.]+) 秒", r["err"])
    r["stages"] = stages
    return r


def run_monthly(ws, repeat):
    """huizong with last period's report and workbook in the output folder (the monthly
    loop): this period's outputs, just written by run_huizong, are copied as last period's."""
    out = ws / "输出"
    # Copied in pieces: a child's peak memory as wait4 reports it starts from this process's
    # at the fork, so the harness must not hold the 140 MB report.
    with open(out / f"汇总_{PERIOD}.json", "rb") as src, open(out / f"汇总_{PREVIOUS}.json", "wb") as dst:
        head = src.read(4096)
        dst.write(head.replace(f'"period": "{PERIOD}"'.encode(), f'"period": "{PREVIOUS}"'.encode(), 1))
        shutil.copyfileobj(src, dst, 1 << 20)
    shutil.copy(out / f"汇总_{PERIOD}.xlsx", out / f"汇总_{PREVIOUS}.xlsx")

    def before():
        set_aside(ws, *(out / name for name in (f"汇总_{PERIOD}.json", f"汇总_{PERIOD}.xlsx", "退回修改")))

    env = dict(os.environ, HUIZONG_TIMING="1")
    r = median_run([RELEASE / "huizong", "run", f"returns/{PERIOD}", "-q"], repeat, before=before, cwd=ws, env=env)
    r["stages"] = re.findall(r"耗时 (\S+) ([0-9.]+) 秒", r["err"])
    return r


def records_of(ws):
    return sum(1 for _ in open(ws / "truth.csv", encoding="utf-8")) - 1


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem": mem,
        "os": f"{platform.system()} {platform.release()}",
        "rustc": rustc,
        "python": platform.python_version(),
    }


def py_versions():
    out = {}
    for mod in ("pandas", "python_calamine", "rapidfuzz", "xlsxwriter", "openpyxl"):
        try:
            m = __import__(mod)
            # python_calamine has no __version__; its distribution metadata has.
            out[mod] = getattr(m, "__version__", None) or importlib.metadata.version(mod.replace("_", "-"))
        except ImportError:
            out[mod] = "not installed"
    return out


def fmt_row(name, r):
    return f"| {name} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss_mb']:.0f} |"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=1400)
    ap.add_argument("--rows", type=int, default=120)
    ap.add_argument("--seed", type=int, default=2015)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "huizong-bench")
    ap.add_argument("--quick", action="store_true", help="no pandas pipelines, no scale check")
    ap.add_argument("--million", action="store_true", help="also run huizong once on 1,000,000 records")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "BENCHMARKS.md")
    a = ap.parse_args()

    build()
    a.work.mkdir(parents=True, exist_ok=True)
    ws = generate(a.work, a.units, a.rows, a.seed)
    n = records_of(ws)
    print(f"workspace {ws}: {n} records", file=sys.stderr)

    measured = [ws]
    results = {}
    c = median_run([RELEASE / "examples" / "floor", "read", "名册.xlsx", f"returns/{PERIOD}"], a.repeat, cwd=ws)
    cells = int(re.search(r"(\d+) cells read", c["out"]).group(1))
    results["C"] = c
    results["W"] = median_run(
        [RELEASE / "examples" / "floor", "write", a.work / "floor-w.xlsx", str(cells)], a.repeat, cwd=ws
    )
    results["huizong"] = run_huizong(ws, a.repeat)
    results["monthly"] = run_monthly(ws, a.repeat)
    if not a.quick:
        for variant in ("calamine", "openpyxl"):
            results[f"pandas-{variant}"] = median_run(
                [sys.executable, ROOT / "bench" / f"pipeline_{variant}.py", ws, ws / f"pandas-{variant}"],
                1,
                before=clean_outputs(ws),
            )

    scale = None
    if not a.quick:
        small = generate(a.work, a.units // 10, a.rows, a.seed)
        measured.append(small)
        scale = (records_of(small), run_huizong(small, a.repeat))

    million = None
    if a.million:
        # 120 organisations a unit keeps the master list within one Excel sheet.
        units = -(-1_000_000 // a.rows)
        big = generate(a.work, units, a.rows, a.seed, orgs=a.rows)
        measured.append(big)
        million = (records_of(big), run_huizong(big, 1))

    for w in measured:
        remove_set_aside(w)
    write_report(a, ws, n, cells, results, scale, million)


def write_report(a, ws, n, cells, results, scale, million):
    m = machine()
    h, C, W = results["huizong"], results["C"], results["W"]
    floor = C["wall"] + W["wall"]
    lines = []
    w = lines.append
    w("# Benchmarks")
    w("")
    w("Written by `python3 bench/run.py" + (" --million" if million else "") + "` on "
      f"{dt.date.today().isoformat()}; rerun it to reproduce (it builds, generates the corpus and "
      "runs every contender). Numbers are from one machine in one run; ratios matter, not seconds.")
    w("")
    w("## Machine")
    w("")
    w(f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['mem']}; {m['os']}")
    w(f"- {m['rustc']}; Python {m['python']} with "
      + ", ".join(f"{k} {v}" for k, v in py_versions().items()))
    w("")
    w("## Corpus")
    w("")
    w(f"`bench/gen_province.rs --units {a.units} --rows {a.rows} --seed {a.seed}`: {a.units:,} returns "
      f"(one .xlsx per unit) with {n:,} records against a master list of {a.units * 130:,} organisations; "
      f"{cells:,} non-empty cells in all. The names carry the noise of SPEC §4: prefixes, missing suffixes, "
      "homophone typos, annotations, aliases, abbreviations, new organisations, duplicates and another "
      "unit's organisations (`truth.csv` in the workspace lists each row's kind).")
    w("")
    w("## Results")
    w("")
    w("Median of " + str(a.repeat) + " runs for the Rust programs, one run for the Python ones. "
      "CPU = user + system of the process; memory = peak resident set.")
    w("")
    w("| Contender | Wall (s) | CPU (s) | Peak memory (MB) |")
    w("|---|---:|---:|---:|")
    names = {
        "C": "C: calamine reads every cell, files in parallel (`floor read`)",
        "W": f"W: rust_xlsxwriter writes {cells:,} cells (`floor write`)",
        "huizong": "huizong end to end (`huizong run`, all outputs)",
        "monthly": "huizong, monthly loop (last period's report and workbook beside it)",
        "pandas-calamine": "pandas + python-calamine + rapidfuzz + xlsxwriter",
        "pandas-openpyxl": "pandas + openpyxl + rapidfuzz + xlsxwriter",
    }
    for k, label in names.items():
        if k in results:
            w(fmt_row(label, results[k]))
    w("")
    w("### Targets (SPEC §9)")
    w("")
    w("| Target | Measured | Met |")
    w("|---|---|:---:|")
    ok = lambda b: "yes" if b else "**no**"
    ratio = h["wall"] / floor
    w(f"| huizong ≤ 1.5 × (C + W) | {h['wall']:.2f} s = {ratio:.2f} × ({C['wall']:.2f} + {W['wall']:.2f}) | {ok(ratio <= 1.5)} |")
    if "pandas-calamine" in results:
        x = results["pandas-calamine"]["wall"] / h["wall"]
        w(f"| ≥ 5 × faster than pandas + python-calamine | {x:.1f} × | {ok(x >= 5)} |")
    if "pandas-openpyxl" in results:
        x = results["pandas-openpyxl"]["wall"] / h["wall"]
        w(f"| ≥ 15 × faster than pandas + openpyxl | {x:.1f} × | {ok(x >= 15)} |")
    if scale:
        sn, sr = scale
        t = h["wall"] / sr["wall"]
        k = n / sn
        w(f"| {k:.0f} × the records ≤ {1.1 * k:.0f} × the time | {sn:,} → {n:,} records: {sr['wall']:.2f} s → {h['wall']:.2f} s = {t:.1f} × | {ok(t <= 1.1 * k)} |")
    mo = results.get("monthly")
    monthly = f" (monthly loop: {mo['rss_mb']:.0f} MB)" if mo else ""
    w(f"| peak memory ≤ 500 MB | {h['rss_mb']:.0f} MB{monthly} | {ok(h['rss_mb'] <= 500)} |")
    w("")
    w("### Where huizong's time goes")
    w("")
    w("Stage wall times of the median run (`HUIZONG_TIMING=1`). Stages overlap: 名册 runs beside "
      "读取报表; inside 生成汇总表, 生成问题清单 runs after 明细 on one core and 生成JSON after the other "
      "sheets on the other, and 汇总表压缩保存 runs first on whichever core finished its sheets last:")
    w("")
    w("| Stage | Wall (s) |")
    w("|---|---:|")
    for stage, secs in h["stages"]:
        w(f"| {stage} | {float(secs):.2f} |")
    w("")
    if million:
        mn, mr = million
        w("## One million records")
        w("")
        w(f"`bench/run.py --million`: {mn:,} records from {-(-1_000_000 // a.rows):,} returns against "
          f"{-(-1_000_000 // a.rows) * a.rows:,} organisations (one sheet of the master list holds at most "
          f"1,048,575), one run: **{mr['wall']:.1f} s wall, "
          f"{mr['cpu']:.1f} s CPU, {mr['rss_mb']:.0f} MB peak**.")
        w("")
        w("| Stage | Wall (s) |")
        w("|---|---:|")
        for stage, secs in mr["stages"]:
            w(f"| {stage} | {float(secs):.2f} |")
        w("")
    w("## Commands")
    w("")
    w("```sh")
    w("pip install pandas python-calamine rapidfuzz xlsxwriter openpyxl")
    w("python3 bench/run.py            # writes this file")
    w(f"# by hand, in the generated workspace ({ws.name}):")
    w(f"target/release/examples/floor read 名册.xlsx returns/{PERIOD}")
    w(f"target/release/examples/floor write /tmp/w.xlsx {cells}")
    w(f"HUIZONG_TIMING=1 target/release/huizong run returns/{PERIOD}")
    w("python3 bench/pipeline_calamine.py WORKSPACE OUT; python3 bench/pipeline_openpyxl.py WORKSPACE OUT")
    w("```")
    w("")
    text = "\n".join(lines)
    # Hand-written notes below the marker survive a rerun.
    marker = "<!-- notes: kept by bench/run.py -->"
    notes = ""
    if a.out.exists() and marker in a.out.read_text(encoding="utf-8"):
        notes = a.out.read_text(encoding="utf-8").split(marker, 1)[1]
    text += "\n" + marker + notes
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(text + ("\n" if not text.endswith("\n") else ""), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
