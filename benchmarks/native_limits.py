"""Measure durable_rules' native limits that crash or hang, each probe in a child process with a timeout.

    .venv/bin/python benchmarks/native_limits.py

Prints, for each limit, the largest size that still works and the first that fails natively, beside
the size decider's compile-time check (decider.engine.native_limits) refuses from. Probes bisect
between bounds the C source gives (src/rules/rete.c, events.c), so the run takes a few seconds."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

from decider.engine import native_limits

PROBE = r"""
import json, sys, durable_rules_engine as d
definition, fact = json.loads(sys.argv[1]), sys.argv[2]
handle = d.create_ruleset("probe", json.dumps(definition))
print("created", flush=True)
if fact:
    code, state = d.assert_fact(handle, fact)
    started = d.start_action_for_state(handle, state)
    while started is not None:
        started = d.complete_and_start_action(handle, state)
    d.delete_state(handle, "1")
print("ok", flush=True)
"""


def probe(definition: dict[str, object], fact: str, timeout: float = 5.0) -> str:
    """'ok', 'hang' (no result in time), 'crash' (killed by a signal) or 'error' (a Python exception)."""
    try:
        done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(definition), fact],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang"
    if done.returncode < 0 or done.returncode in (134, 139):
        return "crash"
    return "ok" if done.stdout.endswith("ok\n") else "error"


def one_rule_any(n: int) -> tuple[dict[str, object], str]:
    """One rule whose `$or` holds n equality tests of one field (the 'any' of a rule, or an `in` list)."""
    tests = [{"x": i} for i in range(n)]
    return {"r#0": {"all": [{"m": {"$and": [{"t": "a"}, {"$or": tests}]}}]}}, '{"t":"a","x":-1,"id":"f","sid":"1"}'


def threshold_rules(n: int) -> tuple[dict[str, object], str]:
    """n rules `x >= i` (i = 0..n-1), all of which hold for the asserted fact x = 10**6."""
    rules = {f"r{i}#0": {"all": [{"m": {"$and": [{"t": "a"}, {"$gte": {"x": i}}]}}]} for i in range(n)}
    return rules, '{"t":"a","x":1000000,"id":"f","sid":"1"}'


def last_working(make: Callable[[int], tuple[dict[str, object], str]], low: int, high: int) -> tuple[int, str]:
    """Bisect: `low` works, `high` does not; the largest working size and how the next one fails."""
    failure = probe(*make(high))
    assert probe(*make(low)) == "ok" and failure != "ok", (low, high)
    while high - low > 1:
        middle = (low + high) // 2
        outcome = probe(*make(middle))
        if outcome == "ok":
            low = middle
        else:
            high, failure = middle, outcome
    return low, failure


def refused_from(make: Callable[[int], tuple[dict[str, object], str]], low: int, high: int) -> int:
    """The smallest size decider's model of the network refuses."""
    while high - low > 1:
        middle = (low + high) // 2
        if native_limits.violations(make(middle)[0]):
            high = middle
        else:
            low = middle
    return high


def main() -> None:
    rows = [
        ("equality tests after one node (`any`/`in`)", one_rule_any, 400, 600),
        ("threshold tests one fact matches at once", threshold_rules, 40, 80),
    ]
    print("| limit | largest that works natively | next size natively | decider refuses from |")
    print("|---|---:|---|---:|")
    for what, make, low, high in rows:
        works, failure = last_working(make, low, high)
        print(f"| {what} | {works} | {failure} | {refused_from(make, low, high)} |")


if __name__ == "__main__":
    main()
