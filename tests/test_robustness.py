"""Robustness under bad input and load: fuzzed answers, mutated rulebase YAML, and many threads.

Only DeciderError (with a message) may escape; never another exception, a hang or a crash.
Longer runs: DECIDER_LONG_TESTS=1 multiplies the number of fuzzed examples (see README).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decider import DeciderError, consult, load_rulebase
from decider.rulebase.loader import default_rules_dir
from decider.rulebase.model import Rulebase
from decider.rulebase.samples import sample_answers

LONG = os.environ.get("DECIDER_LONG_TESTS") == "1"
EXAMPLES = 3000 if LONG else 150
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "portfolio"
HANG_SECONDS = 30


@pytest.fixture(scope="module")
def shipped() -> Rulebase:
    return load_rulebase()


class Hang(Exception):
    """An operation ran longer than HANG_SECONDS."""


@contextmanager
def no_hang(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail (instead of waiting forever) when the body does not finish in time."""
    def expired(signum: int, frame: Any) -> None:
        raise Hang(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_only_decider_errors(action: Any) -> None:
    with no_hang():
        try:
            action()
        except DeciderError as exc:
            assert str(exc).strip(), "a DeciderError must carry a message"


# ----------------------------------------------------------------------------- fuzzed answers

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=8,
)


def answers_for(rulebase: Rulebase) -> st.SearchStrategy[Any]:
    keys = st.sampled_from([q.id for q in rulebase.questions]) | st.text(max_size=12)
    tricky = st.sampled_from(["yes", "no", "unknown", "not sure", "1e-05", "NaN", "", " ", "true", "0", "-0"])
    mapping = st.dictionaries(keys, json_values | tricky | st.integers(-10**15, 10**15), max_size=12)
    return mapping | json_values


@pytest.mark.parametrize("engine", ["durable_rules", "reference"])
def test_any_json_answers_give_a_result_or_a_decider_error(shipped: Rulebase, engine: str) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(answers_for(shipped))
    def check(answers: Any) -> None:
        assert_only_decider_errors(lambda: consult(shipped, answers, engine=engine))  # type: ignore[arg-type]

    check()


# ----------------------------------------------------------------------------- mutated rulebase YAML

TOKENS = ["", "{", "}", "[", "]", ":", "- ", "&a ", "*a", "!!python/object/apply:os.system ['true']", "~", "null",
          "1e400", "-1", "0", "1e-05", ".nan", "true", "'", '"', "\t", "é", "P99", "unknown", "is: unknown",
          "{conclusion: nowhere}", ">=", "in: []", "all: []", "not: {}", "any: [{conclusion: behaviour_gap}]",
          "999999999999999999999", "id: dup", "weight: -3", "severity: extreme", "kind: number", "expr: a / 0",
          "<<: *a", "? complex", "%YAML 9.9", "---", "..."]


