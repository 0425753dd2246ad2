"""Reading a decision log and checking its chain: every record whole, sealed, and linked to the one before."""

from __future__ import annotations

import json

from pydantic import ValidationError

from decider.audit.entries import AuditFile, TraceEntry, parse_trace, validation_problems
from decider.engine.trace import TRACE_FORMAT
from decider.errors import Problem
from decider.reasoning.decision_log import GENESIS, LOG_FORMAT, LogRecord, record_digest


class _Link:
    """The last record the chain was checked up to."""

    def __init__(self, seq: int, digest: str) -> None:
        self.seq = seq
        self.digest = digest


def read_log(path: str, text: str) -> AuditFile:
    """Every record of a log, with a problem for each damaged, edited, missing or misplaced record."""
    lines = text.split("\n")
    torn = lines.pop() if lines else ""
    if torn.strip() and _parses(torn):
        lines.append(torn)  # a whole last record whose newline is missing: appending keeps it too
        torn = ""
    entries: list[TraceEntry] = []
    problems: list[Problem] = []
    link: _Link | None = _Link(-1, GENESIS)
    parsed: list[tuple[int, LogRecord | None]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record, found = _parse_record(path, number, line)
        problems += found
        parsed.append((number, record))
    records = len(parsed)
    lines_of = {record.seq: number for number, record in parsed if record is not None}
    for number, record in parsed:
        if record is None:
            link = None  # the chain cannot be followed across a damaged record
            continue
        problems += _check_link(path, number, record, link, lines_of)
        link = _Link(record.seq, record.digest)
        entries.append(TraceEntry(path=path, line=number, seq=record.seq, recorded_at=record.recorded_at,
                                  digest=record.digest, trace=record.trace))
    if torn.strip():
        problems.append(Problem(
            message=f"truncated: the last record is incomplete (a write was interrupted); "
                    f"the {records} record(s) before it are intact",
            path=path, line=len(lines) + 1, item="last record"))
    head = link.digest if link is not None else ""
    return AuditFile(path=path, kind="log", entries=tuple(entries), problems=tuple(problems), records=records, head=head)


def _parses(text: str) -> bool:
    """Whether text is JSON: no prefix of a record is, so a last line that is not was torn by a crash."""
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _parse_record(path: str, number: int, line: str) -> tuple[LogRecord | None, list[Problem]]:
    item = f"line {number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, [Problem(message=f"damaged record: not JSON ({exc.msg}, column {exc.colno})",
                              path=path, line=number, item=item)]
    if not isinstance(data, dict) or data.get("format") != LOG_FORMAT:
        kind = data.get("format") if isinstance(data, dict) else None
        return None, [Problem(message=f"not a decision-log record: format is {kind!r}, expected {LOG_FORMAT!r}",
                              path=path, line=number, item=item)]
    if isinstance(data.get("seq"), int):
        item = f"record {data['seq']}"
    trace = data.get("trace")
    if isinstance(trace, dict) and trace.get("format") != TRACE_FORMAT:
        return None, parse_trace(trace, path, number, item)[1]
    try:
        record = LogRecord.model_validate(data)
    except ValidationError as exc:
        return None, validation_problems(exc, path, number, item)
    if record_digest(data) != record.digest:
        return record, [Problem(message=f"record {record.seq} was edited: its digest does not match its content",
                                path=path, line=number, item=item)]
    return record, []


def _check_link(path: str, number: int, record: LogRecord, link: _Link | None, lines_of: dict[int, int]) -> list[Problem]:
    """Whether `record` follows `link`: the next seq, pointing at its digest; names what is missing or misplaced."""
    item = f"record {record.seq}"
    if link is None:
        return []
    expected = link.seq + 1
    where = "at the start of the log" if link.seq < 0 else f"after record {link.seq}"
    if record.seq > expected:
        skipped = range(expected, record.seq)
        later = [seq for seq in skipped if lines_of.get(seq, 0) > number]
        if later:
            message = (f"chain broken: record {record.seq} appears {where}, but record {later[0]} comes later "
                       f"(line {lines_of[later[0]]}): records reordered")
        else:
            missing = f"record {expected}" if record.seq == expected + 1 else f"records {expected}–{record.seq - 1}"
            message = f"chain broken: {missing} missing {where} (deleted)"
    elif record.seq < expected:
        message = f"chain broken: record {record.seq} appears {where} (records reordered or duplicated)"
    elif record.previous != link.digest:
        message = (f"chain broken: record {record.seq} does not link to the record before it "
                   "(that record was replaced or edited)")
    else:
        return []
    return [Problem(message=message, path=path, line=number, item=item)]
