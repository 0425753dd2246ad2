"""The live side panel: the ranking the answers so far lead to, and what is still possible."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from decider.reasoning.consultation import consult
from decider.rulebase.answers import Answers
from decider.rulebase.model import Rulebase


class Leaning(Static):
    """Current leaning: filled in by the question screen's worker (it needs a consultation and the planner)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(Text("Working out the leaning…", style="dim"), **kwargs)  # type: ignore[arg-type]


def leaning_text(rulebase: Rulebase, answers: Answers, possible: tuple[str, ...], *, revisiting: bool) -> Text:
    """Approaches with scores, the leader marked, the confidence, and what is still possible.

    "Settled" is said only when no open answer can change the recommendation; while an earlier answer
    is being changed the panel says whether this answer can change it instead."""
    result = consult(rulebase, answers, engine="reference")
    rec = result.recommendation
    text = Text()
    for item in result.ranking:
        leader = item.approach == rec.approach
        text.append("▶ " if leader else "  ", style="bold" if leader else "")
        text.append(f"{item.score:>2g}  ", style="bold" if leader else "dim")
        text.append(f"{item.title}\n", style="bold" if leader else "")
    level = f"{rec.level} " if rec.level else ""
    text.append(f"\nConfidence {level}({rec.confidence:.0%})\n")
    if len(possible) == 1 and revisiting:
        title = rulebase.approach_index[possible[0]].title
        text.append(f"Whatever you answer here, {title} stays recommended.", style="italic")
    elif len(possible) == 1:
        text.append("Settled: no open answer can change this.", style="italic")
    else:
        titles = ", ".join(rulebase.approach_index[a].title for a in possible)
        text.append(f"Still possible: {titles}", style="italic")
    return text
