"""The declared decision policy applied to a run: scores, ranking, primary, risks, confidence."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from decider.engine.evaluation import Evaluation
from decider.engine.prepared import prepared
from decider.policy.verdict import Chance, barred_of, judge, separating
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
    robustness: float = 1.0
    """Prior mass of the completions of the open answers in which the primary wins."""
    settled: bool = True
    """No completion of the open answers changes the primary."""
    chances: tuple[Chance, ...] = ()
    """Every approach that wins some completion, with its prior mass (the primary first)."""
    tied: tuple[str, ...] = ()
    """Approaches level with the primary (equal score with nothing open to separate them, or
    equal mass of completions); the tie_break order chose the primary, and the level is at most low."""
    separating: tuple[str, ...] = ()
    """For a tie: the questions whose answers bear differently on the tied approaches."""
    open_deciding: tuple[str, ...] = ()
    """When not settled: open questions that still bear on a score or an exclusion (every question whose
    answer could change the primary is among them)."""


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
    totals = {a.id: derived.baselines[a.id] + support[a.id] - oppose[a.id] for a in rulebase.approaches}
    # every approach excluded at once is a rulebase error (lint E310); the ranking then ignores exclusions
    barred = barred_of(excluding, len(rulebase.approaches))
    verdict = judge(rulebase, answers, barred)
    primary = verdict.primary
    ranked = sorted(rulebase.approaches, key=lambda a: (a.id != primary, a.id in barred, -totals[a.id],
                                                          tie.get(a.id, len(tie))))
    ranking = tuple(
        Score(approach=a.id, title=a.title, baseline=float(derived.baselines[a.id]), support=float(support[a.id]),
              oppose=float(oppose[a.id]), score=float(totals[a.id]))
        for a in ranked
    )
    threshold = policy.complementary_min_score
    complementary = tuple(
        s.approach for s in ranking
        if threshold is not None and s.approach != primary and s.approach not in barred and s.support > 0
        and to_decimal(s.score) >= to_decimal(threshold)
    )
    tied = verdict.tied
    confidence = verdict.confidence
    if tied or verdict.robustness <= 0.5:  # as likely wrong as right once everything is known (a tie included)
        confidence = min(confidence, tie_ceiling(rulebase))
    risks = tuple(
        RiskFlag(id=rid, title=rulebase.conclusion_index[rid].title, severity=severity, rules=tuple(rules))
        for rid, (severity, rules) in sorted(flagged.items(), key=lambda kv: (-SEVERITY_ORDER[kv[1][0]], kv[0]))
    )
    return Outcome(
        primary=primary,
        complementary=complementary,
        ranking=ranking,
        risks=risks,
        confidence=round(confidence, 4),
        defaulted=not weighed,
        unknown_share=round(float(unknown_share(rulebase, answers)), 4),
        excluded=tuple(Exclusion(approach=a.id, rules=tuple(excluding[a.id]))
                       for a in rulebase.approaches if a.id in excluding),
        robustness=round(verdict.robustness, 4),
        settled=verdict.settled,
        chances=verdict.chances,
        tied=tied,
        separating=separating(rulebase, answers, (primary, *tied), verdict.settled) if tied else (),
        open_deciding=verdict.open_deciding,
    )


def tie_ceiling(rulebase: Rulebase) -> float:
    """The highest confidence a tie, or a primary that wins at most half of the completions, may read:
    just below "moderate" (never above low).  Capping on robustness, which evidence against the primary
    can only lower, rather than on a tie of masses alone, which such evidence can break by taking a
    rival's wins, keeps confidence from rising with evidence against the primary."""
    moderate = rulebase.policy.confidence.moderate_from
    high = rulebase.policy.confidence.high_from
    bound = moderate if moderate is not None else high
    return max(0.0, float(bound) - 0.0001) if bound is not None else 1.0


def unknown_share(rulebase: Rulebase, answers: Answers) -> Decimal:
    """Fraction of the questions the rules read whose unknown answer could still change an effect.

    Unknowns that no answer could bring into play (see `decider.engine.relevance`) do not count."""
    return open_share(rulebase, answers)


__all__ = ["Chance", "Exclusion", "Outcome", "RiskFlag", "Score", "decide", "plain", "unknown_share"]
