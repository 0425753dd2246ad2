"""Verifying recorded decisions: the seal, the rulebase identity, and a replay of firings and result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from decider.audit.changes import rulebase_changes
from decider.audit.compare import (
    describe_effect,
    firing_differences,
    order_difference,
    outcome_differences,
    repeated_firings,
    show_value,
)
from decider.audit.entries import AuditFile, TraceEntry
from decider.policy.outcome import decide
from decider.policy.verdict import POLICY_VERSION
from decider.policy.trace import Trace
from decider.errors import AnswersError, DeciderError, Problem
from decider.reasoning.consultation import evaluate
from decider.rulebase.answers import validate_answers
from decider.rulebase.loader import rulebase_hash
from decider.rulebase.model import UNKNOWN, Rulebase

FindingKind = Literal["digest", "answers", "rulebase", "figures", "firings", "order", "result", "replay"]


class TraceFinding(BaseModel):
    """One way a recorded decision fails to verify, in words that name what differs."""

    model_config = ConfigDict(frozen=True)

    kind: FindingKind
    message: str


Status = Literal["verified", "not verified", "other policy"]


class TraceVerdict(BaseModel):
    """The verdict on one trace: verified; every finding against it; or, for a trace decided by an older
    policy, nothing found but its result not comparable (a verdict of its own, neither a pass nor tampering)."""

    model_config = ConfigDict(frozen=True)

    source: str
    format: str
    """The formats read: the trace's, and for a log record the record's too (v1 digests are checked as v1)."""
    engine: str
    rulebase: str
    firings: int
    findings: tuple[TraceFinding, ...]
    policy: int = POLICY_VERSION
    """The policy the trace records; its result is compared on replay only when it is this decider's."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Status:
        if self.findings:
            return "not verified"
        return "verified" if self.policy == POLICY_VERSION else "other policy"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verified(self) -> bool:
        return self.status == "verified"

    @property
    def policy_note(self) -> str:
        """For a trace of another policy: what was checked and what could not be."""
        if self.policy == POLICY_VERSION:
            return ""
        checked = "seal, the log's chain" if "decider-log/" in self.format else "seal"
        return (f"recorded under policy {self.policy}; this decider applies policy {POLICY_VERSION}: its {checked}, "
                "rulebase and firings check, its result cannot be compared by replay")


