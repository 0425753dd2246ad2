"""The rulebase as typed, frozen values: questions, figures, conclusions, approaches, rules, policy.

One module for the whole contract (its JSON Schema is generated from it), so a reader sees every
type a rulebase file can hold in one place; that is why it is longer than most."""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, StrictBool, StrictFloat, StrictInt,
                      StrictStr, model_serializer, model_validator)

from decider.rulebase.expressions import Expr
from decider.rulebase.yaml_source import Position

Scalar = Union[StrictBool, StrictInt, StrictFloat, StrictStr]
"""A constant a condition compares with (a bool, a number or a choice id)."""

UNKNOWN = "unknown"
"""The answer "not sure"; every question accepts it."""

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
Severity = Literal["low", "medium", "high"]
SEVERITY_ORDER: dict[str, int] = {"low": 1, "medium": 2, "high": 3}


class Value(BaseModel):
    """Base of the rulebase's value objects: frozen, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Additions(BaseModel):
    """Fields added to a rulebase value after rulebases were hashed are left out of its dump while they
    hold their empty default, so a rulebase that does not use them hashes as before they existed."""

    added: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _without_empty_additions(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for key in self.added:
                if key in data and data[key] in ("", None, [], ()):
                    del data[key]
        return data


class Item(Value):
    """Something declared in a rulebase file; `at` locates it and is left out of the content hash."""

    at: Position | None = Field(default=None, exclude=True, repr=False)


# ----------------------------------------------------------------------------- metadata


class SectionNote(Value):
    """What one section of a source says, in the rulebase's own words: shown wherever it is cited."""

    id: StrictStr
    heading: StrictStr = Field(min_length=1)
    summary: StrictStr = ""


class Source(Item, Additions):
    """A cited source: the essay (with paragraph ids) or a piece of field guidance."""

    id: StrictStr = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,62}$")
    title: StrictStr
    sections: tuple[StrictStr, ...] = ()
    reference: StrictStr = ""
    short: StrictStr = ""
    """How citations name it (e.g. "essay"); the title when empty."""
    notes: tuple[SectionNote, ...] = ()
    """A heading and summary for each section (optional; each names one of `sections`)."""
    added: ClassVar[tuple[str, ...]] = ("short", "notes")


class Assumption(Item):
    """A number the rules rest on that no source gives (a threshold, a prior), stated and owned: reports list
    the assumptions of every rule that weighed an answer given, so a reader can disagree with one by name."""

    id: Identifier
    title: StrictStr = Field(min_length=1)
    statement: StrictStr = Field(min_length=1)
    """What is assumed and why this number, in the project's own words."""
    rules: tuple[StrictStr, ...] = Field(min_length=1)
    """The rules whose thresholds it sets."""


class Meta(Item):
    """Identity of a rulebase: id and version are recorded in every trace."""

    id: Identifier
    version: StrictStr
    title: StrictStr
    description: StrictStr = ""


# ----------------------------------------------------------------------------- questions


class Choice(Value, Additions):
    id: Identifier
    label: StrictStr
    help: StrictStr = ""
    considers: Identifier | None = None
    """The approach a team giving this answer came in considering (reports then say what speaks
    against it when something else is recommended)."""
    added: ClassVar[tuple[str, ...]] = ("considers",)


class QuestionBase(Item):
    id: Identifier
    text: StrictStr = Field(min_length=1)
    help: StrictStr = ""
    priority: StrictInt = 0
    """Higher asks earlier among questions that still matter (ties: declaration order)."""
    monotone: dict[Identifier, Literal["up", "down"]] = Field(default_factory=dict)
    """Declared direction in which later/larger answers push an approach's standing: the loader checks
    the approaches exist, `decider lint` (W309) that the declaration holds."""


class BooleanQuestion(QuestionBase):
    kind: Literal["boolean"]
    prior: dict[StrictBool, StrictInt | StrictFloat] | None = None
    """Relative weights of yes and no when the answer is open (uniform when absent)."""

    @model_validator(mode="after")
    def _positive_prior(self) -> "BooleanQuestion":
        _check_prior(self.prior, (True, False))
        return self


class ChoiceQuestion(QuestionBase):
    kind: Literal["choice"]
    choices: tuple[Choice, ...] = Field(min_length=2)
    prior: dict[StrictStr, StrictInt | StrictFloat] | None = None
    """Relative weights of the choices when the answer is open (uniform when absent)."""

    @model_validator(mode="after")
    def _positive_prior(self) -> "ChoiceQuestion":
        _check_prior(self.prior, tuple(c.id for c in self.choices))
        return self


