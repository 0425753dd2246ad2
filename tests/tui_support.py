"""Helpers for the Pilot and snapshot tests: keyboard answers and a fixture app."""

from __future__ import annotations

from pathlib import Path
from collections.abc import Callable
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
    await settle(pilot)  # progress, leaning and results are worked out in worker threads: let them finish


def paths(tmp_path: Path) -> dict[str, Path]:
    return {"save_path": tmp_path / "saved.json", "report_path": tmp_path / "report.md", "trace_path": tmp_path / "trace.json"}


async def settle(pilot: Pilot) -> None:  # type: ignore[type-arg]
    """Let the screens' workers (progress, leaning, results, WHY) finish and their results show: also
    those a screen starts only once mounted, after a first wait may already have returned."""
    from decider.tui.screens.question import QuestionScreen
    from decider.tui.screens.results import ResultsScreen

    for _ in range(100):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, QuestionScreen) and screen.progress_info is None:
            continue
        if isinstance(screen, ResultsScreen) and screen.changes is None:
            continue
        return


async def until(pilot: Pilot, condition: Callable[[], bool], frames: int = 50) -> None:  # type: ignore[type-arg]
    """Let the app run until `condition` holds (a layout and scroll that take more than one refresh on a
    busy machine), at most `frames` pauses; the caller asserts the condition afterwards."""
    for _ in range(frames):
        if condition():
            return
        await pilot.pause()

