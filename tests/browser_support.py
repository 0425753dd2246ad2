"""Driving `decider serve` in a real headless Chromium (Debian's chromium + chromium-driver, through selenium).

The served app draws on an xterm.js canvas, so the page has no text to query. A script installed
before the page loads records every byte the browser's terminal receives (and every size it asks
for); pyte, a terminal emulator, replays them into the screen the browser is showing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyte

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("DECIDER_ARTIFACTS", ROOT / "test-artifacts"))
"""Where the browser test leaves its screenshots (ignored by git; CI may collect the folder)."""
CHROMIUM = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
DRIVER = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")

RECORDER = """
window.__decider = [];
(() => {
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  function Recorded(url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    const size = new URL(url, window.location.href).searchParams;
    window.__decider.push(["size", Number(size.get("width")), Number(size.get("height"))]);
    const send = ws.send.bind(ws);
    ws.send = (data) => {
      try {
        const message = JSON.parse(data);
        if (message[0] === "resize") window.__decider.push(["size", message[1].width, message[1].height]);
      } catch (e) {}
      return send(data);
    };
    ws.addEventListener("message", (event) => {
      if (typeof event.data !== "string") {
        window.__decider.push(["data", decoder.decode(new Uint8Array(event.data), {stream: true})]);
      }
    });
    return ws;
  }
  Recorded.prototype = Native.prototype;
  for (const key of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Recorded[key] = Native[key];
  window.WebSocket = Recorded;
})();
"""


def find_browser() -> tuple[str, str] | None:
    """(chromium, chromedriver) paths from Debian's packages, or None when either is missing."""
    browser = next((p for p in CHROMIUM if Path(p).exists()), None) or shutil.which("chromium")
    driver = next((p for p in DRIVER if Path(p).exists()), None) or shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(port: int, cwd: Path = ROOT) -> Iterator[subprocess.Popen[str]]:
    """`decider serve --port PORT` on loopback (working directory `cwd`), until the block ends."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([sys.executable, "-m", "decider", "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"decider serve exited: {process.stdout.read() if process.stdout else ''}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("decider serve did not start listening within 30 s")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def chromium(browser: str, driver: str, downloads: Path) -> Iterator[Any]:
    """A headless Chromium through chromedriver (both from Debian: nothing is downloaded), saving downloads
    into `downloads`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1000", "--disable-popup-blocking"):
        options.add_argument(argument)
    session = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    try:
        session.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        yield session
    finally:
        session.quit()


class BrowserTerminal:
    """What the page's terminal shows, replayed from the bytes it received."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.Stream(self.screen)
        self.seen = 0

    def open(self, url: str, timeout: float = 30) -> None:
        """Load the page (recording what its terminal receives), wait for the app's first output, and give the
        terminal the keyboard focus."""
        self.session.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})  # this tab
        self.session.get(url)
        deadline = time.monotonic() + timeout
        while "-first-byte" not in (self.session.find_element("tag name", "body").get_attribute("class") or ""):
            if time.monotonic() > deadline:
                raise AssertionError(f"the served app drew nothing within {timeout:g} s")
            time.sleep(0.1)
        self.session.execute_script("document.querySelector('.xterm-helper-textarea').focus();")

    def text(self) -> str:
        events = self.session.execute_script(f"return window.__decider.slice({self.seen});")
        self.seen += len(events)
        for event in events:
            if event[0] == "size":
                self.screen.resize(lines=int(event[2]), columns=int(event[1]))
            else:
                self.stream.feed(event[1])
        return "\n".join(line.rstrip() for line in self.screen.display)

    def flat(self) -> str:
        """The screen as one line with runs of spaces collapsed (wrapped text reads as it was written)."""
        return " ".join(self.text().split())

    def wait_for(self, condition: Callable[[str], bool], what: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            flat = self.flat()
            if condition(flat):
                return flat
            if "-closed" in (self.session.find_element("tag name", "body").get_attribute("class") or ""):
                raise AssertionError(f"the browser session ended while waiting for {what}; screen:\n{self.text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; screen:\n{self.text()}")
            time.sleep(0.1)

    def wait_text(self, text: str, timeout: float = 30) -> str:
        wanted = " ".join(text.split())
        return self.wait_for(lambda flat: wanted in flat, repr(text), timeout)

    def press(self, *keys: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        names = {"enter": Keys.ENTER, "f2": Keys.F2, "escape": Keys.ESCAPE, "e": "e"}
        actions = ActionChains(self.session)
        for key in keys:
            actions.send_keys(names.get(key, key))
        actions.perform()


def wait_for_file(path: Path, timeout: float = 30) -> Path:
    """A download, once the browser has finished writing it."""
    deadline = time.monotonic() + timeout
    while not path.exists() or any(path.parent.glob("*.crdownload")):
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} was not downloaded within {timeout:g} s; "
                                 f"found {sorted(p.name for p in path.parent.iterdir())}")
        time.sleep(0.1)
    return path


def save_screenshot(session: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    session.save_screenshot(str(path))
    return path
