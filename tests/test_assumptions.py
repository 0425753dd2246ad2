"""Named assumptions: a threshold no source gives is declared in the rulebase (`assumptions`) and listed
with every result whose answers it was applied to, in the library, the report, `decide` and the map."""

from __future__ import annotations

from pathlib import Path

import pytest

from decider import RulebaseError, consult, load_rulebase
from decider.rulebase.loader import content_hash
from conftest import run_cli, write_rulebase

SHIPPED = load_rulebase()
VOLUME = {"narrow_task": True, "monthly_mtokens": 800}

TINY = """\
rulebase: {id: tiny, version: "1", title: Tiny}
sources:
  - {id: essay, title: Essay, sections: [P1]}
policy: {default: a, tie_break: [a, b], confidence: {margin_scale: 2}}
approaches:
  - {id: a, title: A}
  - {id: b, title: B}
questions:
  - {id: volume, kind: number, unit: items, text: How many?, min: 0, max: 1000}
rules:
  - {id: big, when: {answer: volume, ">=": 100}, then: [{support: b, weight: 2}], because: plain words, cite: P1}
"""


def tiny(tmp_path: Path, assumptions: str = "") -> Path:
    return write_rulebase(tmp_path / "rb", {"main.yaml": TINY + assumptions})


def test_an_assumption_is_listed_when_its_threshold_met_an_answer_given() -> None:
    given = consult(SHIPPED, VOLUME)
    assert "high_volume" in {a.id for a in given.assumptions}
    below = consult(SHIPPED, {**VOLUME, "monthly_mtokens": 100})  # applied, and decided that it did not fire
    assert "high_volume" in {a.id for a in below.assumptions}
    open_answer = consult(SHIPPED, {"narrow_task": True, "monthly_mtokens": "unknown"})
    assert "high_volume" not in {a.id for a in open_answer.assumptions}


def test_every_shipped_assumption_names_rules_that_compare_with_a_number() -> None:
    assert SHIPPED.assumptions
    for assumption in SHIPPED.assumptions:
        for rule_id in assumption.rules:
            assert any(c.isdigit() for c in SHIPPED.rule_index[rule_id].model_dump_json(include={"when"})), rule_id


def test_the_report_decide_and_the_knowledge_map_show_them() -> None:
    result = consult(SHIPPED, VOLUME)
    report = result.to_markdown()
    section = report.split("## Assumptions", 1)[1].split("\n## ", 1)[0]
    for assumption in result.assumptions:
        assert assumption.title in section and assumption.statement.split()[0] in section
    done = run_cli("decide", "-", stdin="narrow_task: true\nmonthly_mtokens: 800\n")
    assert done.returncode == 0, done.stderr
    assert "Assumptions (thresholds no source gives):" in done.stdout and "[high_volume]" in done.stdout
    readme = (Path(__file__).parents[1] / "rules" / "README.md").read_text(encoding="utf-8")
    assert all(f"(`{a.id}`;" in readme for a in SHIPPED.assumptions)


def test_no_section_when_no_threshold_met_an_answer() -> None:
    result = consult(SHIPPED, {"prompting_baseline": "tried"})
    assert result.assumptions == () and "## Assumptions" not in result.to_markdown()


def test_a_rulebase_without_assumptions_hashes_as_before_they_existed(tmp_path: Path) -> None:
    plain = load_rulebase(tiny(tmp_path))
    assert plain.assumptions == () and "assumptions" not in plain.model_dump(mode="json")
    declared = load_rulebase(tiny(tmp_path / "with", """\
assumptions:
  - {id: many, title: Many starts at 100, statement: No source gives it., rules: [big]}
"""))
    assert content_hash(declared) != content_hash(plain)
    assert consult(declared, {"volume": 150}).assumptions[0].id == "many"


@pytest.mark.parametrize(("entry", "line", "words"), [
    ("  - {id: many, title: Many, statement: Why., rules: [nowhere]}\n", 13, "unknown rule 'nowhere'"),
    ("  - {id: many, title: Many, statement: Why., rules: [big]}\n"
     "  - {id: many, title: Again, statement: Why., rules: [big]}\n", 14, "duplicate assumption id 'many'"),
    ("  - {id: many, title: Many, rules: [big]}\n", 13, "statement"),
])
def test_a_bad_assumption_is_one_clear_problem_with_file_and_line(tmp_path: Path, entry: str, line: int,
                                                                   words: str) -> None:
    directory = tiny(tmp_path, "assumptions:\n" + entry)
    with pytest.raises(RulebaseError) as caught:
        load_rulebase(directory)
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 1 and f"main.yaml:{line}" in problems[0] and words in problems[0], problems
    done = run_cli("decide", "--rules", directory, "-", stdin="volume: 1\n")
    assert done.returncode != 0 and "Traceback" not in done.stderr and f"main.yaml:{line}" in done.stderr
