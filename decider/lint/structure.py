"""Structural findings: the loader's problems as coded findings, and unused or unsupported items."""

from __future__ import annotations

from decider.errors import Problem
from decider.lint.findings import CODES, Finding, finding
from decider.rulebase.logic import concluded_by, figure_questions, read_facts
from decider.rulebase.model import Rulebase, Support


def from_problems(problems: tuple[Problem, ...]) -> list[Finding]:
    """The loader's problems as error findings (E100 when the loader gave no specific code)."""
    found = []
    for problem in problems:
        kind = CODES.get(problem.code or "E100", CODES["E100"])
        found.append(Finding(code=kind.code, name=kind.name, level=kind.level, message=problem.message,
                             path=problem.path, line=problem.line, column=problem.column, item=problem.item))
    return found


def structural(rulebase: Rulebase) -> list[Finding]:
    """Questions nobody reads, conclusions never concluded or never used, approaches nobody supports."""
    found: list[Finding] = []
    read = {(kind, fid) for rule in rulebase.rules for kind, fid in read_facts(rule)}
    figure_inputs = {q for kind, fid in read if kind == "figure" for q in figure_questions(rulebase, fid)}
    for question in rulebase.questions:
        if ("answer", question.id) not in read and question.id not in figure_inputs:
            found.append(finding("W201", f"question {question.id!r} is read by no rule and no figure a rule uses",
                                 question.at, question.id))
    concluded = {cid for rule in rulebase.rules for cid in concluded_by(rule)}
    for conclusion in rulebase.conclusions:
        if conclusion.id not in concluded:
            found.append(finding("W202", f"no rule concludes {conclusion.kind} {conclusion.id!r}", conclusion.at,
                                 conclusion.id))
        elif conclusion.kind not in ("risk", "prerequisite") and ("conclusion", conclusion.id) not in read:
            found.append(finding("W203", f"{conclusion.kind} {conclusion.id!r} is concluded but no rule reads it",
                                 conclusion.at, conclusion.id))
    supported = {e.approach for rule in rulebase.rules for e in rule.then if isinstance(e, Support)}
    for approach in rulebase.approaches:
        if approach.id not in supported:
            found.append(finding("W204", f"no rule supports approach {approach.id!r}", approach.at, approach.id))
    return found
