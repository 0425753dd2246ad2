"""Exact numbers: every number in decider lives on a grid of 10^-6 and within ±10^12.

Both engines compare numbers as integer micro-units, so they agree exactly, and no float
with an exponent (which durable_rules' C parser rejects) ever reaches the engine.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

SCALE = 1_000_000
LIMIT = Decimal(10) ** 12
_QUANTUM = Decimal("0.000001")


class NumberError(ValueError):
    """The value is not a usable number; the message says why."""


def to_decimal(value: object) -> Decimal:
    """A finite number as an exact Decimal rounded to the 10^-6 grid; rejects bools and text."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise NumberError(f"expected a number, got {type(value).__name__} {value!r}")
    if isinstance(value, (float, Decimal)) and not Decimal(value).is_finite():  # Decimal NaN: no InvalidOperation
        raise NumberError(f"expected a finite number, got {value!r}")
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if abs(exact) > LIMIT:
        raise NumberError(f"number {value!r} is beyond ±10^12")
    try:
        return exact.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:  # pragma: no cover - bounded above, so quantize cannot overflow
        raise NumberError(f"number {value!r} cannot be represented") from None


def to_micro(value: object) -> int:
    """The number in integer micro-units (exact)."""
    return int(to_decimal(value) * SCALE)


def plain(value: Decimal) -> int | float:
    """The number as JSON-friendly int (when whole) or float."""
    return int(value) if value == value.to_integral_value() else float(value)


def is_on_grid(value: object) -> bool:
    """True when the number needs no rounding to fit the grid."""
    try:
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]
        return to_decimal(value) == exact
    except (NumberError, InvalidOperation, TypeError, ValueError):
        return False
