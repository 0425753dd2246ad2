"""The live side panel: the ranking the answers so far lead to, and what is still possible."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from decider.reasoning import planner
from decider.reasoning.consultation import consult
from decider.rulebase.answers import Answers
from decider.rulebase.model import Rulebase


class Leaning(Static):
    """Current leaning: approaches with scores, the leader marked, and the recommendations still possible."""

    def __init__(self, rulebase: Rulebase, answers: Answers, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "Leaning"
        self.update(self.render_leaning(rulebase, answers))

    @staticmethod
    def render_leaning(rulebase: Rulebase, answers: Answers) -> Text:
        result = consult(rulebase, answers, engine="reference")
        possible = planner.possible_primaries(rulebase, answers)
        text = Text()
        for item in result.ranking:
            leader = item.approach == result.recommendation.approach
            text.append("▶ " if leader else "  ", style="bold" if leader else "")
            text.append(f"{item.score:>4g}  ", style="bold" if leader else "dim")
            text.append(f"{item.title}\n", style="bold" if leader else "")
        text.append(f"\nConfidence {result.recommendation.confidence:.0%}\n")
        if len(possible) == 1:
            text.append("Settled: no open answer can change this.", style="italic")
        else:
            titles = ", ".join(rulebase.approach_index[a].title for a in possible)
            text.append(f"Still possible: {titles}", style="italic")
        return text
