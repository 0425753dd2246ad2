"""`decider graph`: the rulebase as Mermaid or DOT, and the Mermaid block kept up to date in a Markdown file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


from conftest import run_cli
from decider.docs.graph import GRAPH_MARKERS, fenced_graph, render_graph
from decider.docs.markers import extract, splice

from decider.rulebase.loader import default_rules_dir, load_rulebase

START_MARKER, END_MARKER = GRAPH_MARKERS.begin, GRAPH_MARKERS.end

FIXTURES = Path(__file__).parent / "fixtures" / "lint"


def test_mermaid_graph_links_questions_rules_conclusions_and_approaches() -> None:
    text = render_graph(load_rulebase(FIXTURES / "conflict"), "mermaid")
    assert text.startswith("flowchart LR\n")
    assert 'q_size[/"size"/]' in text and 'r_big_job["big_job"]' in text
    assert 'c_big(["big"])' in text and 'a_heavy{{"Bring heavy machinery"}}' in text
    assert "q_size --> r_big_job" in text and "r_big_job --> c_big" in text and "c_big --> r_heavy_for_big" in text
    assert 'r_heavy_for_big -->|"+3"| a_heavy' in text
    assert 'r_urgent_against_heavy -.->|"-1"| a_heavy' in text
    assert 'c_big -.->|"not"| r_simple_when_small' in text
    assert 'r_rushed -->|"high"| c_rush' in text


def test_every_item_of_the_shipped_rulebase_is_a_node_and_every_edge_joins_nodes() -> None:
    rulebase = load_rulebase()
    text = render_graph(rulebase, "mermaid")
    declared = set(re.findall(r"^  ([a-z]_[a-z0-9_]+)[\[({>]", text, re.M))
    wanted = ({f"q_{q.id}" for q in rulebase.questions} | {f"f_{f.id}" for f in rulebase.figures}
              | {f"r_{r.id}" for r in rulebase.rules} | {f"c_{c.id}" for c in rulebase.conclusions}
              | {f"a_{a.id}" for a in rulebase.approaches})
    assert declared == wanted
    for source, target in re.findall(r"^  (\S+) -(?:->|\.->)(?:\|[^|]*\|)? (\S+)$", text, re.M):
        assert source in wanted and target in wanted
    assert all(f"--> r_{r.id}" in text or f'-.->|"not"| r_{r.id}' in text for r in rulebase.rules)


def test_dot_graph_is_a_digraph_with_the_same_edges() -> None:
    rulebase = load_rulebase(FIXTURES / "figure_conflict")
    text = render_graph(rulebase, "dot")
    assert text.startswith('digraph "lint_fixture" {') and text.rstrip().endswith("}")
    assert "q_hours -> f_cost;" in text and "f_cost -> r_costly;" in text
    assert 'r_costly -> a_heavy [label="-1", style=dashed];' in text


def test_cli_prints_both_formats() -> None:
    mermaid = run_cli("graph", str(FIXTURES / "clean"))
    dot = run_cli("graph", str(FIXTURES / "clean"), "--format", "dot")
    assert mermaid.returncode == dot.returncode == 0
    assert mermaid.stdout.startswith("flowchart LR") and dot.stdout.startswith("digraph")


def test_update_rewrites_only_the_text_between_the_markers(tmp_path: Path) -> None:
    doc = tmp_path / "README.md"
    doc.write_text(f"# Rules\n\nBefore.\n\n{START_MARKER}\nold graph\n{END_MARKER}\n\nAfter.\n")
    result = run_cli("graph", str(FIXTURES / "clean"), "--update", str(doc))
    assert result.returncode == 0, result.stderr
    text = doc.read_text()
    assert text.startswith("# Rules\n\nBefore.\n\n" + START_MARKER + "\n\n```mermaid\nflowchart LR\n")
    assert text.endswith("```\n\n" + END_MARKER + "\n\nAfter.\n") and "old graph" not in text
    assert run_cli("graph", str(FIXTURES / "clean"), "--check", str(doc)).returncode == 0
    assert run_cli("graph", str(FIXTURES / "conflict"), "--check", str(doc)).returncode == 1


def test_update_without_markers_is_bad_usage(tmp_path: Path) -> None:
    doc = tmp_path / "README.md"
    doc.write_text("# No markers here\n")
    result = run_cli("graph", "--update", str(doc))
    assert result.returncode == 2 and "markers" in result.stderr
    assert doc.read_text() == "# No markers here\n"
    assert extract("no markers", GRAPH_MARKERS) is None


def test_rules_readme_graph_is_up_to_date() -> None:
    text = (default_rules_dir() / "README.md").read_text(encoding="utf-8")
    assert START_MARKER in text and END_MARKER in text, \
        "rules/README.md has lost its graph markers; put them back and run: decider graph --out rules/README.md"
    assert splice(text, fenced_graph(load_rulebase()), GRAPH_MARKERS) == text, \
        "rules/README.md graph is stale; run: decider graph --out rules/README.md"


@pytest.mark.parametrize("command", ["graph", "doc"])
def test_graph_and_doc_take_the_same_output_flags(command: str, tmp_path: Path) -> None:
    """--out FILE writes (creating the file with its markers), --check FILE or --out FILE --check checks,
    and --check with no file to check is a usage error, for both generated documents."""
    target = tmp_path / "notes.md"
    assert run_cli(command, "--out", str(target)).returncode == 0
    assert run_cli(command, "--check", str(target)).returncode == 0
    assert run_cli(command, "--out", str(target), "--check").returncode == 0
    target.write_text(target.read_text(encoding="utf-8").replace("flowchart", "stale").replace("| `", "| `x"),
                      encoding="utf-8")
    stale = run_cli(command, "--check", str(target))
    assert stale.returncode == 1 and f"decider {command} --out {target}" in stale.stderr
    missing = run_cli(command, "--check")
    assert missing.returncode == 2 and "--check needs a FILE" in missing.stderr and "Traceback" not in missing.stderr
