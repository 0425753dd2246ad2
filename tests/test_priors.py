"""A question's declared prior weights the completions of its open answer (rules/README.md, "With open
answers"): robustness is the prior mass in which the primary wins. Under policy 3 the primary is the leader
on the evidence given, so a prior moves the confidence, never the recommendation."""

from __future__ import annotations

from pathlib import Path

import pytest

from decider import consult, load_rulebase
from decider.rulebase.model import Rulebase

RULEBASE = """\
rulebase: {id: priors, version: "1", title: Priors}
sources: [{id: essay, title: A short essay, sections: [P1]}]
questions:
  - {id: urgent, kind: boolean, text: Is it urgent?%(boolean_prior)s}
  - id: tone
    kind: choice
    text: Which tone?
    choices: [{id: formal, label: Formal}, {id: casual, label: Casual}, {id: terse, label: Terse}]%(choice_prior)s
conclusions: []
approaches: [{id: simple, title: Keep it simple}, {id: heavy, title: Bring heavy machinery}]
rules:
  - {id: heavy_when_urgent, when: {answer: urgent, "==": true}, then: [{support: heavy, weight: 2}],
     because: Urgent work needs machinery., cite: P1}
  - {id: heavy_when_formal, when: {answer: tone, "==": formal}, then: [{support: heavy, weight: 1}],
     because: Formal work wants machinery., cite: P1}
  - {id: simple_otherwise, when: {not: {answer: tone, "==": formal}}, then: [{support: simple, weight: 1}],
     because: Other tones stay simple., cite: P1}
policy:
  default: simple
  tie_break: [simple, heavy]
  confidence: {margin_scale: 1, unknown_penalty: 0}
"""


def load(tmp_path: Path, boolean_prior: str = "", choice_prior: str = "") -> Rulebase:
    text = RULEBASE % {"boolean_prior": boolean_prior and f", prior: {boolean_prior}",
                       "choice_prior": choice_prior and f"\n    prior: {choice_prior}"}
    (tmp_path / "rulebase.yaml").write_text(text, encoding="utf-8")
    return load_rulebase(tmp_path)


@pytest.mark.parametrize(("prior", "primary", "robustness"), [
    ("", "simple", 0.5),  # uniform: an even split (heavy when urgent, else simple), the tie_break picks simple
    ("{true: 3, false: 1}", "simple", 0.25),  # likely urgent: the leader stands, its robustness falls
    ("{true: 1, false: 4}", "simple", 0.8),
])
def test_a_boolean_prior_weights_the_completions(tmp_path: Path, prior: str, primary: str, robustness: float) -> None:
    rec = consult(load(tmp_path, boolean_prior=prior), {"tone": "casual", "urgent": "unknown"},
                  engine="reference").recommendation
    assert (rec.approach, rec.robustness, rec.settled) == (primary, robustness, False)


@pytest.mark.parametrize(("prior", "primary", "robustness"), [
    ("", "simple", 0.6667),  # formal is one class of three
    ("{formal: 3, casual: 1}", "simple", 0.25),  # terse, unnamed, weighs 0
])
def test_a_choice_prior_weights_the_completions(tmp_path: Path, prior: str, primary: str, robustness: float) -> None:
    rec = consult(load(tmp_path, choice_prior=prior), {"urgent": False, "tone": "unknown"},
                  engine="reference").recommendation
    assert (rec.approach, rec.robustness, rec.settled) == (primary, robustness, False)
