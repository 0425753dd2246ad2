"""Schemas editors can use: every shipped YAML file names its schema and validates against it, the schemas in
schemas/ are current, and the authoring schema accepts what the loader accepts and refuses what it refuses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from conftest import FIXTURES, ROOT, run_cli, write_rulebase
from decider import load_rulebase
from decider.cli.schema import NAMES as CLI_NAMES
from decider.errors import RulebaseError
from decider.reasoning.schemas import AUTHORED, NAMES, document_schema, render
from decider.rulebase.authoring_schema import rules_schema

SCHEMAS = ROOT / "schemas"
SHIPPED = sorted(p for folder in ("rules", "examples") for p in (ROOT / folder).rglob("*") if p.suffix in (".yaml", ".yml"))
LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
EXPECTED_SCHEMA = {"rules": "rules", "scenarios": "scenario", "cases": "case", "examples": "answers"}
"""Which schema a shipped file must name, by the folder it sits in."""


def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8")))


def _errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(data)]


def test_there_are_shipped_yaml_files() -> None:
    assert len(SHIPPED) > 20 and any(p.parent.name == "rules" for p in SHIPPED)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_yaml_file_names_its_schema_and_validates(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = LINE.match(text.splitlines()[0])
    assert found, f"{path.relative_to(ROOT)}: first line must be '# yaml-language-server: $schema=<path>'"
    target = (path.parent / found.group(1)).resolve()
    name = EXPECTED_SCHEMA[path.parent.name]
    assert target == (SCHEMAS / f"{name}.schema.json").resolve(), f"{path.relative_to(ROOT)} should name {name}"
    assert _errors(_validator(name), yaml.safe_load(text)) == []


def test_the_schemas_in_the_tree_are_current(tmp_path: Path) -> None:
    result = run_cli("schema", "--write", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for name in AUTHORED:
        fresh = (tmp_path / f"{name}.schema.json").read_text(encoding="utf-8")
        assert (SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8") == fresh, (
            f"schemas/{name}.schema.json is stale: run `decider schema --write schemas`")


@pytest.mark.parametrize("name", NAMES)
def test_every_schema_is_valid_json_schema_with_an_id(name: str) -> None:
    schema = json.loads(run_cli("schema", name).stdout)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"urn:decider:schema:{name}"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_cli_lists_every_schema() -> None:
    assert CLI_NAMES == NAMES


def test_schema_without_a_name_is_a_usage_error() -> None:
    result = run_cli("schema")
    assert result.returncode == 2 and "give a schema NAME, or --write DIR" in result.stderr


# -- the authoring schema and the loader agree


def test_every_rulebase_the_loader_accepts_validates(tmp_path: Path) -> None:
    validator = Draft202012Validator(rules_schema())
    loaded = 0
    for directory in sorted({p.parent for p in FIXTURES.rglob("*.yaml")} | {ROOT / "rules"}):
        try:
            load_rulebase(directory)
        except RulebaseError:
            continue
        loaded += 1
        for path in sorted(directory.glob("*.yaml")):
            assert _errors(validator, yaml.safe_load(path.read_text(encoding="utf-8"))) == [], path
    assert loaded >= 5


BASE = """
rulebase: {id: tiny, version: "1", title: Tiny}
sources: [{id: essay, title: Essay, sections: [P1]}]
questions:
  - {id: yes_no, kind: boolean, text: "Yes or no?"}
  - {id: pick, kind: choice, text: "Which?", choices: [{id: a, label: A}, {id: b, label: B}]}
  - {id: size, kind: number, text: "How many?", unit: items, min: 0, max: 100}
conclusions: [{id: found, kind: finding, title: Found}, {id: danger, kind: risk, title: Danger}]
approaches: [{id: one, title: One}, {id: two, title: Two}]
policy: {default: one, tie_break: [one, two], confidence: {margin_scale: 1.5, unknown_penalty: 0.5}}
rules:
  - id: r1
    when: RULE_WHEN
    then: RULE_THEN
    because: A reason.
    cite: P1
