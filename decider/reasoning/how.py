"""HOW explanations: from a recommendation down through rules and conclusions to the answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from decider.engine.evaluation import Evaluation, FactValue, Firing
from decider.rulebase.answers import Answers
from decider.rulebase.expressions import references
from decider.rulebase.model import Conclude, Flag, Oppose, Rulebase, Support


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


def how(rulebase: Rulebase, answers: Answers, evaluation: Evaluation, approach: str) -> tuple[Reason, ...]:
    """Rules that supported, then rules that opposed `approach`, each explained down to answers."""
    by_rule = {f.rule: f for f in evaluation.firings}
    ordered = sorted(evaluation.firings, key=lambda f: rulebase.rule_order[f.rule])
    supporting, opposing = [], []
    for firing in ordered:
        for effect in firing.effects:
            if isinstance(effect, Support) and effect.approach == approach:
                supporting.append(_rule_node(rulebase, answers, firing, by_rule, f"supports {approach} +{_num(effect.weight)}"))
            elif isinstance(effect, Oppose) and effect.approach == approach:
                opposing.append(_rule_node(rulebase, answers, firing, by_rule, f"opposes {approach} −{_num(effect.weight)}"))
    return tuple(supporting + opposing)


def explain_conclusion(rulebase: Rulebase, answers: Answers, evaluation: Evaluation, conclusion: str) -> tuple[Reason, ...]:
    """The rules that concluded (or flagged) `conclusion`, explained down to the answers."""
    by_rule = {f.rule: f for f in evaluation.firings}
    return tuple(_rule_node(rulebase, answers, f, by_rule, _effect_on(f, conclusion)) for f in
                 sorted(evaluation.firings, key=lambda f: rulebase.rule_order[f.rule]) if _effect_on(f, conclusion))


def _effect_on(firing: Firing, conclusion: str) -> str:
    for effect in firing.effects:
        if isinstance(effect, Conclude) and effect.conclusion == conclusion:
            return f"concludes {conclusion}"
        if isinstance(effect, Flag) and effect.risk == conclusion:
            return f"flags {conclusion} ({effect.severity})"
    return ""


def _rule_node(rulebase: Rulebase, answers: Answers, firing: Firing, by_rule: dict[str, Firing], effect: str,
               seen: frozenset[str] = frozenset()) -> Reason:
    rule = rulebase.rule_index[firing.rule]
    children = []
    for fact in firing.matched:
        if fact.kind == "conclusion":
            producers = [] if fact.id in seen else [
                _rule_node(rulebase, answers, f, by_rule, _effect_on(f, fact.id), seen | {fact.id})
                for f in sorted(by_rule.values(), key=lambda f: rulebase.rule_order[f.rule]) if _effect_on(f, fact.id)
            ]
            children.append(Reason(kind="conclusion", id=fact.id, title=rulebase.conclusion_index[fact.id].title,
                                   value=fact.value, children=tuple(producers)))
        elif fact.kind == "figure":
            figure = rulebase.figure_index[fact.id]
            inputs = tuple(
                Reason(kind="answer", id=name, title=rulebase.question_index[name].text,
                       value=answers.root.get(name, "unknown"))
                for name in dict.fromkeys(references(figure.tree)) if name in rulebase.question_index
            )
            children.append(Reason(kind="figure", id=fact.id, title=f"{figure.title} = {figure.expr}",
                                   value=fact.value, children=inputs))
        else:
            children.append(Reason(kind="answer", id=fact.id, title=rulebase.question_index[fact.id].text, value=fact.value))
    return Reason(kind="rule", id=rule.id, title=rule.title or rule.id, because=rule.because, cite=rule.cite,
                  effect=effect, children=tuple(children))


def _num(value: float) -> str:
    return f"{value:g}"
