"""What RFC 8785 digests cost: canonical JSON of real traces by decider's route (the C encoder where it writes
JCS byte for byte, `rfc8785` otherwise), by the `rfc8785` package alone, and by the pre-0.2.0 form (v1),
interleaved call by call in one run; and consult() end to end, which seals one trace per call.

    .venv/bin/python benchmarks/digests.py [N]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import rfc8785

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from decider import consult, load_rulebase  # noqa: E402
from decider.canonical import canonical_json  # noqa: E402
from decider.rulebase.samples import sample_profiles  # noqa: E402


def main(count: int) -> None:
    rulebase = load_rulebase()
    profiles = sample_profiles(rulebase, 50, seed=4)
    bodies = []
    for profile in profiles:
        data = consult(rulebase, profile).trace.model_dump(mode="json")
        bodies.append({k: v for k, v in data.items() if k not in ("digest", "recorded_at")})
    assert all(canonical_json(b) == rfc8785.dumps(b) for b in bodies)
    routes: dict[str, Callable[[Any], bytes]] = {
        "v1 form (0.1.0, json.dumps)": lambda b: canonical_json(b, "v1"),
        "JCS, decider's route": canonical_json,
        "JCS, rfc8785 alone": rfc8785.dumps,
    }
    samples: dict[str, list[float]] = {name: [] for name in routes}
    for n in range(count):
        body = bodies[n % len(bodies)]
        for name, route in routes.items():
            start = time.perf_counter()
            route(body)
            samples[name].append(time.perf_counter() - start)
    baseline = statistics.median(samples["v1 form (0.1.0, json.dumps)"])
    print(f"canonical JSON of a trace ({len(bodies)} real traces, {count} calls each, interleaved):")
    for name, times in samples.items():
        median = statistics.median(times)
        print(f"  {name:<30} median {median * 1e6:7.1f} µs  ({median / baseline:.2f}× the v1 form)")
    consult_times = []
    for n in range(count):
        start = time.perf_counter()
        consult(rulebase, profiles[n % len(profiles)])
        consult_times.append(time.perf_counter() - start)
    print(f"consult() median, sealing its trace: {statistics.median(consult_times) * 1e6:.0f} µs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
