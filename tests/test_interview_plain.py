"""The plain line-by-line interview, driven as a subprocess through piped stdin."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from decider import consult, load_rulebase, validate_answers
from decider.interview.session import Interview
from decider.rulebase.model import Rulebase
from conftest import run_cli
from planner_support import TINY, reply_for, scenarios


def script_for(rulebase: Rulebase, answers: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The lines a person would type (scenario value, else "not sure") and the answers they give."""
    interview, lines = Interview(), []
    while (question := interview.current(rulebase)) is not None:
        value = answers.get(question.id, "unknown")
        lines.append(reply_for(value))
        interview = interview.answer(rulebase, question.id, value)
    return lines, dict(interview.answers)


@pytest.mark.parametrize(("name", "answers"), scenarios(), ids=[s[0] for s in scenarios()])
def test_a_scripted_interview_ends_with_the_consultation_result(name: str, answers: dict[str, Any], tmp_path: Path) -> None:
    rulebase = load_rulebase()
    answers = dict(validate_answers(rulebase, answers).root)  # scenario files may say "yes" or 2.0
    lines, given = script_for(rulebase, answers)
    report, trace = tmp_path / "report.md", tmp_path / "trace.json"
    done = run_cli("interview", "--plain", "--save", str(tmp_path / "s.json"), "--report", str(report),
                   "--trace", str(trace), stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    expected = consult(rulebase, given).recommendation
    assert f"Recommendation: {expected.title} [{expected.approach}]" in done.stdout
    # every question left unasked was irrelevant: the full scenario gets the same recommendation
    assert consult(rulebase, {**given, **answers}).recommendation.approach == expected.approach
    assert f"Report: {report}" in done.stdout and report.read_text().startswith(f"# Recommendation: {expected.title}")
    assert json.loads(trace.read_text())["result"]["primary"] == expected.approach


def test_the_interview_stops_once_settled_and_asks_fewer_questions(tmp_path: Path) -> None:
    done = run_cli("interview", "--plain", "--rules", str(TINY), "--save", str(tmp_path / "s.json"), stdin="no\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\nQuestion ") == 1
    assert "Recommendation: Prompt and evaluate [prompt]" in done.stdout
    assert "What would change this:" in done.stdout and "Is there a behaviour gap that prompting cannot close? → yes: Fine-tune" in done.stdout


def test_why_back_and_bad_input_in_the_plain_mode(tmp_path: Path) -> None:
    replies = ["?", "yes", "1", "7", "b", "5", "1"]  # why; gap; quality 1; bad knowledge choice; back; quality 5; none
    done = run_cli("interview", "--plain", "--rules", str(TINY), "--save", str(tmp_path / "s.json"),
                   stdin="\n".join(replies) + "\n")
    assert done.returncode == 0, done.stderr
    assert "Why this is asked: Is there a behaviour gap" in done.stdout
    assert "behaviour (open): A behaviour gap is the case for tuning. [Test essay ¶1]" in done.stdout
    assert "not accepted: there is no option 7: choose 1–2, or 0 for not sure" in done.stdout
    saved = json.loads((tmp_path / "s.json").read_text())
    assert saved["answers"] == {"gap": True, "quality": 5, "knowledge": "none"}
    assert "Recommendation: Fine-tune [tune]" in done.stdout


def test_input_ending_early_saves_and_resume_continues(tmp_path: Path) -> None:
    save = str(tmp_path / "s.json")
    first = run_cli("interview", "--plain", "--rules", str(TINY), "--save", save, stdin="yes\n")
    assert first.returncode == 2
    assert "input ended before the interview finished; saved to" in first.stdout
    second = run_cli("interview", "--plain", "--rules", str(TINY), "--save", save, "--resume", stdin="1\ndocuments\n")
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("\nQuestion 2 — answered 1")
    assert "Recommendation: Retrieve documents [retrieve]" in second.stdout


def test_preloaded_answers_are_not_asked_again(tmp_path: Path) -> None:
    preset = tmp_path / "answers.yaml"
    preset.write_text("gap: true\nknowledge: none\nquality: 4\n", encoding="utf-8")
    done = run_cli("interview", "--plain", "--rules", str(TINY), "--answers", str(preset), "--save",
                   str(tmp_path / "s.json"), stdin="")
    assert done.returncode == 0, done.stderr
    assert "\nQuestion " not in done.stdout
    assert "Recommendation: Fine-tune [tune]" in done.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--answers", "missing.yaml"], "missing.yaml"),
    (["--resume"], "no saved interview to resume"),
])
def test_bad_inputs_get_one_message_and_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    done = run_cli("interview", "--plain", "--rules", str(TINY), "--save", str(tmp_path / "none.json"), *args, stdin="")
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_bare_decider_without_a_terminal_runs_the_plain_interview(tmp_path: Path) -> None:
    done = run_cli("--help")
    assert done.returncode == 0 and "interview" in done.stdout
    done = run_cli(env={"DECIDER_STATE_DIR": str(tmp_path)}, stdin="q\n")
    assert done.returncode == 0, done.stderr
    assert "Question 1" in done.stdout and (tmp_path / f"interview-{load_rulebase().meta.id}.json").exists()


