"""The process under faults: a reader that goes away, a full disk on stdout, SIGTERM/SIGHUP during a
batch (issue 16, items 8, 9 and 12)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, write_rulebase

BAD_RULES = {"main.yaml": "rulebase: {id: x, version: '1', title: t}\nquestions: []\nrules: [{id: r}]\n"}


def run_with_closed_stdout(*args: str) -> int:
    """Run decider with its stdout a pipe whose reader is already gone (as `| head -1` after one line)."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-m", "decider", *args], stdout=write, stderr=subprocess.PIPE,
                              cwd=ROOT, timeout=120)
    finally:
        os.close(write)
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr, done.stderr
    return done.returncode


def test_a_broken_pipe_keeps_the_real_exit_status(tmp_path: Path) -> None:
    bad = write_rulebase(tmp_path / "bad", BAD_RULES)
    assert run_with_closed_stdout("lint", str(bad)) == 1  # was: 0
    assert run_with_closed_stdout("questions") == 0


def test_a_full_disk_on_stdout_is_reported_not_an_internal_error() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "decider", "questions"], stdout=full, stderr=subprocess.PIPE,
                              text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "<stdout>: cannot write: No space left on device" in done.stderr, done.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_and_sighup_during_a_batch_clean_up_like_sigint(tmp_path: Path, signum: int, jobs: str) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps({"example_count": i}) + "\n" for i in range(200_000)))
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "decider", "batch", str(rows), "--out", str(out), "--jobs", jobs],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".out.jsonl.") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)  # was: hung (orphaned workers kept stderr open)
    assert process.returncode == 128 + signum, stderr
    assert b"interrupted" in stderr and b"Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.jsonl"]  # no temporary file, no partial output
    # a process of the group may still be on its way out when the batch has exited (seen under load as
    # "R [python]": no command line left, memory already released); an orphan would stay, so wait a little
    deadline = time.monotonic() + 10
    while True:
        group = subprocess.run(["ps", "-o", "stat=,pid=,args=", "-g", str(process.pid)], capture_output=True, text=True)
        alive = [line for line in group.stdout.splitlines() if not line.startswith("Z")]  # zombies are already dead
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert alive == [], "processes outlived the batch"


CTRL_C_WHILE_LOADING = """
import runpy, sys
class CtrlC:  # Ctrl-C arriving while Python imports the command line
    def find_spec(self, name, path=None, target=None):
        if name == "decider.cli.main":
            raise KeyboardInterrupt
sys.meta_path.insert(0, CtrlC())
sys.argv = ["decider", "questions"]
runpy.run_module("decider", run_name="__main__")
"""


def test_ctrl_c_while_loading_prints_interrupted_not_a_traceback() -> None:
    """CHANGELOG 0.2.0: `python -m decider` interrupted while loading prints `interrupted` (exit 130)."""
    done = subprocess.run([sys.executable, "-c", CTRL_C_WHILE_LOADING], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (130, "interrupted\n", "")
