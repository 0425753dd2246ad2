"""Canonical JSON and the sha256 digests over it: the one place every digest in decider is computed.

Digests (the rulebase hash, traces, decision-log records) are sha256 over RFC 8785, the JSON
Canonicalization Scheme (JCS), so an auditor can recompute one with any JCS implementation in any
language. The `rfc8785` package is the implementation; because it is pure Python and a trace is
sealed on every consultation, data whose canonical form the C `json` encoder already writes
byte for byte (string keys below U+D800, integers within ±2^53, floats either whole or written
without an exponent by both Python and ECMAScript) takes that route, and everything else goes
through `rfc8785`. The tests hold the two routes, and an independent implementation, to the same bytes.

Documents written before 0.2.0 (`decider-trace/1`, `decider-log/1`) were sealed over decider's own
earlier form (sorted keys, no whitespace, UTF-8, Python's number text); it stays here as the `v1`
scheme, only so that those documents still verify.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

import rfc8785

Scheme = Literal["jcs", "v1"]

_SAFE_INTEGER = 2**53 - 1
"""RFC 8785 numbers are IEEE 754 doubles: integers beyond this are not represented exactly."""
_FIXED_LOW, _FIXED_HIGH = 1e-4, 1e16
"""Python's repr and ECMAScript's Number::toString both write these magnitudes without an exponent,
with the same shortest round-trip digits."""


class NotCanonical(ValueError):
    """The data has no canonical JSON form (a NaN or infinite number, an integer beyond ±2^53, a
    non-string key, a lone surrogate, a value that is not JSON)."""


def canonical_json(data: Any, scheme: Scheme = "jcs") -> bytes:
    """The canonical UTF-8 bytes of JSON data: RFC 8785 (`jcs`), or the pre-0.2.0 form (`v1`)."""
    if scheme == "v1":
        try:
            return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError, RecursionError) as exc:
            raise NotCanonical(f"no canonical JSON form: {exc}") from None
    try:
        prepared = _plain(data)
    except _Unusual:
        return _rfc8785(data)
    except RecursionError:
        raise NotCanonical("no canonical JSON form: nested too deeply") from None
    try:
        return json.dumps(prepared, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        raise NotCanonical("no canonical JSON form (RFC 8785): a string holds a lone surrogate") from None


def sha256_hex(data: Any, scheme: Scheme = "jcs") -> str:
    """The sha256 (hex) of the canonical JSON of `data`."""
    return hashlib.sha256(canonical_json(data, scheme)).hexdigest()


def _rfc8785(data: Any) -> bytes:
    try:
        return rfc8785.dumps(data)
    except rfc8785.CanonicalizationError as exc:
        raise NotCanonical(f"no canonical JSON form (RFC 8785): {exc}") from None
    except RecursionError:
        raise NotCanonical("no canonical JSON form: nested too deeply") from None


class _Unusual(Exception):
    """Data the C encoder would not write in canonical form: leave it to `rfc8785`."""


def _plain(value: Any) -> Any:
    """A copy of `value` that `json.dumps(sort_keys=True, ...)` writes exactly as RFC 8785 does."""
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is dict:
        copy = {}
        for key, item in value.items():
            # Python sorts keys by code point, RFC 8785 by UTF-16 unit: the same below U+D800.
            if type(key) is not str or not (key.isascii() or max(key) < "\ud800"):
                raise _Unusual
            copy[key] = _plain(item)
        return copy
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    if kind is int:
        if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
            return value
        raise _Unusual
    if kind is float:
        if value.is_integer():
            if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
                return int(value)  # ECMAScript writes 12.0 as 12 (and -0.0 as 0)
        elif _FIXED_LOW <= abs(value) < _FIXED_HIGH:
            return value
    raise _Unusual
