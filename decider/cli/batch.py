"""`decider batch INPUT`: consult the rulebase for every profile of a JSONL or CSV file, in order.

One result per input row, in the same order. A row that cannot be read or consulted yields an
error result naming the row and the problem; the other rows still complete (exit code 0 when
every row succeeded, 2 when some failed). A progress bar is shown only on a terminal.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from decider.cli.options import add_rules, number_in

if TYPE_CHECKING:
    from decider.reasoning.batch import BatchResult, Profile
    from decider.reasoning.portfolio import PortfolioCounter

CSV_COLUMNS = ("row", "ok", "primary", "confidence", "complementary", "risks", "error")


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "batch", help="consult the rulebase for every profile in a JSONL or CSV file",
        description="One consultation per input line (JSONL: one answers object per line) or row (CSV: a header of "
                    "question ids, one profile per row; empty cell = unanswered). Results keep the input order.")
    parser.add_argument("input", metavar="INPUT", help="profiles file (.jsonl or .csv), or - for stdin")
    add_rules(parser)
    parser.add_argument("--input-format", choices=("jsonl", "csv"), help="input format (default: from the file name)")
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="output format (default jsonl)")
    parser.add_argument("--out", metavar="FILE", help="write results to FILE (written atomically) instead of stdout")
    parser.add_argument("--summary", metavar="FILE",
                        help="also write a portfolio summary (counts per recommendation and confidence, most frequent "
                             "risks and prerequisites, with a chart): FILE.html is one page, any other name Markdown with "
                             "an SVG chart beside it; the summary table is printed on stderr")
    parser.add_argument("--jobs", type=number_in(int, 1, None, "a whole number of at least 1"), default=1, metavar="N",
                        help="worker processes (default 1); also isolates the run from engine crashes")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from decider.cli.inputs import load_rules, open_atomic
    from decider.errors import DeciderError, Problem
    from decider.reasoning.batch import consult_many
    from decider.reasoning.portfolio import PortfolioCounter

    rulebase = load_rules(args.rules)
    kind = args.input_format or ("csv" if str(args.input).lower().endswith(".csv") else "jsonl")
    label = "<stdin>" if args.input == "-" else args.input
    try:
        # surrogateescape: a byte that is not UTF-8 fails only its own row (see _not_utf8), not the batch
        handle: IO[str] = (io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape", newline="")
                           if args.input == "-" else
                           open(args.input, encoding="utf-8", errors="surrogateescape", newline=""))
    except OSError as exc:
        raise DeciderError([Problem(message=f"cannot read: {exc.strerror or exc}", path=label)]) from None
    show = sys.stderr.isatty() and (bool(args.out) or sys.stdout.isatty())
    # the progress bar's total costs a second pass over the file: only when the bar is shown
    total = _count_rows(Path(args.input), kind) if show and args.input != "-" else None
    rows = read_csv(handle, label) if kind == "csv" else read_jsonl(handle, label)
    locations: dict[int, str] = {}  # rows read but not yet written: bounded by the batch's look-ahead
    profiles = _tracking(rows, locations)
    failed = count = 0
    notices: list[str] = []
    counter = PortfolioCounter(rulebase) if args.summary else None
    try:
        # with --out, results stream into a temporary file that replaces FILE only when the batch completes
        output = open_atomic(args.out) if args.out else nullcontext(sys.stdout)
        results = consult_many(rulebase, profiles, jobs=args.jobs, on_notice=lambda text: _notice(text, notices))
        with output as out, _progress(total, show=show) as advance:
            writer = _Writer(out, args.format)
            for result in results:
                where = locations.pop(result.index)
                count += 1
                if not result.ok:
                    failed += 1
                    print(f"{where}: {result.error}", file=sys.stderr)
                writer.write(result, where)
                if counter is not None:
                    counter.add(result)
                advance()
    finally:
        if handle is not sys.stdin:
            handle.close()
    if counter is not None:
        _summarise(counter, args.summary)
    if failed:
        print(f"{failed} of {count} profiles failed; the others completed", file=sys.stderr)
        return 2
    return 0


def _summarise(counter: PortfolioCounter, path: str) -> None:
    """Write the portfolio summary and print its table on stderr (stdout may carry the results)."""
    from rich.table import Table

    from decider.reasoning.portfolio import write_summary

    portfolio = counter.portfolio()
    written = write_summary(portfolio, path)
    done = portfolio.profiles - portfolio.failed
    table = Table(title=f"Portfolio: {portfolio.profiles} profiles"
                        + (f", {portfolio.failed} failed" if portfolio.failed else ""), title_justify="left")
    table.add_column("recommendation")
    table.add_column("profiles", justify="right")
    for level in portfolio.levels:
        table.add_column(level or "no level", justify="right")
    for item in portfolio.recommendations:
        table.add_row(item.title, f"{item.total} ({item.total / done:.0%})" if done else "0",
                      *(str(item.count(level)) for level in portfolio.levels))
    console = _stderr_console()
    console.print(table)
    for heading, items in (("Most frequent risks", portfolio.risks), ("Most frequent prerequisites", portfolio.prerequisites)):
        if items:
            listed = "; ".join(f"{f.title} ({f.count})" for f in items[:5])
            console.print(f"{heading}: {listed}", highlight=False, soft_wrap=True)
    console.print(f"Summary written to {', '.join(written)}", highlight=False, soft_wrap=True)


def _notice(text: str, notices: list[str]) -> None:
    notices.append(text)
    print(f"decider batch: {text}", file=sys.stderr)


def _tracking(rows: Iterator[tuple[str, Profile]], locations: dict[int, str]) -> Iterator[Profile]:
    for index, (where, profile) in enumerate(rows):
        locations[index] = where
        yield profile


MAX_LINE = 1_000_000
"""Characters in one JSONL line; a longer line is a row error (read in pieces, never held whole)."""
MAX_NESTING = 32
"""Levels of JSON nesting in one row; answers are flat, so deeper is a row error, never a RecursionError."""


def read_jsonl(handle: IO[str], label: str) -> Iterator[tuple[str, Profile]]:
    """(location, profile) per non-blank line; a line that is not a JSON object becomes Unreadable."""
    import json

    from decider.reasoning.batch import Unreadable
    from decider.rulebase.bounded import bounded_lines

    for number, line in enumerate(bounded_lines(handle, MAX_LINE), start=1):
        where = f"{label}:{number}"
        if line is None:
            yield where, Unreadable(problem=f"line longer than {MAX_LINE:,} characters")
            continue
        if not line.strip():
            continue
        if _not_utf8(line):
            yield where, Unreadable(problem="not UTF-8 text")
            continue
        try:
            data = json.loads(line)
        except ValueError as exc:
            yield where, Unreadable(problem=f"not valid JSON: {exc}")
            continue
        except RecursionError:
            data = None
        if data is None or _deeper_than(data, MAX_NESTING):
            yield where, Unreadable(problem=f"nested too deeply (more than {MAX_NESTING} levels)")
            continue
        if not isinstance(data, dict):
            yield where, Unreadable(problem=f"expected a JSON object of question id to value, got {type(data).__name__}")
            continue
        yield where, data


def _not_utf8(text: str) -> bool:
    """Whether the text holds bytes that were not UTF-8 (read with errors='surrogateescape')."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether JSON data nests lists/objects more than `limit` levels (checked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > limit:
                return True
            stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return False


