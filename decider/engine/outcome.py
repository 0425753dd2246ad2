"""The declared decision policy applied to a run: scores, ranking, primary, risks, confidence."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from decider.engine.evaluation import Evaluation
from decider.engine.prepared import prepared
from decider.engine.relevance import open_share
from decider.rulebase.answers import Answers
from decider.rulebase.model import SEVERITY_ORDER, Exclude, Flag, Oppose, Rulebase, Severity, Support
from decider.rulebase.numbers import plain, to_decimal


class Score(BaseModel):
    """One approach's standing: baseline + support − oppose."""

    model_config = ConfigDict(frozen=True)

    approach: str
    title: str
    baseline: float
    support: float
    oppose: float
    score: float


class RiskFlag(BaseModel):
    """A flagged risk at the highest severity any rule gave it, with the rules that flagged it."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    severity: Severity
    rules: tuple[str, ...]


class Exclusion(BaseModel):
    """An approach taken off the table, with the rules that excluded it (in rule order)."""

    model_config = ConfigDict(frozen=True)

    approach: str
    rules: tuple[str, ...]


class Outcome(BaseModel):
    """The policy's verdict on a run."""

    model_config = ConfigDict(frozen=True)

    primary: str
    complementary: tuple[str, ...]
    ranking: tuple[Score, ...]
    risks: tuple[RiskFlag, ...]
    confidence: float
    defaulted: bool
    unknown_share: float
    excluded: tuple[Exclusion, ...] = ()
    """Approaches off the table: never primary or complementary, whatever their score."""


def decide(rulebase: Rulebase, answers: Answers, evaluation: Evaluation) -> Outcome:
    """Apply the policy; sums are exact and in rule order, so both engines get identical numbers."""
    policy = rulebase.policy
    order = rulebase.rule_order
    derived = prepared(rulebase)
    firings = sorted(evaluation.firings, key=lambda f: order[f.rule])
    support = dict.fromkeys(derived.baselines, Decimal(0))
    oppose = dict.fromkeys(derived.baselines, Decimal(0))
    flagged: dict[str, tuple[Severity, list[str]]] = {}
    excluding: dict[str, list[str]] = {}
    weighed = False
    for firing in firings:
        rule = rulebase.rule_index.get(firing.rule)
        # the rulebase's own effects have their exact weights precomputed; others are converted here
        same = rule is not None and len(firing.effects) == len(rule.then) and all(
            mine is theirs for mine, theirs in zip(firing.effects, rule.then))
        weights = derived.weights[firing.rule] if same else None
        for k, effect in enumerate(firing.effects):
            if isinstance(effect, Support):
                support[effect.approach] += weights[k] if weights else to_decimal(effect.weight)  # type: ignore[operator]
                weighed = True
            elif isinstance(effect, Oppose):
                oppose[effect.approach] += weights[k] if weights else to_decimal(effect.weight)  # type: ignore[operator]
                weighed = True
            elif isinstance(effect, Exclude):
                excluding.setdefault(effect.approach, []).append(firing.rule)
            elif isinstance(effect, Flag):
                severity, rules = flagged.get(effect.risk, (effect.severity, []))
                if SEVERITY_ORDER[effect.severity] > SEVERITY_ORDER[severity]:
                    severity = effect.severity
                flagged[effect.risk] = (severity, [*rules, firing.rule])
    tie = derived.tie
    scores = []
    for approach in rulebase.approaches:
        base = derived.baselines[approach.id]
        total = base + support[approach.id] - oppose[approach.id]
        scores.append((total, approach.id, base))
    scores.sort(key=lambda s: (-s[0], tie[s[1]]))
    ranking = tuple(
        Score(approach=aid, title=rulebase.approach_index[aid].title, baseline=float(base),
              support=float(support[aid]), oppose=float(oppose[aid]), score=float(total))
        for total, aid, base in scores
    )
    # every approach excluded at once is a rulebase error (lint E-level); the ranking then ignores exclusions
    eligible = {a.id for a in rulebase.approaches if a.id not in excluding} or {a.id for a in rulebase.approaches}
    scores = [s for s in scores if s[1] in eligible] + [s for s in scores if s[1] not in eligible]
    ranking = tuple(sorted(ranking, key=lambda s: s.approach not in eligible))
    primary = ranking[0].approach if weighed or policy.default not in eligible else policy.default
    if primary != ranking[0].approach:
        ranking = tuple(sorted(ranking, key=lambda s: s.approach != primary))
    threshold = policy.complementary_min_score
    complementary = tuple(
        s.approach for s in ranking
        if threshold is not None and s.approach != primary and s.approach in eligible and s.support > 0
        and to_decimal(s.score) >= to_decimal(threshold)
    )
    share = unknown_share(rulebase, answers)
    margin = Decimal(0)
    if len(scores) > 1:
        top = next(s[0] for s in scores if s[1] == primary)
        rivals = [s[0] for s in scores if s[1] != primary and s[1] in eligible and s[1] not in complementary]
        others = [s[0] for s in scores if s[1] != primary and s[1] in eligible]
        runner = max(rivals) if rivals else min(others) if others else top
        margin = max(top - runner, Decimal(0))
    scale = to_decimal(policy.confidence.margin_scale)
    penalty = to_decimal(policy.confidence.unknown_penalty)
    confidence = (margin / (margin + scale)) * (1 - penalty * share) if len(scores) > 1 else (1 - penalty * share)
    risks = tuple(
        RiskFlag(id=rid, title=rulebase.conclusion_index[rid].title, severity=severity, rules=tuple(rules))
        for rid, (severity, rules) in sorted(flagged.items(), key=lambda kv: (-SEVERITY_ORDER[kv[1][0]], kv[0]))
    )
    return Outcome(
        primary=primary,
        complementary=complementary,
        ranking=ranking,
        risks=risks,
        confidence=round(float(confidence), 4),
        defaulted=not weighed,
        unknown_share=round(float(share), 4),
        excluded=tuple(Exclusion(approach=a.id, rules=tuple(excluding[a.id]))
                       for a in rulebase.approaches if a.id in excluding),
    )


def unknown_share(rulebase: Rulebase, answers: Answers) -> Decimal:
    """Fraction of the questions the rules read whose unknown answer could still change an effect.

    Unknowns that no answer could bring into play (see `decider.engine.relevance`) do not count."""
    return open_share(rulebase, answers)


__all__ = ["Exclusion", "Outcome", "RiskFlag", "Score", "decide", "plain", "unknown_share"]
