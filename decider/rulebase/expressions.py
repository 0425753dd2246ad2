"""Declared arithmetic for figures: a tiny, safe parser (no eval) and its evaluator.

Grammar: expr := term (('+'|'-') term)*; term := factor (('*'|'/') factor)*;
factor := NUMBER | NAME | '(' expr ')' | '-' factor.  NAME refers to a number question
or to an earlier figure.  Any unknown operand makes the whole figure unknown.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[a-z][a-z0-9_]*)|(?P<op>[-+*/()]))")


class Num(BaseModel):
    model_config = ConfigDict(frozen=True)
    type: Literal["num"] = "num"
    value: Decimal


class Ref(BaseModel):
    model_config = ConfigDict(frozen=True)
    type: Literal["ref"] = "ref"
    name: str


class BinOp(BaseModel):
    model_config = ConfigDict(frozen=True)
    type: Literal["binop"] = "binop"
    op: Literal["+", "-", "*", "/"]
    left: "Expr"
    right: "Expr"


class Neg(BaseModel):
    model_config = ConfigDict(frozen=True)
    type: Literal["neg"] = "neg"
    operand: "Expr"


Expr = Union[Num, Ref, BinOp, Neg]
BinOp.model_rebuild()
Neg.model_rebuild()


MAX_TOKENS = 255
MAX_NESTING = 32
"""Bounds on a figure expression, so its tree stays far from Python's recursion limit."""


class ExpressionError(ValueError):
    """The text is not a valid figure expression; the message says where."""


def parse_expression(text: str) -> Expr:
    """Parse `text` into an expression tree, or raise ExpressionError naming the column."""
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"unexpected character {text[pos:].strip()[:1]!r} at column {pos + 1}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind), match.start(kind) + 1))
        pos = match.end()
    if not tokens:
        raise ExpressionError("empty expression")
    if len(tokens) > MAX_TOKENS:
        raise ExpressionError(f"expression too long: {len(tokens)} tokens (at most {MAX_TOKENS}); split it into figures")
    depth = 0
    for kind, value, column in tokens:
        depth += (value == "(") - (value == ")") if kind == "op" else 0
        if depth > MAX_NESTING:
            raise ExpressionError(f"nested too deeply at column {column} (at most {MAX_NESTING} parentheses)")
    index = 0

    def peek() -> tuple[str, str, int] | None:
        return tokens[index] if index < len(tokens) else None

    def take() -> tuple[str, str, int]:
        nonlocal index
        token = peek()
        if token is None:
            raise ExpressionError("expression ends too early")
        index += 1
        return token

    def expr() -> Expr:
        node = term()
        while (token := peek()) is not None and token[1] in "+-" and token[0] == "op":
            take()
            node = BinOp(op=token[1], left=node, right=term())
        return node

    def term() -> Expr:
        node = factor()
        while (token := peek()) is not None and token[1] in "*/" and token[0] == "op":
            take()
            node = BinOp(op=token[1], left=node, right=factor())
        return node

    def factor() -> Expr:
        kind, value, column = take()
        if kind == "num":
            return Num(value=Decimal(value))
        if kind == "name":
            return Ref(name=value)
        if value == "-":
            return Neg(operand=factor())
        if value == "(":
            node = expr()
            closing = take()
            if closing[1] != ")":
                raise ExpressionError(f"expected ')' at column {closing[2]}")
            return node
        raise ExpressionError(f"unexpected {value!r} at column {column}")

    tree = expr()
    if (extra := peek()) is not None:
        raise ExpressionError(f"unexpected {extra[1]!r} at column {extra[2]}")
    return tree


def references(tree: Expr) -> list[str]:
    """Names the expression reads, in order of appearance."""
    if isinstance(tree, Ref):
        return [tree.name]
    if isinstance(tree, BinOp):
        return references(tree.left) + references(tree.right)
    if isinstance(tree, Neg):
        return references(tree.operand)
    return []


def evaluate(tree: Expr, values: dict[str, Decimal | None]) -> Decimal | None:
    """Exact decimal value of the expression; None when an operand is unknown or a divisor is 0."""
    if isinstance(tree, Num):
        return tree.value
    if isinstance(tree, Ref):
        return values.get(tree.name)
    if isinstance(tree, Neg):
        inner = evaluate(tree.operand, values)
        return None if inner is None else -inner
    left = evaluate(tree.left, values)
    right = evaluate(tree.right, values)
    if left is None or right is None:
        return None
    if tree.op == "+":
        return left + right
    if tree.op == "-":
        return left - right
    if tree.op == "*":
        return left * right
    if right == 0:
        return None
    return left / right
