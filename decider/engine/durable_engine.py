"""The durable_rules adapter: compiles a rulebase into a RETE ruleset and runs consultations safely.

Hardening, after shared/durable-rules-notes.md:
- no durable `Host` at all: a lean driver calls the native module `durable_rules_engine` directly,
  so no background dispatch/timer threads exist; one process-wide lock around every native call;
- facts (never events), each with a type discriminator `t`; no cross-fact `<`/`>` joins;
- answers and figures travel as one fact whose numbers are integer micro-units (no exponent floats);
- negated conclusions wait for a phase marker, so lower strata are complete before `not` is tested;
- one live session at a time, ids from a counter, and the session deleted in `finally`
  (an action still in flight is abandoned first);
- actions are decider's own Python between native calls and never raise into the engine:
  failures are collected and raised as EngineError afterwards;
- firings are bounded: each rule fires at most once, and the action loop stops (with an error)
  after as many actions as the compiled ruleset has alternatives;
- every session runs at least one action: deleting a session in which none ran segfaults.

The lean driver (issue 7) does what `durable/engine.py`'s `Ruleset.assert_fact` and `_flush_actions`
do, minus what decider does not need: no `Closure`/`Content` objects, no JSON decoding of the
session state and matched facts for every action (only the action name is read from the message),
and no `update_state` after every action (decider's rules never read the state object, which has
no `t` field and so matches no rule). Conclusion and phase facts are pre-rendered JSON strings.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import OrderedDict
from typing import Any

import durable_rules_engine

from decider.engine.evaluation import Evaluation
from decider.engine.facts import EngineValue, constant, known_values, plain_figures, record_firings
from decider.errors import EngineError, Problem, RulebaseError
from decider.rulebase.answers import Answers
from decider.rulebase.logic import concluded_by, rule_strata
from decider.rulebase.model import AllOf, AnyOf, Concluded, Condition, NotOf, NumberQuestion, Rulebase, ScaleQuestion, Test

ENGINE_LOCK = threading.Lock()
"""Serialises every call into the native engine (it is not thread-safe)."""

MAX_DISJUNCTS = 256
"""A rule whose condition expands to more alternatives than this is rejected at compile time."""

_OPS = {"==": None, "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_names = itertools.count()


_OK, _NOT_HANDLED, _OBSERVED, _SID_NOT_FOUND = 0, 1, 2, 309
"""Result and error codes of the native engine (rules.h: RULES_OK, ERR_EVENT_NOT_HANDLED,
ERR_EVENT_OBSERVED, ERR_SID_NOT_FOUND)."""


class _Action:
    """What one compiled rule alternative does when the engine starts it."""

    __slots__ = ("rule", "concludes")

    def __init__(self, rule: str | None, concludes: tuple[str, ...]) -> None:
        self.rule = rule
        self.concludes = concludes


class DurableEngine:
    """One rulebase compiled into one native durable_rules ruleset, driven without durable's host."""

    name = "durable_rules"

    def __init__(self, rulebase: Rulebase) -> None:
        self.rulebase = rulebase
        self.strata = rule_strata(rulebase)
        self.phases = max(self.strata.values(), default=0)
        self._numeric = {q.id for q in rulebase.questions if isinstance(q, (NumberQuestion, ScaleQuestion))}
        self._sessions = itertools.count(1)
        self._closed = False
        self.ruleset_name = f"decider_{rulebase.sha256[:12] or 'adhoc'}_{next(_names)}"
        definition, self._actions = self._compile()
        self._max_actions = len(self._actions)
        with ENGINE_LOCK:
            try:
                self._handle = durable_rules_engine.create_ruleset(self.ruleset_name, json.dumps(definition))
            except Exception as exc:  # the C engine rejected the ruleset
                raise EngineError(f"durable_rules rejected the compiled ruleset: {_text(exc)}") from None

    # ------------------------------------------------------------------ compiling

    def definition(self) -> dict[str, Any]:
        """The compiled ruleset in durable_rules' JSON dialect (a fresh copy; benchmarks feed it to durable's own host)."""
        return self._compile()[0]

    def _compile(self) -> tuple[dict[str, Any], dict[str, _Action]]:
        definition: dict[str, Any] = {}
        actions: dict[str, _Action] = {}
        for rule in self.rulebase.rules:
            disjuncts = self._dnf(rule.when)
            if len(disjuncts) > MAX_DISJUNCTS:
                at = rule.at
                raise RulebaseError([Problem(
                    message=f"condition expands to {len(disjuncts)} alternatives (at most {MAX_DISJUNCTS}); split the rule",
                    path=at.path if at else "", line=at.line if at else None, column=at.column if at else None, item=rule.id)])
            stratum = self.strata[rule.id]
            for index, (tests, positive, negative) in enumerate(disjuncts):
                answers_fact: Any = {"t": "answers"}
                if tests:
                    answers_fact = {"$and": [{"t": "answers"}, *tests]}
                conditions: list[dict[str, Any]] = [{"a": answers_fact}]
                if stratum:
                    conditions.append({"p": {"$and": [{"t": "phase"}, {"n": stratum}]}})
                for k, cid in enumerate(sorted(positive)):
                    conditions.append({f"c{k}": {"$and": [{"t": "c"}, {"c": cid}]}})
                for k, cid in enumerate(sorted(negative)):
                    conditions.append({f"n{k}$not": {"$and": [{"t": "c"}, {"c": cid}]}})
                name = f"{rule.id}#{index}"
                definition[name] = {"all": conditions}
                actions[name] = _Action(rule.id, tuple(concluded_by(rule)))
        # durable_rules segfaults in delete_state for a session in which no action ever ran
        # (reproduced with this driver too: a rulebase whose rules all miss the answers). This rule
        # always fires once per session; its action does nothing.
        definition["session_opened"] = {"all": [{"a": {"t": "answers"}}]}
        actions["session_opened"] = _Action(None, ())
        # Sinks keep every fact type handled even when no rule reads it (see the notes, §5.4).
        for kind in ("answers", "c", "phase"):
            definition[f"sink_{kind}"] = {"all": [{"x": {"t": kind}}, {"never": {"t": "__never__"}}]}
            actions[f"sink_{kind}"] = _Action(None, ())
        return definition, actions

    def _dnf(self, condition: Condition, negated: bool = False) -> list[tuple[list[Any], frozenset[str], frozenset[str]]]:
        """Alternatives as (answer tests, concluded, not concluded); conclusion-free parts stay whole."""
        if not _mentions_conclusion(condition):
            return [([self._answer_expr(condition, negated)], frozenset(), frozenset())]
        if isinstance(condition, Concluded):
            one = frozenset([condition.conclusion])
            return [([], frozenset(), one)] if negated else [([], one, frozenset())]
        if isinstance(condition, NotOf):
            return self._dnf(condition.item, not negated)
        assert isinstance(condition, (AllOf, AnyOf))
        conjunctive = isinstance(condition, AllOf) != negated
        parts = [self._dnf(item, negated) for item in condition.items]
        if not conjunctive:
            return [alt for part in parts for alt in part]
        result: list[tuple[list[Any], frozenset[str], frozenset[str]]] = [([], frozenset(), frozenset())]
        for part in parts:
            result = [
                (tests + more, pos | pos2, neg | neg2)
                for tests, pos, neg in result
                for more, pos2, neg2 in part
                if not ((pos | pos2) & (neg | neg2))
            ]
            if len(result) > MAX_DISJUNCTS * 4:
                break
        return result

    def _answer_expr(self, condition: Condition, negated: bool) -> Any:
        """A conclusion-free condition as one durable_rules expression over the answers fact."""
        if isinstance(condition, NotOf):
            return self._answer_expr(condition.item, not negated)
        if isinstance(condition, (AllOf, AnyOf)):
            conjunctive = isinstance(condition, AllOf) != negated
            items = [self._answer_expr(item, negated) for item in condition.items]
            return items[0] if len(items) == 1 else {"$and" if conjunctive else "$or": items}
        assert isinstance(condition, Test)
        return self._test_expr(condition, negated)

    def _test_expr(self, test: Test, negated: bool) -> Any:
        field = ("q_" if test.subject == "answer" else "f_") + test.ref
        numeric = test.subject == "figure" or test.ref in self._numeric
        missing = {"$nex": {field: 1}}
        if test.op in ("unknown", "known"):
            wants_unknown = (test.op == "unknown") != negated
            return missing if wants_unknown else {"$ex": {field: 1}}
        if test.op == "in":
            assert isinstance(test.value, tuple)
            values = [constant(v, numeric) for v in test.value]
            if not negated:
                alts = [{field: v} for v in values]
                return alts[0] if len(alts) == 1 else {"$or": alts}
            excluded = [{"$neq": {field: v}} for v in values]
            return {"$or": [excluded[0] if len(excluded) == 1 else {"$and": excluded}, missing]}
        op = _NEGATED[test.op] if negated else test.op
        value = constant(test.value, numeric)
        expr = {field: value} if _OPS[op] is None else {_OPS[op]: {field: value}}
        return {"$or": [expr, missing]} if negated else expr

    # ------------------------------------------------------------------ running

    def run(self, answers: Answers) -> Evaluation:
        """Run the rules on validated answers in a fresh session; the session is always deleted."""
        figures, values = known_values(self.rulebase, answers)
        order, concluded = self.fire(self.answers_fact(values))
        return Evaluation(
            engine="durable_rules",
            firings=record_firings(self.rulebase, order, self.strata, answers, figures, concluded),
            conclusions=tuple(c.id for c in self.rulebase.conclusions if c.id in concluded),
            figures=plain_figures(figures),
        )

    def answers_fact(self, values: dict[tuple[str, str], EngineValue]) -> dict[str, Any]:
        """The one fact that carries the known answers and figures (numbers in micro-units)."""
        fact: dict[str, Any] = {"t": "answers", "id": "answers"}
        for (kind, fid), value in values.items():
            fact[("q_" if kind == "answer" else "f_") + fid] = value
        return fact

    def fire(self, answers_fact: dict[str, Any]) -> tuple[list[str], set[str]]:
        """Assert the answers fact and the phase markers in a fresh session; the rules fired, in
        order, and the conclusions they established."""
        run = _Run(self)
        with ENGINE_LOCK:
            if self._closed:
                raise EngineError("this engine has been closed")
            run.sid = sid = str(next(self._sessions))
            try:
                # only plain JSON values reach the C engine
                run.assert_fact(json.dumps({**answers_fact, "sid": sid}, allow_nan=False))
                for phase in range(1, self.phases + 1):
                    run.assert_fact(f'{{"t":"phase","n":{phase},"id":"phase:{phase}","sid":"{sid}"}}')
            except Exception as exc:  # a native error, or a value json cannot encode
                run.errors.append(_text(exc))
            finally:
                run.finish()
        if run.errors:
            raise EngineError("durable_rules failed during the consultation: " + "; ".join(run.errors[:5]))
        return run.order, run.concluded

    def close(self) -> None:
        """Release the native ruleset; the engine cannot be used afterwards."""
        with ENGINE_LOCK:
            if self._closed:
                return
            self._closed = True
            try:
                durable_rules_engine.delete_ruleset(self._handle)
            except Exception:
                pass

    def __enter__(self) -> "DurableEngine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Run:
    """One consultation in flight: drives the native action loop and records what fired.

    Called only under ENGINE_LOCK. Mirrors durable's `_flush_actions`: start the next action
    of the session, run it, complete it and start the next, until none is left."""

    def __init__(self, engine: DurableEngine) -> None:
        self.handle = engine._handle
        self.actions = engine._actions
        self.budget = engine._max_actions
        self.sid = ""
        self.order: list[str] = []
        self.fired: set[str] = set()
        self.concluded: set[str] = set()
        self.errors: list[str] = []
        self.in_flight: int | None = None

    def assert_fact(self, fact_json: str) -> None:
        """Assert one fact, then run every action it (transitively) enables."""
        code, state = durable_rules_engine.assert_fact(self.handle, fact_json)
        if code != _OK:
            self.errors.append(_refusal(code, fact_json))
            return
        started = durable_rules_engine.start_action_for_state(self.handle, state)
        message = None if started is None else started[1]
        while message is not None:
            self.in_flight = state
            self.budget -= 1
            if self.budget < 0:
                self.errors.append(f"more than {len(self.actions)} actions in one consultation; the run was stopped")
                return  # the in-flight action is abandoned in finish()
            self.act(message)
            message = durable_rules_engine.complete_and_start_action(self.handle, state)
            self.in_flight = None

    def act(self, message: str) -> None:
        """Record the firing named by the engine's message and assert what the rule concludes."""
        end = message.find('":', 2)
        action = self.actions.get(message[2:end]) if message.startswith('{"') and end > 2 else None
        if action is None:
            self.errors.append(f"unexpected action from the engine: {message[:80]!r}")
            return
        rule = action.rule
        if rule is None or rule in self.fired:
            return
        self.fired.add(rule)
        self.order.append(rule)
        for cid in action.concludes:
            if cid in self.concluded:
                continue
            self.concluded.add(cid)
            code, _ = durable_rules_engine.assert_fact(
                self.handle, f'{{"t":"c","c":"{cid}","id":"c:{cid}","sid":"{self.sid}"}}')
            if code != _OK:
                self.errors.append(f"rule {rule}: asserting {cid} failed: " + _refusal(code, cid))

    def finish(self) -> None:
        """Abandon an action left in flight and delete the session (always)."""
        try:
            if self.in_flight is not None:
                durable_rules_engine.abandon_action(self.handle, self.in_flight)
            durable_rules_engine.delete_state(self.handle, self.sid)
        except Exception as exc:
            if not _text(exc).endswith(f"error code: {_SID_NOT_FOUND}"):  # no session was created: nothing to delete
                self.errors.append(f"deleting session {self.sid} failed: {_text(exc)}")


