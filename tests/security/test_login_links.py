"""One-time links: log-in links for employees and password-reset links for staff.

A link works once, only for its purpose and only until it expires; the database holds only
the sha256 of each token; «forgot password» tells nobody whether an address has an account."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

import pytest
from sqlalchemy import select, text, update

from survey.db import utcnow
from tests.conftest import STAFF_PASSWORD, make_person
from tests.security.conftest import (
    CSRF_RE,
    LINK_INVALID_TITLE,
    WRONG_PASSWORD_MESSAGE,
    audit_rows,
    csrf_token,
    english,
    is_logged_in,
    log_in,
    person_state,
    submit,
    text_of,
)

EMPLOYEE = "ansatt@example.no"
STAFF = "leder@example.no"
LINK_RE = re.compile(r"/lenke/([A-Za-z0-9_-]+)")
URLSAFE = re.compile(r"[A-Za-z0-9_-]+")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
NEW_PASSWORD = "tre grønne epler på benken"


def issue(app, person_id: int, purpose: str, lifetime: dt.timedelta) -> str:
    from survey.accounts import services
    from survey.accounts.models import Person, TokenPurpose
    from survey.extensions import db

    with app.app_context():
        token = services.issue_token(
            db.session.get(Person, person_id), TokenPurpose(purpose), lifetime
        )
        db.session.commit()
        return token


def token_rows(app) -> list[dict]:
    """Every column of every login_token row, as the database returns them."""
    from survey.extensions import db

    with app.app_context():
        return [
            dict(row._mapping)
            for row in db.session.execute(text("SELECT * FROM login_token ORDER BY id"))
        ]


def token_row(app, token: str) -> dict:
    digest = hashlib.sha256(token.encode()).hexdigest()
    [row] = [row for row in token_rows(app) if row["token_hash"] == digest]
    return row


def move_expiry(app, token: str, expires_at: dt.datetime) -> None:
    from survey.accounts.models import LoginToken
    from survey.extensions import db

    digest = hashlib.sha256(token.encode()).hexdigest()
    with app.app_context():
        db.session.execute(
            update(LoginToken).where(LoginToken.token_hash == digest).values(expires_at=expires_at)
        )
        db.session.commit()


def assert_link_refused(response) -> None:
    assert response.status_code == 404
    page = text_of(response)
    assert re.search(rf"<h1[^>]*>\s*{LINK_INVALID_TITLE}\s*</h1>", page)
    assert "has been used, has expired or is mistyped" in page


# --- log-in links ------------------------------------------------------------------------------


def test_login_link_from_the_cli_logs_in_once(app, runner):
    person = make_person(app, "ansatt", email=EMPLOYEE, password=None, name="Kari Nordmann")
    result = runner.invoke(args=["users", "link", EMPLOYEE])
    assert result.exit_code == 0, result.output
    token = LINK_RE.search(result.output).group(1)
    assert len(token) >= 22 and URLSAFE.fullmatch(token)  # ≥ 128 bits
    link = f"/lenke/{token}"
    owner, preview, other = (english(app.test_client()) for _ in range(3))

    # Opening the link (a mail scanner, a link preview, the employee) only shows a button.
    pages = {}
    for client in (preview, owner, other):
        page = client.get(link)
        assert page.status_code == 200
        assert "This personal link logs you in once. Press the button" in text_of(page)
        assert 'type="submit"' in page.get_data(as_text=True)
        csrf_token(page)  # a form to post, not a link that logs in on opening
        pages[client] = page
    assert token_row(app, token)["used_at"] is None
    assert not is_logged_in(preview)

    # Pressing the button logs in.
    response = owner.post(link, data={"csrf_token": csrf_token(pages[owner])})
    assert response.status_code == 302
    assert response.headers["Location"] == "/meg/"
    me = owner.get("/meg/")
    assert me.status_code == 200 and "Kari Nordmann" in text_of(me)
    assert token_row(app, token)["used_at"] is not None

    # Anyone else who had the link (or the owner pressing again) gets a clear refusal.
    response = other.post(link, data={"csrf_token": csrf_token(pages[other])})
    assert_link_refused(response)
    assert not is_logged_in(other)
    assert_link_refused(other.get(link))
    assert_link_refused(owner.get(link))

    assert audit_rows(app) == [
        ("login_link_created", None, person),
        ("login", person, person),
    ]


def test_expired_login_link_is_refused(app):
    person = make_person(app, "ansatt", email=EMPLOYEE, password=None)
    client = english(app.test_client())

    # Issued already expired.
    stale = issue(app, person, "login", dt.timedelta(seconds=-1))
    assert_link_refused(client.get(f"/lenke/{stale}"))
    token = csrf_token(client.get("/logg-inn"))
    assert_link_refused(client.post(f"/lenke/{stale}", data={"csrf_token": token}))

    # Expires between showing the button and pressing it.
    link = issue(app, person, "login", dt.timedelta(days=app.config["LOGIN_LINK_DAYS"]))
    page = client.get(f"/lenke/{link}")
    assert page.status_code == 200
    move_expiry(app, link, utcnow() - dt.timedelta(seconds=1))
    assert_link_refused(client.post(f"/lenke/{link}", data={"csrf_token": csrf_token(page)}))
    assert token_row(app, link)["used_at"] is None
    assert not is_logged_in(client)
    assert person_state(app, person)["last_login_at"] is None
    assert [a for a, _, _ in audit_rows(app)] == []


def test_guessed_and_mangled_tokens_are_refused(app):
    person = make_person(app, "ansatt", email=EMPLOYEE)
    login_token = issue(app, person, "login", dt.timedelta(days=1))
    reset_token = issue(app, person, "password_reset", dt.timedelta(hours=1))
    stored_hash = token_row(app, login_token)["token_hash"]
    client = english(app.test_client())
    csrf = csrf_token(client.get("/logg-inn"))

    guesses = [
        secrets.token_urlsafe(16),
        secrets.token_urlsafe(16),
        login_token[:-1],
        login_token + "A",
        login_token.swapcase(),
        stored_hash,  # someone who read the database
        reset_token,  # the right person's token, for another purpose
        "A" * 5000,
    ]
    for guess in guesses:
        assert_link_refused(client.get(f"/lenke/{guess}"))
        assert_link_refused(client.post(f"/lenke/{guess}", data={"csrf_token": csrf}))
    # ... and the other way round: a log-in link does not reset a password.
    assert_link_refused(client.get(f"/nytt-passord/{login_token}"))
    assert not is_logged_in(client)
    assert all(row["used_at"] is None for row in token_rows(app))


def test_database_holds_only_sha256_of_tokens(app):
    from survey.accounts import services
    from survey.accounts.models import Person, TokenPurpose
    from survey.extensions import db

    person = make_person(app, "ansatt", email=EMPLOYEE)
    with app.app_context():
        row = db.session.get(Person, person)
        tokens = [
            services.issue_token(row, TokenPurpose.LOGIN, dt.timedelta(days=1)) for _ in range(50)
        ]
        db.session.commit()
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert len(token) >= 22 and URLSAFE.fullmatch(token)

    rows = token_rows(app)
    assert len(rows) == len(tokens)
    stored = {row["token_hash"] for row in rows}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert all(SHA256_HEX.fullmatch(h) for h in stored)
    everything = " ".join(str(value) for row in rows for value in row.values())
    for token in tokens:
        assert token not in everything


# --- forgotten passwords ---------------------------------------------------------------------


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(app):
    known = make_person(app, "prosjektleder", email=STAFF)
    make_person(app, "ansatt", email=EMPLOYEE, password=None)  # link-only: nothing to reset
    answers = []
    for address in (STAFF, "ukjent@example.no", EMPLOYEE, "  LEDER@example.no "):
        client = english(app.test_client())
        response = submit(client, "/glemt-passord", {"email": address})
        page = client.get(response.headers["Location"])
        assert "we have sent a link to reset the password" in text_of(page)
        # The whole page, the CSRF token aside, is the same whatever the address.
        answers.append(
            (response.status_code, response.headers["Location"], without_csrf(text_of(page)))
        )
    assert answers[0][:2] == (302, "/logg-inn")
    assert len(set(answers)) == 1

    # Only the known address with a password got a link, valid PASSWORD_RESET_HOURS.
    rows = token_rows(app)
    assert [(row["person_id"], row["purpose"]) for row in rows] == [(known, "password_reset")] * 2
    hours = dt.timedelta(hours=app.config["PASSWORD_RESET_HOURS"])
    for row in rows:
        lifetime = _aware(row["expires_at"]) - _aware(row["created_at"])
        assert hours - dt.timedelta(seconds=5) < lifetime <= hours + dt.timedelta(seconds=5)


def without_csrf(page: str) -> str:
    return CSRF_RE.sub("", page)


def _aware(value):
    # Raw SQL on SQLite returns the stored text.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort123", "The password must be at least 12 characters long."),
        ("passord123456", "This password is too common and easy to guess. Choose another."),
        ("sommer2024!!", "This password is too common and easy to guess. Choose another."),
    ],
)
def test_reset_rejects_weak_passwords_and_changes_nothing(app, password, message):
    person = make_person(app, "prosjektleder", email=STAFF)
    before = person_state(app, person)
    token = issue(app, person, "password_reset", dt.timedelta(hours=2))
    client = english(app.test_client())
    link = f"/nytt-passord/{token}"

    response = submit(client, link, {"password": password, "confirm": password})
    assert response.status_code == 422
    page = text_of(response)
    assert 'aria-invalid="true"' in page
    assert message in page
    assert person_state(app, person) == before
    assert token_row(app, token)["used_at"] is None
    assert not is_logged_in(client)
    assert "password_reset" not in [a for a, _, _ in audit_rows(app)]
    # The old password still works; the link can still be used.
    assert log_in(english(app.test_client()), STAFF).status_code == 302
    assert client.get(link).status_code == 200


def test_reset_link_sets_a_new_password_and_ends_old_sessions(app):
    person = make_person(app, "prosjektleder", email=STAFF, name="Lise Leder")
    laptop, phone = english(app.test_client()), english(app.test_client())
    for device in (laptop, phone):
        assert log_in(device, STAFF).status_code == 302
        assert is_logged_in(device)
    # Locked out by a guesser, as happens before people reset their password.
    guesser = english(app.test_client())
    for n in range(app.config["LOCKOUT_FREE_ATTEMPTS"] + 1):
        log_in(guesser, STAFF, f"gjetning {n} er feil")
    assert person_state(app, person)["locked_until"] is not None
    before = person_state(app, person)

    token = issue(app, person, "password_reset", dt.timedelta(hours=2))
    link = f"/nytt-passord/{token}"
    browser = english(app.test_client())
    page = browser.get(link)
    assert page.status_code == 200 and "Choose a new password" in text_of(page)

    response = browser.post(
        link, data={"csrf_token": csrf_token(page), "password": "a", "confirm": "b"}
    )
    assert response.status_code == 422 and "The passwords differ." in text_of(response)

    response = submit(browser, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/meg/"
    me = browser.get("/meg/")
    assert me.status_code == 200
    assert "Your new password is saved." in text_of(me)

    after = person_state(app, person)
    assert after["password_hash"] != before["password_hash"]
    assert NEW_PASSWORD not in after["password_hash"]
    assert after["session_epoch"] == before["session_epoch"] + 1
    assert (after["failed_logins"], after["locked_until"]) == (0, None)
    assert token_row(app, token)["used_at"] is not None

    # Every session from before the reset is logged out; the new one is not.
    assert not is_logged_in(laptop)
    assert not is_logged_in(phone)
    assert is_logged_in(browser)
    # The link is used up; the old password is refused and the new one works.
    assert_link_refused(browser.get(link))
    fresh = english(app.test_client())
    response = log_in(fresh, STAFF, STAFF_PASSWORD)
    assert response.status_code == 401 and WRONG_PASSWORD_MESSAGE in text_of(response)
    assert log_in(fresh, STAFF, NEW_PASSWORD).status_code == 302
    assert ("password_reset", person, person) in audit_rows(app)


def test_expired_reset_link_is_refused(app):
    person = make_person(app, "prosjektleder", email=STAFF)
    before = person_state(app, person)
    token = issue(app, person, "password_reset", dt.timedelta(hours=2))
    client = english(app.test_client())
    page = client.get(f"/nytt-passord/{token}")
    assert page.status_code == 200
    move_expiry(app, token, utcnow() - dt.timedelta(seconds=1))
    response = client.post(
        f"/nytt-passord/{token}",
        data={"csrf_token": csrf_token(page), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert_link_refused(response)
    assert person_state(app, person) == before


def test_token_rows_are_bound_to_their_person(app):
    """A token row names the person it logs in, and nobody else's session results."""
    from survey.accounts.models import LoginToken
    from survey.extensions import db

    first = make_person(app, "ansatt", email=EMPLOYEE, password=None, name="Første Person")
    make_person(app, "ansatt", email="andre@example.no", password=None, name="Andre Person")
    token = issue(app, first, "login", dt.timedelta(days=1))
    with app.app_context():
        [row] = db.session.scalars(select(LoginToken)).all()
        assert row.person_id == first
    client = english(app.test_client())
    submit(client, f"/lenke/{token}")
    me = text_of(client.get("/meg/"))
    assert "Første Person" in me and "Andre Person" not in me
