"""No secret from a link reaches a log: the development server (`survey serve`) and gunicorn
(`gunicorn -c deploy/gunicorn.conf.py wsgi:app`) run as real servers, and their logs are read
after real requests."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import ROOT, make_person
from tests.web.helpers import make_campaign, make_invitations

OIDC_CODE = "oidc-code-Zq81xQ"
OIDC_STATE = "oidc-state-Pw72rT"
OLD_RESUME_CODE = "ABCDEFGHJKLMNPQR"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def secrets(app):
    """Real tokens: a personal link, a login link and a password reset link."""
    from survey.accounts.models import Person, TokenPurpose
    from survey.accounts.services import issue_token
    from survey.extensions import db

    campaign_id, slug = make_campaign(app, mode="confidential")
    [invitation] = make_invitations(app, campaign_id)
    person_id = make_person(app, "ansatt", email="kari@kommune.no")
    with app.app_context():
        person = db.session.get(Person, person_id)
        login = issue_token(person, TokenPurpose.LOGIN, dt.timedelta(days=1))
        reset = issue_token(person, TokenPurpose.PASSWORD_RESET, dt.timedelta(hours=1))
        db.session.commit()
    return {"invitation": invitation, "login": login, "reset": reset, "slug": slug}


def _serve_and_request(command, env_url, secrets, tmp_path) -> str:
    port = _free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": env_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PYTHONUNBUFFERED": "1",
    }
    command = [part.replace("PORT", str(port)) for part in command]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    # gunicorn accepts before its worker has loaded the app: a long first wait.
                    requests.get(f"{base}/personvern", timeout=60)
                    break
                except requests.ConnectionError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(log.read_text()) from None
                    time.sleep(0.3)
            assert requests.get(f"{base}/i/{secrets['invitation']}").status_code == 200
            assert requests.get(f"{base}/lenke/{secrets['login']}").status_code == 200
            assert requests.get(f"{base}/nytt-passord/{secrets['reset']}").status_code == 200
            requests.get(f"{base}/oidc/tilbake?code={OIDC_CODE}&state={OIDC_STATE}")
            requests.get(f"{base}/s/{secrets['slug']}/fortsett?kode={OLD_RESUME_CODE}")
            time.sleep(0.5)  # let the last access lines reach the file
        finally:
            server.terminate()
            server.wait(timeout=30)
    return log.read_text()


def _assert_no_secrets(text: str, secrets) -> None:
    for secret in (
        secrets["invitation"],
        secrets["login"],
        secrets["reset"],
        OIDC_CODE,
        OIDC_STATE,
        OLD_RESUME_CODE,
    ):
        assert secret not in text, secret


def test_development_server_log_masks_tokens(app, database_url, secrets, tmp_path):
    # `survey serve`, run from the source tree (not whatever the console script would import).
    serve = [sys.executable, "-c", "from survey.cli import main; main()", "serve", "--port", "PORT"]
    text = _serve_and_request(serve, database_url, secrets, tmp_path)
    assert "Serving on" in text
    # The requests were logged (so the check below is not vacuous) …
    assert "GET /i/*** HTTP/1.1" in text and "GET /lenke/*** HTTP/1.1" in text, text
    assert "GET /nytt-passord/*** HTTP/1.1" in text, text
    # … without a single secret.
    _assert_no_secrets(text, secrets)


def test_gunicorn_logs_requests_once_without_tokens(app, database_url, secrets, tmp_path):
    # As deploy/systemd/heltid.service runs it: the app's request lines are the access log
    # (deploy/gunicorn.conf.py turns gunicorn's own off).
    text = _serve_and_request(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind",
            "127.0.0.1:PORT",
            "--workers",
            "1",
            "wsgi:app",
        ],
        database_url,
        secrets,
        tmp_path,
    )
    for endpoint in ("answering.invitation", "auth.login_link", "auth.reset_password"):
        assert text.count(f"GET {endpoint} 200 ") == 1, text
    assert "GET auth.oidc_callback " in text and "GET answering.resume 302 " in text, text
    assert "HTTP/1.1" not in text, text  # no second access log
    _assert_no_secrets(text, secrets)


def test_every_route_with_a_token_is_masked(app):
    """A new route with a token in its path must be added to survey.logs.SECRET_PATHS."""
    from survey.logs import mask_secrets

    routes = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert routes
    for rule in routes:
        path = rule.rule.replace("<token>", "SECRETTOKEN")
        assert "SECRETTOKEN" not in mask_secrets(f'"GET {path} HTTP/1.1" 200 -'), rule.rule


def test_masking_skips_only_lines_that_cannot_hold_a_secret():
    """mask_secrets returns a line without "/", "?", "&" or ";" (the request line) without
    running its regexes; a query secret with no slash before it is still masked."""
    from survey.logs import mask_secrets

    line = (
        "2026-12-03 19:00:00,000 INFO survey.requests request=ab user=7 GET answering.page 200 3 ms"
    )
    assert mask_secrets(line) is line
    assert mask_secrets("callback?code=SECRET&state=OTHER") == "callback?code=***&state=***"
    assert mask_secrets("x;token=SECRET") == "x;token=***"


def test_resume_code_is_posted_never_put_in_a_link(app, client, respondent):
    _, slug = make_campaign(app)
    respondent.get(f"/s/{slug}")
    respondent.post(f"/s/{slug}/start", follow=True)
    code = respondent.html.split('class="resume-code"><strong>')[1].split("<")[0]
    compact = code.replace("-", "")
    # The link to continue holds the code only in its fragment, which no browser sends.
    assert f"/s/{slug}#kode={compact}" in respondent.html
    assert "?kode=" not in respondent.html
    # An old link with the code in the query string does not resume anything.
    other = app.test_client()
    old = other.get(f"/s/{slug}/fortsett?kode={compact}")
    assert old.status_code == 302 and old.headers["Location"].endswith(f"/s/{slug}")
    page = other.get(f"/s/{slug}/side/stilling", follow_redirects=True)
    assert page.request.path == f"/s/{slug}" and 'class="resume-code"' not in page.text
