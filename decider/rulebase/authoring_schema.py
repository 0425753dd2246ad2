"""The authoring schema: JSON Schema of a rulebase file as people write it (`decider schema rules`).

Editors validate `rules/*.yaml` with it (through their `yaml-language-server: $schema=` line). It is
built from the same declarations the loader reads, so it cannot drift: items that are read as
models (the rulebase identity, sources, questions, figures, conclusions, approaches, the policy,
and every field of a rule besides its condition, effects and citations) come from those models;
effects come from the effect models (`{support: approach, weight: 2}` is `Support` with its first
field as the key); conditions are the surface forms the loader parses. `SURFACE_ADDITIONS` holds
syntax agreed before its model lands (an effect kind, question fields); to extend the language,
add to the model, or to that table until the model has it.
"""

from __future__ import annotations

import copy
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from decider.rulebase.loader import SECTIONS
from decider.rulebase.model import (
    Approach,
    Assumption,
    Conclusion,
    Effect,
    Figure,
    Meta,
    Policy,
    Question,
    Rule,
    Source,
)

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
RULES_SCHEMA_ID = "urn:decider:schema:rules"

_IDENTIFIER = {"type": "string", "pattern": r"^[a-z][a-z0-9_]{0,62}$"}
_SCALAR = {"type": ["boolean", "number", "string"]}
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")

SURFACE_ADDITIONS: dict[str, Any] = {
    "effects": {
        "exclude": {"target": "approach", "fields": {},
                    "description": "Take an approach off the table: it is never primary or complementary."},
    },
    "question_fields": {
        "monotone": {
            "type": "object", "additionalProperties": {"enum": ["up", "down"]},
            "description": "Declared monotonicity per approach: `up` = a later/larger answer never lowers that "
                           "approach's standing, every other answer fixed; `down` the reverse.",
        },
        "prior": {
            "type": "object", "additionalProperties": {"type": "number", "minimum": 0},
            "description": "Prior weight of each answer (true/false, choice ids) for the robustness of a result.",
        },
    },
}
"""Surface syntax agreed between the branches (AGREEMENTS.md) ahead of its model; a model field of the same
name, once it exists, is described by the model instead."""

_SECTION_HELP = {
    "rulebase": "Identity: id, version, title, description (exactly once in the directory).",
    "sources": "What rules may cite: a source id, and its sections (e.g. the essay's P1..P9).",
    "assumptions": "Numbers the rules rest on that no source gives: id, title, statement, and the rules they set.",
    "questions": "The questions, each with a kind: boolean, choice, number or scale. Every question accepts 'unknown'.",
    "figures": "Numbers computed from number questions and earlier figures (+ - * / and parentheses).",
    "conclusions": "Cases, findings, prerequisites and risks the rules can conclude or flag.",
    "approaches": "What the rulebase can recommend.",
    "rules": "id, when (a condition), then (effects), because (plain words), cite (a source id or a list).",
    "policy": "How effects become a recommendation (exactly once in the directory).",
}
_ITEM_MODELS: dict[str, Any] = {
    "rulebase": Meta, "sources": Source, "assumptions": Assumption, "questions": Question, "figures": Figure,
    "conclusions": Conclusion, "approaches": Approach, "policy": Policy,
}
_DERIVED_ONLY = ("at", "tree")
"""Model fields the loader fills in itself (source positions, the parsed expression): never written."""


def rules_schema() -> dict[str, Any]:
    """The JSON Schema of one rulebase file (any file of the directory: every section is optional)."""
    holder = _holder_model()
    schema = holder.model_json_schema(ref_template="#/$defs/{model}")
    defs: dict[str, Any] = schema.pop("$defs", {})
    for name in list(defs):
        _drop_derived(defs[name])
    defs.pop("Position", None)
    for name in ("BooleanQuestion", "ChoiceQuestion", "NumberQuestion", "ScaleQuestion"):
        for field, field_schema in SURFACE_ADDITIONS["question_fields"].items():
            defs[name]["properties"].setdefault(field, copy.deepcopy(field_schema))
    defs["Rule"] = _rule_schema(defs["Rule"])
    defs["Condition"] = _condition_schema()
    defs["Effect"] = _effect_schema()

    sections: dict[str, Any] = {}
    for section in SECTIONS:
        item = schema["properties"][section]
        item.pop("title", None)
        sections[section] = {**item, "description": _SECTION_HELP.get(section, "")}
    defs = {name: defs[name] for name in sorted(_reachable(sections, defs))}
    _standard_bounds([sections, defs])
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": RULES_SCHEMA_ID,
        "title": "A decider rulebase file",
        "description": "One YAML file of a rulebase directory: a mapping of sections; `rulebase` and `policy` "
                       "appear once in the directory, the list sections may be spread over several files. "
                       "The language is documented in rules/README.md.",
        "type": "object",
        "properties": sections,
        "additionalProperties": False,
        "$defs": defs,
    }


def _holder_model() -> type[BaseModel]:
    """One model holding every section, so that pydantic writes one consistent set of `$defs`."""
    from pydantic import create_model

    fields: dict[str, Any] = {}
    for section in SECTIONS:
        model = _ITEM_MODELS.get(section, Rule)
        single = section in ("rulebase", "policy")
        fields[section] = (model if single else list[model], ...)  # type: ignore[valid-type]
    return create_model("RulebaseFile", **fields)


