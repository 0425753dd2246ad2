"""Packaging hygiene: every third-party import is a declared dependency, runtime ranges are compatible
ranges (one exact pin, durable-rules), the version has one source, and LICENSE and CHANGELOG agree with it."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions, version
from pathlib import Path

from conftest import ROOT

import decider

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imports(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"decider", "__future__"}


def _distributions(modules: set[str]) -> dict[str, set[str]]:
    owners = packages_distributions()
    return {module: {d.lower().replace("_", "-") for d in owners.get(module, [])} for module in modules}


def test_every_runtime_import_is_a_declared_dependency() -> None:
    # an optional extra counts for the code that needs it (`decider serve` names `decider[web]` when it is missing)
    extras = [r for name, reqs in PROJECT["optional-dependencies"].items() if name != "test" for r in reqs]
    declared = {_name(r) for r in PROJECT["dependencies"] + extras}
    for module, owners in _distributions(_imports(ROOT / "decider")).items():
        assert owners & declared, f"decider imports {module!r} (from {sorted(owners)}) but does not declare it"


def test_every_test_import_is_declared_for_the_tests() -> None:
    declared = {_name(r) for r in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]}
    modules = _imports(ROOT / "tests") | _imports(ROOT / "benchmarks")
    modules -= {"conftest", "tests", "planner_support", "tui_support"}
    modules -= {path.stem for folder in ("tests", "benchmarks") for path in (ROOT / folder).glob("*.py")}  # one module reusing another's helpers
    for module, owners in _distributions(modules).items():
        assert owners & declared, f"the tests import {module!r} (from {sorted(owners)}) but do not declare it"


def test_runtime_dependencies_are_ranges_and_only_durable_rules_is_pinned() -> None:
    pinned = [r for r in PROJECT["dependencies"] if "==" in r]
    assert pinned == ["durable-rules==2.0.28"]
    assert all(re.search(r">=", r) for r in PROJECT["dependencies"] if r not in pinned)


def test_the_version_has_one_source() -> None:
    assert "version" not in PROJECT and "version" in PROJECT["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "decider/version.py"
    assert version("decider") == decider.__version__  # what the installed metadata says


def test_license_and_changelog_match_the_project() -> None:
    assert PROJECT["license"] == {"text": "MIT"}
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (\S+)", changelog, re.MULTILINE)
    assert first and first.group(1) == decider.__version__, "CHANGELOG.md's first section is not this version"
    assert any(c.startswith("License :: OSI Approved :: MIT") for c in PROJECT["classifiers"])
