"""An adversarial pass where the tests were thin, each try a regression test (README, "Robustness"):
nothing answered, many rulebases in one process, log writers SIGKILLed mid-append, the log without
os.pread (the non-POSIX path), Ctrl-C during a batch, and corrupted or foreign interview saves."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

AUDIT_RULES = ROOT / "tests" / "fixtures" / "audit" / "rules"
KILLS = 40 if os.environ.get("DECIDER_LONG_TESTS") else 12
"""SIGKILLs of log writers (DECIDER_LONG_TESTS=1 for the longer run quoted in the README)."""


# -- answers that say nothing


@pytest.mark.parametrize(("text", "held"), [
    ("", "no answers (it is empty or holds only comments)"),
    ("# only a comment\n\n", "no answers (it is empty or holds only comments)"),
    ("{}\n", "an empty mapping of answers"),
    ("context: a scenario\nanswers: {}\nexpect: {primary: prompt_eval}\n", "an empty mapping of answers"),
])
def test_an_answers_file_that_answers_nothing_says_so(tmp_path: Path, text: str, held: str) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("decide", str(path))
    assert result.returncode == 0 and result.stdout.startswith("Recommendation:")
    assert result.stderr == (f"{path}: note: nothing was answered: the file holds {held}; "
                             "the advice below assumes every question is open\n")


def test_answers_on_stdin_that_answer_nothing_say_so_and_real_answers_do_not() -> None:
    assert "<stdin>: note: nothing was answered" in run_cli("decide", "-", stdin="{}").stderr
    assert run_cli("decide", "-", stdin="format_failures: unknown\n").stderr == ""


# -- many rulebases in one process

MANY_RULEBASES = """
import sys, threading
from decider import load_rulebase, consult
from decider.rulebase.loader import content_hash
base = load_rulebase(sys.argv[1])
count, threads = int(sys.argv[2]), int(sys.argv[3])
variants = []
for i in range(count):
    v = base.model_copy(update={"meta": base.meta.model_copy(update={"version": f"v{i}"})})
    variants.append(v.model_copy(update={"sha256": content_hash(v)}))
answers = {"structured_output": True, "knowledge": "none", "data_quality": 4}
expected = consult(base, answers, engine="reference").recommendation
bad = []
def work(k):
    for i in range(k, count, threads):
        got = consult(variants[i], answers).recommendation
        if (got.approach, got.confidence) != (expected.approach, expected.confidence):
            bad.append(i)
ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
[t.start() for t in ts]; [t.join() for t in ts]
print(len({v.sha256 for v in variants}), len(bad))
"""


def test_hundreds_of_rulebases_in_one_process_from_several_threads() -> None:
    """Each distinct rulebase compiles its own native ruleset; the engine cache (16) closes old ones while
    other threads consult. A native crash here would kill the child, not the test run."""
    result = subprocess.run([sys.executable, "-c", MANY_RULEBASES, str(AUDIT_RULES), "400", "4"],
                            capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["400", "0"]


# -- the decision log under SIGKILL

ACKING_WRITER = """
import sys
from decider import consult, load_rulebase
from decider.storage.decision_log import append_trace
rulebase = load_rulebase(sys.argv[2])
trace = consult(rulebase, {"data_quality": int(sys.argv[3])}).trace
print("ready", flush=True)
while True:
    record = append_trace(sys.argv[1], trace)
    print(record.digest, flush=True)  # acknowledged: append_trace returned
"""


def test_writers_sigkilled_mid_append_lose_no_acknowledged_record(tmp_path: Path) -> None:
    log = tmp_path / "decisions.log"
    rng = random.Random(7)
    acknowledged: set[str] = set()

    def start(index: int) -> subprocess.Popen[str]:
        writer = subprocess.Popen([sys.executable, "-c", ACKING_WRITER, str(log), str(AUDIT_RULES), str(index % 5 + 1)],
                                  stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        return writer

    def collect(writer: subprocess.Popen[str]) -> None:
        out, _ = writer.communicate(timeout=60)
        acknowledged.update(line for line in out.split() if len(line) == 64)

    writers = [start(i) for i in range(3)]
    kills = 0
    for round_ in range(KILLS):
        time.sleep(rng.uniform(0.05, 0.4))
        victim = rng.randrange(len(writers))
        writers[victim].send_signal(signal.SIGKILL)
        collect(writers[victim])
        kills += 1
        writers[victim] = start(round_ + 3)
    for writer in writers:
        writer.send_signal(signal.SIGKILL)
        collect(writer)
    assert kills == KILLS and len(acknowledged) > 20

    run_cli("decide", "-", "--rules", str(AUDIT_RULES), "--log", str(log), stdin="{}")  # repairs a torn last line
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    digests = [r["digest"] for r in records]
    assert acknowledged <= set(digests), f"{len(acknowledged - set(digests))} acknowledged record(s) lost"
    print(f"{kills} SIGKILLs, {len(acknowledged)} acknowledged records, {len(records)} in the log, 0 lost")
    verified = run_cli("audit", "verify", str(log), "--rules", str(AUDIT_RULES), timeout=600)
    assert verified.returncode == 0, verified.stdout[-2000:]
    assert f"decision log of {len(records)} record(s), chain intact" in verified.stdout


WITHOUT_PREAD = """
import os, sys
del os.pread  # as on Windows: the log must read its tail with seek and read
from decider import consult, load_rulebase
rulebase = load_rulebase(sys.argv[2])
for quality in (1, 2):
    consult(rulebase, {"data_quality": quality}, log=sys.argv[1])
