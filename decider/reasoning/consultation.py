"""`consult()`: answers in, a typed Consultation out (recommendation, ranking, HOW, risks, trace)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from decider.engine.durable_engine import ENGINES
from decider.engine.evaluation import Evaluation
from decider.policy.outcome import Outcome, Score, decide
from decider.policy.verdict import POLICY_VERSION
from decider.engine.reference import ReferenceEngine
from decider.policy.trace import RulebaseIdentity, Trace
from decider.errors import DeciderError
from decider.reasoning.how import Explainer, Reason
from decider.reasoning.report import answer_words, render_markdown
from decider.rulebase.answers import Answers, validate_answers
from decider.rulebase.citations import Citation, citations
from decider.rulebase.logic import concluded_by, read_facts
from decider.rulebase.model import UNKNOWN, Assumption, ChoiceQuestion, NumberQuestion, Rulebase, ScaleQuestion
from decider.version import __version__

EngineName = Literal["durable_rules", "reference"]


class ApproachRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    approach: str
    title: str


class Recommendation(BaseModel):
    """The primary approach, how sure the policy is, and approaches worth combining with it."""

    model_config = ConfigDict(frozen=True)

    approach: str
    title: str
    summary: str
    confidence: float
    complementary: tuple[ApproachRef, ...]
    defaulted: bool
    level: Literal["low", "moderate", "high", ""] = ""
    """The policy's declared reading of the confidence ("" when the policy declares no levels)."""
    robustness: float = 1.0
    """Prior share of the completions of the open answers in which this approach stays the primary."""
    settled: bool = True
    """No answer to the open questions can change the primary."""
    tied: tuple[ApproachRef, ...] = ()
    """Approaches level with this one; the policy's tie_break order chose (the level is then at most low)."""
    separating: tuple[str, ...] = ()
    """For a tie: questions whose answers bear differently on the tied approaches."""
    open_questions: tuple[str, ...] = ()
    """When not settled: open questions that still bear on a score or an exclusion."""


class Risk(BaseModel):
    """A flagged risk with the plain words and citations of every rule that flagged it."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    severity: Literal["low", "medium", "high"]
    because: tuple[str, ...]
    cite: tuple[str, ...]
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


class Prerequisite(BaseModel):
    """Something to fix before acting on the recommendation, with the rules that concluded it."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    because: tuple[str, ...]
    cite: tuple[str, ...]
    rules: tuple[str, ...]


class AnswerShown(BaseModel):
    """One question as a report shows it: its text and the answer in words (choice labels, units),
    told apart as answered, "not sure" or never asked."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    answer: str
    status: Literal["answered", "not_sure", "not_asked"]


class FigureUsed(BaseModel):
    """A computed figure with the arithmetic that produced it."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    unit: str
    expr: str
    value: int | float | None


class Excluded(BaseModel):
    """An approach off the table (never primary or complementary), with the rules that excluded it."""

    model_config = ConfigDict(frozen=True)

    approach: str
    title: str
    because: tuple[str, ...]
    cite: tuple[str, ...]
    rules: tuple[str, ...]
    reasons: tuple[Reason, ...]


class Alternative(BaseModel):
    """An approach that did not win, with the rules that bore on it."""

    model_config = ConfigDict(frozen=True)

    approach: str
    title: str
    score: float
    reasons: tuple[Reason, ...]


class Anyway(BaseModel):
    """The approach the team came in considering (named by an answer whose choice `considers` it),
    when another is recommended: what the rules hold against it, so going ahead anyway is an
    informed choice."""

    model_config = ConfigDict(frozen=True)

    approach: str
    title: str
    named_by: str
    """The answer that named it, in words: "question → choice"."""
    against: tuple[Reason, ...]
    """The rules that opposed it (each with its reasons beneath)."""
    excluded: tuple[str, ...] = ()
    """Why it is off the table, when it is."""


