"""A normal (non-editable) install ships the default rulebase and the `py.typed` marker."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_install_finds_the_packaged_rulebase(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    (wheel,) = dist.glob("decider-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "decider/py.typed" in names
    shipped = {p.name for p in (ROOT / "rules").glob("*.yaml")}
    assert shipped and shipped <= {Path(n).name for n in names if n.startswith("decider/_rules/")}

    target = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    probe = ("import decider, decider.rulebase.loader as l; rb = decider.load_rulebase(); "
             "print(decider.__file__); print(l.default_rules_dir()); print(rb.meta.id)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                            env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    module_file, rules_dir, rulebase_id = result.stdout.split()
    assert module_file.startswith(str(target))
    assert rules_dir == str(target / "decider" / "_rules")
    assert rulebase_id
