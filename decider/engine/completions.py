"""Counting the completions of open answers: which approach would win once everything is known,
with what prior mass and what margin.

A completion gives every open question (and every figure an open question feeds) one of its answer
classes (`decider.engine.answer_classes`; "not sure" is not a completion).  Each open variable
ranges over its classes with the prior the rulebase declares for its question (uniform
otherwise), independently.  Counting is exact over that space, with integer masses: the rules
still undecided under the answers given (three-valued evaluation) become factors over the open
variables and open conclusions they read, and variable elimination (`decider.engine.elimination`)
sums them into the distribution of the summed effects — so the cost follows how the rules share
variables, not the number of completions.  Results are memoised by test-truth pattern.
Whether an approach wins any completion at all, or more than one approach does (`wins_some`,
`split`), is answered without counting where a witness settles it: drawn completions, then a bounded
search (`decider.engine.witness`); the count decides only what they leave open.
One module because compiling the rules into factors, counting over them and the memos the witnesses
share are one state (the tests' order, the classes, the packing, one lock); the packing (`packing`),
the interval bounds of figures (`spans`) and the witness search (`witness`) stand alone beside it.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from math import prod
from typing import Any, TypeVar

from decider.engine.answer_classes import figure_classes, question_classes, tests_on
from decider.engine.elimination import Assignment, Distribution, Factor, eliminate, tabulate
from decider.engine.facts import known_values
from decider.engine.kleene import F, T, U, Truths, VarKey, conditions_of
from decider.engine.prepared import BuiltFrom, built, prepared
from decider.engine.packing import Packing
from decider.engine.spans import Span, span_of
from decider.engine.witness import Domains, drawn_completions, wins_somewhere
from decider.rulebase.answers import Answers
from decider.rulebase.logic import decides
from decider.rulebase.model import (
    UNKNOWN, BooleanQuestion, ChoiceQuestion, Exclude, Oppose, Rulebase,
    NumberQuestion, ScaleQuestion, Support, Test,
)
from decider.rulebase.numbers import SCALE, to_micro

Key = int
"""Summed effects packed into one integer (see `Packing`), so that adding effects is adding integers."""
Memo = TypeVar("Memo")
Kept = TypeVar("Kept")
MEMO_SIZE = 20_000
QUICK_SEARCH = 40
"""Nodes of the first, short search for a completion an approach wins (`Completions.wins_some`)."""
WITNESS_TRIES = 24
"""Completions drawn (`Completions.wins_some`) before asking the exact count whether an approach wins any."""
DRAWS_MEMO = 512
"""Draws kept (`Completions._drawn`): enough for the approaches asked about one situation in turn;
redrawing is cheap, and each key is a whole truth vector."""
SPAN_MEMO = 4_096
"""Open figures' test truths kept (by the answers to the figure's inputs) before that memo starts afresh."""
LEAVES_SIZE = 200_000
"""Leaves kept (by summed effects) before the memo starts afresh."""


@dataclass(frozen=True)
class Leaf:
    """What one completion (or a subtree that cannot change any more) decides."""

    winner: str
    strength: float
    """How clearly the winner wins there: g(margin) in [0, 1) (1 when nothing else is eligible)."""
    level: frozenset[str] = frozenset()
    """Other eligible approaches with exactly the winner's score (it won them only by tie_break)."""


@dataclass(frozen=True)
class Wins:
    """What the completions an approach wins add up to."""

    mass: float
    """Their prior mass."""
    strength: float
    """Σ mass × strength over them."""
    level_mass: float
    """The mass of those it wins only by tie_break (another eligible approach has its score)."""
    level: frozenset[str]
    """Every approach level with it in one of those."""

    def add(self, mass: float, leaf: Leaf) -> Wins:
        if not leaf.level:
            return Wins(self.mass + mass, self.strength + mass * leaf.strength, self.level_mass, self.level)
        return Wins(self.mass + mass, self.strength + mass * leaf.strength, self.level_mass + mass,
                    self.level | leaf.level)


NO_WINS = Wins(0.0, 0.0, 0.0, frozenset())
Tally = dict[str, Wins]
"""approach -> what the completions it wins add up to (approaches that win none are absent)."""


