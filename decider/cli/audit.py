"""`decider audit verify | show | diff`: replay recorded decisions, read them, and review rulebase changes.

Exit codes: 0 all verified (verify) or no advice changed (diff --check); 1 some trace did not
verify, or (with --check) some advice changed; 2 bad input (unreadable or malformed files, a
decision log whose chain is broken, a bad rulebase); 3 (verify) nothing found against any trace, but
some were decided by another policy, so their results could not be replayed.
"""

from __future__ import annotations

import argparse
from typing import Any

EXIT_OK, EXIT_MISMATCH, EXIT_INPUT, EXIT_OTHER_POLICY = 0, 1, 2, 3


def register(sub: Any) -> None:
    parser = sub.add_parser("audit", help="verify, show and diff recorded decisions (traces and decision logs)",
                            description="Audit recorded decisions: replay and verify them, read them, and see "
                                        "which would change under another rulebase.")
    commands = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True,
                                     parser_class=type(parser))

    verify = commands.add_parser(
        "verify", help="replay traces or decision logs and report what differs",
        description="Replay each trace (or every record of a decision log) against the rulebase and report, per "
                    "trace, 'verified' or exactly what differs. Exit 0 only when all verify; 1 when some do not; "
                    "2 on bad input, including a decision log whose chain is broken; 3 when nothing was found "
                    "but some traces were decided by another policy (seal, rulebase and firings checked, "
                    "result not comparable).")
    verify.add_argument("traces", metavar="TRACE", nargs="+", help="trace files (decide --trace) or decision logs (--log)")
    verify.add_argument("--rules", metavar="DIR", help="rulebase to replay with (default: the shipped rulebase)")
    verify.add_argument("--old-rules", metavar="DIR",
                        help="the rulebase the traces were recorded with, to name the rules added, removed or changed")
    verify.add_argument("--head", metavar="DIGEST",
                        help="a log's head digest printed by an earlier verify: it must still be in the log, "
                             "which detects records deleted from the end")
    verify.add_argument("--format", choices=("text", "json"), default="text")
    verify.set_defaults(run=run_verify)

    show = commands.add_parser("show", help="print a trace as a readable tree",
                               description="Print a trace (or every record of a decision log) as a tree: answers, "
                                           "firings with each rule's plain words and citation, conclusions, result.")
    show.add_argument("trace", metavar="TRACE", help="a trace file or a decision log")
    show.add_argument("--rules", metavar="DIR", help="rulebase for the rules' words (default: the shipped rulebase)")
    show.add_argument("--record", metavar="N", type=int, help="only record N of a decision log")
    show.add_argument("--format", choices=("text", "markdown"), default="text")
    show.set_defaults(run=run_show)

    diff = commands.add_parser(
        "diff", help="which recorded cases change advice between two rulebases",
        description="Decide each case under the old and the new rulebase. CASES are traces, decision logs, answers "
                    "or scenario files, or directories of them. A case changed when its recommendation, "
                    "complementary approaches or risks differ; the rules whose firing differs are listed.")
    diff.add_argument("cases", metavar="CASES", nargs="+")
    diff.add_argument("--old", metavar="DIR", required=True, help="the rulebase in use")
    diff.add_argument("--new", metavar="DIR", required=True, help="the candidate rulebase")
    diff.add_argument("--engine", choices=("durable_rules", "reference"), default="durable_rules")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.add_argument("--check", action="store_true", help="exit 1 when any case changed advice")
    diff.set_defaults(run=run_diff)


