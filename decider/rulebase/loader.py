"""Load a rulebase directory: parse every YAML file, validate, resolve references, hash.

All problems are collected and raised together as one RulebaseError, one located line each.
Longer than most modules because it is one pass with one problem list: each check needs the
positions and indexes the earlier checks built, and splitting it would pass that state around.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter, ValidationError

from decider.canonical import NotCanonical, Scheme, sha256_hex
from decider.errors import Problem, RulebaseError
from decider.rulebase import logic
from decider.rulebase.expressions import ExpressionError, parse_expression, references
from decider.rulebase.model import (
    UNKNOWN,
    AllOf,
    AnyOf,
    Approach,
    Assumption,
    BooleanQuestion,
    ChoiceQuestion,
    Conclude,
    Concluded,
    Conclusion,
    Condition,
    Effect,
    Exclude,
    Figure,
    Flag,
    Meta,
    NotOf,
    NumberQuestion,
    Oppose,
    Policy,
    Question,
    Rule,
    Rulebase,
    ScaleQuestion,
    Source,
    Support,
    Test,
)
from decider.rulebase.numbers import NumberError, is_on_grid, to_decimal
from decider.rulebase.yaml_source import Document, Loc, SourceError, read_yaml

SECTIONS = ("rulebase", "sources", "assumptions", "questions", "figures", "conclusions", "approaches", "rules", "policy")
MAX_FACT_FIELDS = 200
"""durable_rules holds about 250 properties per fact; answers and figures share one fact."""
MAX_DEPTH = 32
POLICY_RESOLUTION = 1e-6
"""Policy numbers are weights and thresholds: .inf, .nan or 1e-320 would only break the arithmetic."""

UNKNOWN_REFERENCE = "E101"
TYPE_MISMATCH = "E102"
UNKNOWN_CITE = "E103"
MISSING_BECAUSE = "E104"
MISSING_CITE = "E105"
CONCLUSION_CYCLE = "E106"
"""Codes the loader puts on its problems so `decider lint` can report them by kind (others have none)."""
_FIELD_CODES = {"because": MISSING_BECAUSE, "cite": MISSING_CITE}

_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=", "in")
_QUESTION = TypeAdapter(Question)
_EFFECT = TypeAdapter(Effect)


def default_rules_dir() -> Path:
    """The packaged rulebase (wheel installs) or the source tree's `rules/` (checkouts)."""
    packaged = resources.files("decider") / "_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rules"


def load_rulebase(path: str | Path | None = None) -> Rulebase:
    """Load, validate and resolve the rulebase in directory `path` (None: the shipped one)."""
    root = Path(path) if path is not None else default_rules_dir()
    return _Loader(root).load()


def content_hash(rulebase: Rulebase, scheme: Scheme = "jcs") -> str:
    """sha256 of the canonical JSON (RFC 8785) of the rulebase content (positions and formatting excluded);
    `scheme="v1"` gives the hash that traces written before 0.2.0 recorded (over 0.1.0's model)."""
    data = rulebase.model_dump(mode="json")
    try:
        return sha256_hex(_as_first_model(data) if scheme == "v1" else data, scheme)
    except NotCanonical as exc:
        raise RulebaseError([Problem(message=f"the rulebase cannot be hashed: {exc}", path=rulebase.root)]) from None


def _as_first_model(data: dict[str, Any]) -> dict[str, Any]:
    """The model's data as decider 0.1.0 dumped it: the fields added since (question `monotone` and `prior`,
    `conflict_discount`) left out when they hold their defaults, which is all a 0.1.0 rulebase can give them."""
    questions = [{k: v for k, v in q.items() if not (k == "monotone" and v == {} or k == "prior" and v is None)}
                 for q in data["questions"]]
    confidence = {k: v for k, v in data["policy"]["confidence"].items() if not (k == "conflict_discount" and v == 0)}
    return {**data, "questions": questions, "policy": {**data["policy"], "confidence": confidence}}


class _V1Hash(str):
    """The pre-0.2.0 content hash, as kept in `Rulebase.derived`."""