class Consultation(BaseModel):
    """The full answer to one consultation."""

    model_config = ConfigDict(frozen=True)

    recommendation: Recommendation
    ranking: tuple[Score, ...]
    reasons: tuple[Reason, ...]
    alternatives: tuple[Alternative, ...]
    risks: tuple[Risk, ...]
    prerequisites: tuple[Prerequisite, ...] = ()
    excluded: tuple[Excluded, ...] = ()
    """Approaches off the table, and why."""
    conclusions: tuple[str, ...]
    figures: tuple[FigureUsed, ...]
    unknowns: tuple[str, ...]
    trace: Trace
    answers_shown: tuple[AnswerShown, ...] = ()
    sources: tuple[Citation, ...] = ()
    """Every id cited anywhere in this consultation, as people read it (label, summary, link)."""
    anyway: Anyway | None = None
    """What speaks against the approach the team came in considering, when it is not the recommendation."""
    assumptions: tuple[Assumption, ...] = ()
    """The rulebase's stated assumptions behind this result: those of every rule that compared a known answer
    or figure with its threshold (whether or not the rule fired, since the threshold decided that)."""

    def cited(self, cites: tuple[str, ...] | list[str]) -> str:
        """Cited ids as they read inline ("essay ¶6; OpenAI fine-tuning guide")."""
        short = {c.id: c.short for c in self.sources}
        return "; ".join(short.get(c, c) for c in cites)

    def to_markdown(self, chart: str | None = None) -> str:
        """The Markdown report; `chart` names the economics SVG written beside it (linked when given)."""
        return render_markdown(self, chart)


def evaluate(rulebase: Rulebase, answers: Answers, engine: EngineName = "durable_rules") -> Evaluation:
    """Run the rules with the chosen engine on validated answers."""
    if engine == "reference":
        return ReferenceEngine.of(rulebase).run(answers)
    return ENGINES.get(rulebase).run(answers)


def consult(rulebase: Rulebase, answers: Mapping[str, Any] | Answers, *, engine: EngineName = "durable_rules",
            log: str | Path | None = None) -> Consultation:
    """Validate the answers, run the rules, apply the policy and explain the result; with `log`,
    also append the trace to that append-only decision log."""
    if not isinstance(rulebase, Rulebase):
        raise DeciderError(f"consult() needs a Rulebase (from load_rulebase()), got {type(rulebase).__name__}")
    if engine not in ("durable_rules", "reference"):
        raise DeciderError(f"unknown engine {engine!r}; use 'durable_rules' or 'reference'")
    checked = validate_answers(rulebase, answers)
    evaluation = evaluate(rulebase, checked, engine)
    consultation = build_consultation(rulebase, checked, evaluation)
    if log is not None:
        from decider.storage.decision_log import append_trace  # portalocker: ~14 ms, only when logging

        append_trace(log, consultation.trace)
    return consultation


def build_consultation(rulebase: Rulebase, answers: Answers, evaluation: Evaluation) -> Consultation:
    """Assemble a Consultation (with its sealed trace) from an engine run."""
    outcome = decide(rulebase, answers, evaluation)
    explain = Explainer(rulebase, answers, evaluation)
    primary = rulebase.approach_index[outcome.primary]
    trace = Trace(
        rulebase=RulebaseIdentity(id=rulebase.meta.id, version=rulebase.meta.version, sha256=rulebase.sha256),
        decider_version=__version__,
        policy=POLICY_VERSION,
        engine=evaluation.engine,
        answers=dict(answers.root),
        figures=evaluation.figures,
        firings=evaluation.firings,
        result=outcome,
    ).sealed()
    reasons = explain.how(outcome.primary)
    alternatives = tuple(
        Alternative(approach=s.approach, title=s.title, score=s.score, reasons=found)
        for s in outcome.ranking[1:]
        if (found := explain.how(s.approach))
    )
    risks = _risks(rulebase, explain, outcome)
    prerequisites = _prerequisites(rulebase, evaluation)
    excluded = _excluded(rulebase, explain, outcome)
    anyway = _anyway(rulebase, answers, explain, outcome.primary, excluded)
    cited = [c for tree in reasons for c in _cites(tree)]
    for items in (excluded, prerequisites, risks):
        cited += [c for item in items for c in item.cite]
    cited += [c for a in alternatives for tree in a.reasons for c in _cites(tree)]
    cited += [c for tree in (anyway.against if anyway else ()) for c in _cites(tree)]
    return Consultation(
        recommendation=Recommendation(
            approach=primary.id, title=primary.title, summary=primary.summary, confidence=outcome.confidence,
            complementary=tuple(ApproachRef(approach=a, title=rulebase.approach_index[a].title) for a in outcome.complementary),
            defaulted=outcome.defaulted, level=rulebase.policy.confidence.level(outcome.confidence),
            robustness=outcome.robustness, settled=outcome.settled,
            tied=tuple(ApproachRef(approach=a, title=rulebase.approach_index[a].title) for a in outcome.tied),
            separating=outcome.separating, open_questions=outcome.open_deciding,
        ),
        ranking=outcome.ranking,
        reasons=reasons,
        alternatives=alternatives,
        risks=risks,
        prerequisites=prerequisites,
        excluded=excluded,
        conclusions=evaluation.conclusions,
        figures=tuple(
            FigureUsed(id=f.id, title=f.title, unit=f.unit, expr=f.expr, value=evaluation.figures.get(f.id))
            for f in rulebase.figures
        ),
        unknowns=tuple(q.id for q in rulebase.questions if answers.value(q.id) is None),
        trace=trace,
        answers_shown=_answers_shown(rulebase, answers),
        sources=citations(rulebase, cited),
        anyway=anyway,
        assumptions=_assumptions(rulebase, answers, evaluation),
    )


