"""`decider serve` without a browser: what it says about who can connect, bad options, the per-session command."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli
from decider.tui.web import banner, is_loopback, session_command
from decider.tui.web_session import main as web_session

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True),
                                                 ("localhost", True), ("0.0.0.0", False), ("192.0.2.7", False),
                                                 ("example.org", False)])
def test_says_who_can_connect(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    said = banner(host, 8000)
    assert ("only this machine can connect" in said) is loopback
    assert ("anyone who can reach this address" in said) is not loopback


def test_default_binds_loopback() -> None:
    from decider.cli.main import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_bad_port_is_a_usage_error(port: str) -> None:
    done = run_cli("serve", "--port", port)
    assert done.returncode == 2 and "--port" in done.stderr and "Traceback" not in done.stderr


def test_a_port_in_use_is_one_clear_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_cli("serve", "--port", str(port))
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr


def test_a_broken_rulebase_is_reported_before_serving(tmp_path: Path) -> None:
    done = run_cli("serve", "--rules", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.strip()


def test_each_session_runs_its_own_interview_process() -> None:
    argv = shlex.split(session_command("/some dir/rules"))
    assert argv[:3] == [sys.executable, "-m", "decider.tui.web_session"]
    assert argv[3:] == ["--rules", "/some dir/rules"]


def test_session_with_a_broken_rulebase_exits_with_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert web_session(["--rules", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip()


def test_the_server_says_where_it_listens_and_serves_the_page(tmp_path: Path) -> None:
    import urllib.request

    pytest.importorskip("textual_serve", reason="decider serve needs the web extra (pip install -e '.[web]')")
    from browser_support import free_port, served

    port = free_port()
    with served(port, tmp_path) as process:
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode()
    said = process.stdout.read() if process.stdout else ""
    assert f"serving the interview at http://127.0.0.1:{port}" in said
    assert "only this machine can connect" in said
    assert f"ws://127.0.0.1:{port}/ws" in page


def test_without_the_web_extra_it_says_how_to_install_it() -> None:
    code = ("import sys; sys.modules['textual_serve'] = None; from decider.cli.main import main; "
            "sys.exit(main(['serve']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert "pip install 'decider[web]'" in done.stderr and "Traceback" not in done.stderr
