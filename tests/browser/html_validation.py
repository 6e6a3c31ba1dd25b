"""HTML validation with the Nu Html Checker (vnu, from the npm package `vnu-jar`, run by Java).

Starting the checker's JVM costs several seconds of CPU, checking a page a few milliseconds, so
each test process runs one checker as a local HTTP service (vnu's own servlet, on a free
loopback port) for the whole session and posts every page to it."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import ROOT

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# vnu's --errors-only keeps these; "info" messages (warnings among them) are dropped.
ERROR_TYPES = {"error", "non-document-error"}
START_TIMEOUT = 300  # seconds; a busy two-core machine starts the JVM slowly


def require_vnu() -> None:
    """Skip without Java or vnu; under CI=true their absence is a failure, not a skip."""
    missing = []
    if shutil.which("java") is None:
        missing.append("java (default-jre-headless)")
    if not VNU_JAR.exists():
        missing.append(f"vnu at {VNU_JAR}")
    if not missing:
        return
    message = f"{' and '.join(missing)} not found; run scripts/test.sh"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


class _Checker:
    """vnu's servlet (`nu.validator.servlet.Main PORT`) on 127.0.0.1, started once per process."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = tempfile.TemporaryFile(prefix="vnu-")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            ["java", "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp", str(VNU_JAR)]
            + ["nu.validator.servlet.Main", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.ready = False
        atexit.register(self.stop)

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not self.ready:
            if self.process.poll() is not None:
                self.log.seek(0)
                output = self.log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"vnu stopped with {self.process.returncode}: {output}")
            try:
                with urllib.request.urlopen(self.url, timeout=5):
                    self.ready = True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"vnu did not answer within {START_TIMEOUT} s") from None
                time.sleep(0.2)

    def messages(self, html: str) -> list[dict]:
        self.wait_until_ready()
        request = urllib.request.Request(
            self.url + "?out=json",
            data=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)["messages"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


_checker: _Checker | None = None


def start_vnu() -> None:
    """Start this process's checker without waiting for it (it answers once its JVM is up)."""
    global _checker
    if _checker is None and shutil.which("java") is not None and VNU_JAR.exists():
        _checker = _Checker()


def vnu_errors(pages: dict[str, str]) -> dict[str, list[str]]:
    """Validate each page's HTML (keyed by its path); return only the pages with errors,
    each error as «line N: message «extract»»."""
    if not pages:
        return {}
    require_vnu()
    start_vnu()
    errors: dict[str, list[str]] = {}
    for path, html in pages.items():
        for message in _checker.messages(html):
            if message.get("type") not in ERROR_TYPES:
                continue
            extract = " ".join(message.get("extract", "").split())
            errors.setdefault(path, []).append(
                f"line {message.get('lastLine', '?')}: {message['message']} «{extract}»"
            )
    return errors
