"""JSON Schemas of the documents decider reads and writes (`decider schema NAME`), each with an `$id`.

Written by people, checked by editors: `rules` (a rulebase file, `decider.rulebase.authoring_schema`),
`answers`, `case` (a calibration case, `decider evaluate`) and `scenario` (a golden scenario); the last
three name the questions, approaches and risks of a rulebase. Written by decider: `consultation`,
`trace`, `log-record`, and `rulebase` (the loaded model, not the YAML surface). `schemas/` in the source
tree holds the written-by-people ones for the shipped rulebase (`decider schema --write schemas`), which
the shipped YAML files name on their `yaml-language-server: $schema=` line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from decider.rulebase.answers import answers_schema
from decider.rulebase.authoring_schema import SCHEMA_DIALECT, rules_schema
from decider.rulebase.model import Rulebase

AUTHORED = ("rules", "answers", "case", "scenario")
"""Documents people write; `decider schema --write DIR` writes these as DIR/NAME.schema.json."""
NAMES = (*AUTHORED, "consultation", "trace", "log-record", "rulebase")


def schema_id(name: str) -> str:
    return f"urn:decider:schema:{name}"


def document_schema(name: str, rulebase: Rulebase) -> dict[str, Any]:
    """The JSON Schema called `name` (one of NAMES); answers, cases and scenarios are those of `rulebase`."""
    if name not in _BUILDERS:
        raise KeyError(name)
    schema = _BUILDERS[name](rulebase)
    return {"$schema": SCHEMA_DIALECT, "$id": schema_id(name),
            **{k: v for k, v in schema.items() if k not in ("$schema", "$id")}}


def write_schemas(directory: str | Path, rulebase: Rulebase) -> list[Path]:
    """Write the schemas of the documents people write into `directory` (created if missing)."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in AUTHORED:
        path = target / f"{name}.schema.json"
        path.write_text(render(document_schema(name, rulebase)), encoding="utf-8")
        written.append(path)
    return written


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _answers(rulebase: Rulebase) -> dict[str, Any]:
    return answers_schema(rulebase)


def _embedded_answers(rulebase: Rulebase) -> dict[str, Any]:
    """The answers schema inside a case or scenario schema (inlined: editors need no resolver)."""
    inner = answers_schema(rulebase)
    return {k: v for k, v in inner.items() if k not in ("$schema", "$id")}


def _ids(rulebase: Rulebase, what: str) -> dict[str, Any]:
    if what == "approach":
        values = [a.id for a in rulebase.approaches]
    elif what == "risk":
        values = [c.id for c in rulebase.conclusions if c.kind == "risk"]
    else:
        values = [cid for s in rulebase.sources for cid in (s.id, *s.sections)]
    return {"enum": values}


def _id_list(rulebase: Rulebase, what: str, description: str, minimum: int = 0) -> dict[str, Any]:
    return {"type": "array", "items": _ids(rulebase, what), "uniqueItems": True, "minItems": minimum,
            "description": description}


def _one_or_list(rulebase: Rulebase, what: str, description: str) -> dict[str, Any]:
    """An id, or a list of ids (as `decider evaluate` reads `accept` and `must_flag`)."""
    return {"description": description, "anyOf": [_ids(rulebase, what), _id_list(rulebase, what, description, 1)]}


_TEXT = {"type": "string", "minLength": 1}


def _case(rulebase: Rulebase) -> dict[str, Any]:
    """A calibration case (examples/cases/*.yaml): a public report's situation and its outcome."""
    text = {"type": "string", "minLength": 1}
    return {
        "title": f"A decider case for {rulebase.meta.id} (decider evaluate)",
        "type": "object",
        "properties": {
            "id": {**_TEXT, "description": "Defaults to the file name without .yaml."},
            "title": {**_TEXT, "description": "Who, and what they built."},
            "source": {"description": "URL(s) of the public report.",
                       "anyOf": [text, {"type": "array", "minItems": 1, "items": text}]},
            "context": {**_TEXT, "description": "What the case says, in our own words."},
            "answers": {**_embedded_answers(rulebase),
                        "description": "Only what the case states; leave a question out (or `unknown`) otherwise."},
            "accept": _one_or_list(rulebase, "approach", "Approaches the reported outcome supports as primary."),
            "must_flag": _one_or_list(rulebase, "risk", "Risks that must be flagged."),
            "max_confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "note": {**_TEXT, "description": "Where the case and the sources disagree, and the like."},
        },
        "required": ["answers", "accept"],
        "additionalProperties": False,
    }


def _scenario(rulebase: Rulebase) -> dict[str, Any]:
    """A golden scenario (examples/scenarios/*.yaml): answers and what the advice must be."""
    return {
        "title": f"A decider golden scenario for {rulebase.meta.id} (decider scenarios)",
        "type": "object",
        "properties": {
            "context": {**_TEXT, "description": "The situation in a sentence."},
            "answers": _embedded_answers(rulebase),
            "expect": {
                "type": "object",
                "properties": {
                    "primary": {**_ids(rulebase, "approach"), "description": "The recommendation."},
                    "risks": _id_list(rulebase, "risk", "Risks that must be flagged."),
                    "cites": _id_list(rulebase, "citation", "Citations that must justify the result.", 1),
                    "complementary": _id_list(rulebase, "approach", "The complementary approaches, exactly."),
                    "confidence": {"enum": ["low", "moderate", "high"]},
                },
                "required": ["primary"],
                "additionalProperties": False,
            },
            "accept": _one_or_list(rulebase, "approach", "Approaches a sound primary may be (decider evaluate)."),
        },
        "required": ["context", "answers", "expect"],
        "additionalProperties": False,
    }


def _model_schema(model: str) -> Callable[[Rulebase], dict[str, Any]]:
    def build(_: Rulebase) -> dict[str, Any]:
        if model == "consultation":
            from decider.reasoning.consultation import Consultation

            return Consultation.model_json_schema()
        if model == "trace":
            from decider.policy.trace import Trace

            return Trace.model_json_schema()
        if model == "log-record":
            from decider.storage.decision_log import LogRecord

            return LogRecord.model_json_schema()
        return Rulebase.model_json_schema()

    return build


_BUILDERS: dict[str, Callable[[Rulebase], dict[str, Any]]] = {
    "rules": lambda _: rules_schema(),
    "answers": _answers,
    "case": _case,
    "scenario": _scenario,
    **{name: _model_schema(name) for name in ("consultation", "trace", "log-record", "rulebase")},
}
