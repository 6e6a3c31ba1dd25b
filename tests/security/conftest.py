"""Helpers for the security acceptance tests: logging in through the real forms, reading what
the database holds, and (for the browser test) the app under test on a live local server.

Pages are asked for in English (Accept-Language), so the assertions read the messages' msgids
and do not break when the Norwegian catalogues change."""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import STAFF_PASSWORD

# Flask-WTF's hidden_tag() writes id= before name=, csrf_token() in a template the other way.
CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')

WRONG_PASSWORD_MESSAGE = "Wrong e-mail address or password."
LOCKED_MESSAGE = "Too many failed attempts."
LINK_INVALID_TITLE = "This link does not work"


def english(client):
    """Make every request of `client` ask for English, as a browser set to English would."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def csrf_token(response) -> str:
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {response.request.path}"
    return match.group(1)


def submit(client, url: str, data: dict | None = None, *, form_url: str | None = None, **kwargs):
    """GET the page holding the form (`form_url`, default `url`) for its CSRF token, then POST
    the form to `url` as a browser would."""
    page = client.get(form_url or url)
    assert page.status_code == 200, f"{form_url or url} answered {page.status_code}"
    return client.post(url, data={"csrf_token": csrf_token(page), **(data or {})}, **kwargs)


def log_in(client, email: str, password: str = STAFF_PASSWORD, **kwargs):
    """Log in through the form on /logg-inn; returns the answer to the POST."""
    return submit(client, "/logg-inn", {"email": email, "password": password}, **kwargs)


def log_out(client):
    """The «Log out» button on my page."""
    response = submit(client, "/logg-ut", form_url="/meg/")
    assert response.status_code == 302
    return response


def is_logged_in(client) -> bool:
    response = client.get("/meg/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert "/logg-inn" in response.headers["Location"]
    return False


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes for timezone-aware columns; they are stored as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def person_state(app, person_id: int) -> dict:
    """What the database holds about a person's logging in, read in a fresh session."""
    from survey.accounts.models import Person
    from survey.extensions import db

    with app.app_context():
        person = db.session.get(Person, person_id)
        return {
            "failed_logins": person.failed_logins,
            "locked_until": aware(person.locked_until),
            "password_hash": person.password_hash,
            "session_epoch": person.session_epoch,
            "last_login_at": aware(person.last_login_at),
        }


def audit_rows(app) -> list[tuple[str, int | None, int | None]]:
    """Every audit entry as (action, actor_id, subject_id), in the order they were written."""
    from sqlalchemy import select

    from survey.audit.models import AuditEntry
    from survey.extensions import db

    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.subject_id).order_by(
                    AuditEntry.id
                )
            )
        ]


# --- the app on a live server, and Chromium, for the browser ------------------------------------


@pytest.fixture
def live_url(app):
    """The `app` fixture (SQLite or PostgreSQL) served by a real HTTP server on a free port on
    127.0.0.1."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    """Run `scenario(browser)` in a thread that owns its own Playwright and Chromium; returns
    its result, and re-raises its failures here.

    Playwright's sync API allows one instance per thread, and tests/browser keeps one open in
    the main thread for the whole session: a second in the same thread cannot start."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _required

    _required(Path(CHROMIUM), "Chromium")
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
    owned = {}

    def start():
        from playwright.sync_api import sync_playwright

        owned["playwright"] = sync_playwright().start()
        owned["browser"] = owned["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )

    def stop():
        owned["browser"].close()
        owned["playwright"].stop()

    executor.submit(start).result()
    try:
        yield lambda scenario: executor.submit(scenario, owned["browser"]).result()
    finally:
        executor.submit(stop).result()
        executor.shutdown()
