"""Snapshots at 80x24 and 120x40 of a question, of WHY, and of the results (top and scrolled), on the small
showcase rulebase (tests/fixtures/tui: long labels, [brackets], risks and a prerequisite), plus a number question."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from decider import load_rulebase
from decider.interview.session import Interview
from decider.rulebase.answers import Answers
from decider.tui.app import DeciderApp
from planner_support import TINY
from tui_support import settle

SHOWCASE = Path(__file__).parent / "fixtures" / "tui"
SIZES = [(80, 24), (120, 40)]
IDS = ["80x24", "120x40"]
TUNE = {"baseline": "measured", "gap": True, "quality": 2, "budget": 5000, "volume": 500}


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(Input, "_toggle_cursor", lambda _self: None)
    monkeypatch.setenv("DECIDER_STATE_DIR", str(tmp_path))


async def settled(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let the workers finish (progress, leaning, results, WHY), so the snapshot shows their results."""
    await settle(pilot)


def showcase(tmp_path: Path, answers: dict[str, object] | None = None) -> DeciderApp:
    interview = Interview.preloaded(Answers(answers)) if answers else None  # type: ignore[arg-type]
    return DeciderApp(load_rulebase(SHOWCASE), interview, save_path=tmp_path / "saved.json")


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_question(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(showcase(tmp_path), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_why(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settled(pilot)
        await pilot.press("f1")
        await settled(pilot)

    assert snap_compare(showcase(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_results_top(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(showcase(tmp_path, TUNE), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_results_scrolled(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settled(pilot)
        await pilot.press("pagedown")
        await pilot.pause()

    assert snap_compare(showcase(tmp_path, TUNE), terminal_size=size, run_before=run_before)


def test_number_question(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The number field says how it reads what is typed (60k is 60,000, never silently 60)."""
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settled(pilot)
        await pilot.press(*"60k")

    app = DeciderApp(load_rulebase(SHOWCASE), Interview().jump("budget"), save_path=tmp_path / "saved.json")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_tiny_question(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(DeciderApp(load_rulebase(TINY), save_path=tmp_path / "saved.json"), press=["1"],
                        terminal_size=(100, 30), run_before=settled)
