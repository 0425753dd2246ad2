"""Helpers for the Pilot and snapshot tests: keyboard answers and a fixture app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from decider.rulebase.model import UNKNOWN, BooleanQuestion, ChoiceQuestion, Question
from decider.tui.screens.question import option_values


def keys_for(question: Question, value: Any) -> list[str]:
    """The keys a person presses to give this answer: a digit for options, typing and Enter for numbers."""
    if isinstance(question, (BooleanQuestion, ChoiceQuestion)):
        options = [v for _, v in option_values(question)]
        index = options.index(value)
        return ["0" if value == UNKNOWN else str(index + 1)]
    if value == UNKNOWN:
        return ["f2"]
    return [*str(value), "enter"]


async def answer(pilot: Pilot, question: Question, value: Any) -> None:  # type: ignore[type-arg]
    await pilot.press(*keys_for(question, value))
    await pilot.app.workers.wait_for_complete()  # progress is counted in a worker thread: let it finish
    await pilot.pause()


def paths(tmp_path: Path) -> dict[str, Path]:
    return {"save_path": tmp_path / "saved.json", "report_path": tmp_path / "report.md", "trace_path": tmp_path / "trace.json"}


async def settle(pilot: Pilot) -> None:  # type: ignore[type-arg]
    """Let the screens' workers (progress, leaning, results, WHY) finish and their results show."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
