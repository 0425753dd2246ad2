"""Diffing two rulebase versions over recorded cases: whose advice changes, and because of which rules."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from decider.audit.changes import RulebaseChanges, rulebase_changes
from decider.audit.compare import FiringDifference, advice, describe_outcome, firing_differences, outcome_differences
from decider.audit.documents import declared_format, read_audit_file
from decider.engine.evaluation import Firing
from decider.policy.outcome import Outcome, decide
from decider.errors import AnswersError, DeciderError, Problem
from decider.reasoning.consultation import EngineName, evaluate
from decider.rulebase.answers import validate_answers
from decider.rulebase.answers_file import read_answers_document
from decider.rulebase.model import Rulebase
from decider.rulebase.yaml_source import Document

CASE_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".log")


class ReplayCase(BaseModel):
    """Answers to replay under both rulebases, named after where they came from."""

    model_config = ConfigDict(frozen=True)

    name: str
    answers: dict[str, Any]
    document: Document | None = None


class CaseDiff(BaseModel):
    """One case under the old and the new rulebase."""

    model_config = ConfigDict(frozen=True)

    case: str
    status: Literal["same", "changed"]
    old: str
    new: str
    rules: tuple[FiringDifference, ...] = ()
    details: tuple[str, ...] = ()


class DiffReport(BaseModel):
    """Every case's verdict, and what changed in the rulebase itself."""

    model_config = ConfigDict(frozen=True)

    changes: RulebaseChanges
    cases: tuple[CaseDiff, ...]

    @property
    def changed(self) -> int:
        return sum(1 for c in self.cases if c.status == "changed")

    def summary(self) -> str:
        return f"{len(self.cases)} cases, {self.changed} changed"


def collect_cases(paths: Iterable[str | Path]) -> list[ReplayCase]:
    """Cases from traces, decision logs, answers or scenario files, and directories of them (recursively)."""
    cases: list[ReplayCase] = []
    problems: list[Problem] = []
    for path in paths:
        root = Path(path)
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in CASE_SUFFIXES)
            if not files:
                problems.append(Problem(message="no trace, log or answers files in this directory", path=str(root)))
        else:
            files = [root]
        for file in files:
            try:
                cases += _cases_in(file)
            except DeciderError as exc:
                problems += exc.problems
    if problems:
        raise DeciderError(problems)
    return cases


def _cases_in(path: Path) -> list[ReplayCase]:
    if _is_audit_file(path):
        audit_file = read_audit_file(path)
        if audit_file.problems:
            raise DeciderError(list(audit_file.problems))
        return [ReplayCase(name=entry.label, answers=dict(entry.trace.answers)) for entry in audit_file.entries]
    if not path.exists():
        raise DeciderError([Problem(message="no such file or directory", path=str(path))])
    document = read_answers_document(path)
    if not isinstance(document.data, dict):
        raise AnswersError([document.problem((), "answers must be a mapping of question id to value")])
    return [ReplayCase(name=str(path), answers=document.data, document=document)]


def _is_audit_file(path: Path) -> bool:
    """Whether a file holds a decider trace or log (rather than answers)."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return False
    return (declared_format(text) or "").startswith("decider-")


def diff_cases(old: Rulebase, new: Rulebase, cases: Iterable[ReplayCase], engine: EngineName = "durable_rules") -> DiffReport:
    """Each case's advice under `old` and `new`; a case changed when its recommendation, complementary
    approaches or risks differ (or it can no longer be decided)."""
    return DiffReport(changes=rulebase_changes(old, new), cases=tuple(_diff_case(old, new, case, engine) for case in cases))


def _diff_case(old: Rulebase, new: Rulebase, case: ReplayCase, engine: EngineName) -> CaseDiff:
    before, error_before = _run(old, case, engine)
    after, error_after = _run(new, case, engine)
    if before is None or after is None:
        return CaseDiff(case=case.name, status="same" if before is None and after is None else "changed",
                        old=error_before if before is None else describe_outcome(before[1]),
                        new=error_after if after is None else describe_outcome(after[1]))
    rules = tuple(firing_differences(before[0], after[0], ("old", "new")))
    changed = advice(before[1]) != advice(after[1])
    return CaseDiff(case=case.name, status="changed" if changed else "same", old=describe_outcome(before[1]),
                    new=describe_outcome(after[1]), rules=rules,
                    details=tuple(outcome_differences(before[1], after[1], ("old", "new"))))


def _run(rulebase: Rulebase, case: ReplayCase, engine: EngineName) -> tuple[tuple[tuple[Firing, ...], Outcome] | None, str]:
    try:
        answers = validate_answers(rulebase, case.answers, case.document)
    except AnswersError as exc:
        return None, "cannot decide: " + "; ".join(p.message + (f" [{p.item}]" if p.item else "") for p in exc.problems)
    evaluation = evaluate(rulebase, answers, engine)
    return (evaluation.firings, decide(rulebase, answers, evaluation)), ""
