"""The append-only decision log: one sealed JSON line per consultation, chained by digests.

Each record wraps a trace and carries the digest of the record before it (`previous`) inside
its own digested part, so an edited, deleted or reordered record breaks the chain.  Writers
append under an exclusive advisory lock (`fcntl.flock`) held across "read the last record,
write the new one", and each record goes out in one `os.write` on an O_APPEND descriptor and
is fsync'ed: concurrent processes keep one consistent chain, and a crash mid-write can only
leave an incomplete last line, never damage an earlier record.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from decider.engine.trace import Trace, digest_of
from decider.errors import DeciderError, Problem

LOG_FORMAT: Literal["decider-log/1"] = "decider-log/1"
GENESIS = ""
"""The `previous` of a log's first record."""

_TAIL_CHUNK = 64 * 1024


class LogRecord(BaseModel):
    """One line of a decision log: a trace, its place in the chain, and a digest over both.
    `digest` covers every field except itself and `recorded_at`."""

    model_config = ConfigDict(frozen=True)

    format: Literal["decider-log/1"] = LOG_FORMAT
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
    return digest_of(data)


def append_trace(path: str | Path, trace: Trace) -> LogRecord:
    """Append `trace` to the log at `path` (created if missing) as the next record of its chain."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DeciderError([Problem(message=f"cannot open the decision log: {exc.strerror or exc}", path=str(target))]) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            seq, previous = _chain_end(fd, str(target))
            record = LogRecord(
                seq=seq, previous=previous, trace=trace.model_copy(update={"recorded_at": None}),
                recorded_at=datetime.now(timezone.utc).isoformat(timespec="microseconds"),
            ).sealed()
            _write_all(fd, (record.model_dump_json() + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError as exc:
        raise DeciderError([Problem(message=f"cannot append to the decision log: {exc.strerror or exc}",
                                    path=str(target))]) from None
    finally:
        os.close(fd)
    return record


def _chain_end(fd: int, path: str) -> tuple[int, str]:
    """(next seq, digest of the last record). Repairs only what is provably torn: a last line that
    does not parse as JSON (no prefix of a record does) was never committed and is cut off; a whole
    last record whose newline is missing gets its newline; blank lines are skipped, as verify does."""
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        start = _last_newline(fd, size) + 1
        if _parses(os.pread(fd, size - start, start)):
            _write_all(fd, b"\n")  # under the lock, so no live writer is mid-record
        else:
            # A writer died mid-record (it held the lock, so no live writer is mid-write): that
            # record was never committed, so it is cut off and the chain continues before it.
            os.ftruncate(fd, start)
    last = _last_content(fd, os.fstat(fd).st_size)
    if last < 0:
        return 0, GENESIS
    start = _last_newline(fd, last) + 1
    line = os.pread(fd, last + 1 - start, start)
    try:
        data = json.loads(line)
        return int(data["seq"]) + 1, str(data["digest"])
    except (ValueError, KeyError, TypeError, RecursionError):
        raise DeciderError([Problem(
            message="the last record is not a valid log record; refusing to extend a damaged chain "
                    "(check it with `decider audit verify`)", path=path)]) from None


def _parses(text: bytes) -> bool:
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
        chunk = os.pread(fd, position - start, start).rstrip()
        if chunk:
            return start + len(chunk) - 1
        position = start
    return -1


def _last_newline(fd: int, end: int) -> int:
    """Offset of the last b'\\n' before `end`, or -1 when there is none."""
    position = end
    while position > 0:
        start = max(0, position - _TAIL_CHUNK)
        chunk = os.pread(fd, position - start, start)
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