def read_csv(handle: IO[str], label: str) -> Iterator[tuple[str, Profile]]:
    """(location, profile) per data row; cells are text, read by the answer checks
    (numbers by the one number reader, so 1,500 or 60k mean the same here as anywhere)."""
    import csv

    from decider.reasoning.batch import Unreadable

    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        from decider.errors import DeciderError, Problem

        raise DeciderError([Problem(message=f"unreadable CSV header: {exc}", path=label, line=1)]) from None
    header = [name.strip() for name in header]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    repeated = sorted({name for name in header if header.count(name) > 1 and name})
    if repeated or any(_not_utf8(name) for name in header):
        from decider.errors import DeciderError, Problem

        what = f"duplicate column {', '.join(map(repr, repeated))}" if repeated else "not UTF-8 text"
        raise DeciderError([Problem(message=f"CSV header: {what}", path=label, line=1)])
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield f"{label}:{reader.line_num}", Unreadable(problem=f"unreadable CSV row: {exc}")
            continue
        where = f"{label}:{reader.line_num}"
        if not any(cell.strip() for cell in cells):
            continue
        if any(_not_utf8(cell) for cell in cells):
            yield where, Unreadable(problem="not UTF-8 text")
            continue
        if len(cells) != len(header):
            yield where, Unreadable(problem=f"expected {len(header)} cells (one per header column), got {len(cells)}")
            continue
        yield where, {name: cell.strip() for name, cell in zip(header, cells) if cell.strip()}


def _count_rows(path: Path, kind: str) -> int | None:
    """Rows in the input (for the progress bar), or None when that would be costly to know. Lines are
    read as read_jsonl reads them (an overlong one in pieces, counted once), never held whole."""
    from decider.rulebase.bounded import bounded_lines

    try:
        if path.stat().st_size > 200_000_000:
            return None
        with open(path, "rb") as handle:
            lines = sum(1 for line in bounded_lines(handle, MAX_LINE) if line is None or line.strip())
    except OSError:
        return None
    return max(lines - 1, 0) if kind == "csv" else lines


class _Writer:
    """Writes results as JSON lines or CSV rows."""

    def __init__(self, out: IO[str], kind: str) -> None:
        import csv

        self.out = out
        self.kind = kind
        self.csv = csv.writer(out, lineterminator="\n") if kind == "csv" else None
        if self.csv is not None:
            self.csv.writerow(CSV_COLUMNS)

    def write(self, result: BatchResult, where: str) -> None:
        if self.csv is None:
            data = result.model_dump(mode="json", exclude_none=True)
            data["source"] = where
            self.out.write(_json_line(data))
            return
        summary = result.summary
        self.csv.writerow([
            result.index + 1, "yes" if result.ok else "no",
            summary.primary if summary else "", f"{summary.confidence:.4f}" if summary else "",
            " ".join(summary.complementary) if summary else "",
            " ".join(f"{r.id}:{r.severity}" for r in summary.risks) if summary else "",
            f"{where}: {result.error}" if result.error else "",
        ])


def _json_line(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data, ensure_ascii=False) + "\n"


class _progress:
    """A rich progress bar on a terminal (stderr); nothing when output is piped or redirected."""

    def __init__(self, total: int | None, show: bool) -> None:
        self.total = total
        self.show = show
        self.bar: Any = None

    def __enter__(self) -> Any:
        if not self.show:
            return lambda: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("consulting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            transient=True, console=_stderr_console())
        self.bar.start()
        task = self.bar.add_task("batch", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
