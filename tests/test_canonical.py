"""Digests anyone can recompute: canonical JSON is RFC 8785 (JCS), checked against the RFC's own test
vectors, against the `rfc8785` package on any JSON, and against independent implementations (the
RFC author's `jcs` package, and ECMAScript's own JSON.stringify under Node.js) on real traces and log records."""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import jcs
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from decider import consult, load_rulebase
from decider.canonical import NotCanonical, canonical_json, sha256_hex
from decider.policy.trace import digest_of
from decider.storage.decision_log import record_digest

# RFC 8785 Appendix B: IEEE 754 bit patterns and the text JCS requires for them.
NUMBER_VECTORS = [
    ("0000000000000000", "0"), ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"), ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"), ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"), ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"), ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"), ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"), ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"), ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), NUMBER_VECTORS)
def test_numbers_follow_the_rfc_8785_vectors(bits: str, expected: str) -> None:
    (number,) = struct.unpack(">d", bytes.fromhex(bits))
    assert canonical_json([number]) == f"[{expected}]".encode()
    assert canonical_json({"n": number}) == f'{{"n":{expected}}}'.encode()


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_nan_and_infinity_have_no_canonical_form(bits: str) -> None:
    (number,) = struct.unpack(">d", bytes.fromhex(bits))
    with pytest.raises(NotCanonical):
        canonical_json({"n": number})


def test_the_rfc_8785_example_serialises_byte_for_byte() -> None:
    # RFC 8785 section 3.2.2 (input) and 3.2.3 / 3.2.4 (output).
    data = json.loads('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], '
                      '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}')
    expected = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
                '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    assert canonical_json(data) == expected.encode("utf-8")


def test_keys_sort_by_utf16_code_units() -> None:
    # RFC 8785 section 3.2.3: the emoji (a surrogate pair, D83D...) sorts before U+FB33.
    data = {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",
            "\U0001f600": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}
    order = [key for key in json.loads(canonical_json(data))]
    assert order == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


JSON_SCALARS = (st.none() | st.booleans() | st.integers(-(2**60), 2**60)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=4), inner, max_size=4), max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(data=JSON_VALUES)
def test_every_json_value_serialises_as_the_rfc8785_package_does(data: Any) -> None:
    """decider's fast route through the C encoder and `rfc8785` agree on the bytes, or both refuse."""
    try:
        reference: bytes | None = rfc8785.dumps(data)
    except rfc8785.CanonicalizationError:
        reference = None
    if reference is None:
        with pytest.raises(NotCanonical):
            canonical_json(data)
    else:
        assert canonical_json(data) == reference


@settings(max_examples=300, deadline=None)
@given(number=st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_double_matches_the_rfc_authors_implementation(number: float) -> None:
    assert canonical_json([number]).decode() == jcs.canonicalize([number]).decode()


def test_the_v1_scheme_is_the_pre_0_2_form() -> None:
    data = {"b": 1.0, "a": "é", "c": [2.5, None, True]}
    assert canonical_json(data, "v1") == '{"a":"é","b":1.0,"c":[2.5,null,true]}'.encode()
    assert canonical_json(data) == '{"a":"é","b":1,"c":[2.5,null,true]}'.encode()


# -- real documents, recomputed outside decider


def _consultation_documents(tmp_path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rulebase = load_rulebase()
    log = tmp_path / "decisions.log"
    answers = [{"format_failures": True, "prompting_baseline": "measured", "eval_harness": True, "example_count": 500,
                "tuning_cost": 20000, "monthly_mtokens": 3, "price_per_mtoken": 2.5},
               {"format_failures": "unknown", "knowledge": "documents"}, {}]
    traces = [consult(rulebase, a, log=log).trace for a in answers]
    trace = json.loads(traces[0].to_json())
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return trace, records


def _trace_body(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("digest", "recorded_at")}


def _record_body(data: dict[str, Any]) -> dict[str, Any]:
    body = _trace_body(data)
    body["trace"] = {k: v for k, v in body["trace"].items() if k != "recorded_at"}
    return body


def test_trace_and_log_digests_are_reproduced_by_the_rfc_authors_jcs(tmp_path: Path) -> None:
    trace, records = _consultation_documents(tmp_path)
    assert trace["format"] == "decider-trace/2"
    assert hashlib.sha256(jcs.canonicalize(_trace_body(trace))).hexdigest() == trace["digest"] == digest_of(trace)
    assert any(isinstance(v, float) for v in trace["figures"].values())  # numbers are part of what is checked
    for record in records:
        assert record["format"] == "decider-log/2"
        assert hashlib.sha256(jcs.canonicalize(_record_body(record))).hexdigest() == record["digest"]
        assert record_digest(record) == record["digest"]


NODE_JCS = r"""
// RFC 8785 as its section 3.2 describes it: ECMAScript's own JSON.stringify for strings and numbers,
// object keys sorted by UTF-16 code units (the default sort order of JavaScript strings).
const crypto = require("crypto");
const canon = (v) => v === null || typeof v !== "object" ? JSON.stringify(v)
  : Array.isArray(v) ? "[" + v.map(canon).join(",") + "]"
  : "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canon(v[k])).join(",") + "}";
const docs = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(docs.map((d) => crypto.createHash("sha256").update(canon(d), "utf8").digest("hex"))));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_trace_and_log_digests_are_reproduced_by_ecmascript(tmp_path: Path) -> None:
    trace, records = _consultation_documents(tmp_path)
    bodies = [_trace_body(trace), *(_record_body(r) for r in records)]
    result = subprocess.run(["node", "-e", NODE_JCS], input=json.dumps(bodies), capture_output=True, text=True,
                            timeout=60, check=True)
    assert json.loads(result.stdout) == [trace["digest"], *(r["digest"] for r in records)]


def test_a_digest_is_sha256_of_the_canonical_bytes() -> None:
    data = {"z": [1, 2.5], "a": {"b": None}}
    assert sha256_hex(data) == hashlib.sha256(b'{"a":{"b":null},"z":[1,2.5]}').hexdigest()
