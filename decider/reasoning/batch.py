"""Batch consultation: many project profiles in, one result per profile out, in input order.

`consult_many` streams: it reads the profiles lazily and yields each result as soon as it and
every earlier one are ready, so memory stays flat however long the input. A profile that fails
(bad answers, an engine fault) becomes an error result; the batch goes on.

With `jobs > 1` the profiles are spread over worker processes (`concurrent.futures`), each with
its own engine. Besides using more cores, this isolates the caller from a native crash of the
engine: when a worker dies, the pool is replaced, the rows that were in flight are retried once
(one at a time, so a row that kills a worker again is named), and nothing else is lost.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from decider.errors import DeciderError
from decider.reasoning.consultation import Consultation, EngineName, consult
from decider.rulebase.answers import Answers
from decider.rulebase.model import Rulebase

CHUNK = 32
"""Profiles per task sent to a worker process (amortises the inter-process round trip)."""
WINDOW = 4
"""Tasks in flight per worker; bounds memory and the rows a crash can interrupt."""
MAX_BARREN_RESTARTS = 3
"""Pool replacements in a row without a single finished task before the batch gives up (workers
that die at start-up would otherwise be replaced forever)."""
_DEFERRED = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
"""Signals held back while the pool is made or a worker starts (`_signals_deferred`), and released
again inside the worker."""


class Unreadable(BaseModel):
    """A profile that could not even be read (e.g. a malformed JSON line); it becomes an error result."""

    model_config = ConfigDict(frozen=True)

    problem: str


class RiskSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    severity: Literal["low", "medium", "high"]


class ConsultationSummary(BaseModel):
    """The compact outcome of one consultation: enough for a portfolio table."""

    model_config = ConfigDict(frozen=True)

    primary: str
    confidence: float
    level: Literal["low", "moderate", "high", ""] = ""
    """The policy's reading of the confidence."""
    complementary: tuple[str, ...]
    risks: tuple[RiskSummary, ...]
    prerequisites: tuple[str, ...] = ()
    defaulted: bool
    rules_fired: int
    digest: str
    """The trace digest: identifies the full consultation (replay it with `consult`)."""


class BatchResult(BaseModel):
    """The result for the profile at `index` (0-based input position): a summary, or the problem."""

    model_config = ConfigDict(frozen=True)

    index: int
    ok: bool
    error: str | None = None
    summary: ConsultationSummary | None = None
    consultation: Consultation | None = None
    """The full consultation, when asked for (`full=True`)."""


Profile = Mapping[str, Any] | Answers | Unreadable
Notice = Callable[[str], None]


def consult_many(rulebase: Rulebase, profiles: Iterable[Profile], *, jobs: int = 1, full: bool = False,
                 engine: EngineName = "durable_rules", on_notice: Notice | None = None) -> Iterator[BatchResult]:
    """One BatchResult per profile, in input order; `jobs` > 1 uses that many worker processes."""
    if jobs < 1:
        raise DeciderError(f"jobs must be at least 1, got {jobs}")
    if jobs == 1:
        for index, profile in enumerate(profiles):
            yield consult_one(rulebase, index, profile, full, engine)
        return
    yield from _Parallel(rulebase, jobs, full, engine, on_notice or (lambda text: None)).run(profiles)


def consult_one(rulebase: Rulebase, index: int, profile: Profile, full: bool = False,
                engine: EngineName = "durable_rules") -> BatchResult:
    """The result for one profile; any failure becomes an error result naming the problem."""
    if isinstance(profile, Unreadable):
        return BatchResult(index=index, ok=False, error=profile.problem)
    try:
        result = consult(rulebase, profile, engine=engine)
    except DeciderError as exc:
        return BatchResult(index=index, ok=False, error=_one_line(exc))
    except Exception as exc:  # an internal fault must not abort the other rows
        return BatchResult(index=index, ok=False, error=f"internal error: {type(exc).__name__}: {exc}")
    return BatchResult(index=index, ok=True, summary=summarise(result), consultation=result if full else None)


def summarise(result: Consultation) -> ConsultationSummary:
    """The compact summary of a consultation."""
    rec = result.recommendation
    return ConsultationSummary(
        primary=rec.approach, confidence=rec.confidence, level=rec.level,
        complementary=tuple(c.approach for c in rec.complementary),
        risks=tuple(RiskSummary(id=r.id, severity=r.severity) for r in result.risks),
        prerequisites=tuple(p.id for p in result.prerequisites), defaulted=rec.defaulted,
        rules_fired=len(result.trace.firings), digest=result.trace.digest,
    )


def _one_line(exc: DeciderError) -> str:
    parts = []
    for problem in exc.problems:
        parts.append(problem.message + (f" [{problem.item}]" if problem.item else ""))
    return "; ".join(parts) or str(exc)


# ----------------------------------------------------------------------------- worker processes

_worker_rulebase: Rulebase | None = None


