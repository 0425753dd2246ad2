"""Interview state shared by the TUI and the plain mode: answers in order, back, jump, save and resume."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from decider.errors import AnswersError, DeciderError, Problem
from decider.interview import planner
from decider.storage.atomic import write_atomic
from decider.rulebase.answers import AnswerValue, Answers, check_answer, validate_answers
from decider.rulebase.bounded import TooLarge, read_bytes
from decider.rulebase.model import Question, Rulebase

SAVE_FORMAT = "decider-interview/1"
STATE_DIR_ENV = "DECIDER_STATE_DIR"


class SavedInterview(BaseModel):
    """What an autosave file holds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: str = SAVE_FORMAT
    rulebase_id: str
    rulebase_sha256: str
    answers: dict[str, AnswerValue]
    history: list[str]
    editing: str | None = None


class Interview(BaseModel):
    """Where an interview stands: the answers (in the order given), and the question being revisited, if any.

    Holds no decision logic: what to ask next comes from the planner."""

    model_config = ConfigDict(frozen=True)

    answers: dict[str, AnswerValue] = {}
    history: tuple[str, ...] = ()
    editing: str | None = None

    def given(self) -> Answers:
        """The answers given so far."""
        return Answers(dict(self.answers))

    def planning_answers(self) -> Answers:
        """The answers the planner works from (the question being revisited counts as open)."""
        return self.given().without(self.editing) if self.editing else self.given()

    def current(self, rulebase: Rulebase) -> Question | None:
        """The question to show now, or None when the interview is finished."""
        if self.editing is not None:
            return rulebase.question_index[self.editing]
        return planner.next_question(rulebase, self.given())

    def progress(self, rulebase: Rulebase) -> planner.Progress:
        """Answered so far and at most how many questions remain (the one being revisited counts)."""
        answers = self.planning_answers()
        found = planner.progress(rulebase, answers)
        if self.editing is not None and found.remaining_at_most == 0:
            return found.model_copy(update={"remaining_at_most": 1, "settled": False})
        return found

    def answer(self, rulebase: Rulebase, question_id: str, raw: Any) -> "Interview":
        """Record an answer (validated; ValueError with a message for people when it does not fit)."""
        value = check_answer(rulebase.question_index[question_id], raw)
        history = self.history if question_id in self.history else (*self.history, question_id)
        return Interview(answers={**self.answers, question_id: value}, history=history, editing=None)

    def back(self) -> "Interview":
        """Revisit the answer before the current question (the first stays put)."""
        if not self.history:
            return self
        if self.editing is None:
            return self.model_copy(update={"editing": self.history[-1]})
        index = self.history.index(self.editing)
        return self.model_copy(update={"editing": self.history[max(index - 1, 0)]})

    def jump(self, question_id: str) -> "Interview":
        """Revisit any question (to change its answer)."""
        return self.model_copy(update={"editing": question_id})

    def later_answers(self) -> tuple[str, ...]:
        """While revisiting a question: the questions answered after it (kept, and still counted)."""
        if self.editing is None or self.editing not in self.history:
            return ()
        return self.history[self.history.index(self.editing) + 1:]

    def clear_later(self) -> "Interview":
        """Drop the answers given after the question being revisited."""
        later = set(self.later_answers())
        return self.model_copy(update={"answers": {q: v for q, v in self.answers.items() if q not in later},
                                       "history": tuple(q for q in self.history if q not in later)})

    def finished(self, rulebase: Rulebase) -> bool:
        """No question is left to ask."""
        return self.current(rulebase) is None

    # ----------------------------------------------------------------------------- saving

    def save(self, rulebase: Rulebase, path: Path) -> None:
        """Write the interview atomically (temp file + rename), so a crash never loses it."""
        saved = SavedInterview(rulebase_id=rulebase.meta.id, rulebase_sha256=rulebase.sha256,
                               answers=dict(self.answers), history=list(self.history), editing=self.editing)
        write_atomic(path, saved.model_dump_json(indent=2) + "\n")

    @classmethod
    def load(cls, rulebase: Rulebase, path: Path) -> "Interview":
        """Read a saved interview, checking every answer against the rulebase (AnswersError when it does not fit)."""
        try:
            data = json.loads(read_bytes(path).decode("utf-8"))
            saved = SavedInterview.model_validate(data)
        except FileNotFoundError:
            raise AnswersError([Problem(message="no saved interview to resume", path=str(path))]) from None
        except (OSError, ValueError, ValidationError, TooLarge, RecursionError) as exc:
            first = str(exc).splitlines()[0]
            raise AnswersError([Problem(message=f"not a saved interview: {first}", path=str(path))]) from None
        where = str(path)
        if saved.format != SAVE_FORMAT:
            raise AnswersError([Problem(message=f"saved in format {saved.format!r}; this decider reads {SAVE_FORMAT!r}",
                                        path=where)])
        if saved.rulebase_id != rulebase.meta.id:
            raise AnswersError([Problem(message=f"saved for rulebase {saved.rulebase_id!r}, not {rulebase.meta.id!r}",
                                        path=where)])
        try:
            answers = validate_answers(rulebase, saved.answers)
        except AnswersError as exc:  # located in the save file, not in an anonymous <answers>
            raise AnswersError([p.model_copy(update={"path": where, "line": None, "column": None})
                                for p in exc.problems]) from None
        history = tuple(q for q in saved.history if q in answers.root)
        history += tuple(q for q in answers.root if q not in history)
        editing = saved.editing if saved.editing in rulebase.question_index else None
        return cls(answers=dict(answers.root), history=history, editing=editing)

    @classmethod
    def preloaded(cls, answers: Answers) -> "Interview":
        """An interview that starts with these answers already given."""
        return cls(answers=dict(answers.root), history=tuple(answers.root))


def default_save_path(rulebase: Rulebase) -> Path:
    """Where autosaves go: $DECIDER_STATE_DIR, else the user data directory, one file per rulebase id."""
    base = os.environ.get(STATE_DIR_ENV)
    if not base:
        import platformdirs

        base = platformdirs.user_data_dir("decider")
    return Path(base) / f"interview-{rulebase.meta.id}.json"


_SAVE_DECLARED = re.compile(rb'"format"\s*:\s*"decider-interview/')


def check_save_target(path: Path) -> None:
    """Refuse to autosave over a file that is not a saved interview (an answers file given as --save, say):
    a damaged save may be replaced, anything else is somebody's work."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise DeciderError([Problem(message=f"cannot save the interview here: {exc.strerror or exc}", path=str(path))]) from None
    if head.strip() and not _SAVE_DECLARED.search(head):
        raise DeciderError([Problem(
            message="exists and is not a saved interview; refusing to overwrite it with the autosave "
                    "(choose another --save, or move the file)", path=str(path))])
