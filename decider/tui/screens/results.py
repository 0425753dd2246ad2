"""The result: recommendation with its confidence word, risks, what to do first, the ranking with
points for and against, the reasons as a tree, what would change it, and the answers."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, OptionList, Static, Tree
from textual.widgets.option_list import Option
from textual.widgets.tree import TreeNode
from textual.worker import get_current_worker

from decider.interview import planner
from decider.reasoning.consultation import Consultation, Excluded, Prerequisite, Risk, consult
from decider.reasoning.how import Reason
from decider.interview.planner import WhatIf
from decider.reasoning.report import uncertainty_note, value_words
from decider.rulebase.answers import Answers
from decider.rulebase.model import Rulebase
from decider.tui.messages import BackRequested, JumpRequested
from decider.tui.widgets.economics import EconomicsChart
from decider.tui.widgets.reason_detail import ReasonDetail

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}
HOW_HINT = Text("Tab to the reasons, then ↑↓: the highlighted one is shown here in full.", style="dim")


def reason_label(node: Reason, words: dict[str, str] | None = None,
                 cited: Callable[[tuple[str, ...]], str] | None = None) -> Text:
    """A HOW tree node as plain text (rulebase texts are never read as markup); `cited` names the
    sources as readers know them (`Consultation.cited`)."""
    if node.kind == "rule":
        cite = f" [{(cited or ', '.join)(node.cite)}]" if node.cite else ""
        return Text(f"{node.title} ({node.effect}): {node.because}{cite}")
    if node.kind == "conclusion":
        return Text(f"{'✓' if node.value else '✗'} {node.title}")
    shown = (words or {}).get(node.id) if node.kind == "answer" else None
    return Text(f"{node.title} → {shown or value_words(node.value)}")


def headline(result: Consultation) -> Text:
    rec = result.recommendation
    level = f"{rec.level} " if rec.level else ""
    text = Text("Recommendation: ", style="bold")
    text.append(rec.title, style="bold")
    text.append(f"  —  confidence {level}({rec.confidence:.0%})")
    return text


def explained(item: Risk | Prerequisite | Excluded, result: Consultation) -> str:
    """A flagged item with why and where that comes from: "title — because [sources]"."""
    return f"{item.title} — {' '.join(item.because)} [{result.cited(item.cite)}]"


def sources_text(result: Consultation) -> Text:
    """Every source behind this result: the essay's paragraphs with their headings, the others with links."""
    text = Text("Sources:", style="bold")
    for source in result.sources:
        text.append(f"\n  • {source.label}")
        if source.link:
            text.append(f"  {source.link}", style="underline")
    if result.assumptions:
        text.append("\n\nAssumptions (thresholds no source gives):", style="bold")
        for assumption in result.assumptions:
            text.append(f"\n  • {assumption.title}: {assumption.statement}")
    return text


def risks_text(result: Consultation) -> Text:
    if not result.risks:
        return Text("Risks: none flagged.")
    text = Text("Risks:", style="bold")
    for risk in result.risks:
        text.append("\n  ")
        text.append(f"{risk.severity:<7}", style=SEVERITY_STYLE.get(risk.severity, ""))
        text.append(f" {explained(risk, result)}")
    return text


def prerequisites_text(result: Consultation) -> Text:
    if not result.prerequisites:
        return Text("")
    text = Text("Before you start:", style="bold")
    for item in result.prerequisites:
        text.append(f"\n  • {explained(item, result)}")
    return text


def anyway_text(result: Consultation) -> Text:
    """What the rules hold against the approach the team came in considering, when another is recommended."""
    anyway = result.anyway
    if anyway is None:
        return Text("")
    text = Text(f"If you choose {anyway.title} anyway", style="bold")
    text.append(f" (you came in considering it: {anyway.named_by}):")
    if anyway.excluded:
        text.append(f"\n  • off the table: {' '.join(anyway.excluded)}")
    for reason in anyway.against:
        text.append(f"\n  • {reason.title} ({reason.effect}): {reason.because} [{result.cited(reason.cite)}]")
    if not anyway.against and not anyway.excluded:
        text.append("\n  • no rule weighed against it; it ranks below on the points for it")
    return text


def ranking_text(result: Consultation) -> Text:
    """Every approach with its score and the points for and against it (room below each for ties and
    approaches taken off the table)."""
    text = Text("Ranking: score (points for / against):", style="bold")
    width = max(len(item.title) for item in result.ranking)
    off = {item.approach for item in result.excluded}
    for item in result.ranking:
        leader = item.approach == result.recommendation.approach
        text.append(f"\n{'▶' if leader else ' '} {item.title:<{width}}", style="bold" if leader else "")
        base = f"baseline {item.baseline:g}, " if item.baseline else ""
        text.append(f" {item.score:>3g}  ({base}+{item.support:g} / −{item.oppose:g})")
        if item.approach in off:
            text.append("  off the table", style="italic")
    return text


