"""Synthetic answers for a rulebase: valid, varied profiles for demos, tests and benchmarks."""

from __future__ import annotations

import random
from typing import Any

from decider.rulebase.model import UNKNOWN, BooleanQuestion, ChoiceQuestion, Rulebase, ScaleQuestion


def sample_answers(rulebase: Rulebase, rng: random.Random, *, missing: float = 0.1, unknown: float = 0.1) -> dict[str, Any]:
    """One valid answers mapping: each question left out (`missing`), 'unknown' (`unknown`) or answered
    with a value drawn from its kind (numbers favour the bounds and round values)."""
    answers: dict[str, Any] = {}
    for q in rulebase.questions:
        roll = rng.random()
        if roll < missing:
            continue
        if roll < missing + unknown:
            answers[q.id] = UNKNOWN
        elif isinstance(q, BooleanQuestion):
            answers[q.id] = rng.choice([True, False])
        elif isinstance(q, ChoiceQuestion):
            answers[q.id] = rng.choice(q.choices).id
        elif isinstance(q, ScaleQuestion):
            answers[q.id] = rng.randint(q.min, q.max)
        else:
            low, high = q.min, q.max
            answers[q.id] = rng.choice([low, high, round(rng.uniform(low, min(high, low + 1000)), 2),
                                        round(rng.uniform(low, high), 1)])
    return answers


def sample_profiles(rulebase: Rulebase, count: int, seed: int = 1, **odds: float) -> list[dict[str, Any]]:
    """`count` sample answers, reproducible from `seed`."""
    rng = random.Random(seed)
    return [sample_answers(rulebase, rng, **odds) for _ in range(count)]
