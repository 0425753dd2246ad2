"""Bounds of a figure's value from the bounds of its inputs (interval arithmetic), so that a test on a
figure with open inputs is decided whenever every value the inputs allow gives it the same truth."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from decider.rulebase.expressions import Expr, Neg, Num, Ref

Span = tuple[Fraction | None, Fraction | None]
"""Closed bounds of a value; None where unbounded (or unknown)."""


def span_of(tree: Expr, bounds: Mapping[str, Span], figures: Mapping[str, Expr]) -> Span:
    """Interval arithmetic over a figure expression: the bounds of its value given its operands' bounds
    (unbounded wherever a bound is missing or a divisor could be 0, when the figure could be unknown)."""
    if isinstance(tree, Num):
        value = Fraction(tree.value)
        return value, value
    if isinstance(tree, Ref):
        found = bounds.get(tree.name)
        if found is not None:
            return found
        return span_of(figures[tree.name], bounds, figures) if tree.name in figures else (None, None)
    if isinstance(tree, Neg):
        lo, hi = span_of(tree.operand, bounds, figures)
        return (None if hi is None else -hi), (None if lo is None else -lo)
    (a, b), (c, d) = span_of(tree.left, bounds, figures), span_of(tree.right, bounds, figures)
    if tree.op == "+":
        return (None if a is None or c is None else a + c), (None if b is None or d is None else b + d)
    if tree.op == "-":
        return (None if a is None or d is None else a - d), (None if b is None or c is None else b - c)
    if a is None or b is None or c is None or d is None:
        return None, None
    if tree.op == "/":
        if c <= 0 <= d:
            return None, None
        c, d = 1 / d, 1 / c
    products = [a * c, a * d, b * c, b * d]
    return min(products), max(products)


__all__ = ["Span", "span_of"]
