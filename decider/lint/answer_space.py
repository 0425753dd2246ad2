"""The answer space cut into finitely many value classes, so verification can be exact.

Every test in a rulebase compares an answer (or a figure) with a constant.  Splitting each
question's domain at every constant its tests use leaves classes on which every test is
constant: booleans {true, false, unknown}; choices {each choice, unknown}; numbers and scales
[min, t1), {t1}, (t1, t2), ... (tk, max] plus unknown.  Figures (computed numbers) get the same
split at their own thresholds; which figure classes the number answers can reach is not
decided here (see `search.realise`).  Independent of the engine's value classes
(`decider.engine.answer_classes`) on purpose: the verifier is an oracle for the product.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from decider.engine.kleene import VarKey
from decider.rulebase.expressions import references as expression_references
from decider.rulebase.logic import tests_of
from decider.rulebase.model import (
    UNKNOWN,
    BooleanQuestion,
    ChoiceQuestion,
    NumberQuestion,
    Rulebase,
    ScaleQuestion,
)
from decider.rulebase.numbers import LIMIT, plain, to_decimal

_GRID = Decimal("0.000001")


@dataclass(frozen=True)
class AnswerRegion:
    """A set of values on which every test of the rulebase gives the same result."""

    label: str
    value: bool | str | Decimal | None
    """A representative member (None: the answer is unknown)."""
    low: Decimal | None = None
    high: Decimal | None = None
    low_closed: bool = True
    high_closed: bool = True
    integral: bool = False

    @property
    def unknown(self) -> bool:
        return self.value is None

    def contains(self, number: Decimal) -> bool:
        """True when a known number falls in this (numeric) class."""
        if self.low is not None and (number < self.low or (number == self.low and not self.low_closed)):
            return False
        if self.high is not None and (number > self.high or (number == self.high and not self.high_closed)):
            return False
        return not self.integral or number == number.to_integral_value()

    def samples(self) -> list[Decimal]:
        """A few members of a numeric class, round ones first: candidates for realising figures."""
        if not isinstance(self.value, Decimal):
            return []
        found: list[Decimal] = [self.value]
        for bound, step in ((self.low, 1), (self.high, -1)):  # `contains` below excludes an open bound
            if bound is None:
                continue
            for candidate in (bound, bound + step, bound + step * (1 if self.integral else _GRID)):
                if candidate not in found and self.contains(candidate):
                    found.append(candidate)
        for base in (1, 2, 3, 5, 12, 24):
            for exponent in range(-2, 9):
                candidate = Decimal(base) * Decimal(10) ** exponent
                if candidate not in found and self.contains(candidate) and abs(candidate) <= LIMIT:
                    found.append(candidate)
        return found[:24]


UNKNOWN_CLASS = AnswerRegion(label=UNKNOWN, value=None)


@dataclass
class AnswerSpace:
    """Value classes of every question and figure, and which questions each figure is computed from."""

    classes: dict[VarKey, tuple[AnswerRegion, ...]]
    figure_inputs: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def classify(self, key: VarKey, value: object) -> int:
        """The index of the class a concrete value (None: unknown) belongs to."""
        for index, cls in enumerate(self.classes[key]):
            if value is None or value == UNKNOWN:
                if cls.unknown:
                    return index
            elif isinstance(cls.value, Decimal):
                if cls.contains(to_decimal(value)):
                    return index
            elif not cls.unknown and cls.value == value and type(cls.value) is type(value):
                return index
        raise ValueError(f"{value!r} is in no class of {key[0]} {key[1]!r}")

    def answer_value(self, key: VarKey, index: int) -> object:
        """The representative of a class as an answer value ("unknown", a bool, a choice id, a number)."""
        cls = self.classes[key][index]
        if cls.value is None:
            return UNKNOWN
        return plain(cls.value) if isinstance(cls.value, Decimal) else cls.value


def build_space(rulebase: Rulebase) -> AnswerSpace:
    """Split every question and figure at the constants the rules compare it with."""
    thresholds: dict[VarKey, set[Decimal]] = {}
    for rule in rulebase.rules:
        for test in tests_of(rule.when):
            key = (test.subject, test.ref)
            numeric = test.subject == "figure" or isinstance(rulebase.question_index.get(test.ref), (NumberQuestion, ScaleQuestion))
            if not numeric or test.op in ("unknown", "known"):
                continue
            values = test.value if isinstance(test.value, tuple) else (test.value,)
            thresholds.setdefault(key, set()).update(to_decimal(v) for v in values)
    classes: dict[VarKey, tuple[AnswerRegion, ...]] = {}
    for question in rulebase.questions:
        key = ("answer", question.id)
        if isinstance(question, BooleanQuestion):
            known = [AnswerRegion("true", True), AnswerRegion("false", False)]
        elif isinstance(question, ChoiceQuestion):
            known = [AnswerRegion(c.id, c.id) for c in question.choices]
        else:
            assert isinstance(question, (NumberQuestion, ScaleQuestion))
            known = _number_classes(to_decimal(question.min), to_decimal(question.max), thresholds.get(key, set()),
                                    integral=isinstance(question, ScaleQuestion))
        classes[key] = (*known, UNKNOWN_CLASS)
    inputs: dict[str, tuple[str, ...]] = {}
    for figure in rulebase.figures:
        names: list[str] = []
        for name in expression_references(figure.tree):
            for q in ((name,) if name in rulebase.question_index else inputs.get(name, ())):
                if q not in names:
                    names.append(q)
        inputs[figure.id] = tuple(names)
        classes[("figure", figure.id)] = (*_number_classes(None, None, thresholds.get(("figure", figure.id), set())),
                                          UNKNOWN_CLASS)
    return AnswerSpace(classes=classes, figure_inputs=inputs)


def _number_classes(low: Decimal | None, high: Decimal | None, cuts: set[Decimal], integral: bool = False) -> list[AnswerRegion]:
    """[low, t1), {t1}, (t1, t2), ..., (tk, high] without empty classes (None bounds: unbounded)."""
    edges = sorted(t for t in cuts if (low is None or t >= low) and (high is None or t <= high))
    result: list[AnswerRegion] = []
    previous, previous_closed = low, True
    for edge in edges:
        gap = _interval(previous, edge, previous_closed, False, integral)
        if gap is not None:
            result.append(gap)
        if not integral or edge == edge.to_integral_value():
            result.append(AnswerRegion(f"= {_show(edge)}", edge, edge, edge, True, True, integral))
        previous, previous_closed = edge, False
    tail = _interval(previous, high, previous_closed, True, integral)
    if tail is not None:
        result.append(tail)
    return result


def _interval(low: Decimal | None, high: Decimal | None, low_closed: bool, high_closed: bool, integral: bool) -> AnswerRegion | None:
    if high is None:
        high_closed = False
    if low is None:
        low_closed = False
    probe = AnswerRegion("", None, low, high, low_closed, high_closed, integral)
    representative = _round_inside(probe)
    if representative is None:
        return None
    return AnswerRegion(_label(low, high, low_closed, high_closed), representative, low, high, low_closed, high_closed, integral)


def _round_inside(cls: AnswerRegion) -> Decimal | None:
    """The roundest number inside the class, or None when the class is empty."""
    low, high = cls.low, cls.high
    if low is None and high is None:
        return Decimal(0)
    if low is None:
        centre = high - (abs(high) if high else 1)  # type: ignore[operator]
    elif high is None:
        centre = low + (abs(low) if low else 1)
    else:
        centre = (low + high) / 2
    top = (high - low).adjusted() if low is not None and high is not None and high > low else 12
    for exponent in range(min(top, 12), -7, -1):
        step = Decimal(10) ** exponent
        candidate = (centre / step).to_integral_value() * step
        candidate = candidate.quantize(_GRID)
        if cls.contains(candidate):
            return candidate
    for bound in (low, high):
        if bound is not None and cls.contains(bound):
            return bound
    return None


def _label(low: Decimal | None, high: Decimal | None, low_closed: bool, high_closed: bool) -> str:
    if low is None and high is None:
        return "any number"
    if low is None:
        return f"{'<=' if high_closed else '<'} {_show(high)}"  # type: ignore[arg-type]
    if high is None:
        return f"{'>=' if low_closed else '>'} {_show(low)}"
    return f"{_show(low)} {'<=' if low_closed else '<'} x {'<=' if high_closed else '<'} {_show(high)}"


def _show(number: Decimal) -> str:
    return str(plain(number))


__all__ = ["AnswerSpace", "UNKNOWN_CLASS", "AnswerRegion", "VarKey", "build_space"]