def test_help_and_other_commands_never_import_textual() -> None:
    done = run_cli("--help", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert done.returncode == 0
    assert "textual" not in done.stderr and "decider.cli.interview" in done.stderr


def test_a_broken_rulebase_gets_a_message_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("rulebase: [\n", encoding="utf-8")
    done = run_cli("interview", "--plain", "--rules", str(tmp_path), stdin="")
    assert done.returncode == 2
    assert "rules.yaml" in done.stderr and "Traceback" not in done.stderr


def test_unusable_paths_are_refused_before_the_first_question(tmp_path: Path) -> None:
    folder = run_cli("interview", "--plain", "--rules", str(TINY), "--save", str(tmp_path), stdin="1\n")
    assert folder.returncode == 2 and f"{tmp_path}: is a folder; the autosave file needs a file name" in folder.stderr
    assert "Question 1" not in folder.stdout
    missing = tmp_path / "nowhere" / "r.md"
    done = run_cli("interview", "--plain", "--rules", str(TINY), "--save", str(tmp_path / "s.json"),
                   "--report", str(missing), stdin="2\n")
    assert done.returncode == 2 and f"folder {missing.parent} does not exist" in done.stderr
    assert not missing.parent.exists()


def test_the_plain_result_points_to_an_option_interview_has(tmp_path: Path) -> None:
    done = run_cli("interview", "--plain", "--rules", str(TINY), "--save", str(tmp_path / "s.json"), stdin="2\n")
    assert "--format markdown" not in done.stdout and "Use --report FILE for the full explanation." in done.stdout


def test_a_reply_without_end_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """`decider interview --plain < /dev/zero` once read one endless line until memory ran out; a reply is
    read up to a bound like every other input, and an overlong one ends the interview as bad input."""
    import resource
    import subprocess
    import sys

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    with open("/dev/zero", "rb") as zeros:
        done = subprocess.run([sys.executable, "-m", "decider", "interview", "--plain", "--rules", str(TINY),
                               "--save", str(tmp_path / "saved.json")],
                              stdin=zeros, capture_output=True, text=True, timeout=120, preexec_fn=limit_memory)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "longer than" in done.stdout and "Traceback" not in done.stderr


def test_a_reply_of_exactly_the_bound_is_read_as_a_reply(tmp_path: Path) -> None:
    """The bound counts the reply, not its line end: 10,000 characters and a newline are read (and refused
    as an answer like any other wrong reply); one character more ends the interview as bad input."""
    from decider.cli.plain import MAX_REPLY

    at_bound = run_cli("interview", "--plain", "--rules", str(TINY), "--save", str(tmp_path / "a.json"),
                       stdin="y" * MAX_REPLY + "\n" + "q\n")
    assert at_bound.returncode == 0, at_bound.stdout[-500:]
    assert "not accepted" in at_bound.stdout and "longer than" not in at_bound.stdout
    over = run_cli("interview", "--plain", "--rules", str(TINY), "--save", str(tmp_path / "b.json"),
                   stdin="y" * (MAX_REPLY + 1) + "\n")
    assert over.returncode == 2 and "longer than" in over.stdout


def test_a_reply_that_is_no_option_is_answered_in_the_options_words(tmp_path: Path) -> None:
    """Plain-mode errors named internal ids ("expected one of not_tried (...), tried (...)"): a person typed
    a digit or words, so the message says the digits and the labels, with a did-you-mean by label."""
    showcase = Path(__file__).parent / "fixtures" / "tui"
    replies = ["measurd", "iterated and measured, with named failures that remain after careful prompting", "yess", "1"]
    done = run_cli("interview", "--plain", "--rules", str(showcase), "--save", str(tmp_path / "s.json"),
                   stdin="\n".join(replies) + "\n")
    said = [line[line.index("not accepted"):] for line in done.stdout.splitlines() if "not accepted" in line]
    assert said == [
        "not accepted: 'measurd' is not one of the options: type 1–3, or 0 for not sure "
        "(did you mean 3) Iterated and measured, with named failures that remain after careful prompting?)",
        "not accepted: 'yess' is not an answer here: type 1 for yes, 2 for no, or 0 for not sure",
    ], done.stdout


def test_the_plain_result_names_open_questions_by_their_text(tmp_path: Path) -> None:
    """The plain interview's result listed what is still open by internal id ("prompting_baseline,
    eval_harness, ..."), though the person only ever saw the questions' texts."""
    done = run_cli("interview", "--plain", "--save", str(tmp_path / "s.json"), stdin="not sure\n" * 40)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("Not settled:"))
    assert "(How far has the team taken prompting on this task so far?; " in line
    assert "prompting_baseline" not in line and "eval_harness" not in line
