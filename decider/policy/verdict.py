"""The decision under open answers: which approach to recommend, how robust and how sure.

The primary is the approach the evidence given supports best: the leader on the scores of the
answers as given (equal scores go to the first in `tie_break`), provided it wins in at least one
completion of the open answers (`decider.engine.completions`).  An open answer is not evidence, so
it neither adds nor subtracts; what it could still do is measured over the completions: the
primary's robustness is the prior mass of the completions in which it wins, and its confidence is
the prior-weighted mean, over all completions, of how clearly it wins there (0 where it loses or
only ties).  When the leader wins no completion at all (an unknown answer made a rule fire that no
known answer would), the primary is instead the approach with the greatest mass of wins.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from decider.engine.completions import NO_WINS, Completions, Tally, completions_of
from decider.engine.kleene import Truths, VarKey
from decider.rulebase.answers import Answers, AnswerValue
from decider.rulebase.model import Rulebase

POLICY_VERSION = 3
"""The decision policy this decider applies (rules/README.md, "The policy"), recorded in every trace:
1 is decider 0.1.0's (margin over a non-complementary rival, less a penalty per unknown); 2 adds
eligibility and decides open answers by counting their completions (the primary wins the most of
them); 3 recommends the leader on the evidence given, with the completions measuring how open
answers could change it.  A trace's result can only be replayed under the policy that decided it."""


class Chance(BaseModel):
    """An approach and the prior mass of the completions of the open answers in which it would win."""

    model_config = ConfigDict(frozen=True)

    approach: str
    mass: float


@dataclass(frozen=True)
class Verdict:
    """What the counting over completions says about one consultation (`judge`)."""

    primary: str
    confidence: float
    robustness: float
    settled: bool
    chances: tuple[Chance, ...]
    tied: tuple[str, ...]
    """A tie at the top, judged over the completions like everything else: when settled, the approaches
    level with the primary in completions it wins only by tie_break, if that is every completion (its
    confidence is then 0); otherwise the approaches with exactly the primary's mass of completions,
    and those level with it on the evidence given that some completion makes the winner (it leads them
    only by tie_break while the open answers decide).  A settled result is never tied on the evidence alone: the scores of the answers
    given are then no completion's scores."""
    open_deciding: tuple[str, ...]
    """When not settled: the open questions that still bear on a score or an exclusion (an undecided
    rule that weighs or excludes reads them) — among them every one whose answer could change the primary."""


def pick(model: Completions, tally: Tally, barred: frozenset[str] = frozenset()) -> str:
    """The approach with the most mass of wins, equal mass going to the first in tie_break (so the
    primary depends only on who wins which completion).  `barred` approaches (excluded on the
    answers as given) are passed over."""
    allowed = [a for a in tally if a not in barred] or [a for a in model.approaches if a not in barred]
    best = max(tally.get(a, NO_WINS).mass for a in allowed)
    return min((a for a in allowed if tally.get(a, NO_WINS).mass >= best - 1e-12), key=model.tie.__getitem__)


def leader(model: Completions, given: Truths) -> str:
    """The leader on the evidence of `given` (`Completions.given`): the highest score among the
    approaches not excluded (all of them if every one is), equal scores going to the first in
    tie_break."""
    return _top(model, *model.evidence(given))


def _top(model: Completions, scores: dict[str, int], excluded: frozenset[str]) -> str:
    """The highest score among the approaches not excluded (all if every one is), ties by tie_break."""
    allowed = [a for a in model.approaches if a not in excluded] or list(model.approaches)
    return min(allowed, key=lambda a: (-scores[a], model.tie[a]))


def choose(model: Completions, tv: Truths, evidence: tuple[dict[str, int], frozenset[str]],
           barred: frozenset[str] = frozenset()) -> str:
    """The primary: the leader on the `evidence` (`Completions.evidence` of the answers as given) if it
    wins some completion of `tv`, else the approach with the most mass of wins (an unknown answer made
    a rule fire that no known answer would).  Whether the leader wins some completion is asked of
    `Completions.wins_some`, so the completions are counted only when a count is needed or known."""
    first = _top(model, *evidence)
    if first not in barred and model.wins_some(tv, first):
        return first
    return pick(model, model.count(tv), barred)


