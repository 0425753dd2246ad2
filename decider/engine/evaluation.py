"""What an engine run yields: the ordered firings and the facts they established."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr

from decider.rulebase.model import Effect

FactValue = StrictBool | StrictInt | StrictFloat | StrictStr | None


class Fact(BaseModel):
    """A fact a rule read: an answer ("unknown" when not known), a figure (None when unknown) or a
    conclusion (true/false), with its value at the end of the consultation."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["answer", "figure", "conclusion"]
    id: str
    value: FactValue


class Firing(BaseModel):
    """One rule firing: which rule, on which facts, with which effects."""

    model_config = ConfigDict(frozen=True)

    rule: str
    stratum: int
    matched: tuple[Fact, ...]
    effects: tuple[Effect, ...]


class Evaluation(BaseModel):
    """The result of running the rules on one set of answers."""

    model_config = ConfigDict(frozen=True)

    engine: Literal["durable_rules", "reference"]
    firings: tuple[Firing, ...]
    conclusions: tuple[str, ...]
    figures: dict[str, StrictInt | StrictFloat | None]

    def fired(self) -> frozenset[str]:
        return frozenset(f.rule for f in self.firings)
