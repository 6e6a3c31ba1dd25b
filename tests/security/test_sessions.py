"""Sessions: idle expiry, «log out on all devices», a fresh session at log-in (no fixation),
cookie flags and HSTS, and where a log-in may send the browser afterwards."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import STAFF_PASSWORD, make_person
from tests.security.conftest import (
    audit_rows,
    csrf_token,
    english,
    is_logged_in,
    log_in,
    person_state,
    submit,
    text_of,
)

EMAIL = "ansatt@example.no"
IDLE_MESSAGE = "You were logged out after a period of inactivity. Please log in again."


def age_session(client, seconds: int) -> None:
    """Pretend the browser has been left alone for `seconds`."""
    with client.session_transaction() as session:
        session["seen"] -= seconds


def test_idle_session_expires_with_a_message(app, client):
    make_person(app, "ansatt", email=EMAIL, name="Ida Ansatt")
    english(client)
    assert log_in(client, EMAIL).status_code == 302
    idle = app.config["SESSION_IDLE_MINUTES"] * 60

    # A pause a little shorter than the limit is fine, and using the site restarts the clock.
    age_session(client, idle - 60)
    assert client.get("/meg/").status_code == 200
    age_session(client, idle - 60)
    assert client.get("/meg/").status_code == 200

    age_session(client, idle + 1)
    response = client.get("/meg/")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/logg-inn"
    assert parse_qs(target.query)["next"][0].startswith("/meg/")
    page = client.get(response.headers["Location"])
    assert IDLE_MESSAGE in text_of(page)
    # The session is gone for good, not just for that one request.
    assert not is_logged_in(client)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_idle_session_cannot_post_either(app, client):
    person = make_person(app, "ansatt", email=EMAIL)
    english(client)
    log_in(client, EMAIL)
    token = csrf_token(client.get("/meg/"))
    age_session(client, app.config["SESSION_IDLE_MINUTES"] * 60 + 1)
    response = client.post("/logg-ut-overalt", data={"csrf_token": token})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/logg-inn"
    assert person_state(app, person)["session_epoch"] == 0
    assert "logout_everywhere" not in [action for action, _, _ in audit_rows(app)]


def test_log_out_everywhere_ends_the_other_sessions(app):
    person = make_person(app, "ansatt", email=EMAIL)
    colleague = make_person(app, "ansatt", email="kollega@example.no")
    laptop, phone, other = (english(app.test_client()) for _ in range(3))
    assert log_in(laptop, EMAIL).status_code == 302
    assert log_in(phone, EMAIL).status_code == 302
    assert log_in(other, "kollega@example.no").status_code == 302
    # A copy of the phone's cookie, as a thief would keep it.
    stolen = english(app.test_client())
    stolen.set_cookie("session", phone.get_cookie("session").value)
    assert is_logged_in(stolen)

    response = submit(laptop, "/logg-ut-overalt", form_url="/meg/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "You are logged out on all devices." in text_of(laptop.get("/"))

    assert not is_logged_in(laptop)
    assert not is_logged_in(phone)
    assert not is_logged_in(stolen)
    assert is_logged_in(other)  # someone else's session is not touched
    assert person_state(app, person)["session_epoch"] == 1
    assert person_state(app, colleague)["session_epoch"] == 0
    assert ("logout_everywhere", person, person) in audit_rows(app)

    # Logging in again works as before.
    assert log_in(phone, EMAIL).status_code == 302
    assert is_logged_in(phone)
    assert not is_logged_in(stolen)


def test_log_out_everywhere_needs_a_csrf_token(app, client):
    person = make_person(app, "ansatt", email=EMAIL)
    log_in(english(client), EMAIL)
    response = client.post("/logg-ut-overalt")
    assert response.status_code == 400
    assert person_state(app, person)["session_epoch"] == 0
    assert is_logged_in(client)


def test_logging_in_starts_a_fresh_session(app):
    """Session fixation: a cookie an attacker planted before the log-in is worth nothing after."""
    make_person(app, "ansatt", email=EMAIL)
    victim = english(app.test_client())
    page = victim.get("/logg-inn")
    with victim.session_transaction() as session:
        session["planted"] = "by an attacker"
        before_csrf = session["csrf_token"]
    planted = victim.get_cookie("session").value

    response = victim.post(
        "/logg-inn",
        data={"csrf_token": csrf_token(page), "email": EMAIL, "password": STAFF_PASSWORD},
    )
    assert response.status_code == 302
    after = victim.get_cookie("session").value
    assert after != planted
    with victim.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != before_csrf
    assert is_logged_in(victim)

    attacker = english(app.test_client())
    attacker.set_cookie("session", planted)
    assert not is_logged_in(attacker)


def _session_cookie_header(response) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    return header


def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    make_person(app, "ansatt", email=EMAIL)
    response = log_in(client, EMAIL)
    assert response.status_code == 302
    attributes = [a.strip().lower() for a in _session_cookie_header(response).split(";")[1:]]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes

    page = client.get("/meg/")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_secure_cookie_and_hsts_when_served_over_https(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    client.environ_base["wsgi.url_scheme"] = "https"
    make_person(app, "ansatt", email=EMAIL)
    response = log_in(client, EMAIL)
    assert response.status_code == 302
    attributes = [a.strip().lower() for a in _session_cookie_header(response).split(";")[1:]]
    assert {"secure", "httponly", "samesite=lax"} <= set(attributes)
    for path in ("/", "/logg-inn", "/meg/", "/finnes-ikke"):
        hsts = client.get(path).headers.get("Strict-Transport-Security", "")
        max_age = int(hsts.partition("max-age=")[2].split(";")[0] or 0)
        assert max_age >= 180 * 24 * 3600, (path, hsts)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_log_in_never_redirects_off_site(app, client, target):
    make_person(app, "ansatt", email=EMAIL)
    page = client.get("/logg-inn", query_string={"next": target})
    response = client.post(
        "/logg-inn",
        query_string={"next": target},
        data={"csrf_token": csrf_token(page), "email": EMAIL, "password": STAFF_PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    # What a browser makes of it: the address must stay on this site.
    resolved = urlsplit(location.replace("\\", "/"))
    assert not resolved.scheme and not resolved.netloc, location
    assert location.startswith("/") and not location.startswith("//"), location


@pytest.mark.parametrize(
    "target",
    [
        "/\\evil.example",
        "/\t/evil.example",
        "//evil.example",
        "https://evil.example/",
        "/%0a/x\x7f",
    ],
)
def test_next_parameters_that_browsers_read_as_another_site_are_refused(client, target):
    from urllib.parse import quote

    response = client.get(f"/sprak/nn?next={quote(target)}")
    assert response.headers["Location"] == "/"