def standing_text(result: Consultation) -> Text:
    """Whether the recommendation is settled (how robust, if not), a tie and what would separate it,
    and approaches off the table with why; questions by their text."""
    rec = result.recommendation
    texts = {a.id: a.text for a in result.answers_shown}
    text = Text()
    if not rec.settled:
        text.append("Not settled: ", style="bold")
        text.append(f"it stays the recommendation in {rec.robustness:.0%} of the ways the open answers could turn out"
                    + (f" ({'; '.join(texts.get(q, q) for q in rec.open_questions)})" if rec.open_questions else "") + ".")
    if rec.tied:
        if text:
            text.append("\n")
        text.append("Tie: ", style="bold")
        text.append(f"level with {', '.join(t.title for t in rec.tied)}; the tie-break order chose"
                    + (f" (separated by: {'; '.join(texts.get(q, q) for q in rec.separating)})" if rec.separating else "")
                    + ".")
    for item in result.excluded:
        if text:
            text.append("\n")
        text.append("Off the table: ", style="bold")
        text.append(explained(item, result))
    return text


def what_if_text(changes: WhatIf | None) -> Text:
    if changes is None:
        return Text("What would change this: working it out…", style="dim")
    if not changes.changes:
        return Text("What would change this: no change of one or two answers would.")
    text = Text("What would change this:", style="bold")
    for change in changes.changes[:10]:
        said = " and ".join(f"{c.text} → {c.label}" for c in change.changes)
        text.append(f"\n  • {said}: {change.title}")
    return text


