"""Behaviour check for speed work: consultations of this checkout against another checkout.

    git archive HEAD | tar -x -C /tmp/before
    .venv/bin/python benchmarks/same_results.py /tmp/before [COUNT]

Runs COUNT sample profiles per answer mix (`decider.rulebase.samples`, three mixes; a tenth for fixtures) on both engines with
the shipped rulebase and the test fixture rulebases, in one child process per checkout, and
compares a sha256 of every Consultation JSON, Markdown report and trace digest. Exit 0 when all
are identical, 1 (with the first differing profile) otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import hashlib, json, sys
from decider import consult, load_rulebase
from decider.rulebase.samples import sample_profiles
out = []
for n, rules in enumerate(sys.argv[2:]):
    rulebase = load_rulebase(rules)
    count = int(sys.argv[1]) if n == 0 else max(int(sys.argv[1]) // 10, 20)
    for mix, odds in enumerate(({}, {"missing": 0.0, "unknown": 0.0}, {"missing": 0.3, "unknown": 0.3})):
        for k, answers in enumerate(sample_profiles(rulebase, count, seed=7 + mix, **odds)):
            for engine in ("durable_rules", "reference"):
                c = consult(rulebase, answers, engine=engine)
                body = c.model_dump_json() + "\\n" + c.to_markdown()
                out.append([rules, mix, k, engine, c.trace.digest, hashlib.sha256(body.encode()).hexdigest()])
print(json.dumps(out))
"""


def rulebases() -> list[str]:
    """The shipped rulebase and every fixture directory (or subdirectory) that loads as a rulebase."""
    from decider import load_rulebase
    from decider.errors import DeciderError

    found = [str(ROOT / "rules")]
    for path in sorted({p.parent for p in (ROOT / "tests" / "fixtures").rglob("*.yaml")}):
        try:
            load_rulebase(path)
        except DeciderError:
            continue
        found.append(str(path))
    return found


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    count = sys.argv[2] if len(sys.argv) > 2 else "500"
    dirs = rulebases()
    results = {}
    for name, source in (("before", Path(sys.argv[1]).resolve()), ("after", ROOT)):
        env = {**os.environ, "PYTHONPATH": str(source)}
        done = subprocess.run([sys.executable, "-c", CHILD, count, *dirs], capture_output=True, text=True,
                              env=env, cwd="/", check=True)
        results[name] = json.loads(done.stdout)
    before, after = results["before"], results["after"]
    if len(before) != len(after):
        print(f"different counts: {len(before)} before, {len(after)} after")
        return 1
    for old, new in zip(before, after):
        if old != new:
            print(f"DIFFERENT: {old} vs {new}")
            return 1
    print(f"identical: {len(after)} consultations (JSON, Markdown, trace digest) over {len(dirs)} rulebases, both engines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
