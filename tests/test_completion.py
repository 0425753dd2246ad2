"""Shell completion (`decider completion SHELL`): the bash script, sourced in a real bash, completes
commands, options, choices and file names."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli


def _complete(script: Path, words: list[str], cwd: Path) -> list[str]:
    line = "COMP_WORDS=(" + " ".join(f"'{w}'" for w in words) + f"); COMP_CWORD={len(words) - 1}"
    probe = f"source '{script}'; {line}; _shtab_decider; printf '%s\\n' \"${{COMPREPLY[@]}}\""
    result = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, cwd=cwd, timeout=30)
    assert result.returncode == 0, result.stderr
    return sorted(result.stdout.split())


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_completes_commands_options_choices_and_files(tmp_path: Path) -> None:
    script = tmp_path / "decider.bash"
    result = run_cli("completion", "bash")
    assert result.returncode == 0, result.stderr
    script.write_text(result.stdout, encoding="utf-8")
    (tmp_path / "answers.yaml").write_text("{}\n", encoding="utf-8")
    assert _complete(script, ["decider", "au"], tmp_path) == ["audit"]
    assert _complete(script, ["decider", "audit", "ve"], tmp_path) == ["verify"]
    assert _complete(script, ["decider", "decide", "--format", ""], tmp_path) == ["json", "markdown", "text"]
    assert _complete(script, ["decider", "schema", "ca"], tmp_path) == ["case"]
    assert "answers.yaml" in _complete(script, ["decider", "decide", "ans"], tmp_path)


@pytest.mark.parametrize("shell", ["zsh", "tcsh"])
def test_zsh_and_tcsh_scripts_are_generated(shell: str) -> None:
    result = run_cli("completion", shell)
    assert result.returncode == 0 and "decider" in result.stdout and "audit" in result.stdout