class Completions(BuiltFrom):
    """A rulebase compiled for counting; built once per rulebase (`completions_of`)."""

    def __init__(self, rulebase: Rulebase) -> None:
        super().__init__(rulebase)
        derived = prepared(rulebase)
        grouped = tests_on(rulebase)
        conditions = self.conditions = conditions_of(rulebase)
        self.tests, self.index, self.var_tests, self.checks = (
            conditions.tests, conditions.index, conditions.var_tests, conditions.checks)
        self.unanswered: Truths = tuple(F if t.op == "unknown" else T if t.op == "known" else U for t in self.tests)
        """Each test's truth while its variable is open: a completion gives it some answer, so `is: unknown`
        fails and `is: known` holds whatever the answer; a comparison is undecided."""
        self.classes: dict[VarKey, list[tuple[Fraction, tuple[int, ...]]]] = {}
        """var -> [(prior weight, the truth of each of its tests)] over its known classes."""
        for key, tests in grouped.items():
            self.classes[key] = self._classes(rulebase, key, tests)
        self.figure_inputs = conditions.figure_inputs
        self.figure_trees = {f.id: f.tree for f in rulebase.figures}
        self.figure_sources = {f: tuple(sorted(names)) for f, names in self.figure_inputs.items()}
        """figure -> its input questions, sorted (the order `questions` lists them and the memo of open figures reads them)."""
        self.approaches = [a.id for a in rulebase.approaches]
        self.question_order = {q.id: i for i, q in enumerate(rulebase.questions)}
        """Declaration order: open and separating questions are listed in it."""
        policy = rulebase.policy
        self.tie = {a: derived.tie.get(a, len(derived.tie)) for a in self.approaches}
        self.base = {a: to_micro(policy.baseline.get(a, 0)) for a in self.approaches}
        self.default = policy.default
        confidence = policy.confidence
        self.scale = to_micro(confidence.margin_scale)
        self.conflict = Fraction(str(confidence.conflict_discount))
        # rules that weigh or exclude, and every rule whose conclusions they read (in dependency order)
        producers = conditions.producers
        conclusions_read = conditions.conclusions_read
        self.deciding = [i for i, r in enumerate(rulebase.rules) if decides(r)]
        needed = self.order = conditions.ordered(self.deciding)
        self.holds = conditions.holds
        self.direct: dict[int, tuple[VarKey, ...]] = {
            i: tuple(sorted(derived.read[rulebase.rules[i].id])) for i in needed}
        """rule -> what its condition reads itself: variables (kind, id) and conclusions ("conclusion", id)."""
        self.concludes = conditions.concludes
        self.effects: dict[int, tuple[dict[str, int], dict[str, int], tuple[str, ...]]] = {}
        """rule -> (support, oppose, excludes): the effects of each deciding rule."""
        for i in self.deciding:
            support: dict[str, int] = {}
            oppose: dict[str, int] = {}
            for e in rulebase.rules[i].then:
                if isinstance(e, Support):
                    support[e.approach] = support.get(e.approach, 0) + to_micro(e.weight)
                elif isinstance(e, Oppose):
                    oppose[e.approach] = oppose.get(e.approach, 0) + to_micro(e.weight)
            excludes = tuple(e.approach for e in rulebase.rules[i].then if isinstance(e, Exclude))
            self.effects[i] = (support, oppose, excludes)
        self.reads: dict[int, frozenset[VarKey]] = {}
        for i in needed:
            own: set[VarKey] = {(kind, fid) for kind, fid in derived.read[rulebase.rules[i].id] if kind != "conclusion"}
            for c in conclusions_read[i]:
                for p in producers.get(c, []):
                    own |= self.reads[p]
            self.reads[i] = frozenset(own)
        self.packing = Packing(self.approaches, self.effects, separate=self.conflict > 0)
        self.ranked_layout = [(a, self.base[a], self.tie[a], fields) for a, fields in zip(self.approaches, self.packing.layout)]
        """Per approach: its baseline, its place in the tie-break and its packed fields (`_outcome`)."""
        self.zero: Key = 0
        self.contribution: dict[int, Key] = {i: self.packing.pack(*e) for i, e in self.effects.items()}
        self.tallies: OrderedDict[Truths, Tally] = OrderedDict()
        self.leaves: dict[Key, Leaf] = {}
        self.distinct_leaves: dict[Leaf, Leaf] = {}
        """Each distinct leaf once: the leaves memo then shares a few hundred objects instead of holding
        one per key (200,000 tracked objects made a full garbage collection cost ~60 ms, an interview step)."""
        self.canon: dict[Key, Key] = {}
        self.witnessed: dict[tuple[Truths, str], bool] = {}
        """(truths, approach) -> whether it wins some completion (`wins_some`)."""
        self.differing: dict[tuple[Truths, ...], bool] = {}
        """truth vectors -> whether the winners' shares differ among their completions (`shares_differ`)."""
        self.draws: dict[Truths, frozenset[str]] = {}
        """truths -> the winners of the completions drawn for them (`_drawn`)."""
        self.domain_memo: dict[tuple[VarKey, Truths], list[tuple[int, ...]]] = {}
        """(variable, the truths of its tests) -> its classes of positive prior that fit them (`domains`)."""
        self.spans: dict[tuple[str, tuple[object, ...]], tuple[int, ...]] = {}
        """(figure, the answers to its inputs) -> the truth of each of its tests while it is open: what-if
        and the planner ask about many answer sets that differ only in questions the figure does not read."""
        self.lock = threading.RLock()

    def _classes(self, rulebase: Rulebase, key: VarKey, tests: list[Test]) -> list[tuple[Fraction, tuple[int, ...]]]:
        """The variable's known answer classes as (prior weight, truth of each of its tests), classes that
        behave alike merged.  Booleans and choices: the question's prior, uniform otherwise.  Scales:
        uniform over their whole values.  Numbers and figures: uniform over their answer classes (each
        constant the rules compare them with, and each interval between)."""
        subject, ref = key
        question = rulebase.question_index.get(ref) if subject == "answer" else None
        if isinstance(question, ScaleQuestion):
            values: list[tuple[object, Fraction]] = [(to_micro(v), Fraction(1)) for v in range(question.min, question.max + 1)]
        else:
            if question is not None:
                classes = [c for c in question_classes(question, tests) if c.engine is not None]
            else:
                classes = [c for c in figure_classes(tests) if c.engine is not None]
            if isinstance(question, (BooleanQuestion, ChoiceQuestion)):
                weights = _prior(question, [c.answer for c in classes])
            else:
                weights = [Fraction(1)] * len(classes)
            values = [(c.engine, w) for c, w in zip(classes, weights)]
        merged: dict[tuple[int, ...], Fraction] = {}
        for value, weight in values:
            truths = tuple(T if self.checks[i]({key: value}, set()) else F  # type: ignore[dict-item]
                           for i in self.var_tests[key])
            merged[truths] = merged.get(truths, Fraction(0)) + weight
        total = sum(merged.values())
        return [(w / total, truths) for truths, w in merged.items() if w > 0]

    # ----------------------------------------------------------------------------- situations

    def truths(self, answers: Answers) -> tuple[Truths, tuple[VarKey, ...]]:
        """Each test's truth for the answers (U when it reads an open variable), and the open variables."""
        figures, values = known_values(self.rulebase, answers)
        tv = [F] * len(self.tests)
        open_vars = []
        for key, indices in self.var_tests.items():
            subject, ref = key
            if subject == "answer":
                is_open = answers.value(ref) is None
            else:
                is_open = figures.get(ref) is None and any(answers.value(q) is None for q in self.figure_inputs[ref])
            if is_open:
                open_vars.append(key)
                if subject == "figure":
                    for i, truth in zip(indices, self.figure_truths(key, answers)):
                        tv[i] = truth
                    continue
                for i in indices:
                    tv[i] = self.unanswered[i]
            else:
                for i in indices:
                    tv[i] = T if self.checks[i](values, set()) else F
        return tuple(tv), tuple(open_vars)

    def answer_truths(self, question_id: str, value: object) -> tuple[tuple[int, ...], Truths, Truths]:
        """The question's tests, and their truths with `value` as its answer as `truths` reads them and as
        `given` does (the two differ only for "not sure")."""
        seen = self.conditions.seen_truths(question_id, value)
        tests = self.var_tests.get(("answer", question_id), ())
        return tests, (tuple(self.unanswered[i] for i in tests) if value == UNKNOWN else seen), seen

    def given(self, answers: Answers) -> Truths:
        """Each test's truth as the engines see the answers: an open answer is simply not there (a
        comparison on it fails, `is: unknown` holds), so every test is decided."""
        _, values = known_values(self.rulebase, answers)  # the same values `truths` read (remembered)
        return tuple(T if check(values, set()) else F for check in self.checks)

    def evidence(self, given: Truths) -> tuple[dict[str, int], frozenset[str]]:
        """Each approach's score (micro-units) from the rules that fire on `given` (`Completions.given`),
        and the approaches they exclude: the scores of the answers as given."""
        status, _ = self.state(given)
        score = dict(self.base)
        excluded: set[str] = set()
        for i in self.deciding:
            if status[i] == T:
                support, oppose, excludes = self.effects[i]
                for a, w in support.items():
                    score[a] += w
                for a, w in oppose.items():
                    score[a] -= w
                excluded.update(excludes)
        return score, frozenset(excluded)

    def figure_truths(self, key: VarKey, answers: Answers) -> tuple[int, ...]:
        """The truth of each test on an open figure (`var_tests` order), from the bounds its inputs'
        answers give; memoised by those answers."""
        figure = key[1]
        memo = (figure, tuple(answers.value(q) for q in self.figure_sources[figure]))
        found = self.spans.get(memo)
        if found is not None:
            return found
        span = self._span(figure, answers)
        truths = tuple(self._on_span(i, key, span) if self.unanswered[i] == U else self.unanswered[i]
                       for i in self.var_tests[key])
        with self.lock:
            _keep(self.spans, memo, truths, SPAN_MEMO)
        return truths

    def _span(self, figure: str, answers: Answers) -> Span:
        """Bounds of an open figure's value computed from its inputs: the answers given, and each open
        input's declared range (so its classes that the known inputs rule out are never counted)."""
        return span_of(self.figure_trees[figure], self.input_spans(figure, answers), self.figure_trees)

    def input_spans(self, figure: str, answers: Answers) -> dict[str, Span]:
        """The bounds of each input of `figure`: the answer given, else the question's declared range."""
        bounds: dict[str, Span] = {}
        for name in self.figure_sources[figure]:
            question = self.rulebase.question_index[name]
            value = answers.value(name)
            if value is not None and not isinstance(value, (bool, str)):
                point = Fraction(str(value))
                bounds[name] = (point, point)
            elif isinstance(question, (NumberQuestion, ScaleQuestion)):
                bounds[name] = (Fraction(str(question.min)), Fraction(str(question.max)))
            else:
                bounds[name] = (None, None)
        return bounds

    def _on_span(self, i: int, key: VarKey, span: Span | None) -> int:
        """A comparison on an open figure: decided (T/F) when it holds, or fails, over all of `span`."""
        lo, hi = span if span is not None else (None, None)
        if lo is None or hi is None:
            return U
        # the engines compare micro-units of the exact value, truncated; a unit of slack either side
        low, high = math.floor(lo * SCALE) - 1, math.ceil(hi * SCALE) + 1
        check = self.checks[i]
        at_low, at_high = check({key: low}, set()), check({key: high}, set())
        if self.tests[i].op in ("<", "<=", ">", ">=") and at_low == at_high:
            return T if at_low else F  # a comparison with one constant is monotone in the value
        if low == high:
            return T if at_low else F
        return U

    def questions(self, key: VarKey) -> tuple[str, ...]:
        """The questions behind a variable: the question itself, or a figure's inputs (sorted)."""
        subject, ref = key
        return (ref,) if subject == "answer" else self.figure_sources[ref]

    def consistent(self, tv: Truths, key: VarKey) -> list[tuple[int, float]]:
        """The variable's classes that agree with the tests already decided on it (a figure whose inputs
        bound it), as (class number, prior weight renormalised over them)."""
        return [(k, float(w)) for k, w in self.exact_weights(tv, key)]

    def fix(self, tv: Truths, key: VarKey, klass: int) -> Truths:
        """The truths with variable `key` set to its class number `klass`."""
        values = list(tv)
        for i, truth in zip(self.var_tests[key], self.classes[key][klass][1]):
            values[i] = truth
        return tuple(values)

    def statuses(self, tv: Truths) -> dict[int, int]:
        """Each needed rule's truth under `tv` (Kleene: U while it reads something open)."""
        return self.state(tv)[0]

    def state(self, tv: Truths) -> tuple[dict[int, int], dict[str, int]]:
        """Each needed rule's truth under `tv`, and each conclusion's (F when no rule concludes it)."""
        return self.conditions.state(tv, self.order)

    # ----------------------------------------------------------------------------- counting

    def count(self, tv: Truths) -> Tally:
        """Prior mass and mass-weighted strength of each approach's wins over the completions of `tv`."""
        with self.lock:
            found = self.tallies.get(tv)
            if found is not None:
                return found
        result = self.tally(*self.summed_distribution(tv))
        self.remember(tv, result)
        return result

    def shares_differ(self, tvs: list[Truths]) -> bool:
        """Whether the approaches' shares of the wins (to 9 decimals) differ among the completions of
        these truth vectors.  Memoised; their tallies are not even counted when every vector leaves the
        same distribution of summed effects."""
        memo = tuple(tvs)
        with self.lock:
            found = self.differing.get(memo)
            counted = [tally for tally in map(self.tallies.get, tvs) if tally is not None]
        if found is not None:
            return found
        if len(counted) < len(tvs):
            distributions = [self.summed_distribution(tv) for tv in tvs]
            counted = [] if all(d == distributions[0] for d in distributions[1:]) else [self.tally(*d) for d in distributions]
            for tv, tally in zip(tvs, counted):
                self.remember(tv, tally)
        shares = [{a: round(wins.mass / (sum(w.mass for w in tally.values()) or 1.0), 9)
                   for a, wins in tally.items() if wins.mass > 0} for tally in counted]
        differ = any(share != shares[0] for share in shares[1:])
        with self.lock:
            _keep(self.differing, memo, differ, MEMO_SIZE)
        return differ

    def summed_distribution(self, tv: Truths) -> tuple[Distribution, int]:
        """The summed effects of every deciding rule over the completions of `tv`, with their integer
        masses, and the masses' total: two truth vectors with the same distribution have the same
        winners in the same shares (`count` is its tally)."""
        fired, factors, weights = self.factors(tv)
        distribution = eliminate(factors, weights, self.merge)
        return {fired + key: mass for key, mass in distribution.items()}, self.total(factors, weights)

    def wins_some(self, tv: Truths, approach: str) -> bool:
        """Whether `approach` wins some completion of `tv` (a positive mass of wins, as `count` would say),
        found cheaply: a short bounded search (`decider.engine.witness`, `QUICK_SEARCH` nodes) settles
        most cases, a drawn completion it wins is a witness, then the search runs with its full budget,
        and only when that runs out does the exact count decide.  Draws and
        search are deterministic, so the answer and its cost are the same on every call."""
        with self.lock:
            found = self.tallies.get(tv)
            seen = self.witnessed.get((tv, approach))
        if seen is not None:
            return seen
        if found is None:
            searched = wins_somewhere(self, tv, approach, budget=QUICK_SEARCH)
            if searched is None and approach in self._drawn(tv):
                searched = True
            if searched is None:
                searched = wins_somewhere(self, tv, approach)
            if searched is not None:
                self._witness(tv, approach, searched)
                return searched
            found = self.count(tv)
        wins = found.get(approach, NO_WINS).mass > 0
        self._witness(tv, approach, wins)
        return wins

    def split(self, tv: Truths) -> bool:
        """Whether more than one approach wins completions of `tv` (`count` has more than one entry): two
        drawn completions with different winners show it at once; when every draw has the same winner,
        whether any other approach wins some completion (`wins_some`) decides."""
        with self.lock:
            found = self.tallies.get(tv)
        if found is None:
            drawn = self._drawn(tv)
            if len(drawn) > 1:
                return True
            if drawn:
                return any(self.wins_some(tv, a) for a in self.approaches if a not in drawn)
            found = self.count(tv)
        return len(found) > 1

    def domains(self, tv: Truths) -> Domains | None:
        """Each open variable of `tv`: its tests and the test truths of its classes of positive prior
        (so every choice of one class each is a completion the count weighs); None when some open
        variable has no such class (the count then weighs no completion)."""
        domains = []
        for key, tests in self.var_tests.items():
            pattern = tuple(tv[t] for t in tests)
            if U not in pattern:
                continue
            classes = self.domain_memo.get((key, pattern))
            if classes is None:  # the classes `exact_weights` weighs
                classes = [self.classes[key][k][1] for k in self.fitting(key, pattern)]
                with self.lock:
                    _keep(self.domain_memo, (key, pattern), classes, MEMO_SIZE)
            if not classes:
                return None
            domains.append((tests, classes))
        return domains

    def summed(self, values: list[int]) -> Key:
        """The summed effects of one completion (every test decided)."""
        status = self.statuses(tuple(values))
        return sum((self.contribution[i] for i in self.deciding if status[i] == T), self.zero)

    def _drawn(self, tv: Truths) -> frozenset[str]:
        """The winners of `WITNESS_TRIES` completions of `tv` drawn with a fixed seed, from the classes of
        positive prior only (so each is a completion the count weighs); none when the count weighs no
        completion.  Memoised by `tv`."""
        with self.lock:
            found = self.draws.get(tv)
        if found is not None:
            return found
        domains = self.domains(tv)
        winners: set[str] = set()
        if domains is not None:
            winners.update(self.outcome(self.summed(values)).winner
                           for values in drawn_completions(tv, domains, WITNESS_TRIES))
        drawn = frozenset(winners)
        with self.lock:
            _keep(self.draws, tv, drawn, DRAWS_MEMO)
        return drawn

    def _witness(self, tv: Truths, approach: str, wins: bool) -> None:
        with self.lock:
            _keep(self.witnessed, (tv, approach), wins, MEMO_SIZE)

    def remember(self, tv: Truths, tally: Tally) -> None:
        with self.lock:
            self.tallies[tv] = tally
            while len(self.tallies) > MEMO_SIZE:
                self.tallies.popitem(last=False)

    def tally(self, distribution: Distribution, total: int) -> Tally:
        """Each approach's wins over a distribution of summed effects (integer masses out of `total`)."""
        masses: dict[str, list[int]] = {}
        strengths: dict[str, float] = {}
        levels: dict[str, frozenset[str]] = {}
        for key, mass in distribution.items():
            leaf = self.outcome(key)
            into = masses.setdefault(leaf.winner, [0, 0])
            into[0] += mass
            strengths[leaf.winner] = strengths.get(leaf.winner, 0.0) + mass / total * leaf.strength
            if leaf.level:
                into[1] += mass
                levels[leaf.winner] = levels.get(leaf.winner, frozenset()) | leaf.level
        return {a: Wins(m / total, strengths[a], lm / total, levels.get(a, frozenset()))  # int / int: correctly rounded
                for a, (m, lm) in masses.items()}

    @staticmethod
    def total(factors: list[Factor[VarKey]], weights: dict[VarKey, dict[int, int]]) -> int:
        """The masses' total: the weights of the open variables the factors read (a conclusion's factor
        admits one value, so conclusions add nothing)."""
        read = {v for f in factors for v in f.scope if v[0] != "conclusion"}
        return prod(sum(weights[v].values()) for v in read)

    def factors(self, tv: Truths) -> tuple[Key, list[Factor[VarKey]], dict[VarKey, dict[int, int]]]:
        """The rules decided under `tv` as one summed effect, and the rest as factors for variable elimination
        (`decider.engine.elimination`) with the weights of their variables: each undecided rule that weighs
        or excludes is a factor over the open variables and open conclusions it reads itself; each open
        conclusion is tied to its producers by a factor that admits only the value they give it."""
        status, concluded = self.state(tv)
        fired = self.zero
        for i in self.deciding:
            if status[i] == T:
                fired += self.contribution[i]
        weights: dict[VarKey, dict[int, int]] = {}
        for key, tests in self.var_tests.items():
            if any(tv[t] == U for t in tests):
                exact = self.exact_weights(tv, key)
                scale = math.lcm(*(w.denominator for _, w in exact))
                weights[key] = {klass: int(w * scale) for klass, w in exact}
        open_conclusions = {c for c, value in concluded.items() if value == U}
        for c in open_conclusions:
            weights[("conclusion", c)] = {F: 1, T: 1}
        factors: list[Factor[VarKey]] = []
        producers: dict[str, list[tuple[tuple[VarKey, ...], dict[Assignment, int]]]] = {}
        for i in self.order:
            if status[i] != U:
                continue
            scope = tuple(v for v in self.direct[i] if v in weights)
            holds = self.rule_table(i, scope, tv, concluded, weights)
            if i in self.contribution:
                effect = self.contribution[i]
                factors.append(Factor(scope, {values: {effect if h == T else self.zero: 1} for values, h in holds.items()}))
            for c in self.concludes[i]:
                if c in open_conclusions:
                    producers.setdefault(c, []).append((scope, holds))
        for c, tables in producers.items():
            factors.append(self.conclusion_factor(c, tables, weights))
        return fired, factors, weights

    def conclusion_factor(self, conclusion: str, tables: list[tuple[tuple[VarKey, ...], dict[Assignment, int]]],
                          weights: dict[VarKey, dict[int, int]]) -> Factor[VarKey]:
        """The factor admitting, for each assignment of its producers' scopes, only the value of `conclusion`
        they give it: T when one of them holds, F otherwise."""
        scope: list[VarKey] = [("conclusion", conclusion)]
        for own, _ in tables:
            scope.extend(v for v in own if v not in scope)
        positions = [([scope.index(v) for v in own], holds) for own, holds in tables]

        def admits(values: Assignment) -> Distribution:
            value = max((holds[tuple(values[k] for k in at)] for at, holds in positions), default=F)
            return {self.zero: 1} if value == values[0] else {}
        return tabulate(tuple(scope), weights, admits)

    def rule_table(self, i: int, scope: tuple[VarKey, ...], tv: Truths, concluded: dict[str, int],
                   weights: dict[VarKey, dict[int, int]]) -> dict[Assignment, int]:
        """Whether rule `i` holds (T or F) under each assignment of its scope (what it reads itself)."""
        holds = self.holds[i]
        table: dict[Assignment, int] = {}
        for values in product(*(weights[v] for v in scope)):
            fixed = tv
            cs = dict(concluded)
            for variable, value in zip(scope, values):
                if variable[0] == "conclusion":
                    cs[variable[1]] = value
                else:
                    fixed = self.fix(fixed, variable, value)
            result = holds(fixed, cs)
            assert result != U, f"rule {self.rulebase.rules[i].id} is undecided once all it reads is known"
            table[values] = result
        return table

    def exact_weights(self, tv: Truths, key: VarKey) -> list[tuple[int, Fraction]]:
        """`consistent`, with exact weights."""
        tests = self.var_tests[key]
        if all(tv[t] != U for t in tests):  # a known variable: every class (each is another answer)
            return [(k, w) for k, (w, _) in enumerate(self.classes[key])]
        fits = self.fitting(key, tuple(tv[t] for t in tests))
        total = sum(self.classes[key][k][0] for k in fits)
        return [(k, self.classes[key][k][0] / total) for k in fits]

    def fitting(self, key: VarKey, pattern: tuple[int, ...]) -> list[int]:
        """The classes of `key` whose test truths fit `pattern` (the truths of its tests; U fits either),
        or all of them when none does.  Every class has a positive prior (`_classes` keeps no other), so
        each class listed is a completion the count weighs."""
        classes = self.classes[key]
        fits = [k for k, (_, truths) in enumerate(classes) if all(p == U or p == t for p, t in zip(pattern, truths))]
        return fits or list(range(len(classes)))

    def merge(self, distribution: Distribution) -> Distribution:
        """The distribution with keys made canonical (`Packing.canonical`), equal meanings merged."""
        merged: Distribution = {}
        canon = self.canon
        for key, mass in distribution.items():
            c = canon.get(key)
            if c is None:
                c = self.packing.canonical(key)
                if len(canon) < MEMO_SIZE * 4:
                    canon[key] = c
            merged[c] = merged.get(c, 0) + mass
        return merged

    def bearing(self, tv: Truths) -> list[VarKey]:
        """Open variables read by a rule that weighs or excludes and is still undecided under `tv`."""
        status = self.statuses(tv)
        found: dict[VarKey, None] = {}
        for i in self.deciding:
            if status[i] == U:
                for key in sorted(self.reads[i]):
                    if any(tv[t] == U for t in self.var_tests.get(key, ())):
                        found[key] = None
        return list(found)

    def outcome(self, key: Key) -> Leaf:
        """The policy on one completion's summed effects: eligibility, scores, the winner and its strength
        (memoised by key; the counting asks it once per distinct summed effect, thousands per count)."""
        found = self.leaves.get(key)
        if found is not None:
            return found
        computed = self._outcome(key)
        leaf = self.distinct_leaves.get(computed)
        if leaf is None:
            leaf = computed
            _keep(self.distinct_leaves, leaf, leaf, LEAVES_SIZE)
        _keep(self.leaves, key, leaf, LEAVES_SIZE)
        return leaf

    def _outcome(self, key: Key) -> Leaf:
        """`outcome` computed: the packed fields read straight from the key (`Packing.layout`, no dicts
        built).  Eligible approaches (all of them when every one is excluded) rank by score, then
        tie-break; with no rule weighed the default stands if eligible; the strength is g(margin), the
        margin the score gap less conflict × min(support, oppose) of the winner."""
        packing = self.packing
        mask, count_mask, unit = packing.field_mask, packing.count_mask, packing.unit
        offset = 0 if packing.separate else ((key >> packing.added_shift) & count_mask) * packing.offset
        rows = []
        excluded = 0
        for approach, base, tie, (s_shift, o_shift, x_shift) in self.ranked_layout:
            if o_shift >= 0:
                support, oppose = ((key >> s_shift) & mask) * unit, ((key >> o_shift) & mask) * unit
            else:
                support, oppose = (((key >> s_shift) & mask) - offset) * unit, 0
            out = (key >> x_shift) & count_mask
            excluded += bool(out)
            rows.append((base + support - oppose, tie, approach, support, oppose, out))
        eligible = [r for r in rows if not r[5]] if excluded < len(rows) else rows
        weighed = (key >> packing.weighed_shift) & count_mask
        win = min(eligible, key=_rank)
        if not weighed and win[2] != self.default:
            win = next((r for r in eligible if r[2] == self.default), win)
        others = [r[0] for r in eligible if r is not win]
        if not others:
            return Leaf(win[2], 1.0)
        level = frozenset(r[2] for r in eligible if r is not win and r[0] == win[0]) if weighed else frozenset()
        # margin = score gap − conflict × min(support, oppose), in units of 1/denominator, kept an integer
        conflict = self.conflict
        margin = (win[0] - max(others)) * conflict.denominator - conflict.numerator * min(win[3], win[4])
        strength = margin / (margin + self.scale * conflict.denominator) if margin > 0 else 0.0
        return Leaf(win[2], strength, level)


def _rank(row: tuple[int, int, str, int, int, int]) -> tuple[int, int]:
    """Higher score first, then the tie-break order."""
    return -row[0], row[1]


def _prior(question: BooleanQuestion | ChoiceQuestion, answers: list[object]) -> list[Fraction]:
    """Class weights of a boolean or choice question: its declared prior, uniform without one."""
    declared: Mapping[Any, int | float] | None = question.prior
    if declared:
        raw = [Fraction(str(declared.get(a, 0))) for a in answers]
        total = sum(raw)
        if total > 0:
            return [w / total for w in raw]
    return [Fraction(1, len(answers))] * len(answers)


def _keep(memo: dict[Memo, Kept], key: Memo, value: Kept, size: int) -> None:
    """Remember `value` in a memo that starts afresh once it holds `size` entries."""
    if len(memo) >= size:
        memo.clear()
    memo[key] = value


def completions_of(rulebase: Rulebase) -> Completions:
    """The (cached) counting model of a rulebase."""
    return built(rulebase, Completions)


__all__ = ["NO_WINS", "Completions", "Leaf", "Tally", "Wins", "completions_of"]
