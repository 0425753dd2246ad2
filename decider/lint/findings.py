"""What `decider lint` reports: located findings with stable codes, and the run's summary."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from decider.errors import Problem
from decider.rulebase.model import Position

Level = Literal["error", "warning"]


class Code(BaseModel):
    """A kind of finding: stable id, short name, level, and what it means."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    level: Level
    meaning: str


_CODES = [
    ("E100", "invalid-rulebase", "error", "the rulebase cannot be read or validated (YAML, fields, duplicates)"),
    ("E101", "unknown-reference", "error", "a reference to a question, figure, conclusion or approach that is not declared"),
    ("E102", "type-mismatch", "error", "a comparison or effect that does not fit the kind of what it refers to"),
    ("E103", "unknown-cite", "error", "a rule cites a source or section that is not declared"),
    ("E104", "missing-because", "error", "a rule without its plain-words reason"),
    ("E105", "missing-cite", "error", "a rule without a citation"),
    ("E106", "conclusion-cycle", "error", "conclusions that depend on themselves"),
    ("E107", "engine-limit", "error", "the compiled rules pass a fixed limit of durable_rules (it would crash, hang or refuse)"),
    ("W201", "unused-question", "warning", "no rule or figure reads the question, so asking it changes nothing"),
    ("W202", "never-concluded", "warning", "no rule concludes or flags the conclusion"),
    ("W203", "never-used", "warning", "the conclusion is concluded but no rule reads it (risks and prerequisites are exempt: they are reported)"),
    ("W204", "unsupported-approach", "warning", "no rule supports the approach; it can only win by baseline, default or tie-break"),
    ("E301", "unreachable-rule", "error", "no answers make the rule's condition hold"),
    ("E302", "redundant-rule", "error", "whenever the rule fires another fires with all its effects, so its weights count twice"),
    ("W302", "redundant-rule", "warning", "whenever the rule fires another fires with all its effects (no weights: it adds nothing)"),
    ("W303", "conflict", "warning", "two rules can fire together and push the same approach in opposite directions"),
    ("W304", "conflicting-severity", "warning", "two rules can fire together and flag the same risk at different severities"),
    ("W305", "tie", "warning", "answers for which the policy's tie_break order decides between equally scored approaches"),
    ("W306", "gap", "warning", "answers for which no rule supports or opposes anything, so the policy default applies"),
    ("W307", "no-influence", "warning", "rules read the conclusion, but its value can never change which rules weigh in"),
    ("W308", "undecided", "warning", "a check could not be decided (a stated search bound, or figure values no numbers realise)"),
    ("E310", "all-excluded", "error", "answers for which every approach is excluded, so nothing is left to recommend"),
    ("E311", "unknown-weighs", "error", "a rule that supports, opposes or excludes can hold only because an answer is open "
     "(\"not sure\" must not move scores or eligibility: the policy's robustness accounts for open answers)"),
    ("E312", "monotone-violated", "error", "a question's declared monotonicity does not hold: answers where a later "
     "answer of it lowers (up) or raises (down) the approach's score or excludes it, every other answer the same"),
    ("E901", "engines-disagree", "error", "durable_rules and the reference evaluator disagree on some answers"),
    ("E902", "analysis-mismatch", "error", "the analysis and the reference evaluator disagree on a witness (a bug in lint)"),
]
CODES: dict[str, Code] = {c: Code(code=c, name=n, level=lv, meaning=m) for c, n, lv, m in _CODES}


class Finding(BaseModel):
    """One problem lint found, located at the item it concerns."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    level: Level
    message: str
    path: str = ""
    line: int | None = None
    column: int | None = None
    item: str | None = None
    witness: dict[str, Any] | None = None
    """Concrete answers (question id: value; left out means unanswered) that show the finding."""
    rules: tuple[str, ...] = ()
    """The rules the finding is about (both rules of a pair), when it is about rules."""

    def __str__(self) -> str:
        located = Problem(message=f"{self.level} {self.code} {self.name}: {self.message}", path=self.path or "<rulebase>",
                          line=self.line, column=self.column, item=self.item)
        text = str(located)
        if self.witness is not None:
            text += "\n    witness: " + json.dumps(self.witness, ensure_ascii=False)
        return text


def finding(code: str, message: str, at: Position | None = None, item: str | None = None,
            witness: dict[str, Any] | None = None, path: str = "", rules: tuple[str, ...] = ()) -> Finding:
    """A finding of a known code at a rulebase position."""
    kind = CODES[code]
    return Finding(code=code, name=kind.name, level=kind.level, message=message,
                   path=at.path if at else path, line=at.line if at else None, column=at.column if at else None,
                   item=item, witness=witness, rules=rules)


class Summary(BaseModel):
    """What was checked and how much was found."""

    model_config = ConfigDict(frozen=True)

    rulebase: str
    loaded: bool = True
    """False when the rulebase could not be loaded, so only the loader's checks ran."""
    rules: int
    questions: int
    figures: int
    classes: int
    """Value classes over all questions (each question's unknown included)."""
    checks: dict[str, int]
    """Checks run, by kind (pairs examined for pairwise checks)."""
    undecided: int
    errors: int
    warnings: int
    seconds: float


class LintReport(BaseModel):
    """Every finding, in file order, and the summary."""

    model_config = ConfigDict(frozen=True)

    findings: tuple[Finding, ...]
    summary: Summary

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level == "error")

    def to_text(self) -> str:
        lines = [str(f) for f in self.findings]
        s = self.summary
        if not s.loaded:
            lines.append(f"{s.rulebase}: not loaded ({s.errors} errors); fix these before the logical checks can run")
            return "\n".join(lines)
        checks = ", ".join(f"{name} {count}" for name, count in s.checks.items())
        lines.append(
            f"{s.rulebase}: {s.rules} rules, {s.questions} questions, {s.figures} figures, {s.classes} answer classes; "
            f"checks: {checks}; {s.errors} errors, {s.warnings} warnings"
            + (f", {s.undecided} undecided" if s.undecided else "") + f" ({s.seconds:.2f}s)")
        return "\n".join(lines)
