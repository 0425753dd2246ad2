"""Which unknown answers still matter: three-valued (Kleene) evaluation of the rules.

An unknown answer is *open* when some rule that reads it (directly or through a figure) is
undecided given the known answers, and that rule could still change something: it supports,
opposes or flags, or it concludes something not yet settled that an open rule reads.  Unknowns that no answer
could bring into play (a follow-up to a case already ruled out) are *settled* and do not
lower the confidence.  Pure and engine-independent, so both engines share it via the policy.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from decimal import Decimal
from functools import cache

from decider.engine.kleene import F, U, Conditions, Truths, conditions_of
from decider.engine.prepared import built
from decider.rulebase.answers import Answers
from decider.rulebase.logic import questions_read
from decider.rulebase.model import Conclude, Rulebase

PATTERN_CACHE_SIZE = 4096


class _Shape:
    """What relevance needs to know about a rulebase's structure, computed once per rulebase."""

    def __init__(self, rulebase: Rulebase) -> None:
        self.conditions: Conditions = conditions_of(rulebase)
        self.readers: dict[str, list[int]] = {}
        """conclusion -> the rules whose condition reads it."""
        for i, read in self.conditions.conclusions_read.items():
            for cid in read:
                self.readers.setdefault(cid, []).append(i)
        self.questions = [frozenset(questions_read(rulebase, rule)) for rule in rulebase.rules]
        """Each rule's questions, read directly or through a figure."""
        self.read = frozenset(q for qs in self.questions for q in qs)
        self.only_conclusions = [all(isinstance(e, Conclude) for e in rule.then) for rule in rulebase.rules]
        self.found: OrderedDict[tuple[frozenset[str], Truths], frozenset[str]] = OrderedDict()
        """Open unknowns by answer pattern (which questions are unknown, and each test's truth)."""
        self.lock = threading.Lock()


def _shape(rulebase: Rulebase) -> _Shape:
    """The rulebase's reads, built once and kept with its other derived data."""
    return built(rulebase, _Shape)


def open_unknowns(rulebase: Rulebase, answers: Answers) -> frozenset[str]:
    """Ids of the questions without a known value whose answer could still change an effect."""
    shape = _shape(rulebase)
    unknown = frozenset(q for q in shape.read if answers.value(q) is None)
    if not unknown:
        return frozenset()
    tv = shape.conditions.open_truths(answers)
    # everything below depends on the answers only through this pattern, so its result is cached
    pattern = (unknown, tv)
    with shape.lock:
        found = shape.found.get(pattern)
        if found is not None:
            shape.found.move_to_end(pattern)
            return found
    found = _open_unknowns(shape, unknown, tv)
    with shape.lock:
        shape.found[pattern] = found
        while len(shape.found) > PATTERN_CACHE_SIZE:
            shape.found.popitem(last=False)
    return found


def _open_unknowns(shape: _Shape, unknown: frozenset[str], tv: Truths) -> frozenset[str]:
    """The unknowns read by a live rule: one undecided under `tv` that has an effect other than
    concluding, or concludes something undecided that a live rule reads."""
    conditions = shape.conditions
    status, concluded = conditions.state(tv)

    @cache
    def live(i: int) -> bool:
        if status[i] != U:
            return False
        if not shape.only_conclusions[i]:
            return True
        return any(concluded.get(cid, F) == U and live(reader)
                   for cid in conditions.concludes[i] for reader in shape.readers.get(cid, []))

    found: set[str] = set()
    for i, questions in enumerate(shape.questions):
        asked = unknown & questions
        if asked and not asked <= found and live(i):
            found |= asked
    return frozenset(found)


def open_share(rulebase: Rulebase, answers: Answers) -> Decimal:
    """Open unknowns as a fraction of the questions the rules read."""
    read = _shape(rulebase).read
    if not read:
        return Decimal(0)
    return Decimal(len(open_unknowns(rulebase, answers))) / Decimal(len(read))
