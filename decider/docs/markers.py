"""Splicing a generated document into a hand-written one, between two marker lines.

The knowledge map and the rule graph are both kept in `rules/README.md` this way, so one splice,
one reader and one layout serve `decider doc` and `decider graph` alike."""

from __future__ import annotations

from dataclasses import dataclass

from decider.errors import DeciderError, Problem


@dataclass(frozen=True)
class Markers:
    """The lines a generated block sits between, and what the block is called in messages."""

    begin: str
    end: str
    name: str


def _bounds(document: str, markers: Markers) -> tuple[int, int] | None:
    start = document.find(markers.begin)
    end = document.find(markers.end, start + len(markers.begin)) if start >= 0 else -1
    return None if start < 0 or end < 0 else (start, end)


def splice(document: str, generated: str, markers: Markers, path: str = "README.md") -> str:
    """`document` with the text between the markers replaced by `generated` (a blank line either side)."""
    bounds = _bounds(document, markers)
    if bounds is None:
        raise DeciderError([Problem(
            message=f"the {markers.name} markers are missing; add the lines {markers.begin!r} and {markers.end!r}",
            path=path)])
    start, end = bounds
    return document[: start + len(markers.begin)] + "\n\n" + generated.rstrip("\n") + "\n\n" + document[end:]


def extract(document: str, markers: Markers) -> str | None:
    """The block between the markers (as `splice` writes it), or None when they are missing."""
    bounds = _bounds(document, markers)
    if bounds is None:
        return None
    start, end = bounds
    return document[start + len(markers.begin): end].strip("\n") + "\n"


def new_document(generated: str, markers: Markers) -> str:
    """A document holding only the block between its markers (what `--out` creates when the file is absent)."""
    return splice(f"{markers.begin}\n{markers.end}\n", generated, markers)


__all__ = ["Markers", "extract", "new_document", "splice"]
