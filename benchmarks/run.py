"""decider benchmarks: one command, one Markdown table.

    .venv/bin/python benchmarks/run.py            # the full run (several minutes)
    .venv/bin/python benchmarks/run.py --quick    # smaller counts, for a quick look

Rows: consult() against the reference evaluator (the practical limit) and a bare durable_rules
run of the same facts through durable's own public API (the engine floor); batch throughput with
1 and 2 jobs; planner latency; `decider lint`; cold starts against the bare imports; RSS over
many consultations. Variants compared by a ratio are measured in the same run and interleaved
call by call (or run by run), because the machine is shared and absolute numbers are noisy.
Rows whose modules do not exist yet print "not available yet".
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from decider import consult, load_rulebase  # noqa: E402
from decider.engine.facts import engine_values  # noqa: E402
from decider.rulebase.answers import compute_figures, validate_answers  # noqa: E402
from decider.rulebase.model import Rulebase  # noqa: E402
from decider.rulebase.samples import sample_profiles  # noqa: E402

Row = tuple[str, str, str, str, str]  # what, median, p95, ratio / result, target


# ----------------------------------------------------------------------------- inputs


def profiles(rulebase: Rulebase, count: int, seed: int = 1) -> list[dict[str, Any]]:
    """Deterministic project profiles: each question answered (80%), 'unknown' (10%) or left out (10%)."""
    return sample_profiles(rulebase, count, seed=seed)


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms"


def median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def interleaved(variants: dict[str, Callable[[int], object]], count: int, warmup: int = 200) -> dict[str, list[float]]:
    """Time each variant on input i, variant after variant, rotating which goes first."""
    names = list(variants)
    for i in range(min(warmup, count)):
        for name in names:
            variants[name](i)
    samples: dict[str, list[float]] = {name: [] for name in names}
    clock = time.perf_counter
    gc.collect()
    for i in range(count):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            fn = variants[name]
            start = clock()
            fn(i)
            samples[name].append(clock() - start)
    return samples


# ----------------------------------------------------------------------------- consult vs limit vs floor


class BareDurable:
    """The engine floor: the compiled ruleset on durable's own host (public API), the same facts
    asserted, actions that only assert the conclusions, and the session deleted. No decider layer."""

    def __init__(self, rulebase: Rulebase) -> None:
        from durable import engine as durable_engine

        from decider.engine.durable_engine import DurableEngine
        from decider.rulebase.logic import concluded_by

        class QuietHost(durable_engine.Host):  # no background dispatch threads (they race the caller)
            def _run(self) -> None:
                return None

        compiled = DurableEngine(rulebase)
        self.compiled = compiled
        observed = durable_engine.MessageObservedException

        def action_for(concludes: list[str]) -> Callable[[Any], None]:
            def action(c: Any) -> None:
                for cid in concludes:
                    try:
                        c.assert_fact({"t": "c", "c": cid, "id": f"c:{cid}"})
                    except observed:
                        pass
            return action

        definition = compiled.definition()
        for name, rule in definition.items():
            rule_id = name.split("#")[0]
            rule["run"] = action_for(concluded_by(rulebase.rule_index[rule_id]) if rule_id in rulebase.rule_index else [])
        self.host = QuietHost()
        self.name = "bare_floor"
        self.host.register_rulesets({self.name: definition})
        self.sessions = iter(range(1, 10**12))

    def facts(self, rulebase: Rulebase, answers: Any) -> list[dict[str, Any]]:
        checked = validate_answers(rulebase, answers)
        fact = self.compiled.answers_fact(engine_values(rulebase, checked, compute_figures(rulebase, checked)))
        return [fact] + [{"t": "phase", "n": n, "id": f"phase:{n}"} for n in range(1, self.compiled.phases + 1)]

    def run(self, facts: list[dict[str, Any]]) -> None:
        sid = str(next(self.sessions))
        for fact in facts:
            self.host.assert_fact(self.name, {**fact, "sid": sid})
        self.host.delete_state(self.name, sid)


def bench_consult(rulebase: Rulebase, count: int) -> list[Row]:
    from decider.engine.durable_engine import ENGINES
    from decider.engine.reference import ReferenceEngine

    inputs = profiles(rulebase, count)
    checked = [validate_answers(rulebase, p) for p in inputs]
    bare = BareDurable(rulebase)
    facts = [bare.facts(rulebase, p) for p in inputs]
    engine = ENGINES.get(rulebase)
    reference = ReferenceEngine.of(rulebase)
    for answers in checked[:200]:  # the two engines agree (the benchmark measures the same work)
        assert engine.run(answers).fired() == reference.run(answers).fired()
    from decider.policy.outcome import decide
    from decider.reasoning.consultation import build_consultation

    evaluations = [engine.run(a) for a in checked]
    traces = [consult(rulebase, p).trace for p in inputs]
    samples = interleaved({
        "consult": lambda i: consult(rulebase, inputs[i]),
        "reference": lambda i: reference.run(checked[i]),
        "bare": lambda i: bare.run(facts[i]),
        "engine": lambda i: engine.run(checked[i]),
        "validate": lambda i: validate_answers(rulebase, inputs[i]),
        "build": lambda i: build_consultation(rulebase, checked[i], evaluations[i]),
        "decide": lambda i: decide(rulebase, checked[i], evaluations[i]),
        "digest": lambda i: traces[i].compute_digest(),
    }, count)
    stats = {name: median_p95(values) for name, values in samples.items()}
    floor_ratio = stats["consult"][0] / stats["bare"][0]
    limit_ratio = stats["consult"][0] / stats["reference"][0]
    engine_ratio = stats["engine"][0] / stats["reference"][0]
    fired = statistics.mean(len(engine.run(a).firings) for a in checked[:500])
    return [
        (f"`consult()` durable_rules, full trace ({count:,} profiles, {fired:.1f} rules fired on average)",
         us(stats["consult"][0]), us(stats["consult"][1]), f"{floor_ratio:.2f}× the floor",
         _target(floor_ratio <= 1.5, f"≤ 1.5× floor (by {floor_ratio / 1.5:.2f}×)")),
        ("bare durable_rules floor: same ruleset and facts, durable `Host.assert_fact` + `delete_state`",
         us(stats["bare"][0]), us(stats["bare"][1]), "1.00×", "—"),
        ("reference evaluator (`ReferenceEngine.run`, the practical limit)",
         us(stats["reference"][0]), us(stats["reference"][1]), f"consult is {limit_ratio:.1f}× slower",
         _target(limit_ratio >= 10, f"≥ 10× faster than the durable path (only {limit_ratio:.1f}×)")),
        ("durable engine alone (`DurableEngine.run`, evaluation without policy/HOW/trace)",
         us(stats["engine"][0]), us(stats["engine"][1]), f"{engine_ratio:.1f}× the reference evaluator", "—"),
        ("… of consult: validating the answers (`validate_answers`)", us(stats["validate"][0]),
         us(stats["validate"][1]), f"{stats['validate'][0] / stats['consult'][0]:.0%} of consult", "—"),
        ("… of consult: policy, HOW trees, sealed trace (`build_consultation`)", us(stats["build"][0]),
         us(stats["build"][1]), f"{stats['build'][0] / stats['consult'][0]:.0%} of consult", "—"),
        ("… of which the policy (`decide`)", us(stats["decide"][0]), us(stats["decide"][1]),
         f"{stats['decide'][0] / stats['consult'][0]:.0%} of consult", "—"),
        ("… of which the trace digest (canonical JSON + sha256)", us(stats["digest"][0]), us(stats["digest"][1]),
         f"{stats['digest'][0] / stats['consult'][0]:.0%} of consult", "—"),
    ]


def _target(met: bool, text: str) -> str:
    return ("met: " + text.split(" (")[0]) if met else ("MISSED: " + text)


# ----------------------------------------------------------------------------- batch


def bench_batch(rulebase: Rulebase, count: int) -> list[Row]:
    from decider.reasoning.batch import consult_many

    inputs = profiles(rulebase, count, seed=2)
    rows: list[Row] = []
    for jobs in (1, 2):
        start = time.perf_counter()
        done = sum(1 for r in consult_many(rulebase, inputs, jobs=jobs) if r.ok)
        elapsed = time.perf_counter() - start
        assert done == count, f"{count - done} profiles failed"
        rate = count / elapsed
        target = "—"
        if jobs == 2:
            scaled = elapsed * 10_000 / count
            target = _target(scaled < 10, f"10,000 profiles < 10 s with 2 jobs ({scaled:.1f} s)")
        rows.append((f"batch of {count:,} profiles, {jobs} job{'s' if jobs > 1 else ''} (`consult_many`)",
                     f"{elapsed:.2f} s total", "—", f"{rate:,.0f} profiles/s", target))
    return rows


# ----------------------------------------------------------------------------- planner, lint


def bench_planner(rulebase: Rulebase, count: int) -> list[Row]:
    try:
        from decider.interview import planner  # type: ignore[attr-defined]
    except ImportError:
        return [("planner `next_question`", "not available yet", "", "", "tens of ms at most"),
                ("planner `what_if`", "not available yet", "", "", "—")]
    inputs = []
    rng = random.Random(3)
    for profile in profiles(rulebase, count, seed=3):  # interviews half-way through
        keep = rng.randint(0, len(profile))
        inputs.append(dict(list(profile.items())[:keep]))
    rows: list[Row] = []
    for name in ("next_question", "what_if"):
        function = getattr(planner, name, None)
        if function is None:
            rows.append((f"planner `{name}`", "not available yet", "", "", "—"))
            continue
        samples = interleaved({name: lambda i, f=function: f(rulebase, inputs[i])}, count, warmup=20)[name]
        median, p95 = median_p95(samples)
        rows.append((f"planner `{name}` ({count} half-answered profiles)", ms(median), ms(p95), "—",
                     _target(p95 < 0.05, "p95 under 50 ms") if name == "next_question" else "—"))
    return rows


def bench_lint(runs: int) -> list[Row]:
    probe = subprocess.run([sys.executable, "-m", "decider", "lint", "--help"], capture_output=True, text=True, cwd=ROOT)
    if probe.returncode != 0:
        return [("`decider lint` on the shipped rulebase", "not available yet", "", "", "seconds, not minutes")]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "decider", "lint"], capture_output=True, text=True, cwd=ROOT)
        samples.append(time.perf_counter() - start)
    median, p95 = median_p95(samples)
    return [(f"`decider lint` on the shipped rulebase ({runs} runs, exit {done.returncode})", f"{median:.2f} s",
             f"{p95:.2f} s", "—", _target(median < 10, "seconds, not minutes"))]


# ----------------------------------------------------------------------------- cold start


def bench_cold_start(runs: int) -> list[Row]:
    example = str(ROOT / "examples" / "structured-output.yaml")
    commands = {
        "imports": [sys.executable, "-c", "import durable.lang, pydantic, yaml"],
        "help": [sys.executable, "-m", "decider", "--help"],
        "decide": [sys.executable, "-m", "decider", "decide", example],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(runs + 1):
        names = list(commands)
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            done = subprocess.run(commands[name], capture_output=True, cwd=ROOT)
            elapsed = time.perf_counter() - start
            assert done.returncode == 0, done.stderr
            if i:  # the first round warms the file cache
                samples[name].append(elapsed)
    stats = {name: median_p95(values) for name, values in samples.items()}
    base = stats["imports"][0]
    help_ratio = stats["help"][0] / base
    decide_ratio = stats["decide"][0] / base
    return [
        (f"cold start: `python -c \"import durable.lang, pydantic, yaml\"` ({runs} runs)", ms(base),
         ms(stats["imports"][1]), "1.00×", "—"),
        ("cold start: `decider --help`", ms(stats["help"][0]), ms(stats["help"][1]), f"{help_ratio:.2f}× the imports",
         _target(help_ratio <= 1.0, "no heavier than the bare imports")),
        ("cold start: `decider decide examples/structured-output.yaml`", ms(stats["decide"][0]),
         ms(stats["decide"][1]), f"{decide_ratio:.2f}× the imports",
         _target(decide_ratio <= 1.3, f"≤ 1.3× the bare imports (by {decide_ratio / 1.3:.2f}×)")),
    ]


# ----------------------------------------------------------------------------- memory


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def memory_child(count: int) -> None:
    """Runs in a fresh process: RSS after warm-up, then after `count` more consultations."""
    rulebase = load_rulebase()
    inputs = profiles(rulebase, 1000, seed=4)
    for profile in inputs:
        consult(rulebase, profile)
    gc.collect()
    before = rss_kib()
    for i in range(count):
        consult(rulebase, inputs[i % len(inputs)])
    gc.collect()
    print(before, rss_kib())


def bench_memory(count: int) -> list[Row]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--memory-child", str(count)], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    elapsed = time.perf_counter() - start
    before, after = map(int, done.stdout.split())
    growth = (after - before) / 1024
    return [(f"RSS before → after {count:,} consultations ({elapsed:.0f} s)", f"{before / 1024:.1f} MB",
             f"{after / 1024:.1f} MB", f"{growth:+.1f} MB", _target(growth < 10, "growth under 10 MB"))]


# ----------------------------------------------------------------------------- main


def machine() -> str:
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs ({model or platform.processor()}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (a quick look, not for the record)")
    parser.add_argument("--only", help="comma-separated sections: consult,batch,planner,lint,cold,memory")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return 0
    quick = args.quick
    sections = set((args.only or "consult,batch,planner,lint,cold,memory").split(","))
    rulebase = load_rulebase()
    print(f"decider benchmarks — {machine()}")
    print(f"rulebase {rulebase.meta.id} {rulebase.meta.version}: {len(rulebase.questions)} questions, "
          f"{len(rulebase.rules)} rules\n", flush=True)
    rows: list[Row] = []
    plan: list[tuple[str, Callable[[], list[Row]]]] = [
        ("consult", lambda: bench_consult(rulebase, 500 if quick else 5000)),
        ("batch", lambda: bench_batch(rulebase, 2000 if quick else 10_000)),
        ("planner", lambda: bench_planner(rulebase, 50 if quick else 300)),
        ("lint", lambda: bench_lint(2 if quick else 5)),
        ("cold", lambda: bench_cold_start(5 if quick else 15)),
        ("memory", lambda: bench_memory(20_000 if quick else 200_000)),
    ]
    for name, bench in plan:
        if name in sections:
            print(f"… {name}", file=sys.stderr, flush=True)
            done = bench()
            for row in done:  # as they come, so a run cut short still leaves its numbers
                print("  | " + " | ".join(row) + " |", file=sys.stderr, flush=True)
            rows.extend(done)
    print("| what | median | p95 | ratio / result | target |")
    print("|---|---:|---:|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
