"""The Textual interview driven keyboard-only (and by mouse) through Pilot."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Label, Markdown, OptionList, RadioSet, Static, Tree

from decider import consult, load_rulebase, validate_answers
from decider.rulebase.model import UNKNOWN, Rulebase
from decider.interview.planner import next_question
from decider.interview.session import Interview
from decider.tui.app import DeciderApp
from decider.tui.screens.question import QuestionScreen
from decider.tui.screens.results import ResultsScreen
from decider.tui.screens.resume import ResumeScreen
from decider.tui.screens.why import WhyScreen
from planner_support import TINY, scenarios
from tui_support import answer, paths, settle

SIZE = (100, 30)


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(Input, "_toggle_cursor", lambda _self: None)
    monkeypatch.setenv("DECIDER_STATE_DIR", str(tmp_path / "state"))


LONG = os.environ.get("DECIDER_LONG_TESTS") == "1"


def walked_features(rulebase: Rulebase, answers: dict[str, Any]) -> set[tuple[str, str]]:
    """What a keyboard walk through this scenario exercises: each kind of question answered with a
    value or "not sure", and the results it ends on (the recommendation, its confidence level, whether
    it is tied, settled, has a complement, excludes an approach)."""
    given: dict[str, Any] = {}
    features = set()
    while (question := next_question(rulebase, given)) is not None:
        given[question.id] = answers.get(question.id, UNKNOWN)
        features.add((question.kind, "not sure" if given[question.id] == UNKNOWN else "value"))
    result = consult(rulebase, given)
    shown = result.recommendation
    features |= {("recommends", shown.approach), ("level", shown.level), ("tied", str(bool(shown.tied))),
                 ("settled", str(shown.settled)), ("complemented", str(bool(shown.complementary))),
                 ("excludes", str(bool(result.excluded)))}
    return features


def covering_walks() -> list[tuple[str, dict[str, Any]]]:
    """Every golden scenario in the long run (DECIDER_LONG_TESTS=1); otherwise the fewest that together
    exercise every feature any of them does (`walked_features`, chosen greedily, longest walk first on
    a tie), so that the ~0.4 s Textual takes per question is spent where it shows something new."""
    every = scenarios()
    if LONG:
        return every
    rulebase = load_rulebase()
    features = {name: walked_features(rulebase, dict(validate_answers(rulebase, answers).root))
                for name, answers in every}
    left = set().union(*features.values())
    chosen: list[tuple[str, dict[str, Any]]] = []
    while left:
        name, answers = max(every, key=lambda s: (len(features[s[0]] & left), len(features[s[0]])))
        chosen.append((name, answers))
        left -= features[name]
    return sorted(chosen)


WALKS = covering_walks()


def test_the_walks_cover_every_kind_of_question_and_every_recommendation() -> None:
    """The walks run by default still answer every kind of question both ways and reach every
    recommendation the golden scenarios reach."""
    rulebase = load_rulebase()
    every = set().union(*(walked_features(rulebase, dict(validate_answers(rulebase, a).root)) for _, a in scenarios()))
    shown = set().union(*(walked_features(rulebase, dict(validate_answers(rulebase, a).root)) for _, a in WALKS))
    assert shown == every
    assert {("recommends", a.id) for a in rulebase.approaches} <= every


@pytest.mark.parametrize(("name", "answers"), WALKS, ids=[s[0] for s in WALKS])
async def test_golden_scenarios_keyboard_only(name: str, answers: dict[str, Any], tmp_path: Path) -> None:
    rulebase = load_rulebase()
    answers = dict(validate_answers(rulebase, answers).root)  # scenario files may say "yes" or 2.0
    app = DeciderApp(rulebase, **paths(tmp_path))
    asked = 0
    async with app.run_test(size=SIZE) as pilot:
        while isinstance(app.screen, QuestionScreen):
            question = app.screen.question
            await answer(pilot, question, answers.get(question.id, "unknown"))
            asked += 1
            assert asked <= len(rulebase.questions)
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen) and app.screen.result is not None
        shown = app.screen.result.recommendation.approach
        given = dict(app.interview.answers)
        assert shown == consult(rulebase, given).recommendation.approach
        assert shown == consult(rulebase, {**given, **answers}).recommendation.approach
        assert json.loads((tmp_path / "saved.json").read_text())["answers"] == given


async def test_an_early_answer_settles_and_back_brings_questions_back(tmp_path: Path) -> None:
    app = DeciderApp(load_rulebase(TINY), **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.question.id == "gap"  # type: ignore[attr-defined]
        await pilot.press("2")  # No
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen) and app.screen.result is not None
        assert app.screen.result.recommendation.approach == "prompt"
        await pilot.press("escape")  # back to change it
        assert app.screen.question.id == "gap"  # type: ignore[attr-defined]
        assert app.screen.query_one(RadioSet).pressed_index == 1  # the earlier answer is kept
        await pilot.press("1")  # Yes: the data-quality question becomes relevant again
        assert app.screen.question.id == "quality"  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()  # progress is counted off the UI thread
        await pilot.pause()
        assert "at most 4 more" in str(app.screen.query_one("#progress-text", Label).render())


async def test_why_explains_the_question_and_returns(tmp_path: Path) -> None:
    app = DeciderApp(load_rulebase(TINY), **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1", "enter", "f1")  # gap yes, quality 1: knowledge is asked
        assert isinstance(app.screen, WhyScreen)
        text = app.screen.query_one(Markdown).source
        assert "A behaviour gap is the case for tuning" not in text  # that rule reads gap, not knowledge
        assert "Documents are best retrieved." in text and "Our documents" in text
        await pilot.press("escape")
        assert isinstance(app.screen, QuestionScreen) and app.screen.question.id == "knowledge"


async def test_numbers_are_validated_and_not_sure_is_always_there(tmp_path: Path) -> None:
    app = DeciderApp(load_rulebase(TINY), **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")  # gap yes
        assert app.screen.question.id == "quality"  # type: ignore[attr-defined]
        await pilot.press("9", "enter")
        assert app.screen.question.id == "quality"  # type: ignore[attr-defined]
        assert "9 is out of range 1–5" in str(app.screen.query_one("#error", Static).render())
        await pilot.press("question_mark")  # `?` asks WHY from a number field too
        assert isinstance(app.screen, WhyScreen)
        await pilot.press("escape", "backspace", "f2")
        assert app.interview.answers["quality"] == "unknown"


async def test_results_show_reasons_risks_what_if_and_export(tmp_path: Path) -> None:
    app = DeciderApp(load_rulebase(TINY), **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "2", "enter", "1")  # gap yes, quality 2, knowledge none
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        result = app.screen.result
        assert result is not None
        assert result.recommendation.approach == consult(load_rulebase(TINY), app.interview.answers).recommendation.approach
        tree = app.screen.query_one("#how", Tree)
        assert [str(n.label) for n in tree.root.children] == [
            "No rule bore on it directly; it leads on the policy's baseline or default.",
            "Fine-tune (score 0): the points for and against"]
        assert "Messy data" in str(app.screen.query_one("#risks").render())
        assert "What would change this" in str(app.screen.query_one("#what-if").render())
        await pilot.press("e")
        assert (tmp_path / "report.md").read_text().startswith("# Recommendation:")
        assert json.loads((tmp_path / "trace.json").read_text())["result"]["primary"] == result.recommendation.approach
        assert str(tmp_path / "report.md") in str(app.screen.query_one("#exported", Label).render())


async def test_the_how_tree_goes_from_rules_down_to_answers(tmp_path: Path) -> None:
    app = DeciderApp(load_rulebase(TINY), **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "5", "enter", "1")  # gap yes, quality 5, knowledge none
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen) and app.screen.result is not None
        assert app.screen.result.recommendation.approach == "tune"
        rule = app.screen.query_one("#how", Tree).root.children[0]
        assert str(rule.label) == "behaviour (supports tune +3): A behaviour gap is the case for tuning. [Test essay ¶1]"
        assert [str(c.label) for c in rule.children] == ["Is there a behaviour gap that prompting cannot close? → yes"]
        assert "Risks: none flagged." in str(app.screen.query_one("#risks").render())


async def test_jump_back_from_the_answers_table(tmp_path: Path) -> None:
    app = DeciderApp(load_rulebase(TINY), **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        assert isinstance(app.screen, ResultsScreen)
        await settle(pilot)
        answers = app.screen.query_one("#answers", OptionList)
        assert answers.option_count == 1
        await pilot.press("a", "enter")  # a: to the answers; Enter changes the highlighted one
        assert isinstance(app.screen, QuestionScreen) and app.screen.question.id == "gap"


async def test_resume_after_quitting_mid_interview(tmp_path: Path) -> None:
    rulebase = load_rulebase(TINY)
    app = DeciderApp(rulebase, **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "ctrl+q")
    assert app.return_code == 0
    resumed = Interview.load(rulebase, tmp_path / "saved.json")
    assert resumed.answers == {"gap": True}
    app = DeciderApp(rulebase, resumed, **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.question.id == "quality"  # type: ignore[attr-defined]
        assert "Answered 1" in str(app.screen.query_one("#progress-text", Label).render())


async def test_the_mouse_works_too(tmp_path: Path) -> None:
    app = DeciderApp(load_rulebase(TINY), **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        buttons = app.screen.query("RadioButton")
        assert await pilot.click(buttons[1])
        await pilot.pause()  # let the next screen finish mounting before the app is torn down
        assert app.interview.answers == {"gap": False}


async def test_export_from_the_command_palette(tmp_path: Path) -> None:
    app = DeciderApp(load_rulebase(TINY), **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "ctrl+p", *"Export report")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert (tmp_path / "report.md").exists()


@pytest.mark.parametrize(("key", "expected"), [("y", "quality"), ("n", "gap")])
async def test_a_saved_interview_is_offered_for_resuming(key: str, expected: str, tmp_path: Path) -> None:
    rulebase = load_rulebase(TINY)
    saved = Interview().answer(rulebase, "gap", True)
    app = DeciderApp(rulebase, saved=saved, **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ResumeScreen)
        await pilot.press(key)
        assert isinstance(app.screen, QuestionScreen) and app.screen.question.id == expected


async def test_report_and_trace_flags_are_written_when_the_result_shows(tmp_path: Path) -> None:
    app = DeciderApp(load_rulebase(TINY), **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert (tmp_path / "report.md").read_text().startswith("# Recommendation: Prompt and evaluate")
        assert "Trace written to" in str(app.screen.query_one("#exported", Label).render())


async def test_preloaded_answers_are_skipped_and_quitting_while_editing_keeps_them(tmp_path: Path) -> None:
    rulebase = load_rulebase(TINY)
    preset = Interview(answers={"gap": True, "knowledge": "documents"}, history=("gap", "knowledge"))
    app = DeciderApp(rulebase, preset, **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.question.id == "quality"  # type: ignore[attr-defined]
        await pilot.press("escape", "ctrl+q")  # back to "knowledge", then quit
    saved = Interview.load(rulebase, tmp_path / "saved.json")
    assert saved.answers == {"gap": True, "knowledge": "documents"} and saved.editing == "knowledge"


async def test_a_progress_count_arriving_while_its_screen_is_taken_down_is_dropped(tmp_path: Path) -> None:
    """A worker's result can arrive after the screen's widgets are removed but before the screen is
    detached (the next question is coming up): it is dropped, never a NoMatches that fails the worker."""
    from decider.interview.planner import progress

    rulebase = load_rulebase(TINY)
    app = DeciderApp(rulebase, **paths(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.progress_info is not None
        await screen.query("#progress-text").remove()
        screen.progress_info = None
        screen.show_progress(progress(rulebase, {}))
        assert screen.is_attached and screen.progress_info is None
