"""Hostile input and faults by area: how many tries, and how each ended (the README's robustness table).

    .venv/bin/python benchmarks/robustness.py             # every area (a few minutes)
    .venv/bin/python benchmarks/robustness.py --scale 0.1 # fewer tries, for a quick look

Each area runs in a child process with a timeout, so a native crash or a hang is counted, never fatal
to the run. Outcomes: `ok` (a result), `refused` (a DeciderError with a message: exit 2 at the command
line), `internal` (any other exception), `crash` (the child died of a signal), `hang` (no result in
time). Areas with an invariant count its breaches: acknowledged log records lost, damage verify
missed, forged traces verified, batch rows lost. Tries are drawn from a seeded generator, so a run is
repeatable."""

from __future__ import annotations

import argparse
import copy
import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

AREAS = ("answers", "rulebases", "library", "log", "traces", "batch", "interview")
TRIES = {"answers": 2000, "rulebases": 300, "library": 600, "log": 200, "traces": 1000, "batch": 100, "interview": 1000}
TIMEOUT = 900


def outcome(action: Callable[[], object]) -> str:
    from decider import DeciderError

    try:
        action()
    except DeciderError as exc:
        return "refused" if str(exc).strip() else "internal"
    except Exception:  # what the table counts: anything but a DeciderError is an internal error
        return "internal"
    return "ok"


def junk(rng: random.Random, depth: int = 0) -> Any:
    """A value a careless or hostile caller might pass as an answer."""
    pick = rng.randrange(16)
    if pick == 0 and depth < 3:
        return [junk(rng, depth + 1) for _ in range(rng.randrange(3))]
    if pick == 1 and depth < 3:
        return {str(rng.randrange(9)): junk(rng, depth + 1)}
    return rng.choice([None, True, False, 0, -1, 2**63, 10**30, 1e308, float("nan"), float("inf"), 1e-320,
                       Decimal("NaN"), Decimal("1e999"), Decimal("-0"), "", " ", "yes", "no", "unknown", "not sure",
                       "1e3", "2.9999999", "60k", "1,500", "$2.50", "\x00", "é" * 50, "x" * 10_000, 3, 2.5, 500])


def area_answers(tries: int, rng: random.Random, work: Path) -> Counter[str]:
    from decider import consult, load_rulebase

    rulebase = load_rulebase()
    ids = [q.id for q in rulebase.questions]
    counts: Counter[str] = Counter()
    for _ in range(tries):
        answers: Any = {(rng.choice(ids) if rng.random() < 0.85 else rng.choice(["bogus", "", "1", "Format_Failures"])):
                        junk(rng) for _ in range(rng.randrange(8))}
        if rng.random() < 0.05:
            answers = junk(rng)
        counts[outcome(lambda: consult(rulebase, answers))] += 1
    return counts


def _mutate_rulebase(rng: random.Random, directory: Path) -> None:
    files = sorted(directory.glob("*.yaml"))
    target = rng.choice(files)
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    kind = rng.randrange(9)
    index = rng.randrange(len(lines))
    if kind == 0:
        del lines[index]
    elif kind == 1:
        lines.insert(index, lines[index])
    elif kind == 2:
        lines[index] = lines[index].replace(": ", ": " + rng.choice([".inf", ".nan", "1.0e-320", "9" * 5000, "-1", "0",
                                                                     "[]", "{}", "~", "yes", "'x'"]) + " #", 1)
    elif kind == 3:
        target.write_bytes(target.read_bytes()[: rng.randrange(target.stat().st_size)])
        return
    elif kind == 4:
        lines.insert(index, bytes(rng.randrange(256) for _ in range(8)).decode("latin-1"))
    elif kind == 5:  # many threshold rules on one question (the native stack)
        count = rng.randrange(30, 90)
        (directory / "extra.yaml").write_text("rules:\n" + "".join(
            f'  - {{id: g{i}, when: {{answer: example_count, ">=": {i}}}, then: [{{support: fine_tune, weight: 1}}], '
            "because: g, cite: P6}\n" for i in range(count)), encoding="utf-8")
        return
    elif kind == 6:  # a long `in` list (the native hash set)
        values = ", ".join(str(i) for i in range(rng.randrange(440, 560)))
        (directory / "extra.yaml").write_text(
            f"rules:\n  - {{id: big, when: {{answer: latency_ms, in: [{values}]}}, then: [{{support: fine_tune, "
            "weight: 1}], because: g, cite: P6}\n", encoding="utf-8")
        return
    elif kind == 7:  # deep nesting
        depth = rng.randrange(10, 200)
        (directory / "extra.yaml").write_text(
            "rules:\n  - {id: deep, when: " + "{not: " * depth + "{answer: eval_harness, is: true}" + "}" * depth
            + ", then: [{support: fine_tune, weight: 1}], because: g, cite: P6}\n", encoding="utf-8")
        return
    else:
        a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[a], lines[b] = lines[b], lines[a]
    target.write_text("".join(lines), encoding="utf-8")


