"""Guessing passwords through the log-in form: a lock-out per account that doubles with each
further failure, the same answer for unknown addresses, and a rate limit per address."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import update

from survey import create_app
from survey.db import utcnow
from tests.conftest import STAFF_PASSWORD, _test_config, make_person
from tests.security.conftest import (
    CSRF_RE,
    LOCKED_MESSAGE,
    WRONG_PASSWORD_MESSAGE,
    audit_rows,
    aware,
    english,
    is_logged_in,
    log_in,
    log_out,
    person_state,
    submit,
    text_of,
)

VICTIM = "offer@example.no"
COLLEAGUE = "kollega@example.no"
GUESSES = 20


def guess(number: int) -> str:
    return f"gjetning nummer {number} er feil"


def expire_lock(app, person_id: int) -> None:
    """Let the lock run out, as waiting until `locked_until` would."""
    from survey.accounts.models import Person
    from survey.extensions import db

    with app.app_context():
        db.session.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(locked_until=utcnow() - dt.timedelta(seconds=1))
        )
        db.session.commit()


def assert_locked_for(state: dict, seconds: int, before: dt.datetime, after: dt.datetime):
    """`locked_until` is `seconds` after the moment the failing request was handled."""
    lock = dt.timedelta(seconds=seconds)
    assert before + lock <= state["locked_until"] <= after + lock, (state, seconds)


def test_twenty_wrong_passwords_lock_the_account_for_ever_longer(app, client):
    config = app.config
    free = config["LOCKOUT_FREE_ATTEMPTS"]
    base = config["LOCKOUT_BASE_SECONDS"]
    maximum = config["LOCKOUT_MAX_SECONDS"]
    victim = make_person(app, "prosjektleder", email=VICTIM)
    colleague = make_person(app, "ansatt", email=COLLEAGUE)
    english(client)
    wrong = 0

    # The first failures are only «wrong»: a person who mistypes is not punished.
    for _ in range(free):
        wrong += 1
        response = log_in(client, VICTIM, guess(wrong))
        assert response.status_code == 401
        assert WRONG_PASSWORD_MESSAGE in text_of(response)
        assert LOCKED_MESSAGE not in text_of(response)
        assert person_state(app, victim)["failed_logins"] == wrong
        assert person_state(app, victim)["locked_until"] is None

    # The first failure after the free attempts locks the account, and says so.
    wrong += 1
    before = utcnow()
    response = log_in(client, VICTIM, guess(wrong))
    after = utcnow()
    assert response.status_code == 401
    assert LOCKED_MESSAGE in text_of(response)
    assert "or reset your password" in text_of(response)
    locked = person_state(app, victim)
    assert locked["failed_logins"] == free + 1
    assert_locked_for(locked, base, before, after)

    # While locked, even the right password is refused, and the page says the same as for a
    # wrong one: the guesser learns nothing. Guesses in this time neither count nor lengthen
    # the lock (so nobody can keep a colleague locked out by hammering the form).
    response = log_in(client, VICTIM, STAFF_PASSWORD)
    assert response.status_code == 401
    assert LOCKED_MESSAGE in text_of(response)
    assert not is_logged_in(client)
    for _ in range(2):
        wrong += 1
        response = log_in(client, VICTIM, guess(wrong))
        assert response.status_code == 401
        assert LOCKED_MESSAGE in text_of(response)
    assert person_state(app, victim) == locked

    # Meanwhile a colleague logs in from the same browser and address as usual.
    response = log_in(client, COLLEAGUE)
    assert response.status_code == 302
    assert response.headers["Location"] == "/meg/"
    assert is_logged_in(client)
    log_out(client)
    assert person_state(app, colleague)["failed_logins"] == 0

    # Each failure after a lock has run out locks the account twice as long, up to the maximum.
    expected = base
    failures = free + 1
    while wrong < GUESSES:
        expire_lock(app, victim)
        wrong += 1
        failures += 1
        expected = min(expected * 2, maximum)
        before = utcnow()
        response = log_in(client, VICTIM, guess(wrong))
        after = utcnow()
        assert response.status_code == 401
        assert LOCKED_MESSAGE in text_of(response)
        state = person_state(app, victim)
        assert state["failed_logins"] == failures
        assert_locked_for(state, expected, before, after)
    assert expected == maximum, "20 guesses should reach the longest lock"
    assert failures == GUESSES - 2  # the two guesses made while locked were not counted

    # Once the lock has run out, the right password works and starts the count afresh.
    expire_lock(app, victim)
    response = log_in(client, VICTIM, STAFF_PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)
    state = person_state(app, victim)
    assert (state["failed_logins"], state["locked_until"]) == (0, None)
    log_out(client)
    response = log_in(client, VICTIM, "en ny feil etter innlogging")
    assert WRONG_PASSWORD_MESSAGE in text_of(response)
    assert person_state(app, victim)["failed_logins"] == 1

    # The audit log holds every failure, without the passwords.
    victim_entries = [action for action, _, subject in audit_rows(app) if subject == victim]
    assert victim_entries.count("login_failed") == free + 1
    assert victim_entries.count("login_locked") == 1 + 1 + 2 + (GUESSES - free - 3)
    assert victim_entries.count("login") == 1


def test_lock_ends_exactly_at_locked_until(app):
    """The service with an explicit clock: refused until `locked_until`, the password is looked
    at again from that moment."""
    from survey.accounts import services
    from survey.extensions import db

    person_id = make_person(app, "admin", email=VICTIM)
    policy = services.LockoutPolicy(
        free_attempts=app.config["LOCKOUT_FREE_ATTEMPTS"],
        base_seconds=app.config["LOCKOUT_BASE_SECONDS"],
        max_seconds=app.config["LOCKOUT_MAX_SECONDS"],
    )
    start = dt.datetime(2030, 1, 7, 8, 0, tzinfo=dt.UTC)
    with app.app_context():
        results = [
            services.authenticate(VICTIM, guess(n), policy=policy, now=start)
            for n in range(policy.free_attempts + 1)
        ]
        assert [r.status for r in results] == ["invalid"] * policy.free_attempts + ["locked"]
        until = start + dt.timedelta(seconds=policy.base_seconds)
        assert results[-1].locked_until is not None
        assert aware(results[-1].locked_until) == until

        just_before = until - dt.timedelta(microseconds=1)
        result = services.authenticate(VICTIM, STAFF_PASSWORD, policy=policy, now=just_before)
        assert (result.status, aware(result.locked_until)) == ("locked", until)

        result = services.authenticate(VICTIM, STAFF_PASSWORD, policy=policy, now=until)
        assert result.status == "ok"
        assert result.person.id == person_id
        db.session.commit()  # as the log-in request does when its view returns
        db.session.refresh(result.person)
        assert (result.person.failed_logins, result.person.locked_until) == (0, None)


def _without_csrf_and_email(page: str) -> str:
    page = CSRF_RE.sub('name="csrf_token" value="…"', page)
    return re.sub(r'(<input[^>]*name="email"[^>]*value=")[^"]*"', r'\1…"', page)


def test_unknown_address_gets_the_same_answer_as_a_wrong_password(app, client):
    make_person(app, "prosjektleder", email=VICTIM)
    # An employee who logs in with links only: no password at all.
    make_person(app, "ansatt", email="lenke@example.no", password=None)
    english(client)

    answers = [
        log_in(client, VICTIM, "feil passord for kjent adresse"),
        log_in(client, "ukjent@example.no", "feil passord for ukjent adresse"),
        log_in(client, "lenke@example.no", "feil passord for lenkebruker"),
    ]
    assert [a.status_code for a in answers] == [401, 401, 401]
    for answer in answers:
        assert WRONG_PASSWORD_MESSAGE in text_of(answer)
    # Apart from the CSRF token and the address typed in, the pages are identical.
    pages = {_without_csrf_and_email(a.get_data(as_text=True)) for a in answers}
    assert len(pages) == 1
    assert not is_logged_in(client)


# --- the rate limit per address -------------------------------------------------------------


@pytest.fixture
def limited_app(database_url, tmp_path):
    """The app as tests/conftest.py builds it, with a small log-in rate limit."""
    app = create_app({**_test_config(database_url, tmp_path), "LOGIN_RATE_LIMIT": "5 per minute"})
    yield app
    with app.app_context():
        from survey.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_rate_limit_per_address_answers_429_with_an_error_page(limited_app):
    app = limited_app
    people = [make_person(app, "ansatt", email=f"ansatt{n}@example.no") for n in range(6)]
    first, second = english(app.test_client()), english(app.test_client())

    # Five tries from one address, spread over several accounts (so no account lock helps).
    for n in range(5):
        client = first if n % 2 == 0 else second
        response = log_in(client, f"ansatt{n}@example.no", guess(n))
        assert response.status_code == 401
    for person_id in people[:5]:
        assert person_state(app, person_id)["locked_until"] is None

    # The sixth, even with the right password, is refused for every client at that address.
    for client in (first, second):
        response = log_in(client, "ansatt5@example.no", STAFF_PASSWORD)
        assert response.status_code == 429
        page = text_of(response)
        assert "<h1>" in page and "Go to the front page" in page
        assert "Content-Security-Policy" in response.headers
        assert not is_logged_in(client)
    assert person_state(app, people[5])["last_login_at"] is None

    # The form itself still shows, and another address is not affected.
    assert first.get("/logg-inn").status_code == 200
    elsewhere = english(app.test_client())
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.10"  # a documentation address: no traffic
    response = log_in(elsewhere, "ansatt5@example.no", STAFF_PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(elsewhere)

    # The forgotten-password form has its own limit per address.
    for _ in range(5):
        response = submit(first, "/glemt-passord", {"email": "ukjent@example.no"})
        assert response.status_code == 302
    response = submit(first, "/glemt-passord", {"email": "ukjent@example.no"})
    assert response.status_code == 429


def test_rate_limited_page_tells_the_person_to_wait(limited_app):
    client = english(limited_app.test_client())
    for n in range(5):
        log_in(client, "ukjent@example.no", guess(n))
    response = log_in(client, "ukjent@example.no", guess(6))
    assert response.status_code == 429
    page = text_of(response)
    assert "Something was wrong with the request" not in page
    assert re.search(r"too many|wait|try again (later|in)", page, re.IGNORECASE)
