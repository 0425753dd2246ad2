"""The `decider` command as a subprocess: decide, questions, schema, version, help, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from decider import Consultation, Trace
from decider.policy.trace import digest_of

from conftest import FIXTURES, ROOT, run_cli

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "examples").glob("*.json"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_decide_json_prints_a_consultation_and_writes_its_trace(example: Path, tmp_path: Path) -> None:
    trace_path = tmp_path / "out" / "t.json"
    result = run_cli("decide", str(example), "--format", "json", "--trace", str(trace_path))
    assert result.returncode == 0, result.stderr
    consultation = Consultation.model_validate_json(result.stdout)
    trace = Trace.model_validate_json(trace_path.read_text())
    assert trace == consultation.trace
    assert trace.digest == digest_of(json.loads(trace_path.read_text()))
    assert consultation.recommendation.approach == trace.result.primary
    assert 0 <= consultation.recommendation.confidence <= 1


def test_decide_text_and_markdown(tmp_path: Path) -> None:
    example = str(ROOT / "examples" / "structured-output.yaml")
    text = run_cli("decide", example)
    assert text.returncode == 0 and text.stdout.startswith("Recommendation: ")
    markdown = run_cli("decide", example, "--format", "markdown")
    assert markdown.returncode == 0
    assert markdown.stdout.startswith("# Recommendation: ")
    for heading in ("## Why", "## Risks", "## Ranking", "## Answers"):
        assert heading in markdown.stdout


def test_questions_lists_every_question_in_text_and_json() -> None:
    result = run_cli("questions", "--rules", str(FIXTURES / "chain"), "--format", "json")
    assert result.returncode == 0
    assert [q["id"] for q in json.loads(result.stdout)] == ["q1", "q2", "q3", "q4"]
    text = run_cli("questions", "--rules", str(FIXTURES / "chain"))
    assert "q2  (choice: x | y | z | unknown)" in text.stdout
    assert "q3  (number: 0–1000 ms | unknown)" in text.stdout


@pytest.mark.parametrize("name", ["answers", "consultation", "trace", "rulebase"])
def test_schema_prints_json_schema(name: str) -> None:
    result = run_cli("schema", name)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema.get("type") == "object" or "properties" in schema or "$defs" in schema


def test_answers_schema_follows_the_questions() -> None:
    schema = json.loads(run_cli("schema", "answers", "--rules", str(FIXTURES / "chain")).stdout)
    assert schema["additionalProperties"] is False
    assert schema["properties"]["q2"]["anyOf"][0] == {"enum": ["x", "y", "z"]}


def test_version_help_and_usage_errors() -> None:
    assert run_cli("--version").stdout.startswith("decider ")
    help_result = run_cli("--help")
    assert help_result.returncode == 0 and "decide" in help_result.stdout
    usage = run_cli("decide")
    assert usage.returncode == 2 and "the following arguments are required: ANSWERS" in usage.stderr
    unknown = run_cli("frobnicate")
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr
    bad_format = run_cli("decide", "x.yaml", "--format", "html")
    assert bad_format.returncode == 2


@pytest.mark.parametrize("args", [["--help"], ["questions"], ["schema", "trace"],
                                  ["decide", str(ROOT / "examples" / "structured-output.yaml")]])
def test_non_tui_commands_never_import_textual(args: list[str]) -> None:
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['decider', *{args!r}]\n"
        "try:\n"
        "    runpy.run_module('decider', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('TEXTUAL' if any(m == 'textual' or m.startswith('textual.') for m in sys.modules) else 'CLEAN', file=sys.stderr)\n"
    )
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stderr.strip().endswith("CLEAN"), result.stderr


def test_help_does_not_load_the_engine() -> None:
    import subprocess
    import sys

    probe = ("import sys\nfrom decider.cli.main import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('durable', 'pydantic', 'yaml') if m in sys.modules), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stderr.strip().endswith("[]"), result.stderr


def test_trace_to_an_unwritable_place_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("decide", str(ROOT / "examples" / "structured-output.yaml"), "--trace", str(blocker / "t.json"))
    assert result.returncode == 2
    assert "t.json: cannot write: " in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("args", "said"), [
    (["batch", "x.jsonl", "--jobs", "0"], "argument --jobs: expected a whole number of at least 1, got '0'"),
    (["batch", "x.jsonl", "--jobs", "two"], "argument --jobs: expected a whole number of at least 1, got 'two'"),
    (["serve", "--port", "65536"], "argument --port: expected a port number from 1 to 65535, got '65536'"),
    (["evaluate", "x", "--min-agreement", "nan"], "argument --min-agreement: expected a fraction from 0 to 1, got 'nan'"),
    (["evaluate", "x", "--min-flags", "1.5"], "argument --min-flags: expected a fraction from 0 to 1, got '1.5'"),
])
def test_numeric_options_are_checked_while_parsing(args: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    from decider.cli.main import main

    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    assert said in capsys.readouterr().err
