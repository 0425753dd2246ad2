"""Per-rulebase derived data, computed once per loaded rulebase instead of once per consultation.

A Rulebase is frozen, so everything derived from it alone (strata, the facts each rule reads, which
rules conclude what, and the evaluators and compiled models `built` makes) can be cached.
It is kept by the rulebase itself (`Rulebase.derived`, which copies and pickles leave behind).
"""

from __future__ import annotations

import os
import threading
import weakref
from decimal import Decimal
from typing import TypeVar

from decider.rulebase.expressions import references as expression_references
from decider.rulebase.logic import concluded_by, read_facts, rule_strata
from decider.rulebase.model import Conclude, Flag, NumberQuestion, Oppose, Rulebase, ScaleQuestion, Support
from decider.rulebase.numbers import to_decimal

Built = TypeVar("Built")


class Prepared:
    """What the engines, the policy and the explanations reuse for one rulebase."""

    def __init__(self, rulebase: Rulebase) -> None:
        self.pid = os.getpid()
        """The process that prepared it (a forked child prepares its own)."""
        self.strata: dict[str, int] = rule_strata(rulebase)
        self.read: dict[str, tuple[tuple[str, str], ...]] = {r.id: tuple(read_facts(r)) for r in rulebase.rules}
        self.concludes: dict[str, tuple[str, ...]] = {r.id: tuple(concluded_by(r)) for r in rulebase.rules}
        self.numeric: frozenset[str] = frozenset(
            q.id for q in rulebase.questions if isinstance(q, (NumberQuestion, ScaleQuestion)))
        self.figure_refs: dict[str, tuple[str, ...]] = {
            f.id: tuple(n for n in dict.fromkeys(expression_references(f.tree))
                        if n in rulebase.question_index or n in rulebase.figure_index)
            for f in rulebase.figures
        }
        """The questions and earlier figures each figure's expression names, in first-use order."""
        self.weights: dict[str, tuple[Decimal | None, ...]] = {
            r.id: tuple(to_decimal(e.weight) if isinstance(e, (Support, Oppose)) else None for e in r.then)
            for r in rulebase.rules
        }
        """Exact weights of each rule's effects, aligned with `rule.then` (None for non-weights)."""
        self.baselines: dict[str, Decimal] = {
            a.id: to_decimal(rulebase.policy.baseline.get(a.id, 0)) for a in rulebase.approaches}
        self.tie: dict[str, int] = {aid: i for i, aid in enumerate(rulebase.policy.tie_break)}
        self.engines: dict[type, object] = {}
        """Models built for this rulebase, one per class (see `built`)."""
        self.content_key: str | None = None
        """sha256 of the rulebase's whole content, set by the durable engine cache on first use (it keys
        native rulesets on content, so equal copies share one)."""
        self.effect_text: dict[tuple[str, str], str] = {}
        """(rule, conclusion) -> how the rule establishes it ('concludes x' / 'flags x (high)')."""
        for rule in rulebase.rules:
            for effect in rule.then:
                if isinstance(effect, Conclude):
                    self.effect_text.setdefault((rule.id, effect.conclusion), f"concludes {effect.conclusion}")
                elif isinstance(effect, Flag):
                    self.effect_text.setdefault((rule.id, effect.risk), f"flags {effect.risk} ({effect.severity})")
        self.establishes: dict[str, tuple[str, ...]] = {}
        """rule -> the conclusions and risks it establishes (the keys of `effect_text`), in order."""
        for rule_id, conclusion in self.effect_text:
            self.establishes[rule_id] = (*self.establishes.get(rule_id, ()), conclusion)
        self.below: dict[str, frozenset[str]] = _conclusions_below(self.read, self.effect_text)
        """rule -> every conclusion its HOW tree can reach (read by it, or below a rule establishing one)."""


def _conclusions_below(read: dict[str, tuple[tuple[str, str], ...]],
                       effect_text: dict[tuple[str, str], str]) -> dict[str, frozenset[str]]:
    """Transitive closure over 'reads conclusion c' and 'c is established by rule r' (a fixed point)."""
    producers: dict[str, set[str]] = {}
    for rule_id, conclusion in effect_text:
        producers.setdefault(conclusion, set()).add(rule_id)
    below = {rule_id: {fid for kind, fid in facts if kind == "conclusion"} for rule_id, facts in read.items()}
    changed = True
    while changed:
        changed = False
        for reached in below.values():
            more = {c for conclusion in list(reached) for r in producers.get(conclusion, ()) for c in below.get(r, ())}
            if not more <= reached:
                reached |= more
                changed = True
    return {rule_id: frozenset(reached) for rule_id, reached in below.items()}


_lock = threading.Lock()


def _after_fork_in_child() -> None:
    """A lock another thread held at fork() would never be released in the child: start afresh."""
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


def prepared(rulebase: Rulebase) -> Prepared:
    """The derived data of `rulebase`, computed on first use and kept by the rulebase itself
    (`Rulebase.derived`), so that it lives as long as the rulebase and no longer.  A forked child
    prepares afresh: what the parent built may hold locks and engines only the parent can use."""
    found = rulebase.derived.get(Prepared)
    if isinstance(found, Prepared) and found.pid == os.getpid():
        return found
    with _lock:
        found = rulebase.derived.get(Prepared)
        if not isinstance(found, Prepared) or found.pid != os.getpid():
            found = rulebase.derived[Prepared] = Prepared(rulebase)
    return found


class BuiltFrom:
    """Base of what `built` keeps in a rulebase's derived data: kept there, it refers back to its
    rulebase weakly, so that a rulebase and what was built from it form no reference cycle and are
    freed together as soon as the rulebase is dropped (a library that copies rulebases per call would
    otherwise hold them until a full garbage collection).  Made directly (`ReferenceEngine(rulebase)`),
    it holds its rulebase like any other object."""

    def __init__(self, rulebase: Rulebase) -> None:
        self._rulebase = weakref.ref(rulebase)
        self._held: Rulebase | None = rulebase

    @property
    def rulebase(self) -> Rulebase:
        found = self._held or self._rulebase()
        if found is None:
            raise ReferenceError(f"the rulebase this {type(self).__name__} was built from no longer exists")
        return found


def built(rulebase: Rulebase, kind: type[Built]) -> Built:
    """`kind(rulebase)` (an evaluator or compiled model), built on first use and kept with the rulebase's
    other derived data, so that each rulebase has one of each kind."""
    engines = prepared(rulebase).engines
    found = engines.get(kind)
    if not isinstance(found, kind):
        made = kind(rulebase)  # type: ignore[call-arg]
        if isinstance(made, BuiltFrom):
            made._held = None  # kept by the rulebase itself: refer back weakly (no cycle)
        found = engines.setdefault(kind, made)
    assert isinstance(found, kind)
    return found