def judge(rulebase: Rulebase, answers: Answers, barred: frozenset[str] = frozenset()) -> Verdict:
    """The primary, its confidence and robustness, and the open questions that still bear on it.

    `barred`: approaches excluded on the answers as given.  In a rulebase without lint error E311 they
    are excluded in every completion too, so this changes nothing; otherwise it keeps an excluded
    approach from being recommended."""
    model = completions_of(rulebase)
    tv, open_vars = model.truths(answers)
    tally = model.count(tv)
    given = model.given(answers)
    scores, excluded = model.evidence(given)
    primary = choose(model, tv, (scores, excluded), barred)
    wins = tally.get(primary, NO_WINS)
    mass = wins.mass
    settled = set(tally) == {primary}  # structural: no completion has another winner
    ordered = sorted({*tally, primary}, key=lambda a: (a != primary, -tally.get(a, NO_WINS).mass, model.tie[a]))
    if settled:  # a tie at the top whatever the open answers: the primary wins every completion by tie_break only
        level = wins.level if wins.level_mass >= mass - 1e-12 else frozenset()
        tied = tuple(a for a in sorted(level, key=model.tie.__getitem__) if a not in barred)
    else:  # as likely as the primary to be the winner once everything is known
        tied = tuple(a for a in ordered if a != primary and a not in barred
                     and abs(tally.get(a, NO_WINS).mass - mass) < 1e-12)
    if not settled and primary not in excluded:
        even = {a for a in model.approaches if a != primary and a not in excluded and a not in barred
                and scores[a] == scores[primary] and tally.get(a, NO_WINS).mass > 0}
        tied = tuple(sorted({*tied, *even}, key=model.tie.__getitem__))
    deciding: set[str] = set()
    if not settled:
        for key in model.bearing(tv):
            deciding.update(q for q in model.questions(key) if answers.value(q) is None)
    return Verdict(
        primary=primary, confidence=min(wins.strength, float(mass)), robustness=float(mass), settled=settled,
        chances=tuple(Chance(approach=a, mass=round(float(tally.get(a, NO_WINS).mass), 4)) for a in ordered),
        tied=tied, open_deciding=tuple(sorted(deciding, key=model.question_order.__getitem__)),
    )


def primary_of(rulebase: Rulebase, answers: Answers) -> str:
    """The primary `judge` would give, and nothing else (no confidence, ties or explanations): the
    approaches excluded on the answers as given are read off the compiled tests, as the engines
    would find them (all of them excluded at once bars none, as in `decide`)."""
    model = completions_of(rulebase)
    tv, _ = model.truths(answers)
    evidence = model.evidence(model.given(answers))
    return choose(model, tv, evidence, barred_of(evidence[1], len(model.approaches)))


Change = tuple[tuple[str, AnswerValue], ...]
"""New answers to some questions: (question id, answer) pairs."""


def primaries_after(rulebase: Rulebase, answers: Answers, changes: Sequence[Change]) -> list[str]:
    """`primary_of` the answers with each change applied, for many changes at once (what-if tries
    thousands).  An answer to a question no figure reads sets the truths of that question's own tests
    and nothing else (`Completions.truths` and `given` read each variable's tests on their own), so
    those changes patch the truths of `answers`, computed once; a change to a figure's input goes
    through `primary_of` itself."""
    model = completions_of(rulebase)
    tv, _ = model.truths(answers)
    given = model.given(answers)
    fed = frozenset().union(*model.figure_inputs.values())
    rows: dict[tuple[str, AnswerValue], tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]] = {}
    found = []
    for change in changes:
        if any(qid in fed for qid, _ in change):
            changed = answers
            for qid, value in change:
                changed = changed.with_answer(qid, value)
            found.append(primary_of(rulebase, changed))
            continue
        truths, seen = list(tv), list(given)
        for qid, value in change:
            row = rows.get((qid, value))
            if row is None:
                row = rows[(qid, value)] = model.answer_truths(qid, value)
            tests, open_truths, given_truths = row
            for i, truth, seen_truth in zip(tests, open_truths, given_truths):
                truths[i], seen[i] = truth, seen_truth
        evidence = model.evidence(tuple(seen))
        found.append(choose(model, tuple(truths), evidence, barred_of(evidence[1], len(model.approaches))))
    return found


def barred_of(excluded: Collection[str], approaches: int) -> frozenset[str]:
    """The approaches passed over as excluded: all of them excluded at once is a rulebase error (lint
    E310), and then none is barred."""
    return frozenset(excluded) if len(excluded) < approaches else frozenset()


def separating(rulebase: Rulebase, answers: Answers, approaches: tuple[str, ...], settled: bool = True) -> tuple[str, ...]:
    """For a tie: the questions one different answer to which breaks it, open questions first.  A
    settled tie (one in every completion) is broken where some approach then wins with a positive
    margin in some completion; a tie on the evidence given, where the answer makes the scores of the
    tied approaches differ (or excludes one of them)."""
    model = completions_of(rulebase)
    given = model.given(answers)
    tv, _ = model.truths(answers)

    def breaks(key: VarKey) -> bool:
        if not settled:  # on the evidence: the tied scores differ, or one of them is excluded
            for klass in range(len(model.classes[key])):
                scores, excluded = model.evidence(model.fix(given, key, klass))
                if any(a in excluded for a in approaches) or len({scores[a] for a in approaches}) > 1:
                    return True
            return False
        return any(any(wins.strength > 0 for wins in model.count(model.fix(tv, key, klass)).values())
                   for klass, _ in model.consistent(tv, key))

    found = {q for key in sorted(model.classes) if breaks(key) for q in model.questions(key)}
    return tuple(sorted(found, key=lambda q: (answers.value(q) is not None, model.question_order[q])))


__all__ = ["POLICY_VERSION", "Chance", "Change", "Verdict", "barred_of", "choose", "judge", "leader", "pick", "primaries_after",
           "primary_of", "separating"]
