"""The durable_rules adapter under stress: many sessions, threads, faults inside actions, closed engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from decider import EngineError, consult, load_rulebase, validate_answers
from decider.engine.durable_engine import DurableEngine
from decider.rulebase.model import Rulebase
from decider.rulebase.samples import sample_profiles

from conftest import FIXTURES


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_ten_thousand_consultations_keep_memory_flat(shipped: Rulebase) -> None:
    profiles = sample_profiles(shipped, 500, seed=1, missing=0.15, unknown=0.1)
    for answers in profiles:  # every distinct profile once: the bounded memos hold their answers now,
        consult(shipped, answers)  # so what grows from here on is what consultations leave behind
    before = rss_kib()
    for i in range(10_000):
        result = consult(shipped, profiles[i % len(profiles)])
        assert result.recommendation.approach in shipped.approach_index
    growth_mib = (rss_kib() - before) / 1024
    # 10,000 live sessions would need gigabytes (and durable_rules caps them at 1024): flat means deleted.
    assert growth_mib < 20, f"RSS grew by {growth_mib:.1f} MiB"


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


def test_the_engine_cache_keys_on_content_and_frees_what_it_drops(shipped: Rulebase) -> None:
    """Issue 16 item 10: copies with the same sha256 or an empty one compiled a ruleset per consultation
    and never freed the old one (4,000 consultations: 2.6 GB)."""
    from decider.engine.durable_engine import EngineCache

    cache = EngineCache(size=4)
    first = cache.get(shipped)
    assert cache.get(shipped.model_copy(deep=True)) is first  # same content, another object: one ruleset
    assert cache.get(shipped.model_copy(update={"sha256": ""})) is first  # an empty sha256 field: content decides
    trimmed = shipped.model_copy(update={"rules": shipped.rules[:-1]})  # other content under the same sha256
    assert cache.get(trimmed) is not first and cache.get(trimmed).rulebase.rules == trimmed.rules
    for n in range(2, 6):
        cache.get(shipped.model_copy(update={"rules": shipped.rules[:-n]}))
    assert first._closed, "an engine pushed out of the cache must release its native ruleset"
    profiles = sample_profiles(shipped, 50, seed=3)
    for answers in profiles:  # warm up
        consult(shipped.model_copy(update={"sha256": ""}), answers)
    before = rss_kib()
    for i in range(400):
        consult(shipped.model_copy(update={"sha256": ""} if i % 2 else {}), profiles[i % len(profiles)])
    growth_mib = (rss_kib() - before) / 1024
    assert growth_mib < 40, f"RSS grew by {growth_mib:.1f} MiB over 400 consultations of copied rulebases"


def test_fork_while_other_threads_consult(shipped: Rulebase) -> None:
    """Issue 16 item 11: 33 of 220 children forked while threads consulted hung on the engine lock."""
    import os
    import threading
    import time

    profiles = sample_profiles(shipped, 40, seed=5)
    stop = threading.Event()

    def consult_until_stopped(offset: int) -> None:
        i = offset
        while not stop.is_set():
            consult(shipped, profiles[i % len(profiles)])
            i += 1

    threads = [threading.Thread(target=consult_until_stopped, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    children = []
    try:
        for n in range(30):
            time.sleep(0.01)
            pid = os.fork()
            if pid == 0:  # the child: one consultation of its own, then leave without running pytest's teardown
                try:
                    ok = consult(shipped, profiles[n % len(profiles)]).recommendation.approach in shipped.approach_index
                finally:
                    os._exit(0 if ok else 1)
            children.append(pid)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    deadline, hung, failed = time.monotonic() + 60, 0, 0
    for pid in children:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                failed += os.waitstatus_to_exitcode(status) != 0
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                hung += 1
                break
            time.sleep(0.02)
    assert (hung, failed) == (0, 0), f"{hung} of {len(children)} forked children hung, {failed} failed"


def test_a_copy_with_other_content_computes_its_own_indexes_and_derived_data() -> None:
    """pydantic copies an instance's __dict__, cached properties included: a copy made with `update=`
    kept the original's rule index (87 rules indexed for 3) and would have kept its prepared data."""
    from decider.engine.prepared import prepared

    rulebase = load_rulebase()
    first = prepared(rulebase)
    assert len(rulebase.rule_index) == len(rulebase.rules) and prepared(rulebase) is first
    trimmed = rulebase.model_copy(update={"rules": rulebase.rules[:3]})
    assert set(trimmed.rule_index) == {r.id for r in rulebase.rules[:3]}
    assert prepared(trimmed) is not first and set(prepared(trimmed).strata) == set(trimmed.rule_index)
    for copied in (rulebase.model_copy(), rulebase.model_copy(deep=True)):
        assert copied == rulebase and prepared(copied) is not first


def test_an_evaluator_made_directly_keeps_its_rulebase() -> None:
    """Only what a rulebase keeps in its derived data refers back to it weakly; an evaluator or model
    a caller makes itself holds its rulebase, so a rulebase loaded inline is not dropped under it."""
    import gc

    from decider.engine.completions import Completions
    from decider.engine.reference import ReferenceEngine

    engine, model = ReferenceEngine(load_rulebase()), Completions(load_rulebase())
    gc.collect()
    assert engine.rulebase.approaches and model.rulebase.approaches
    answers = validate_answers(engine.rulebase, {})
    assert consult(engine.rulebase, answers, engine="reference").recommendation.approach


def test_derived_data_lives_and_dies_with_its_rulebase() -> None:
    """What is computed from a rulebase is kept by it, not by a module cache: it is freed with the
    rulebase, and a pickle (a batch worker's copy) carries none of it."""
    import gc
    import pickle
    import weakref

    from decider.engine.completions import completions_of
    from decider.engine.prepared import prepared

    rulebase = load_rulebase()
    completions_of(rulebase).count(completions_of(rulebase).truths(validate_answers(rulebase, {}))[0])
    held = weakref.ref(prepared(rulebase))
    shipped_to_worker = pickle.loads(pickle.dumps(rulebase))
    assert shipped_to_worker == rulebase and not shipped_to_worker.derived
    del rulebase
    gc.collect()
    assert held() is None
