"""Variable elimination over distributions: the exact distribution of a sum of effects, each a function
of a few discrete variables, over the product of those variables' weighted domains.

A factor maps each assignment of its variables to a distribution of packed effects (`dict[int, int]`:
packed key -> integer mass; empty where the assignment is impossible).  Multiplying factors convolves
their distributions; summing a variable out mixes its values' distributions by their integer weights.
Variables are eliminated greedily, cheapest first (the joined table's entries times the keys its
entries can hold), so the cost follows the structure of the rules (which variables they share)
rather than the number of completions.  Masses are exact
integers: equal shares stay equal, so ties between approaches are never decided by rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product
from math import prod
from typing import Generic, TypeVar

Distribution = dict[int, int]
"""Packed effects -> integer mass."""
Merge = Callable[[Distribution], Distribution]
"""Brings a distribution to canonical keys (sums that mean the same merged), keeping it small."""
V = TypeVar("V", bound=Hashable)
"""A variable; its values are small integers."""
Assignment = tuple[int, ...]
Weights = Mapping[V, Mapping[int, int]]
"""variable -> its values, each with an integer weight."""


@dataclass(frozen=True)
class Factor(Generic[V]):
    """A table over `scope`: each assignment (values in scope order) -> the distribution it contributes."""

    scope: tuple[V, ...]
    table: Mapping[Assignment, Distribution]
    spread: int = field(init=False)
    """The most keys one entry holds (how much joining the factor can multiply distributions).  Computed
    once here, not by `functools.cached_property`: in Python 3.11 that holds a lock shared by every
    instance, which a thread can hold at fork() and leave a child process waiting forever."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "spread", max((len(d) for d in self.table.values()), default=1))


def tabulate(scope: tuple[V, ...], weights: Weights[V], entry: Callable[[Assignment], Distribution]) -> Factor[V]:
    """The factor whose entry for each assignment of `scope` (over the values in `weights`) is
    `entry(assignment)`; assignments whose distribution is empty (impossible) are left out."""
    table: dict[Assignment, Distribution] = {}
    for values in product(*(weights[v] for v in scope)):
        found = entry(values)
        if found:
            table[values] = found
    return Factor(scope, table)


def convolve(left: Distribution, right: Distribution) -> Distribution:
    """The distribution of the sum of two independent packed effects (masses multiply)."""
    if len(left) == 1 and len(right) == 1:
        (a, p), = left.items()
        (b, q), = right.items()
        return {a + b: p * q}
    result: Distribution = {}
    get = result.get
    for a, p in left.items():
        for b, q in right.items():
            result[a + b] = get(a + b, 0) + p * q
    return result


def join(left: Factor[V], right: Factor[V], merge: Merge) -> Factor[V]:
    """The product of two factors over the union of their scopes."""
    shared = [v for v in left.scope if v in right.scope]
    extra = [v for v in right.scope if v not in left.scope]
    at_left = [left.scope.index(v) for v in shared]
    at_right = [right.scope.index(v) for v in shared]
    extra_at = [right.scope.index(v) for v in extra]
    by_shared: dict[Assignment, list[tuple[Assignment, Distribution]]] = {}
    for values, dist in right.table.items():
        by_shared.setdefault(tuple(values[i] for i in at_right), []).append(
            (tuple(values[i] for i in extra_at), dist))
    table: dict[Assignment, Distribution] = {}
    for values, dist in left.table.items():
        for rest, other in by_shared.get(tuple(values[i] for i in at_left), ()):
            table[values + rest] = merge(convolve(dist, other))
    return Factor(left.scope + tuple(extra), table)


def sum_out(factor: Factor[V], variable: V, weights: Mapping[int, int]) -> Factor[V]:
    """The factor with `variable` summed out, each of its values weighted by `weights` (mixing
    distributions adds no new key, so nothing needs merging)."""
    at = factor.scope.index(variable)
    table: dict[Assignment, Distribution] = {}
    for values, dist in factor.table.items():
        weight = weights.get(values[at], 0)
        if not weight:
            continue
        rest = values[:at] + values[at + 1:]
        into = table.setdefault(rest, {})
        for key, mass in dist.items():
            into[key] = into.get(key, 0) + weight * mass
    return Factor(factor.scope[:at] + factor.scope[at + 1:], table)


def _cost(variable: V, pending: list[Factor[V]], weights: Weights[V]) -> int:
    """A bound on the work of eliminating `variable` next: the entries of the joined table times the
    keys each of its entries can hold."""
    touching = [f for f in pending if variable in f.scope]
    scope = {v for f in touching for v in f.scope}
    return prod(len(weights[v]) for v in scope) * prod(f.spread for f in touching)


def eliminate(factors: Iterable[Factor[V]], weights: Weights[V], merge: Merge) -> Distribution:
    """The distribution of the sum of every factor's effects, every variable summed out with its
    `weights` (value -> integer weight).  Greedy order: next the variable cheapest to eliminate (`_cost`),
    so that tables over shared structure are summed before the distributions in them grow."""
    pending = list(factors)
    remaining = {v for f in pending for v in f.scope}
    while remaining:
        variable = min(remaining, key=lambda v: (_cost(v, pending, weights), repr(v)))
        touching = [f for f in pending if variable in f.scope]
        pending = [f for f in pending if variable not in f.scope]
        joined = touching[0]
        for other in touching[1:]:
            joined = join(joined, other, merge)
        pending.append(sum_out(joined, variable, weights[variable]))
        remaining.discard(variable)
    result: Distribution = {0: 1}
    for f in pending:
        result = merge(convolve(result, f.table.get((), {})))
    return result


__all__ = ["Assignment", "Distribution", "Factor", "Weights", "convolve", "eliminate", "join", "sum_out", "tabulate"]