with open(sys.argv[1], "ab") as handle:
    handle.write(b'{"format": "decider-log/2", "seq": 2, "torn')
consult(rulebase, {"data_quality": 3}, log=sys.argv[1])
"""


def test_the_log_works_where_os_pread_does_not_exist(tmp_path: Path) -> None:
    log = tmp_path / "new" / "decisions.log"
    done = subprocess.run([sys.executable, "-c", WITHOUT_PREAD, str(log), str(AUDIT_RULES)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    verified = run_cli("audit", "verify", str(log), "--rules", str(AUDIT_RULES))
    assert verified.returncode == 0, verified.stdout
    assert "decision log of 3 record(s), chain intact" in verified.stdout


# -- Ctrl-C during a batch


@pytest.fixture(scope="module")
def long_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(3)
    path = tmp_path_factory.mktemp("batch") / "profiles.jsonl"
    choices = {"format_failures": [True, False, "unknown"], "knowledge": ["general", "documents", "proprietary"],
               "data_quality": [1, 3, 5], "example_count": [10, 100, 5000]}
    path.write_text("".join(json.dumps({k: rng.choice(v) for k, v in choices.items()}) + "\n" for _ in range(30_000)),
                    encoding="utf-8")
    return path


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(("jobs", "delay"), [("1", 0.3), ("2", 0.0), ("2", 0.2), ("2", 1.0)])
def test_ctrl_c_during_a_batch_leaves_no_output_and_prints_no_traceback(long_batch: Path, tmp_path: Path,
                                                                         jobs: str, delay: float) -> None:
    """SIGINT to the whole process group, as a terminal sends it: workers starting up included."""
    out = tmp_path / "results.jsonl"
    # as from a terminal: Ctrl+C live in the child even when this test runs where SIGINT is ignored (a
    # background job of a non-interactive shell), which Python would otherwise inherit and keep
    batch = subprocess.Popen([sys.executable, "-m", "decider", "batch", str(long_batch), "--jobs", jobs, "--out", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True,
                             preexec_fn=_interruptible)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".results.jsonl.*")) and time.monotonic() < deadline and batch.poll() is None:
        time.sleep(0.005)
    time.sleep(delay)
    assert batch.poll() is None, "the batch ended before it could be interrupted"
    os.killpg(batch.pid, signal.SIGINT)
    try:
        _, err = batch.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(batch.pid, signal.SIGKILL)
        raise
    assert batch.returncode == 130
    assert err == "interrupted\n"
    assert list(tmp_path.iterdir()) == []  # neither the output nor its temporary file


# -- interview saves that are damaged or not saves at all


@pytest.mark.parametrize(("content", "message"), [
    (b'{\n  "format": "decider-interview/1",\n  "rulebase_id": "fine', "not a saved interview: Unterminated string"),
    (b"\xff\xfe\x00binary", "not a saved interview: 'utf-8' codec can't decode"),
    (b"", "not a saved interview: Expecting value"),
    (b"[1, 2]", "not a saved interview"),
])
def test_resuming_a_damaged_save_names_the_file_and_leaves_it_alone(tmp_path: Path, content: bytes, message: str) -> None:
    save = tmp_path / "interview.json"
    save.write_bytes(content)
    result = run_cli("interview", "--plain", "--resume", "--save", str(save), stdin="q\n")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{save}: {message}")
    assert save.read_bytes() == content


def test_a_damaged_save_is_replaced_when_not_resuming(tmp_path: Path) -> None:
    save = tmp_path / "interview.json"
    save.write_bytes(b'{\n  "format": "decider-interview/1",\n  "rulebase_id": "fine')
    result = run_cli("interview", "--plain", "--save", str(save), stdin="1\nq\n")
    assert result.returncode == 0, result.stderr
    assert json.loads(save.read_text(encoding="utf-8"))["format"] == "decider-interview/1"


@pytest.mark.parametrize("resume", [[], ["--resume"]])
def test_the_autosave_never_overwrites_a_file_that_is_not_a_save(tmp_path: Path, resume: list[str]) -> None:
    """`--save answers.yaml` by mistake used to replace the answers with the autosave at the first answer."""
    mine = tmp_path / "answers.yaml"
    original = (ROOT / "examples" / "structured-output.yaml").read_bytes()
    mine.write_bytes(original)
    result = run_cli("interview", "--plain", *resume, "--save", str(mine), stdin="1\nq\n")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert mine.read_bytes() == original
    if not resume:
        assert result.stderr == (f"{mine}: exists and is not a saved interview; refusing to overwrite it with the "
                                 "autosave (choose another --save, or move the file)\n")


def test_a_directory_as_the_save_is_refused(tmp_path: Path) -> None:
    result = run_cli("interview", "--plain", "--save", str(tmp_path), stdin="q\n")
    assert result.returncode == 2 and result.stderr.startswith(f"{tmp_path}: is a folder; the autosave file needs a file name")
