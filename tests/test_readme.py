"""What README.md quotes is what decider does: the `decide` output, the library example, and how many
questions the interview asks."""

from __future__ import annotations

import re
import statistics
from typing import Any

from conftest import ROOT, run_cli
from decider import consult, load_rulebase
from decider.interview.planner import next_question
from planner_support import scenarios

README = (ROOT / "README.md").read_text(encoding="utf-8")
PROSE = " ".join(README.split())  # line breaks do not matter in prose


def _block(after: str, language: str) -> str:
    """The first fenced block of `language` after the text `after`."""
    found = re.search(re.escape(after) + r".*?```" + language + r"\n(.*?)```", README, re.S)
    assert found, f"README.md has no {language} block after {after!r}"
    return found.group(1)


def test_the_quoted_decide_output_is_what_decide_prints() -> None:
    done = run_cli("decide", "examples/structured-output.yaml")
    assert done.returncode == 0, done.stderr
    assert _block("`decide` prints:", "text") == done.stdout


def test_the_library_example_gets_the_approach_its_comment_names() -> None:
    code = _block("## As a library", "python")
    answers = re.search(r"consult\(rulebase, (\{.*?\})\)", code)
    named = re.search(r"result\.recommendation\.approach\s+# '(\w+)'", code)
    assert answers and named, code
    assert consult(load_rulebase(), eval(answers.group(1))).recommendation.approach == named.group(1)


def _asked(answers: dict[str, Any]) -> int:
    """How many questions the interview asks when every asked question gets the scenario's answer."""
    rulebase, given = load_rulebase(), dict[str, Any]()
    while (question := next_question(rulebase, given)) is not None:
        given[question.id] = answers.get(question.id, "unknown")
    return len(given)


def test_the_quoted_number_of_questions_is_what_the_scenarios_need() -> None:
    counts = {name: _asked(answers) for name, answers in scenarios()}
    not_sure = counts.pop("all-not-sure")
    total = len(load_rulebase().questions)
    low, high, median = min(counts.values()), max(counts.values()), statistics.median(counts.values())
    assert (f"on the {len(counts)} golden scenarios a **median of {median:g} of its {total} questions** "
            f'(between {low} and {high}; {not_sure} when every answer is "not sure")') in PROSE
