"""W305 witnesses are completions the policy itself discloses as a tie: every answer that bears on the
tie is known, a figure included (an open input would make the figure range over its classes, and the
policy would judge the tie over those completions), and the policy names the same tied approaches at
confidence 0.  Figures are where lint and the policy once disagreed: a witness that left a figure's
input open was no tie to the policy, and the tie search went on for minutes before saying W308."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decider.policy.outcome import Outcome, decide
from decider.engine.reference import ReferenceEngine
from decider.lint.findings import Finding
from decider.lint.linter import lint_rulebase
from decider.rulebase.answers import validate_answers
from decider.rulebase.loader import load_rulebase
from decider.rulebase.model import Rulebase

HEADER = """\
rulebase: {id: ties, version: '1', title: Ties}
sources: [{id: essay, title: Essay, sections: [P1]}]
questions:
  - {id: b, kind: boolean, text: B}
  - {id: c, kind: boolean, text: C}
  - {id: n, kind: number, unit: u, min: 0, max: 100, text: N}
  - {id: m, kind: number, unit: u, min: 0, max: 100, text: M}
  - {id: d, kind: boolean, text: D}  # read by no rule: a witness leaves it out
figures:
  - {id: f, title: F, unit: u, expr: n / m}
approaches: [{id: p, title: P}, {id: q, title: Q}, {id: r, title: R}]
policy: {default: p, tie_break: [p, q, r], confidence: {margin_scale: 3, unknown_penalty: 0.5}}
rules:
"""


def _rule(rule_id: str, when: str, verb: str, approach: str, weight: int) -> str:
    return (f"  - {{id: {rule_id}, when: {when}, then: [{{{verb}: {approach}, weight: {weight}}}], "
            "because: B., cite: P1}\n")


def _lint(directory: Path, rules: str) -> tuple[Rulebase, list[Finding]]:
    (directory / "rulebase.yaml").write_text(HEADER + rules)
    return load_rulebase(directory), list(lint_rulebase(directory).findings)


def _tied(found: Finding) -> tuple[str, ...]:
    """The tied approaches a W305 names (or a W308 that could not confirm them)."""
    if found.code == "W308":
        return tuple(found.message.removeprefix("answers that would tie ").split(" need ")[0].split(", "))
    return tuple(found.message.split(" tie at")[0].removeprefix("approaches ").split(", "))


def _outcome(rulebase: Rulebase, witness: dict[str, object]) -> Outcome:
    answers = validate_answers(rulebase, witness)
    return decide(rulebase, answers, ReferenceEngine(rulebase).run(answers))


def assert_disclosed(rulebase: Rulebase, found: Finding) -> None:
    """The W305 witness is a tie the policy discloses: the same approaches, settled, confidence 0."""
    assert found.witness is not None
    outcome = _outcome(rulebase, found.witness)
    assert tuple(sorted((outcome.primary, *outcome.tied))) == _tied(found), (str(found), outcome.tied)
    assert outcome.settled and outcome.confidence == 0, str(found)
    assert outcome.primary == found.message.rsplit("picks '", 1)[-1].rstrip("'"), str(found)


def _figure_ties(directory: Path, figure_weight: int) -> list[Finding]:
    """Lint of f >= 1 for p and f < 1 for q (each at `figure_weight`), b for q and c for p (each at 1):
    decided (no W308), with every W305 disclosed by the policy."""
    rules = (_rule("big", "{figure: f, '>=': 1}", "support", "p", figure_weight)
             + _rule("small", "{figure: f, '<': 1}", "support", "q", figure_weight)
             + _rule("bee", "{answer: b, '==': true}", "support", "q", 1)
             + _rule("cee", "{answer: c, '==': true}", "support", "p", 1))
    rulebase, findings = _lint(directory, rules)
    assert not [f for f in findings if f.code == "W308"], [str(f) for f in findings]
    ties = [f for f in findings if f.code == "W305"]
    for found in ties:
        assert_disclosed(rulebase, found)
    return ties


def test_a_tie_beside_a_figure_is_witnessed_with_the_figure_known(tmp_path: Path) -> None:
    """p and q tie when f >= 1 and b; with f unknown they tie too when b and c, but only because
    neither figure rule fires — left open, an input of f makes one of them fire in every completion."""
    assert {_tied(f) for f in _figure_ties(tmp_path, 1)} == {("p", "q")}


def test_a_tie_only_an_undefined_figure_allows_is_witnessed_with_a_zero_divisor(tmp_path: Path) -> None:
    """With f known one figure rule outweighs b and c; only m = 0 (f undefined, every input known)
    leaves p and q level, and that is a completion the policy counts."""
    (found,) = _figure_ties(tmp_path, 2)
    assert _tied(found) == ("p", "q")
    assert found.witness is not None and found.witness.get("m") == 0 and "n" in found.witness


def random_rules(seed: int) -> str:
    """Four to eight rules weighing p, q, r on b, c, n, m and the figure f = n / m."""
    rng = random.Random(seed)

    def test() -> str:
        subject = rng.choice(["b", "c", "n", "m", "f", "f"])
        if subject in ("b", "c"):
            return f"{{answer: {subject}, '==': {rng.choice(['true', 'false'])}}}"
        if subject == "f":
            if rng.random() < 0.15:
                return "{figure: f, is: unknown}"
            return f"{{figure: f, '{rng.choice(['<', '<=', '>', '>='])}': {rng.choice([0.5, 1, 2])}}}"
        return f"{{answer: {subject}, '{rng.choice(['<', '>=', '=='])}': {rng.choice([0, 10, 50])}}}"

    def condition() -> str:
        if rng.random() < 0.3:
            return f"{{{rng.choice(['all', 'any'])}: [{test()}, {test()}]}}"
        return test()

    return "".join(_rule(f"w{i}", condition(), rng.choice(["support", "support", "oppose"]), rng.choice("pqr"),
                         rng.randint(1, 3)) for i in range(rng.randint(4, 8)))


GRID = (0, 0.25, 0.5, 1, 2, 5, 9, 10, 11, 20, 49, 50, 51, 100)
"""Values of n and m putting n, m and f = n / m in every class the random rules can tell apart."""


def disclosed_ties(rulebase: Rulebase) -> set[tuple[str, ...]]:
    """The tie sets the policy discloses for some complete answers on the grid (each a completion)."""
    engine = ReferenceEngine(rulebase)
    found = set()
    for b, c, n, m in itertools.product((True, False), (True, False), GRID, GRID):
        answers = validate_answers(rulebase, {"b": b, "c": c, "n": n, "m": m})
        outcome = decide(rulebase, answers, engine.run(answers))
        if outcome.tied:
            found.add(tuple(sorted((outcome.primary, *outcome.tied))))
    return found


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9))
def test_every_tie_lint_reports_is_one_the_policy_discloses(tmp_path_factory: object, seed: int) -> None:
    """Sound (each W305 witness confirmed by the policy), and no tie is missed silently: every tie the
    policy discloses for complete answers on a grid is reported, as W305 or as undecided (W308: the
    search keeps one firing set per score outcome, and when the figure classes of that one are out of
    reach of numbers — f under 0.5 with n = 10 and m under 10, say — it says so rather than guess)."""
    directory = Path(tmp_path_factory.mktemp("ties"))  # type: ignore[attr-defined]
    rulebase, findings = _lint(directory, random_rules(seed))
    assert not [f for f in findings if f.code == "E902"], [str(f) for f in findings]
    for found in findings:
        if found.code == "W305":
            assert_disclosed(rulebase, found)
    reported = {_tied(f) for f in findings if f.code == "W305"}
    undecided = {_tied(f) for f in findings if f.code == "W308" and f.message.startswith("answers that would tie ")}
    assert disclosed_ties(rulebase) <= reported | undecided, [str(f) for f in findings]
