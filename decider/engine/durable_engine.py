"""The durable_rules adapter: compiles a rulebase into a RETE ruleset and runs consultations safely.

Hardening, after shared/durable-rules-notes.md:
- a private host that starts no background threads, and one process-wide lock around every call;
- facts (never events), each with a type discriminator `t`; no cross-fact `<`/`>` joins;
- answers and figures travel as one fact whose numbers are integer micro-units (no exponent floats);
- negated conclusions wait for a phase marker, so lower strata are complete before `not` is tested;
- one live session at a time, ids from a counter, and the session deleted in `finally`;
- actions never raise into the engine: failures are collected and raised as EngineError afterwards;
- firings are bounded: each rule fires at most once, and a run stops recording past the bound;
- every session runs at least one action: deleting a session in which none ran segfaults.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import OrderedDict
from typing import Any

import durable_rules_engine
from durable import engine as durable_host

from decider.engine.evaluation import Evaluation
from decider.engine.facts import constant, engine_values, plain_figures, record_firings
from decider.errors import EngineError, Problem, RulebaseError
from decider.rulebase.answers import Answers, compute_figures
from decider.rulebase.logic import concluded_by, rule_strata
from decider.rulebase.model import AllOf, AnyOf, Concluded, Condition, NotOf, NumberQuestion, Rule, Rulebase, ScaleQuestion, Test

ENGINE_LOCK = threading.Lock()
"""Serialises every call into the native engine (it is not thread-safe)."""

MAX_DISJUNCTS = 256
"""A rule whose condition expands to more alternatives than this is rejected at compile time."""

_OPS = {"==": None, "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_names = itertools.count()


class _QuietHost(durable_host.Host):
    """A durable_rules host without the background dispatch/timer threads that race the caller."""

    def _run(self) -> None:
        return None


class _Run:
    """State of the consultation in flight; the actions write into it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.order: list[str] = []
        self.fired: set[str] = set()
        self.concluded: set[str] = set()
        self.errors: list[str] = []
        self.calls = 0


class DurableEngine:
    """One rulebase compiled into one durable_rules ruleset on a private host."""

    name = "durable_rules"

    def __init__(self, rulebase: Rulebase) -> None:
        self.rulebase = rulebase
        self.strata = rule_strata(rulebase)
        self.phases = max(self.strata.values(), default=0)
        self._numeric = {q.id for q in rulebase.questions if isinstance(q, (NumberQuestion, ScaleQuestion))}
        self._run: _Run | None = None
        self._sessions = itertools.count(1)
        self._closed = False
        self.ruleset_name = f"decider_{rulebase.sha256[:12] or 'adhoc'}_{next(_names)}"
        definition = self._compile()
        self._host = _QuietHost()
        with ENGINE_LOCK:
            try:
                self._host.register_rulesets({self.ruleset_name: definition})
            except Exception as exc:  # the C engine rejected the ruleset
                raise EngineError(f"durable_rules rejected the compiled ruleset: {_text(exc)}") from None
        self._ruleset = self._host.get_ruleset(self.ruleset_name)

    # ------------------------------------------------------------------ compiling

    def _compile(self) -> dict[str, Any]:
        definition: dict[str, Any] = {}
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
                definition[f"{rule.id}#{index}"] = {"all": conditions, "run": self._action(rule)}
        # durable_rules segfaults in delete_state for a session in which no action ever ran
        # (reproduced: a ruleset whose rules all miss the answers fact). This rule always fires once.
        definition["session_opened"] = {"all": [{"a": {"t": "answers"}}], "run": _noop}
        # Sinks keep every fact type handled even when no rule reads it (see the notes, §5.4).
        for kind in ("answers", "c", "phase"):
            definition[f"sink_{kind}"] = {
                "all": [{"x": {"t": kind}}, {"never": {"t": "__never__"}}],
                "run": _noop,
            }
        return definition

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

    def _action(self, rule: Rule) -> Any:
        conclusions = concluded_by(rule)
        rule_id = rule.id

        def action(c: Any) -> None:  # exactly one parameter: two would make durable treat it as async
            run = self._run
            if run is None:
                return
            run.calls += 1
            if rule_id in run.fired:
                return
            if len(run.order) >= run.limit:
                run.errors.append(f"more than {run.limit} firings; the run was stopped")
                return
            run.fired.add(rule_id)
            run.order.append(rule_id)
            for cid in conclusions:
                if cid in run.concluded:
                    continue
                run.concluded.add(cid)
                try:
                    c.assert_fact({"t": "c", "c": cid, "id": f"c:{cid}"})
                except Exception as exc:  # durable would swallow it; keep it for the caller
                    run.errors.append(f"rule {rule_id}: asserting {cid} failed: {_text(exc)}")

        return action

    # ------------------------------------------------------------------ running

    def run(self, answers: Answers) -> Evaluation:
        """Run the rules on validated answers in a fresh session; the session is always deleted."""
        figures = compute_figures(self.rulebase, answers)
        fact: dict[str, Any] = {"t": "answers", "id": "answers"}
        for (kind, fid), value in engine_values(self.rulebase, answers, figures).items():
            fact[("q_" if kind == "answer" else "f_") + fid] = value
        json.dumps(fact, allow_nan=False)  # only plain JSON values reach the C engine
        with ENGINE_LOCK:
            if self._closed:
                raise EngineError("this engine has been closed")
            sid = str(next(self._sessions))
            run = _Run(limit=len(self.rulebase.rules))
            self._run = run
            try:
                self._assert({**fact, "sid": sid}, run)
                for phase in range(1, self.phases + 1):
                    self._assert({"t": "phase", "n": phase, "id": f"phase:{phase}", "sid": sid}, run)
            finally:
                self._run = None
                try:
                    self._ruleset.delete_state(sid)
                except Exception as exc:
                    run.errors.append(f"deleting session {sid} failed: {_text(exc)}")
        if run.errors:
            raise EngineError("durable_rules failed during the consultation: " + "; ".join(run.errors[:5]))
        concluded = run.concluded
        return Evaluation(
            engine="durable_rules",
            firings=record_firings(self.rulebase, run.order, self.strata, answers, figures, concluded),
            conclusions=tuple(c.id for c in self.rulebase.conclusions if c.id in concluded),
            figures=plain_figures(figures),
        )

    def _assert(self, fact: dict[str, Any], run: _Run) -> None:
        try:
            state = self._host.assert_fact(self.ruleset_name, fact)
        except durable_host.MessageNotHandledException as exc:
            run.errors.append(exc.message)
            return
        except durable_host.MessageObservedException as exc:
            run.errors.append(exc.message)
            return
        except Exception as exc:
            run.errors.append(_text(exc))
            return
        if isinstance(state, dict) and state.get("exception"):
            run.errors.append(str(state["exception"]).split(", traceback")[0])

    def close(self) -> None:
        """Release the native ruleset; the engine cannot be used afterwards."""
        with ENGINE_LOCK:
            if self._closed:
                return
            self._closed = True
            try:
                durable_rules_engine.delete_ruleset(self._ruleset._handle)
            except Exception:
                pass

    def __enter__(self) -> "DurableEngine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _mentions_conclusion(condition: Condition) -> bool:
    if isinstance(condition, Concluded):
        return True
    if isinstance(condition, NotOf):
        return _mentions_conclusion(condition.item)
    if isinstance(condition, (AllOf, AnyOf)):
        return any(_mentions_conclusion(item) for item in condition.items)
    return False


def _noop(c: Any) -> None:
    return None


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
