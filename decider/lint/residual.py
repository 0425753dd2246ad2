"""What is left of a rule's condition once some answers are chosen: a canonical, hashable residue.

Tests on chosen answers become constants, conclusions are expanded into what is left of the
rules that conclude them, and constants are folded away.  Two partial assignments that leave a
rule the same residue make it fire under exactly the same completions, so a search can merge
them; a residue that is a constant means the rule is settled.
"""

from __future__ import annotations

from decider.lint.formulas import ClassChoice, Evaluator
from decider.rulebase.model import AllOf, AnyOf, Concluded, Condition, NotOf, Test

Residue = bool | tuple[object, ...]
"""True / False when settled, else a nested tuple: ("test", n), ("not", r), ("all" | "any", r, ...)."""


class Residues:
    """Computes residues of rule conditions over one evaluator's answer space."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        self._numbers: dict[int, int] = {}
        self.subjects: list[tuple[str, str]] = []
        """The variable each test number reads."""
        self._tests: list[Test] = []
        self._substituted: dict[tuple[Residue, tuple[str, str], int], Residue] = {}
        self._variables: dict[Residue, frozenset[tuple[str, str]]] = {}

    def of_rule(self, rule_id: str, assign: ClassChoice) -> Residue:
        """The residue of the rule's condition under the partial assignment."""
        return self._residue(self.evaluator.rulebase.rule_index[rule_id].when, assign, {})

    def _residue(self, condition: Condition, assign: ClassChoice, memo: dict[str, Residue]) -> Residue:
        if isinstance(condition, Test):
            index = assign.get((condition.subject, condition.ref))
            truth = self.evaluator.test_truth(condition)
            if index is not None:
                return truth[index]
            if all(t == truth[0] for t in truth):
                return truth[0]
            number = self._numbers.get(id(condition))
            if number is None:
                number = self._numbers[id(condition)] = len(self.subjects)
                self.subjects.append((condition.subject, condition.ref))
                self._tests.append(condition)
            return ("test", number)
        if isinstance(condition, Concluded):
            if condition.conclusion not in memo:
                producers = self.evaluator.producers.get(condition.conclusion, [])
                memo[condition.conclusion] = fold("any", [self._residue(r.when, assign, memo) for r in producers])
            return memo[condition.conclusion]
        if isinstance(condition, NotOf):
            inner = self._residue(condition.item, assign, memo)
            return (not inner) if isinstance(inner, bool) else ("not", inner)
        kind = "all" if isinstance(condition, AllOf) else "any"
        assert isinstance(condition, (AllOf, AnyOf))
        return fold(kind, [self._residue(item, assign, memo) for item in condition.items])


    def assign(self, residue: Residue, key: tuple[str, str], index: int) -> Residue:
        """The residue once one more variable is chosen (the same as recomputing it from the rule)."""
        if isinstance(residue, bool) or key not in self.variables(residue):
            return residue
        memo_key = (residue, key, index)
        found = self._substituted.get(memo_key)
        if found is None:
            if residue[0] == "test":
                number = residue[1]
                assert isinstance(number, int)
                found = self.evaluator.test_truth(self._tests[number])[index]
            elif residue[0] == "not":
                inner = self.assign(_part(residue[1]), key, index)
                found = (not inner) if isinstance(inner, bool) else ("not", inner)
            else:
                found = fold(str(residue[0]), [self.assign(_part(p), key, index) for p in residue[1:]])
            self._substituted[memo_key] = found
        return found

    def variables(self, residue: Residue) -> frozenset[tuple[str, str]]:
        """The variables a residue still reads."""
        if isinstance(residue, bool):
            return frozenset()
        found = self._variables.get(residue)
        if found is None:
            if residue[0] == "test":
                number = residue[1]
                assert isinstance(number, int)
                found = frozenset([self.subjects[number]])
            else:
                found = frozenset().union(*(self.variables(_part(p)) for p in residue[1:]))
            self._variables[residue] = found
        return found


def _part(value: object) -> Residue:
    """A sub-residue (residues nest as plain tuples)."""
    assert isinstance(value, (bool, tuple))
    return value


def fold(kind: str, parts: list[Residue]) -> Residue:
    """A conjunction or disjunction with its constants folded away."""
    absorbing = kind == "any"
    kept: list[Residue] = []
    for part in parts:
        if isinstance(part, bool):
            if part is absorbing:
                return absorbing
            continue
        if part not in kept:
            kept.append(part)
    if not kept:
        return not absorbing
    return kept[0] if len(kept) == 1 else (kind, *kept)


__all__ = ["Residue", "Residues", "fold"]
