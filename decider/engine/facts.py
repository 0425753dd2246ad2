"""How answers and figures become engine facts, and how firings are recorded: shared by both engines."""

from __future__ import annotations

import threading
import weakref
from decimal import Decimal

from decider.engine.evaluation import Fact, FactValue, Firing
from decider.engine.prepared import prepared
from decider.rulebase.answers import AnswerValue, Answers, compute_figures
from decider.rulebase.model import UNKNOWN, NumberQuestion, Rule, Rulebase, ScaleQuestion
from decider.rulebase.numbers import SCALE, plain, to_micro

EngineValue = bool | int | str
"""What the engines compare: booleans, choice ids, and numbers as integer micro-units."""


def engine_values(rulebase: Rulebase, answers: Answers, figures: dict[str, Decimal | None]) -> dict[tuple[str, str], EngineValue]:
    """Known answer and figure values keyed by ('answer'|'figure', id); unknown ones are absent."""
    values: dict[tuple[str, str], EngineValue] = {}
    for question in rulebase.questions:
        value = answers.value(question.id)
        if value is None:
            continue
        if isinstance(question, (NumberQuestion, ScaleQuestion)):
            values[("answer", question.id)] = to_micro(value)
        else:
            values[("answer", question.id)] = value  # type: ignore[assignment]
    for figure_id, figure_value in figures.items():
        if figure_value is not None:
            values[("figure", figure_id)] = int(figure_value * SCALE)
    return values


Known = tuple[dict[str, Decimal | None], dict[tuple[str, str], EngineValue]]
_last = threading.local()


def known_values(rulebase: Rulebase, answers: Answers) -> Known:
    """The exact figures and the engine values of validated answers; remembered for the last
    (rulebase, answers) pair of this thread, because a consultation needs them twice (the engine and
    the unknown share); the rulebase by weak reference, so the memo never keeps one alive.  Callers
    must not mutate the returned dicts."""
    found = getattr(_last, "entry", None)
    if found is not None and found[0]() is rulebase and found[1] is answers:
        return found[2]
    figures = compute_figures(rulebase, answers)
    known = (figures, engine_values(rulebase, answers, figures))
    _last.entry = (weakref.ref(rulebase), answers, known)
    return known


def constant(value: object, numeric: bool) -> object:
    """A rule constant as the engines compare it."""
    return to_micro(value) if numeric else value


def plain_figures(figures: dict[str, Decimal | None]) -> dict[str, int | float | None]:
    return {k: (None if v is None else plain(v)) for k, v in figures.items()}


def record_firings(rulebase: Rulebase, order: list[str], strata: dict[str, int], answers: Answers,
                   figures: dict[str, Decimal | None], concluded: set[str]) -> tuple[Firing, ...]:
    """Firings in the given order, each with the final values of the facts its rule reads."""
    reads = prepared(rulebase).read
    result = []
    for rule_id in order:
        rule: Rule = rulebase.rule_index[rule_id]
        matched = tuple(_fact(kind, fid, _fact_value(kind, fid, answers, figures, concluded))
                        for kind, fid in reads[rule_id])
        result.append(Firing(rule=rule_id, stratum=strata[rule_id], matched=matched, effects=rule.then))
    return tuple(result)


_FACTS: dict[tuple[str, str, type, str], Fact] = {}
FACT_CACHE_SIZE = 4096


def _fact(kind: str, fid: str, value: FactValue) -> Fact:
    """The fact for (kind, id, value); equal facts are one shared frozen model (consultations repeat
    most of them), keyed by the value's type and repr so 1, 1.0 and True stay apart."""
    key = (kind, fid, type(value), repr(value))
    fact = _FACTS.get(key)
    if fact is None:
        if len(_FACTS) >= FACT_CACHE_SIZE:
            _FACTS.clear()
        fact = _FACTS[key] = Fact(kind=kind, id=fid, value=value)
    return fact


def _fact_value(kind: str, fid: str, answers: Answers, figures: dict[str, Decimal | None], concluded: set[str]) -> FactValue:
    if kind == "conclusion":
        return fid in concluded
    if kind == "figure":
        value = figures.get(fid)
        return None if value is None else plain(value)
    found: AnswerValue | None = answers.root.get(fid)
    return UNKNOWN if found is None else found
