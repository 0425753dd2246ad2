"""consult() of this checkout against another checkout of decider (e.g. the foundation commit).

    git archive dc18564 | tar -x -C /tmp/before
    .venv/bin/python benchmarks/before_after.py /tmp/before [--own-rules] [--rounds N] [--count N] [--open F]

Runs the same profiles in alternating child processes (before, after, before, ...) so both
see the same machine load, and prints the median per call of each round and overall.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import random, statistics, sys, time
from decider import consult, load_rulebase
rulebase = load_rulebase(sys.argv[1])
rng = random.Random(1)
profiles = []
for _ in range(int(sys.argv[2])):
    profile = {}
    for q in rulebase.questions:
        roll = rng.random()
        if roll < float(sys.argv[3]) / 2:
            continue
        if roll < float(sys.argv[3]):
            profile[q.id] = "unknown"
        elif q.kind == "boolean":
            profile[q.id] = rng.choice([True, False])
        elif q.kind == "choice":
            profile[q.id] = rng.choice(q.choices).id
        elif q.kind == "scale":
            profile[q.id] = rng.randint(q.min, q.max)
        else:
            profile[q.id] = rng.choice([q.min, q.max, round(rng.uniform(q.min, q.max), 1)])
    profiles.append(profile)
for p in profiles[:max(1, len(profiles) // 8)]:
    consult(rulebase, p)
samples = []
for p in profiles:
    start = time.perf_counter()
    consult(rulebase, p)
    samples.append(time.perf_counter() - start)
print(statistics.median(samples))
"""


def _option(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    before = Path(sys.argv[1]).resolve()
    own = "--own-rules" in sys.argv  # each checkout consults its own rulebase (when the rule language changed)
    rounds = int(_option("--rounds", "4"))
    count = int(_option("--count", "1500"))  # profiles per round (an eighth more are consulted to warm up)
    opened = _option("--open", "0.2")  # share of questions left open (half unanswered, half "not sure")
    rules = str(ROOT / "rules")
    results: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(rounds):
        for name, source in (("before", before), ("after", ROOT)):
            env = {**os.environ, "PYTHONPATH": str(source)}
            done = subprocess.run([sys.executable, "-c", CHILD, str(source / "rules") if own else rules, str(count), opened],
                                  capture_output=True, text=True,
                                  env=env, cwd="/", check=True)
            results[name].append(float(done.stdout))
    print("| consult() median per call | " + " | ".join(f"round {i + 1}" for i in range(rounds)) + " | overall |")
    print("|---|" + "---:|" * (rounds + 1))
    for name, values in results.items():
        cells = " | ".join(f"{v * 1e6:,.0f} µs" for v in values)
        print(f"| {name} | {cells} | {statistics.median(values) * 1e6:,.0f} µs |")
    ratio = statistics.median(results["before"]) / statistics.median(results["after"])
    which = "each checkout's own rulebase" if own else f"same rulebase `{rules}`"
    print(f"\nspeed-up: {ratio:.2f}× (same profiles, {which}, {float(opened):.0%} of questions open, "
          "alternating processes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
