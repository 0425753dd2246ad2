"""Reading a decision log and checking its chain: every record whole, sealed, and linked to the one before."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from pydantic import ValidationError

from decider.audit.entries import AuditFile, TraceEntry, parse_trace, validation_problems
from decider.canonical import NotCanonical
from decider.policy.trace import TRACE_FORMATS, digest_of
from decider.errors import Problem
from decider.storage.decision_log import GENESIS, LOG_FORMAT, LOG_FORMATS, LogRecord, is_json, record_digest


MAX_LINE_BYTES = 64 * 1024 * 1024
"""A log line longer than this is a damaged record (read in pieces, never held whole)."""

_Chain = tuple[int, str, str]
"""(seq, previous, digest) of a record: all the chain check keeps of it."""


class LogScan:
    """Reads a decision log line by line: yields each record's trace as it goes, keeping only the
    chain links (seq, previous, digest), so a log of any length is verified in bounded memory."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.records = 0
        self._links: list[tuple[int, _Chain | None]] = []
        self._torn_at: int | None = None

    def entries(self, lines: Iterable[bytes | None]) -> Iterator[TraceEntry]:
        """The readable records' traces; `lines` are raw lines (None: longer than MAX_LINE_BYTES)."""
        path = self.path
        for number, raw in enumerate(lines, start=1):
            if raw is None:
                self._damaged(number, Problem(message=f"damaged record: longer than {MAX_LINE_BYTES:,} bytes",
                                              path=path, line=number, item=f"line {number}"))
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                self._damaged(number, Problem(message="damaged record: not UTF-8 text", path=path, line=number,
                                              item=f"line {number}"))
                continue
            if not line.strip():
                continue
            if not line.endswith("\n") and not is_json(line):  # the last line, and it was torn
                self._torn_at = number
                continue
            record, found, content_digest = _parse_record(path, number, line)
            self.problems += found
            self.records += 1
            self._links.append((number, None if record is None else (record.seq, record.previous, record.digest)))
            if record is not None:
                yield TraceEntry(path=path, line=number, seq=record.seq, recorded_at=record.recorded_at,
                                 digest=record.digest, record_format=record.format, content_digest=content_digest,
                                 trace=record.trace)

    def _damaged(self, number: int, problem: Problem) -> None:
        self.problems.append(problem)
        self.records += 1
        self._links.append((number, None))

    def result(self, entries: tuple[TraceEntry, ...] = ()) -> AuditFile:
        """The file's problems (records, chain, a torn end) once every line was read."""
        problems = list(self.problems)
        link: tuple[int, str] | None = (-1, GENESIS)
        lines_of = {chain[0]: number for number, chain in self._links if chain is not None}
        for number, chain in self._links:
            if chain is None:
                link = None  # the chain cannot be followed across a damaged record
                continue
            problems += _check_link(self.path, number, chain, link, lines_of)
            link = (chain[0], chain[2])
        if self._torn_at is not None:
            problems.append(Problem(
                message=f"truncated: the last record is incomplete (a write was interrupted); "
                        f"the {self.records} record(s) before it are intact",
                path=self.path, line=self._torn_at, item="last record"))
        problems.sort(key=lambda p: p.line or 0)
        return AuditFile(path=self.path, kind="log", entries=entries, problems=tuple(problems), records=self.records,
                         head=link[1] if link is not None else "")


def read_log(path: str, lines: Iterable[bytes | None]) -> AuditFile:
    """Every record of a log, with a problem for each damaged, edited, missing or misplaced record."""
    scan = LogScan(path)
    entries = tuple(scan.entries(lines))
    return scan.result(entries)


def _parse_record(path: str, number: int, line: str) -> tuple[LogRecord | None, list[Problem], str]:
    """The record on a line, the problems with it, and the digest of its trace as recorded ("" without a record)."""
    item = f"line {number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, [Problem(message=f"damaged record: not JSON ({exc.msg}, column {exc.colno})",
                              path=path, line=number, item=item)], ""
    except (ValueError, RecursionError) as exc:  # a number of over 4,300 digits; nesting too deep
        detail = str(exc).split(";")[0] if isinstance(exc, ValueError) else "nested too deeply"
        return None, [Problem(message=f"damaged record: {detail}", path=path, line=number, item=item)], ""
    if not isinstance(data, dict) or data.get("format") not in LOG_FORMATS:
        kind = data.get("format") if isinstance(data, dict) else None
        return None, [Problem(message=f"not a decision-log record: format is {kind!r}, expected {LOG_FORMAT!r}",
                              path=path, line=number, item=item)], ""
    if isinstance(data.get("seq"), int):
        item = f"record {data['seq']}"
    trace = data.get("trace")
    if isinstance(trace, dict) and trace.get("format") not in TRACE_FORMATS:
        return None, parse_trace(trace, path, number, item)[1], ""
    try:
        record = LogRecord.model_validate(data)
    except ValidationError as exc:
        return None, validation_problems(exc, path, number, item), ""
    try:
        edited = record_digest(data) != record.digest
        content_digest = digest_of(data["trace"])
    except NotCanonical as exc:
        return None, [Problem(message=f"damaged record: {exc}", path=path, line=number, item=item)], ""
    if edited:
        return record, [Problem(message=f"record {record.seq} was edited: its digest does not match its content",
                                path=path, line=number, item=item)], content_digest
    return record, [], content_digest


def _check_link(path: str, number: int, chain: _Chain, link: tuple[int, str] | None,
                lines_of: dict[int, int]) -> list[Problem]:
    """Whether the record follows `link` (seq, digest): the next seq, pointing at its digest; names
    what is missing or misplaced."""
    seq, previous, _ = chain
    item = f"record {seq}"
    if link is None:
        return []
    expected = link[0] + 1
    where = "at the start of the log" if link[0] < 0 else f"after record {link[0]}"
    if seq > expected:
        skipped = range(expected, seq)
        later = [s for s in skipped if lines_of.get(s, 0) > number]
        if later:
            message = (f"chain broken: record {seq} appears {where}, but record {later[0]} comes later "
                       f"(line {lines_of[later[0]]}): records reordered")
        else:
            missing = f"record {expected}" if seq == expected + 1 else f"records {expected}–{seq - 1}"
            message = f"chain broken: {missing} missing {where} (deleted)"
    elif seq < expected:
        message = f"chain broken: record {seq} appears {where} (records reordered or duplicated)"
    elif previous != link[1]:
        message = (f"chain broken: record {seq} does not link to the record before it "
                   "(that record was replaced or edited)")
    else:
        return []
    return [Problem(message=message, path=path, line=number, item=item)]