class ResultsScreen(Screen[None]):
    """Shows the consultation (worked out in a worker); Enter on an answer goes back to change it."""

    BINDINGS = [
        Binding("e", "app.export", "Export", id="results.export"),
        Binding("a", "answers", "Change an answer", id="results.answers"),
        Binding("escape", "back", "Back", id="results.back"),
        Binding("f1", "keys", "Keys", id="results.keys"),
        Binding("question_mark", "keys", "Keys", show=False, id="results.keys_key"),
        Binding("q", "app.quit", "Quit (saved)", show=False, id="results.quit"),
        # the page scrolls whatever has focus (the reasons tree and the answers list would keep these keys)
        Binding("home", "page('home')", "Top of the results", show=False, priority=True, id="results.top"),
        Binding("end", "page('end')", "Bottom of the results", show=False, priority=True, id="results.bottom"),
        Binding("pageup", "page('up')", "Scroll up a page", show=False, priority=True, id="results.page_up"),
        Binding("pagedown", "page('down')", "Scroll down a page", show=False, priority=True, id="results.page_down"),
    ]

    def __init__(self, rulebase: Rulebase, answers: Answers, asked: int) -> None:
        super().__init__()
        self.rulebase = rulebase
        self.answers = answers
        self.asked = asked
        self.result: Consultation | None = None
        self.changes: WhatIf | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="results"):
            yield Static(Text("Working out the recommendation…"), id="recommendation")
            yield Static("", id="summary")
            yield Static("", id="risks")
            yield Static("", id="prerequisites", classes="optional")
            yield Static("", id="anyway", classes="optional")
            yield Static("", id="ranking")
            yield Static("", id="standing", classes="optional")  # ties and exclusions, when the policy reports them
            yield Label("", id="asked")
            tree: Tree[Reason] = Tree(Text("Why (Enter or space opens a reason)"), id="how")
            tree.root.expand()
            yield tree
            yield ReasonDetail(HOW_HINT, id="how-detail")
            yield Static(what_if_text(None), id="what-if")
            yield Label("Your answers (a, then Enter on one to change it):", classes="section")
            yield OptionList(id="answers")
            yield Static("", id="sources", classes="optional")
            yield Label("", id="exported")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#results").focus()
        self._work_out()

    @work(thread=True, exclusive=True, group="results")
    def _work_out(self) -> None:
        """Worker thread: the consultation, then what would change it (each shown as soon as known)."""
        worker = get_current_worker()
        result = consult(self.rulebase, self.answers)
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self.show_result, result)
        changes = planner.what_if(self.rulebase, self.answers)
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show_what_if, changes)

    def show_result(self, result: Consultation) -> None:
        if not self.is_attached:
            return  # the user moved on before it was ready
        self.result = result
        rec = result.recommendation
        self.query_one("#recommendation", Static).update(headline(result))
        summary = rec.summary + ("\nWorth combining with: " + ", ".join(c.title for c in rec.complementary)
                                 if rec.complementary else "")
        note = uncertainty_note(result)
        if note:
            summary += f"\n{note}"
        self.query_one("#summary", Static).update(Text(summary))
        self.query_one("#risks", Static).update(risks_text(result))
        prerequisites = self.query_one("#prerequisites", Static)
        prerequisites.update(prerequisites_text(result))
        prerequisites.display = bool(result.prerequisites)
        anyway = self.query_one("#anyway", Static)
        anyway.update(anyway_text(result))
        anyway.display = result.anyway is not None
        self.query_one("#ranking", Static).update(ranking_text(result))
        standing, shown_standing = self.query_one("#standing", Static), standing_text(result)
        standing.update(shown_standing)
        standing.display = bool(shown_standing)
        unsure = sum(1 for a in result.answers_shown if a.status == "not_sure")
        said = f" ({unsure} not sure)" if unsure else ""
        self.query_one("#asked", Label).update(
            f"{self.asked} of {len(self.rulebase.questions)} questions answered{said}; the others could not change this.")
        words = {a.id: a.answer for a in result.answers_shown}
        tree = self.query_one("#how", Tree)
        for reason in result.reasons:
            self._add(tree.root, reason, words, expand=True)
        if not result.reasons:
            tree.root.add_leaf(Text("No rule bore on it directly; it leads on the policy's baseline or default."))
        for alternative in result.alternatives:
            branch = tree.root.add(Text(f"{alternative.title} (score {alternative.score:g}): the points for and against"))
            for reason in alternative.reasons:
                self._add(branch, reason, words, expand=False)
        if (chart := EconomicsChart.of(result)) is not None:  # the economics, where the cost answers are known
            self.query_one("#results", VerticalScroll).mount(chart, before="#what-if")
        sources = self.query_one("#sources", Static)
        sources.update(sources_text(result))
        sources.display = bool(result.sources or result.assumptions)
        options = self.query_one("#answers", OptionList)
        for shown in result.answers_shown:
            if shown.status != "not_asked":
                options.add_option(Option(Text(f"{shown.text}  →  {shown.answer}"), id=shown.id))
        self.call_after_refresh(self.query_one("#results", VerticalScroll).scroll_home, animate=False)

    def show_what_if(self, changes: WhatIf) -> None:
        if not self.is_attached:
            return
        self.changes = changes
        self.query_one("#what-if", Static).update(what_if_text(changes))

    def _add(self, parent: TreeNode[Reason], node: Reason, words: dict[str, str], *, expand: bool) -> None:
        if node.children:
            branch = parent.add(reason_label(node, words, self._cited()), data=node, expand=expand and node.kind == "rule")
            for child in node.children:
                self._add(branch, child, words, expand=False)
        else:
            parent.add_leaf(reason_label(node, words, self._cited()), data=node)

    def _cited(self) -> Callable[[tuple[str, ...]], str] | None:
        return self.result.cited if self.result is not None else None

    @on(Tree.NodeHighlighted, "#how")
    def show_reason(self, event: Tree.NodeHighlighted[Reason]) -> None:
        """The highlighted reason in full, wrapped (the tree shows one line of it, cut at the screen's edge)."""
        node = event.node
        self.query_one("#how-detail", ReasonDetail).show(HOW_HINT if node.is_root else node.label)

    @on(OptionList.OptionSelected, "#answers")
    def change_answer(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.post_message(JumpRequested(event.option.id))

    def action_answers(self) -> None:
        options = self.query_one("#answers", OptionList)
        options.focus()
        if options.highlighted is None and options.option_count:
            options.highlighted = 0

    def action_back(self) -> None:
        self.post_message(BackRequested())

    def action_page(self, where: str) -> None:
        """Scroll the whole page, and hand it the focus (arrows then scroll it too)."""
        page = self.query_one("#results", VerticalScroll)
        page.focus(scroll_visible=False)
        scroll = {"home": page.scroll_home, "end": page.scroll_end, "up": page.scroll_page_up,
                  "down": page.scroll_page_down}[where]
        scroll(animate=False)

    def action_keys(self) -> None:
        from decider.tui.screens.keys import KeysScreen

        self.app.push_screen(KeysScreen(self))

    def show_exported(self, lines: list[str]) -> None:
        self.query_one("#exported", Label).update(Text("\n".join(lines)))
