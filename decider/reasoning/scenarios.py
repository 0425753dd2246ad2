"""Golden scenarios: realistic team profiles with the advice the rulebase must give, and what they cover.

A scenario file is YAML with `context` (a sentence), `answers` (question id: value), optionally
`accept` (the approaches a good primary may be, read by `decider evaluate`) and `expect`
(`primary`, `risks` that must be flagged, `cites` that must justify the result, and optionally
`complementary` (exact) and `confidence` (the policy's level)).  Tests and `decider scenarios`
share this module so both check the same thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from decider.errors import AnswersError, Problem, ScenarioError
from decider.reasoning.consultation import Consultation, EngineName, consult
from decider.reasoning.how import Reason
from decider.rulebase.answers import Answers, validate_answers
from decider.rulebase.model import Rulebase
from decider.rulebase.yaml_source import Document, SourceError, read_yaml

ENGINE_NAMES: tuple[EngineName, ...] = ("durable_rules", "reference")


class Expectation(BaseModel):
    """What a scenario demands of the consultation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    primary: str
    risks: tuple[str, ...] = ()
    cites: tuple[str, ...] = Field(default=(), min_length=1)
    complementary: tuple[str, ...] | None = None
    confidence: Literal["low", "moderate", "high"] | None = None


class Scenario(BaseModel):
    """One golden scenario, its answers validated against the rulebase."""

    model_config = ConfigDict(frozen=True)

    name: str
    path: str
    context: str = Field(min_length=1)
    answers: Answers
    expect: Expectation


class ScenarioCheck(BaseModel):
    """The outcome of running one scenario on one engine."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    engine: EngineName
    primary: str
    confidence: float
    level: str
    risks: tuple[str, ...]
    fired: tuple[str, ...]
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


class Coverage(BaseModel):
    """Which rules fired, approaches won and risks were flagged across a set of checks."""

    model_config = ConfigDict(frozen=True)

    rules_fired: dict[str, int]
    approaches_won: dict[str, int]
    risks_flagged: dict[str, int]

    @property
    def unfired_rules(self) -> tuple[str, ...]:
        return tuple(k for k, n in self.rules_fired.items() if n == 0)

    @property
    def unwon_approaches(self) -> tuple[str, ...]:
        return tuple(k for k, n in self.approaches_won.items() if n == 0)

    @property
    def unflagged_risks(self) -> tuple[str, ...]:
        return tuple(k for k, n in self.risks_flagged.items() if n == 0)

    @property
    def complete(self) -> bool:
        return not (self.unfired_rules or self.unwon_approaches or self.unflagged_risks)


# ----------------------------------------------------------------------------- loading


def load_scenario(rulebase: Rulebase, path: str | Path) -> Scenario:
    """Read and validate one scenario file; every problem is reported located, as ScenarioError."""
    file = Path(path)
    try:
        document = read_yaml(file)
    except SourceError as exc:
        raise ScenarioError(list(exc.problems)) from None
    if not isinstance(document.data, dict):
        raise ScenarioError([document.problem((), "a scenario must be a mapping with context, answers and expect")])
    problems: list[Problem] = []
    for key in document.data:
        if key not in ("context", "answers", "expect", "accept"):
            problems.append(document.problem((key,), f"unknown key {key!r}; expected context, answers, expect, accept",
                                             str(key)))
    for key in ("context", "answers", "expect"):
        if key not in document.data:
            problems.append(document.problem((), f"missing key {key!r}"))
    answers = None
    if "answers" in document.data:
        try:
            answers = validate_answers(rulebase, document.data["answers"] or {}, document.nested("answers"))
        except AnswersError as exc:
            problems.extend(exc.problems)
    expect = _expectation(rulebase, document, problems) if "expect" in document.data else None
    context = document.data.get("context")
    if "context" in document.data and (not isinstance(context, str) or not context.strip()):
        problems.append(document.problem(("context",), "context must be a sentence of text", "context"))
    if problems or answers is None or expect is None:
        raise ScenarioError(problems)
    return Scenario(name=file.stem, path=document.path, context=" ".join(str(context).split()), answers=answers,
                    expect=expect)


def load_scenarios(rulebase: Rulebase, directory: str | Path) -> tuple[Scenario, ...]:
    """Every `*.yaml` scenario in `directory`, by file name; all problems of all files at once."""
    root = Path(directory)
    if not root.is_dir():
        raise ScenarioError([Problem(message="scenario directory not found", path=str(root))])
    files = sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise ScenarioError([Problem(message="no .yaml scenario files", path=str(root))])
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for file in files:
        try:
            scenarios.append(load_scenario(rulebase, file))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return tuple(scenarios)


def _expectation(rulebase: Rulebase, document: Document, problems: list[Problem]) -> Expectation | None:
    raw = document.data["expect"]
    sub = document.nested("expect")
    try:
        expect = Expectation.model_validate(raw)
    except ValidationError as exc:
        for detail in exc.errors():
            loc = tuple(detail["loc"])
            problems.append(sub.problem(loc[:1], f"expect.{'.'.join(map(str, loc))}: {detail['msg']}", "expect"))
        return None
    before = len(problems)
    known = {"primary": rulebase.approach_index, "complementary": rulebase.approach_index}
    for field, index in known.items():
        values = getattr(expect, field)
        for i, value in enumerate((values,) if isinstance(values, str) else values or ()):
            if value not in index:
                at = (field,) if isinstance(values, str) else (field, i)
                problems.append(sub.problem(at, f"unknown approach {value!r}", field))
    risks = {c.id for c in rulebase.conclusions if c.kind == "risk"}
    for i, risk in enumerate(expect.risks):
        if risk not in risks:
            problems.append(sub.problem(("risks", i), f"unknown risk {risk!r}", "risks"))
    for i, cite in enumerate(expect.cites):
        if cite not in rulebase.citations:
            problems.append(sub.problem(("cites", i), f"unknown citation {cite!r}", "cites"))
    return expect if len(problems) == before else None


# ----------------------------------------------------------------------------- checking


def check_scenario(rulebase: Rulebase, scenario: Scenario, engine: EngineName) -> ScenarioCheck:
    """Consult on `engine` and compare with the scenario's expectations."""
    result = consult(rulebase, scenario.answers, engine=engine)
    return _compare(scenario, engine, result)