def area_rulebases(tries: int, rng: random.Random, work: Path) -> Counter[str]:
    from decider import consult, load_rulebase
    from decider.rulebase.loader import default_rules_dir
    from decider.rulebase.samples import sample_answers

    counts: Counter[str] = Counter()
    for n in range(tries):
        directory = work / f"rb{n}"
        shutil.copytree(default_rules_dir(), directory)
        for _ in range(rng.randrange(1, 3)):
            _mutate_rulebase(rng, directory)

        def run() -> None:
            rulebase = load_rulebase(directory)
            for seed in range(3):
                consult(rulebase, sample_answers(rulebase, random.Random(seed)))

        counts[outcome(run)] += 1
        shutil.rmtree(directory)
    return counts


def area_library(tries: int, rng: random.Random, work: Path) -> Counter[str]:
    from decider import consult, load_rulebase, validate_answers
    from decider.engine.durable_engine import DurableEngine
    from decider.rulebase.samples import sample_answers

    rulebase = load_rulebase()

    def threads() -> None:
        errors: list[BaseException] = []

        def work_in_thread(seed: int) -> None:
            try:
                for k in range(5):
                    consult(rulebase.model_copy(update={"sha256": ""}), sample_answers(rulebase, random.Random(seed + k)))
            except BaseException as exc:
                errors.append(exc)

        pool = [threading.Thread(target=work_in_thread, args=(s,)) for s in range(4)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        if errors:
            raise errors[0]

    def closed_engine() -> None:
        engine = DurableEngine(rulebase)
        engine.close()
        engine.run(validate_answers(rulebase, {}))

    misuse: list[Callable[[], object]] = [
        lambda: consult(None, {}),  # type: ignore[arg-type]
        lambda: consult(rulebase, None),  # type: ignore[arg-type]
        lambda: consult(rulebase, [1, 2]),  # type: ignore[arg-type]
        lambda: consult("rules", {}),  # type: ignore[arg-type]
        lambda: consult(rulebase, {"example_count": Decimal("NaN")}),
        lambda: consult(rulebase, {}, engine="nope"),  # type: ignore[arg-type]
        lambda: consult(rulebase.model_copy(update={"rules": rulebase.rules[: rng.randrange(len(rulebase.rules))]}),
                        sample_answers(rulebase, rng)),
        lambda: consult(rulebase.model_copy(update={"sha256": ""}), sample_answers(rulebase, rng)),
        lambda: consult(rulebase, sample_answers(rulebase, rng), log=work / "no" / "such" / "\x00dir"),
        lambda: validate_answers(rulebase, {"example_count": junk(rng)}),
        threads,
        closed_engine,
    ]
    counts: Counter[str] = Counter()
    for _ in range(tries):
        counts[outcome(rng.choice(misuse))] += 1
    return counts


def area_log(tries: int, rng: random.Random, work: Path) -> Counter[str]:
    """Damage a log as a crash or a careless hand would, then verify it and append to it."""
    from decider import consult, load_rulebase
    from decider.audit.documents import read_audit_file
    from decider.rulebase.samples import sample_answers

    rulebase = load_rulebase()
    counts: Counter[str] = Counter()
    for n in range(tries):
        log = work / f"log{n}"
        for _ in range(rng.randrange(1, 5)):
            consult(rulebase, sample_answers(rulebase, rng), log=log)
        data = log.read_bytes()
        lines = data.splitlines(keepends=True)
        kind = rng.choice(["torn", "no-newline", "blank-lines", "flip", "delete", "duplicate", "swap"])
        if kind == "torn":  # a writer killed mid-record: the last record is cut short
            last = len(data) - len(lines[-1])
            data = data[: last + rng.randrange(1, len(lines[-1]) - 1)]
        elif kind == "no-newline":
            data = data[:-1]
        elif kind == "blank-lines":
            data += b"\n" * rng.randrange(1, 4)
        elif kind == "flip":
            at = rng.randrange(len(data) - 1)
            data = data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:]
        elif kind == "delete" and len(lines) > 1:
            del lines[rng.randrange(len(lines))]
            data = b"".join(lines)
        elif kind == "duplicate":
            lines.insert(rng.randrange(len(lines)), rng.choice(lines))
            data = b"".join(lines)
        elif kind == "swap" and len(lines) > 1:
            a = rng.randrange(len(lines) - 1)
            lines[a], lines[a + 1] = lines[a + 1], lines[a]
            data = b"".join(lines)
        else:
            kind = "none"
        log.write_bytes(data)
        before = read_audit_file(log)
        whole = {e.digest for e in before.entries}
        if kind in ("flip", "delete", "duplicate", "swap") and not before.problems and data != b"".join(
                log.read_bytes().splitlines(keepends=True)):
            counts["damage missed by verify"] += 1
        appended = outcome(lambda: consult(rulebase, sample_answers(rulebase, rng), log=log))
        counts[appended] += 1
        after = read_audit_file(log)
        counts["acknowledged records lost"] += len(whole - {e.digest for e in after.entries})
        if kind in ("torn", "no-newline", "blank-lines", "none"):
            counts["tail repairs that left the log unverifiable"] += bool(after.problems)
    counts.setdefault("acknowledged records lost", 0)
    counts.setdefault("damage missed by verify", 0)
    return counts