@st.composite
def mutated_files(draw: st.DrawFn, files: dict[str, str]) -> dict[str, str]:
    """The rulebase files with one to four random edits (lines dropped, duplicated, moved, re-indented,
    truncated, or spans replaced by tricky YAML)."""
    result = dict(files)
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(sorted(result)))
        lines = result[name].split("\n")
        kind = draw(st.sampled_from(["drop", "duplicate", "move", "indent", "truncate", "replace", "insert"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == "drop" and lines:
            del lines[i]
        elif kind == "duplicate" and lines:
            lines.insert(i, lines[i])
        elif kind == "move" and lines:
            lines.insert(draw(st.integers(0, len(lines) - 1)), lines.pop(i))
        elif kind == "indent" and lines:
            lines[i] = " " * draw(st.integers(0, 6)) + lines[i].lstrip()
        elif kind == "truncate":
            text = "\n".join(lines)
            lines = text[: draw(st.integers(0, len(text)))].split("\n")
        elif lines:
            line = lines[i]
            a = draw(st.integers(0, len(line)))
            b = draw(st.integers(a, len(line)))
            token = draw(st.sampled_from(TOKENS) | st.text(max_size=6))
            lines[i] = line[:a] + token + (line[b:] if kind == "replace" else line[a:])
        result[name] = "\n".join(lines)
    return result


def _rulebase_files(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.yaml"))}


@pytest.mark.parametrize("source", ["shipped", "fixture"])
def test_mutated_rulebase_yaml_gives_a_rulebase_or_a_located_rulebase_error(source: str, tmp_path: Path) -> None:
    files = _rulebase_files(default_rules_dir() if source == "shipped" else FIXTURE)
    counter = iter(range(10**9))

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(mutated_files(files), st.randoms(use_true_random=False))
    def check(mutated: dict[str, str], rng: random.Random) -> None:
        directory = tmp_path / f"rb{next(counter)}"
        directory.mkdir()
        for name, text in mutated.items():
            (directory / name).write_text(text, encoding="utf-8")

        def load_and_consult() -> None:
            rulebase = load_rulebase(directory)
            for answers in ({}, _some_answers(rulebase, rng)):
                consult(rulebase, answers)
                consult(rulebase, answers, engine="reference")

        assert_only_decider_errors(load_and_consult)
        shutil.rmtree(directory)

    check()


def _some_answers(rulebase: Rulebase, rng: random.Random) -> dict[str, Any]:
    return sample_answers(rulebase, rng, missing=0.0, unknown=0.15)


# ----------------------------------------------------------------------------- the lean driver agrees


@pytest.mark.parametrize("source", ["shipped", "fixture"])
def test_durable_engine_and_reference_evaluator_agree_on_any_valid_answers(source: str) -> None:
    from decider.engine.durable_engine import ENGINES
    from decider.engine.reference import ReferenceEngine
    from decider.rulebase.answers import validate_answers

    rulebase = load_rulebase(None if source == "shipped" else FIXTURE)
    durable, reference = ENGINES.get(rulebase), ReferenceEngine.of(rulebase)

    @settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.randoms(use_true_random=False), st.floats(0, 0.5), st.floats(0, 0.5))
    def check(rng: random.Random, missing: float, unknown: float) -> None:
        answers = validate_answers(rulebase, sample_answers(rulebase, rng, missing=missing, unknown=unknown))
        mine, oracle = durable.run(answers), reference.run(answers)
        # Each engine fires in its own order (durable_rules' agenda, declaration order); the firings agree as a set.
        assert set(mine.firings) == set(oracle.firings) and len(mine.firings) == len(oracle.firings)
        assert mine.model_dump(exclude={"engine", "firings"}) == oracle.model_dump(exclude={"engine", "firings"})

    check()


# ----------------------------------------------------------------------------- threads


def test_eight_threads_share_one_rulebase_and_get_the_single_threaded_results(shipped: Rulebase) -> None:
    rng = random.Random(2024)
    profiles = [_some_answers(shipped, rng) for _ in range(250)]
    for profile in profiles:  # some unanswered and 'unknown' answers too
        for qid in list(profile):
            if rng.random() < 0.25:
                del profile[qid]
    expected = [consult(shipped, p) for p in profiles]
    per_thread = 2000 if LONG else 500  # 4,000 shared consultations in CI, 16,000 in the long run
    failures: list[str] = []

    def worker(offset: int) -> None:
        try:
            for k in range(per_thread):
                i = (offset * 31 + k) % len(profiles)
                if consult(shipped, profiles[i]) != expected[i]:
                    failures.append(f"thread {offset}: profile {i} differs")
                    return
        except BaseException as exc:  # noqa: BLE001 - report, do not hide, anything a thread hits
            failures.append(f"thread {offset}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert failures == []


# ----------------------------------------------------------------------------- native crash traps


def test_sessions_in_which_no_rule_fires_do_not_crash_the_engine() -> None:
    """durable_rules segfaults deleting a session in which no action ran; run it in a child process
    so a crash fails this test instead of killing the test run."""
    import subprocess
    import sys

    silent = Path(__file__).resolve().parent / "fixtures" / "silent"
    script = (
        "import sys\n"
        "from decider import consult, load_rulebase\n"
        "rb = load_rulebase(sys.argv[1])\n"
        "for _ in range(300):\n"
        "    for answers in ({}, {'q1': False}, {'q1': 'unknown'}, {'q1': True}):\n"
        "        consult(rb, answers)\n"
        "print(consult(rb, {}).recommendation.approach, consult(rb, {'q1': True}).recommendation.approach)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(silent)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-500:]}"
    assert done.stdout.split() == ["a", "b"]


def test_a_native_fault_inside_an_action_surfaces_as_engine_error_and_the_engine_recovers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault injected where an action asserts a conclusion into the native engine: EngineError with
    the cause, the session is cleaned up, and the next consultation is as before."""
    from decider.engine import durable_engine
    from decider.engine.durable_engine import DurableEngine
    from decider.errors import EngineError
    from decider.rulebase.answers import validate_answers

    rulebase = load_rulebase(FIXTURE)
    answers = validate_answers(rulebase, {"q1": True, "q2": "x", "q4": 4})
    native = durable_engine.durable_rules_engine
    real_assert = native.assert_fact

    def faulty(handle: int, fact: str) -> Any:
        if '"t":"c"' in fact:  # only the conclusions asserted from inside actions
            raise native.error("disk on fire")
        return real_assert(handle, fact)

    with DurableEngine(rulebase) as engine:
        healthy = engine.run(answers)
        assert healthy.conclusions, "the fault must hit a consultation that concludes something"
        with monkeypatch.context() as patch:
            patch.setattr(native, "assert_fact", faulty)
            with pytest.raises(EngineError, match="disk on fire"):
                engine.run(answers)
        for _ in range(50):
            assert engine.run(answers) == healthy  # the failed session was deleted; nothing leaked
