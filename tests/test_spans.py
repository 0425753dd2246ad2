"""Interval bounds of figures: when `monotone_in` says each bound moves one way with an input, it does.

The interview's look-ahead asks a figure's unasked inputs only while their lowest or highest answer
could decide one of its tests (`decider.interview.lookahead`); that is exact only where the bounds
are monotone in each such input, which `monotone_in` must not claim wrongly.  The oracle here walks
the input through every point of a small range and checks each bound moves one way."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decider import load_rulebase
from decider.engine.spans import Span, monotone_in, span_of
from decider.rulebase.expressions import Expr, parse_expression

NAMES = ("v", "x", "y")


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    """An expression over x, y and constants with `v` in one leaf (so most draws read it once)."""
    text = draw(_over_x_and_y())
    leaves = [m.start() for m in re.finditer(r"[xy12]|0\.5", text)]
    at = draw(st.sampled_from(leaves))
    width = 3 if text.startswith("0.5", at) else 1
    return text[:at] + "v" + text[at + width:]


@st.composite
def _over_x_and_y(draw: st.DrawFn, depth: int = 0) -> str:
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(["x", "y", "1", "2", "0.5"]))
    op = draw(st.sampled_from(["+", "-", "*", "/"]))
    return f"({draw(_over_x_and_y(depth + 1))} {op} {draw(_over_x_and_y(depth + 1))})"


def _moves_one_way(values: list[Fraction | None]) -> bool:
    if any(v is None for v in values):
        return len(set(values)) == 1
    known = [v for v in values if v is not None]
    return known == sorted(known) or known == sorted(known, reverse=True)


@settings(max_examples=1000, deadline=None)
@given(expressions(), st.integers(-3, 3), st.integers(0, 4), st.integers(-3, 3), st.integers(0, 4),
       st.integers(-3, 3), st.integers(0, 4))
def test_an_input_called_monotone_moves_each_bound_one_way(text: str, v_low: int, v_width: int, x_low: int,
                                                             x_width: int, y_low: int, y_width: int) -> None:
    tree = parse_expression(text)
    ranges = {"v": (v_low, v_low + v_width), "x": (x_low, x_low + x_width), "y": (y_low, y_low + y_width)}
    bounds: dict[str, Span] = {n: (Fraction(lo), Fraction(hi)) for n, (lo, hi) in ranges.items()}
    if not monotone_in(tree, "v", bounds, {}):
        return
    lows, highs = [], []
    for point in range(v_width * 4 + 1):  # quarter steps through v's range
        value = Fraction(v_low) + Fraction(point, 4)
        lo, hi = span_of(tree, {**bounds, "v": (value, value)}, {})
        lows.append(lo)
        highs.append(hi)
    assert _moves_one_way(lows) and _moves_one_way(highs), (text, ranges, lows, highs)


@pytest.mark.parametrize(("text", "monotone"), [
    ("(x - y) * (2 - v)", False),  # a factor of both signs times one that v moves: the upper bound turns
    ("v * v", False),  # read twice
    ("x / (v - 2)", False),  # the divisor passes 0 as v moves
    ("(x + 1) / (v + 1)", True),
    ("y * v - x", True),
    ("x * v - y", False),  # a factor of both signs: monotone here after all, but the guard does not claim it
])
def test_the_guard_on_known_shapes(text: str, monotone: bool) -> None:
    bounds: dict[str, Span] = {n: (Fraction(0), Fraction(4)) for n in NAMES}
    bounds["x"] = (Fraction(-1), Fraction(3))
    tree: Expr = parse_expression(text)
    assert monotone_in(tree, "v", bounds, {}) is monotone


def test_every_shipped_figure_is_monotone_in_each_of_its_inputs() -> None:
    """So the look-ahead's extremes are exact on the shipped rulebase (and it asks no more for its figures)."""
    rulebase = load_rulebase()
    figures = {f.id: f.tree for f in rulebase.figures}
    bounds: dict[str, Span] = {q.id: (Fraction(str(q.min)), Fraction(str(q.max)))
                               for q in rulebase.questions if hasattr(q, "min")}
    from decider.rulebase.logic import figure_questions

    for figure in rulebase.figures:
        for name in figure_questions(rulebase, figure.id):
            assert monotone_in(figure.tree, name, bounds, figures), (figure.id, name)
