"""Exact numbers: every number in decider lives on a grid of 10^-6 and within ±10^12.

Both engines compare numbers as integer micro-units, so they agree exactly, and no float
with an exponent (which durable_rules' C parser rejects) ever reaches the engine.
"""

from __future__ import annotations

import re
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


# ----------------------------------------------------------------------------- numbers as people type them

_CURRENCY = "$€£"
_SUFFIXES = {"k": 3, "thousand": 3, "m": 6, "mn": 6, "million": 6, "b": 9, "bn": 9, "billion": 9}
_UNIT_MAGNITUDES = ("thousand", "million", "billion", "k ")
_NUMBER = re.compile(r"(?P<int>\d[\d,_ ]*)?(?:\.(?P<frac>\d+))?(?:[eE](?P<exp>[+-]?\d+))?")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def read_number(text: str, unit: str | None = None) -> Decimal:
    """The exact number a person typed, or NumberError saying why it is not one.

    Accepts thousands separators (1,500 · 1 500 · 1_500), a currency sign ($2.50), a magnitude
    suffix (60k · 2.5M · 3bn) and exponents (1e3). Nothing is dropped silently: a comma that does
    not group thousands, a currency sign on a non-money answer, or a suffix on a unit that already
    counts thousands or millions is refused with the reason. `unit` is the question's unit."""
    original = text
    body = text.translate(_SPACES).strip()
    if not body:
        raise NumberError("type a number")
    sign = ""
    if body[0] in "+-":
        sign, body = body[0], body[1:].lstrip()
    if body and body[0] in _CURRENCY:
        if unit is not None and not _is_money(unit):
            raise NumberError(f"{original.strip()!r}: a currency sign, but the answer is in {unit}")
        body = body[1:].lstrip()
        if not sign and body[:1] in ("+", "-"):
            sign, body = body[0], body[1:].lstrip()
    if body.endswith("%"):
        raise NumberError(f"{original.strip()!r}: type the number without '%'")
    match = re.fullmatch(r"(?P<number>[^a-zA-Z]*?(?:[eE][+-]?\d+)?)\s*(?P<suffix>[a-zA-Z]*)", body)
    suffix = match.group("suffix").lower() if match else ""
    number_text = match.group("number").strip() if match else body
    if suffix and suffix not in _SUFFIXES:
        raise NumberError(f"expected a number, got {original.strip()!r}")
    parsed = _NUMBER.fullmatch(number_text)
    if not number_text or parsed is None or not (parsed.group("int") or parsed.group("frac")):
        raise NumberError(f"expected a number, got {original.strip()!r}")
    whole = _ungroup(parsed.group("int") or "0", original.strip())
    if suffix:
        if parsed.group("exp"):
            raise NumberError(f"{original.strip()!r}: use an exponent or a suffix, not both")
        if unit is not None and unit.lower().startswith(_UNIT_MAGNITUDES):
            raise NumberError(f"{original.strip()!r}: the answer is already in {unit}; type the number of those")
    exponent = int(parsed.group("exp") or 0) + _SUFFIXES.get(suffix, 0)
    if abs(exponent) > 30:
        raise NumberError(f"number {original.strip()!r} is beyond ±10^12")
    value = Decimal(f"{sign}{whole}.{parsed.group('frac') or '0'}").scaleb(exponent)
    if abs(value) > LIMIT:
        raise NumberError(f"number {original.strip()!r} is beyond ±10^12")
    return value.normalize() if value != 0 else Decimal(0)


def _ungroup(digits: str, original: str) -> str:
    """Digits without thousands separators; separators must group threes, and only one kind per number."""
    separators = {c for c in digits if c in ", _"}
    if not separators:
        return digits
    if len(separators) > 1:
        raise NumberError(f"{original!r}: mixed separators; write 1,500 or 1 500")
    separator = separators.pop()
    if separator == "_":
        return digits.replace("_", "")  # as in Python and YAML
    groups = digits.split(separator)
    if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        if separator == ",":
            raise NumberError(f"{original!r}: ',' separates thousands (1,500); use '.' for decimals")
        raise NumberError(f"{original!r}: spaces may only group thousands (1 500)")
    return "".join(groups)


def _is_money(unit: str) -> bool:
    return any(word in unit.upper() for word in ("USD", "EUR", "GBP", "$", "€", "£", "DOLLAR"))