def _check_prior(prior: Mapping[Any, int | float] | None, answers: tuple[object, ...]) -> None:
    """A prior names only answers of its question, with weights ≥ 0 that are not all zero."""
    if prior is None:
        return
    unknown = [k for k in prior if k not in answers]
    if unknown:
        raise ValueError(f"prior names {', '.join(map(repr, unknown))}, not an answer of this question")
    if any(w < 0 for w in prior.values()) or not any(w > 0 for w in prior.values()):
        raise ValueError("prior weights must be at least 0 and not all 0")


class NumberQuestion(QuestionBase):
    kind: Literal["number"]
    unit: StrictStr
    min: StrictInt | StrictFloat
    max: StrictInt | StrictFloat


class ScaleQuestion(QuestionBase):
    kind: Literal["scale"]
    min: StrictInt = 1
    max: StrictInt = 5
    low_label: StrictStr = ""
    high_label: StrictStr = ""


Question = Annotated[
    Union[BooleanQuestion, ChoiceQuestion, NumberQuestion, ScaleQuestion], Field(discriminator="kind")
]


class Figure(Item):
    """A number computed from number answers and earlier figures by declared arithmetic."""

    id: Identifier
    title: StrictStr
    unit: StrictStr = ""
    expr: StrictStr
    tree: Expr = Field(exclude=True, repr=False)


# ----------------------------------------------------------------------------- conclusions, approaches


class Conclusion(Item):
    """A derived fact: a case for an approach, a risk, a prerequisite or a plain finding."""

    id: Identifier
    title: StrictStr
    kind: Literal["case", "risk", "prerequisite", "finding"]
    summary: StrictStr = ""


class Approach(Item):
    id: Identifier
    title: StrictStr
    summary: StrictStr = ""


# ----------------------------------------------------------------------------- conditions

TestOp = Literal["==", "!=", "<", "<=", ">", ">=", "in", "unknown", "known"]


class Test(Item):
    """Compares an answer or a figure with a constant; false whenever the subject is unknown
    (except `unknown`, which holds exactly then)."""

    type: Literal["test"] = "test"
    subject: Literal["answer", "figure"]
    ref: Identifier
    op: TestOp
    value: Scalar | tuple[Scalar, ...] | None = None


class Concluded(Item):
    """Holds when the conclusion has been concluded (or flagged) by some rule."""

    type: Literal["concluded"] = "concluded"
    conclusion: Identifier


class AllOf(Item):
    type: Literal["all"] = "all"
    items: tuple["Condition", ...]


class AnyOf(Item):
    type: Literal["any"] = "any"
    items: tuple["Condition", ...]


class NotOf(Item):
    type: Literal["not"] = "not"
    item: "Condition"


Condition = Annotated[Union[Test, Concluded, AllOf, AnyOf, NotOf], Field(discriminator="type")]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


# ----------------------------------------------------------------------------- effects


class Conclude(Value):
    type: Literal["conclude"] = "conclude"
    conclusion: Identifier


class Support(Value):
    type: Literal["support"] = "support"
    approach: Identifier
    weight: StrictInt | StrictFloat = Field(gt=0)


class Oppose(Value):
    type: Literal["oppose"] = "oppose"
    approach: Identifier
    weight: StrictInt | StrictFloat = Field(gt=0)


class Exclude(Value):
    """Takes an approach off the table: it can be neither primary nor complementary, whatever its score."""

    type: Literal["exclude"] = "exclude"
    approach: Identifier


class Flag(Value):
    type: Literal["flag"] = "flag"
    risk: Identifier
    severity: Severity


Effect = Annotated[Union[Conclude, Support, Oppose, Flag, Exclude], Field(discriminator="type")]


class Rule(Item):
    id: Identifier
    title: StrictStr = ""
    when: Condition
    then: tuple[Effect, ...] = Field(min_length=1)
    because: StrictStr = Field(min_length=1)
    cite: tuple[StrictStr, ...] = Field(min_length=1)


# ----------------------------------------------------------------------------- policy


