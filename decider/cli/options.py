"""Options several commands share: `--rules DIR`, and numbers checked while the command line is parsed."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TypeVar

Number = TypeVar("Number", int, float)


def add_rules(parser: Any) -> None:
    """`--rules DIR`: the rulebase a command uses."""
    parser.add_argument("--rules", metavar="DIR", help="rulebase directory (default: the shipped rulebase)")


def number_in(convert: Callable[[str], Number], low: Number, high: Number | None, expected: str) -> Callable[[str], Number]:
    """An argparse type: `convert(text)` from `low` to `high` (None: no upper bound); anything else,
    NaN included, is a usage error saying what was `expected`."""

    def parse(text: str) -> Number:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not (low <= value and (high is None or value <= high)):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse
