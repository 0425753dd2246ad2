"""One number reader: the same typed text gives the same value, or the same refusal with its reason,
in the TUI, the plain interview, answers files and batch CSV."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Input, Static

from decider import AnswersError, consult, load_rulebase
from decider.cli.inputs import read_answers
from decider.cli.plain import PlainInterview
from decider.interview.session import Interview
from decider.rulebase.numbers import NumberError, read_number
from decider.tui.app import DeciderApp
from decider.tui.screens.question import QuestionScreen
from conftest import run_cli

SHOWCASE = Path(__file__).parent / "fixtures" / "tui"

# (question, typed text, the value it means, or the reason it is refused)
CASES: list[tuple[str, str, float | str]] = [
    ("budget", "1,500", 1500),
    ("budget", "1 500", 1500),
    ("budget", "60k", 60000),
    ("budget", "2.5M", 2500000),
    ("budget", "$2.50", 2.5),
    ("budget", "1e3", 1000),
    ("budget", "1,500,000.25", 1500000.25),
    ("budget", "1,50", "',' separates thousands (1,500); use '.' for decimals"),
    ("budget", "12 apples", "expected a number, got '12 apples'"),
    ("budget", "5%", "type the number without '%'"),
    ("budget", "2e9", "'2e9' (= 2,000,000,000) is out of range 0–1000000000 USD"),
    ("volume", "60M", "the answer is already in million tokens / month; type the number of those"),
    ("volume", "$60", "a currency sign, but the answer is in million tokens / month"),
    ("quality", "2.9999999", "expected a whole number from 1 to 5"),
    ("quality", "4", 4),
    # YAML 1.1 reads these as octal, hexadecimal and base-60 numbers; people mean (or do not mean) a number
    ("budget", "010", 10),
    ("budget", "0x10", "expected a number, got '0x10'"),
    ("budget", "1:30", "expected a number, got '1:30'"),
]
IDS = [f"{q}={text}" for q, text, _ in CASES]


@pytest.fixture(scope="module")
def showcase():  # type: ignore[no-untyped-def]
    return load_rulebase(SHOWCASE)


def check(got: object, expected: float | str) -> None:
    if isinstance(expected, str):
        assert isinstance(got, str) and expected in got, got
    else:
        assert got == expected and not isinstance(got, str)


@pytest.mark.parametrize(("question", "text", "expected"), CASES, ids=IDS)
def test_answers_file(question: str, text: str, expected: float | str, showcase, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "answers.yaml"
    path.write_text(f"{question}: {text}\n", encoding="utf-8")
    try:
        got: object = read_answers(showcase, str(path)).root[question]
    except AnswersError as exc:
        got = str(exc)
        assert "answers.yaml:1:1:" in got and f"[{question}]" in got
    check(got, expected)


@pytest.mark.parametrize(("question", "text", "expected"), CASES, ids=IDS)
def test_plain_interview(question: str, text: str, expected: float | str, showcase, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    plain = PlainInterview(showcase, Interview().jump(question), tmp_path / "saved.json")
    plain.run(io.StringIO(f"{text}\nq\n"), out)
    refused = [line.split("not accepted: ", 1)[1] for line in out.getvalue().splitlines() if "not accepted: " in line]
    check(refused[0] if refused else plain.interview.answers.get(question), expected)


def test_batch_csv(showcase, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every case as one CSV row of one real `decider batch` run (one subprocess for the table)."""
    path = tmp_path / "profiles.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["baseline", "gap", "budget", "volume", "quality"])
        for question, text, _ in CASES:
            writer.writerow(["measured", "true", *(text if q == question else "" for q in ("budget", "volume", "quality"))])
    done = run_cli("batch", str(path), "--rules", str(SHOWCASE))
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == len(CASES), done.stderr
    for (question, _, expected), row in zip(CASES, rows):
        if isinstance(expected, str):
            check(row["error"], expected)
        else:
            assert row["ok"], row  # the value read is the one the trace was sealed over
            same = consult(showcase, {"baseline": "measured", "gap": True, question: expected})
            assert row["summary"]["digest"] == same.trace.digest


async def test_tui_number_field(showcase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Every case typed into the TUI's number field, in one app session (the field is refilled each time)."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda _self: None)
    for question, text, expected in CASES:
        app = DeciderApp(showcase, Interview().jump(question), save_path=tmp_path / "saved.json")
        async with app.run_test(size=(100, 30)) as pilot:
            field = app.screen.query_one("#answer", Input)
            field.value = text
            await pilot.press("enter")
            await pilot.pause()
            if isinstance(app.screen, QuestionScreen) and app.screen.question.id == question:
                got: object = str(app.screen.query_one("#error", Static).render())
            else:
                got = app.interview.answers.get(question)
        check(got, expected)


@settings(max_examples=300, deadline=None)
@given(st.integers(-10**12, 10**12), st.integers(0, 6))
def test_every_way_of_writing_a_number_reads_back_exactly(whole: int, places: int) -> None:
    value = Decimal(whole).scaleb(-places)
    plain = f"{value:f}"
    grouped = f"{value:,f}"
    for text in (plain, grouped, grouped.replace(",", " "), f"${grouped}" if value >= 0 else f"-${grouped[1:]}",
                 f"{value:e}"):
        assert read_number(text) == value, text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_any_text_is_a_number_or_a_reason(text: str) -> None:
    try:
        read_number(text)
    except NumberError as exc:
        assert str(exc)