class ConfidencePolicy(Value):
    """confidence = margin / (margin + margin_scale) × (1 − unknown_penalty × unknown share),
    where margin is the primary's lead over the best rival (the best other approach not named
    as complementary; when every other approach is complementary, the weakest of them) and
    the unknown share is the fraction of questions the rules read that have no known value and
    could still change an effect (see decider.engine.relevance)."""

    margin_scale: StrictInt | StrictFloat = Field(gt=0)
    unknown_penalty: StrictInt | StrictFloat | None = Field(default=None, ge=0, le=1)
    """Ignored since confidence comes from robustness over the open answers (kept so older rulebases load)."""
    conflict_discount: StrictInt | StrictFloat = Field(default=0, ge=0, le=1)
    """Share of the evidence against the primary, up to the evidence for it, taken off its margin:
    +7/−3 reads less sure than +4/−0."""
    moderate_from: StrictInt | StrictFloat | None = Field(default=None, ge=0, le=1)
    """Confidence at or above this reads "moderate" (below it, "low"); optional."""
    high_from: StrictInt | StrictFloat | None = Field(default=None, ge=0, le=1)
    """Confidence at or above this reads "high"; optional."""

    @model_validator(mode="after")
    def _ordered_levels(self) -> "ConfidencePolicy":
        if self.moderate_from is not None and self.high_from is not None and self.moderate_from >= self.high_from:
            raise ValueError("moderate_from must be below high_from")
        return self

    def level(self, confidence: float) -> Literal["low", "moderate", "high", ""]:
        """The declared reading of a confidence value: "low", "moderate" or "high" ("" when undeclared)."""
        if self.moderate_from is None and self.high_from is None:
            return ""
        if self.high_from is not None and confidence >= self.high_from:
            return "high"
        if self.moderate_from is not None and confidence >= self.moderate_from:
            return "moderate"
        return "low"


class Policy(Item):
    """How rule effects become a ranking: declared, not hidden in code.

    score(approach) = baseline + Σ support weights − Σ oppose weights.  The highest score
    wins; equal scores go to the approach listed first in `tie_break`.  When no rule
    supports or opposes anything, `default` is recommended.  Approaches other than the
    primary with score ≥ `complementary_min_score` are named as complementary."""

    default: Identifier
    tie_break: tuple[Identifier, ...]
    baseline: dict[Identifier, StrictInt | StrictFloat] = Field(default_factory=dict)
    complementary_min_score: StrictInt | StrictFloat | None = None
    confidence: ConfidencePolicy


# ----------------------------------------------------------------------------- the rulebase


class Rulebase(Value, Additions):
    """A loaded, validated and resolved rulebase; `sha256` identifies its content."""

    meta: Meta
    sources: tuple[Source, ...]
    assumptions: tuple[Assumption, ...] = ()
    questions: tuple[Question, ...]
    figures: tuple[Figure, ...] = ()
    conclusions: tuple[Conclusion, ...]
    approaches: tuple[Approach, ...]
    rules: tuple[Rule, ...]
    policy: Policy
    sha256: str = Field(default="", exclude=True)
    root: str = Field(default="", exclude=True)
    added: ClassVar[tuple[str, ...]] = ("assumptions",)

    @cached_property
    def question_index(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def figure_index(self) -> dict[str, Figure]:
        return {f.id: f for f in self.figures}

    @cached_property
    def conclusion_index(self) -> dict[str, Conclusion]:
        return {c.id: c for c in self.conclusions}

    @cached_property
    def approach_index(self) -> dict[str, Approach]:
        return {a.id: a for a in self.approaches}

    @cached_property
    def rule_index(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def rule_order(self) -> dict[str, int]:
        return {r.id: i for i, r in enumerate(self.rules)}

    @cached_property
    def citations(self) -> dict[str, Source]:
        """Every citable id (a source id or one of its section ids) to its source."""
        found: dict[str, Source] = {}
        for source in self.sources:
            found[source.id] = source
            for section in source.sections:
                found[section] = source
        return found

    @cached_property
    def derived(self) -> dict[type, Any]:
        """Data the layers above compute from this rulebase once (the engine's preparation, a legacy
        hash), kept here by kind so that it lives and dies with the rulebase it was computed from."""
        return {}

    # cached properties (the indexes and `derived`) belong to this object's content: a copy, above
    # all one made with `update=`, and a pickle start without them and compute their own
    def __copy__(self) -> Rulebase:
        return _without_cached(super().__copy__())

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Rulebase:
        # as pydantic's, but the cached properties are left behind before copying (what layers above
        # derived may hold locks and native engines, which cannot be copied)
        kept = {k: v for k, v in self.__dict__.items() if k not in CACHED}
        copied = type(self).__new__(type(self))
        object.__setattr__(copied, "__dict__", deepcopy(kept, memo))
        object.__setattr__(copied, "__pydantic_extra__", deepcopy(self.__pydantic_extra__, memo))
        object.__setattr__(copied, "__pydantic_fields_set__", set(self.__pydantic_fields_set__))
        object.__setattr__(copied, "__pydantic_private__", deepcopy(self.__pydantic_private__, memo))
        return copied

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        state["__dict__"] = {k: v for k, v in state["__dict__"].items() if k not in CACHED}
        return state


CACHED = frozenset(name for name, member in vars(Rulebase).items() if isinstance(member, cached_property))
"""The Rulebase's cached properties, left out of its copies and pickles."""


def _without_cached(rulebase: Rulebase) -> Rulebase:
    for name in CACHED:
        rulebase.__dict__.pop(name, None)
    return rulebase
