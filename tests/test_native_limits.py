"""durable_rules' fixed native tables: rulebases past them are refused at compile time, by `decide`, `batch`
and `lint` alike, never crash or hang; the model of the network agrees with the native engine at the boundary.

Every native probe runs in a child process with a timeout (issue 16, items 1 and 2)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from decider import RulebaseError, load_rulebase
from decider.engine import native_limits
from decider.engine.compiled_ruleset import CompiledRuleset
from decider.rulebase.loader import default_rules_dir

from conftest import run_cli

RULE = '  - {{id: {id}, when: {when}, then: [{{support: fine_tune, weight: 1}}], because: g, cite: P6}}\n'


def shipped_plus(tmp_path: Path, rules: list[tuple[str, str]]) -> Path:
    """A copy of the shipped rulebase with extra rules (id, condition in YAML flow style)."""
    directory = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), directory)
    text = "rules:\n" + "".join(RULE.format(id=rid, when=when) for rid, when in rules)
    (directory / "extra.yaml").write_text(text, encoding="utf-8")
    return directory


def thresholds(n: int) -> list[tuple[str, str]]:
    return [(f"g{i}", f'{{answer: example_count, ">=": {i}}}') for i in range(n)]


def one_any(n: int) -> list[tuple[str, str]]:
    return [("big", "{any: [" + ", ".join(f'{{answer: latency_ms, "==": {i}}}' for i in range(n)) + "]}")]


@pytest.mark.parametrize("rules, says", [
    (thresholds(55), "engine tests at once"),      # was: Segmentation fault (exit 139)
    (thresholds(53), "engine tests at once"),      # was: free(): invalid size (exit 134)
    (one_any(489), "distinct tests follow one engine node"),  # was: 100% CPU forever
], ids=["55-thresholds", "53-thresholds", "any-489"])
def test_decide_batch_and_lint_refuse_past_a_native_limit(tmp_path: Path, rules: list[tuple[str, str]], says: str) -> None:
    directory = shipped_plus(tmp_path, rules)
    answers = tmp_path / "answers.yaml"
    answers.write_text("example_count: 500\nlatency_ms: 5\n", encoding="utf-8")
    decided = run_cli("decide", str(answers), "--rules", str(directory), timeout=60)
    assert decided.returncode == 2, decided.stderr
    assert says in decided.stderr and "extra.yaml:" in decided.stderr and "Traceback" not in decided.stderr
    batch = tmp_path / "rows.jsonl"
    batch.write_text(json.dumps({"example_count": 500}) + "\n", encoding="utf-8")
    batched = run_cli("batch", str(batch), "--rules", str(directory), timeout=60)
    assert batched.returncode == 2 and says in batched.stderr
    linted = run_cli("lint", str(directory), "--cross-check", timeout=60)
    assert linted.returncode == 1 and "E107" in linted.stdout and says in linted.stdout


def test_a_huge_in_list_is_refused_naming_the_rule(tmp_path: Path) -> None:
    values = ", ".join(str(i) for i in range(489))
    directory = shipped_plus(tmp_path, [("big", f"{{answer: latency_ms, in: [{values}]}}")])
    with pytest.raises(RulebaseError, match=r"extra\.yaml:2:5: .*distinct tests.*\[big\]"):
        CompiledRuleset(load_rulebase(directory))


def test_the_shipped_rulebase_is_well_inside_the_limits(shipped: object) -> None:
    network = native_limits._Network()
    for name, rule in CompiledRuleset(load_rulebase()).definition.items():
        network.add(name, rule)
    assert network.matched_at_once() <= native_limits.MAX_MATCHED // 2
    assert not network.found and not network.table_overflows()


PROBE = r"""
import json, sys, durable_rules_engine as d
definition, fact = sys.argv[1], sys.argv[2]
handle = d.create_ruleset("probe", definition)
code, state = d.assert_fact(handle, fact)
started = d.start_action_for_state(handle, state)
while started is not None:
    started = d.complete_and_start_action(handle, state)
d.delete_state(handle, "1")
print("ok")
"""


def native_ok(definition: dict[str, object], fact: str) -> bool:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(definition), fact],
                          capture_output=True, text=True, timeout=30)
    return done.returncode == 0 and done.stdout == "ok\n"


def test_the_model_accepts_exactly_what_the_native_engine_survives() -> None:
    """At the largest size the model accepts, the native engine works; one more, and the model refuses.
    (benchmarks/native_limits.py bisects the native failure itself: 512 equality tests hang, 65 matched crash.)"""
    def equalities(n: int) -> dict[str, object]:
        return {"r#0": {"all": [{"m": {"$and": [{"t": "a"}, {"$or": [{"x": i} for i in range(n)]}]}}]}}

    def matched(n: int) -> dict[str, object]:
        return {f"r{i}#0": {"all": [{"m": {"$and": [{"t": "a"}, {"$gte": {"x": i}}]}}]} for i in range(n)}

    fact = '{"t":"a","x":1000000,"id":"f","sid":"1"}'
    for make, largest in ((equalities, native_limits.MAX_CHILDREN), (matched, native_limits.MAX_MATCHED)):
        assert not native_limits.violations(make(largest))
        assert native_limits.violations(make(largest + 1))
        assert native_ok(make(largest), fact)


def test_lint_refuses_a_condition_decide_refuses_for_its_alternatives(tmp_path: Path) -> None:
    """2**9 alternatives once conclusions are expanded: past MAX_DISJUNCTS, which `decide` always refused."""
    pair = "{any: [{conclusion: case_format}, {conclusion: case_persona}]}"
    directory = shipped_plus(tmp_path, [("wide", "{all: [" + ", ".join([pair] * 9) + "]}")])
    linted = run_cli("lint", str(directory), timeout=60)
    assert linted.returncode == 1 and "E107" in linted.stdout and "512 alternatives" in linted.stdout
    assert "[wide]" in linted.stdout
