"""Each fixture rulebase under tests/fixtures/lint/ has exactly one defect; lint must find it, with the
right code, file line and item, and (for logical defects) a witness the reference evaluator confirms."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from decider.policy.outcome import decide
from decider.engine.reference import ReferenceEngine
from decider.lint.linter import lint_rulebase
from decider.rulebase.answers import validate_answers
from decider.rulebase.loader import load_rulebase

FIXTURES = Path(__file__).parent / "fixtures" / "lint"

# fixture -> (code, text on the line the finding must point at, item)
DEFECTS = {
    "unknown_reference": ("E101", "when: {conclusion: huge}", "heavy_for_big"),
    "type_mismatch": ("E102", '"==": polite', "formal_tone"),
    "number_mismatch": ("E102", '">=": "many"', "big_job"),
    "unknown_cite": ("E103", "cite: P9", "formal_tone"),
    "missing_because": ("E104", "- id: rushed", "rushed"),
    "missing_cite": ("E105", "- id: rushed", "rushed"),
    "conclusion_cycle": ("E106", "- id: big_job", "big_job"),
    "unused_question": ("W201", "- id: budget", "budget"),
    "never_concluded": ("W202", "- {id: tiny", "tiny"),
    "never_used": ("W203", "- {id: chatty", "chatty"),
    "unsupported_approach": ("W204", "- {id: outsource", "outsource"),
    "unreachable": ("E301", "- id: big_but_few", "big_but_few"),
    "redundant": ("E302", "- id: heavy_for_big_formal", "heavy_for_big_formal"),
    "conflict": ("W303", "- id: urgent_against_heavy", "urgent_against_heavy"),
    "conflicting_severity": ("W304", "- id: rushed_big", "rushed_big"),
    "figure_conflict": ("W303", "- id: costly", "costly"),
    "tie": ("W305", "policy:", "policy"),
    "gap": ("W306", "policy:", "policy"),
    "no_influence": ("W307", "- {id: checked", "checked"),
    "unreachable_exclusion": ("E301", "- id: never_heavy", "never_heavy"),
    "all_excluded": ("E310", "- id: no_machinery", "no_machinery"),
    "unknown_weighs": ("E311", "- id: unsure_size", "unsure_size"),
}


def line_of(directory: Path, text: str) -> tuple[int, int]:
    """1-based line and column where an item marked by `text` starts in the fixture."""
    for number, line in enumerate((directory / "rulebase.yaml").read_text().splitlines(), 1):
        if text in line:
            # a list item is located at its mapping, just after the "- "
            return number, line.index(text) + (3 if text.startswith("- ") else 1)
    raise AssertionError(f"{text!r} not in fixture {directory.name}")


def test_every_fixture_directory_is_covered() -> None:
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir()} == set(DEFECTS) | {"clean"}


def test_clean_fixture_has_no_findings() -> None:
    report = lint_rulebase(FIXTURES / "clean")
    assert report.findings == ()
    assert report.summary.loaded and report.summary.rules == 5


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_seeded_defect_is_found_with_code_line_and_item(name: str) -> None:
    code, marker, item = DEFECTS[name]
    report = lint_rulebase(FIXTURES / name)
    assert [f.code for f in report.findings] == [code], "\n" + report.to_text()
    found = report.findings[0]
    line, column = line_of(FIXTURES / name, marker)
    assert (found.path.endswith(f"{name}/rulebase.yaml"), found.line, found.item) == (True, line, item)
    if marker.startswith("- ") or '"' in marker:
        assert found.column == column
    assert found.level == ("error" if code.startswith("E") else "warning")
    assert report.errors == (1 if code.startswith("E") else 0)


@pytest.mark.parametrize("name", ["conflict", "conflicting_severity", "figure_conflict"])
def test_conflict_witness_makes_both_rules_fire_in_the_reference_evaluator(name: str) -> None:
    rulebase = load_rulebase(FIXTURES / name)
    (found,) = lint_rulebase(FIXTURES / name).findings
    assert found.witness is not None and len(found.rules) == 2
    fired = ReferenceEngine(rulebase).run(validate_answers(rulebase, found.witness)).fired()
    assert set(found.rules) <= fired


def test_figure_conflict_witness_needs_concrete_numbers_for_the_figure() -> None:
    (found,) = lint_rulebase(FIXTURES / "figure_conflict").findings
    assert found.witness is not None
    assert found.witness["hours"] * found.witness["rate"] >= 1200  # type: ignore[operator]


def test_tie_witness_is_a_tie_the_policy_breaks() -> None:
    rulebase = load_rulebase(FIXTURES / "tie")
    (found,) = lint_rulebase(FIXTURES / "tie").findings
    answers = validate_answers(rulebase, found.witness)
    outcome = decide(rulebase, answers, ReferenceEngine(rulebase).run(answers))
    assert not outcome.defaulted
    assert outcome.ranking[0].score == outcome.ranking[1].score
    assert outcome.primary == rulebase.policy.tie_break[0]


def test_gap_witness_leaves_the_default_to_apply() -> None:
    rulebase = load_rulebase(FIXTURES / "gap")
    (found,) = lint_rulebase(FIXTURES / "gap").findings
    answers = validate_answers(rulebase, found.witness)
    assert decide(rulebase, answers, ReferenceEngine(rulebase).run(answers)).defaulted


def _every_answer_set(rulebase_dir: Path) -> list[dict[str, object]]:
    """Brute force over a grid that includes every threshold's neighbourhood (an independent oracle)."""
    grid = {
        "urgent": [True, False, "unknown"],
        "size": [0, 49, 50, 51, 99, 100, 101, 1000, "unknown"],
        "tone": ["formal", "casual", "unknown"],
    }
    keys = list(grid)
    return [dict(zip(keys, values)) for values in itertools.product(*grid.values())]


