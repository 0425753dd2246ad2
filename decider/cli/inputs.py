"""Reading the command line's input files: answers documents (YAML or JSON, or stdin)."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from decider.rulebase.answers import Answers
    from decider.rulebase.model import Rulebase


def read_answers(rulebase: "Rulebase", source: str) -> "Answers":
    """Answers from a file path or '-' (stdin), validated with file:line positions."""
    from decider.errors import AnswersError
    from decider.rulebase.answers import validate_answers
    from decider.rulebase.answers_file import answers_part
    from decider.rulebase.yaml_source import SourceError, read_yaml, read_yaml_stream

    try:
        if source == "-":
            document = read_yaml_stream(sys.stdin.buffer, "<stdin>")
        else:
            document = read_yaml(Path(source))
    except SourceError as exc:
        raise AnswersError(exc.problems) from None
    answers = answers_part(document)
    validated = validate_answers(rulebase, answers.data, answers)
    if not validated.root:
        held = "no answers (it is empty or holds only comments)" if document.data is None else "an empty mapping of answers"
        print(f"{document.path}: note: nothing was answered: the file holds {held}; the advice below assumes "
              "every question is open", file=sys.stderr)
    return validated


def load_rules(directory: str | None) -> "Rulebase":
    from decider.rulebase.loader import load_rulebase

    return load_rulebase(directory)


def write_text(path: str, text: str) -> None:
    """Write a file atomically (temp file + rename), so a crash never leaves half a file."""
    from decider.storage.atomic import write_atomic

    write_atomic(Path(path), text)


def open_atomic(path: str) -> AbstractContextManager[IO[str]]:
    """A text file to write in steps that appears at `path` only when complete (temp file + rename)."""
    from decider.storage.atomic import open_atomic as opener

    return opener(Path(path))
