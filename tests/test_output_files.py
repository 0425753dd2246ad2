"""Result files: atomic for regular files, written through for devices and FIFOs, symlinks followed,
the umask's mode for new files (issue 16, item 3)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from decider import DeciderError
from decider.storage.atomic import open_atomic, write_atomic

from conftest import run_cli

ROWS = '{"format_failures": true}\n{"eval_harness": false}\n'


def test_a_character_device_is_written_through_not_replaced(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(ROWS)
    done = run_cli("batch", str(rows), "--out", "/dev/null")
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    full = run_cli("batch", str(rows), "--out", "/dev/full")  # was: /dev/full became a regular 0600 file (as root)
    assert full.returncode == 2 and "/dev/full: cannot write: No space left on device" in full.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_fifo_receives_the_output(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_atomic(fifo, "through the pipe\n")
    reader.join(10)
    assert received == ["through the pipe\n"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temporary file left next to it


def test_a_symlink_is_followed_and_its_target_replaced(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(link, "new\n")
    assert link.is_symlink() and target.read_text() == "new\n"


def test_new_files_get_the_umask_mode_and_replaced_ones_keep_theirs(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.txt", "x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o640
    kept = tmp_path / "kept.txt"
    kept.write_text("x")
    kept.chmod(0o604)
    write_atomic(kept, "y")
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o604 and kept.read_text() == "y"


def test_dash_is_standard_output_and_a_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_atomic(Path("-")) as out:
        out.write("to stdout\n")
    assert capsys.readouterr().out == "to stdout\n"
    with pytest.raises(DeciderError, match="it is a directory"):
        write_atomic(tmp_path, "x")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("step", ["fchmod", "fdopen"])
def test_an_interrupt_while_the_temporary_file_is_being_made_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """Ctrl+C can land just after the temporary file exists and before it is being written (seen under
    load: `batch` interrupted then left `.results.jsonl.*` behind); the file is removed all the same."""
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, step, interrupted)
    with pytest.raises(KeyboardInterrupt), open_atomic(tmp_path / "out.txt") as handle:
        handle.write("never")
    assert list(tmp_path.iterdir()) == []
