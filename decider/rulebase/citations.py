"""How a citation reads: a cited id (a source, or one of its sections) as a label and a link.

Rules cite by id (`P6`, `openai-guide`); people read "essay ¶6 — structured output and persona" and
follow a link.  The words come from the rulebase's sources, so they travel with the rulebase.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from decider.rulebase.model import Rulebase


class Citation(BaseModel):
    """One cited id as people read it."""

    model_config = ConfigDict(frozen=True)

    id: str
    short: str
    """Inline form: "essay ¶6", or the source's short name or title."""
    label: str
    """Full form: the short form with the section's heading ("essay ¶6 — structured output and persona")."""
    summary: str = ""
    """What the section says, in the rulebase's words (when the rulebase gives it)."""
    link: str = ""


def citation(rulebase: Rulebase, cite: str) -> Citation:
    """The citation for a cited id; an id the rulebase does not declare reads as itself."""
    source = rulebase.citations.get(cite)
    if source is None:
        return Citation(id=cite, short=cite, label=cite)
    name = source.short or source.title
    if cite == source.id:
        return Citation(id=cite, short=name, label=source.title, link=source.reference)
    number = re.fullmatch(r"[A-Za-z]*(\d+)", cite)
    short = f"{name} ¶{number.group(1)}" if number else f"{name} {cite}"
    note = next((n for n in source.notes if n.id == cite), None)
    label = f"{short} — {note.heading}" if note else short
    return Citation(id=cite, short=short, label=label, summary=note.summary if note else "", link=source.reference)


def citations(rulebase: Rulebase, cites: list[str] | tuple[str, ...]) -> tuple[Citation, ...]:
    """Each distinct cited id, in order of first appearance."""
    return tuple(citation(rulebase, c) for c in dict.fromkeys(cites))


def inline(rulebase: Rulebase, cites: list[str] | tuple[str, ...]) -> str:
    """Cited ids as a reader sees them inline: "essay ¶6; OpenAI fine-tuning guide"."""
    return "; ".join(citation(rulebase, c).short for c in cites)


__all__ = ["Citation", "citation", "citations", "inline"]
