"""Logging in with OpenID Connect against a real (test) provider, well- and ill-behaved."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from survey.accounts.models import Person
from survey.audit.models import AuditEntry
from survey.audit.services import Action
from survey.extensions import db
from tests.accounts.conftest import english
from tests.conftest import make_person

EMAIL = "kari.nordmann@example.no"


def start_login(client, provider, path="/oidc/logg-inn") -> str:
    """Our redirect to the provider, and the provider's redirect back: the callback URL."""
    response = client.get(path)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{provider.issuer}/authorize?")
    back = requests.get(location, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    return back.headers["Location"]


def finish_login(client, callback_url: str):
    parts = urlsplit(callback_url)
    assert parts.path == "/oidc/tilbake"
    return client.get(f"{parts.path}?{parts.query}")


def oidc_login(client, provider, path="/oidc/logg-inn"):
    return finish_login(client, start_login(client, provider, path))


def logged_in(client) -> bool:
    response = client.get("/meg/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        entries = list(db.session.scalars(query))
        db.session.expunge_all()
        return entries


def person_row(app, person_id: int) -> Person:
    with app.app_context():
        person = db.session.get(Person, person_id)
        db.session.expunge(person)
        return person


def set_fields(app, person_id: int, **fields) -> None:
    with app.app_context():
        person = db.session.get(Person, person_id)
        for name, value in fields.items():
            setattr(person, name, value)
        db.session.commit()


def person_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person))


def assert_refused(app, client, response, status: int, text: str) -> None:
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert text in page
    assert "Testleverandør" in page
    assert not logged_in(client)
    assert audit(app, Action.LOGIN) == []
    failures = audit(app, Action.LOGIN_FAILED)
    assert len(failures) == 1
    assert failures[0].detail["method"] == "oidc"


# --- the happy paths -----------------------------------------------------------------------


def test_login_by_email(oidc_app, oidc_client, provider):
    person_id = make_person(oidc_app, email=EMAIL, password=None)
    provider.behaviour.claims = {"email": "Kari.Nordmann@EXAMPLE.no"}  # case differs

    response = oidc_login(oidc_client, provider)

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/meg/"
    assert logged_in(oidc_client)
    [entry] = audit(oidc_app, Action.LOGIN)
    assert entry.detail == {"method": "oidc"}
    assert entry.actor_id == entry.subject_id == person_id
    assert audit(oidc_app, Action.LOGIN_FAILED) == []
    person = person_row(oidc_app, person_id)
    assert person.oidc_subject == provider.behaviour.subject  # bound on first use
    assert person.last_login_at is not None
    # PKCE with S256 and a nonce were sent; the verifier went to the token endpoint.
    [asked] = provider.authorize_requests
    assert asked["code_challenge_method"] == "S256"
    assert asked["nonce"]
    assert "openid" in asked["scope"].split()
    assert provider.token_requests[0]["code_verifier"]


def test_a_second_login_with_the_same_subject_works(oidc_app, provider):
    make_person(oidc_app, email=EMAIL, password=None)
    provider.behaviour.claims = {"email": EMAIL}
    for _ in range(2):
        client = english(oidc_app.test_client())
        assert oidc_login(client, provider).status_code == 302
        assert logged_in(client)
    assert len(audit(oidc_app, Action.LOGIN)) == 2


def test_mapping_by_ansattnummer_from_a_custom_claim(make_oidc_app, provider):
    app = make_oidc_app(OIDC_CLAIM="employee_number", OIDC_PERSON_FIELD="ansattnummer")
    client = english(app.test_client())
    person_id = make_person(app, email=EMAIL, password=None)
    set_fields(app, person_id, ansattnummer="40917")
    provider.behaviour.claims = {"employee_number": "40917", "email": "someone.else@example.no"}

    response = oidc_login(client, provider)

    assert response.status_code == 302
    assert logged_in(client)
    [entry] = audit(app, Action.LOGIN)
    assert entry.subject_id == person_id
    assert entry.detail == {"method": "oidc"}


