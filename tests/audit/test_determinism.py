"""The durable_rules firing order, which verify compares exactly, is the same in every process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.audit.conftest import FIXTURE_RULES, REPO

SCRIPT = """
import json, sys
from decider import consult, load_rulebase
from decider.engine.durable_engine import DurableEngine
from tests.audit.conftest import sample_answers
rulebase = load_rulebase(sys.argv[1])
for _ in range(int(sys.argv[2])):  # other engines first: the ruleset gets another name and native state
    DurableEngine(rulebase).close()
print(json.dumps([[f.rule for f in consult(rulebase, a).trace.firings] for a in sample_answers(rulebase, 150)]))
"""


def _orders(seed: str, warmup: int) -> list[list[str]]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(FIXTURE_RULES), str(warmup)], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=300, check=True)
    return json.loads(done.stdout)


def test_durable_rules_fires_in_the_same_order_across_processes() -> None:
    first = _orders("0", 0)
    second = _orders("12345", 3)
    assert first == second
    assert sum(len(order) for order in first) > 150  # the cases really make rules fire
