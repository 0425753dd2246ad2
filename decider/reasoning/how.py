"""HOW explanations: from a recommendation down through rules and conclusions to the answers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from decider.engine.evaluation import Evaluation, FactValue, Firing
from decider.engine.prepared import prepared
from decider.rulebase.answers import Answers
from decider.rulebase.model import Exclude, Oppose, Rulebase, Support


class Reason(BaseModel):
    """A node of the HOW tree: a rule (with its plain words and citation), a conclusion, a figure
    or an answer, with what it contributed and the reasons beneath it."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["rule", "conclusion", "figure", "answer"]
    id: str
    title: str
    because: str = ""
    cite: tuple[str, ...] = ()
    value: FactValue = None
    effect: str = ""
    children: tuple["Reason", ...] = ()


class Explainer:
    """HOW trees for one consultation; a rule's node is built once and shared wherever it recurs
    (nodes are frozen values), so explaining every approach and risk stays cheap."""

    def __init__(self, rulebase: Rulebase, answers: Answers, evaluation: Evaluation) -> None:
        self.rulebase = rulebase
        self.answers = answers
        order = rulebase.rule_order
        self.ordered = sorted(evaluation.firings, key=lambda f: order[f.rule])
        derived = prepared(rulebase)
        self.effect_text = derived.effect_text
        self.figure_refs = derived.figure_refs
        self.figure_values = evaluation.figures
        self.below = derived.below
        self._nodes: dict[tuple[str, str, frozenset[str]], Reason] = {}
        self.producers: dict[str, list[Firing]] = {}
        """conclusion or risk -> the firings that established it, in rule order."""
        for firing in self.ordered:
            for established in derived.establishes.get(firing.rule, ()):
                self.producers.setdefault(established, []).append(firing)

    def how(self, approach: str) -> tuple[Reason, ...]:
        """Rules that supported, then rules that opposed `approach`."""
        return self._weighing(approach, Support) + self.against(approach)

    def against(self, approach: str) -> tuple[Reason, ...]:
        """Rules that opposed `approach`."""
        return self._weighing(approach, Oppose)

    def _weighing(self, approach: str, kind: type[Support] | type[Oppose]) -> tuple[Reason, ...]:
        found = []
        for firing in self.ordered:
            for effect in firing.effects:
                if isinstance(effect, kind) and effect.approach == approach:
                    sign = f"supports {approach} +" if kind is Support else f"opposes {approach} −"
                    found.append(self.rule_node(firing, f"{sign}{_num(effect.weight)}"))
        return tuple(found)

    def exclusion(self, approach: str) -> tuple[Reason, ...]:
        """The rules that took `approach` off the table."""
        return tuple(self.rule_node(firing, f"excludes {approach}") for firing in self.ordered
                     if any(isinstance(e, Exclude) and e.approach == approach for e in firing.effects))

    def conclusion(self, conclusion: str) -> tuple[Reason, ...]:
        """The rules that concluded (or flagged) `conclusion`."""
        return tuple(self.rule_node(f, self.effect_text[(f.rule, conclusion)])
                     for f in self.producers.get(conclusion, ()))

    def rule_node(self, firing: Firing, effect: str, seen: frozenset[str] = frozenset()) -> Reason:
        # conclusions already on the path matter only if this rule's tree can reach them again, so the
        # node is shared across paths that differ elsewhere (same tree, built once)
        below = self.below.get(firing.rule)
        seen = seen & below if below is not None else seen
        key = (firing.rule, effect, seen)
        node = self._nodes.get(key)
        if node is None:
            node = self._nodes[key] = self._build(firing, effect, seen)
        return node

    def _build(self, firing: Firing, effect: str, seen: frozenset[str]) -> Reason:
        rulebase = self.rulebase
        rule = rulebase.rule_index[firing.rule]
        children = []
        for fact in firing.matched:
            if fact.kind == "conclusion":
                producers = [] if fact.id in seen else [
                    self.rule_node(f, self.effect_text[(f.rule, fact.id)], seen | {fact.id})
                    for f in self.producers.get(fact.id, ())
                ]
                children.append(Reason(kind="conclusion", id=fact.id, title=rulebase.conclusion_index[fact.id].title,
                                       value=fact.value, children=tuple(producers)))
            elif fact.kind == "figure":
                children.append(self.figure_node(fact.id, fact.value))
            else:
                children.append(_answer_leaf(fact.id, rulebase.question_index[fact.id].text, fact.value))
        return Reason(kind="rule", id=rule.id, title=rule.title or rule.id, because=rule.because, cite=rule.cite,
                      effect=effect, children=tuple(children))

    def figure_node(self, figure_id: str, value: Any) -> Reason:
        """A figure with what it is computed from, down to the answers (through the figures it builds on)."""
        rulebase = self.rulebase
        figure = rulebase.figure_index[figure_id]
        inputs = tuple(
            _answer_leaf(name, rulebase.question_index[name].text, self.answers.root.get(name, "unknown"))
            if name in rulebase.question_index else self.figure_node(name, self.figure_values.get(name))
            for name in self.figure_refs[figure_id]
        )
        return Reason(kind="figure", id=figure_id, title=f"{figure.title} = {figure.expr}", value=value,
                      children=inputs)


_LEAVES: dict[tuple[str, str, type, str], Reason] = {}
LEAF_CACHE_SIZE = 4096


def _answer_leaf(question: str, text: str, value: FactValue) -> Reason:
    """The answer node for a question and value; equal leaves are one shared frozen node (most
    consultations repeat the same answers), keyed by the value's type and repr so 1, 1.0 and True stay apart."""
    key = (question, text, type(value), repr(value))
    leaf = _LEAVES.get(key)
    if leaf is None:
        if len(_LEAVES) >= LEAF_CACHE_SIZE:
            _LEAVES.clear()
        leaf = _LEAVES[key] = Reason(kind="answer", id=question, title=text, value=value)
    return leaf


def _num(value: float) -> str:
    return f"{value:g}"
