"""Comparing two runs of the rules: which firings differ, and how two results differ."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from decider.engine.evaluation import Fact, Firing
from decider.policy.outcome import Outcome, Score
from decider.rulebase.model import Conclude, Effect, Exclude, Flag, Oppose, Support


class FiringDifference(BaseModel):
    """A rule that fired in one run and not the other, or fired differently in both."""

    model_config = ConfigDict(frozen=True)

    rule: str
    change: Literal["only_first", "only_second", "differs"]
    detail: str


def firing_differences(first: tuple[Firing, ...], second: tuple[Firing, ...],
                       names: tuple[str, str] = ("recorded", "replay")) -> list[FiringDifference]:
    """Per firing of the first run (every one, duplicates included), then per rule only in the second:
    fired only in one run, or with other facts or effects."""
    b: dict[str, Firing] = {}
    for firing in second:
        b.setdefault(firing.rule, firing)
    found: list[FiringDifference] = []
    for firing in first:
        other = b.get(firing.rule)
        if other is None:
            difference = FiringDifference(rule=firing.rule, change="only_first", detail=f"fired in the {names[0]} run only")
        elif firing != other:
            difference = FiringDifference(rule=firing.rule, change="differs", detail=_firing_change(firing, other, names))
        else:
            continue
        if difference not in found:
            found.append(difference)
    ran = {f.rule for f in first}
    for rule in b:
        if rule not in ran:
            found.append(FiringDifference(rule=rule, change="only_second", detail=f"fired in the {names[1]} run only"))
    return found


def repeated_firings(firings: tuple[Firing, ...]) -> dict[str, int]:
    """Rules recorded more than once, with their counts (a rule fires at most once per consultation)."""
    counts = Counter(f.rule for f in firings)
    return {rule: n for rule, n in counts.items() if n > 1}


def order_difference(first: tuple[Firing, ...], second: tuple[Firing, ...]) -> tuple[list[str], list[str]] | None:
    """The two firing sequences when the same rules fired in another order; None when the order agrees."""
    a = [f.rule for f in first]
    b = [f.rule for f in second]
    if a == b or Counter(a) != Counter(b):
        return None
    return a, b


def outcome_differences(first: Outcome, second: Outcome, names: tuple[str, str] = ("recorded", "replay")) -> list[str]:
    """Each part of the result that differs, in words."""
    x, y = names
    found = []
    if first.primary != second.primary:
        found.append(f"recommendation {first.primary} ({x}) vs {second.primary} ({y})")
    if first.complementary != second.complementary:
        found.append(f"complementary {_ids(first.complementary)} ({x}) vs {_ids(second.complementary)} ({y})")
    if first.risks != second.risks:
        found.append(f"risks {_risks(first)} ({x}) vs {_risks(second)} ({y})")
    scores_a = {s.approach: s for s in first.ranking}
    scores_b = {s.approach: s for s in second.ranking}
    for approach in dict.fromkeys([*scores_a, *scores_b]):
        sa, sb = scores_a.get(approach), scores_b.get(approach)
        if sa != sb:
            found.append(f"score of {approach} {_score(sa)} ({x}) vs {_score(sb)} ({y})")
    if [s.approach for s in first.ranking] != [s.approach for s in second.ranking]:
        found.append(f"ranking {_ids(s.approach for s in first.ranking)} ({x}) vs "
                     f"{_ids(s.approach for s in second.ranking)} ({y})")
    for name in ("confidence", "defaulted", "unknown_share"):
        if getattr(first, name) != getattr(second, name):
            found.append(f"{name.replace('_', ' ')} {getattr(first, name)} ({x}) vs {getattr(second, name)} ({y})")
    return found


def advice(outcome: Outcome) -> tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]:
    """What the advice is: the recommendation, the complementary approaches and the risks with severity."""
    return outcome.primary, outcome.complementary, tuple((r.id, r.severity) for r in outcome.risks)


def describe_outcome(outcome: Outcome) -> str:
    """The advice in one line: recommendation, confidence, complementary approaches, risks."""
    text = f"{outcome.primary} ({outcome.confidence:.0%})"
    if outcome.complementary:
        text += f", with {_ids(outcome.complementary)}"
    if outcome.risks:
        text += f", risks {_risks(outcome)}"
    return text


def describe_effect(effect: Effect) -> str:
    """A rule effect in words, e.g. `supports retrieval +3`."""
    if isinstance(effect, Conclude):
        return f"concludes {effect.conclusion}"
    if isinstance(effect, Support):
        return f"supports {effect.approach} +{effect.weight:g}"
    if isinstance(effect, Oppose):
        return f"opposes {effect.approach} −{effect.weight:g}"
    if isinstance(effect, Exclude):
        return f"excludes {effect.approach}"
    assert isinstance(effect, Flag)
    return f"flags {effect.risk} ({effect.severity})"


def describe_fact(fact: Fact) -> str:
    """A fact a rule read, e.g. `answer knowledge = documents`."""
    return f"{fact.kind} {fact.id} = {show_value(fact.value)}"


def show_value(value: object) -> str:
    """An answer or fact value in words: yes/no for booleans, unknown for None."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "unknown" if value is None else str(value)


def _firing_change(a: Firing, b: Firing, names: tuple[str, str]) -> str:
    parts = []
    if a.matched != b.matched:
        changed = [f"{fa.kind} {fa.id} {show_value(fa.value)} ({names[0]}) vs {show_value(fb.value)} ({names[1]})"
                   for fa, fb in zip(a.matched, b.matched) if fa != fb]
        if len(a.matched) != len(b.matched) or not changed:
            changed = [f"read {', '.join(map(describe_fact, a.matched))} ({names[0]}) vs "
                       f"{', '.join(map(describe_fact, b.matched))} ({names[1]})"]
        parts.append("facts: " + "; ".join(changed))
    if a.effects != b.effects:
        parts.append(f"effects: {', '.join(map(describe_effect, a.effects))} ({names[0]}) vs "
                     f"{', '.join(map(describe_effect, b.effects))} ({names[1]})")
    if a.stratum != b.stratum:
        parts.append(f"stratum {a.stratum} ({names[0]}) vs {b.stratum} ({names[1]})")
    return "; ".join(parts)


def _ids(ids: Iterable[str]) -> str:
    return "[" + ", ".join(ids) + "]"


def _risks(outcome: Outcome) -> str:
    return "[" + ", ".join(f"{r.id} ({r.severity})" for r in outcome.risks) + "]"


def _score(score: Score | None) -> str:
    if score is None:
        return "absent"
    return f"{score.score:g} (+{score.support:g} −{score.oppose:g})"
