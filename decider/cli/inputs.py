"""Reading the command line's input files: answers documents (YAML or JSON, or stdin)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from decider.rulebase.answers import Answers
    from decider.rulebase.model import Rulebase


def read_answers(rulebase: "Rulebase", source: str) -> "Answers":
    """Answers from a file path or '-' (stdin), validated with file:line positions."""
    from decider.errors import AnswersError
    from decider.rulebase.answers import validate_answers
    from decider.rulebase.answers_file import answers_part
    from decider.rulebase.yaml_source import SourceError, parse_yaml, read_yaml

    try:
        if source == "-":
            document = parse_yaml(sys.stdin.read(), "<stdin>")
        else:
            document = read_yaml(Path(source))
    except SourceError as exc:
        raise AnswersError(exc.problems) from None
    answers = answers_part(document)
    return validate_answers(rulebase, answers.data, answers)


def load_rules(directory: str | None) -> "Rulebase":
    from decider.rulebase.loader import load_rulebase

    return load_rulebase(directory)


def write_text(path: str, text: str) -> None:
    """Write a file atomically (temp file + rename), so a crash never leaves half a file."""
    import os
    import tempfile

    from decider.errors import DeciderError, Problem

    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise DeciderError([Problem(message=f"cannot write: {exc.strerror or exc}", path=str(path))]) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DeciderError([Problem(message=f"cannot write: {exc.strerror or exc}", path=str(path))]) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