def test_mapping_by_subject(make_oidc_app, provider):
    app = make_oidc_app(OIDC_CLAIM="pid", OIDC_PERSON_FIELD="oidc_subject")
    client = english(app.test_client())
    person_id = make_person(app, email=EMAIL, password=None)
    set_fields(app, person_id, oidc_subject="01017012345")
    provider.behaviour.claims = {"pid": "01017012345"}  # ID-porten's national identity number

    assert oidc_login(client, provider).status_code == 302
    assert logged_in(client)
    assert person_row(app, person_id).oidc_subject == "01017012345"  # left as it was


def test_a_safe_next_from_the_login_request_is_followed(oidc_app, oidc_client, provider):
    make_person(oidc_app, email=EMAIL, password=None)
    provider.behaviour.claims = {"email": EMAIL}

    response = oidc_login(oidc_client, provider, "/oidc/logg-inn?next=/meg/data.json")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/meg/data.json"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/meg/", "meg"])
def test_an_unsafe_next_is_ignored(oidc_app, oidc_client, provider, target):
    make_person(oidc_app, email=EMAIL, password=None)
    provider.behaviour.claims = {"email": EMAIL}

    response = oidc_login(oidc_client, provider, "/oidc/logg-inn?" + urlencode({"next": target}))

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path == "/meg/"


def test_the_login_page_shows_the_button(oidc_client):
    page = oidc_client.get("/logg-inn?next=/meg/data.json").get_data(as_text=True)
    assert "Testleverandør" in page
    assert 'href="/oidc/logg-inn?next=/meg/data.json"' in page


def test_the_login_page_has_no_button_without_oidc(client):
    page = client.get("/logg-inn").get_data(as_text=True)
    assert "/oidc/logg-inn" not in page


# --- no account here -----------------------------------------------------------------------


def test_an_unknown_person_gets_403_and_no_account(oidc_app, oidc_client, provider):
    make_person(oidc_app, email=EMAIL, password=None)
    before = person_count(oidc_app)
    provider.behaviour.claims = {"email": "stranger@example.no"}

    response = oidc_login(oidc_client, provider)

    assert_refused(oidc_app, oidc_client, response, 403, "Contact HR")
    assert person_count(oidc_app) == before  # nobody is created
    [failure] = audit(oidc_app, Action.LOGIN_FAILED)
    assert failure.subject_id is None


def test_a_token_without_the_claim_gets_403(oidc_app, oidc_client, provider):
    make_person(oidc_app, email=EMAIL, password=None)
    provider.behaviour.claims = {}

    assert_refused(oidc_app, oidc_client, oidc_login(oidc_client, provider), 403, "Contact HR")


def test_an_unverified_email_is_not_trusted(oidc_app, oidc_client, provider):
    make_person(oidc_app, email=EMAIL, password=None)
    provider.behaviour.claims = {"email": EMAIL, "email_verified": False}

    assert_refused(oidc_app, oidc_client, oidc_login(oidc_client, provider), 403, "Contact HR")


def test_an_account_bound_to_another_subject_is_refused(oidc_app, oidc_client, provider):
    """The address was given to someone else at the provider: the old account stays shut."""
    person_id = make_person(oidc_app, email=EMAIL, password=None)
    set_fields(oidc_app, person_id, oidc_subject="the-previous-holder")
    provider.behaviour.claims = {"email": EMAIL}

    response = oidc_login(oidc_client, provider)

    assert_refused(oidc_app, oidc_client, response, 403, "Contact HR")
    assert person_row(oidc_app, person_id).oidc_subject == "the-previous-holder"


def test_a_subject_bound_to_another_person_is_refused(oidc_app, oidc_client, provider):
    other_id = make_person(oidc_app, email="other@example.no", password=None)
    set_fields(oidc_app, other_id, oidc_subject=provider.behaviour.subject)
    person_id = make_person(oidc_app, email=EMAIL, password=None)
    provider.behaviour.claims = {"email": EMAIL}

    response = oidc_login(oidc_client, provider)

    assert_refused(oidc_app, oidc_client, response, 403, "Contact HR")
    assert person_row(oidc_app, person_id).oidc_subject is None


# --- a provider or a browser that misbehaves -----------------------------------------------