def _assumptions(rulebase: Rulebase, answers: Answers, evaluation: Evaluation) -> tuple[Assumption, ...]:
    """The assumptions whose rules compared a number given (an answer to a number or scale question, or a
    figure computed from answers given) with their thresholds."""
    def weighed(rule_id: str) -> bool:
        for kind, ref in read_facts(rulebase.rule_index[rule_id]):
            if kind == "figure" and evaluation.figures.get(ref) is not None:
                return True
            question = rulebase.question_index.get(ref) if kind == "answer" else None
            if isinstance(question, (NumberQuestion, ScaleQuestion)) and answers.value(ref) is not None:
                return True
        return False

    return tuple(a for a in rulebase.assumptions if any(weighed(r) for r in a.rules))


def _anyway(rulebase: Rulebase, answers: Answers, explain: Explainer, primary: str,
            excluded: tuple[Excluded, ...]) -> Anyway | None:
    """The approach the first answer whose choice `considers` one names, unless it is the primary."""
    for question in rulebase.questions:
        if not isinstance(question, ChoiceQuestion):
            continue
        choice = next((c for c in question.choices if c.id == answers.value(question.id)), None)
        if choice is None or choice.considers is None:
            continue
        if choice.considers == primary:
            return None
        off = next((e for e in excluded if e.approach == choice.considers), None)
        return Anyway(approach=choice.considers, title=rulebase.approach_index[choice.considers].title,
                      named_by=f"{question.text} → {choice.label}", against=explain.against(choice.considers),
                      excluded=off.because if off else ())
    return None


def _cites(reason: Reason) -> list[str]:
    """The ids a HOW tree cites, top down."""
    return [*reason.cite, *(c for child in reason.children for c in _cites(child))]


def _risks(rulebase: Rulebase, explain: Explainer, outcome: Outcome) -> tuple[Risk, ...]:
    return tuple(
        Risk(id=flag.id, title=flag.title, severity=flag.severity, **_grounds(rulebase, flag.rules),
             reasons=explain.conclusion(flag.id))
        for flag in outcome.risks)


def _excluded(rulebase: Rulebase, explain: Explainer, outcome: Outcome) -> tuple[Excluded, ...]:
    return tuple(
        Excluded(approach=exclusion.approach, title=rulebase.approach_index[exclusion.approach].title,
                 **_grounds(rulebase, exclusion.rules), reasons=explain.exclusion(exclusion.approach))
        for exclusion in outcome.excluded)


def _prerequisites(rulebase: Rulebase, evaluation: Evaluation) -> tuple[Prerequisite, ...]:
    """Concluded prerequisites in declaration order, each with the rules that concluded it."""
    fired = sorted(evaluation.firings, key=lambda f: rulebase.rule_order[f.rule])
    return tuple(
        Prerequisite(id=conclusion.id, title=conclusion.title, **_grounds(rulebase, tuple(
            f.rule for f in fired if conclusion.id in concluded_by(rulebase.rule_index[f.rule]))))
        for conclusion in rulebase.conclusions
        if conclusion.kind == "prerequisite" and conclusion.id in evaluation.conclusions)


def _grounds(rulebase: Rulebase, rules: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The `because`, `cite` and `rules` fields of a risk, exclusion or prerequisite concluded by `rules`:
    each rule's plain words, and their citations once each in order."""
    found = [rulebase.rule_index[r] for r in rules]
    return {"because": tuple(r.because for r in found),
            "cite": tuple(dict.fromkeys(c for r in found for c in r.cite)), "rules": rules}


def _answers_shown(rulebase: Rulebase, answers: Answers) -> tuple[AnswerShown, ...]:
    """Every question in rulebase order, grouped: answered, then "not sure", then never asked."""
    shown = []
    for question in rulebase.questions:
        raw = answers.root.get(question.id)
        status: Literal["answered", "not_sure", "not_asked"] = (
            "not_asked" if raw is None else "not_sure" if raw == UNKNOWN else "answered")
        words = {"not_asked": "not asked", "not_sure": "not sure"}.get(status) or answer_words(question, raw)
        shown.append(AnswerShown(id=question.id, text=question.text, answer=words, status=status))
    order = {"answered": 0, "not_sure": 1, "not_asked": 2}
    return tuple(sorted(shown, key=lambda a: order[a.status]))