def test_unreachable_rule_never_fires_on_a_brute_force_grid() -> None:
    rulebase = load_rulebase(FIXTURES / "unreachable")
    engine = ReferenceEngine(rulebase)
    fired = set().union(*(engine.run(validate_answers(rulebase, a)).fired() for a in _every_answer_set(FIXTURES)))
    assert "big_but_few" not in fired and "heavy_for_big" in fired


def test_redundant_rule_never_fires_without_its_subsumer_on_a_brute_force_grid() -> None:
    rulebase = load_rulebase(FIXTURES / "redundant")
    engine = ReferenceEngine(rulebase)
    runs = [engine.run(validate_answers(rulebase, a)).fired() for a in _every_answer_set(FIXTURES)]
    assert any("heavy_for_big_formal" in f for f in runs)
    assert all("heavy_for_big" in f for f in runs if "heavy_for_big_formal" in f)


def test_all_excluded_witness_excludes_every_approach() -> None:
    rulebase = load_rulebase(FIXTURES / "all_excluded")
    (found,) = lint_rulebase(FIXTURES / "all_excluded").findings
    answers = validate_answers(rulebase, found.witness)
    outcome = decide(rulebase, answers, ReferenceEngine(rulebase).run(answers))
    assert {e.approach for e in outcome.excluded} == {a.id for a in rulebase.approaches}


def test_unknown_weighs_witness_leaves_the_answer_open() -> None:
    (found,) = lint_rulebase(FIXTURES / "unknown_weighs").findings
    assert found.witness == {"size": "unknown"}


def test_a_rule_that_reads_unknown_may_still_flag(tmp_path: Path) -> None:
    text = (FIXTURES / "unknown_weighs" / "rulebase.yaml").read_text()
    (tmp_path / "rulebase.yaml").write_text(text.replace("then: [{support: simple, weight: 1}]",
                                                         "then: [{flag: rush, severity: high}]"))
    assert [f.code for f in lint_rulebase(tmp_path).findings] == []
