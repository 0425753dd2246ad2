"""Reading the command line's input files: answers documents (YAML or JSON, or stdin)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from decider.rulebase.answers import Answers
    from decider.rulebase.model import Rulebase


def read_answers(rulebase: "Rulebase", source: str) -> "Answers":
    """Answers from a file path or '-' (stdin), validated with file:line positions."""
    from decider.errors import AnswersError
    from decider.rulebase.answers import validate_answers
    from decider.rulebase.yaml_source import SourceError, parse_yaml, read_yaml

    try:
        if source == "-":
            document = parse_yaml(sys.stdin.read(), "<stdin>")
        else:
            document = read_yaml(Path(source))
    except SourceError as exc:
        raise AnswersError(exc.problems) from None
    data = document.data
    if data is None:
        data = {}
    if isinstance(data, dict) and set(data) == {"answers"} | (set(data) & {"context", "expect", "answers"}) and "answers" in data:
        return validate_answers(rulebase, data["answers"], _shifted(document, "answers"))
    return validate_answers(rulebase, data, document)


def _shifted(document, key):  # type: ignore[no-untyped-def]
    """The document with positions re-rooted under `key` (answers nested in a scenario file)."""
    from decider.rulebase.yaml_source import Document

    positions = {loc[1:]: pos for loc, pos in document.positions.items() if loc[:1] == (key,)}
    return Document(path=document.path, data=document.data[key], positions=positions)


def load_rules(directory: str | None) -> "Rulebase":
    from decider.rulebase.loader import load_rulebase

    return load_rulebase(directory)


def write_text(path: str, text: str) -> None:
    """Write a file atomically (temp file + rename), so a crash never leaves half a file."""
    with open_atomic(path) as handle:
        handle.write(text)


@contextmanager
def open_atomic(path: str) -> Iterator[IO[str]]:
    """A text file to write in steps that appears at `path` only when complete (temp file + rename)."""
    import os
    import tempfile

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
