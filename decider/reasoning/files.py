"""Writing result files atomically, and the exports of a finished interview (report and trace)."""

from __future__ import annotations

import os
import stat
import sys
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
    chart: Path | None = None
    """The economics chart written beside the report (None when the costs are not known or no report)."""


def write_atomic(path: Path, text: str) -> None:
    """Write a file atomically (temp file + rename), so a crash never leaves half a file."""
    with open_atomic(path) as handle:
        handle.write(text)


@contextmanager
def open_atomic(path: Path) -> Iterator[IO[str]]:
    """A text file to write in steps that appears at `path` only when complete (temp file + fsync + rename).

    `-` is standard output. A symlink is followed: its target is what gets replaced. What is not a
    regular file (a character device such as /dev/null or /dev/full, a FIFO, a socket) is written
    through, never replaced. A new file gets the mode the umask allows; a replaced one keeps its mode.
    A file system refusal becomes a DeciderError naming the path; other failures leave no file behind."""
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        target = Path(os.path.realpath(path))
        status: os.stat_result | None = target.stat()
    except FileNotFoundError:
        status = None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    except ValueError:  # a NUL byte in the path
        raise DeciderError([Problem(message="cannot write: the path holds a NUL byte", path=repr(str(path))[1:-1])]) from None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise DeciderError([Problem(message="cannot write: it is a directory", path=str(path))])
    if status is not None and not stat.S_ISREG(status.st_mode):
        with _write_through(path, target) as handle:
            yield handle
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.fchmod(fd, stat.S_IMODE(status.st_mode) if status is not None else 0o666 & ~_umask())
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _cannot_write(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _write_through(path: Path, target: Path) -> Iterator[IO[str]]:
    """Write straight into a device, FIFO or socket (no temp file, no rename, no fsync)."""
    try:
        with open(target, "w", encoding="utf-8", newline="") as handle:
            yield handle
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _cannot_write(path: Path, exc: OSError) -> DeciderError:
    return DeciderError([Problem(message=f"cannot write: {exc.strerror or exc}", path=str(path))])


def _umask() -> int:
    """The process umask, read without changing it where Linux tells it (os.umask sets it to read it)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def export(consultation: Consultation, report: Path | None, trace: Path | None, *, status: str | None = None) -> Exported:
    """Write the Markdown report (with its economics chart beside it, when the costs are known) and/or the
    JSON trace, whichever is given (new files get the mode the umask allows, as any saved file); `status`
    marks a provisional report (interview unfinished)."""
    report_path = report.resolve() if report else None
    trace_path = trace.resolve() if trace else None
    chart_path = None
    if report_path is not None:
        files = report_files(consultation, report_path.name, status=status)
        for name, text in files[1:]:
            chart_path = report_path.with_name(name)
            write_atomic(chart_path, text)
        write_atomic(report_path, files[0][1])
    if trace_path is not None:
        write_atomic(trace_path, consultation.trace.to_json() + "\n")
    return Exported(report=report_path, trace=trace_path, chart=chart_path)


def report_files(consultation: Consultation, report_name: str, *, status: str | None = None) -> list[tuple[str, str]]:
    """(file name, text) of the report and, when the costs are known, its economics SVG, which the report links."""
    from decider.reasoning.charts import economics_svg
    from decider.reasoning.economics import economics
    from decider.reasoning.report import render_markdown

    result = economics(consultation)
    if result is None:
        return [(report_name, render_markdown(consultation, status=status))]
    chart = chart_name(report_name)
    return [(report_name, render_markdown(consultation, chart, status=status)), (chart, economics_svg(result))]


def chart_name(report_name: str) -> str:
    """The economics chart's file name beside a report: `report.md` -> `report-economics.svg`."""
    return f"{Path(report_name).stem}-economics.svg"


def export_bundle(consultation: Consultation) -> bytes:
    """The report (with its chart) and the trace as one zip, for a browser to download as a single file."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, text in report_files(consultation, DEFAULT_REPORT.name):
            bundle.writestr(name, text)
        bundle.writestr("decider-trace.json", consultation.trace.to_json() + "\n")
    return buffer.getvalue()


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
