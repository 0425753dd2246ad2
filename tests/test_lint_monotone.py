"""E312: declared monotonicity (`monotone: {approach: up|down}` on a question) is checked exactly, with a
witness: on hand-written rulebases where it holds and where it does not, and against a brute force over
every complete answer combination of generated rulebases."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path
from typing import cast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decider.policy.outcome import decide
from decider.engine.reference import ReferenceEngine
from decider.lint.linter import lint_rulebase
from decider.rulebase.answers import validate_answers
from decider.rulebase.loader import load_rulebase
from decider.rulebase.model import Rulebase
from test_lint_random import GRID, random_rulebase

HEAD = """\
rulebase: {id: mono, version: '1', title: Monotone}
sources: [{id: essay, title: Essay, sections: [P1]}]
questions:
  - {id: n, kind: number, unit: u, min: 0, max: 100, text: N, monotone: MONO_N}
  - {id: b, kind: boolean, text: B, monotone: MONO_B}
  - {id: c, kind: choice, text: C, choices: [{id: x, label: X}, {id: y, label: Y}]}
approaches: [{id: a, title: A}, {id: o, title: O}]
conclusions: [{id: k, kind: finding, title: K}]
policy: {default: o, tie_break: [o, a], confidence: {margin_scale: 3, unknown_penalty: 0.5}}
rules:
  - {id: big, when: {answer: n, '>=': 50}, then: [{support: a, weight: 2}], because: B., cite: P1}
  - {id: small, when: {answer: n, '<': 10}, then: [{oppose: a, weight: 1}], because: B., cite: P1}
  - {id: noted, when: {all: [{answer: n, '>=': 75}, {answer: c, '==': y}]}, then: [{conclude: k}], because: B., cite: P1}
  - {id: costly, when: {conclusion: k}, then: [{VERB: a, weight: 3}], because: B., cite: P1}
  - {id: barred, when: {answer: b, '==': false}, then: [{exclude: a}], because: B., cite: P1}
  - {id: other, when: {answer: c, '==': x}, then: [{support: o, weight: 1}], because: B., cite: P1}
