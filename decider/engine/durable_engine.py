"""The durable_rules adapter: compiles a rulebase into a RETE ruleset and runs consultations safely.

Hardening against durable_rules' known hazards (each measured on durable-rules 2.0.28):
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
import os
import threading
from collections import OrderedDict
from typing import Any

import durable_rules_engine

from decider.canonical import NotCanonical, sha256_hex
from decider.engine.evaluation import Evaluation
from decider.engine.compiled_ruleset import CompiledRuleset
from decider.engine.facts import EngineValue, known_values, plain_figures, record_firings
from decider.engine.prepared import prepared
from decider.errors import EngineError
from decider.rulebase.answers import Answers
from decider.rulebase.model import Rulebase

ENGINE_LOCK = threading.Lock()
"""Serialises every call into the native engine (it is not thread-safe)."""

_names = itertools.count()


_OK, _NOT_HANDLED, _OBSERVED, _SID_NOT_FOUND = 0, 1, 2, 309
"""Result and error codes of the native engine (rules.h: RULES_OK, ERR_EVENT_NOT_HANDLED,
ERR_EVENT_OBSERVED, ERR_SID_NOT_FOUND)."""


class DurableEngine:
    """One rulebase compiled into one native durable_rules ruleset, driven without durable's host."""

    name = "durable_rules"

    def __init__(self, rulebase: Rulebase) -> None:
        self.rulebase = rulebase
        self._compiled = compiled = CompiledRuleset(rulebase)  # raises RulebaseError past an engine limit
        self.strata = compiled.strata
        self.phases = compiled.phases
        self._sessions = itertools.count(1)
        self._closed = False
        self.ruleset_name = f"decider_{rulebase.sha256[:12] or 'adhoc'}_{next(_names)}"
        self._actions = compiled.actions
        # durable_rules runs a rule once per path through its `$or`s that a fact matches, so that many runs
        # of each action are legitimate; anything beyond is a runaway the budget stops
        self._max_actions = sum(_runs(compiled.definition[name]) for name in self._actions)
        with ENGINE_LOCK:
            try:
                self._handle = durable_rules_engine.create_ruleset(self.ruleset_name, json.dumps(compiled.definition))
            except Exception as exc:  # the C engine rejected the ruleset
                raise EngineError(f"durable_rules rejected the compiled ruleset: {_text(exc)}") from None

    def definition(self) -> dict[str, Any]:
        """The compiled ruleset in durable_rules' JSON dialect (a fresh copy; benchmarks feed it to durable's own host)."""
        return json.loads(json.dumps(self._compiled.definition))

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


def _runs(rule: dict[str, Any]) -> int:
    """The most times one compiled rule can run in a session: the product over its conditions of the
    paths through each condition's `$or`s (every fact it reads is asserted once)."""
    total = 1
    for condition in rule.get("all", ()):
        for expr in condition.values():
            total *= _paths(expr)
    return total


def _paths(expr: Any) -> int:
    """Paths through one durable_rules expression: `$or` adds its branches' paths, `$and` multiplies them."""
    if not isinstance(expr, dict):
        return 1
    total = 1
    for key, value in expr.items():
        if key == "$or":
            total *= sum(_paths(item) for item in value)
        elif key == "$and":
            for item in value:
                total *= _paths(item)
    return total


def _refusal(code: int, what: str) -> str:
    if code == _NOT_HANDLED:
        return f"no rule handles the fact {what[:80]}"
    if code == _OBSERVED:
        return f"the fact was already asserted {what[:80]}"
    return f"the engine deferred the fact (code {code}) {what[:80]}"


def _text(exc: BaseException) -> str:
    return str(getattr(exc, "message", "") or exc) or type(exc).__name__


class EngineCache:
    """Compiled engines by rulebase content, so repeated consultations reuse one native ruleset.

    Keyed on a sha256 of the rulebase's whole content computed here (not on its `sha256` field,
    which a caller can leave empty or copy onto other content); remembered with the rulebase's other
    derived data (`prepared`), so the key is computed once per object. Engines pushed out of the
    cache are closed, freeing their native ruleset."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._engines: OrderedDict[str, DurableEngine] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, rulebase: Rulebase) -> DurableEngine:
        derived = prepared(rulebase)
        if derived.content_key is None:
            derived.content_key = content_key(rulebase)
        key = derived.content_key
        with self._lock:
            found = self._engines.get(key)
            if found is None:
                found = DurableEngine(rulebase)
                self._engines[key] = found
                while len(self._engines) > self.size:
                    _, old = self._engines.popitem(last=False)
                    old.close()
            self._engines.move_to_end(key)
            return found

    def forget(self) -> None:
        """Drop every engine without touching its native ruleset, and take a fresh lock (after fork)."""
        self._lock = threading.Lock()
        self._engines = OrderedDict()


def content_key(rulebase: Rulebase) -> str:
    """A sha256 of everything the compiled ruleset and its firings depend on: the whole rulebase."""
    data = rulebase.model_dump(mode="json")
    try:
        return sha256_hex(data)
    except NotCanonical:  # a model built by hand with NaN or a huge integer: still a key, not a published digest
        return sha256_hex(data, "v1")


ENGINES = EngineCache()


def _after_fork_in_child() -> None:
    """A child forked while another thread held the engine lock (or was inside the native engine)
    would hang on the lock or inherit a half-run session: it gets fresh locks and compiles its own
    rulesets (the inherited ones are left untouched, never used or freed)."""
    global ENGINE_LOCK
    ENGINE_LOCK = threading.Lock()
    ENGINES.forget()


os.register_at_fork(after_in_child=_after_fork_in_child)
