"""Bounds of a figure's value from the bounds of its inputs (interval arithmetic), so that a test on a
figure with open inputs is decided whenever every value the inputs allow gives it the same truth."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from decider.rulebase.expressions import BinOp, Expr, Neg, Num, Ref

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


def monotone_in(tree: Expr, name: str, bounds: Mapping[str, Span], figures: Mapping[str, Expr]) -> bool:
    """Whether each bound `span_of` gives moves one way only as input `name`, a point, moves through its
    range (`bounds` holding every input's range): `name` is read once, through figures too, and each
    product or quotient above it takes the other operand with one sign only, and a divisor that holds
    `name` never reaches 0 (then both bounds even move the same way).  The bounds are then extreme at
    the ends of `name`'s range, so trying its lowest and highest answers shows every test on the figure
    that some answer to it could decide.  A sufficient condition, not a necessary one."""
    if _reads(tree, name, figures) != 1:
        return False

    def path(node: Expr) -> bool:
        if isinstance(node, Ref):
            return node.name == name or path(figures[node.name])
        if isinstance(node, Neg):
            return path(node.operand)
        assert isinstance(node, BinOp)
        inner, other = (node.left, node.right) if _reads(node.left, name, figures) else (node.right, node.left)
        if node.op in ("+", "-"):
            return path(inner)
        if node.op == "/" and inner is node.right:  # the input divides: 1/x is monotone while x keeps its sign
            return _nonzero(span_of(inner, bounds, figures)) and _one_sign(span_of(other, bounds, figures)) and path(inner)
        if node.op == "/" and not _nonzero(span_of(other, bounds, figures)):
            return False
        return _one_sign(span_of(other, bounds, figures)) and path(inner)

    return path(tree)


def _reads(tree: Expr, name: str, figures: Mapping[str, Expr]) -> int:
    """How many times the expression reads `name`, through the figures it reads too."""
    if isinstance(tree, Ref):
        return 1 if tree.name == name else _reads(figures[tree.name], name, figures) if tree.name in figures else 0
    if isinstance(tree, Neg):
        return _reads(tree.operand, name, figures)
    if isinstance(tree, BinOp):
        return _reads(tree.left, name, figures) + _reads(tree.right, name, figures)
    return 0


def _one_sign(span: Span) -> bool:
    lo, hi = span
    return lo is not None and hi is not None and (lo >= 0 or hi <= 0)


def _nonzero(span: Span) -> bool:
    lo, hi = span
    return lo is not None and hi is not None and (lo > 0 or hi < 0)


__all__ = ["Span", "monotone_in", "span_of"]