"""

GOOD_FORMS = [
    ('{answer: yes_no, "==": true}', "[{support: one, weight: 2}]"),
    ("[{answer: pick, in: [a, b]}, {answer: size, '>=': 3}]", "[{conclude: found}, {flag: danger, severity: high}]"),
    ("{any: [{answer: size, is: unknown}, {not: {conclusion: found}}]}", "[{oppose: two, weight: 1.5}]"),
    ("{all: [{answer: yes_no, is: known}]}", "[{conclude: found}]"),
]


@pytest.mark.parametrize(("when", "then"), GOOD_FORMS)
def test_surface_forms_the_loader_accepts_validate(tmp_path: Path, when: str, then: str) -> None:
    text = BASE.replace("RULE_WHEN", when).replace("RULE_THEN", then)
    load_rulebase(write_rulebase(tmp_path / "rb", {"main.yaml": text}))
    assert _errors(Draft202012Validator(rules_schema()), yaml.safe_load(text)) == []


BAD_FORMS = [
    pytest.param('{answer: yes_no, "=>": true}', "[{support: one, weight: 2}]", id="unknown-operator"),
    pytest.param('{answer: yes_no, "==": true, "!=": false}', "[{support: one, weight: 2}]", id="two-operators"),
    pytest.param("{answer: size, is: maybe}", "[{support: one, weight: 2}]", id="is-maybe"),
    pytest.param("{answer: pick, in: []}", "[{support: one, weight: 2}]", id="empty-in"),
    pytest.param("[]", "[{support: one, weight: 2}]", id="empty-when"),
    pytest.param("{conclusion: found, extra: 1}", "[{support: one, weight: 2}]", id="conclusion-extra"),
    pytest.param('{answer: yes_no, "==": true}', "[]", id="empty-then"),
    pytest.param('{answer: yes_no, "==": true}', "[{support: one, weigth: 2}]", id="typo-weight"),
    pytest.param('{answer: yes_no, "==": true}', "[{support: one}]", id="missing-weight"),
    pytest.param('{answer: yes_no, "==": true}', "[{support: one, weight: 0}]", id="zero-weight"),
    pytest.param('{answer: yes_no, "==": true}', "[{flag: danger, severity: critical}]", id="bad-severity"),
    pytest.param('{answer: yes_no, "==": true}', "[{conclude: found, support: one, weight: 1}]", id="two-effects"),
]


@pytest.mark.parametrize(("when", "then"), BAD_FORMS)
def test_surface_errors_the_loader_refuses_are_refused_by_the_schema(tmp_path: Path, when: str, then: str) -> None:
    text = BASE.replace("RULE_WHEN", when).replace("RULE_THEN", then)
    with pytest.raises(RulebaseError):
        load_rulebase(write_rulebase(tmp_path / "rb", {"main.yaml": text}))
    assert _errors(Draft202012Validator(rules_schema()), yaml.safe_load(text)) != []


@pytest.mark.parametrize("edit", [
    pytest.param(lambda d: d.update(extra_section=[]), id="unknown-section"),
    pytest.param(lambda d: d["rules"][0].pop("because"), id="missing-because"),
    pytest.param(lambda d: d["questions"][0].update(kind="yesno"), id="unknown-kind"),
    pytest.param(lambda d: d["questions"][1].update(choices=[{"id": "a", "label": "A"}]), id="one-choice"),
    pytest.param(lambda d: d["rules"][0].update(id="Bad-Id"), id="bad-id"),
])
def test_item_errors_the_loader_refuses_are_refused_by_the_schema(tmp_path: Path, edit: Any) -> None:
    data = yaml.safe_load(BASE.replace("RULE_WHEN", '{answer: yes_no, "==": true}').replace("RULE_THEN", "[{conclude: found}]"))
    edit(data)
    text = yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(RulebaseError):
        load_rulebase(write_rulebase(tmp_path / "rb", {"main.yaml": text}))
    assert _errors(Draft202012Validator(rules_schema()), data) != []


def test_the_agreed_syntax_is_in_the_schema_already() -> None:
    """AGREEMENTS.md: the `exclude` effect and a question's `monotone` and `prior`."""
    data = yaml.safe_load(BASE.replace("RULE_WHEN", '{answer: yes_no, "==": false}').replace("RULE_THEN", "[{exclude: two}]"))
    data["questions"][1].update(monotone={"one": "up", "two": "down"}, prior={"a": 2, "b": 1})
    data["questions"][0].update(prior={"true": 1, "false": 3})
    validator = Draft202012Validator(rules_schema())
    assert _errors(validator, data) == []
    data["questions"][1]["monotone"]["one"] = "sideways"
    assert _errors(validator, data) != []


def test_a_case_file_as_agreed_validates(shipped: Any) -> None:
    validator = Draft202012Validator(document_schema("case", shipped))
    case = {"id": "N-02", "title": "A vision model for documents", "source": "https://example.org/report",
            "context": "What the case says.", "answers": {"format_failures": True, "knowledge": "unknown"},
            "accept": ["fine_tune"], "must_flag": ["forgetting"], "max_confidence": 0.6, "note": "Sources differ."}
    assert _errors(validator, case) == []
    assert _errors(validator, {**case, "accept": ["fine_tuning"]}) != []
    assert _errors(validator, {**case, "answers": {"no_such_question": True}}) != []
    assert _errors(validator, {k: v for k, v in case.items() if k != "accept"}) != []
    assert _errors(validator, {"answers": {}, "accept": "prompt_eval"}) == []  # what `decider evaluate` requires


def test_render_ends_with_a_newline(shipped: Any) -> None:
    assert render(document_schema("answers", shipped)).endswith("}\n")