def _refusal(code: int, what: str) -> str:
    if code == _NOT_HANDLED:
        return f"no rule handles the fact {what[:80]}"
    if code == _OBSERVED:
        return f"the fact was already asserted {what[:80]}"
    return f"the engine deferred the fact (code {code}) {what[:80]}"


def _mentions_conclusion(condition: Condition) -> bool:
    if isinstance(condition, Concluded):
        return True
    if isinstance(condition, NotOf):
        return _mentions_conclusion(condition.item)
    if isinstance(condition, (AllOf, AnyOf)):
        return any(_mentions_conclusion(item) for item in condition.items)
    return False


def _text(exc: BaseException) -> str:
    return str(getattr(exc, "message", "") or exc) or type(exc).__name__


class EngineCache:
    """Compiled engines by rulebase content hash, so repeated consultations reuse one ruleset."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._engines: OrderedDict[str, DurableEngine] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, rulebase: Rulebase) -> DurableEngine:
        key = rulebase.sha256
        with self._lock:
            found = self._engines.get(key)
            if found is not None and found.rulebase is not rulebase and found.rulebase.model_dump() != rulebase.model_dump():
                found = None
            if found is None:
                found = DurableEngine(rulebase)
                self._engines[key] = found
                while len(self._engines) > self.size:
                    _, old = self._engines.popitem(last=False)
                    old.close()
            self._engines.move_to_end(key)
            return found


ENGINES = EngineCache()
