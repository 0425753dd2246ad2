"""The audit trace of one consultation: versioned, canonical, and sealed by a digest."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from decider.canonical import Scheme, sha256_hex
from decider.engine.evaluation import Firing
from decider.policy.outcome import Outcome
from decider.rulebase.answers import AnswerValue

TraceFormat = Literal["decider-trace/1", "decider-trace/2"]
TRACE_FORMAT: TraceFormat = "decider-trace/2"
"""The format decider writes: digests over RFC 8785 canonical JSON."""
TRACE_FORMAT_V1: TraceFormat = "decider-trace/1"
"""Written before 0.2.0, digested over decider's earlier canonical form; still read and verified."""
TRACE_FORMATS: tuple[TraceFormat, ...] = (TRACE_FORMAT_V1, TRACE_FORMAT)


class RulebaseIdentity(BaseModel):
    """Which rulebase produced a decision: id, version and content hash."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: str
    sha256: str


FIRST_POLICY = 1
"""The policy of a trace that does not name one: decider 0.1.0 recorded none."""


class Trace(BaseModel):
    """Everything needed to replay and verify a decision. `digest` covers every field except
    itself and `recorded_at`, so any edit is detectable."""

    model_config = ConfigDict(frozen=True)

    format: TraceFormat = TRACE_FORMAT
    rulebase: RulebaseIdentity
    decider_version: str
    policy: int = Field(default=FIRST_POLICY, ge=1, description=(
        "The decision policy that decided the result (decider.policy.verdict.POLICY_VERSION when written); "
        "absent in traces written before it was recorded, which were decided by policy 1."))
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

    @property
    def scheme(self) -> Scheme:
        """How this trace's digests (its own and its rulebase hash) were computed."""
        return scheme_of(self.format)


def scheme_of(format_: str) -> Scheme:
    """The canonical-JSON scheme of a trace or log format: `v1` for the pre-0.2.0 formats, else RFC 8785."""
    return "v1" if format_.endswith("/1") else "jcs"


def digest_of(data: dict[str, Any]) -> str:
    """The digest of a trace given as JSON data (fields `digest` and `recorded_at` ignored): sha256 over
    the RFC 8785 canonical JSON of the rest (over the earlier form for a `decider-trace/1` trace)."""
    body = {k: v for k, v in data.items() if k not in ("digest", "recorded_at")}
    return sha256_hex(body, scheme_of(str(data.get("format", TRACE_FORMAT))))
