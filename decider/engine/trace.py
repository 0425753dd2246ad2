"""The audit trace of one consultation: versioned, canonical, and sealed by a digest."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from decider.engine.evaluation import Firing
from decider.engine.outcome import Outcome
from decider.rulebase.answers import AnswerValue

TRACE_FORMAT: Literal["decider-trace/1"] = "decider-trace/1"


class RulebaseIdentity(BaseModel):
    """Which rulebase produced a decision: id, version and content hash."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: str
    sha256: str


class Trace(BaseModel):
    """Everything needed to replay and verify a decision. `digest` covers every field except
    itself and `recorded_at`, so any edit is detectable."""

    model_config = ConfigDict(frozen=True)

    format: Literal["decider-trace/1"] = TRACE_FORMAT
    rulebase: RulebaseIdentity
    decider_version: str
    engine: Literal["durable_rules", "reference"]
    answers: dict[str, AnswerValue]
    figures: dict[str, int | float | None]
    firings: tuple[Firing, ...]
    result: Outcome
    digest: str = ""
    recorded_at: str | None = Field(default=None, description="Not covered by the digest.")

    def compute_digest(self) -> str:
        """sha256 over the canonical JSON of the digested fields."""
        return digest_of(self.model_dump(mode="json"))

    def sealed(self) -> "Trace":
        return self.model_copy(update={"digest": self.compute_digest()})

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)


def digest_of(data: dict[str, Any]) -> str:
    """The digest of a trace given as JSON data (fields `digest` and `recorded_at` ignored)."""
    body = {k: v for k, v in data.items() if k not in ("digest", "recorded_at")}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