def check_all(rulebase: Rulebase, scenarios: tuple[Scenario, ...] | list[Scenario],
              engines: tuple[EngineName, ...] = ENGINE_NAMES) -> tuple[ScenarioCheck, ...]:
    """Every scenario on every engine."""
    return tuple(check_scenario(rulebase, s, e) for s in scenarios for e in engines)


def justification_cites(result: Consultation) -> set[str]:
    """Citations of the rules behind the primary (its HOW tree), its risks and its prerequisites."""
    found: set[str] = set()

    def walk(node: Reason) -> None:
        found.update(node.cite)
        for child in node.children:
            walk(child)

    for reason in result.reasons:
        walk(reason)
    for risk in result.risks:
        found.update(risk.cite)
        for reason in risk.reasons:
            walk(reason)
    for item in result.prerequisites:
        found.update(item.cite)
    return found


def _compare(scenario: Scenario, engine: EngineName, result: Consultation) -> ScenarioCheck:
    expect = scenario.expect
    rec = result.recommendation
    failures = []
    if rec.approach != expect.primary:
        ranking = ", ".join(f"{r.approach} {r.score:g}" for r in result.ranking)
        failures.append(f"primary is {rec.approach}, expected {expect.primary} (ranking: {ranking})")
    flagged = {r.id for r in result.risks}
    missing = [r for r in expect.risks if r not in flagged]
    if missing:
        failures.append(f"risks not flagged: {', '.join(missing)} (flagged: {', '.join(sorted(flagged)) or 'none'})")
    cited = justification_cites(result)
    uncited = [c for c in expect.cites if c not in cited]
    if uncited:
        failures.append(f"not cited by the justification: {', '.join(uncited)} (cited: {', '.join(sorted(cited))})")
    if expect.complementary is not None:
        got = tuple(c.approach for c in rec.complementary)
        if set(got) != set(expect.complementary):
            failures.append(f"complementary is [{', '.join(got)}], expected [{', '.join(expect.complementary)}]")
    if expect.confidence is not None and rec.level != expect.confidence:
        failures.append(f"confidence {rec.confidence:.0%} reads {rec.level or 'undeclared'}, expected {expect.confidence}")
    return ScenarioCheck(
        scenario=scenario.name, engine=engine, primary=rec.approach, confidence=rec.confidence, level=rec.level,
        risks=tuple(r.id for r in result.risks), fired=tuple(f.rule for f in result.trace.firings),
        failures=tuple(failures),
    )


def coverage(rulebase: Rulebase, checks: tuple[ScenarioCheck, ...] | list[ScenarioCheck]) -> Coverage:
    """Counts of scenario checks in which each rule fired, each approach won, each risk was flagged."""
    rules = {r.id: 0 for r in rulebase.rules}
    approaches = {a.id: 0 for a in rulebase.approaches}
    risks = {c.id: 0 for c in rulebase.conclusions if c.kind == "risk"}
    for check in checks:
        for rule in set(check.fired):
            rules[rule] += 1
        approaches[check.primary] += 1
        for risk in set(check.risks):
            risks[risk] += 1
    return Coverage(rules_fired=rules, approaches_won=approaches, risks_flagged=risks)


def render_checks(checks: tuple[ScenarioCheck, ...] | list[ScenarioCheck], cover: Coverage) -> str:
    """Plain-text report: one line per scenario and engine, failures, then the coverage."""
    lines = []
    for check in checks:
        mark = "PASS" if check.passed else "FAIL"
        lines.append(f"{mark}  {check.scenario} [{check.engine}] → {check.primary} "
                     f"({check.confidence:.0%}{', ' + check.level if check.level else ''})")
        lines.extend(f"      - {failure}" for failure in check.failures)
    passed = sum(1 for c in checks if c.passed)
    lines += ["", f"{passed}/{len(checks)} scenario checks passed.", "", "Coverage:"]
    for title, counts, missing in (
        ("rules fired", cover.rules_fired, cover.unfired_rules),
        ("approaches won", cover.approaches_won, cover.unwon_approaches),
        ("risks flagged", cover.risks_flagged, cover.unflagged_risks),
    ):
        reached = len(counts) - len(missing)
        lines.append(f"  {title}: {reached}/{len(counts)}" + (f" — never: {', '.join(missing)}" if missing else ""))
    lines.append("")
    lines.append("  approach wins: " + ", ".join(f"{k} {v}" for k, v in cover.approaches_won.items()))
    lines.append("  coverage complete." if cover.complete else "  coverage INCOMPLETE.")
    return "\n".join(lines)