def _init_worker(rulebase: Rulebase) -> None:
    global _worker_rulebase
    _worker_rulebase = rulebase
    # Ctrl+C reaches the whole process group: the parent alone handles it and ends the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # a worker is started while the parent holds these signals back (`_signals_deferred`), and a
    # signal mask survives exec: left blocked, SIGTERM could not end a worker, and a pool broken by
    # a dead worker would wait forever for the live ones it terminates
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _DEFERRED)


def _work(start: int, profiles: list[Profile], full: bool, engine: EngineName) -> list[BatchResult]:
    assert _worker_rulebase is not None, "worker not initialised"
    return [consult_one(_worker_rulebase, start + i, p, full, engine) for i, p in enumerate(profiles)]


class _Parallel:
    """Chunks in flight over a process pool, yielded in order; a broken pool is replaced."""

    def __init__(self, rulebase: Rulebase, jobs: int, full: bool, engine: EngineName, notice: Notice) -> None:
        self.rulebase = rulebase
        self.jobs = jobs
        self.full = full
        self.engine = engine
        self.notice = notice
        self.barren_restarts = 0
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn: a forked child could inherit a lock held by another thread of the host process.  The
        # pool's queues create named semaphores, each registered with multiprocessing's resource
        # tracker before its cleanup is set up: a Ctrl+C between the two leaves one registered, and
        # the tracker then warns of a leaked semaphore on stderr at exit (seen under load)
        with _signals_deferred():
            return ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_init_worker, initargs=(self.rulebase,))

    def _submit(self, start: int, rows: list[Profile]) -> Future[list[BatchResult]]:
        try:
            with _signals_deferred():  # submit may start a worker: never interrupt it mid-handover
                return self.pool.submit(_work, start, rows, self.full, self.engine)
        except BrokenProcessPool:  # the pool broke since the last result was read: not these rows' fault
            self._replace_pool()
            with _signals_deferred():
                return self.pool.submit(_work, start, rows, self.full, self.engine)

    def run(self, profiles: Iterable[Profile]) -> Iterator[BatchResult]:
        pending: deque[tuple[int, list[Profile], Future[list[BatchResult]] | None]] = deque()
        source = iter(profiles)
        index = 0
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < self.jobs * WINDOW:
                    rows = _take(source, CHUNK)
                    if not rows:
                        exhausted = True
                        break
                    pending.append((index, rows, self._submit(index, rows)))
                    index += len(rows)
                if not pending:
                    return
                start, rows, future = pending[0]
                try:
                    results = future.result() if future is not None else self._retry(start, rows)
                except BrokenProcessPool:
                    self._replace_pool()
                    # every chunk not finished yet is re-run, row by row, in the new pool
                    pending = deque((s, r, f if f is not None and _finished(f) else None) for s, r, f in pending)
                    continue
                except Exception:  # e.g. a profile that cannot be sent to a worker: find it row by row
                    pending[0] = (start, rows, None)
                    continue
                pending.popleft()
                self.barren_restarts = 0
                yield from results
        except BaseException:  # interrupted (Ctrl+C, SIGTERM, SIGHUP) or failed: end the workers now
            self._end_workers()
            raise
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _end_workers(self) -> None:
        for process in list((getattr(self.pool, "_processes", None) or {}).values()):
            try:
                process.terminate()
            except (OSError, ValueError):
                pass

    def _replace_pool(self) -> None:
        codes = [p.exitcode for p in list((getattr(self.pool, "_processes", None) or {}).values()) if p.exitcode]
        self.pool.shutdown(wait=True, cancel_futures=True)
        died = f" (exit code {', '.join(map(str, sorted(set(codes))))})" if codes else ""
        self.barren_restarts += 1
        if self.barren_restarts > MAX_BARREN_RESTARTS:
            raise DeciderError(f"worker processes keep dying before finishing any work{died}; "
                               "run with --jobs 1 to see the problem")
        self.notice(f"a worker process died{died}; it was replaced and its unfinished rows are retried once")
        self.pool = self._new_pool()

    def _retry(self, start: int, rows: list[Profile]) -> list[BatchResult]:
        """Rows again, one per task, so the one that crashes a worker (or cannot be sent) is named."""
        results = []
        for offset, row in enumerate(rows):
            try:
                results.extend(self._submit(start + offset, [row]).result())
                self.barren_restarts = 0
            except BrokenProcessPool:
                self._replace_pool()
                results.append(BatchResult(
                    index=start + offset, ok=False,
                    error="the worker process died twice on this profile (native engine crash); it was skipped"))
            except Exception as exc:  # the row could not be sent to (or its result back from) a worker
                results.append(BatchResult(index=start + offset, ok=False,
                                           error=f"could not be passed to a worker process: {type(exc).__name__}: {exc}"))
        return results



@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold back interrupting signals while the pool is made or a worker is being started: a handler
    raising halfway through handing the worker its start-up data leaves it to die with a traceback on
    stderr, and one raising while the pool's queues are made leaves a semaphore registered for cleanup."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _finished(future: Future[list[BatchResult]]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _take(source: Iterator[Profile], count: int) -> list[Profile]:
    rows = []
    for row in source:
        rows.append(row)
        if len(rows) >= count:
            break
    return rows
