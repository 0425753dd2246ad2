"""Reading audit inputs: a trace file (one JSON document) or a decision log (JSON lines).

Nothing here raises on bad content: every problem is returned as a located `Problem` naming
the file, the line and the record, so a command can report all inputs and pick the exit code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from decider.engine.trace import TRACE_FORMAT, Trace, digest_of
from decider.errors import Problem
from decider.reasoning.decision_log import LOG_FORMAT


class TraceEntry(BaseModel):
    """One trace to audit, and where it came from (a trace file, or a record of a log)."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int | None = None
    seq: int | None = None
    recorded_at: str | None = None
    digest: str = ""
    """The log record's digest (the trace's own digest is inside `trace`)."""
    trace: Trace

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


def read_audit_file(path: str | Path) -> AuditFile:
    """A trace file or a decision log, told apart by the `format` of its content."""
    name = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as exc:
        return _failed(name, f"cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return _failed(name, "not UTF-8 text, so neither a trace nor a decision log")
    if not text.strip():
        return _failed(name, "empty file: neither a trace nor a decision log")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if any(_format_of(line) == LOG_FORMAT for line in text.splitlines()[:8]):
            from decider.audit.log import read_log

            return read_log(name, text)
        return AuditFile(path=name, kind="unknown", problems=(_json_problem(name, text, exc),))
    kind = data.get("format") if isinstance(data, dict) else None
    if kind == LOG_FORMAT:
        from decider.audit.log import read_log

        return read_log(name, text)
    trace, problems = parse_trace(data, name)
    if trace is None:
        return AuditFile(path=name, kind="trace", problems=tuple(problems))
    return AuditFile(path=name, kind="trace", entries=(TraceEntry(path=name, trace=trace),), records=1)


def parse_trace(data: Any, path: str, line: int | None = None, item: str | None = None) -> tuple[Trace | None, list[Problem]]:
    """A Trace from JSON data, or the problems that prevent it (wrong format version, bad fields)."""
    if not isinstance(data, dict):
        return None, [Problem(message="not a decider trace (expected a JSON object)", path=path, line=line, item=item)]
    kind = data.get("format")
    if kind != TRACE_FORMAT:
        if isinstance(kind, str) and kind.startswith("decider-trace/"):
            message = f"unsupported trace format {kind!r}; this decider reads {TRACE_FORMAT}"
        else:
            message = f"not a decider trace: format is {kind!r}, expected {TRACE_FORMAT!r}"
        return None, [Problem(message=message, path=path, line=line, item=item)]
    try:
        trace = Trace.model_validate(data)
    except ValidationError as exc:
        return None, validation_problems(exc, path, line, item)
    if digest_of(data) != digest_of(trace.model_dump(mode="json")):
        return None, [Problem(message=f"holds content outside the {TRACE_FORMAT} format (unknown fields), "
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


def _format_of(line: str) -> Any:
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    return data.get("format") if isinstance(data, dict) else None


def _json_problem(path: str, text: str, exc: json.JSONDecodeError) -> Problem:
    rest = text[exc.pos:]
    if not rest.strip() or (exc.msg.startswith("Unterminated string") and '"' not in rest[1:]):
        message = "truncated: the JSON document ends before it is complete"
    else:
        message = f"not JSON: {exc.msg}"
    return Problem(message=message, path=path, line=exc.lineno, column=exc.colno)


def _failed(path: str, message: str) -> AuditFile:
    return AuditFile(path=path, kind="unknown", problems=(Problem(message=message, path=path),))
