"""The search behind E311: answers under which a rule holds with one variable open and fails for
every known class of it, all else the same.

The rule is reduced to one residue per class of that variable (its condition with the variable
set to that class, see `residual`); the search branches on the variable most of these residues
still read, substitutes, and stops a branch as soon as the open residue is false or a known one
is true.  Two branches that leave the same residues (and the same choices for figures and their
inputs, which constrain each other) have the same completions, so a branch found dead is
remembered and never searched again.  This is exact and looks at a few hundred states where a
search over answer combinations needed millions (a rule reading conclusions built from sixteen
questions).
"""

from __future__ import annotations

from collections.abc import Iterator

from decider.lint.answer_space import VarKey
from decider.lint.formulas import ClassChoice
from decider.lint.residual import Residue, Residues
from decider.lint.search import Solver


class OnlyOpen:
    """Finds the assignments under which a rule holds only because one variable is open."""

    def __init__(self, solver: Solver, residues: Residues) -> None:
        self.solver = solver
        self.residues = residues
        self._linked = {k for f, ins in solver.figure_inputs().items() for k in (f, *ins)}

    def start(self, key: VarKey) -> ClassChoice:
        """The choices the open variable forces: every figure computed from it is unknown."""
        space = self.solver.space
        return {f: next(i for i, c in enumerate(space.classes[f]) if c.unknown)
                for f, inputs in self.solver.figure_inputs().items() if key in inputs}

    def solutions(self, rule_id: str, key: VarKey) -> Iterator[ClassChoice]:
        """Partial assignments (without `key`) under which the rule holds with `key` unknown and
        fails with `key` in each known class; each search state counts as a solver step."""
        classes = self.solver.space.classes[key]
        start = self.start(key)
        order = sorted(range(len(classes)), key=lambda i: not classes[i].unknown)  # the unknown class first
        parts = tuple(self.residues.of_rule(rule_id, {**start, key: i}) for i in order)
        yield from self.search(start, parts)

    def search(self, start: ClassChoice, parts: tuple[Residue, ...], answered: bool = False) -> Iterator[ClassChoice]:
        """Extensions of `start` under which the first residue holds and every other one fails
        (`answered`: choosing only known answers)."""
        yield from self._search(start, parts, set(), answered)

    def _search(self, assign: ClassChoice, parts: tuple[Residue, ...], dead: set[tuple[object, ...]],
                answered: bool) -> Iterator[ClassChoice]:
        when_open, *when_known = parts
        if when_open is False or any(p is True for p in when_known):
            return
        if when_open is True and all(p is False for p in when_known):
            yield dict(assign)
            return
        memo = (parts, tuple(sorted((k, assign[k]) for k in self._linked if k in assign)))
        if memo in dead:
            return
        self.solver.step()
        reads: dict[VarKey, int] = {}
        for part in parts:
            for variable in self.residues.variables(part):
                reads[variable] = reads.get(variable, 0) + 1
        variable = min(self.solver.evaluator.ordered(frozenset(reads)), key=lambda k: -reads[k])
        found = False
        for index in self.solver.branch_order(variable):
            if answered and variable[0] == "answer" and self.solver.space.classes[variable][index].unknown:
                continue
            extended = {**assign, variable: index}
            if not self.solver.consistent(variable, extended):
                continue
            for solution in self._search(extended, tuple(self.residues.assign(p, variable, index) for p in parts),
                                         dead, answered):
                found = True
                yield solution
        if not found:
            dead.add(memo)


__all__ = ["OnlyOpen"]