def area_traces(tries: int, rng: random.Random, work: Path) -> Counter[str]:
    """Forge a sealed trace (edit, then reseal the digest) and count forgeries that verify."""
    from decider import consult, load_rulebase
    from decider.audit.entries import parse_trace
    from decider.audit.verify import verify_trace
    from decider.policy.trace import digest_of
    from decider.rulebase.samples import sample_answers

    rulebase = load_rulebase()
    counts: Counter[str] = Counter()
    for _ in range(tries):
        original = json.loads(consult(rulebase, sample_answers(rulebase, rng)).trace.to_json())
        data = copy.deepcopy(original)
        firings = data["firings"]
        approach = rng.choice([a.id for a in rulebase.approaches])
        kind = rng.randrange(8)
        if kind == 0 and firings:
            firings.insert(rng.randrange(len(firings) + 1), copy.deepcopy(rng.choice(firings)))
        elif kind == 1 and firings:
            forged = copy.deepcopy(rng.choice(firings))
            forged["effects"] = [{"type": "support", "approach": approach, "weight": rng.choice([1, 100])}]
            firings.insert(rng.randrange(len(firings) + 1), forged)
        elif kind == 2 and firings:
            rng.choice(firings)["effects"] = [{"type": "oppose", "approach": approach, "weight": 5}]
        elif kind == 3 and firings:
            del firings[rng.randrange(len(firings))]
        elif kind == 4 and len(firings) > 1:
            rng.shuffle(firings)
        elif kind == 5:
            data["result"]["primary"] = approach
        elif kind == 6:
            question = rng.choice(rulebase.questions)
            data["answers"][question.id] = junk(rng) if rng.random() < 0.3 else None
        else:
            data["firings"] = firings * rng.randrange(2, 5)
        try:
            json.dumps(data, allow_nan=False)
        except (ValueError, TypeError):  # a value JSON cannot hold: no file could carry this forgery
            counts["edits JSON cannot hold (not counted)"] += 1
            continue
        if data == original:
            counts["edits that changed nothing (not counted)"] += 1
            continue
        data["digest"] = digest_of(data)
        trace, problems = parse_trace(json.loads(json.dumps(data)), "forged.json")

        if trace is None:  # the forged file is not even a valid trace: refused with its problems
            counts["refused"] += 1
            continue

        def verify() -> None:
            assert trace is not None
            if not verify_trace(trace, rulebase):
                # an answer edited so that every firing and the result stay what replay gives is a
                # different, self-consistent consultation: only a digest kept elsewhere (a log's
                # chain, --head) tells it apart. Every other edit forges what the rules derived.
                counts["self-consistent answer edits" if kind == 6 else "forged traces verified"] += 1

        counts[outcome(verify)] += 1
    counts.setdefault("forged traces verified", 0)
    counts.setdefault("self-consistent answer edits", 0)
    return counts