def rulebase_hash(rulebase: Rulebase, scheme: Scheme) -> str:
    """The rulebase's content hash as a trace of this scheme records it: `sha256` (RFC 8785), or the
    pre-0.2.0 form for `decider-trace/1` traces (computed once per rulebase)."""
    if scheme == "jcs":
        return rulebase.sha256
    found = rulebase.derived.get(_V1Hash)
    if found is None:
        found = rulebase.derived[_V1Hash] = _V1Hash(content_hash(rulebase, "v1"))
    return str(found)


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.unreadable = False
        """Some file could not be parsed: sections it may hold are not reported missing."""

    # -- reporting

    def fail(self, doc: Document, loc: Loc, message: str, item: str | None = None, code: str | None = None) -> None:
        problem = doc.problem(loc, message, item)
        self.problems.append(problem.model_copy(update={"code": code}) if code else problem)

    def pydantic_problems(self, doc: Document, loc: Loc, error: ValidationError, item: str | None) -> None:
        for detail in error.errors():
            where = tuple(p for p in detail["loc"] if not (isinstance(p, str) and p in _TAGS))
            field = ".".join(str(p) for p in where)
            message = detail["msg"]
            if detail["type"] == "missing":
                message = f"missing field '{field}'"
            elif detail["type"] == "extra_forbidden":
                message = f"unknown field '{field}'"
            elif field:
                message = f"{field}: {message}"
            self.fail(doc, (*loc, *where), message, item, _FIELD_CODES.get(str(where[0])) if where else None)

    # -- the whole load

    def load(self) -> Rulebase:
        if not self.root.is_dir():
            raise RulebaseError([Problem(message="rulebase directory not found", path=str(self.root))])
        files = sorted(p for p in self.root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise RulebaseError([Problem(message="no .yaml files in the rulebase directory", path=str(self.root))])
        sections: dict[str, list[tuple[Document, Loc, Any]]] = {name: [] for name in SECTIONS}
        for file in files:
            try:
                doc = read_yaml(file, _display(file))
            except SourceError as exc:
                self.problems.extend(exc.problems)
                self.unreadable = True
                continue
            if doc.data is None:
                continue
            if not isinstance(doc.data, dict):
                self.fail(doc, (), f"a rulebase file must be a mapping of sections ({', '.join(SECTIONS)})")
                continue
            for key, value in doc.data.items():
                if key not in SECTIONS:
                    self.fail(doc, (key,), f"unknown section {key!r}; expected one of: {', '.join(SECTIONS)}", str(key))
                    continue
                sections[key].append((doc, (key,), value))
        rulebase = self.build(sections)
        if self.problems or rulebase is None:
            raise RulebaseError(_unique(self.problems))
        return rulebase

    def build(self, sections: dict[str, list[tuple[Document, Loc, Any]]]) -> Rulebase | None:
        meta = self.single(sections["rulebase"], "rulebase", Meta)
        policy_raw = self.single_raw(sections["policy"], "policy")
        sources = self.items(sections["sources"], Source, "source")
        assumptions = self.items(sections["assumptions"], Assumption, "assumption")
        questions = self.items(sections["questions"], None, "question", parse=self.question)
        figures = self.items(sections["figures"], None, "figure", parse=self.figure)
        conclusions = self.items(sections["conclusions"], Conclusion, "conclusion")
        approaches = self.items(sections["approaches"], Approach, "approach")
        rule_raw = self.raw_items(sections["rules"], "rule")

        names: dict[str, str] = {}
        for kind, group in (("question", questions), ("figure", figures), ("conclusion", conclusions), ("approach", approaches)):
            for obj, doc, loc in group:
                if obj.id in names:
                    self.fail(doc, (*loc, "id"), f"id {obj.id!r} is already used by a {names[obj.id]}", obj.id)
                else:
                    names[obj.id] = kind
        q_index = {q.id: q for q, _, _ in questions}
        f_index = {f.id: f for f, _, _ in figures}
        c_index = {c.id: c for c, _, _ in conclusions}
        a_index = {a.id: a for a, _, _ in approaches}
        s_ids: dict[str, str] = {}
        for source, doc, loc in sources:
            for cid in (source.id, *source.sections):
                if cid in s_ids:
                    self.fail(doc, loc, f"citation id {cid!r} is already declared by source {s_ids[cid]!r}", source.id)
                s_ids[cid] = source.id
            noted: set[str] = set()
            for k, note in enumerate(source.notes):
                if note.id not in source.sections:
                    self.fail(doc, (*loc, "notes", k, "id"), f"note for {note.id!r}, which is not one of the source's "
                              f"sections ({', '.join(source.sections) or 'none'})", source.id)
                elif note.id in noted:
                    self.fail(doc, (*loc, "notes", k, "id"), f"section {note.id!r} has two notes", source.id)
                noted.add(note.id)

        self.check_figures(figures, q_index, f_index)
        for question, doc, loc in questions:
            for aid in question.monotone:
                if aid not in a_index:
                    self.fail(doc, (*loc, "monotone", aid), f"monotone: unknown approach {aid!r}", question.id,
                              UNKNOWN_REFERENCE)
            for index, choice in enumerate(getattr(question, "choices", ())):
                if choice.considers is not None and choice.considers not in a_index:
                    self.fail(doc, (*loc, "choices", index, "considers"),
                              f"considers: unknown approach {choice.considers!r}", question.id, UNKNOWN_REFERENCE)
        if len(questions) + len(figures) > MAX_FACT_FIELDS and questions:
            _, doc, loc = questions[-1]
            self.fail(doc, loc, f"at most {MAX_FACT_FIELDS} questions and figures together are supported")

        context = _Refs(q_index, f_index, c_index, a_index, s_ids)
        rules: list[tuple[Rule, Document, Loc]] = []
        seen_rules: set[str] = set()
        for raw, doc, loc in rule_raw:
            rule = self.rule(raw, doc, loc, context)
            if rule is None:
                continue
            if rule.id in seen_rules:
                self.fail(doc, (*loc, "id"), f"duplicate rule id {rule.id!r}", rule.id)
                continue
            seen_rules.add(rule.id)
            rules.append((rule, doc, loc))

        self.check_assumptions(assumptions, seen_rules)

        policy = None
        if policy_raw is not None:
            policy = self.policy(*policy_raw, a_index)
        if not approaches and sections["approaches"]:
            pass
        if not questions and not self.problems:
            self.problems.append(Problem(message="the rulebase declares no questions", path=str(self.root)))
        if not approaches and not self.problems:
            self.problems.append(Problem(message="the rulebase declares no approaches", path=str(self.root)))

        strata = logic.stratify([r for r, _, _ in rules])
        if isinstance(strata, list):
            message = "conclusions depend on themselves: " + " -> ".join(strata)
            producers = [(r, doc, loc) for r, doc, loc in rules if set(logic.concluded_by(r)) & set(strata)]
            if producers:
                rule, doc, loc = producers[0]
                self.fail(doc, loc, message, rule.id, CONCLUSION_CYCLE)
            else:
                self.problems.append(Problem(message=message, path=str(self.root), code=CONCLUSION_CYCLE))

        if self.problems or meta is None or policy is None:
            return None
        rulebase = Rulebase(
            meta=meta,
            sources=tuple(s for s, _, _ in sources),
            assumptions=tuple(a for a, _, _ in assumptions),
            questions=tuple(q for q, _, _ in questions),
            figures=tuple(f for f, _, _ in figures),
            conclusions=tuple(c for c, _, _ in conclusions),
            approaches=tuple(a for a, _, _ in approaches),
            rules=tuple(r for r, _, _ in rules),
            policy=policy,
            root=str(self.root),
        )
        return rulebase.model_copy(update={"sha256": content_hash(rulebase)})

    def check_assumptions(self, assumptions: list[tuple[Assumption, Document, Loc]], rules: set[str]) -> None:
        """Each assumption has its own id and names rules that exist."""
        seen: set[str] = set()
        for assumption, doc, loc in assumptions:
            if assumption.id in seen:
                self.fail(doc, (*loc, "id"), f"duplicate assumption id {assumption.id!r}", assumption.id)
            seen.add(assumption.id)
            for k, rule in enumerate(assumption.rules):
                if rule not in rules:
                    self.fail(doc, (*loc, "rules", k), f"assumption names unknown rule {rule!r}", assumption.id,
                              UNKNOWN_REFERENCE)

    # -- sections

    def single(self, entries: list[tuple[Document, Loc, Any]], name: str, model: type[BaseModel]) -> Any:
        found = self.single_raw(entries, name)
        if found is None:
            return None
        raw, doc, loc = found
        if not isinstance(raw, dict):
            self.fail(doc, loc, f"section '{name}' must be a mapping")
            return None
        try:
            return model.model_validate({**raw, "at": doc.at(loc)})
        except ValidationError as exc:
            self.pydantic_problems(doc, loc, exc, name)
            return None

    def single_raw(self, entries: list[tuple[Document, Loc, Any]], name: str) -> tuple[Any, Document, Loc] | None:
        if not entries:
            if not self.unreadable:
                self.problems.append(Problem(message=f"missing section '{name}' (exactly one file must declare it)",
                                             path=str(self.root)))
            return None
        for doc, loc, _ in entries[1:]:
            first = entries[0][0].at(entries[0][1])
            self.fail(doc, loc, f"section '{name}' is declared again (first in {first.path}:{first.line})")
        doc, loc, raw = entries[0]
        return raw, doc, loc

    def raw_items(self, entries: list[tuple[Document, Loc, Any]], what: str) -> list[tuple[Any, Document, Loc]]:
        found = []
        for doc, loc, raw in entries:
            if raw is None:
                continue
            if not isinstance(raw, list):
                self.fail(doc, loc, f"section must be a list of {what} entries")
                continue
            for index, item in enumerate(raw):
                item_loc = (*loc, index)
                if not isinstance(item, dict):
                    self.fail(doc, item_loc, f"each {what} must be a mapping")
                    continue
                found.append((item, doc, item_loc))
        return found

    def items(self, entries: list[tuple[Document, Loc, Any]], model: Any, what: str,
              parse: Any = None) -> list[tuple[Any, Document, Loc]]:
        result = []
        seen: set[str] = set()
        for raw, doc, loc in self.raw_items(entries, what):
            item_id = raw.get("id") if isinstance(raw.get("id"), str) else None
            try:
                obj = parse(raw, doc, loc) if parse else model.model_validate({**raw, "at": doc.at(loc)})
            except ValidationError as exc:
                self.pydantic_problems(doc, loc, exc, item_id)
                continue
            if obj is None:
                continue
            if obj.id in seen:
                self.fail(doc, (*loc, "id"), f"duplicate {what} id {obj.id!r}", obj.id)
                continue
            seen.add(obj.id)
            result.append((obj, doc, loc))
        return result

    def question(self, raw: dict[str, Any], doc: Document, loc: Loc) -> Question | None:
        question = _QUESTION.validate_python({**raw, "at": doc.at(loc)})
        ok = True
        if isinstance(question, ChoiceQuestion):
            ids = [c.id for c in question.choices]
            for index, cid in enumerate(ids):
                if cid == UNKNOWN:
                    self.fail(doc, (*loc, "choices", index, "id"), "'unknown' is reserved for \"not sure\"", question.id)
                    ok = False
                if cid in ids[:index]:
                    self.fail(doc, (*loc, "choices", index, "id"), f"duplicate choice {cid!r}", question.id)
                    ok = False
        if isinstance(question, (NumberQuestion, ScaleQuestion)):
            for bound in ("min", "max"):
                if not is_on_grid(getattr(question, bound)):
                    self.fail(doc, (*loc, bound), "bounds need at most 6 decimals and magnitude ≤ 10^12", question.id)
                    ok = False
            if question.min >= question.max:
                self.fail(doc, (*loc, "max"), f"max ({question.max}) must be greater than min ({question.min})", question.id)
                ok = False
        return question if ok else None

    def figure(self, raw: dict[str, Any], doc: Document, loc: Loc) -> Figure | None:
        expr = raw.get("expr")
        if not isinstance(expr, str):
            self.fail(doc, (*loc, "expr"), "expr must be an arithmetic expression in text", raw.get("id"))
            return None
        try:
            tree = parse_expression(expr)
        except ExpressionError as exc:
            self.fail(doc, (*loc, "expr"), f"expr: {exc}", raw.get("id"))
            return None
        return Figure.model_validate({**raw, "tree": tree, "at": doc.at(loc)})

    def check_figures(self, figures: list[tuple[Figure, Document, Loc]], questions: dict[str, Question],
                      index: dict[str, Figure]) -> None:
        order = {f.id: i for i, (f, _, _) in enumerate(figures)}
        for figure, doc, loc in figures:
            for name in references(figure.tree):
                question = questions.get(name)
                if question is not None:
                    if not isinstance(question, (NumberQuestion, ScaleQuestion)):
                        self.fail(doc, (*loc, "expr"), f"{name!r} is a {question.kind} question, not a number", figure.id, TYPE_MISMATCH)
                elif name in index:
                    if order[name] >= order[figure.id]:
                        self.fail(doc, (*loc, "expr"), f"figure {name!r} must be declared before {figure.id!r} uses it", figure.id, UNKNOWN_REFERENCE)
                else:
                    self.fail(doc, (*loc, "expr"), f"unknown question or figure {name!r}", figure.id, UNKNOWN_REFERENCE)

    def policy(self, raw: Any, doc: Document, loc: Loc, approaches: dict[str, Approach]) -> Policy | None:
        if not isinstance(raw, dict):
            self.fail(doc, loc, "section 'policy' must be a mapping")
            return None
        unusable = list(_unusable_numbers(raw, loc))
        for where, value in unusable:
            self.fail(doc, where, f"expected a finite number of at least {POLICY_RESOLUTION} in size (or 0), got {value!r}",
                      "policy")
        if unusable:
            return None
        try:
            policy = Policy.model_validate({**raw, "at": doc.at(loc)})
        except ValidationError as exc:
            self.pydantic_problems(doc, loc, exc, "policy")
            return None
        ok = True
        if policy.default not in approaches:
            self.fail(doc, (*loc, "default"), f"unknown approach {policy.default!r}", "policy", UNKNOWN_REFERENCE)
            ok = False
        for index, aid in enumerate(policy.tie_break):
            if aid not in approaches:
                self.fail(doc, (*loc, "tie_break", index), f"unknown approach {aid!r}", "policy", UNKNOWN_REFERENCE)
                ok = False
        missing = [a for a in approaches if a not in policy.tie_break]
        if missing:
            self.fail(doc, (*loc, "tie_break"), f"tie_break must list every approach; missing {', '.join(missing)}", "policy")
            ok = False
        if len(set(policy.tie_break)) != len(policy.tie_break):
            self.fail(doc, (*loc, "tie_break"), "tie_break lists an approach twice", "policy")
            ok = False
        for aid, weight in policy.baseline.items():
            if aid not in approaches:
                self.fail(doc, (*loc, "baseline", aid), f"unknown approach {aid!r}", "policy", UNKNOWN_REFERENCE)
                ok = False
            if not is_on_grid(weight):
                self.fail(doc, (*loc, "baseline", aid), "weights need at most 6 decimals", "policy")
                ok = False
        return policy if ok else None

    # -- rules

    def rule(self, raw: dict[str, Any], doc: Document, loc: Loc, refs: "_Refs") -> Rule | None:
        rule_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        before = len(self.problems)
        when = None
        if "when" not in raw:
            self.fail(doc, loc, "missing field 'when'", rule_id)
        else:
            when = self.condition(raw["when"], doc, (*loc, "when"), refs, rule_id, 0)
        effects: list[Effect] = []
        then = raw.get("then")
        if then is None:
            self.fail(doc, loc, "missing field 'then'", rule_id)
        elif not isinstance(then, list) or not then:
            self.fail(doc, (*loc, "then"), "'then' must be a non-empty list of effects", rule_id)
        else:
            for index, effect_raw in enumerate(then):
                effect = self.effect(effect_raw, doc, (*loc, "then", index), refs, rule_id)
                if effect is not None:
                    effects.append(effect)
        cite = raw.get("cite")
        cites = [cite] if isinstance(cite, str) else cite
        if "cite" not in raw:
            self.fail(doc, loc, "missing field 'cite'", rule_id, MISSING_CITE)
        if isinstance(cites, list):
            for index, c in enumerate(cites):
                if isinstance(c, str) and c not in refs.sources:
                    at = (*loc, "cite", index) if not isinstance(cite, str) else (*loc, "cite")
                    self.fail(doc, at, f"cites unknown source {c!r}", rule_id, UNKNOWN_CITE)
        if len(self.problems) > before or when is None:
            self.validate_rest(raw, doc, loc, rule_id)
            return None
        try:
            fields = {**raw, "when": when, "then": tuple(effects), "at": doc.at(loc)}
            if cites is not None:
                fields["cite"] = cites
            return Rule.model_validate(fields)
        except ValidationError as exc:
            self.pydantic_problems(doc, loc, exc, rule_id)
            return None

    def validate_rest(self, raw: dict[str, Any], doc: Document, loc: Loc, rule_id: str | None) -> None:
        """Report field problems (missing because, bad id, ...) even when the condition failed."""
        placeholder = {"when": {"type": "concluded", "conclusion": "x"}, "then": [{"type": "conclude", "conclusion": "x"}],
                       "cite": ["x"]}
        try:
            Rule.model_validate({**raw, **placeholder})
        except ValidationError as exc:
            self.pydantic_problems(doc, loc, exc, rule_id)

    def condition(self, raw: Any, doc: Document, loc: Loc, refs: "_Refs", rule_id: str | None, depth: int) -> Condition | None:
        if depth > MAX_DEPTH:
            self.fail(doc, loc, f"condition nested deeper than {MAX_DEPTH} levels", rule_id)
            return None
        at = doc.at(loc)
        if isinstance(raw, list):
            items = [self.condition(x, doc, (*loc, i), refs, rule_id, depth + 1) for i, x in enumerate(raw)]
            if not raw:
                self.fail(doc, loc, "an empty list of conditions", rule_id)
                return None
            return None if any(i is None for i in items) else AllOf(items=tuple(items), at=at)
        if not isinstance(raw, dict) or not raw:
            self.fail(doc, loc, "a condition must be a mapping: all/any/not, answer, figure or conclusion", rule_id)
            return None
        keys = set(raw)
        if keys in ({"all"}, {"any"}):
            (key,) = keys
            items_raw = raw[key]
            if not isinstance(items_raw, list) or not items_raw:
                self.fail(doc, (*loc, key), f"'{key}' takes a non-empty list of conditions", rule_id)
                return None
            items = [self.condition(x, doc, (*loc, key, i), refs, rule_id, depth + 1) for i, x in enumerate(items_raw)]
            if any(i is None for i in items):
                return None
            cls = AllOf if key == "all" else AnyOf
            return cls(items=tuple(items), at=at)
        if keys == {"not"}:
            inner = self.condition(raw["not"], doc, (*loc, "not"), refs, rule_id, depth + 1)
            return None if inner is None else NotOf(item=inner, at=at)
        if keys == {"conclusion"}:
            cid = raw["conclusion"]
            if not isinstance(cid, str) or cid not in refs.conclusions:
                self.fail(doc, (*loc, "conclusion"), f"unknown conclusion {cid!r}", rule_id, UNKNOWN_REFERENCE)
                return None
            return Concluded(conclusion=cid, at=at)
        subject: Literal["answer", "figure"]
        if "answer" in keys:
            subject = "answer"
        elif "figure" in keys:
            subject = "figure"
        else:
            self.fail(doc, loc, f"unknown condition keys {sorted(map(str, keys))}; expected all/any/not, answer, figure or conclusion", rule_id)
            return None
        ops = keys - {subject}
        if len(ops) != 1:
            self.fail(doc, loc, f"a test needs exactly one operator ({', '.join(_COMPARISONS)}, is); got {sorted(map(str, ops)) or 'none'}", rule_id)
            return None
        (op,) = ops
        ref = raw[subject]
        question = refs.questions.get(ref) if subject == "answer" else None
        if not isinstance(ref, str) or (question is None and ref not in refs.figures):
            self.fail(doc, (*loc, subject), f"unknown {'question' if subject == 'answer' else 'figure'} {ref!r}", rule_id,
                      UNKNOWN_REFERENCE)
            return None
        value = raw[op]
        if op == "is":
            if value not in ("unknown", "known"):
                self.fail(doc, (*loc, op), "'is' takes 'unknown' or 'known'", rule_id)
                return None
            return Test(subject=subject, ref=ref, op=value, at=at)
        if op not in _COMPARISONS:
            self.fail(doc, (*loc, str(op)), f"unknown operator {op!r}; expected one of {', '.join(_COMPARISONS)}, is", rule_id)
            return None
        kind = question.kind if question is not None else "number"
        values = value if op == "in" else [value]
        if op == "in" and (not isinstance(value, list) or not value):
            self.fail(doc, (*loc, op), "'in' takes a non-empty list", rule_id)
            return None
        fit = self.value_fits(question, kind, op, values, doc, (*loc, op), rule_id, ref)
        if not fit:
            return None
        constant = tuple(values) if op == "in" else value
        return Test(subject=subject, ref=ref, op=op, value=constant, at=at)

    def value_fits(self, question: Question | None, kind: str, op: str, values: list[Any], doc: Document, loc: Loc,
                   rule_id: str | None, ref: str) -> bool:
        ok = True
        if kind in ("boolean", "choice") and op in ("<", "<=", ">", ">="):
            self.fail(doc, loc, f"{op!r} does not apply to {kind} question {ref!r}", rule_id, TYPE_MISMATCH)
            return False
        for value in values:
            if kind == "boolean" and not isinstance(value, bool):
                self.fail(doc, loc, f"{ref!r} is a yes/no question; compare with true or false, not {value!r}", rule_id, TYPE_MISMATCH)
                ok = False
            elif kind == "choice":
                choices = [c.id for c in question.choices]  # type: ignore[union-attr]
                if not isinstance(value, str) or value not in choices:
                    self.fail(doc, loc, f"{value!r} is not a choice of {ref!r} ({', '.join(choices)})", rule_id, TYPE_MISMATCH)
                    ok = False
            elif kind in ("number", "scale"):
                try:
                    to_decimal(value)
                except NumberError as exc:
                    self.fail(doc, loc, f"{ref!r} is a number: {exc}", rule_id, TYPE_MISMATCH)
                    ok = False
                    continue
                if not is_on_grid(value):
                    self.fail(doc, loc, f"{value!r} has more than 6 decimals", rule_id)
                    ok = False
        return ok

    def effect(self, raw: Any, doc: Document, loc: Loc, refs: "_Refs", rule_id: str | None) -> Effect | None:
        if not isinstance(raw, dict):
            self.fail(doc, loc, "an effect must be a mapping: conclude, support, oppose, exclude or flag", rule_id)
            return None
        kinds = [k for k in ("conclude", "support", "oppose", "exclude", "flag") if k in raw]
        if len(kinds) != 1:
            self.fail(doc, loc, "an effect needs exactly one of conclude, support, oppose, exclude, flag", rule_id)
            return None
        (kind,) = kinds
        target = raw[kind]
        key = {"conclude": "conclusion", "support": "approach", "oppose": "approach", "exclude": "approach",
               "flag": "risk"}[kind]
        data = {k: v for k, v in raw.items() if k != kind}
        data.update({"type": kind, key: target})
        try:
            effect = _EFFECT.validate_python(data)
        except ValidationError as exc:
            self.pydantic_problems(doc, loc, exc, rule_id)
            return None
        if isinstance(effect, (Support, Oppose, Exclude)):
            if target not in refs.approaches:
                self.fail(doc, (*loc, kind), f"unknown approach {target!r}", rule_id, UNKNOWN_REFERENCE)
                return None
            if not isinstance(effect, Exclude) and not is_on_grid(effect.weight):
                self.fail(doc, (*loc, "weight"), "weights need at most 6 decimals", rule_id)
                return None
        else:
            conclusion = refs.conclusions.get(target)
            if conclusion is None:
                self.fail(doc, (*loc, kind), f"unknown conclusion {target!r}", rule_id, UNKNOWN_REFERENCE)
                return None
            if isinstance(effect, Flag) and conclusion.kind != "risk":
                self.fail(doc, (*loc, kind), f"{target!r} is a {conclusion.kind}, not a risk; use conclude", rule_id, TYPE_MISMATCH)
                return None
            if isinstance(effect, Conclude) and conclusion.kind == "risk":
                self.fail(doc, (*loc, kind), f"{target!r} is a risk; use flag with a severity", rule_id, TYPE_MISMATCH)
                return None
        return effect


class _Refs:
    def __init__(self, questions: dict[str, Question], figures: dict[str, Figure], conclusions: dict[str, Conclusion],
                 approaches: dict[str, Approach], sources: dict[str, str]) -> None:
        self.questions = questions
        self.figures = figures
        self.conclusions = conclusions
        self.approaches = approaches
        self.sources = sources


_TAGS = {"boolean", "choice", "number", "scale", "conclude", "support", "oppose", "exclude", "flag",
         "test", "concluded", "all", "any", "not"}


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: dict[str, Problem] = {}
    for problem in problems:
        seen.setdefault(str(problem), problem)
    return list(seen.values())


__all__ = ["content_hash", "rulebase_hash", "default_rules_dir", "load_rulebase", "BooleanQuestion", "AllOf", "AnyOf", "NotOf", "Concluded"]


def _unusable_numbers(raw: Any, loc: Loc) -> Iterator[tuple[Loc, float]]:
    """Floats in policy data that are not finite, or so small (but not 0) that scores divide into infinity."""
    if isinstance(raw, dict):
        for key, value in raw.items():
            yield from _unusable_numbers(value, (*loc, key))
    elif isinstance(raw, list):
        for index, value in enumerate(raw):
            yield from _unusable_numbers(value, (*loc, index))
    elif isinstance(raw, float) and (not math.isfinite(raw) or 0 < abs(raw) < POLICY_RESOLUTION):
        yield loc, raw
