"""Whether an approach wins some completion, by a bounded depth-first search instead of a count.

Random draws (`Completions._drawn`) find a winning completion quickly when an approach wins a fair
share of them, but not one that needs many answers to go its way at once (a fine-tuning case at
the start of an interview wins well under 1% of the mass).  This search fixes the open variables one
at a time and prunes a branch as soon as three-valued evaluation shows the approach cannot win
there: its best possible score (every undecided rule for it fires, none against it) is below some
rival's worst (only the rules already certain count for the rival), or it is surely excluded while
some rival surely is not.  The same bound ends a branch as won when the approach's worst score beats
every rival's best and nothing can exclude it (near the end of an interview that is the root).  The
bound is sound, so a search that runs to the end is a proof either way; one that exceeds its budget
decides nothing, and the caller counts.  The completion the search ends on is a witness in its own
right: flipping one variable in it shows the winner depends on that variable (`depends_through_wins`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

from decider.engine.kleene import F, T, Truths, VarKey

if TYPE_CHECKING:
    from decider.engine.completions import Completions

Domains = list[tuple[tuple[int, ...], list[tuple[int, ...]]]]
"""Open variables as (their tests, the test truths of each of their classes) (`Completions.domains`)."""
SEARCH_BUDGET = 400
"""Nodes (three-valued evaluations of the rules) a search may visit before it gives up."""


def drawn_completions(tv: Truths, domains: Domains, tries: int) -> Iterator[list[int]]:
    """`tries` completions of `tv`, one class of each variable of `domains` drawn at random; the seed is
    the number of variables, so the same question gets the same draws every time."""
    draw = random.Random(len(domains))
    for _ in range(tries):
        values = list(tv)
        for tests, options in domains:
            for i, truth in zip(tests, draw.choice(options)):
                values[i] = truth
        yield values


def depends_on(model: Completions, tv: Truths, key: VarKey, classes: tuple[int, ...], tries: int) -> bool:
    """Whether one of `tries` completions of `tv`'s other open variables, drawn with a fixed seed, has a
    different winner for two of `key`'s `classes`: a witness that the winner depends on `key`.  None
    found proves nothing."""
    domains = model.domains(tv)
    if domains is None or len(classes) < 2:
        return False
    mine = set(model.var_tests[key])
    others = [(tests, options) for tests, options in domains if not mine.intersection(tests)]
    rows = [model.classes[key][k][1] for k in classes]
    for values in drawn_completions(tv, others, tries):
        winners = set()
        for row in rows:
            for i, truth in zip(model.var_tests[key], row):
                values[i] = truth
            winners.add(model.outcome(model.summed(values)).winner)
            if len(winners) > 1:
                return True
    return False


class _OutOfBudget(Exception):
    """The search visited `SEARCH_BUDGET` nodes without an answer."""


def wins_somewhere(model: Completions, tv: Truths, approach: str, budget: int = SEARCH_BUDGET) -> bool | None:
    """True when some completion of `tv` (classes of positive prior only, as the count weighs them) is
    won by `approach`, False when none is, None when the search ran out of `budget` nodes."""
    try:
        return won_completion(model, tv, approach, budget) is not None
    except _OutOfBudget:
        return None


def won_completion(model: Completions, tv: Truths, approach: str, budget: int = SEARCH_BUDGET) -> list[int] | None:
    """The test truths of a completion of `tv` (classes of positive prior only) won by `approach`, or None
    when no completion is; raises `_OutOfBudget` after `budget` nodes.  Depth first, pruned by a sound
    three-valued bound; once every completion below a node is won, the first one is taken."""
    domains = model.domains(tv)
    if domains is None:
        return None  # no completion is weighed, so none is won
    left = [budget]

    def visit(values: list[int], depth: int) -> list[int] | None:
        left[0] -= 1
        if left[0] < 0:
            raise _OutOfBudget
        if depth == len(domains):
            return values if model.outcome(model.summed(values)).winner == approach else None
        may, must = _bounds(model, tuple(values), approach)
        if must:
            for tests, classes in domains[depth:]:
                for i, truth in zip(tests, classes[0]):
                    values[i] = truth
            return values
        if not may:
            return None
        tests, classes = domains[depth]
        for truths in classes:
            trial = list(values)
            for i, truth in zip(tests, truths):
                trial[i] = truth
            found = visit(trial, depth + 1)
            if found is not None:
                return found
        return None

    return visit(list(tv), 0)


def depends_through_wins(model: Completions, tv: Truths, key: VarKey, classes: tuple[int, ...], approaches: list[str],
                         budget: int) -> bool:
    """Whether a completion that one of `approaches` wins with one of `key`'s `classes` (found by
    `won_completion`) has another winner with another class, all else alike: a witness that the winner
    depends on `key` where the draws of `depends_on` miss it (an approach that wins rarely).  None found
    within `budget` nodes per search proves nothing."""
    rows = [model.classes[key][k][1] for k in classes]
    tests = model.var_tests[key]
    for approach in approaches:
        for k in classes:
            try:
                found = won_completion(model, model.fix(tv, key, k), approach, budget)
            except _OutOfBudget:
                continue
            if found is None:
                continue
            for row in rows:
                for i, truth in zip(tests, row):
                    found[i] = truth
                if model.outcome(model.summed(found)).winner != approach:
                    return True
    return False


def _bounds(model: Completions, tv: Truths, approach: str) -> tuple[bool, bool]:
    """(may win, must win): whether some completion of `tv` could be won by `approach`, and whether every
    one is, as far as a sound three-valued bound can tell (False, False when it cannot say)."""
    status = model.statuses(tv)
    best = dict(model.base)  # each approach's highest score over the completions
    worst = dict(model.base)  # and its lowest
    surely_out: set[str] = set()
    maybe_out: set[str] = set()
    weighed = False
    for i in model.deciding:
        truth = status[i]
        if truth == F:
            continue
        support, oppose, excludes = model.effects[i]
        for a, w in support.items():
            best[a] += w
            if truth == T:
                worst[a] += w
        for a, w in oppose.items():
            worst[a] -= w
            if truth == T:
                best[a] -= w
        if truth == T:
            surely_out.update(excludes)
            weighed = weighed or bool(support or oppose)
        maybe_out.update(excludes)
    ahead = model.tie[approach]
    rivals = [a for a in model.approaches if a != approach]
    must = (approach not in maybe_out and (weighed or approach == model.default)
            and all(worst[approach] > best[r] or (worst[approach] == best[r] and ahead < model.tie[r]) for r in rivals))
    if approach == model.default and not weighed:
        return True, must  # a completion where nothing weighs goes to the default whatever the scores
    eligible = [r for r in rivals if r not in maybe_out]
    if approach in surely_out and eligible:
        return False, False  # excluded while some rival stays eligible: it cannot win
    beaten = any(worst[r] > best[approach] or (worst[r] == best[approach] and model.tie[r] < ahead) for r in eligible)
    return not beaten, must


__all__ = ["SEARCH_BUDGET", "Domains", "depends_on", "depends_through_wins", "drawn_completions", "won_completion",
           "wins_somewhere"]
