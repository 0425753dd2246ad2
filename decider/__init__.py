"""decider: should we fine-tune, or prompt, evaluate and retrieve? An expert system that explains itself.

    from decider import load_rulebase, consult
    result = consult(load_rulebase(), {"format_failures": True})

Names are imported lazily so that `import decider` (and `decider --help`) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from decider.version import __version__

if TYPE_CHECKING:
    from decider.engine.evaluation import Evaluation, Fact, Firing
    from decider.policy.trace import Trace
    from decider.errors import AnswersError, DeciderError, EngineError, Problem, RulebaseError
    from decider.reasoning.consultation import Consultation, Recommendation, Risk, consult
    from decider.reasoning.how import Reason
    from decider.rulebase.answers import Answers, validate_answers
    from decider.rulebase.loader import load_rulebase
    from decider.rulebase.model import Rulebase

_EXPORTS = {
    "load_rulebase": "decider.rulebase.loader",
    "Rulebase": "decider.rulebase.model",
    "Answers": "decider.rulebase.answers",
    "validate_answers": "decider.rulebase.answers",
    "consult": "decider.reasoning.consultation",
    "Consultation": "decider.reasoning.consultation",
    "Recommendation": "decider.reasoning.consultation",
    "Risk": "decider.reasoning.consultation",
    "Reason": "decider.reasoning.how",
    "Trace": "decider.policy.trace",
    "Evaluation": "decider.engine.evaluation",
    "Firing": "decider.engine.evaluation",
    "Fact": "decider.engine.evaluation",
    "DeciderError": "decider.errors",
    "RulebaseError": "decider.errors",
    "AnswersError": "decider.errors",
    "EngineError": "decider.errors",
    "Problem": "decider.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'decider' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
