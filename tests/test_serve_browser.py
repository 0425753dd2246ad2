"""`decider serve` in a real browser: headless Chromium answers a whole interview with keys.

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Outside CI a machine
without them skips with the reason; in CI (CI=true) their absence is a failure.
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from browser_support import BrowserTerminal, chromium, find_browser, free_port, save_screenshot, served, wait_for_file
from decider import consult, load_rulebase
from decider.interview.session import Interview
from tui_support import keys_for

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "scenarios" / "invoice-xml-format.yaml"

pytest.importorskip("textual_serve", reason="decider serve needs the web extra (pip install -e '.[web]')")


@pytest.fixture(scope="module")
def browser() -> tuple[str, str]:
    found = find_browser()
    if found is None:
        message = "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"in CI the browser test must run: {message}; .ci/run installs them")
        pytest.skip(message)
    return found


def test_a_whole_interview_in_the_browser(browser: tuple[str, str], tmp_path: Path) -> None:
    rulebase = load_rulebase()
    answers = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))["answers"]
    port = free_port()
    server_dir, downloads = tmp_path / "server", tmp_path / "downloads"
    server_dir.mkdir()
    downloads.mkdir()
    with served(port, server_dir), chromium(*browser, downloads) as session:
        terminal = BrowserTerminal(session)
        terminal.open(f"http://127.0.0.1:{port}/")
        interview = Interview()
        asked = 0
        while (question := interview.current(rulebase)) is not None:
            terminal.wait_text(question.text[:60])
            time.sleep(0.3)  # the new screen takes the focus just after it is drawn
            value = answers.get(question.id, "unknown")
            keys = keys_for(question, value)
            if keys[-1] == "enter":  # a number: see it typed into the field before submitting it
                terminal.press(*keys[:-1])
                terminal.wait_text("".join(keys[:-1]))
            terminal.press(keys[-1])
            interview = interview.answer(rulebase, question.id, value)
            asked += 1
        expected = consult(rulebase, interview.given()).recommendation
        shown = terminal.wait_text(f"Recommendation: {expected.title}")
        assert f"confidence {expected.level} ({expected.confidence:.0%})" in shown
        assert "Traceback" not in shown and "Error" not in shown
        assert asked >= 3
        assert save_screenshot(session, "serve-results.png").stat().st_size > 0

        # the export is a download the browser saves where its user chooses, not a file in the server's directory
        terminal.press("e")
        with zipfile.ZipFile(wait_for_file(downloads / "decider-export.zip")) as bundle:
            assert sorted(bundle.namelist()) == ["decider-report-economics.svg", "decider-report.md",
                                                 "decider-trace.json"]
            assert f"# Recommendation: {expected.title}" in bundle.read("decider-report.md").decode()
        assert list(server_dir.iterdir()) == []

        # a second browser session is its own interview: it starts at the first question, not at these results
        session.switch_to.new_window("tab")
        fresh = BrowserTerminal(session)
        fresh.open(f"http://127.0.0.1:{port}/")
        first = Interview().current(rulebase)
        assert first is not None
        fresh.wait_text(first.text[:60])
        assert "Recommendation:" not in fresh.flat()
