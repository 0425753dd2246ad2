"""Reading audit inputs: a trace file (one JSON document) or a decision log (JSON lines).

Nothing here raises on bad content: every problem is returned as a located `Problem` naming
the file, the line and the record, so a command can report all inputs and pick the exit code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from decider.audit.entries import AuditFile, TraceEntry, parse_trace
from decider.audit.log import MAX_LINE_BYTES, LogScan, read_log
from decider.policy.trace import digest_of
from decider.errors import Problem
from decider.storage.decision_log import LOG_FORMATS
from decider.rulebase.bounded import MAX_DOCUMENT_BYTES, TooLarge, bounded_lines, read_stream, size_text

_DECLARED = re.compile(r'^\s*\{\s*"format"\s*:\s*"([^"]+)"')

def read_audit_file(path: str | Path) -> AuditFile:
    """A trace file or a decision log, told apart by the `format` of its content (all traces kept)."""
    entries, finish = stream_audit_file(path)
    kept = tuple(entries)
    found = finish()
    return found.model_copy(update={"entries": kept}) if found.kind == "log" else found


def stream_audit_file(path: str | Path) -> tuple[Iterator[TraceEntry], Callable[[], AuditFile]]:
    """The traces a file holds, one at a time, and a call that (once they are consumed) gives the file's
    problems, without its entries. A log is read line by line, so verifying it takes bounded memory."""
    name = str(path)
    try:
        handle = open(path, "rb")
    except OSError as exc:
        return _done(_failed(name, f"cannot read: {exc.strerror or exc}"))
    try:
        head = handle.read(_HEAD_BYTES)
        if _is_log(head) and handle.seekable():
            handle.seek(0)
            scan = LogScan(name)
            return _closing(scan.entries(bounded_lines(handle, MAX_LINE_BYTES)), handle), scan.result
        data = head + read_stream(handle, MAX_DOCUMENT_BYTES - len(head)) if len(head) == _HEAD_BYTES else head
    except TooLarge:
        handle.close()
        return _done(_failed(name, f"larger than {size_text(MAX_DOCUMENT_BYTES)} and not a decision log"))
    except OSError as exc:
        handle.close()
        return _done(_failed(name, f"cannot read: {exc.strerror or exc}"))
    handle.close()
    found = _read_document(name, data)
    return iter(found.entries), lambda: found


_HEAD_BYTES = 1024 * 1024


def _read_document(name: str, data: bytes) -> AuditFile:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _failed(name, "not UTF-8 text, so neither a trace nor a decision log")
    if not text.strip():
        return _failed(name, "empty file: neither a trace nor a decision log")
    if declared_format(text) in LOG_FORMATS:
        return read_log(name, (line.encode("utf-8") for line in text.splitlines(keepends=True)))
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        return AuditFile(path=name, kind="unknown", problems=(_json_problem(name, text, exc),))
    except RecursionError:
        return _failed(name, "nested too deeply: not a decider trace")
    except ValueError as exc:  # a number of over 4,300 digits
        return _failed(name, f"not a decider trace: {str(exc).split(';')[0]}")
    trace, problems = parse_trace(parsed, name)
    if trace is None:
        return AuditFile(path=name, kind="trace", problems=tuple(problems))
    entry = TraceEntry(path=name, trace=trace, content_digest=digest_of(parsed))
    return AuditFile(path=name, kind="trace", entries=(entry,), records=1)


def _is_log(head: bytes) -> bool:
    """Whether the start of a file is a decision log's (a first line that declares the log format)."""
    text = head.decode("utf-8", errors="replace")
    for line in text.splitlines()[:8]:
        try:
            if _format_of(json.loads(line)) in LOG_FORMATS:
                return True
        except (ValueError, RecursionError):
            continue
    found = _DECLARED.search(text[:4096])
    return found is not None and found.group(1) in LOG_FORMATS


def _closing(entries: Iterator[TraceEntry], handle: IO[bytes]) -> Iterator[TraceEntry]:
    with handle:
        yield from entries


def _done(found: AuditFile) -> tuple[Iterator[TraceEntry], Callable[[], AuditFile]]:
    return iter(()), lambda: found


def declared_format(text: str) -> str | None:
    """The `format` the content declares: a whole JSON document's, a log's (from its first lines), or,
    for a damaged document, the one written near its start; None for anything else (e.g. answers)."""
    try:
        return _format_of(json.loads(text))
    except (ValueError, RecursionError):
        pass
    for line in text.splitlines()[:8]:
        try:
            kind = _format_of(json.loads(line))
            if kind in LOG_FORMATS:
                return kind
        except (ValueError, RecursionError):
            continue
    found = _DECLARED.search(text[:4096])
    return found.group(1) if found else None


def _format_of(data: Any) -> str | None:
    found = data.get("format") if isinstance(data, dict) else None
    return found if isinstance(found, str) else None


def _json_problem(path: str, text: str, exc: json.JSONDecodeError) -> Problem:
    rest = text[exc.pos:]
    tail = rest.rstrip()  # a literal or a number cut short at the end: `tr`, `fals`, `1.`, `2e-`
    cut_literal = exc.msg.startswith("Expecting") and (any(w.startswith(tail) for w in ("true", "false", "null"))
                                                       or set(tail) <= set("0123456789+-.eE"))
    if not rest.strip() or cut_literal or (exc.msg.startswith("Unterminated string") and '"' not in rest[1:]):
        message = "truncated: the JSON document ends before it is complete"
    else:
        message = f"not JSON: {exc.msg}"
    return Problem(message=message, path=path, line=exc.lineno, column=exc.colno)


def _failed(path: str, message: str) -> AuditFile:
    return AuditFile(path=path, kind="unknown", problems=(Problem(message=message, path=path),))