MISBEHAVIOUR = {
    "expired": {"expired": True},
    "wrong_audience": {"wrong_audience": True},
    "bad_signature": {"bad_signature": True},
    "wrong_nonce": {"wrong_nonce": True},
    "provider_error": {"error": "access_denied"},
    "no_id_token": {"id_token": False},
}


@pytest.mark.parametrize("kind", MISBEHAVIOUR)
def test_a_misbehaving_provider_gets_a_clear_400(oidc_app, oidc_client, provider, kind):
    make_person(oidc_app, email=EMAIL, password=None)
    provider.behaviour.claims = {"email": EMAIL}
    for name, value in MISBEHAVIOUR[kind].items():
        setattr(provider.behaviour, name, value)

    response = oidc_login(oidc_client, provider)

    assert_refused(oidc_app, oidc_client, response, 400, "The login did not work")
    [failure] = audit(oidc_app, Action.LOGIN_FAILED)
    assert failure.detail == {"method": "oidc"}


def test_a_tampered_state_gets_400(oidc_app, oidc_client, provider):
    make_person(oidc_app, email=EMAIL, password=None)
    provider.behaviour.claims = {"email": EMAIL}
    callback = urlsplit(start_login(oidc_client, provider))
    query = parse_qs(callback.query)
    query["state"] = [query["state"][0][:-2] + "xx"]

    response = oidc_client.get(f"{callback.path}?{urlencode(query, doseq=True)}")

    assert_refused(oidc_app, oidc_client, response, 400, "The login did not work")
    assert provider.token_requests == []  # refused before the code was used


def test_a_callback_in_another_browser_gets_400(oidc_app, oidc_client, provider):
    """A code and state copied to another browser (login CSRF, or a leaked URL) do not work
    there: the pending login lives in the first browser's session."""
    make_person(oidc_app, email=EMAIL, password=None)
    provider.behaviour.claims = {"email": EMAIL}
    callback = start_login(oidc_client, provider)
    other = english(oidc_app.test_client())

    response = finish_login(other, callback)

    assert_refused(oidc_app, other, response, 400, "The login did not work")


def test_a_login_started_too_long_ago_gets_400(oidc_app, oidc_client, provider):
    make_person(oidc_app, email=EMAIL, password=None)
    provider.behaviour.claims = {"email": EMAIL}
    callback = start_login(oidc_client, provider)
    with oidc_client.session_transaction() as session:
        [key] = [k for k in session if k.startswith("_state_oidc_")]
        session[key] = {**session[key], "exp": 1}  # Authlib stores it but never checks it

    response = finish_login(oidc_client, callback)

    assert_refused(oidc_app, oidc_client, response, 400, "The login did not work")
    assert provider.token_requests == []


def test_a_new_login_replaces_a_pending_one(oidc_app, oidc_client, provider):
    make_person(oidc_app, email=EMAIL, password=None)
    provider.behaviour.claims = {"email": EMAIL}
    first = start_login(oidc_client, provider)
    second = start_login(oidc_client, provider)
    with oidc_client.session_transaction() as session:
        assert len([k for k in session if k.startswith("_state_oidc_")]) == 1

    assert finish_login(oidc_client, first).status_code == 400
    assert finish_login(oidc_client, second).status_code == 302
    assert logged_in(oidc_client)


def test_a_callback_without_a_login_gets_400(oidc_app, oidc_client):
    response = oidc_client.get("/oidc/tilbake?code=abc&state=def")
    assert_refused(oidc_app, oidc_client, response, 400, "The login did not work")


def test_an_unreachable_provider_gets_a_clear_page(make_oidc_app):
    app = make_oidc_app(OIDC_METADATA_URL="http://127.0.0.1:9/.well-known/openid-configuration")
    response = english(app.test_client()).get("/oidc/logg-inn")
    assert response.status_code == 502
    assert "The login service is not available" in response.get_data(as_text=True)


# --- not configured ------------------------------------------------------------------------


def test_without_configuration_both_routes_are_404(client):
    assert client.get("/oidc/logg-inn").status_code == 404
    assert client.get("/oidc/tilbake?code=abc&state=def").status_code == 404
