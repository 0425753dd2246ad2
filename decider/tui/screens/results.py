"""The result: recommendation with confidence, the HOW tree, risks, what would change it, and the answers."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static, Tree
from textual.widgets.tree import TreeNode

from decider.reasoning.consultation import Consultation
from decider.reasoning.how import Reason
from decider.reasoning.planner import WhatIf
from decider.reasoning.report import value_words
from decider.rulebase.model import Rulebase
from decider.tui.messages import BackRequested, JumpRequested
from decider.tui.widgets.economics import EconomicsChart


def reason_label(node: Reason) -> str:
    if node.kind == "rule":
        cite = f" [{', '.join(node.cite)}]" if node.cite else ""
        return f"{node.title} ({node.effect}): {node.because}{cite}"
    if node.kind == "conclusion":
        return f"{'✓' if node.value else '✗'} {node.title}"
    return f"{node.title} → {value_words(node.value)}"


class ResultsScreen(Screen[None]):
    """Shows the consultation; Enter on an answer goes back to change it."""

    BINDINGS = [
        Binding("e", "app.export", "Export", id="results.export"),
        Binding("escape", "back", "Back", id="results.back"),
    ]

    def __init__(self, rulebase: Rulebase, result: Consultation, changes: WhatIf, asked: int) -> None:
        super().__init__()
        self.rulebase = rulebase
        self.result = result
        self.changes = changes
        self.asked = asked

    def compose(self) -> ComposeResult:
        result, rec = self.result, self.result.recommendation
        yield Header()
        with VerticalScroll(id="results"):
            yield Static(f"Recommendation: {rec.title}  —  confidence {rec.confidence:.0%}", id="recommendation")
            if rec.tied or not rec.settled:
                yield Static(self._standing(), id="standing")
            yield Static(rec.summary + (
                "\nWorth combining with: " + ", ".join(c.title for c in rec.complementary) if rec.complementary else ""),
                id="summary")
            if result.excluded:
                yield Static("\n".join(f"Off the table: {item.title} — {' '.join(item.because)} [{', '.join(item.cite)}]"
                                       for item in result.excluded), id="excluded")
            yield Label(f"{self.asked} of {len(self.rulebase.questions)} questions answered.", id="asked")
            tree: Tree[Reason] = Tree("Why (press Enter or space to open a reason)", id="how")
            tree.root.expand()
            for reason in result.reasons:
                self._add(tree.root, reason)
            if not result.reasons:
                tree.root.add_leaf("No rule bore on it directly; it leads on the policy's baseline or default.")
            yield tree
            yield Static(self._risks(), id="risks")
            if (chart := EconomicsChart.of(result)) is not None:
                yield chart
            yield Static(self._what_if(), id="what-if")
            yield Label("Your answers (Enter to change one):", classes="section")
            yield DataTable(id="answers", cursor_type="row", zebra_stripes=True)
            yield Label("", id="exported")
        yield Footer()

    def _add(self, parent: TreeNode[Reason], node: Reason) -> None:
        if node.children:
            branch = parent.add(reason_label(node), data=node, expand=node.kind == "rule" and parent.is_root)
            for child in node.children:
                self._add(branch, child)
        else:
            parent.add_leaf(reason_label(node), data=node)

    def _standing(self) -> str:
        rec = self.result.recommendation
        lines = []
        if not rec.settled:
            lines.append(f"Not settled: it stays the recommendation in {rec.robustness:.0%} of the ways the open "
                         f"answers could turn out ({', '.join(rec.open_questions)}).")
        if rec.tied:
            lines.append("Tie with " + ", ".join(t.title for t in rec.tied) + "; the tie-break order chose"
                         + (f" (separated by: {', '.join(rec.separating)})." if rec.separating else "."))
        return "\n".join(lines)

    def _risks(self) -> str:
        if not self.result.risks:
            return "Risks: none flagged."
        lines = ["Risks:"]
        for risk in self.result.risks:
            lines.append(f"  [{risk.severity}] {risk.title} — {' '.join(risk.because)} [{', '.join(risk.cite)}]")
        return "\n".join(lines)

    def _what_if(self) -> str:
        if not self.changes.changes:
            return "What would change this: no change of one or two answers would."
        lines = ["What would change this:"]
        for change in self.changes.changes[:10]:
            said = " and ".join(f"{c.question} → {c.label}" for c in change.changes)
            lines.append(f"  • {said}: {change.title}")
        return "\n".join(lines)

    def on_mount(self) -> None:
        table = self.query_one("#answers", DataTable)
        table.add_columns("question", "answer")
        for qid, value in self.result.trace.answers.items():
            table.add_row(self.rulebase.question_index[qid].text, value_words(value), key=qid)
        table.focus(scroll_visible=False)  # keep the recommendation in view (the chart makes the screen tall)

    @on(DataTable.RowSelected, "#answers")
    def change_answer(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.post_message(JumpRequested(event.row_key.value))

    def action_back(self) -> None:
        self.post_message(BackRequested())

    def show_exported(self, report: str, trace: str) -> None:
        self.query_one("#exported", Label).update(f"Report written to {report}\nTrace written to {trace}")
