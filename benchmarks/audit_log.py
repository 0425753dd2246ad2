"""What the decision log and replay cost: median consult() with and without `log=`, and verify per record.

    .venv/bin/python benchmarks/audit_log.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from decider import consult, load_rulebase
from decider.audit.documents import read_audit_file
from decider.audit.verify import verify_file


def _median_us(run, count: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for n in range(count):
        start = time.perf_counter()
        run(n)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main(count: int) -> None:
    rulebase = load_rulebase()
    answers = {"structured_output": True, "data_quality": 4, "retune_budget": False}
    consult(rulebase, answers)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "decisions.log"
        plain = _median_us(lambda n: consult(rulebase, answers), count)
        logged = _median_us(lambda n: consult(rulebase, answers, log=log), count)
        start = time.perf_counter()
        report = verify_file(read_audit_file(log), rulebase)
        per_record = (time.perf_counter() - start) / max(report.records, 1) * 1e6
        assert report.verified
    print(f"consult median: {plain:.0f} µs; with log= (flock + write + fsync): {logged:.0f} µs")
    print(f"audit verify: {per_record:.0f} µs per log record (read, chain, digest, replay), {report.records} records")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
