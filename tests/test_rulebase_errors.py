"""Every kind of bad rulebase gets one located line per problem, and `decider` exits 2 without a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from decider import RulebaseError, load_rulebase

from conftest import run_cli, write_rulebase

HEAD = """\
rulebase: {id: tiny, version: "1", title: Tiny}
sources:
  - {id: essay, title: Essay, sections: [P1, P2]}
policy:
  default: a
  tie_break: [a, b]
  confidence: {margin_scale: 2, unknown_penalty: 0.5}
approaches:
  - {id: a, title: A}
  - {id: b, title: B}
conclusions:
  - {id: found, kind: finding, title: Found}
  - {id: danger, kind: risk, title: Danger}
questions:
  - {id: yes_no, kind: boolean, text: "Is it?"}
  - id: pick
    kind: choice
    text: Which one?
    choices: [{id: x, label: X}, {id: y, label: Y}]
  - {id: size, kind: number, unit: MB, min: 0, max: 100, text: "How big?"}
"""
# HEAD has 20 lines; the rules below start at line 21.
GOOD_RULES = """\
rules:
  - id: r1
    when: {answer: yes_no, "==": true}
    then: [{conclude: found}, {support: b, weight: 1}]
    because: plain words
    cite: P1
"""


def load_problems(tmp_path: Path, rules: str, extra: dict[str, str] | None = None) -> list[str]:
    directory = write_rulebase(tmp_path / "rb", {"main.yaml": HEAD + rules, **(extra or {})})
    with pytest.raises(RulebaseError) as caught:
        load_rulebase(directory)
    return [str(p) for p in caught.value.problems]


def test_the_base_rulebase_is_valid(tmp_path: Path) -> None:
    rulebase = load_rulebase(write_rulebase(tmp_path / "rb", {"main.yaml": HEAD + GOOD_RULES}))
    assert [r.id for r in rulebase.rules] == ["r1"]
    assert len(rulebase.sha256) == 64


def test_hash_ignores_formatting_but_not_content(tmp_path: Path) -> None:
    one = load_rulebase(write_rulebase(tmp_path / "one", {"main.yaml": HEAD + GOOD_RULES}))
    reformatted = GOOD_RULES.replace("because: plain words", "because:   'plain words'  # same") + "\n# comment\n"
    two = load_rulebase(write_rulebase(tmp_path / "two", {"main.yaml": HEAD + reformatted}))
    changed = load_rulebase(write_rulebase(tmp_path / "three", {"main.yaml": HEAD + GOOD_RULES.replace("weight: 1", "weight: 2")}))
    assert one.sha256 == two.sha256
    assert one.sha256 != changed.sha256


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        pytest.param(GOOD_RULES.replace('"==": true}', '"==": true'), "main.yaml:24:9: YAML syntax", id="yaml-syntax"),
        pytest.param(GOOD_RULES + "    because: again\n", "main.yaml:27:5: duplicate key 'because'", id="duplicate-key"),
        pytest.param(GOOD_RULES.replace("answer: yes_no", "answer: nope"), "main.yaml:23:12: unknown question 'nope' [r1]",
                     id="unknown-question"),
        pytest.param(GOOD_RULES.replace("conclude: found", "conclude: lost"), "unknown conclusion 'lost' [r1]",
                     id="unknown-conclusion"),
        pytest.param(GOOD_RULES.replace("support: b", "support: z"), "unknown approach 'z' [r1]", id="unknown-approach"),
        pytest.param(GOOD_RULES.replace("cite: P1", "cite: P7"), "main.yaml:26:5: cites unknown source 'P7' [r1]",
                     id="unknown-cite"),
        pytest.param(GOOD_RULES.replace("    because: plain words\n", ""), "missing field 'because' [r1]", id="missing-because"),
        pytest.param(GOOD_RULES.replace("    cite: P1\n", ""), "missing field 'cite' [r1]", id="missing-cite"),
        pytest.param(GOOD_RULES.replace('"==": true', '"==": "maybe"'), "is a yes/no question; compare with true or false",
                     id="bool-vs-string"),
        pytest.param(GOOD_RULES.replace('{answer: yes_no, "==": true}', "{answer: pick, in: [x, w]}"),
                     "'w' is not a choice of 'pick' (x, y) [r1]", id="not-a-choice"),
        pytest.param(GOOD_RULES.replace('{answer: yes_no, "==": true}', '{answer: size, ">": big}'),
                     "'size' is a number: expected a number", id="number-vs-string"),
        pytest.param(GOOD_RULES.replace('{answer: yes_no, "==": true}', '{answer: pick, "<": x}'),
                     "'<' does not apply to choice question 'pick'", id="order-on-choice"),
        pytest.param(GOOD_RULES.replace('"==": true', '"~": true'), "unknown operator '~'; expected one of ==, !=, <, <=, >, >=, in, is [r1]", id="bad-operator"),
        pytest.param(GOOD_RULES.replace("weight: 1", "weight: -1"), "weight: Input should be greater than 0 [r1]",
                     id="negative-weight"),
        pytest.param(GOOD_RULES.replace("{conclude: found}", "{flag: found, severity: high}"),
                     "'found' is a finding, not a risk; use conclude [r1]", id="flag-non-risk"),
        pytest.param(GOOD_RULES.replace("{conclude: found}", "{flag: danger, severity: dire}"),
                     "severity: Input should be 'low', 'medium' or 'high' [r1]", id="bad-severity"),
        pytest.param(GOOD_RULES + GOOD_RULES.replace("rules:\n", ""), "duplicate rule id 'r1' [r1]", id="duplicate-rule"),
        pytest.param(GOOD_RULES.replace("id: r1", "id: R-1"), "String should match pattern", id="bad-id"),
        pytest.param(GOOD_RULES.replace("    when:", "    &a : x\n    when:"), "main.yaml:23:5: key 'null' reads as null; a mapping key must be a name", id="null-key"),
        pytest.param(GOOD_RULES.replace("    when:", "    2024-01-01: x\n    when:"), "main.yaml:23:5: key '2024-01-01' reads as a date", id="date-key"),
        pytest.param(GOOD_RULES.replace("    when:", "    1.5: x\n    when:"), "main.yaml:23:5: key '1.5' reads as a number with a fraction", id="decimal-key"),
        pytest.param(GOOD_RULES + "unknown_section: 1\n", "unknown section 'unknown_section'", id="unknown-section"),
        pytest.param(GOOD_RULES.replace('when: {answer: yes_no, "==": true}', "when: {conclusion: found}"),
                     "conclusions depend on themselves: found -> found [r1]", id="cycle"),
    ],
)
def test_each_kind_of_bad_rulebase_is_located(tmp_path: Path, rules: str, expected: str) -> None:
    problems = load_problems(tmp_path, rules)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(str(tmp_path)) or p.startswith("rb") or "main.yaml" in p for p in problems)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    rules = GOOD_RULES.replace("answer: yes_no", "answer: nope").replace("support: b", "support: z").replace("cite: P1", "cite: P9")
    problems = load_problems(tmp_path, rules)
    assert len(problems) == 3, problems


def test_figure_expression_problems(tmp_path: Path) -> None:
    figures = "figures:\n  - {id: f1, title: F, expr: size * }\n  - {id: f2, title: G, expr: pick + 1}\n  - {id: f3, title: H, expr: later * 2}\n  - {id: later, title: L, expr: size}\n"
    problems = load_problems(tmp_path, GOOD_RULES + figures)
    assert any("f1" in p and "expression ends too early" in p for p in problems), problems
    assert any("'pick' is a choice question, not a number [f2]" in p for p in problems), problems
    assert any("figure 'later' must be declared before 'f3' uses it" in p for p in problems), problems


def test_policy_problems(tmp_path: Path) -> None:
    text = (HEAD + GOOD_RULES).replace("default: a", "default: q").replace("tie_break: [a, b]", "tie_break: [a]")
    directory = write_rulebase(tmp_path / "rb", {"main.yaml": text})
    with pytest.raises(RulebaseError) as caught:
        load_rulebase(directory)
    text = str(caught.value)
    assert "unknown approach 'q' [policy]" in text
    assert "tie_break must list every approach; missing b [policy]" in text


def test_sections_across_files_and_missing_sections(tmp_path: Path) -> None:
    directory = write_rulebase(tmp_path / "rb", {"a.yaml": GOOD_RULES, "b.yaml": "questions: []\n"})
    with pytest.raises(RulebaseError) as caught:
        load_rulebase(directory)
    assert "missing section 'rulebase'" in str(caught.value)
    assert "missing section 'policy'" in str(caught.value)


def test_not_a_directory_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(RulebaseError, match="rulebase directory not found"):
        load_rulebase(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RulebaseError, match="no .yaml files"):
        load_rulebase(tmp_path / "empty")


def test_unsafe_yaml_tags_and_alias_bombs_are_refused(tmp_path: Path) -> None:
    problems = load_problems(tmp_path, GOOD_RULES, {"evil.yaml": "x: !!python/object/apply:os.system [echo hi]\n"})
    assert any("evil.yaml:1:4: YAML tag" in p for p in problems), problems
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    problems = load_problems(tmp_path / "bomb", GOOD_RULES, {"bomb.yaml": bomb})
    assert any("expands to more than" in p for p in problems), problems


def test_binary_file_is_reported(tmp_path: Path) -> None:
    directory = write_rulebase(tmp_path / "rb", {"main.yaml": HEAD + GOOD_RULES, "empty.yaml": ""})
    load_rulebase(directory)  # an empty file is fine; a non-UTF-8 one is not
    (directory / "z.yaml").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(RulebaseError, match="not UTF-8 text"):
        load_rulebase(directory)


def test_cli_reports_a_bad_rulebase_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    directory = write_rulebase(tmp_path / "rb", {"main.yaml": HEAD + GOOD_RULES.replace("answer: yes_no", "answer: nope")})
    answers = tmp_path / "a.yaml"
    answers.write_text("yes_no: true\n")
    result = run_cli("decide", str(answers), "--rules", str(directory))
    assert result.returncode == 2
    assert "main.yaml:23:12: unknown question 'nope' [r1]" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_inputs_are_read_in_bounded_memory(tmp_path: Path) -> None:
    """Issue 16 item 6: `decide /dev/zero` grew to 24 GB; a 20 MB YAML list took 1.7 GB and 34 s."""
    zero = run_cli("decide", "/dev/zero", timeout=60)
    assert zero.returncode == 2 and "/dev/zero: larger than 8 MiB; refusing to read it" in zero.stderr
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n" * 2_000_000)
    many = run_cli("decide", str(listed), timeout=60)
    assert many.returncode == 2 and "expands to more than 200000 items" in many.stderr
    assert run_cli("audit", "verify", "/dev/zero", timeout=60).returncode == 2


def test_a_monotone_declaration_names_declared_approaches(tmp_path: Path) -> None:
    text = (HEAD + GOOD_RULES).replace('text: "How big?"}', 'text: "How big?", monotone: {b: up, nope: down}}')
    directory = write_rulebase(tmp_path / "rb", {"main.yaml": text})
    with pytest.raises(RulebaseError) as caught:
        load_rulebase(directory)
    assert [str(p) for p in caught.value.problems] == [
        f"{directory / 'main.yaml'}:20:94: monotone: unknown approach 'nope' [size]"], caught.value.problems
    load_rulebase(write_rulebase(tmp_path / "ok", {"main.yaml": text.replace(", nope: down", "")}))
