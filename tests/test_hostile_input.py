"""Bad input that used to end as an internal error (exit 1) now gets exit 2 and a location (issue 16, low items)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from decider.rulebase.loader import default_rules_dir

from conftest import run_cli


def shipped_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), directory)
    return directory


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("name, text, says", [
    ("a.yaml", "example_count: " + "9" * 5000 + "\n", "a.yaml:1:16: YAML value: Exceeds the limit (4300 digits)"),
    ("a.json", '{"example_count": ' + "9" * 5000 + "}", "a.json:1:19: YAML value: Exceeds the limit"),
    ("a.yaml", "1: true\ntrue: false\n", "a.yaml:2:1: key 'true' reads as the same value as key '1'"),
], ids=["yaml-5000-digits", "json-5000-digits", "keys-1-and-true"])
def test_answers_files(tmp_path: Path, name: str, text: str, says: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = run_cli("decide", str(path))
    assert done.returncode == 2 and says in done.stderr, done.stderr


@pytest.mark.parametrize("expr, says", [
    (" + ".join(["monthly_mtokens"] * 1000), "expression too long: 1999 tokens (at most 255)"),
    ("(" * 40 + "monthly_mtokens" + ")" * 40, "nested too deeply at column 33 (at most 32 parentheses)"),
], ids=["1000-terms", "40-parentheses"])
def test_figure_expressions_past_the_bounds(tmp_path: Path, expr: str, says: str) -> None:
    rules = shipped_copy(tmp_path)
    edit(rules / "questions.yaml", "expr: monthly_mtokens * price_per_mtoken", "expr: " + expr)
    done = run_cli("lint", str(rules))
    assert done.returncode == 1 and says in done.stdout and "internal error" not in done.stderr, done.stdout


@pytest.mark.parametrize("setting, value", [("margin_scale", ".inf"), ("margin_scale", "1.0e-320"),
                                            ("complementary_min_score", ".nan")])
def test_policy_numbers_must_be_usable(tmp_path: Path, setting: str, value: str) -> None:
    rules = shipped_copy(tmp_path)
    text = (rules / "rulebase.yaml").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.strip().startswith(f"{setting}:"))
    edit(rules / "rulebase.yaml", line, line.split(":")[0] + ": " + value)
    answers = tmp_path / "a.yaml"
    answers.write_text("example_count: 5\n", encoding="utf-8")
    done = run_cli("decide", str(answers), "--rules", str(rules))
    assert done.returncode == 2 and "rulebase.yaml:" in done.stderr and "expected a finite number" in done.stderr


@pytest.mark.parametrize("content, says", [
    ('{"format": "decider-trace/1", "answers": ' + "9" * 5000 + "}", "not a decider trace: Exceeds the limit"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
], ids=["huge-number", "deep-nesting"])  # short ids: pytest puts the id in the environment of subprocesses
def test_trace_files(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(content, encoding="utf-8")
    done = run_cli("audit", "verify", str(path))
    assert done.returncode == 2 and says in done.stdout + done.stderr and "internal error" not in done.stderr


def test_log_records_with_huge_numbers_or_deep_nesting(tmp_path: Path) -> None:
    log = tmp_path / "d.log"
    log.write_text(json.dumps({"format": "decider-log/1", "seq": 0}) + "\n"
                   + '{"format": "decider-log/1", "seq": ' + "9" * 5000 + "}\n" + "[" * 100_000 + "\n")
    done = run_cli("audit", "verify", str(log))
    assert done.returncode == 2 and "internal error" not in done.stderr, done.stderr
    assert f"{log}:2: damaged record: Exceeds the limit" in done.stdout


def test_a_decimal_nan_from_the_library_is_an_answers_error() -> None:
    from decimal import Decimal

    from decider import AnswersError, consult, load_rulebase

    for value in (Decimal("NaN"), Decimal("sNaN")):  # was: decimal.InvalidOperation
        with pytest.raises(AnswersError, match="expected a finite number"):
            consult(load_rulebase(), {"example_count": value})


def test_an_unknown_megabyte_key_is_named_shortly() -> None:
    from decider import AnswersError, consult, load_rulebase

    with pytest.raises(AnswersError) as caught:
        consult(load_rulebase(), {"x" * 1_000_000: 1})
    assert len(str(caught.value)) < 400 and "(1,000,000 characters)" in str(caught.value)  # was: 2,000,033 characters
