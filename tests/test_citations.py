"""Citations read as people know them: "essay ¶6 — structured output and persona" and links, not bare ids;
the words come from the rulebase's sources, and a note for an undeclared section is refused with its place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from decider import RulebaseError, consult, load_rulebase
from decider.rulebase.citations import citation, inline
from decider.rulebase.loader import content_hash
from conftest import run_cli, write_rulebase

SHIPPED = load_rulebase()
FORMAT_CASE = {"format_failures": True, "prompting_baseline": "measured", "eval_harness": True}


def test_every_essay_paragraph_has_a_heading_and_every_public_source_a_link() -> None:
    for source in SHIPPED.sources:
        noted = {n.id for n in source.notes}
        assert noted == set(source.sections), source.id
        for section in source.sections:
            cite = citation(SHIPPED, section)
            assert re.fullmatch(r"essay ¶\d — .+", cite.label) and cite.summary, cite
        if source.id not in ("essay", "field-checklists"):
            assert citation(SHIPPED, source.id).link.startswith("https://"), source.id


def test_a_consultation_lists_its_sources_and_reports_cite_by_label() -> None:
    result = consult(SHIPPED, FORMAT_CASE)
    labels = {c.id: c.label for c in result.sources}
    cited = {c for r in result.reasons for c in r.cite} | {c for r in result.risks for c in r.cite}
    assert cited <= set(labels)
    assert labels["P6"] == "essay ¶6 — structured output and persona"
    report = result.to_markdown()
    assert "## Sources" in report and "**essay ¶6 — structured output and persona**" in report
    assert "<https://platform.openai.com/docs/guides/fine-tuning>" in report
    assert not re.search(r"\[(P\d|openai-guide)[,\]]", report)  # no bare ids inline
    assert "[essay ¶6]" in report


def test_decide_prints_sources_with_links() -> None:
    done = run_cli("decide", "examples/structured-output.yaml")
    assert done.returncode == 0, done.stderr
    tail = done.stdout.split("\nSources:\n", 1)[1]
    assert "  - essay ¶6 — structured output and persona\n" in tail
    assert "<https://platform.openai.com/docs/guides/fine-tuning>" in tail
    assert "essay ¶6)" in done.stdout  # inline, in the Why lines


def test_inline_names_unknown_ids_as_themselves() -> None:
    assert inline(SHIPPED, ("P6", "openai-guide", "nowhere")) == "essay ¶6; OpenAI fine-tuning guide; nowhere"


HEAD = """\
rulebase: {id: tiny, version: "1", title: Tiny}
sources:
  - id: essay
    title: Essay
    sections: [P1, P2]
    notes:
      - {id: P1, heading: the first point}
      - {id: P3, heading: a paragraph that is not declared}
policy:
  default: a
  tie_break: [a]
  confidence: {margin_scale: 2}
approaches:
  - {id: a, title: A}
questions:
  - {id: q, kind: boolean, text: "Is it?"}
rules:
  - {id: r1, when: {answer: q, "==": true}, then: [{support: a, weight: 1}], because: plain words, cite: P1}
"""


def test_a_note_for_an_undeclared_section_is_refused_with_its_place(tmp_path: Path) -> None:
    directory = write_rulebase(tmp_path / "rb", {"main.yaml": HEAD})
    with pytest.raises(RulebaseError) as caught:
        load_rulebase(directory)
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 1 and "main.yaml:8" in problems[0] and "'P3'" in problems[0], problems
    done = run_cli("decide", "--rules", str(directory), "examples/structured-output.yaml")
    assert done.returncode == 2 and "main.yaml:8" in done.stderr and "Traceback" not in done.stderr


def test_a_rulebase_without_notes_hashes_as_before(tmp_path: Path) -> None:
    plain = write_rulebase(tmp_path / "plain", {"main.yaml": HEAD.replace(
        "    notes:\n      - {id: P1, heading: the first point}\n      - {id: P3, heading: a paragraph that is not declared}\n", "")})
    noted = write_rulebase(tmp_path / "noted", {"main.yaml": HEAD.replace(
        "      - {id: P3, heading: a paragraph that is not declared}\n", "")})
    assert content_hash(load_rulebase(plain)) != content_hash(load_rulebase(noted))  # notes are content
    assert "notes" not in load_rulebase(plain).model_dump(mode="json")["sources"][0]
