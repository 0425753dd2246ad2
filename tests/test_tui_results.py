"""The results screen and the friction items of issue 13, on the small showcase rulebase (tests/fixtures/tui):
texts with [brackets], long option labels, risks with severities, a prerequisite."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from textual.widgets import Input, Label, Markdown, OptionList, RadioButton, Static

from decider import consult, load_rulebase
from decider.interview.session import Interview
from decider.rulebase.answers import Answers
from decider.tui.app import DeciderApp
from decider.tui.screens.export import ExportScreen
from decider.tui.screens.keys import KeysScreen
from decider.tui.screens.question import QuestionScreen
from decider.tui.screens.results import ResultsScreen
from decider.tui.screens.resume import ResumeScreen
from tui_support import settle, until

SHOWCASE = load_rulebase(Path(__file__).parent / "fixtures" / "tui")
TUNE = {"baseline": "measured", "gap": True, "quality": 2, "budget": 5000, "volume": 500}
"""All five answered: Fine-tune leads, with a high and a medium risk."""


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(Input, "_toggle_cursor", lambda _self: None)
    monkeypatch.setenv("DECIDER_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)


def app_with(answers: dict[str, object], tmp_path: Path, **kwargs: object) -> DeciderApp:
    return DeciderApp(SHOWCASE, Interview.preloaded(Answers(answers)), save_path=tmp_path / "saved.json", **kwargs)  # type: ignore[arg-type]


def shown(app: DeciderApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_risks_keep_severity_and_citations_written_in_brackets(tmp_path: Path) -> None:
    """Bug 1: `[high]`, `[P3]` and `[catastrophic]` were read as markup and vanished."""
    app = app_with(TUNE, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        risks = shown(app, "#risks")
        assert "high" in risks and "Forgetting [catastrophic]" in risks and "[Test essay ¶3]" in risks
        assert "medium" in risks and "[Test essay ¶3; Test guide]" in risks
        tree = app.screen.query_one("#how")
        assert "[see P1]. [Test essay ¶1]" in str(tree.root.children[0].label)  # type: ignore[attr-defined]
        sources = shown(app, "#sources")
        assert "Test essay ¶3" in sources and "Test guide" in sources


async def test_results_open_at_the_top_and_scroll_with_the_keys(tmp_path: Path) -> None:
    """Bug 2: at 80x24, finish, Esc, Enter: the results opened scrolled to the bottom, and Home did nothing."""
    app = app_with({k: v for k, v in TUNE.items() if k != "volume"}, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")  # volume: not sure -> results
        await settle(pilot)
        await pilot.press("escape")  # back to the last question
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        scroll = app.screen.query_one("#results")
        assert scroll.scroll_y == 0 and scroll.max_scroll_y > 0
        assert app.screen.query_one("#recommendation").region.y < 24
        await pilot.press("end")
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("home")
        assert scroll.scroll_y == 0


async def test_the_answers_list_shows_every_answer_in_full_at_80_columns(tmp_path: Path) -> None:
    """Bug 3: the answers table showed only the question column at <= 100 columns, and at most 14 rows."""
    app = app_with(TUNE, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        options = app.screen.query_one("#answers", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(prompts) == len(TUNE)
        assert any("Iterated and measured, with named failures that remain after careful prompting" in p for p in prompts)
        assert any("5,000 USD" in p for p in prompts)
        assert options.region.height >= len(TUNE)  # no row cap
        assert options.virtual_size.width <= options.region.width  # nothing off to the right


async def test_long_option_labels_wrap_at_80_columns(tmp_path: Path) -> None:
    """Bug 4: "3 Iterated and measured, with named f…" was cut."""
    app = DeciderApp(SHOWCASE, save_path=tmp_path / "saved.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        longest = app.screen.query(RadioButton)[2]
        assert longest.region.height >= 2 and longest.region.right <= 80


async def test_an_export_in_mid_interview_says_it_is_provisional(tmp_path: Path) -> None:
    """Bug 6: a mid-interview export read like a final recommendation."""
    app = DeciderApp(SHOWCASE, save_path=tmp_path / "saved.json", report_path=tmp_path / "r.md")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")  # measured; the gap question comes next
        await settle(pilot)
        app.action_export()
        report = (tmp_path / "r.md").read_text()
        assert report.startswith("# Provisional recommendation:") and "the interview is not finished" in report


async def test_e_asks_where_never_overwrites_silently_and_writes_readable_files(tmp_path: Path) -> None:
    """Bug 7: `e` overwrote decider-report.md and decider-trace.json in the current directory as 0600 files."""
    (tmp_path / "decider-report.md").write_text("keep me")
    app = app_with(TUNE, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, ExportScreen)
        field = app.screen.query_one("#export-path", Input)
        assert field.value == str(tmp_path / "decider-report-2.md")  # a free name is suggested
        field.value = str(tmp_path / "decider-report.md")
        await pilot.press("enter")
        assert isinstance(app.screen, ExportScreen)  # asked first
        assert "already exists" in str(app.screen.query_one("#export-note", Label).render())
        assert (tmp_path / "decider-report.md").read_text() == "keep me"
        await pilot.press("enter")  # confirmed
        await pilot.pause()
        assert (tmp_path / "decider-report.md").read_text().startswith("# Recommendation: Fine-tune")
        trace = tmp_path / "decider-report.trace.json"
        assert trace.exists()
        assert str(trace) in str(app.screen.query_one("#exported", Label).render())
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE((tmp_path / "decider-report.md").stat().st_mode) == 0o666 & ~mask


async def test_report_alone_writes_no_trace(tmp_path: Path) -> None:
    """Bug 7: `--report` alone also wrote a trace."""
    app = app_with(TUNE, tmp_path, report_path=tmp_path / "only.md")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
    assert (tmp_path / "only.md").exists() and sorted(p.name for p in tmp_path.iterdir() if "trace" in p.name) == []


async def test_the_leaning_never_says_settled_while_more_may_matter(tmp_path: Path) -> None:
    """Bug 8: after reopening a question from the results, "Settled" beside "at most 1 more may matter"."""
    app = app_with(TUNE, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a", "down", "down", "enter")  # reopen "how clean" (no answer to it changes the result)
        await settle(pilot)
        assert isinstance(app.screen, QuestionScreen) and app.screen.question.id == "quality"
        progress = str(app.screen.query_one("#progress-text", Label).render())
        leaning = str(app.screen.query_one("#leaning", Static).render())
        assert "more may matter" in progress and "Settled" not in leaning
        assert "Whatever you answer here, Fine-tune stays recommended." in leaning


async def test_results_show_ranking_prerequisites_and_the_confidence_word(tmp_path: Path) -> None:
    """Bug 9: the ranking with points for and against, "before you start", the confidence word."""
    app = app_with({"baseline": "tried"}, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rec = consult(SHOWCASE, {"baseline": "tried"}).recommendation
        assert rec.level and f"confidence {rec.level} ({rec.confidence:.0%})" in shown(app, "#recommendation")
        assert "Build an evaluation set [first]" in shown(app, "#prerequisites")
        ranking = shown(app, "#ranking")
        assert "Prompt and evaluate" in ranking and "+2 / −0" in ranking


async def test_friction_feedback_first_question_missing_digit_and_quit(tmp_path: Path) -> None:
    app = DeciderApp(SHOWCASE, save_path=tmp_path / "saved.json")
    said: list[object] = []
    real_exit = app.exit
    app.exit = lambda *a, **k: (said.append(k.get("message")), real_exit(*a, **k))[1]  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("escape")
        assert "first question" in str(app.screen.query_one("#error", Static).render())
        await pilot.press("7")
        assert "no option 7" in str(app.screen.query_one("#error", Static).render())
        await pilot.press("3", "ctrl+q")
    assert app.return_code == 0 and said == [f"Saved to {tmp_path / 'saved.json'} (continue with: decider interview --resume)"]


async def test_going_back_shows_kept_later_answers_and_can_clear_them(tmp_path: Path) -> None:
    app = DeciderApp(SHOWCASE, save_path=tmp_path / "saved.json")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3", "1")  # measured, gap yes
        await settle(pilot)
        await pilot.press("escape", "escape")  # back to the first question
        await settle(pilot)
        assert "1 later answer is kept" in str(app.screen.query_one("#editing", Static).render())
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert app.interview.answers == {"baseline": "measured"}


async def test_a_finished_saved_interview_is_offered_as_results(tmp_path: Path) -> None:
    app = DeciderApp(SHOWCASE, saved=Interview.preloaded(Answers(TUNE)), save_path=tmp_path / "saved.json")
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, ResumeScreen)
        assert "A finished interview (5 answers)" in str(app.screen.query(Label)[0].render())
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)


async def test_the_theme_is_kept_between_runs(tmp_path: Path) -> None:
    app = DeciderApp(SHOWCASE, save_path=tmp_path / "saved.json")
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "nord"
        await pilot.pause()
    again = DeciderApp(SHOWCASE, save_path=tmp_path / "saved.json")
    async with again.run_test(size=(100, 30)):
        assert again.theme == "nord"


async def test_key_help_is_built_from_the_bindings(tmp_path: Path) -> None:
    app = app_with(TUNE, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, KeysScreen)
        text = app.screen.query_one(Markdown).source
        for binding in ResultsScreen.BINDINGS:
            assert binding.description in text  # type: ignore[union-attr]
        await pilot.press("escape")
        assert isinstance(app.screen, ResultsScreen)


async def test_an_approach_off_the_table_is_shown_with_why(tmp_path: Path) -> None:
    app = app_with({**TUNE, "budget": 0}, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        standing = shown(app, "#standing")
        assert "Off the table: Fine-tune — With no budget there is nothing to train with. [Test guide]" in standing
        assert "off the table" in shown(app, "#ranking")


async def test_the_approach_the_team_came_in_with_is_shown_with_what_speaks_against_it(tmp_path: Path) -> None:
    rulebase = load_rulebase()
    answers: dict[str, object] = {q.id: "unknown" for q in rulebase.questions}  # finished: every question answered
    answers.update({"motive": "better", "prompting_baseline": "tried", "eval_harness": False})
    app = DeciderApp(rulebase, Interview.preloaded(Answers(answers)), save_path=tmp_path / "saved.json")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen) and app.screen.result is not None
        anyway = app.screen.result.anyway
        assert anyway is not None
        text = shown(app, "#anyway")
        assert text.startswith(f"If you choose {anyway.title} anyway")
        for reason in anyway.against:
            assert reason.title in text
        assert "Sources:" in shown(app, "#sources")


async def test_the_question_stays_in_view_above_a_long_help_at_80x24(tmp_path: Path) -> None:
    """A long help text used to scroll the question itself off the top once the answers had focus."""
    rulebase = load_rulebase()
    answers = {"motive": "better", "prompting_baseline": "tried", "eval_harness": False}
    app = DeciderApp(rulebase, Interview.preloaded(Answers(answers)), save_path=tmp_path / "saved.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("down", "down", "down")  # move through the options, scrolling the pane
        await pilot.pause()
        text = app.screen.query_one("#question-text", Static)
        assert str(text.render()).startswith(app.screen.question.text[:30])
        region = text.region
        assert region.height > 0 and 0 <= region.y < 24 and text.visible


async def test_a_reason_cut_at_the_edge_of_the_tree_is_shown_in_full_when_highlighted(tmp_path: Path) -> None:
    """The HOW tree shows each reason on one line, cut at the screen's edge (at 80, 100 and even 160 columns
    the rule's `because` and its citation were out of sight); the highlighted one is shown in full beneath."""
    app = app_with(TUNE, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#how")
        rule = str(tree.root.children[0].label)  # type: ignore[attr-defined]
        assert rule.endswith("[see P1]. [Test essay ¶1]") and len(rule) > tree.region.width
        tree.focus()
        await settle(pilot)  # the page scrolls to the tree
        await pilot.press("down")  # from the root to the first rule
        await settle(pilot)  # laid out at its new height, then scrolled into view
        detail = app.screen.query_one("#how-detail", Static)
        assert str(detail.render()) == rule
        assert detail.region.height >= 2 and detail.region.right <= 80
        await until(pilot, lambda: 1 <= detail.region.y and detail.region.bottom <= 23)
        assert 1 <= detail.region.y and detail.region.bottom <= 23  # in view, above the footer


@pytest.mark.parametrize("widget", ["#answers", "#how"])
async def test_home_and_page_keys_scroll_the_results_whatever_has_focus(widget: str, tmp_path: Path) -> None:
    """Bug 2: with the answers (or the reasons) focused, Home and PageUp moved inside them and the
    recommendation stayed out of sight."""
    app = app_with(TUNE, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        page = app.screen.query_one("#results")
        app.screen.query_one(widget).focus()
        await settle(pilot)
        await pilot.press("down")
        assert page.scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert page.scroll_y == 0 and app.screen.query_one("#recommendation").region.y < 24
        await pilot.press("end")
        await pilot.pause()
        assert page.scroll_y == page.max_scroll_y
        await pilot.press("pageup")
        await pilot.pause()
        assert 0 < page.scroll_y < page.max_scroll_y


async def test_the_export_and_resume_dialogs_wrap_their_text_at_80_columns(tmp_path: Path) -> None:
    """At 80x24 the export dialog cut "... beside it as NAME.trace.json):" and the resume dialog cut
    "n = start afresh)": their lines did not wrap."""
    app = DeciderApp(SHOWCASE, saved=Interview.preloaded(Answers(TUNE)), save_path=tmp_path / "saved.json")
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, ResumeScreen)
        assert any("n = start afresh)" in str(label.render()) and label.region.height >= 2
                   for label in app.screen.query(Label))
        await pilot.press("n")
        await settle(pilot)
        app.action_export()
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert any("NAME.trace.json):" in str(label.render()) and label.region.height >= 2
                   for label in app.screen.query(Label))


async def test_a_leaning_longer_than_its_pane_can_be_scrolled_to_its_end(tmp_path: Path) -> None:
    """At 80x24 the Leaning panel cut "Still possible: ..." after the second approach, with no sign of more."""
    app = DeciderApp(load_rulebase(), save_path=tmp_path / "saved.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one("#leaning-pane")
        leaning = app.screen.query_one("#leaning", Static)
        assert leaning.region.height > pane.content_region.height  # more than fits
        assert pane.allow_vertical_scroll and pane.show_vertical_scrollbar
        pane.scroll_end(animate=False)
        await pilot.pause()
        assert leaning.region.bottom <= pane.content_region.bottom  # its last line in view


async def test_q_on_the_results_quits_and_says_where_it_saved(tmp_path: Path) -> None:
    """`q` quits from a question (saying where it saved) but did nothing at all on the results."""
    app = app_with(TUNE, tmp_path)
    said: list[object] = []
    real_exit = app.exit
    app.exit = lambda *a, **k: (said.append(k.get("message")), real_exit(*a, **k))[1]  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("q")
    assert said == [f"Finished interview saved to {tmp_path / 'saved.json'} (see its results again: decider interview --resume)"]


async def test_a_question_opens_with_its_help_from_the_first_word_at_80x24(tmp_path: Path) -> None:
    """Focusing the answers scrolled the pane so the help began mid-sentence ("cases, so you can name ...");
    an error said later is still brought into view."""
    app = DeciderApp(load_rulebase(), save_path=tmp_path / "saved.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one("#question-pane")
        help_text = app.screen.query_one("#question-help", Static)
        assert pane.scroll_y == 0 and help_text.region.y >= pane.content_region.y
        assert all(button.region.bottom <= pane.content_region.bottom for button in app.screen.query(RadioButton))
        await pilot.press("7")
        await settle(pilot)
        error = app.screen.query_one("#error", Static)
        assert str(error.render()) == "There is no option 7: choose 1–3, or 0 for not sure."
        assert error.region.height == 2 and error.region.bottom <= pane.content_region.bottom  # wrapped, in view


async def test_a_tie_is_shown_with_the_answers_that_would_separate_it(tmp_path: Path) -> None:
    """Bug 9 (ties): the report names a tie at the top and what would separate it; so do the results."""
    tie = {"baseline": "measured", "gap": True, "quality": 1, "budget": 5000, "volume": 1}
    rec = consult(SHOWCASE, tie).recommendation
    assert rec.tied
    app = app_with(tie, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        standing = " ".join(shown(app, "#standing").split())
        assert f"Tie: level with {rec.tied[0].title}" in standing
        assert "separated by: How far has prompting been pushed? [be honest]" in standing
        assert "confidence low" in shown(app, "#recommendation")


async def test_the_export_dialog_says_before_writing_that_a_mid_interview_report_is_provisional(tmp_path: Path) -> None:
    """Bug 6: the report says so at its top; the dialog said nothing until after it had written it."""
    app = DeciderApp(SHOWCASE, save_path=tmp_path / "saved.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        app.action_export()
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        said = " ".join(" ".join(str(label.render()).split()) for label in app.screen.query(Label))
        assert "The interview is not finished: the report will say it is provisional." in said
    done = app_with(TUNE, tmp_path)
    async with done.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        done.action_export()
        await pilot.pause()
        assert "provisional" not in " ".join(str(label.render()) for label in done.screen.query(Label))


@pytest.mark.parametrize("how", ["enter", "click"])
async def test_enter_or_a_click_on_the_answer_already_given_keeps_it_and_goes_on(how: str, tmp_path: Path) -> None:
    """Bug 2's path (finish, Esc, Enter): on a reopened question Enter (or a click) on the answer already
    given did nothing, with no word why; it keeps that answer and goes on."""
    app = app_with(TUNE, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a", "enter")  # reopen the first answer: "measured"
        await settle(pilot)
        assert isinstance(app.screen, QuestionScreen) and app.screen.question.id == "baseline"
        pressed = app.screen.query(RadioButton)[2]
        assert pressed.value
        if how == "enter":
            await pilot.press("enter")
        else:
            await pilot.click(pressed)
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen) and app.interview.answers == TUNE
