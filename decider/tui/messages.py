"""Messages the screens post to the app, which owns the interview state."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from decider.rulebase.answers import AnswerValue


@dataclass
class Answered(Message):
    """The user answered the question on screen."""

    question_id: str
    value: AnswerValue


class BackRequested(Message):
    """The user wants to revisit the previous answer."""


@dataclass
class JumpRequested(Message):
    """The user wants to change the answer to one question."""

    question_id: str


@dataclass
class ClearLaterRequested(Message):
    """The user wants the answers given after this question dropped."""

    question_id: str
