"""The knowledge map is generated from the rulebase, and the checked-in copy in rules/README.md is current."""

from __future__ import annotations

import shutil
from pathlib import Path

from decider import load_rulebase
from decider.docs.knowledge_map import MAP_MARKERS, knowledge_map
from decider.docs.markers import extract, splice

from conftest import ROOT, run_cli

BEGIN, END = MAP_MARKERS.begin, MAP_MARKERS.end

README = ROOT / "rules" / "README.md"
RULEBASE = load_rulebase()


def test_checked_in_knowledge_map_is_up_to_date() -> None:
    assert extract(README.read_text(encoding="utf-8"), MAP_MARKERS) == knowledge_map(RULEBASE), \
        "rules/README.md is stale: run `decider doc --out rules/README.md`"


def test_map_names_every_rule_paragraph_and_question() -> None:
    text = knowledge_map(RULEBASE)
    for rule in RULEBASE.rules:
        assert f"`{rule.id}`" in text
    for paragraph in ("P3", "P4", "P5", "P6", "P7", "P8", "P9"):
        section = text.split(f"#### {paragraph} — ", 1)[1].split("####", 1)[0]
        assert "- `" in section, f"{paragraph} has no rule in the map"
    for question in RULEBASE.questions:
        assert f"`{question.id}`" in text
    for source in RULEBASE.sources:
        assert f"(`{source.id}`)" in text


def test_map_follows_the_rulebase(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    cases = rules / "cases.yaml"
    cases.write_text(cases.read_text(encoding="utf-8").replace("id: persona_case", "id: voice_case"), encoding="utf-8")
    changed = knowledge_map(load_rulebase(rules))
    assert "`voice_case`" in changed and "`persona_case`" not in changed
    assert changed != knowledge_map(RULEBASE)
    assert knowledge_map(RULEBASE) == knowledge_map(load_rulebase())


def test_splice_replaces_only_between_markers() -> None:
    document = f"# Title\n\nhand-written\n\n{BEGIN}\nold map\n{END}\n\ntail\n"
    result = splice(document, "new map\n", MAP_MARKERS)
    assert result.startswith("# Title\n\nhand-written\n\n") and result.endswith(f"{END}\n\ntail\n")
    assert "old map" not in result and extract(result, MAP_MARKERS) == "new map\n"


def test_cli_doc_prints_writes_and_checks(tmp_path: Path) -> None:
    printed = run_cli("doc")
    assert printed.returncode == 0 and printed.stdout == knowledge_map(RULEBASE)
    target = tmp_path / "README.md"
    target.write_text(f"# Notes\n\n{BEGIN}\nstale\n{END}\n", encoding="utf-8")
    stale = run_cli("doc", "--out", str(target), "--check")
    assert stale.returncode == 1 and "out of date" in stale.stderr
    assert run_cli("doc", "--out", str(target)).returncode == 0
    assert extract(target.read_text(encoding="utf-8"), MAP_MARKERS) == knowledge_map(RULEBASE)
    assert target.read_text(encoding="utf-8").startswith("# Notes\n")
    assert run_cli("doc", "--out", str(target), "--check").returncode == 0
    fresh = tmp_path / "new.md"
    assert run_cli("doc", "--out", str(fresh)).returncode == 0
    assert extract(fresh.read_text(encoding="utf-8"), MAP_MARKERS) == knowledge_map(RULEBASE)


def test_cli_doc_without_markers_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "plain.md"
    target.write_text("# nothing here\n", encoding="utf-8")
    done = run_cli("doc", "--out", str(target))
    assert done.returncode == 2
    assert "knowledge-map markers are missing" in done.stderr and "Traceback" not in done.stderr
    assert target.read_text(encoding="utf-8") == "# nothing here\n"


def test_checked_in_readme_passes_the_cli_check() -> None:
    done = run_cli("doc", "--out", str(README), "--check")
    assert done.returncode == 0, done.stderr
