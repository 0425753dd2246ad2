"""Finite value classes of every question and figure (defined in `decider.engine.answer_classes`,
where the policy counts completions over them)."""

from __future__ import annotations

from decider.engine.answer_classes import (
    ValueClass,
    figure_classes,
    figure_inputs,
    question_classes,
    tests_on,
)

__all__ = ["ValueClass", "figure_classes", "figure_inputs", "question_classes", "tests_on"]
