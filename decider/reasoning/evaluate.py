"""Measuring the advice: run case files (answers plus the approaches a reported outcome supports)
and report agreement, flags, calibration of the confidence, and ties at the top.

A case file is YAML or JSON with `answers` and `accept` (see the keys in `CASE_KEYS`); a golden
scenario (`context`, `answers`, `expect`) is a case too: its `accept` defaults to the expected
primary and its `must_flag` to the expected risks.  `decider evaluate` and the tests share this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from decider.errors import AnswersError, CaseError, Problem
from decider.reasoning.consultation import EngineName, consult
from decider.rulebase.answers import Answers, validate_answers
from decider.rulebase.answers_file import CASE_KEYS
from decider.rulebase.model import Rulebase
from decider.rulebase.yaml_source import Document, SourceError, read_yaml

CASE_SUFFIXES = (".yaml", ".yml", ".json")
LEVELS = ("low", "moderate", "high")


class Case(BaseModel):
    """One case: answers and what a good recommendation looks like."""

    model_config = ConfigDict(frozen=True)

    id: str
    path: str
    title: str = ""
    source: tuple[str, ...] = ()
    context: str = ""
    note: str = ""
    answers: Answers
    accept: tuple[str, ...]
    must_flag: tuple[str, ...] = ()
    max_confidence: float | None = None
    scenario: bool = False
    """A golden scenario (its `accept` defaults to the expected primary)."""


class CaseResult(BaseModel):
    """How the advice fared on one case."""

    model_config = ConfigDict(frozen=True)

    id: str
    path: str
    title: str
    primary: str
    accept: tuple[str, ...]
    accepted: bool
    confidence: float
    level: str
    must_flag: tuple[str, ...]
    missing_flags: tuple[str, ...]
    max_confidence: float | None
    over_confidence: bool
    tied: tuple[str, ...]
    """The approaches tied at the top with the primary (empty when the primary leads alone)."""


class LevelStats(BaseModel):
    """Accuracy of the primaries given at one confidence level."""

    model_config = ConfigDict(frozen=True)

    level: str
    cases: int
    accepted: int
    accuracy: float | None
    mean_confidence: float | None


class Totals(BaseModel):
    """Agreement and calibration over every case."""

    model_config = ConfigDict(frozen=True)

    cases: int
    accepted: int
    agreement: float
    flags_complete: int
    over_confidence: int
    ties: int
    levels: tuple[LevelStats, ...]
    mean_confidence_right: float | None
    mean_confidence_wrong: float | None
    brier: float


class EvaluationReport(BaseModel):
    """Per-case results, totals, and the files skipped as not being case files."""

    model_config = ConfigDict(frozen=True)

    engine: EngineName
    results: tuple[CaseResult, ...]
    totals: Totals
    skipped: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- loading


def find_case_files(paths: Sequence[str | Path]) -> tuple[list[Path], list[Path], list[Problem]]:
    """(given files, files found in directories, problems) — directories are walked recursively."""
    given: list[Path] = []
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in CASE_SUFFIXES))
        elif path.is_file():
            given.append(path)
        else:
            problems.append(Problem(message="case file or directory not found", path=str(raw)))
    return given, found, problems


def load_cases(rulebase: Rulebase, paths: Sequence[str | Path]) -> tuple[tuple[Case, ...], tuple[str, ...]]:
    """The cases in `paths` (files or directories) and the directory files skipped as not being
    cases (no `answers` key: plain answers files).  Every problem of every file raises one CaseError."""
    given, found, problems = find_case_files(paths)
    cases: list[Case] = []
    skipped: list[str] = []
    seen: dict[str, str] = {}
    for file, strict in [(f, True) for f in given] + [(f, False) for f in found]:
        try:
            document = read_yaml(file)
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        if not strict and not (isinstance(document.data, dict) and "answers" in document.data):
            skipped.append(str(file))
            continue
        case = _case(rulebase, document, file, problems)
        if case is None:
            continue
        if case.id in seen and seen[case.id] != case.path:
            problems.append(document.problem(("id",), f"duplicate case id {case.id!r} (also {seen[case.id]})", case.id))
            continue
        seen[case.id] = case.path
        cases.append(case)
    if not cases and not problems:
        problems.append(Problem(message="no case files found", path=", ".join(str(p) for p in paths)))
    if problems:
        raise CaseError(problems)
    return tuple(cases), tuple(skipped)


def _case(rulebase: Rulebase, document: Document, file: Path, problems: list[Problem]) -> Case | None:
    data = document.data
    if not isinstance(data, dict):
        problems.append(document.problem((), "a case must be a mapping with answers and accept"))
        return None
    before = len(problems)
    scenario = "expect" in data
    allowed = CASE_KEYS | {"expect"}
    for key in data:
        if key not in allowed:
            problems.append(document.problem((key,), f"unknown key {key!r}; expected one of {', '.join(sorted(allowed))}",
                                             str(key)))
    answers: Answers | None = None
    if "answers" not in data:
        problems.append(document.problem((), "missing key 'answers'"))
    else:
        try:
            answers = validate_answers(rulebase, data["answers"] or {}, document.nested("answers"))
        except AnswersError as exc:
            problems.extend(exc.problems)
    texts = {key: _text(document, key, problems) for key in ("id", "title", "context", "note")}
    source = _strings(document, "source", problems)
    accept = _ids(document, "accept", rulebase.approach_index, "approach", problems)
    if "accept" not in data:
        expected = data.get("expect", {}).get("primary") if isinstance(data.get("expect"), dict) else None
        if scenario and isinstance(expected, str):
            accept = _ids(Document(path=document.path, data={"accept": [expected]},
                                   positions={("accept",): document.at(("expect", "primary"))}),
                          "accept", rulebase.approach_index, "approach", problems)
        else:
            problems.append(document.problem((), "missing key 'accept' (the approaches the outcome supports)"))
    elif not accept and len(problems) == before:
        problems.append(document.problem(("accept",), "accept must name at least one approach", "accept"))
    risks = {c.id: c for c in rulebase.conclusions if c.kind == "risk"}
    must_flag = _ids(document, "must_flag", risks, "risk", problems)
    if scenario and "must_flag" not in data and isinstance(data.get("expect"), dict):
        must_flag = tuple(r for r in data["expect"].get("risks") or () if isinstance(r, str) and r in risks)
    limit = data.get("max_confidence")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float)) or not 0 <= limit <= 1):
        problems.append(document.problem(("max_confidence",), "max_confidence must be a number from 0 to 1",
                                         "max_confidence"))
    if len(problems) > before or answers is None:
        return None
    return Case(id=texts["id"] or file.stem, path=document.path, title=texts["title"], source=source,
                context=" ".join(texts["context"].split()), note=" ".join(texts["note"].split()), answers=answers,
                accept=accept, must_flag=must_flag, max_confidence=None if limit is None else float(limit),
                scenario=scenario)


def _text(document: Document, key: str, problems: list[Problem]) -> str:
    value = document.data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.append(document.problem((key,), f"{key} must be text", key))
        return ""
    return value


def _strings(document: Document, key: str, problems: list[Problem]) -> tuple[str, ...]:
    value = document.data.get(key)
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        problems.append(document.problem((key,), f"{key} must be text or a list of text", key))
        return ()
    return tuple(items)


def _ids(document: Document, key: str, index: Any, kind: str, problems: list[Problem]) -> tuple[str, ...]:
    value = document.data.get(key)
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        problems.append(document.problem((key,), f"{key} must be a list of {kind} ids", key))
        return ()
    ok: list[str] = []
    for i, item in enumerate(items):
        at = (key,) if isinstance(value, str) else (key, i)
        if not isinstance(item, str) or item not in index:
            problems.append(document.problem(at, f"unknown {kind} {item!r} in {key}", str(item)))
        else:
            ok.append(item)
    return tuple(dict.fromkeys(ok))


# ----------------------------------------------------------------------------- measuring


def judge(rulebase: Rulebase, case: Case, engine: EngineName = "durable_rules") -> CaseResult:
    """Consult on one case and compare with what it accepts."""
    result = consult(rulebase, case.answers, engine=engine)
    rec = result.recommendation
    flagged = {r.id for r in result.risks}
    over = case.max_confidence is not None and rec.confidence > case.max_confidence
    return CaseResult(
        id=case.id, path=case.path, title=case.title, primary=rec.approach, accept=case.accept,
        accepted=rec.approach in case.accept, confidence=rec.confidence, level=rec.level,
        must_flag=case.must_flag, missing_flags=tuple(r for r in case.must_flag if r not in flagged),
        max_confidence=case.max_confidence, over_confidence=over, tied=tuple(t.approach for t in rec.tied),
    )


def totals(results: Iterable[CaseResult]) -> Totals:
    """Agreement, flag completeness, calibration per level, mean confidence right/wrong, Brier score."""
    rows = list(results)
    right = [r.confidence for r in rows if r.accepted]
    wrong = [r.confidence for r in rows if not r.accepted]
    levels = []
    for level in LEVELS:
        at = [r for r in rows if r.level == level]
        hits = sum(r.accepted for r in at)
        levels.append(LevelStats(level=level, cases=len(at), accepted=hits,
                                 accuracy=round(hits / len(at), 4) if at else None,
                                 mean_confidence=_mean([r.confidence for r in at])))
    brier = sum((r.confidence - (1.0 if r.accepted else 0.0)) ** 2 for r in rows) / len(rows) if rows else 0.0
    return Totals(
        cases=len(rows), accepted=len(right), agreement=round(len(right) / len(rows), 4) if rows else 0.0,
        flags_complete=sum(not r.missing_flags for r in rows), over_confidence=sum(r.over_confidence for r in rows),
        ties=sum(bool(r.tied) for r in rows), levels=tuple(levels),
        mean_confidence_right=_mean(right), mean_confidence_wrong=_mean(wrong), brier=round(brier, 4),
    )


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def evaluate_cases(rulebase: Rulebase, paths: Sequence[str | Path], engine: EngineName = "durable_rules") -> EvaluationReport:
    """Load every case in `paths`, judge each, and total the results."""
    cases, skipped = load_cases(rulebase, paths)
    results = tuple(judge(rulebase, case, engine) for case in cases)
    return EvaluationReport(engine=engine, results=results, totals=totals(results), skipped=skipped)


def render_text(report: EvaluationReport) -> str:
    """The plain-text evaluation: one line per case, then the totals and the calibration table."""
    lines = []
    width = max((len(r.id) for r in report.results), default=4)
    for r in report.results:
        mark = "ok  " if r.accepted else "MISS"
        notes = []
        if not r.accepted:
            notes.append(f"accepts {', '.join(r.accept)}")
        if r.missing_flags:
            notes.append(f"not flagged: {', '.join(r.missing_flags)}")
        if r.over_confidence:
            notes.append(f"above max_confidence {r.max_confidence:.0%}")
        if r.tied:
            notes.append(f"tie: {' = '.join((r.primary, *r.tied))}")
        lines.append(f"{mark} {r.id:<{width}}  {r.primary:<16} {r.confidence:>4.0%} {r.level or '-':<8}"
                     + (f"  {'; '.join(notes)}" if notes else ""))
    t = report.totals
    lines += ["", f"Agreement: {t.accepted}/{t.cases} primaries accepted ({t.agreement:.0%}) [{report.engine}]",
              f"Flags: {t.flags_complete}/{t.cases} cases flag every must_flag risk",
              f"Above max_confidence: {t.over_confidence}", f"Ties at the top: {t.ties}", "", "Calibration:"]
    for s in t.levels:
        if s.cases:
            lines.append(f"  {s.level:<9} {s.cases:>3} cases, {s.accepted:>3} accepted ({s.accuracy:.0%}), "
                         f"mean confidence {s.mean_confidence:.0%}")
        else:
            lines.append(f"  {s.level:<9}   0 cases")
    right = "-" if t.mean_confidence_right is None else f"{t.mean_confidence_right:.2f}"
    wrong = "-" if t.mean_confidence_wrong is None else f"{t.mean_confidence_wrong:.2f}"
    lines.append(f"  mean confidence when right {right}, when wrong {wrong}")
    lines.append(f"  Brier score {t.brier:.3f} (0 is perfect; always saying 50% scores 0.250)")
    if report.skipped:
        lines += ["", f"Skipped (not case files): {', '.join(report.skipped)}"]
    return "\n".join(lines)


Format = Literal["text", "json"]