def _drop_derived(schema: dict[str, Any]) -> None:
    properties = schema.get("properties", {})
    for field in _DERIVED_ONLY:
        properties.pop(field, None)
    if "required" in schema:
        schema["required"] = [r for r in schema["required"] if r not in _DERIVED_ONLY]


def _rule_schema(model_schema: dict[str, Any]) -> dict[str, Any]:
    """A rule as written: the Rule model's fields, with `when`, `then` and `cite` in their surface forms."""
    rule = copy.deepcopy(model_schema)
    rule["properties"]["when"] = {"$ref": "#/$defs/Condition",
                                  "description": "When the rule fires: a test, all/any/not, or a list (all of it)."}
    rule["properties"]["then"] = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Effect"},
                                  "description": "What the rule does when it fires."}
    rule["properties"]["cite"] = {"description": "A source id or section (e.g. P6), or a list of them.",
                                  "anyOf": [{"type": "string"}, {"type": "array", "minItems": 1, "items": {"type": "string"}}]}
    rule["required"] = sorted({*rule.get("required", ()), "when", "then", "because", "cite"})
    return rule


def _condition_schema() -> dict[str, Any]:
    """The condition forms `decider.rulebase.loader` parses (rules/README.md, "Conditions")."""
    ref = {"$ref": "#/$defs/Condition"}
    operators: dict[str, Any] = {op: _SCALAR for op in COMPARISONS}
    operators["in"] = {"type": "array", "minItems": 1, "items": _SCALAR}
    operators["is"] = {"enum": ["unknown", "known"]}

    def test(subject: str, what: str) -> dict[str, Any]:
        return {"type": "object", "title": f"a test on {what}",
                "properties": {subject: _IDENTIFIER, **operators}, "required": [subject],
                "minProperties": 2, "maxProperties": 2, "additionalProperties": False}

    def single(key: str, value: Any, title: str) -> dict[str, Any]:
        return {"type": "object", "title": title, "properties": {key: value}, "required": [key],
                "additionalProperties": False}

    return {"anyOf": [
        {"type": "array", "minItems": 1, "items": ref, "title": "all of these"},
        single("all", {"type": "array", "minItems": 1, "items": ref}, "all of these"),
        single("any", {"type": "array", "minItems": 1, "items": ref}, "any of these"),
        single("not", ref, "not this"),
        single("conclusion", _IDENTIFIER, "a conclusion holds"),
        test("answer", "an answer"),
        test("figure", "a figure"),
    ]}


def _effect_schema() -> dict[str, Any]:
    """Effects as written: `{<kind>: <target>, ...other fields}` for every effect model, plus agreed additions."""
    forms: dict[str, dict[str, Any]] = {}
    for model in _union_members(Effect):
        kind = model.model_fields["type"].default
        schema = model.model_json_schema()
        fields = [name for name in model.model_fields if name != "type"]
        target, others = fields[0], fields[1:]
        properties = {kind: _IDENTIFIER, **{name: schema["properties"][name] for name in others}}
        for extra in properties.values():
            extra.pop("title", None)
        required = [kind, *(name for name in others if name in schema.get("required", ()))]
        forms[kind] = {"type": "object", "title": f"{kind} a{'n' if target[0] in 'aeiou' else ''} {target}",
                       "properties": properties, "required": required, "additionalProperties": False}
    for kind, addition in SURFACE_ADDITIONS["effects"].items():
        if kind not in forms:
            forms[kind] = {"type": "object", "title": f"{kind} an {addition['target']}", "description": addition["description"],
                           "properties": {kind: _IDENTIFIER, **addition["fields"]}, "required": [kind],
                           "additionalProperties": False}
    return {"oneOf": list(forms.values())}


def _union_members(annotated: Any) -> list[type[BaseModel]]:
    """The models of a (possibly Annotated) discriminated union."""
    union = get_args(annotated)[0] if get_args(annotated) and get_origin(annotated) is not Union else annotated
    return [m for m in get_args(union) if isinstance(m, type) and issubclass(m, BaseModel)]


def _reachable(roots: Any, defs: dict[str, Any]) -> set[str]:
    """The `$defs` names reachable from `roots` (the surface forms leave internal models unreferenced)."""
    seen: set[str] = set()
    pending = _references(roots)
    while pending:
        name = pending.pop()
        if name not in seen and name in defs:
            seen.add(name)
            pending |= _references(defs[name])
    return seen


_BOUNDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


def _standard_bounds(schema: Any) -> None:
    """pydantic writes a bound on an int-or-float field as `gt`/`ge`/...: give it the JSON Schema keyword."""
    if isinstance(schema, dict):
        for short, keyword in _BOUNDS.items():
            if short in schema and not isinstance(schema[short], (dict, list)):
                schema[keyword] = schema.pop(short)
        for value in schema.values():
            _standard_bounds(value)
    elif isinstance(schema, list):
        for value in schema:
            _standard_bounds(value)


def _references(schema: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in schema.values():
            found |= _references(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _references(value)
    return found

