"""The durable_rules adapter under stress: many sessions, threads, faults inside actions, closed engines."""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any

import pytest

from decider import EngineError, consult, load_rulebase, validate_answers
from decider.engine.durable_engine import DurableEngine
from decider.rulebase.model import ChoiceQuestion, NumberQuestion, Rulebase, ScaleQuestion

from conftest import FIXTURES


def random_profiles(rulebase: Rulebase, count: int, seed: int) -> list[dict[str, Any]]:
    """Deterministic pseudo-random answer sets over every question's domain (unknown included)."""
    rng = random.Random(seed)
    profiles = []
    for _ in range(count):
        answers: dict[str, Any] = {}
        for q in rulebase.questions:
            roll = rng.random()
            if roll < 0.15:
                continue
            if roll < 0.25:
                answers[q.id] = "unknown"
            elif isinstance(q, ChoiceQuestion):
                answers[q.id] = rng.choice(q.choices).id
            elif isinstance(q, ScaleQuestion):
                answers[q.id] = rng.randint(q.min, q.max)
            elif isinstance(q, NumberQuestion):
                answers[q.id] = round(rng.uniform(q.min, min(q.max, q.min + 5000)), 2)
            else:
                answers[q.id] = rng.random() < 0.5
        profiles.append(answers)
    return profiles


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_ten_thousand_consultations_keep_memory_flat(shipped: Rulebase) -> None:
    profiles = random_profiles(shipped, 500, seed=1)
    for answers in profiles[:200]:  # warm up caches and allocator pools
        consult(shipped, answers)
    before = rss_kib()
    for i in range(10_000):
        result = consult(shipped, profiles[i % len(profiles)])
        assert result.recommendation.approach in shipped.approach_index
    growth_mib = (rss_kib() - before) / 1024
    # 10,000 live sessions would need gigabytes (and durable_rules caps them at 1024): flat means deleted.
    assert growth_mib < 20, f"RSS grew by {growth_mib:.1f} MiB"


def test_eight_threads_get_the_single_thread_results(shipped: Rulebase) -> None:
    profiles = random_profiles(shipped, 300, seed=2)
    expected = [consult(shipped, p).trace for p in profiles]
    failures: list[str] = []

    def worker(offset: int) -> None:
        for i in range(len(profiles)):
            j = (i + offset * 37) % len(profiles)
            got = consult(shipped, profiles[j]).trace
            if got != expected[j]:
                failures.append(f"thread {offset}, profile {j}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert failures == []


def test_a_fault_inside_an_action_surfaces_as_engine_error_and_the_engine_recovers(monkeypatch: pytest.MonkeyPatch) -> None:
    rulebase = load_rulebase(FIXTURES / "chain")
    answers = validate_answers(rulebase, {"q1": True, "q2": "x", "q4": 4})
    with DurableEngine(rulebase) as engine:
        healthy = engine.run(answers)
        from durable import engine as durable_host

        def broken(self: Any, *args: Any) -> None:
            raise RuntimeError("disk on fire")

        with monkeypatch.context() as patch:  # a fault injected into durable_rules' own action API
            patch.setattr(durable_host.Closure, "assert_fact", broken)
            with pytest.raises(EngineError, match="disk on fire"):
                engine.run(answers)
        assert engine.run(answers) == healthy  # the failed session was deleted; nothing leaked into the next


def test_a_closed_engine_refuses_work() -> None:
    rulebase = load_rulebase(FIXTURES / "chain")
    engine = DurableEngine(rulebase)
    engine.close()
    engine.close()  # idempotent
    with pytest.raises(EngineError, match="closed"):
        engine.run(validate_answers(rulebase, {}))


def test_more_consultations_than_durable_rules_has_session_slots() -> None:
    rulebase = load_rulebase(FIXTURES / "chain")
    with DurableEngine(rulebase) as engine:
        answers = validate_answers(rulebase, {"q1": True, "q3": 600, "q2": "z"})
        first = engine.run(answers)
        for _ in range(1500):  # the native engine holds at most 1024 live sessions per ruleset
            assert engine.run(answers) == first


def test_extreme_but_valid_numbers_reach_the_engine_safely() -> None:
    rulebase = load_rulebase(FIXTURES / "chain")
    for value in (0, 0.000001, 0.0000004, 999.999999, 1000, 1e-7, 123.4567891):
        result = consult(rulebase, {"q3": value, "q4": 5})
        assert result.trace.figures["double_q3"] is not None
