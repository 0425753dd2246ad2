"""Answers are validated against the question kinds, with located messages, from the API and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decider import AnswersError, DeciderError, consult, load_rulebase, validate_answers

from conftest import FIXTURES, run_cli

CHAIN = load_rulebase(FIXTURES / "chain")


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"nope": 1}, "unknown question 'nope' [nope]"),
        ({"q11": True}, "unknown question 'q11' (did you mean 'q1'?) [q11]"),
        ({"q1": "maybe"}, "expected yes/no (true or false) or unknown, got 'maybe' [q1]"),
        ({"q1": 1}, "expected yes/no (true or false) or unknown, got 1 [q1]"),
        ({"q2": "w"}, "or unknown, got 'w' [q2]"),
        ({"q2": ["x"]}, "or unknown, got ['x'] [q2]"),
        ({"q3": 1001}, "1001 is out of range 0–1000 ms [q3]"),
        ({"q3": -0.5}, "-0.5 is out of range 0–1000 ms [q3]"),
        ({"q3": "12 ms"}, "expected a number, got '12 ms'"),
        ({"q3": True}, "expected a number, got bool True"),
        ({"q3": float("nan")}, "expected a finite number"),
        ({"q3": float("inf")}, "expected a finite number"),
        ({"q3": 1e300}, "beyond ±10^12"),
        ({"q4": 2.5}, "expected a whole number from 1 to 5, got 2.5 [q4]"),
        ({"q4": 9}, "9 is out of range 1–5 [q4]"),
    ],
)
def test_each_kind_of_bad_answer(answers: dict[str, Any], message: str) -> None:
    with pytest.raises(AnswersError) as caught:
        consult(CHAIN, answers)
    assert any(message in str(p) for p in caught.value.problems), caught.value


def test_all_answer_problems_at_once() -> None:
    with pytest.raises(AnswersError) as caught:
        validate_answers(CHAIN, {"q1": "maybe", "q2": "w", "zzz": 1})
    assert len(caught.value.problems) == 3


def test_answers_must_be_a_mapping() -> None:
    with pytest.raises(AnswersError, match="answers must be a mapping"):
        consult(CHAIN, [("q1", True)])  # type: ignore[arg-type]


def test_unknown_forms_and_normalisation() -> None:
    answers = validate_answers(CHAIN, {"q1": "Yes", "q2": None, "q3": 12.0, "q4": "not sure"})
    assert answers.root == {"q1": True, "q2": "unknown", "q3": 12, "q4": "unknown"}
    tiny = validate_answers(CHAIN, {"q3": 0.0000004})  # rounds onto the 10^-6 grid, never an exponent float
    assert tiny.root["q3"] == 0.0


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["q1", "q2", "q3", "q4", "other"]),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                                    max_leaves=5)))
def test_any_json_value_either_consults_or_raises_a_decider_error(raw: dict[str, Any]) -> None:
    try:
        result = consult(CHAIN, raw)
    except DeciderError as exc:
        assert str(exc)
    else:
        assert result.recommendation.approach in {"a", "b", "c"}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("bad.yaml", "q1: true\nq2: [x\n", "bad.yaml:3:1: YAML syntax"),
        ("dup.yaml", "q1: true\nq1: false\n", "dup.yaml:2:1: duplicate key 'q1' (first at line 1) [q1]"),
        ("kind.yaml", "q1: true\nq3: lots\n", "kind.yaml:2:1: expected a number, got 'lots' (or unknown) [q3]"),
        ("list.yaml", "- q1\n", "list.yaml:1:1: answers must be a mapping of question id to value"),
        ("bad.json", '{"q1": true, "q2": "w"}', "bad.json:1:14: expected one of x, y, z or unknown, got 'w' [q2]"),
        ("trunc.json", '{"q1": tr', "trunc.json:1:"),
    ],
)
def test_cli_names_file_line_and_item(tmp_path: Path, name: str, text: str, expected: str) -> None:
    path = write(tmp_path, name, text)
    result = run_cli("decide", str(path), "--rules", str(FIXTURES / "chain"))
    assert result.returncode == 2, result
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_missing_file_and_binary_file(tmp_path: Path) -> None:
    result = run_cli("decide", str(tmp_path / "absent.yaml"))
    assert result.returncode == 2 and "absent.yaml: cannot read: No such file or directory" in result.stderr
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\x00\xff\xfe")
    result = run_cli("decide", str(binary))
    assert result.returncode == 2 and "not UTF-8 text" in result.stderr


def test_cli_reads_stdin_and_scenario_style_files(tmp_path: Path) -> None:
    result = run_cli("decide", "-", "--rules", str(FIXTURES / "chain"), "--format", "json", stdin="q1: true\nq2: x\nq4: 4\n")
    assert result.returncode == 0, result.stderr
    same = consult(load_rulebase(FIXTURES / "chain"), {"q1": True, "q2": "x", "q4": 4})
    assert json.loads(result.stdout)["recommendation"]["approach"] == same.recommendation.approach
    scenario = write(tmp_path, "s.yaml", "context: a team\nanswers:\n  q1: true\n  q2: nope\nexpect: {primary: c}\n")
    result = run_cli("decide", str(scenario), "--rules", str(FIXTURES / "chain"))
    assert result.returncode == 2 and "s.yaml:4:3: expected one of x, y, z or unknown, got 'nope' [q2]" in result.stderr


def test_choices_accept_id_or_label_in_any_case_and_suggest_a_close_one() -> None:
    showcase = load_rulebase(Path(__file__).parent / "fixtures" / "tui")
    assert validate_answers(showcase, {"baseline": "MEASURED"}).root == {"baseline": "measured"}
    assert validate_answers(showcase, {"baseline": "not tried yet"}).root == {"baseline": "not_tried"}
    with pytest.raises(AnswersError, match=r"not_tried \(Not tried yet\).*got 'measurd' \(did you mean 'measured'\?\)"):
        validate_answers(showcase, {"baseline": "measurd"})
