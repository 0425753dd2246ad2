"""Interview state: answers in order, back and jump, atomic autosave and resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from decider import AnswersError, load_rulebase
from decider.interview.session import Interview, default_save_path
from planner_support import TINY


@pytest.fixture()
def tiny():  # type: ignore[no-untyped-def]
    return load_rulebase(TINY)


def test_answers_follow_the_planner_until_settled(tiny) -> None:  # type: ignore[no-untyped-def]
    interview = Interview()
    assert interview.current(tiny).id == "gap"  # type: ignore[union-attr]
    interview = interview.answer(tiny, "gap", "no")
    assert interview.answers == {"gap": False}
    assert interview.current(tiny) is None


def test_back_revisits_and_a_changed_answer_brings_questions_back(tiny) -> None:  # type: ignore[no-untyped-def]
    interview = Interview().answer(tiny, "gap", False)
    assert interview.current(tiny) is None
    interview = interview.back()
    assert interview.editing == "gap" and interview.current(tiny).id == "gap"  # type: ignore[union-attr]
    assert interview.progress(tiny).remaining_at_most >= 1
    interview = interview.answer(tiny, "gap", True)
    assert interview.current(tiny).id == "quality"  # type: ignore[union-attr]  # alone it can flip the leader
    assert interview.history == ("gap",)


def test_back_walks_through_the_history_and_stops_at_the_first(tiny) -> None:  # type: ignore[no-untyped-def]
    interview = Interview().answer(tiny, "gap", True).answer(tiny, "knowledge", "none")
    assert interview.back().editing == "knowledge"
    assert interview.back().back().editing == "gap"
    assert interview.back().back().back().editing == "gap"
    assert Interview().back() == Interview()


def test_jump_edits_any_answer(tiny) -> None:  # type: ignore[no-untyped-def]
    interview = Interview().answer(tiny, "gap", True).answer(tiny, "knowledge", "none").jump("gap")
    assert interview.current(tiny).id == "gap"  # type: ignore[union-attr]
    assert interview.planning_answers().root == {"knowledge": "none"}


def test_a_wrong_answer_is_refused_with_a_message(tiny) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="out of range"):
        Interview().answer(tiny, "quality", 9)


def test_save_and_load_round_trip_atomically(tiny, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "state" / "saved.json"
    interview = Interview().answer(tiny, "gap", True).answer(tiny, "quality", 2).back()
    interview.save(tiny, path)
    assert [p.name for p in path.parent.iterdir()] == ["saved.json"]  # no temp files left behind
    assert Interview.load(tiny, path) == interview


def test_loading_a_broken_save_names_the_file(tiny, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "saved.json"
    with pytest.raises(AnswersError, match="no saved interview"):
        Interview.load(tiny, path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(AnswersError, match="saved.json: not a saved interview"):
        Interview.load(tiny, path)
    path.write_text(json.dumps({"rulebase_id": tiny.meta.id, "rulebase_sha256": "", "answers": {"gap": "maybe"},
                                "history": []}))
    with pytest.raises(AnswersError, match=r"saved\.json: .*\[gap\]"):  # was: located as <answers>
        Interview.load(tiny, path)


def test_a_save_from_another_rulebase_or_format_is_refused(tiny, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "saved.json"
    path.write_text(json.dumps({"rulebase_id": "other", "rulebase_sha256": "", "answers": {}, "history": []}))
    with pytest.raises(AnswersError, match="saved.json: saved for rulebase 'other'"):
        Interview.load(tiny, path)
    path.write_text(json.dumps({"format": "decider-interview/999", "rulebase_id": tiny.meta.id, "rulebase_sha256": "",
                                "answers": {}, "history": []}))
    with pytest.raises(AnswersError, match="saved.json: saved in format 'decider-interview/999'"):
        Interview.load(tiny, path)
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(AnswersError, match="saved.json: not a saved interview"):
        Interview.load(tiny, path)


def test_the_save_location_honours_the_environment(tiny, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DECIDER_STATE_DIR", str(tmp_path))
    assert default_save_path(tiny) == tmp_path / "interview-tiny_decision.json"
