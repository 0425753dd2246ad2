"""How long `decider lint` takes: on the shipped rulebase, and on synthetic rulebases of growing size.

Run: .venv/bin/python benchmarks/lint_scaling.py [SIZES...]   (default sizes 25 50 100 200 rules)

The synthetic rulebases are seeded and random: boolean, choice and number questions, rules that test
one to three answers or an earlier conclusion, about half of them weighing in on one of four
approaches.  Prints seconds and the checks each run did, so growth with the number of rules shows.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from decider.lint.linter import lint_rulebase


def synthetic(rules: int, seed: int = 7) -> str:
    """A valid rulebase with `rules` rules and about rules/4 questions, as YAML text."""
    rng = random.Random(seed)
    n_questions = max(4, rules // 4)
    lines = ["rulebase: {id: synthetic, version: '1', title: Synthetic}",
             "sources: [{id: essay, title: Essay, sections: [P1]}]", "questions:"]
    kinds = []
    for q in range(n_questions):
        kind = ("boolean", "choice", "number")[q % 3]
        kinds.append(kind)
        if kind == "boolean":
            lines.append(f"  - {{id: q{q}, kind: boolean, text: 'Question {q}'}}")
        elif kind == "choice":
            lines.append(f"  - {{id: q{q}, kind: choice, text: 'Question {q}', choices: "
                         "[{id: a, label: A}, {id: b, label: B}, {id: c, label: C}]}")
        else:
            lines.append(f"  - {{id: q{q}, kind: number, unit: u, min: 0, max: 100, text: 'Question {q}'}}")
    conclusions = [f"c{i}" for i in range(rules // 3)]
    lines.append("conclusions:")
    lines += [f"  - {{id: {c}, kind: finding, title: Finding {c}}}" for c in conclusions]
    approaches = ["p", "r", "f", "s"]
    lines.append("approaches:")
    lines += [f"  - {{id: {a}, title: Approach {a}}}" for a in approaches]
    lines.append("rules:")

    def test(q: int) -> str:
        if kinds[q] == "boolean":
            return f"{{answer: q{q}, '==': {rng.choice(['true', 'false'])}}}"
        if kinds[q] == "choice":
            return f"{{answer: q{q}, in: [{rng.choice(['a', 'b', 'c'])}]}}"
        return f"{{answer: q{q}, '{rng.choice(['<', '>=', '<='])}': {rng.choice([10, 25, 50, 75])}}}"

    concluded: list[str] = []
    for i in range(rules):
        parts = [test(rng.randrange(n_questions)) for _ in range(rng.randint(1, 3))]
        if concluded and rng.random() < 0.4:
            c = rng.choice(concluded)
            parts.append(f"{{conclusion: {c}}}" if rng.random() < 0.7 else f"{{not: {{conclusion: {c}}}}}")
        when = "{all: [" + ", ".join(parts) + "]}"
        if i < len(conclusions):
            then = f"[{{conclude: {conclusions[i]}}}]"
            concluded.append(conclusions[i])
        else:
            verb = rng.choice(["support", "support", "oppose"])
            then = f"[{{{verb}: {rng.choice(approaches)}, weight: {rng.randint(1, 4)}}}]"
        lines.append(f"  - {{id: r{i}, when: {when}, then: {then}, because: Rule {i}., cite: P1}}")
    lines.append("policy: {default: p, tie_break: [p, r, f, s], confidence: {margin_scale: 3, unknown_penalty: 0.5}}")
    return "\n".join(lines) + "\n"


def main(sizes: list[int]) -> None:
    started = time.perf_counter()
    report = lint_rulebase()
    print(f"shipped: {time.perf_counter() - started:.2f}s  {report.to_text().splitlines()[-1]}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "rulebase.yaml").write_text(synthetic(size))
            started = time.perf_counter()
            report = lint_rulebase(tmp)
            elapsed = time.perf_counter() - started
            print(f"{size:>4} rules: {elapsed:6.2f}s  checks {report.summary.checks}  "
                  f"{report.summary.errors} errors, {report.summary.warnings} warnings, {report.summary.undecided} undecided")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [25, 50, 100, 200])