def area_batch(tries: int, rng: random.Random, work: Path) -> Counter[str]:
    """JSONL files mixing good rows with hostile ones; every row must come back as one result."""
    from decider import load_rulebase
    from decider.cli.batch import read_jsonl
    from decider.reasoning.batch import consult_many
    from decider.rulebase.samples import sample_answers

    rulebase = load_rulebase()
    bad_rows = [b"[" * 100_000 + b"\n", b'{"format_failures": "\xff"}\n', b"not json\n", b"[]\n", b"null\n",
                b'{"a": ' + b"1" * 1_100_000 + b"}\n", b'{"example_count": ' + b"9" * 5000 + b"}\n",
                b'{"example_count": 1e999}\n', b"\x00\x01\x02\n", b'{"x": ' + b"[" * 40 + b"]" * 40 + b"}\n"]
    counts: Counter[str] = Counter()
    for _ in range(tries):
        rows = [json.dumps(sample_answers(rulebase, rng)).encode() + b"\n" if rng.random() < 0.6 else rng.choice(bad_rows)
                for _ in range(rng.randrange(1, 20))]
        handle = io.TextIOWrapper(io.BytesIO(b"".join(rows)), encoding="utf-8", errors="surrogateescape", newline="")

        def run() -> None:
            results = list(consult_many(rulebase, (p for _, p in read_jsonl(handle, "rows.jsonl"))))
            counts["batch rows lost"] += len(rows) - len(results)
            counts["rows failed (reported per row)"] += sum(not r.ok for r in results)

        counts[outcome(run)] += 1
    counts.setdefault("batch rows lost", 0)
    return counts


def area_interview(tries: int, rng: random.Random, work: Path) -> Counter[str]:
    from decider import load_rulebase
    from decider.interview.session import Interview
    from decider.rulebase.samples import sample_answers

    rulebase = load_rulebase()
    counts: Counter[str] = Counter()
    path = work / "saved.json"
    for _ in range(tries):
        interview = Interview()
        for qid, value in sample_answers(rulebase, rng).items():
            interview = interview.answer(rulebase, qid, value)
        interview.save(rulebase, path)
        data = json.loads(path.read_text())
        kind = rng.randrange(7)
        if kind == 0:
            data.pop(rng.choice(list(data)))
        elif kind == 1:
            data[rng.choice(list(data))] = junk(rng)
        elif kind == 2:
            data["format"] = rng.choice(["decider-interview/999", "", None])
        elif kind == 3:
            data["rulebase_id"] = "another"
        elif kind == 4 and data["answers"]:
            data["answers"][rng.choice(list(data["answers"]))] = junk(rng)
        text = json.dumps(data, allow_nan=True, default=str)
        if kind == 5:
            text = text[: rng.randrange(len(text))]
        elif kind == 6:
            text = "[" * rng.choice([10, 100_000]) + text
        path.write_text(text)
        counts[outcome(lambda: Interview.load(rulebase, path))] += 1
    return counts


def run_area(area: str, tries: int) -> None:
    """In the child: run one area and print its counts as JSON."""
    rng = random.Random(f"robustness-{area}")
    with tempfile.TemporaryDirectory() as work:
        counts = globals()[f"area_{area}"](tries, rng, Path(work))
    print(json.dumps({"tries": tries, **counts}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every area's number of tries")
    parser.add_argument("--only", help="comma-separated areas to run (default: all)")
    parser.add_argument("--area", choices=AREAS, help=argparse.SUPPRESS)
    parser.add_argument("--tries", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.area:
        run_area(args.area, args.tries)
        return
    print("| area | tries | ok | refused (exit 2) | internal | crash | hang | invariants |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for area in (args.only.split(",") if args.only else AREAS):
        tries = max(1, int(TRIES[area] * args.scale))
        try:
            done = subprocess.run([sys.executable, __file__, "--area", area, "--tries", str(tries)],
                                  capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            print(f"| {area} | {tries} | | | | 0 | 1 | |")
            continue
        if done.returncode != 0:
            crashed = int(done.returncode < 0 or done.returncode >= 128)
            print(f"| {area} | {tries} | | | {1 - crashed} | {crashed} | 0 | exit {done.returncode}: "
                  f"{done.stderr.strip().splitlines()[-1:] } |")
            continue
        counts = json.loads(done.stdout)
        extra = ", ".join(f"{k}: {v}" for k, v in counts.items()
                          if k not in ("tries", "ok", "refused", "internal"))
        print(f"| {area} | {tries} | {counts.get('ok', 0)} | {counts.get('refused', 0)} | {counts.get('internal', 0)} "
              f"| 0 | 0 | {extra} |", flush=True)


if __name__ == "__main__":
    main()
