"""`lint_rulebase()`: every structural and logical check over a rulebase directory, as one report."""

from __future__ import annotations

import time
from pathlib import Path

from decider.engine.compiled_ruleset import CompiledRuleset
from decider.engine.evaluation import Evaluation
from decider.policy.outcome import Outcome, decide
from decider.engine.reference import ReferenceEngine
from decider.errors import RulebaseError
from decider.lint.answer_space import build_space
from decider.lint.eligibility import all_excluded, unknown_weighs
from decider.lint.findings import Finding, LintReport, Summary
from decider.lint.formulas import Evaluator
from decider.lint.logical import RuleChecks, Tally
from decider.lint.monotone import monotone_findings
from decider.lint.policy_checks import policy_findings
from decider.lint.search import Solver
from decider.lint.structure import from_problems, structural
from decider.rulebase.answers import validate_answers
from decider.rulebase.loader import load_rulebase
from decider.rulebase.model import Rulebase


def lint_rulebase(path: str | Path | None = None, *, cross: bool = False) -> LintReport:
    """Load the rulebase in `path` (None: the shipped one) and check it; load errors become findings."""
    started = time.perf_counter()
    try:
        rulebase = load_rulebase(path)
    except RulebaseError as exc:
        found = from_problems(exc.problems)
        return _report(found, Summary(rulebase=str(path or "rules"), loaded=False, rules=0, questions=0, figures=0, classes=0,
                                      checks={"load": 1}, undecided=0, errors=0, warnings=0, seconds=0), started)
    return lint_loaded(rulebase, cross=cross, started=started)


def lint_loaded(rulebase: Rulebase, *, cross: bool = False, started: float | None = None) -> LintReport:
    """Check a loaded rulebase: structure, rules (exact), policy (exact), and optionally both engines."""
    started = time.perf_counter() if started is None else started
    try:
        CompiledRuleset(rulebase)  # the very check `decide` makes before it compiles for durable_rules
    except RulebaseError as exc:
        found = structural(rulebase) + from_problems(exc.problems)
        return _report(found, Summary(rulebase=f"{rulebase.meta.id} {rulebase.meta.version}", rules=len(rulebase.rules),
                                      questions=len(rulebase.questions), figures=len(rulebase.figures), classes=0,
                                      checks={"engine limits": 1}, undecided=0, errors=0, warnings=0, seconds=0), started)
    space = build_space(rulebase)
    evaluator = Evaluator(rulebase, space)
    solver = Solver(rulebase, space, evaluator)
    reference = ReferenceEngine(rulebase)
    tally = Tally()

    def run(witness: dict[str, object]) -> Evaluation:
        return reference.run(validate_answers(rulebase, witness))

    def outcome(witness: dict[str, object]) -> Outcome:
        answers = validate_answers(rulebase, witness)
        return decide(rulebase, answers, reference.run(answers))

    found = structural(rulebase)
    tally.count("structure", len(rulebase.questions) + len(rulebase.conclusions) + len(rulebase.approaches))
    checks = RuleChecks(rulebase, evaluator, solver, run, tally)
    unreachable, reachable = checks.unreachable()
    found += unreachable
    found += checks.redundant(reachable)
    found += checks.conflicts(reachable)
    found += checks.influence(reachable)
    found += policy_findings(rulebase, evaluator, solver, outcome, tally)
    found += all_excluded(rulebase, evaluator, solver, run, tally)
    found += unknown_weighs(rulebase, evaluator, solver, run, tally)
    found += monotone_findings(rulebase, evaluator, solver, outcome, tally)
    found += tally.notes
    if cross:
        from decider.lint.cross_check import cross_check  # imports durable_rules: only when asked

        witnesses = [f.witness for f in found if f.witness is not None]
        disagreements, compared = cross_check(rulebase, space, witnesses)
        found += disagreements
        tally.count("cross-check answer sets", compared)
    summary = Summary(
        rulebase=f"{rulebase.meta.id} {rulebase.meta.version}", rules=len(rulebase.rules),
        questions=len(rulebase.questions), figures=len(rulebase.figures),
        classes=sum(len(space.classes[("answer", q.id)]) for q in rulebase.questions),
        checks=tally.checks, undecided=sum(1 for f in tally.notes if f.code == "W308"),
        errors=0, warnings=0, seconds=0)
    return _report(found, summary, started)


def _report(found: list[Finding], summary: Summary, started: float) -> LintReport:
    ordered = sorted(found, key=lambda f: (f.path, f.line or 0, f.column or 0, f.code))
    summary = summary.model_copy(update={
        "errors": sum(1 for f in ordered if f.level == "error"),
        "warnings": sum(1 for f in ordered if f.level == "warning"),
        "seconds": round(time.perf_counter() - started, 3),
    })
    return LintReport(findings=tuple(ordered), summary=summary)
