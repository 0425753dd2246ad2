"""Finite value classes of every question and figure (defined in `decider.engine.answer_classes`,
where the policy counts completions over them), and the questions the rules read."""

from __future__ import annotations

from decider.engine.answer_classes import (
    ValueClass,
    figure_classes,
    figure_inputs,
    question_classes,
    tests_on,
)
from decider.rulebase.logic import references
from decider.rulebase.model import Rulebase

__all__ = ["ValueClass", "figure_classes", "figure_inputs", "question_classes", "questions_read", "tests_on"]


def questions_read(rulebase: Rulebase) -> set[str]:
    """Questions some rule reads directly."""
    return {ref.id for rule in rulebase.rules for ref in references(rule.when) if ref.kind == "answer"}
