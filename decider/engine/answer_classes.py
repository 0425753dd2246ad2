"""Finite value classes of every question and figure: values inside one class pass exactly the same tests.

Booleans split into yes/no/unknown, choices into their ids plus unknown, numbers and scales at
the constants the rules compare them with (each constant, a point inside every interval
between them, plus unknown).  The planner reasons over these classes instead of raw values, and
the policy counts completions of open answers over them (so this lives in the engine layer).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from decider.engine.facts import EngineValue
from decider.rulebase.answers import AnswerValue
from decider.rulebase.logic import tests_of
from decider.rulebase.model import (
    UNKNOWN,
    BooleanQuestion,
    ChoiceQuestion,
    NumberQuestion,
    Question,
    Rulebase,
    ScaleQuestion,
    Test,
)
from decider.rulebase.numbers import SCALE, plain, to_micro


@dataclass(frozen=True)
class ValueClass:
    """One class of a question's (or figure's) values: a representative and how to show it."""

    answer: AnswerValue
    """The representative as an answer ("unknown" for not sure); for figures, the number."""
    engine: EngineValue | None
    """The representative as the engines compare it (None when unknown)."""
    label: str
    """The class in plain words, e.g. "yes", "≤ 300 ms", "not sure"."""


def tests_on(rulebase: Rulebase) -> dict[tuple[str, str], list[Test]]:
    """Every test in the rules, grouped by the (subject, id) it reads."""
    found: dict[tuple[str, str], list[Test]] = {}
    for rule in rulebase.rules:
        for test in tests_of(rule.when):
            found.setdefault((test.subject, test.ref), []).append(test)
    return found


def question_classes(question: Question, tests: list[Test]) -> list[ValueClass]:
    """The value classes of one question given the tests that read it (unknown always last)."""
    unknown = ValueClass(answer=UNKNOWN, engine=None, label="not sure")
    if isinstance(question, BooleanQuestion):
        return [ValueClass(True, True, "yes"), ValueClass(False, False, "no"), unknown]
    if isinstance(question, ChoiceQuestion):
        return [ValueClass(c.id, c.id, c.label) for c in question.choices] + [unknown]
    assert isinstance(question, (NumberQuestion, ScaleQuestion))
    unit = f" {question.unit}" if isinstance(question, NumberQuestion) else ""
    points = _numeric_points(tests, to_micro(question.min), to_micro(question.max),
                             whole=isinstance(question, ScaleQuestion))
    return [ValueClass(plain(Decimal(v) / SCALE), v, label + unit) for v, label in points] + [unknown]


def figure_classes(tests: list[Test]) -> list[ValueClass]:
    """The value classes of a figure not yet computable: split at its test constants, plus unknown."""
    constants = sorted({to_micro(c) for t in tests for c in _constants(t)})
    low = (constants[0] if constants else 0) - SCALE
    high = (constants[-1] if constants else 0) + SCALE
    points = _numeric_points(tests, low, high, whole=False)
    return [ValueClass(plain(Decimal(v) / SCALE), v, label) for v, label in points] + [
        ValueClass(UNKNOWN, None, "unknown")]


def _constants(test: Test) -> list[object]:
    if test.op in ("unknown", "known") or test.value is None:
        return []
    values = test.value if isinstance(test.value, tuple) else (test.value,)
    return [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]


def _numeric_points(tests: list[Test], low: int, high: int, whole: bool) -> list[tuple[int, str]]:
    """Representatives (micro-units) of every interval the constants cut [low, high] into."""
    cuts = sorted({m for m in (to_micro(c) for t in tests for c in _constants(t)) if low <= m <= high})
    points: list[tuple[int, str]] = []

    def inside(a: int, b: int) -> int | None:
        """A representative strictly between a and b (a whole number when `whole`)."""
        if whole:
            candidate = (a // SCALE + 1) * SCALE
            return candidate if candidate < b else None
        return (a + b) // 2 if b - a >= 2 else None

    def show(v: int) -> str:
        return f"{plain(Decimal(v) / SCALE):,}"

    if not cuts:
        return [(low if not whole or low % SCALE == 0 else (low // SCALE + 1) * SCALE, "any value")]
    first = cuts[0]
    below = low if (not whole or low % SCALE == 0) else (low // SCALE + 1) * SCALE
    if below < first:
        points.append((below, f"below {show(first)}"))
    for index, cut in enumerate(cuts):
        if not whole or cut % SCALE == 0:
            points.append((cut, f"exactly {show(cut)}"))
        upper = cuts[index + 1] if index + 1 < len(cuts) else None
        if upper is not None:
            mid = inside(cut, upper)
            if mid is not None:
                points.append((mid, f"between {show(cut)} and {show(upper)}"))
    last = cuts[-1]
    above = high if not whole else (high // SCALE) * SCALE
    if above > last:
        points.append((above, f"above {show(last)}"))
    return points
