"""Real Chromium (Debian's package) driven by Playwright against the app on a live server."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from survey import create_app
from tests.browser.html_validation import start_vnu
from tests.conftest import ROOT, _test_config

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _required(path: Path, what: str) -> None:
    if path.exists():
        return
    message = f"{what} not found at {path}; run scripts/test.sh"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    _required(Path(CHROMIUM), "Chromium")
    from playwright.sync_api import sync_playwright

    start_vnu()  # its JVM starts while Chromium does; the first page check waits for it
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    _required(AXE, "axe-core")
    return AXE.read_text()


@pytest.fixture
def live_app(sqlite_template, tmp_path):
    """The app on SQLite (a copy of the template with the questionnaires), served by a real
    HTTP server on a free local port."""
    database = tmp_path / "live.sqlite3"
    shutil.copy(sqlite_template, database)
    app = create_app(_test_config(f"sqlite:///{database}", tmp_path))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        from survey.extensions import db

        db.engine.dispose()
