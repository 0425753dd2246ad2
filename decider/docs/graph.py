"""The rulebase as a picture: questions → figures → rules → conclusions → approaches, in Mermaid or DOT."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from decider.docs.markers import Markers
from decider.rulebase.expressions import references as expression_references
from decider.rulebase.logic import references
from decider.rulebase.model import Conclude, Exclude, Flag, Oppose, Rulebase, Support

GraphFormat = Literal["mermaid", "dot"]
GRAPH_MARKERS = Markers(begin="<!-- graph:start -->", end="<!-- graph:end -->", name="graph")


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: Literal["question", "figure", "rule", "conclusion", "risk", "approach"]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    style: Literal["solid", "dashed"] = "solid"


def graph_parts(rulebase: Rulebase) -> tuple[list[Node], list[Edge]]:
    """Nodes and edges, in declaration order: reads (dashed when read under `not`), conclusions, weights."""
    nodes = [Node(f"q_{q.id}", q.id, "question") for q in rulebase.questions]
    nodes += [Node(f"f_{f.id}", f.id, "figure") for f in rulebase.figures]
    nodes += [Node(f"r_{r.id}", r.id, "rule") for r in rulebase.rules]
    nodes += [Node(f"c_{c.id}", c.id, "risk" if c.kind == "risk" else "conclusion") for c in rulebase.conclusions]
    nodes += [Node(f"a_{a.id}", a.title, "approach") for a in rulebase.approaches]
    edges: list[Edge] = []
    for figure in rulebase.figures:
        for name in dict.fromkeys(expression_references(figure.tree)):
            prefix = "q_" if name in rulebase.question_index else "f_"
            edges.append(Edge(prefix + name, f"f_{figure.id}"))
    prefixes = {"answer": "q_", "figure": "f_", "conclusion": "c_"}
    for rule in rulebase.rules:
        seen: dict[tuple[str, bool], None] = {}
        for ref in references(rule.when):
            seen.setdefault((prefixes[ref.kind] + ref.id, ref.negated), None)
        for source, negated in seen:
            edges.append(Edge(source, f"r_{rule.id}", "not" if negated else "", "dashed" if negated else "solid"))
        for effect in rule.then:
            if isinstance(effect, Conclude):
                edges.append(Edge(f"r_{rule.id}", f"c_{effect.conclusion}"))
            elif isinstance(effect, Flag):
                edges.append(Edge(f"r_{rule.id}", f"c_{effect.risk}", effect.severity))
            elif isinstance(effect, Support):
                edges.append(Edge(f"r_{rule.id}", f"a_{effect.approach}", f"+{effect.weight:g}"))
            elif isinstance(effect, Oppose):
                edges.append(Edge(f"r_{rule.id}", f"a_{effect.approach}", f"-{effect.weight:g}", "dashed"))
            elif isinstance(effect, Exclude):
                edges.append(Edge(f"r_{rule.id}", f"a_{effect.approach}", "excludes", "dashed"))
    return nodes, edges


_MERMAID_SHAPES = {
    "question": ('[/"', '"/]'), "figure": ('[["', '"]]'), "rule": ('["', '"]'),
    "conclusion": ('(["', '"])'), "risk": ('>"', '"]'), "approach": ('{{"', '"}}'),
}
_DOT_SHAPES = {"question": "parallelogram", "figure": "box3d", "rule": "box", "conclusion": "ellipse",
               "risk": "octagon", "approach": "hexagon"}


def render_graph(rulebase: Rulebase, fmt: GraphFormat = "mermaid") -> str:
    """The rulebase graph as Mermaid flowchart text or Graphviz DOT text."""
    nodes, edges = graph_parts(rulebase)
    if fmt == "dot":
        lines = [f'digraph "{rulebase.meta.id}" {{', "  rankdir=LR;", '  node [fontname="Helvetica"];']
        for node in nodes:
            lines.append(f'  {node.id} [label="{_quote(node.label)}", shape={_DOT_SHAPES[node.kind]}];')
        for edge in edges:
            attrs = [f'label="{_quote(edge.label)}"'] if edge.label else []
            if edge.style == "dashed":
                attrs.append("style=dashed")
            lines.append(f"  {edge.source} -> {edge.target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
        lines.append("}")
        return "\n".join(lines) + "\n"
    lines = ["flowchart LR"]
    for node in nodes:
        left, right = _MERMAID_SHAPES[node.kind]
        lines.append(f"  {node.id}{left}{_quote(node.label)}{right}")
    for edge in edges:
        arrow = "-.->" if edge.style == "dashed" else "-->"
        label = f'|"{_quote(edge.label)}"|' if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    for kind in ("question", "figure", "rule", "conclusion", "risk", "approach"):
        members = [n.id for n in nodes if n.kind == kind]
        if members:
            lines.append(f"  class {','.join(members)} {kind}")
    lines += [
        "  classDef question fill:#e8f1fb,stroke:#4a78b0", "  classDef figure fill:#eef7ee,stroke:#5a9a5a",
        "  classDef rule fill:#ffffff,stroke:#888888", "  classDef conclusion fill:#fff6dd,stroke:#b8922e",
        "  classDef risk fill:#fde8e8,stroke:#b04a4a", "  classDef approach fill:#efe6fa,stroke:#7a4ab0",
    ]
    return "\n".join(lines) + "\n"


def fenced_graph(rulebase: Rulebase, fmt: GraphFormat = "mermaid") -> str:
    """The graph as a fenced block for Markdown (GitHub renders Mermaid)."""
    return f"```{fmt}\n" + render_graph(rulebase, fmt) + "```\n"


def _quote(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ")