class FileReport(BaseModel):
    """A trace file or decision log: problems reading it (chain included) and a verdict per trace."""

    model_config = ConfigDict(frozen=True)

    path: str
    kind: Literal["trace", "log", "unknown"]
    problems: tuple[Problem, ...]
    verdicts: tuple[TraceVerdict, ...]
    records: int
    head: str = ""
    formats: dict[str, int] = {}
    """How many records (or traces) of each format the file held, e.g. {"decider-log/1": 3, "decider-log/2": 9}."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verified(self) -> bool:
        return not self.problems and all(v.verified for v in self.verdicts)

    @property
    def other_policy(self) -> int:
        """How many traces verified as far as another policy allows (seal, rulebase, firings; not the result)."""
        return sum(1 for v in self.verdicts if v.status == "other policy")


def verify_file(audit_file: AuditFile, rulebase: Rulebase, old_rulebase: Rulebase | None = None,
                head: str | None = None) -> FileReport:
    """Verify every trace a file holds against `rulebase` (`old_rulebase`: the one recorded, to name rule
    changes); for a log, `head` is a record digest noted earlier, which must still be in the chain."""
    return verify_stream(iter(audit_file.entries), lambda: audit_file, rulebase, old_rulebase, head)


def verify_stream(entries: Iterator[TraceEntry], finish: Callable[[], AuditFile], rulebase: Rulebase,
                  old_rulebase: Rulebase | None = None, head: str | None = None) -> FileReport:
    """`verify_file` over traces read one at a time (`finish` gives the file's problems afterwards), so only
    the verdicts are kept, never every trace of a long log."""
    verdicts = []
    formats: Counter[str] = Counter()
    seen_head = False
    for entry in entries:
        seen_head = seen_head or entry.digest == head
        formats[entry.record_format or entry.trace.format] += 1
        verdicts.append(verify_entry(entry, rulebase, old_rulebase))
    audit_file = finish()
    problems = list(audit_file.problems)
    if head is not None and audit_file.kind == "log" and not seen_head:
        problems.append(Problem(
            message=f"no record has the head digest {head[:16]}… noted earlier: records at or before it were "
                    "deleted (the log was truncated) or the log was rewritten", path=audit_file.path))
    return FileReport(path=audit_file.path, kind=audit_file.kind, problems=tuple(problems), records=audit_file.records,
                      head=audit_file.head, verdicts=tuple(verdicts), formats=dict(sorted(formats.items())))


def verify_entry(entry: TraceEntry, rulebase: Rulebase, old_rulebase: Rulebase | None = None) -> TraceVerdict:
    """The verdict on one trace, labelled with where it came from."""
    trace = entry.trace
    return TraceVerdict(
        source=entry.label, format=entry.formats, engine=trace.engine, firings=len(trace.firings),
        rulebase=f"{trace.rulebase.id} {trace.rulebase.version}",
        findings=tuple(verify_trace(trace, rulebase, old_rulebase, entry.content_digest)), policy=trace.policy,
    )


def verify_trace(trace: Trace, rulebase: Rulebase, old_rulebase: Rulebase | None = None,
                 content_digest: str | None = None) -> list[TraceFinding]:
    """Every finding against one trace; an empty list means it verifies (for a trace of another policy:
    all but its result, which that policy decided and this one cannot replay). `content_digest`: the digest
    of the trace as it was recorded (a read trace's own JSON), when there is one."""
    findings: list[TraceFinding] = []
    computed = content_digest or trace.compute_digest()
    if computed != trace.digest:
        findings.append(TraceFinding(kind="digest", message=(
            f"tampered: the digest does not match the content (recorded {trace.digest[:16] or 'none'}…, "
            f"content hashes to {computed[:16]}…)")))
    findings += _inconsistent_answers(trace)
    findings += _effects_not_derived(trace, rulebase)
    if trace.rulebase.sha256 != rulebase_hash(rulebase, trace.scheme):
        findings.append(TraceFinding(kind="rulebase", message=_rulebase_message(trace, rulebase, old_rulebase)))
    findings += _replay(trace, rulebase)
    return findings


def _inconsistent_answers(trace: Trace) -> list[TraceFinding]:
    """Facts a recorded firing read that disagree with the recorded answers and figures."""
    found: dict[tuple[str, str], TraceFinding] = {}
    for firing in trace.firings:
        for fact in firing.matched:
            recorded: object
            if fact.kind == "answer":
                recorded = trace.answers.get(fact.id, UNKNOWN)
            elif fact.kind == "figure":
                recorded = trace.figures.get(fact.id)
            else:
                continue
            if recorded != fact.value and (fact.kind, fact.id) not in found:
                found[(fact.kind, fact.id)] = TraceFinding(kind="answers", message=(
                    f"{fact.kind} {fact.id} changed: the trace says {show_value(recorded)}, but rule {firing.rule} "
                    f"fired on {show_value(fact.value)} (the {fact.kind}s were edited after the decision)"))
    return list(found.values())


def _effects_not_derived(trace: Trace, rulebase: Rulebase) -> list[TraceFinding]:
    """Recorded firings whose effects are not what their rule in `rulebase` does, and rules it lacks:
    every effect is derived again from the rulebase, never taken from the trace."""
    found = []
    for position, firing in enumerate(trace.firings):
        rule = rulebase.rule_index.get(firing.rule)
        if rule is None:
            found.append(TraceFinding(kind="firings", message=f"firing {position} names rule {firing.rule}, which the "
                                                         "rulebase does not have"))
        elif tuple(rule.then) != tuple(firing.effects):
            found.append(TraceFinding(kind="firings", message=(
                f"firing {position} (rule {firing.rule}) records the effects "
                f"{', '.join(map(describe_effect, firing.effects)) or 'none'}, but the rule's are "
                f"{', '.join(map(describe_effect, rule.then))} (effects forged)")))
    return found


def _rulebase_message(trace: Trace, rulebase: Rulebase, old: Rulebase | None) -> str:
    recorded = trace.rulebase
    text = (f"different rulebase: recorded under {recorded.id} {recorded.version} (sha256 {recorded.sha256[:16]}…), "
            f"verified against {rulebase.meta.id} {rulebase.meta.version} (sha256 {rulebase.sha256[:16]}…)")
    if old is None:
        return text + "; pass --old-rules with the recorded rulebase to list the rule changes"
    if rulebase_hash(old, trace.scheme) != recorded.sha256:
        return (text + f"; --old-rules holds sha256 {rulebase_hash(old, trace.scheme)[:16]}…, not the recorded rulebase, "
                "so no rule changes are listed")
    return text + "; " + rulebase_changes(old, rulebase).describe()


def _replay(trace: Trace, rulebase: Rulebase) -> list[TraceFinding]:
    """Run the recorded answers again with the recorded engine and compare firings and result (the result
    only when the trace was decided by this decider's policy)."""
    try:
        answers = validate_answers(rulebase, trace.answers)
        evaluation = evaluate(rulebase, answers, trace.engine)
        outcome = decide(rulebase, answers, evaluation)
    except AnswersError as exc:
        return [TraceFinding(kind="answers", message="the recorded answers do not fit this rulebase: "
                        + "; ".join(p.message + (f" [{p.item}]" if p.item else "") for p in exc.problems))]
    except DeciderError as exc:
        return [TraceFinding(kind="replay", message=f"replay failed: {exc}")]
    findings = []
    if evaluation.figures != trace.figures:
        changed = [f"{fid} {show_value(trace.figures.get(fid))} (recorded) vs {show_value(value)} (replay)"
                   for fid, value in evaluation.figures.items() if trace.figures.get(fid) != value]
        changed += [f"{fid} recorded but not in this rulebase" for fid in trace.figures if fid not in evaluation.figures]
        findings.append(TraceFinding(kind="figures", message="figures differ from replay: " + "; ".join(changed)))
    for rule, count in repeated_firings(trace.firings).items():
        findings.append(TraceFinding(kind="firings", message=(
            f"rule {rule} is recorded {count} times, but a rule fires at most once (firings duplicated)")))
    if len(trace.firings) != len(evaluation.firings):
        findings.append(TraceFinding(kind="firings", message=(
            f"the trace records {len(trace.firings)} firings; replay produces {len(evaluation.firings)}")))
    order = order_difference(trace.firings, evaluation.firings)
    if order is not None:
        findings.append(TraceFinding(kind="order", message=(
            f"firing order differs ({trace.engine} engine): recorded {', '.join(order[0])}; "
            f"replay {', '.join(order[1])} (firings reordered)")))
    for difference in firing_differences(trace.firings, evaluation.firings):
        if difference.change == "only_second":
            message = f"rule {difference.rule} fires on replay but its firing is missing from the trace (removed)"
        elif difference.change == "only_first":
            message = f"the trace records a firing of rule {difference.rule} that replay does not produce"
        else:
            message = f"rule {difference.rule} fired differently: {difference.detail}"
        findings.append(TraceFinding(kind="firings", message=message))
    differences = outcome_differences(trace.result, outcome) if trace.policy == POLICY_VERSION else []
    if differences:
        findings.append(TraceFinding(kind="result", message="result differs from replay: " + "; ".join(differences)))
    return findings

