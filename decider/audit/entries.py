"""What audit inputs hold once read: traces with where they came from, and located problems."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from decider.canonical import NotCanonical
from decider.policy.trace import TRACE_FORMAT, TRACE_FORMATS, Trace, digest_of
from decider.errors import Problem


class TraceEntry(BaseModel):
    """One trace to audit, and where it came from (a trace file, or a record of a log)."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int | None = None
    seq: int | None = None
    recorded_at: str | None = None
    digest: str = ""
    """The log record's digest (the trace's own digest is inside `trace`)."""
    record_format: str | None = None
    """The log record's format (`decider-log/1` or `/2`); None for a trace file."""
    content_digest: str
    """The digest of the trace as recorded (its JSON data): what its seal is checked against. Re-serialising
    through today's model would add fields a newer decider has (with their defaults) to an older trace."""
    trace: Trace

    @property
    def formats(self) -> str:
        """The formats read for this trace: the record's and the trace's (e.g. `decider-log/2, decider-trace/2`)."""
        return ", ".join(f for f in (self.record_format, self.trace.format) if f)

    @property
    def label(self) -> str:
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line} (record {self.seq})"


class AuditFile(BaseModel):
    """What a file held: its traces, and every problem found reading it (chain breaks included)."""

    model_config = ConfigDict(frozen=True)

    path: str
    kind: Literal["trace", "log", "unknown"]
    entries: tuple[TraceEntry, ...] = ()
    problems: tuple[Problem, ...] = ()
    records: int = 0
    head: str = ""
    """A log's last record digest: keep it elsewhere to detect a later truncation of the log."""


def parse_trace(data: Any, path: str, line: int | None = None, item: str | None = None) -> tuple[Trace | None, list[Problem]]:
    """A Trace from JSON data, or the problems that prevent it (wrong format version, bad fields)."""
    if not isinstance(data, dict):
        return None, [Problem(message="not a decider trace (expected a JSON object)", path=path, line=line, item=item)]
    kind = data.get("format")
    if kind not in TRACE_FORMATS:
        if isinstance(kind, str) and kind.startswith("decider-trace/"):
            message = f"unsupported trace format {kind!r}; this decider reads {' and '.join(TRACE_FORMATS)}"
        else:
            message = f"not a decider trace: format is {kind!r}, expected {TRACE_FORMAT!r}"
        return None, [Problem(message=message, path=path, line=line, item=item)]
    try:
        trace = Trace.model_validate(data)
    except ValidationError as exc:
        return None, validation_problems(exc, path, line, item)
    try:
        outside = digest_of(data) != digest_of(trace.model_dump(mode="json", exclude_unset=True))
    except NotCanonical as exc:
        return None, [Problem(message=f"not a sealable trace: {exc}", path=path, line=line, item=item)]
    if outside:
        return None, [Problem(message=f"holds content outside the {trace.format} format (unknown fields), "
                                      "which its digest would not cover", path=path, line=line, item=item)]
    return trace, []


def validation_problems(exc: ValidationError, path: str, line: int | None, item: str | None,
                        prefix: str = "") -> list[Problem]:
    """One problem per pydantic error, naming the field path (e.g. `firings[2].rule`)."""
    problems = []
    for error in exc.errors()[:10]:
        where = prefix + _field_path(error["loc"])
        problems.append(Problem(message=f"{where or 'document'}: {error['msg']}", path=path, line=line, item=item))
    return problems


def _field_path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not text:
            text = str(part)
        else:
            text += f".{part}"
    return text
