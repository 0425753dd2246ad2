"""The plain interview: one question per line on stdin/stdout, for screen readers, dumb terminals and scripts.

Same planner and interview state as the TUI.  Type a number (or the option's digit), `?` for WHY,
`b` to go back, `q` to save and quit; for choices `0` means not sure, for numbers type `not sure`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from decider.interview import planner
from decider.interview.session import Interview
from decider.rulebase.answers import check_answer, closest_choice
from decider.rulebase.citations import inline
from decider.rulebase.model import BooleanQuestion, ChoiceQuestion, NumberQuestion, Question, Rulebase

EXIT_OK, EXIT_INPUT = 0, 2
MAX_REPLY = 10_000
"""Characters in one reply; a longer line was not typed by a person (`< /dev/zero`) and ends the interview."""


class PlainInterview:
    """Runs an interview over text streams, autosaving after every answer."""

    def __init__(self, rulebase: Rulebase, interview: Interview, save_path: Path,
                 report_path: Path | None = None, trace_path: Path | None = None) -> None:
        self.rulebase = rulebase
        self.interview = interview
        self.save_path = save_path
        self.report_path = report_path
        self.trace_path = trace_path

    def run(self, stdin: TextIO, out: TextIO) -> int:
        rulebase = self.rulebase
        while (question := self.interview.current(rulebase)) is not None:
            progress = self.interview.progress(rulebase)
            print(f"\nQuestion {progress.answered + 1} — answered {progress.answered}, "
                  f"at most {progress.remaining_at_most} more may matter", file=out)
            print(question.text, file=out)
            if question.help:
                print(f"  {question.help.strip()}", file=out)
            for line in options(question):
                print(f"  {line}", file=out)
            print("> ", end="", file=out, flush=True)
            line = stdin.readline(MAX_REPLY + 2)  # the bound, plus room for its line end ("\r\n" at most)
            if len(line.rstrip("\r\n")) > MAX_REPLY:  # not skipped to its end: from /dev/zero there is none
                self.interview.save(rulebase, self.save_path)
                print(f"\na reply longer than {MAX_REPLY:,} characters is not an answer; saved to {self.save_path} "
                      "(continue with: decider interview --resume)", file=out)
                return EXIT_INPUT
            if not line:
                self.interview.save(rulebase, self.save_path)
                print(f"\ninput ended before the interview finished; saved to {self.save_path} "
                      "(continue with: decider interview --resume)", file=out)
                return EXIT_INPUT
            reply = line.strip()
            command = reply.lower()
            if command in ("?", "why"):
                print(why_text(rulebase, self.interview, question), file=out)
            elif command in ("b", "back"):
                self.interview = self.interview.back()
            elif command in ("q", "quit"):
                self.interview.save(rulebase, self.save_path)
                print(f"saved to {self.save_path} (continue with: decider interview --resume)", file=out)
                return EXIT_OK
            else:
                try:
                    self.interview = self.interview.answer(rulebase, question.id, parse_reply(question, reply))
                except ValueError as exc:
                    print(f"  not accepted: {exc}", file=out)
                    continue
                self.interview.save(rulebase, self.save_path)
        return self.finish(out)

    def finish(self, out: TextIO) -> int:
        from decider.cli.decide import _text  # the same result text as `decider decide`
        from decider.reasoning.consultation import consult
        from decider.reasoning.exports import export

        answers = self.interview.given()
        result = consult(self.rulebase, answers)
        print("\n" + _text(result, "Use --report FILE for the full explanation.", by_text=True), file=out)
        changes = planner.what_if(self.rulebase, answers)
        if changes.changes:
            print("\nWhat would change this:", file=out)
            for change in changes.changes[:8]:
                said = "; ".join(f"{c.text} → {c.label}" for c in change.changes)
                print(f"  - {said}: {change.title}", file=out)
        if self.report_path or self.trace_path:
            done = export(result, self.report_path, self.trace_path)
            print("", file=out)
            for name, path in (("Report", done.report), ("Chart", done.chart), ("Trace", done.trace)):
                if path is not None:
                    print(f"{name}: {path}", file=out)
        return EXIT_OK


def options(question: Question) -> list[str]:
    """How to answer, in words."""
    if isinstance(question, BooleanQuestion):
        return ["1) yes   2) no   0) not sure      (? why, b back, q quit)"]
    if isinstance(question, ChoiceQuestion):
        lines = [f"{i}) {c.label}" for i, c in enumerate(question.choices, start=1)]
        return [*lines, "0) not sure      (? why, b back, q quit)"]
    unit = f" {question.unit}" if isinstance(question, NumberQuestion) else ""
    return [f"a number from {question.min:,} to {question.max:,}{unit}, or 'not sure'      (? why, b back, q quit)"]


def parse_reply(question: Question, reply: str) -> object:
    """The typed reply as a raw answer (checked by the interview afterwards)."""
    text = reply.strip().lower()
    if text in ("", "u", "unknown", "not sure", "n/a") or (text == "0" and isinstance(question, (BooleanQuestion, ChoiceQuestion))):
        if text == "":
            raise ValueError("please type an answer (or 'not sure')")
        return "unknown"
    if isinstance(question, BooleanQuestion):
        value = {"1": True, "2": False}.get(text, text)
        try:
            return check_answer(question, value)
        except ValueError:
            raise ValueError(f"{reply.strip()!r} is not an answer here: type 1 for yes, 2 for no, or 0 for not sure") from None
    if isinstance(question, ChoiceQuestion):
        if text.isdigit():
            if 1 <= int(text) <= len(question.choices):
                return question.choices[int(text) - 1].id
            raise ValueError(f"there is no option {text}: choose 1–{len(question.choices)}, or 0 for not sure")
        return _choice(question, reply.strip())
    return reply.strip()  # numbers are read (or refused with the reason) by the answer checks


def _choice(question: ChoiceQuestion, reply: str) -> str:
    """A choice typed in words (its label or id, any case), or ValueError in the options' own words."""
    try:
        return str(check_answer(question, reply))
    except ValueError:
        guess = closest_choice(question, reply)
        hint = f" (did you mean {question.choices.index(guess) + 1}) {guess.label}?)" if guess else ""
        raise ValueError(f"{reply!r} is not one of the options: type 1–{len(question.choices)}, "
                         f"or 0 for not sure{hint}") from None


def why_text(rulebase: Rulebase, interview: Interview, question: Question) -> str:
    """The planner's WHY answer in plain lines."""
    answer = planner.why(rulebase, interview.planning_answers(), question.id)
    lines = ["", f"Why this is asked: {question.text}"]
    for use in answer.rules:
        lines.append(f"  - {use.title} ({use.status}): {use.because} [{inline(rulebase, use.cite)}]")
    if answer.open_conclusions:
        lines.append("  Still open: " + "; ".join(c.title for c in answer.open_conclusions))
    lines.append("  Each answer would lead to:")
    for outcome in answer.outcomes:
        lines.append(f"    {outcome.label}: {outcome.leads_to_title} (still possible: {', '.join(rulebase.approach_index[a].title for a in outcome.still_possible)})")
    return "\n".join(lines)
