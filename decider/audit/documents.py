"""Reading audit inputs: a trace file (one JSON document) or a decision log (JSON lines).

Nothing here raises on bad content: every problem is returned as a located `Problem` naming
the file, the line and the record, so a command can report all inputs and pick the exit code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from decider.audit.entries import AuditFile, TraceEntry, parse_trace
from decider.audit.log import read_log
from decider.errors import Problem
from decider.reasoning.decision_log import LOG_FORMATS

_DECLARED = re.compile(r'^\s*\{\s*"format"\s*:\s*"([^"]+)"')

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
    if declared_format(text) in LOG_FORMATS:
        return read_log(name, text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return AuditFile(path=name, kind="unknown", problems=(_json_problem(name, text, exc),))
    trace, problems = parse_trace(data, name)
    if trace is None:
        return AuditFile(path=name, kind="trace", problems=tuple(problems))
    return AuditFile(path=name, kind="trace", entries=(TraceEntry(path=name, trace=trace),), records=1)


def declared_format(text: str) -> str | None:
    """The `format` the content declares: a whole JSON document's, a log's (from its first lines), or,
    for a damaged document, the one written near its start; None for anything else (e.g. answers)."""
    try:
        return _format_of(json.loads(text))
    except json.JSONDecodeError:
        pass
    for line in text.splitlines()[:8]:
        try:
            kind = _format_of(json.loads(line))
            if kind in LOG_FORMATS:
                return kind
        except json.JSONDecodeError:
            continue
    found = _DECLARED.search(text[:4096])
    return found.group(1) if found else None


def _format_of(data: Any) -> str | None:
    found = data.get("format") if isinstance(data, dict) else None
    return found if isinstance(found, str) else None


def _json_problem(path: str, text: str, exc: json.JSONDecodeError) -> Problem:
    rest = text[exc.pos:]
    if not rest.strip() or (exc.msg.startswith("Unterminated string") and '"' not in rest[1:]):
        message = "truncated: the JSON document ends before it is complete"
    else:
        message = f"not JSON: {exc.msg}"
    return Problem(message=message, path=path, line=exc.lineno, column=exc.colno)


def _failed(path: str, message: str) -> AuditFile:
    return AuditFile(path=path, kind="unknown", problems=(Problem(message=message, path=path),))
