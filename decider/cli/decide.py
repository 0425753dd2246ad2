"""`decider decide ANSWERS`: one consultation from an answers file."""

from __future__ import annotations

import argparse
from typing import Any

from decider.cli.options import add_rules


def register(sub: Any) -> None:
    parser = sub.add_parser("decide", help="consult the rulebase with an answers file",
                            description="Run one consultation on an answers file (YAML or JSON; '-' reads stdin).")
    parser.add_argument("answers", metavar="ANSWERS", help="answers file (question id: value), or - for stdin")
    add_rules(parser)
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="output format")
    parser.add_argument("--trace", metavar="FILE", help="also write the audit trace (JSON) to FILE")
    parser.add_argument("--log", metavar="PATH", help="also append the trace to the decision log PATH (JSON lines)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from decider.cli.inputs import load_rules, read_answers, write_text
    from decider.reasoning.consultation import consult

    rulebase = load_rules(args.rules)
    answers = read_answers(rulebase, args.answers)
    result = consult(rulebase, answers, log=args.log)
    if args.trace:
        write_text(args.trace, result.trace.to_json() + "\n")
    if args.format == "json":
        print(result.model_dump_json(indent=2))
    elif args.format == "markdown":
        print(result.to_markdown())
    else:
        print(_text(result))
    return 0


def _text(result: Any, more: str = "Use --format markdown for the full explanation.", *, by_text: bool = False) -> str:
    """The result as plain text; `by_text` names questions by their text (for the plain interview, whose
    user never saw their ids) instead of by id (for `decide`, whose answers file uses the ids)."""
    from decider.reasoning.economics import economics, summary_line

    texts = {a.id: a.text for a in result.answers_shown} if by_text else {}

    def named(questions: tuple[str, ...]) -> str:
        return ("; " if by_text else ", ").join(texts.get(q, q) for q in questions)

    rec = result.recommendation
    level = f" ({rec.level})" if rec.level else ""
    lines = [f"Recommendation: {rec.title} [{rec.approach}] — confidence {rec.confidence:.0%}{level}"]
    if not rec.settled:
        lines.append(f"Not settled: stays the recommendation in {rec.robustness:.0%} of the ways the open answers "
                     f"could turn out ({named(rec.open_questions)})")
    if rec.tied:
        lines.append("Tie with: " + ", ".join(f"{t.title} [{t.approach}]" for t in rec.tied)
                     + (f" — separated by: {named(rec.separating)}" if rec.separating else ""))
    if rec.complementary:
        lines.append("Combine with: " + ", ".join(f"{c.title} [{c.approach}]" for c in rec.complementary))
    if rec.defaulted:
        lines.append("(no rule weighed in; the rulebase default applies)")
    from decider.reasoning.report import uncertainty_note

    note = uncertainty_note(result)
    if note:
        lines.append(note)
    for item in result.excluded:
        lines.append(f"Off the table: {item.title} [{item.approach}] — {' '.join(item.because)}")
    lines.append("")
    lines.append("Ranking:")
    for item in result.ranking:
        lines.append(f"  {item.score:>6g}  {item.title} [{item.approach}]")
    if result.reasons:
        lines.append("")
        lines.append("Why:")
        for reason in result.reasons:
            lines.append(f"  - {reason.because} ({reason.effect}; {result.cited(reason.cite)})")
    if result.prerequisites:
        lines.append("")
        lines.append("Before you start:")
        for item in result.prerequisites:
            lines.append(f"  - {item.title} ({result.cited(item.cite)})")
    if result.risks:
        lines.append("")
        lines.append("Risks:")
        for risk in result.risks:
            lines.append(f"  - [{risk.severity}] {risk.title} ({result.cited(risk.cite)})")
    if result.anyway is not None:
        lines.append("")
        lines.append(f"If you choose {result.anyway.title} [{result.anyway.approach}] anyway (you came in considering it):")
        if result.anyway.excluded:
            lines.append(f"  - off the table: {' '.join(result.anyway.excluded)}")
        for reason in result.anyway.against:
            lines.append(f"  - {reason.because} ({reason.effect}; {result.cited(reason.cite)})")
        if not result.anyway.against and not result.anyway.excluded:
            lines.append("  - no rule weighed against it; it ranks below on the points for it")
    costs = economics(result)
    if costs is not None:
        lines.append("")
        lines.append(f"Economics over {costs.months} months: {summary_line(costs)}")
    if result.assumptions:
        lines.append("")
        lines.append("Assumptions (thresholds no source gives):")
        for assumption in result.assumptions:
            lines.append(f"  - {assumption.title} [{assumption.id}]")
    if result.sources:
        lines.append("")
        lines.append("Sources:")
        for source in result.sources:
            lines.append(f"  - {source.label}" + (f" <{source.link}>" if source.link else ""))
    lines.append("")
    lines.append(f"Rulebase {result.trace.rulebase.id} {result.trace.rulebase.version}, "
                 f"{len(result.trace.firings)} rules fired. {more}")
    return "\n".join(lines)
