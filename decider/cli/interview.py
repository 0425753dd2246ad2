"""`decider interview` (also plain `decider`): the adaptive interview, as a TUI or line by line (--plain)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from decider.cli.options import add_rules


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "interview", help="answer questions one at a time and get a recommendation (the default command)",
        description="An adaptive interview: asks only what can still change the recommendation. "
        "Runs as a terminal UI, or line by line with --plain (answers read from stdin, so it is scriptable).")
    parser.add_argument("--plain", action="store_true", help="plain line-by-line mode (screen readers, dumb terminals, scripts)")
    parser.add_argument("--resume", action="store_true", help="continue the last saved interview")
    parser.add_argument("--answers", metavar="FILE", help="preload answers from FILE (those questions are skipped)")
    add_rules(parser)
    parser.add_argument("--report", metavar="PATH", help="write the Markdown report here when the interview ends")
    parser.add_argument("--trace", metavar="PATH", help="write the JSON audit trace here when the interview ends")
    parser.add_argument("--save", metavar="PATH", help="autosave file (default: the user data directory, or $DECIDER_STATE_DIR)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from decider.cli.inputs import load_rules, read_answers
    from decider.interview.session import Interview, check_save_target, default_save_path

    rulebase = load_rules(args.rules)
    save_path = Path(args.save) if args.save else default_save_path(rulebase)
    report_path, trace_path = _path(args.report), _path(args.trace)
    _check_writable(save_path, report_path, trace_path)
    interview = Interview.load(rulebase, save_path) if args.resume else Interview()
    check_save_target(save_path)
    if args.answers:
        preset = read_answers(rulebase, args.answers)
        interview = Interview(answers={**interview.answers, **preset.root},
                              history=interview.history + tuple(q for q in preset.root if q not in interview.history))
    if args.plain or not _interactive():
        from decider.cli.plain import PlainInterview

        return PlainInterview(rulebase, interview, save_path, report_path, trace_path).run(sys.stdin, sys.stdout)
    from decider.errors import DeciderError
    from decider.tui.app import DeciderApp

    saved = None
    if not args.resume and save_path.exists():
        try:
            saved = Interview.load(rulebase, save_path)
        except DeciderError:
            saved = None  # an unreadable old save is not offered; the first answer overwrites it
    app = DeciderApp(rulebase, interview, saved=saved, save_path=save_path, report_path=report_path,
                     trace_path=trace_path)
    app.run()
    return app.return_code or 0


def _check_writable(save: Path, *outputs: Path | None) -> None:
    """Refuse, before the first question, paths that could only fail later: a folder where a file
    goes, or an output in a folder that does not exist (it is never created silently)."""
    from decider.errors import DeciderError, Problem

    problems = []
    for path, what in ((save, "autosave file"), *((p, "output file") for p in outputs)):
        if path is None:
            continue
        if path.is_dir():
            problems.append(Problem(message=f"is a folder; the {what} needs a file name", path=str(path)))
        elif what == "output file" and not path.parent.is_dir():
            problems.append(Problem(message=f"folder {path.parent} does not exist", path=str(path)))
    if problems:
        raise DeciderError(problems)


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _interactive() -> bool:
    """A real terminal on both ends (otherwise the plain mode runs)."""
    return sys.stdin.isatty() and sys.stdout.isatty() and os.environ.get("TERM", "") != "dumb"
