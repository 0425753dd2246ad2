"""Writing result files atomically, and the exports of a finished interview (report and trace)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from pydantic import BaseModel, ConfigDict

from decider.errors import DeciderError, Problem
from decider.reasoning.consultation import Consultation

DEFAULT_REPORT = Path("decider-report.md")
"""What the TUI's export suggests first (in the current directory; never overwritten without asking)."""


class Exported(BaseModel):
    """Where an export put the report and the trace (None for the one not asked for)."""

    model_config = ConfigDict(frozen=True)

    report: Path | None = None
    trace: Path | None = None


def write_atomic(path: Path, text: str) -> None:
    """Write a file atomically (temp file + rename), so a crash never leaves half a file."""
    with open_atomic(path) as handle:
        handle.write(text)


@contextmanager
def open_atomic(path: Path) -> Iterator[IO[str]]:
    """A text file to write in steps that appears at `path` only when complete (temp file + fsync + rename).

    A file system refusal becomes a DeciderError naming the path; other failures leave no file behind."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise DeciderError([Problem(message=f"cannot write: {exc.strerror or exc}", path=str(path))]) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DeciderError([Problem(message=f"cannot write: {exc.strerror or exc}", path=str(path))]) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export(consultation: Consultation, report: Path | None, trace: Path | None, *, status: str | None = None) -> Exported:
    """Write the Markdown report and/or the JSON trace, whichever is given, readable like any file the
    user saves (not the 0600 of a temp file); `status` marks a provisional report (interview unfinished)."""
    from decider.reasoning.report import render_markdown

    report_path = report.resolve() if report else None
    trace_path = trace.resolve() if trace else None
    if report_path is not None:
        write_atomic(report_path, render_markdown(consultation, status=status))
        _usual_mode(report_path)
    if trace_path is not None:
        write_atomic(trace_path, consultation.trace.to_json() + "\n")
        _usual_mode(trace_path)
    return Exported(report=report_path, trace=trace_path)


def free_path(wanted: Path) -> Path:
    """`wanted`, or the first of name-2, name-3 … that does not exist yet (a suggestion never overwrites)."""
    if not wanted.exists():
        return wanted
    for number in range(2, 10_000):
        candidate = wanted.with_name(f"{wanted.stem}-{number}{wanted.suffix}")
        if not candidate.exists():
            return candidate
    return wanted


def trace_beside(report: Path) -> Path:
    """The trace file that goes with a report: same folder and name, `.trace.json`."""
    return report.with_name(f"{report.stem}.trace.json")


def _usual_mode(path: Path) -> None:
    mask = os.umask(0)
    os.umask(mask)
    try:
        path.chmod(0o666 & ~mask)
    except OSError:  # pragma: no cover - the file was just written by us
        pass
