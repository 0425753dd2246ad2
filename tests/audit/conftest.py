"""Shared helpers for the audit tests: the fixture rulebase, edited copies of it, answers, the CLI."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import strategies as st

from decider import load_rulebase
from decider.rulebase.model import BooleanQuestion, ChoiceQuestion, NumberQuestion, Rulebase, ScaleQuestion

FIXTURE_RULES = Path(__file__).parents[1] / "fixtures" / "audit" / "rules"
REPO = Path(__file__).parents[2]


def edited_rules(target: Path, edit: Callable[[list[dict[str, Any]]], None], source: Path = FIXTURE_RULES) -> Path:
    """A copy of a rulebase directory whose `rules` list was changed by `edit` (safe YAML in, safe YAML out)."""
    shutil.copytree(source, target)
    for path in sorted(target.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("rules"), list):
            edit(data["rules"])
            path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
            return target
    raise AssertionError(f"no rules list in {source}")


def answers_for(rulebase: Rulebase) -> st.SearchStrategy[dict[str, Any]]:
    """Any answers to some of the rulebase's questions, "unknown" included."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for question in rulebase.questions:
        if isinstance(question, BooleanQuestion):
            value: st.SearchStrategy[Any] = st.booleans()
        elif isinstance(question, ChoiceQuestion):
            value = st.sampled_from([c.id for c in question.choices])
        elif isinstance(question, ScaleQuestion):
            value = st.integers(question.min, question.max)
        else:
            assert isinstance(question, NumberQuestion)
            value = st.integers(int(question.min), int(question.max))
        fields[question.id] = st.one_of(value, st.just("unknown"))
    return st.fixed_dictionaries({}, optional=fields)


def sample_answers(rulebase: Rulebase, count: int, seed: int = 5) -> list[dict[str, Any]]:
    """`count` deterministic pseudo-random answer sets spread over every question's range."""
    import random

    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        answers: dict[str, Any] = {}
        for question in rulebase.questions:
            roll = rng.random()
            if roll < 0.15:
                continue
            if roll < 0.25:
                answers[question.id] = "unknown"
            elif isinstance(question, BooleanQuestion):
                answers[question.id] = rng.random() < 0.5
            elif isinstance(question, ChoiceQuestion):
                answers[question.id] = rng.choice(question.choices).id
            elif isinstance(question, ScaleQuestion):
                answers[question.id] = rng.randint(question.min, question.max)
            else:
                assert isinstance(question, NumberQuestion)
                low, high = int(question.min), int(question.max)
                answers[question.id] = rng.choice([low, high, rng.randint(low, high), rng.randint(low, min(high, low + 1000))])
        cases.append(answers)
    return cases


@pytest.fixture(scope="session")
def fixture_rulebase() -> Rulebase:
    return load_rulebase(FIXTURE_RULES)
