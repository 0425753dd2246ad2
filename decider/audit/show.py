"""A trace as a readable tree: answers, each firing with its rule's plain words and citation,
the conclusions and the result; rendered with rich for the terminal, or as Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field

from decider.audit.compare import describe_effect, describe_fact, show_value
from decider.audit.entries import TraceEntry
from decider.policy.trace import Trace
from decider.rulebase.loader import rulebase_hash
from decider.rulebase.model import Conclude, Flag, Rulebase


@dataclass
class Node:
    """A line of the tree and the lines beneath it."""

    text: str
    children: list["Node"] = field(default_factory=list)
    heading: bool = False

    def add(self, text: str, heading: bool = False) -> "Node":
        child = Node(text, heading=heading)
        self.children.append(child)
        return child


def trace_tree(entry: TraceEntry, rulebase: Rulebase | None) -> Node:
    """The tree of one trace; rule words come from `rulebase` when it holds the rule."""
    trace = entry.trace
    sealed = "digest ok" if entry.content_digest == trace.digest else "DIGEST MISMATCH: edited after sealing"
    root = Node(f"Trace {entry.label} — {sealed}", heading=True)
    identity = trace.rulebase
    line = f"Rulebase {identity.id} {identity.version} (sha256 {identity.sha256[:16]}…)"
    if rulebase is not None and rulebase_hash(rulebase, trace.scheme) != identity.sha256:
        line += f"; rule words below are from {rulebase.meta.id} {rulebase.meta.version}, a different rulebase"
    root.add(line)
    recorded_at = entry.recorded_at or trace.recorded_at
    root.add(f"decider {trace.decider_version}, engine {trace.engine}"
             + (f", recorded at {recorded_at}" if recorded_at else ""))
    answers = root.add(f"Answers ({len(trace.answers)})", heading=True)
    for qid, value in trace.answers.items():
        question = rulebase.question_index.get(qid) if rulebase else None
        answers.add(f"{qid} = {show_value(value)}" + (f" — {question.text}" if question else ""))
    known = {k: v for k, v in trace.figures.items() if v is not None}
    if known:
        figures = root.add("Figures", heading=True)
        for fid, value in known.items():
            figures.add(f"{fid} = {show_value(value)}")
    _firings(root, trace, rulebase)
    _conclusions(root, trace, rulebase)
    _result(root, trace)
    return root


def _firings(root: Node, trace: Trace, rulebase: Rulebase | None) -> None:
    firings = root.add(f"Firings ({len(trace.firings)}, in the order the {trace.engine} engine fired them)", heading=True)
    for number, firing in enumerate(trace.firings, start=1):
        rule = rulebase.rule_index.get(firing.rule) if rulebase else None
        if rule is not None:
            node = firings.add(f"{number}. {firing.rule}: {rule.because} [{', '.join(rule.cite)}]")
        else:
            node = firings.add(f"{number}. {firing.rule} (not in the loaded rulebase)")
        for fact in firing.matched:
            node.add(f"read {describe_fact(fact)}")
        for effect in firing.effects:
            node.add(describe_effect(effect))


def _conclusions(root: Node, trace: Trace, rulebase: Rulebase | None) -> None:
    concluded: dict[str, list[str]] = {}
    for firing in trace.firings:
        for effect in firing.effects:
            if isinstance(effect, (Conclude, Flag)):
                target = effect.conclusion if isinstance(effect, Conclude) else effect.risk
                concluded.setdefault(target, []).append(firing.rule)
    node = root.add(f"Conclusions ({len(concluded)})", heading=True)
    for cid, rules in concluded.items():
        conclusion = rulebase.conclusion_index.get(cid) if rulebase else None
        title = f" — {conclusion.title}" if conclusion else ""
        node.add(f"{cid}{title} (by {', '.join(rules)})")


def _result(root: Node, trace: Trace) -> None:
    result = trace.result
    node = root.add("Result", heading=True)
    primary = f"Recommendation: {result.primary}, confidence {result.confidence:.0%}"
    if result.defaulted:
        primary += " (no rule weighed in; the policy default)"
    node.add(primary)
    if result.complementary:
        node.add(f"Combine with: {', '.join(result.complementary)}")
    for exclusion in result.excluded:
        node.add(f"Off the table: {exclusion.approach} (excluded by {', '.join(exclusion.rules)})")
    ranking = node.add("Ranking")
    for score in result.ranking:
        ranking.add(f"{score.approach}: {score.score:g} (baseline {score.baseline:g}, +{score.support:g}, −{score.oppose:g})")
    risks = node.add(f"Risks ({len(result.risks)})")
    for risk in result.risks:
        risks.add(f"{risk.id} ({risk.severity}) — {risk.title}, flagged by {', '.join(risk.rules)}")


def render_rich(nodes: list[Node]) -> object:
    """A rich renderable (a group of trees) for the terminal."""
    from rich.console import Group
    from rich.markup import escape
    from rich.tree import Tree

    def build(node: Node, into: Tree) -> None:
        for child in node.children:
            label = f"[bold]{escape(child.text)}[/bold]" if child.heading else escape(child.text)
            build(child, into.add(label))

    trees = []
    for node in nodes:
        tree = Tree(f"[bold]{escape(node.text)}[/bold]", guide_style="dim")
        build(node, tree)
        trees.append(tree)
    return Group(*trees)


def render_markdown(nodes: list[Node]) -> str:
    """The same trees as Markdown: a heading per trace and section, nested lists beneath."""
    lines: list[str] = []
    for node in nodes:
        lines += [f"# {node.text}", ""]
        for child in node.children:
            if child.heading:
                lines += ["", f"## {child.text}", ""]
                for item in child.children:
                    lines += _markdown_list(item, 0)
            else:
                lines.append(child.text + "  ")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _markdown_list(node: Node, depth: int) -> list[str]:
    lines = [f"{'  ' * depth}- {node.text}"]
    for child in node.children:
        lines += _markdown_list(child, depth + 1)
    return lines

