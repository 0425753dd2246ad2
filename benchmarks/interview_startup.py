"""Time from launching `decider` in a real terminal (tmux, 100x30) until the first question's options show.

Needs tmux. Run: .venv/bin/python benchmarks/interview_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def once(marker: str, timeout: float = 15.0) -> float:
    session = f"decider-bench-{os.getpid()}"
    with tempfile.TemporaryDirectory() as state:
        command = f"cd {ROOT} && DECIDER_STATE_DIR={state} {sys.executable} -m decider"
        start = time.perf_counter()
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command], check=True)
        try:
            while time.perf_counter() - start < timeout:
                pane = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
                if marker in pane:
                    return time.perf_counter() - start
                time.sleep(0.05)
            raise SystemExit(f"the first question did not show within {timeout:g} s")
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--marker", default="0  Not sure", help="text that shows once the first question is usable")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is not installed")
    times = [once(args.marker) for _ in range(args.runs)]
    print(f"first question visible after: median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s, max {max(times):.2f} s ({args.runs} runs; load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
