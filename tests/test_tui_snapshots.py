"""Snapshots of the question, WHY and results screens, on the tiny fixture rulebase (stable across rulebase rewrites)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from decider import load_rulebase
from decider.tui.app import DeciderApp
from planner_support import TINY

SIZE = (100, 30)


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(Input, "_toggle_cursor", lambda _self: None)
    monkeypatch.setenv("DECIDER_STATE_DIR", str(tmp_path))


async def counted(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let the progress worker finish, so the snapshot shows the count, not "counting…"."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def tiny_app(tmp_path: Path) -> DeciderApp:
    return DeciderApp(load_rulebase(TINY), save_path=tmp_path / "saved.json")


def test_question_screen(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(tiny_app(tmp_path), press=["1"], terminal_size=SIZE, run_before=counted)


def test_number_question_screen(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(tiny_app(tmp_path), press=["1", "1", "9", "enter"], terminal_size=SIZE, run_before=counted)


def test_why_screen(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(tiny_app(tmp_path), press=["1", "f1"], terminal_size=SIZE)


def test_results_screen(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(tiny_app(tmp_path), press=["1", "1", "5", "enter"], terminal_size=SIZE)
