"""Answers documents on disk: a plain answers mapping, or a scenario or case file whose `answers` sit
beside `context`, `expect`, `accept` and the case's other keys."""

from __future__ import annotations

from pathlib import Path

from decider.errors import AnswersError
from decider.rulebase.yaml_source import Document, SourceError, read_yaml

SCENARIO_KEYS = frozenset({"context", "answers", "expect", "accept"})
CASE_KEYS = frozenset({"id", "title", "source", "context", "answers", "accept", "must_flag", "max_confidence", "note"})
"""The keys of a case file (`decider evaluate`); a golden scenario also has `expect`."""


def answers_part(document: Document) -> Document:
    """The answers of a document: itself, or a scenario's `answers` with positions re-rooted under it."""
    data = document.data if document.data is not None else {}
    if isinstance(data, dict) and "answers" in data and set(data) <= SCENARIO_KEYS | CASE_KEYS:
        positions = {loc[1:]: pos for loc, pos in document.positions.items() if loc[:1] == ("answers",)}
        return Document(path=document.path, data=data["answers"], positions=positions)
    return Document(path=document.path, data=data, positions=document.positions)


def read_answers_document(path: str | Path) -> Document:
    """The answers part of a YAML or JSON file; unreadable files raise AnswersError with positions."""
    try:
        return answers_part(read_yaml(Path(path)))
    except SourceError as exc:
        raise AnswersError(exc.problems) from None