"""


def lint(tmp_path: Path, n: str = "{a: up}", b: str = "{a: up}", verb: str = "support") -> list[str]:
    (tmp_path / "rules.yaml").write_text(HEAD.replace("MONO_N", n).replace("MONO_B", b).replace("VERB", verb))
    report = lint_rulebase(tmp_path)
    assert not [f for f in report.findings if f.code in ("W308", "E902", "E100", "E101")], report.to_text()
    return [str(f) for f in report.findings if f.code == "E312"]


def test_declarations_that_hold_pass(tmp_path: Path) -> None:
    # n: -1 below 10, 0 to 50, +2 from 50, +2+3 from 75 when c is y: never lower going up; b: true never excludes
    assert lint(tmp_path) == []


def test_a_score_drop_behind_a_conclusion_is_found_with_its_witness(tmp_path: Path) -> None:
    (found,) = lint(tmp_path, verb="oppose")  # from 75 with c: y, +2-3 is below the +2 just under 75
    assert "question 'n' is declared monotone up for 'a', but answering n: 75 instead of " in found
    assert "lowers its score from 2 to -1, all other answers the same" in found
    witness = re.search(r"witness: (.*)", found)
    assert witness is not None and '"c": "y"' in witness.group(1)


def test_the_wrong_direction_and_an_exclusion_are_found(tmp_path: Path) -> None:
    found = lint(tmp_path, n="{a: down}", b="{a: down}")
    assert len(found) == 2, found
    assert any("'n' is declared monotone down for 'a', but answering n: 10 instead of 0 raises its score from -1 "
               "to 0, all other answers the same" in f for f in found), found
    assert any("'b' is declared monotone down for 'a', but answering b: true instead of false lifts its exclusion" in f
               for f in found), found


def test_a_declaration_on_an_approach_no_rule_reads_it_for_holds(tmp_path: Path) -> None:
    assert lint(tmp_path, n="{o: down}", b="{o: up}") == []


# ---------------------------------------------------------------- against a brute force

ORDER: dict[str, list[object]] = {"b": [False, True], "c": ["x", "y", "z"], "n": cast(list[object], GRID["n"])[:-1],
                                  "m": cast(list[object], GRID["m"])[:-1]}
"""Every known class of each question of the generated rulebases, earliest answer first."""


def broken_by_brute_force(rulebase: Rulebase) -> set[tuple[str, str]]:
    """(question, approach) declarations that some two neighbouring answers break, all else known and fixed."""
    engine = ReferenceEngine(rulebase)
    broken = set()
    for question in rulebase.questions:
        others = [q for q in ORDER if q != question.id]
        for approach, direction in question.monotone.items():
            for values in itertools.product(*(ORDER[q] for q in others)):
                standing = []
                for value in ORDER[question.id]:
                    answers = validate_answers(rulebase, {**dict(zip(others, values)), question.id: value})
                    outcome = decide(rulebase, answers, engine.run(answers))
                    score = next(s.score for s in outcome.ranking if s.approach == approach)
                    standing.append((score, any(e.approach == approach for e in outcome.excluded)))
                if direction == "down":
                    standing.reverse()
                if any(s2 < s1 or (off2 and not off1) for (s1, off1), (s2, off2) in zip(standing, standing[1:])):
                    broken.add((question.id, approach))
                    break
    return broken


def with_declarations(text: str, seed: int) -> str:
    """The generated rulebase with random declarations on every question, and an exclusion rule."""
    rng = random.Random(seed)
    for q in "bcnm":
        declared = ", ".join(f"{a}: {rng.choice(['up', 'down'])}" for a in rng.sample("pqr", rng.randint(1, 2)))
        text = re.sub(rf"(  - {{id: {q}, .*)}}$", rf"\1, monotone: {{{declared}}}}}", text, count=1, flags=re.M)
    test = rng.choice(["{answer: n, '>=': 50}", "{answer: b, '==': true}", "{answer: c, in: [x, y]}"])
    return text.replace("policy:", f"  - {{id: ex, when: {test}, then: [{{exclude: {rng.choice('pqr')}}}], "
                                   "because: B., cite: P1}\npolicy:")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9))
def test_monotone_findings_match_a_brute_force(tmp_path_factory: object, seed: int) -> None:
    directory = Path(tmp_path_factory.mktemp("mono"))  # type: ignore[attr-defined]
    (directory / "rulebase.yaml").write_text(with_declarations(random_rulebase(seed), seed))
    rulebase = load_rulebase(directory)
    report = lint_rulebase(directory)
    assert not [f for f in report.findings if f.code in ("W308", "E902")], report.to_text()
    reported = set()
    for found in report.findings:
        if found.code == "E312":
            approach = found.message.split(" for '", 1)[1].split("'", 1)[0]
            reported.add((found.item, approach))
    assert reported == broken_by_brute_force(rulebase), report.to_text()


def test_a_check_that_reaches_its_bound_says_undecided_with_the_bound(tmp_path: Path, monkeypatch: object) -> None:
    """The bounds stop only pathological rulebases; one set low shows what lint says then: W308 naming it."""
    import decider.lint.eligibility as eligibility
    import decider.lint.monotone as monotone

    monkeypatch.setattr(monotone, "MAX_MONOTONE_STATES", 0)  # type: ignore[attr-defined]
    monkeypatch.setattr(eligibility, "MAX_OPEN_STATES", 0)  # type: ignore[attr-defined]
    text = HEAD.replace("MONO_N", "{a: up}").replace("MONO_B", "{}").replace("VERB", "oppose")
    (tmp_path / "rules.yaml").write_text(text.replace("{answer: n, '<': 10}", "{any: [{not: {answer: n, '>=': 0}}, {answer: b, '==': true}]}"))
    report = lint_rulebase(tmp_path)
    undecided = [f.message for f in report.findings if f.code == "W308"]
    assert "monotone check of 'n' for 'a' is undecided: it visited more than 0 search states" in undecided
    assert "unknown-reading check of small is undecided: its search ran past its budget of 0 steps" in undecided
    assert not [f for f in report.findings if f.code in ("E311", "E312")], report.to_text()


def test_the_shipped_rulebase_format_failures_declaration_holds_and_its_reverse_is_caught(tmp_path: Path) -> None:
    """rules/README.md says why `format_failures` may be declared monotone up for tuning (the warnings weigh
    whether or not tuning is on the table); the reverse declaration is broken by answers lint exhibits."""
    import shutil

    from decider.lint.linter import lint_rulebase

    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).parent.parent / "rules", rules)
    questions = rules / "questions.yaml"
    text = questions.read_text(encoding="utf-8")
    declared = "  - id: format_failures\n    monotone: {fine_tune: up, fine_tune_small: up}\n"
    assert declared in text
    assert not [f for f in lint_rulebase(rules).findings if f.code == "E312"]
    questions.write_text(text.replace(declared, "  - id: format_failures\n    monotone: {fine_tune: down}\n", 1),
                         encoding="utf-8")
    found = [f.message for f in lint_rulebase(rules).findings if f.code == "E312"]
    assert len(found) == 1 and "'format_failures' is declared monotone down for 'fine_tune'" in found[0], found