def run_verify(args: argparse.Namespace) -> int:
    import json

    from decider.audit.documents import stream_audit_file
    from decider.audit.verify import verify_stream
    from decider.cli.inputs import load_rules

    rulebase = load_rules(args.rules)
    old = load_rules(args.old_rules) if args.old_rules else None
    reports = [verify_stream(*stream_audit_file(path), rulebase, old, args.head) for path in args.traces]
    if args.format == "json":
        print(json.dumps([r.model_dump(mode="json") for r in reports], indent=2, ensure_ascii=False))
    else:
        for report in reports:
            print(_verify_text(report))
        traces = [v for r in reports for v in r.verdicts]
        failed = sum(1 for v in traces if v.status == "not verified")
        older = sum(r.other_policy for r in reports)
        broken = sum(1 for r in reports if r.problems)
        print(f"{len(reports)} file(s), {len(traces)} trace(s): {len(traces) - failed - older} verified, "
              f"{failed} not verified" + (f", {older} of another policy (result not replayed)" if older else "")
              + (f"; {broken} file(s) with bad input" if broken else ""))
    if any(r.problems for r in reports):
        return EXIT_INPUT
    if any(v.status == "not verified" for r in reports for v in r.verdicts):
        return EXIT_MISMATCH
    return EXIT_OK if all(r.verified for r in reports) else EXIT_OTHER_POLICY


def _verify_text(report: Any) -> str:
    lines = []
    log = report.kind == "log"
    for verdict in report.verdicts:
        if log and verdict.verified:
            continue
        status = {"verified": "verified", "not verified": "NOT VERIFIED",
                  "other policy": f"OTHER POLICY ({verdict.policy})"}[verdict.status]
        lines.append(f"{verdict.source}: {status} — {verdict.rulebase}, {verdict.engine}, {verdict.firings} firings "
                     f"({verdict.format})")
        if verdict.policy_note:
            lines.append(f"  [policy] {verdict.policy_note}")
        for finding in verdict.findings:
            lines.append(f"  [{finding.kind}] {finding.message}")
    for problem in report.problems:
        lines.append(f"{problem}")
    if log:
        passed = sum(1 for v in report.verdicts if v.verified)
        chain = "chain BROKEN or damaged" if report.problems else "chain intact"
        formats = ", ".join(f"{count} {kind}" for kind, count in report.formats.items())
        older = (f", {report.other_policy} of another policy (seal and chain checked, result not replayed)"
                 if report.other_policy else "")
        lines.append(f"{report.path}: decision log of {report.records} record(s), {chain}, "
                     f"{passed} of {len(report.verdicts)} trace(s) verified{older}"
                     + (f" (read {formats})" if formats else "") + f"; head {report.head or '(none)'}")
    return "\n".join(lines)


def run_show(args: argparse.Namespace) -> int:
    from decider.audit.documents import read_audit_file
    from decider.audit.show import render_markdown, render_rich, trace_tree
    from decider.cli.inputs import load_rules
    from decider.errors import DeciderError, Problem

    audit_file = read_audit_file(args.trace)
    if audit_file.problems:
        raise DeciderError(list(audit_file.problems))
    entries = audit_file.entries
    if args.record is not None:
        entries = tuple(e for e in entries if e.seq == args.record)
        if not entries:
            raise DeciderError([Problem(message=f"no record {args.record} in this file", path=args.trace)])
    rulebase = load_rules(args.rules)
    nodes = [trace_tree(entry, rulebase) for entry in entries]
    if args.format == "markdown":
        print(render_markdown(nodes), end="")
    else:
        from rich.console import Console

        Console(highlight=False).print(render_rich(nodes))
    return EXIT_OK


def run_diff(args: argparse.Namespace) -> int:
    from decider.audit.diff import collect_cases, diff_cases
    from decider.cli.inputs import load_rules

    old = load_rules(args.old)
    new = load_rules(args.new)
    report = diff_cases(old, new, collect_cases(args.cases), args.engine)
    if args.format == "json":
        print(report.model_dump_json(indent=2))
    else:
        print(f"rulebase {old.meta.id} {old.meta.version} ({old.sha256[:12]}…) -> "
              f"{new.meta.id} {new.meta.version} ({new.sha256[:12]}…): {report.changes.describe()}")
        for case in report.cases:
            if case.status == "same":
                note = "; scores differ: " + "; ".join(case.details) if case.details else ""
                print(f"{case.case}: same advice — {case.new}{note}")
                continue
            print(f"{case.case}: CHANGED")
            print(f"  old: {case.old}")
            print(f"  new: {case.new}")
            for difference in case.rules:
                print(f"  rule {difference.rule}: {difference.detail}")
        print(report.summary())
    return EXIT_MISMATCH if args.check and report.changed else EXIT_OK
