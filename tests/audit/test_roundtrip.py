"""decide -> trace -> verify passes for every example and golden scenario, and for any answers.

Through the CLI (a process per example) a spread sample of the examples runs by default and all of
them with DECIDER_LONG_TESTS=1; through the library every example runs always."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from decider import consult, load_rulebase
from decider.audit.verify import verify_trace
from decider.rulebase.model import Rulebase
from conftest import run_cli
from tests.audit.conftest import REPO, answers_for

EXAMPLES = sorted(p for p in (REPO / "examples").rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
THROUGH_THE_CLI = EXAMPLES if os.environ.get("DECIDER_LONG_TESTS") == "1" else [
    p for i, p in enumerate(EXAMPLES) if p.parent == REPO / "examples" or i % 6 == 0]
"""By default the examples at the top (one JSON, one YAML) and every sixth case and scenario; all of
them in the long run."""


def test_there_are_examples_to_round_trip() -> None:
    assert EXAMPLES, "examples/ should hold answers files"


def test_examples_and_scenarios_round_trip_through_the_cli(tmp_path: Path) -> None:
    traces = []
    for number, example in enumerate(THROUGH_THE_CLI):
        trace = tmp_path / f"{number}-{example.stem}.trace.json"
        decided = run_cli("decide", example, "--trace", trace, "--log", tmp_path / "decisions.log")
        assert decided.returncode == 0, f"{example}: {decided.stderr}"
        traces.append(trace)
    result = run_cli("audit", "verify", *traces, tmp_path / "decisions.log")
    assert result.returncode == 0, result.stdout + result.stderr
    for trace in traces:
        assert f"{trace}: verified" in result.stdout
    count = len(THROUGH_THE_CLI)
    assert f"decision log of {count} record(s), chain intact, {count} of {count} trace(s) verified" in result.stdout


@pytest.mark.parametrize("engine", ["durable_rules", "reference"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=answers_for(load_rulebase(Path(__file__).parents[1] / "fixtures" / "audit" / "rules")))
def test_any_consultation_verifies_by_replay(fixture_rulebase: Rulebase, engine: str, data: dict) -> None:
    trace = consult(fixture_rulebase, data, engine=engine).trace  # type: ignore[arg-type]
    assert verify_trace(trace, fixture_rulebase) == []


def test_the_shipped_rulebase_round_trips_in_the_library(tmp_path: Path) -> None:
    rulebase = load_rulebase()
    for example in EXAMPLES:
        from decider.rulebase.answers_file import read_answers_document

        document = read_answers_document(example)
        trace = consult(rulebase, document.data or {}).trace
        assert verify_trace(trace, rulebase) == [], example
