"""Shared fixtures: the shipped rulebase, small rulebases written on the fly, and the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from decider import load_rulebase
from decider.rulebase.model import Rulebase

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shipped() -> Rulebase:
    return load_rulebase()


def write_rulebase(directory: Path, files: dict[str, str]) -> Path:
    """Write a rulebase directory from file name → YAML text."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def run_cli(*args: str | Path, stdin: str | None = None, cwd: Path | None = None,
            env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `python -m decider ARGS` as a user would, from the repository root unless `cwd` says otherwise;
    never raises on a non-zero exit (the timeout only stops a hang)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "decider", *map(str, args)],
        input=stdin, capture_output=True, text=True, cwd=cwd or ROOT, env=full_env, timeout=timeout,
    )
