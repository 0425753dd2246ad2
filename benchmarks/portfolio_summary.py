"""What `decider batch --summary` adds to a batch of 1,000 profiles (target: under 5 s beyond the batch).

    .venv/bin/python benchmarks/portfolio_summary.py [ROWS] [ROUNDS]

Before/after in one run: the same CSV of ROWS sample profiles goes through `decider batch --out` without
and with `--summary` (Markdown + SVG, then HTML), in alternating child processes (which one goes first
rotates each round), so every variant sees the same machine load. Prints the median wall time of each
and the median difference; then times the summary step alone in-process (counting the results, drawing
the chart, writing the files), which is the part the difference is made of.
"""

from __future__ import annotations

import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from decider import load_rulebase  # noqa: E402
from decider.reasoning.batch import consult_many  # noqa: E402
from decider.reasoning.portfolio import PortfolioCounter, write_summary  # noqa: E402
from decider.rulebase.samples import sample_profiles  # noqa: E402

TARGET = 5.0


def write_rows(path: Path, count: int) -> None:
    rulebase = load_rulebase()
    columns = [q.id for q in rulebase.questions]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for profile in sample_profiles(rulebase, count, seed=14):
            writer.writerow(["yes" if v is True else "no" if v is False else "" if v is None else v
                             for v in (profile.get(c) for c in columns)])


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "decider", "batch", *args], capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 2):
        raise SystemExit(f"decider batch failed ({done.returncode}): {done.stderr}")
    return elapsed


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        source = work / "portfolio.csv"
        write_rows(source, rows)
        variants = {
            "batch alone": [str(source), "--out", str(work / "a.jsonl")],
            "batch --summary FILE.md": [str(source), "--out", str(work / "b.jsonl"), "--summary", str(work / "s.md")],
            "batch --summary FILE.html": [str(source), "--out", str(work / "c.jsonl"), "--summary", str(work / "s.html")],
        }
        times: dict[str, list[float]] = {name: [] for name in variants}
        names = list(variants)
        for round_ in range(rounds):
            order = names[round_ % len(names):] + names[:round_ % len(names)]
            for name in order:
                times[name].append(timed(variants[name]))
        rulebase = load_rulebase()
        results = list(consult_many(rulebase, sample_profiles(rulebase, rows, seed=14)))
        alone = []
        for _ in range(rounds):
            start = time.perf_counter()
            counter = PortfolioCounter(rulebase)
            for result in results:
                counter.add(result)
            write_summary(counter.portfolio(), str(work / "inproc.md"))
            write_summary(counter.portfolio(), str(work / "inproc.html"))
            alone.append(time.perf_counter() - start)
    base = statistics.median(times["batch alone"])
    print(f"{rows} profiles, {rounds} rounds (alternating child processes)\n")
    print("| variant | median wall time | beyond the batch (median of per-round differences) |")
    print("|---|---:|---:|")
    worst = 0.0
    for name in names:
        extra = statistics.median(a - b for a, b in zip(times[name], times["batch alone"]))
        worst = max(worst, extra)
        shown = "—" if name == "batch alone" else f"{extra:+.3f} s"
        print(f"| {name} | {statistics.median(times[name]):.3f} s | {shown} |")
    print(f"\nsummary step alone, in-process (count {rows} results, Markdown + SVG and HTML written): "
          f"median {statistics.median(alone) * 1000:.1f} ms")
    met = worst < TARGET
    print(f"target: under {TARGET:g} s beyond the batch — {'met' if met else 'MISSED'} "
          f"(largest median difference {worst:+.3f} s; batch alone {base:.3f} s)")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
