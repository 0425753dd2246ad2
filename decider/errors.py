"""Errors that cross the public boundary: each carries located, one-line problems."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Problem(BaseModel):
    """One thing wrong with an input, located as precisely as the input allows."""

    model_config = ConfigDict(frozen=True)

    message: str
    path: str = ""
    line: int | None = None
    column: int | None = None
    item: str | None = None
    code: str | None = None
    """A stable id of the kind of problem (e.g. E101 for an unknown reference), for tools like lint."""

    def __str__(self) -> str:
        if not self.path and self.line is None:
            return self.message + (f" [{self.item}]" if self.item else "")
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.item:
            text += f" [{self.item}]"
        return text


class DeciderError(Exception):
    """Base of every error decider raises on purpose; its text is meant for people."""

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(message=problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def message(self) -> str:
        return str(self)


class RulebaseError(DeciderError):
    """The rulebase could not be read, validated or resolved."""


class AnswersError(DeciderError):
    """Answers do not fit the rulebase's questions."""


class ScenarioError(DeciderError):
    """A golden scenario file is malformed or names things the rulebase does not have."""


class EngineError(DeciderError):
    """The inference engine failed or misbehaved during a consultation."""


class CaseError(DeciderError):
    """A case file for `decider evaluate` is malformed or names things the rulebase does not have."""
