"""Answers to a rulebase's questions: validated, normalised values (or "unknown")."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Union

from pydantic import ConfigDict, RootModel, StrictBool, StrictFloat, StrictInt, StrictStr

from decider.errors import AnswersError, Problem
from decider.rulebase.expressions import evaluate
from decider.rulebase.model import UNKNOWN, BooleanQuestion, Choice, ChoiceQuestion, NumberQuestion, Question, Rulebase, ScaleQuestion
from decider.rulebase.numbers import NumberError, plain, read_number, to_decimal
from decider.rulebase.yaml_source import Document

NOT_SURE_WORDS = (UNKNOWN, "not sure")
"""What every reader (files, CSV, plain mode, TUI) takes as "not sure"."""

AnswerValue = Union[StrictBool, StrictInt, StrictFloat, StrictStr]
"""true/false, a choice id, a number, or "unknown" (not sure)."""


class Answers(RootModel[dict[str, AnswerValue]]):
    """Answers by question id. A question left out is unanswered; "unknown" means not sure.

    Build through `validate_answers` to get values checked against the questions."""

    model_config = ConfigDict(frozen=True)

    def value(self, question_id: str) -> AnswerValue | None:
        """The known value, or None when the question is unanswered or answered "unknown"."""
        found = self.root.get(question_id)
        return None if found == UNKNOWN else found

    def answered(self, question_id: str) -> bool:
        return question_id in self.root

    def with_answer(self, question_id: str, value: AnswerValue) -> "Answers":
        return Answers({**self.root, question_id: value})

    def without(self, question_id: str) -> "Answers":
        return Answers({k: v for k, v in self.root.items() if k != question_id})


def check_answer(question: Question, value: Any) -> AnswerValue:
    """The normalised value of one answer, or ValueError with a message for people."""
    if value is None or (isinstance(value, str) and value.strip().lower() in NOT_SURE_WORDS):
        return UNKNOWN
    if isinstance(question, BooleanQuestion):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("yes", "no", "true", "false", "y", "n"):
            return value.strip().lower() in ("yes", "true", "y")
        raise ValueError(f"expected yes/no (true or false) or unknown, got {_show(value)}")
    if isinstance(question, ChoiceQuestion):
        if isinstance(value, str):
            folded = value.strip().casefold()
            for choice in question.choices:
                if folded in (choice.id.casefold(), choice.label.casefold()):
                    return choice.id
        named = ", ".join(f"{c.id} ({c.label})" if c.label.casefold() != c.id.casefold() else c.id for c in question.choices)
        guess = closest_choice(question, value) if isinstance(value, str) else None
        said = f" (did you mean {guess.id!r}?)" if guess else ""
        raise ValueError(f"expected one of {named} or unknown, got {_show(value)}{said}")
    assert isinstance(question, (NumberQuestion, ScaleQuestion))
    unit = question.unit if isinstance(question, NumberQuestion) else None
    try:
        exact = read_number(value, unit) if isinstance(value, str) else to_decimal(value)
        if isinstance(value, float):
            exact = Decimal(repr(value))  # judged as written, before rounding onto the grid
        number = to_decimal(exact)
    except NumberError as exc:
        raise ValueError(f"{exc} (or unknown)") from None
    if isinstance(question, ScaleQuestion) and exact != exact.to_integral_value():
        raise ValueError(f"expected a whole number from {question.min} to {question.max}, got {_show(value)}")
    if not (to_decimal(question.min) <= number <= to_decimal(question.max)):
        unit = f" {question.unit}" if isinstance(question, NumberQuestion) else ""
        shown = _show(value)
        if isinstance(value, str):
            typed = value.strip()
            shown = typed if typed == str(plain(number)) else f"{typed!r} (= {plain(number):,})"
        raise ValueError(f"{shown} is out of range {question.min}–{question.max}{unit}")
    return plain(number)


def closest_choice(question: ChoiceQuestion, text: str) -> Choice | None:
    """The choice whose id or label `text` most resembles (a likely typo), or None."""
    hint = _closest(text.strip().casefold(), [c.id.casefold() for c in question.choices]
                    + [c.label.casefold() for c in question.choices])
    return next((c for c in question.choices if hint in (c.id.casefold(), c.label.casefold())), None)


def validate_answers(rulebase: Rulebase, raw: Any, source: Document | None = None) -> Answers:
    """Check every answer against its question; raise one AnswersError listing all problems."""
    if isinstance(raw, Answers):
        raw = raw.root
    path = source.path if source else "<answers>"
    if not isinstance(raw, Mapping):
        problem = source.problem((), "answers must be a mapping of question id to value") if source else Problem(
            message="answers must be a mapping of question id to value", path=path)
        raise AnswersError([problem])
    problems: list[Problem] = []
    values: dict[str, AnswerValue] = {}
    for key, value in raw.items():
        question = rulebase.question_index.get(key) if isinstance(key, str) else None
        if question is None:
            text = str(key)
            shown = text if len(text) <= 80 else f"{text[:60]}…({len(text):,} characters)"
            hint = _closest(text, list(rulebase.question_index)) if len(text) <= 80 else None
            message = f"unknown question {shown!r}" + (f" (did you mean {hint!r}?)" if hint else "")
            problems.append(_located(source, (key,), message, shown, path))
            continue
        try:
            values[key] = check_answer(question, value)
        except ValueError as exc:
            problems.append(_located(source, (key,), str(exc), key, path))
    if problems:
        raise AnswersError(problems)
    return Answers(values)


def compute_figures(rulebase: Rulebase, answers: Answers) -> dict[str, Decimal | None]:
    """Every figure's exact value from the answers, in declaration order (None when unknown)."""
    known: dict[str, Decimal | None] = {}
    for question in rulebase.questions:
        value = answers.value(question.id)
        if isinstance(question, (NumberQuestion, ScaleQuestion)) and value is not None:
            known[question.id] = to_decimal(value)
    figures: dict[str, Decimal | None] = {}
    for figure in rulebase.figures:
        result = evaluate(figure.tree, known)
        if result is not None:
            try:
                result = to_decimal(result)
            except NumberError:
                result = None
        figures[figure.id] = result
        known[figure.id] = result
    return figures


def _located(source: Document | None, loc: tuple[Any, ...], message: str, item: str, path: str) -> Problem:
    if source is not None:
        return source.problem(loc, message, item)
    return Problem(message=message, path=path, item=item)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _closest(word: str, options: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    return found[0] if found else None


def answers_schema(rulebase: Rulebase) -> dict[str, Any]:
    """JSON Schema of an answers document for this rulebase: one property per question."""
    properties: dict[str, Any] = {}
    for question in rulebase.questions:
        unknown = {"enum": [UNKNOWN, "not sure"], "description": "not sure"}
        if isinstance(question, BooleanQuestion):
            known: dict[str, Any] = {"anyOf": [{"type": "boolean"}, {"enum": ["yes", "no", "true", "false"]}]}
        elif isinstance(question, ChoiceQuestion):
            known = {"enum": [c.id for c in question.choices]}
        elif isinstance(question, ScaleQuestion):
            known = {"type": "integer", "minimum": question.min, "maximum": question.max}
        else:
            assert isinstance(question, NumberQuestion)
            known = {"type": "number", "minimum": question.min, "maximum": question.max, "description": question.unit}
        properties[question.id] = {"title": question.text, "anyOf": [known, unknown, {"type": "null"}]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Answers for {rulebase.meta.id} {rulebase.meta.version}",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
