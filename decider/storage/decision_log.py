"""The append-only decision log: one sealed JSON line per consultation, chained by digests.

Each record wraps a trace and carries the digest of the record before it (`previous`) inside
its own digested part, so an edited, deleted or reordered record breaks the chain.  Writers
append under an exclusive lock (`portalocker`: `flock` on POSIX, `LockFileEx` on Windows) held
across "read the last record, write the new one", and each record goes out in one `os.write` on
an O_APPEND descriptor and is fsync'ed (and the directory too when the write created the log):
concurrent processes keep one consistent chain, and a crash mid-write can only leave an
incomplete last line, never damage an earlier record.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import portalocker
from pydantic import BaseModel, ConfigDict, Field

from decider.canonical import sha256_hex
from decider.policy.trace import Trace, scheme_of
from decider.errors import DeciderError, Problem

LogFormat = Literal["decider-log/1", "decider-log/2"]
LOG_FORMAT: LogFormat = "decider-log/2"
"""The format decider writes: digests over RFC 8785 canonical JSON."""
LOG_FORMAT_V1: LogFormat = "decider-log/1"
"""Written before 0.2.0, digested over decider's earlier canonical form; still read and verified."""
LOG_FORMATS: tuple[LogFormat, ...] = (LOG_FORMAT_V1, LOG_FORMAT)
GENESIS = ""
"""The `previous` of a log's first record."""

_TAIL_CHUNK = 64 * 1024
_O_BINARY = getattr(os, "O_BINARY", 0)
"""Windows: no newline translation."""


class LogRecord(BaseModel):
    """One line of a decision log: a trace, its place in the chain, and a digest over both.
    `digest` covers every field except itself and `recorded_at`."""

    model_config = ConfigDict(frozen=True)

    format: LogFormat = LOG_FORMAT
    seq: int = Field(ge=0, description="Position in the log, from 0.")
    previous: str = Field(description="Digest of the record before this one ('' for the first).")
    trace: Trace
    digest: str = ""
    recorded_at: str | None = Field(default=None, description="Not covered by the digest.")

    def compute_digest(self) -> str:
        """sha256 over the canonical JSON of the digested fields."""
        return record_digest(self.model_dump(mode="json"))

    def sealed(self) -> "LogRecord":
        return self.model_copy(update={"digest": self.compute_digest()})


def record_digest(data: dict[str, Any]) -> str:
    """The digest of a log record given as JSON data (its `digest` and `recorded_at` ignored,
    and the wrapped trace's `recorded_at` too)."""
    trace = data.get("trace")
    if isinstance(trace, dict):
        data = {**data, "trace": {k: v for k, v in trace.items() if k != "recorded_at"}}
    body = {k: v for k, v in data.items() if k not in ("digest", "recorded_at")}
    return sha256_hex(body, scheme_of(str(data.get("format", LOG_FORMAT))))


def append_trace(path: str | Path, trace: Trace) -> LogRecord:
    """Append `trace` to the log at `path` (created if missing) as the next record of its chain."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT | _O_BINARY, 0o644)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DeciderError([Problem(message=f"cannot open the decision log: {message}", path=repr(str(target))[1:-1])]) from None
    try:
        portalocker.lock(fd, portalocker.LockFlags.EXCLUSIVE)
        try:
            seq, previous = _chain_end(fd, str(target))
            record = LogRecord(
                seq=seq, previous=previous, trace=trace.model_copy(update={"recorded_at": None}),
                recorded_at=datetime.now(UTC).isoformat(timespec="microseconds"),
            ).sealed()
            _write_all(fd, (record.model_dump_json() + "\n").encode("utf-8"))
            os.fsync(fd)
            if seq == 0:  # this write may have created the log: make its directory entry durable too
                _fsync_directory(target.parent)
        finally:
            portalocker.unlock(fd)
    except (OSError, portalocker.LockException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise DeciderError([Problem(message=f"cannot append to the decision log: {reason}", path=str(target))]) from None
    finally:
        os.close(fd)
    return record


def _fsync_directory(directory: Path) -> None:
    """fsync a directory, so that a file just created in it survives a crash (POSIX; Windows has no such call)."""
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_at(fd: int, size: int, offset: int) -> bytes:
    """`size` bytes at `offset` (os.pread where it exists; a seek and read elsewhere, under the log's lock)."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, size)


def _chain_end(fd: int, path: str) -> tuple[int, str]:
    """(next seq, digest of the last record). Repairs only what is provably torn: a last line that
    does not parse as JSON (no prefix of a record does) was never committed and is cut off; a whole
    last record whose newline is missing gets its newline; blank lines are skipped, as verify does."""
    size = os.fstat(fd).st_size
    if size and _read_at(fd, 1, size - 1) != b"\n":
        start = _last_newline(fd, size) + 1
        if is_json(_read_at(fd, size - start, start)):
            _write_all(fd, b"\n")  # under the lock, so no live writer is mid-record
        else:
            # A writer died mid-record (it held the lock, so no live writer is mid-write): that
            # record was never committed, so it is cut off and the chain continues before it.
            os.ftruncate(fd, start)
    last = _last_content(fd, os.fstat(fd).st_size)
    if last < 0:
        return 0, GENESIS
    start = _last_newline(fd, last) + 1
    line = _read_at(fd, last + 1 - start, start)
    try:
        data = json.loads(line)
        return int(data["seq"]) + 1, str(data["digest"])
    except (ValueError, KeyError, TypeError, RecursionError):
        raise DeciderError([Problem(
            message="the last record is not a valid log record; refusing to extend a damaged chain "
                    "(check it with `decider audit verify`)", path=path)]) from None


def is_json(text: str | bytes) -> bool:
    """Whether a last line is whole: no prefix of a record parses as JSON, so one that does not was torn
    by a crash (the writer repairing the chain end and the reader verifying it decide alike)."""
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _last_content(fd: int, end: int) -> int:
    """Offset of the last byte before `end` that is not white space, or -1 when there is none."""
    position = end
    while position > 0:
        start = max(0, position - _TAIL_CHUNK)
        chunk = _read_at(fd, position - start, start).rstrip()
        if chunk:
            return start + len(chunk) - 1
        position = start
    return -1


def _last_newline(fd: int, end: int) -> int:
    """Offset of the last b'\\n' before `end`, or -1 when there is none."""
    position = end
    while position > 0:
        start = max(0, position - _TAIL_CHUNK)
        chunk = _read_at(fd, position - start, start)
        found = chunk.rfind(b"\n")
        if found >= 0:
            return start + found
        position = start
    return -1


def _write_all(fd: int, data: bytes) -> None:
    """One os.write per record; loop only if the kernel wrote part of it (e.g. on a signal)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
