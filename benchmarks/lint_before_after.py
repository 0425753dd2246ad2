"""`decider lint` of this checkout against another checkout of decider, on the same rulebases, in one run.

    git archive f6d27e9 | tar -x -C /tmp/before
    .venv/bin/python benchmarks/lint_before_after.py /tmp/before rules /tmp/v2rules@1 synthetic:100

Each RULEBASE is a directory or `synthetic:N` (the seeded N-rule rulebase of lint_scaling.py), with an
optional `@ROUNDS` (default 3) for how often each side lints it.  Rounds alternate between the two
checkouts in child processes (before, after, before, ...), so both see the same machine load.  Prints
the median seconds of each side, their ratio, and the findings that differ (code, item and message;
witnesses may differ, as either side may find other answers showing the same finding, and so may the
score a W305 tie is shown at, which is left out of the comparison).
"""

from __future__ import annotations

import json
import os
import runpy
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import json, re, sys, time
try:
    from decider.lint.linter import lint_rulebase
except ImportError:  # a checkout from before the lint package
    from decider.reasoning.verify.lint import lint_rulebase
started = time.perf_counter()
report = lint_rulebase(sys.argv[1])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "findings": sorted({(f.code, f.item or "", re.sub(r" at score \\S+;", ";", f.message))
                                                         for f in report.findings})}))
"""


def lint_in(checkout: Path, rulebase: str) -> tuple[float, set[tuple[str, str, str]]]:
    """Seconds and findings of one lint run by the decider in `checkout`."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run([sys.executable, "-c", CHILD, rulebase], env=env, cwd=checkout, capture_output=True,
                          text=True, check=True)
    result = json.loads(done.stdout)
    return result["seconds"], {tuple(f) for f in result["findings"]}


def main(before: Path, specs: list[str]) -> None:
    synthetic = runpy.run_path(str(ROOT / "benchmarks" / "lint_scaling.py"))["synthetic"]  # the sibling script's generator

    with tempfile.TemporaryDirectory() as scratch:
        for spec in specs:
            name, _, rounds_text = spec.partition("@")
            rounds = int(rounds_text or 3)
            path = name
            if name.startswith("synthetic:"):
                size = int(name.split(":")[1])
                path = str(Path(scratch) / f"synthetic{size}")
                Path(path).mkdir(exist_ok=True)
                (Path(path) / "rulebase.yaml").write_text(synthetic(size))
            path = str(Path(path).resolve())
            times: dict[str, list[float]] = {"before": [], "after": []}
            found: dict[str, set[tuple[str, str, str]]] = {}
            for _ in range(rounds):
                for side, checkout in (("before", before), ("after", ROOT)):
                    seconds, findings = lint_in(checkout, path)
                    times[side].append(seconds)
                    found[side] = findings
            b, a = statistics.median(times["before"]), statistics.median(times["after"])
            print(f"{name}: before median {b:.2f} s {_runs(times['before'])}, after median {a:.2f} s "
                  f"{_runs(times['after'])}, before/after {b / a:.1f}x")
            for side, other in (("before", "after"), ("after", "before")):
                for code, item, message in sorted(found[side] - found[other]):
                    print(f"  only {side}: {code} [{item}] {message}")
            if found["before"] == found["after"]:
                print("  findings: the same")


def _runs(values: list[float]) -> str:
    return "(" + ", ".join(f"{v:.2f}" for v in values) + ")"


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]).resolve(), sys.argv[2:])
