"""Logging in with OpenID Connect (Microsoft Entra ID, ID-porten or any standard provider).

Enabled when OIDC_METADATA_URL is set. The flow is the authorization code flow with PKCE
(S256) and a nonce; Authlib checks the state and the ID token (signature against the
provider's JWKS, issuer, expiry, nonce), and we add the audience check Authlib leaves out.

The claim OIDC_CLAIM is matched against the person field OIDC_PERSON_FIELD. Nobody is
created here: a person unknown to the register gets a page that says to contact HR. The
first successful login binds the account to the provider's `sub`; a later login whose `sub`
differs is refused, so an address that is reassigned at the provider does not open the
previous holder's account.

The routes belong to the `auth` blueprint; importing this module (create_app does, before
registering the blueprints) adds them."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, abort, current_app, redirect, render_template, request, session, url_for
from sqlalchemy import select

from survey.accounts.models import Person
from survey.accounts.services import normalise_email
from survey.accounts.sessions import log_in
from survey.accounts.views import _login_limit, _safe_next, bp
from survey.audit.services import Action, record
from survey.db import utcnow
from survey.extensions import db, limiter

EXTENSION = "survey.oidc"
CLIENT_NAME = "oidc"
PERSON_FIELDS = ("email", "ansattnummer", "oidc_subject")
HTTP_TIMEOUT_SECONDS = 10
NEXT_KEY = "oidc_next"
STATE_PREFIX = f"_state_{CLIENT_NAME}_"  # where Authlib keeps the pending login in the session


def failures() -> tuple[type[Exception], ...]:
    """Everything that can go wrong between the provider's redirect and a validated ID token:
    Authlib's errors (state mismatch, error=… from the provider, error answers from the token
    endpoint), joserfc's (bad signature, unknown key, expired, wrong claims), the network, and
    malformed answers."""
    # heavy: Authlib, joserfc and requests (~350 modules) are imported where used, not by every
    # process (docs/architecture.md)
    import requests
    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError

    return (AuthlibBaseError, JoseError, requests.RequestException, ValueError, RuntimeError)


class LoginFailed(Exception):
    """The provider's answer is not acceptable, for a reason Authlib does not check."""


def init_app(app: Flask) -> None:
    if not app.config.get("OIDC_METADATA_URL"):
        return
    field = app.config["OIDC_PERSON_FIELD"]
    if field not in PERSON_FIELDS:
        raise ValueError(f"OIDC_PERSON_FIELD must be one of {', '.join(PERSON_FIELDS)}: {field!r}")
    if not app.config.get("OIDC_CLIENT_ID"):
        raise ValueError("OIDC_CLIENT_ID must be set when OIDC_METADATA_URL is")
    from authlib.integrations.flask_client import OAuth  # heavy: only with a provider configured

    # One registry per app: a module-level OAuth() would remember only the last app.
    oauth = OAuth(app)
    client = oauth.register(
        CLIENT_NAME,
        server_metadata_url=app.config["OIDC_METADATA_URL"],
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config.get("OIDC_CLIENT_SECRET"),
        client_kwargs={
            "scope": _scope(app.config.get("OIDC_SCOPE")),
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT_SECONDS,
        },
    )
    app.extensions[EXTENSION] = client


def _scope(configured: str | None) -> str:
    """The configured scope, always with `openid`: without it Authlib sends no nonce and
    checks no ID token."""
    scopes = (configured or "").split()
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    return " ".join(scopes)


def _client():
    client = current_app.extensions.get(EXTENSION)
    if client is None:
        abort(404)
    return client


def _page(reason: str, status: int):
    return render_template(
        "accounts/oidc_error.html", reason=reason, provider=current_app.config["OIDC_LABEL"]
    ), status


@bp.get("/oidc/logg-inn")
def oidc_login():
    client = _client()
    # One pending login per browser: old ones would only grow the session cookie.
    for key in [k for k in session if k.startswith(STATE_PREFIX)]:
        session.pop(key)
    session[NEXT_KEY] = _safe_next(request.args.get("next"))
    redirect_uri = url_for("auth.oidc_callback", _external=True)
    try:
        return client.authorize_redirect(redirect_uri)
    except failures() as error:
        current_app.logger.warning("OpenID Connect: could not start a login: %r", error)
        return _page("unavailable", 502)


@bp.get("/oidc/tilbake")
@limiter.limit(_login_limit)
def oidc_callback():
    client = _client()
    try:
        claims = _validated_claims(client)
    except (LoginFailed, *failures()) as error:
        current_app.logger.warning("OpenID Connect login failed: %r", error)
        session.pop(NEXT_KEY, None)
        record(Action.LOGIN_FAILED, detail={"method": "oidc"})
        return _page("failed", 400)

    person = _find_person(claims)
    if person is None or not _bind_subject(person, claims["sub"]):
        session.pop(NEXT_KEY, None)
        record(
            Action.LOGIN_FAILED,
            subject_id=person.id if person else None,
            detail={"method": "oidc", "reason": "no_account" if person is None else "subject"},
        )
        return _page("no_account", 403)

    person.last_login_at = utcnow()
    record(Action.LOGIN, actor_id=person.id, subject_id=person.id, detail={"method": "oidc"})
    target = session.pop(NEXT_KEY, None)
    log_in(person)  # a fresh session: the pending-login data goes with the old one
    return redirect(_safe_next(target))


def _validated_claims(client) -> dict[str, Any]:
    state = request.args.get("state")
    pending = session.get(f"{STATE_PREFIX}{state}") if state else None
    if isinstance(pending, dict) and pending.get("exp", 0) < time.time():
        # Authlib stores an expiry with the pending login but does not check it.
        session.pop(f"{STATE_PREFIX}{state}", None)
        raise LoginFailed("the login was started too long ago")
    metadata = client.load_server_metadata()
    issuer = metadata.get("issuer")
    if not issuer:
        raise LoginFailed("the provider's metadata has no issuer")
    token = client.authorize_access_token(
        claims_options={
            "iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": client.client_id},  # Authlib checks only azp
            "sub": {"essential": True},
        }
    )
    claims = token.get("userinfo")
    if not claims:
        # Authlib skips ID-token validation when the token answer has no id_token.
        raise LoginFailed("the token answer has no ID token")
    return dict(claims)


def _find_person(claims: dict[str, Any]) -> Person | None:
    config = current_app.config
    field = config["OIDC_PERSON_FIELD"]
    value = claims.get(config["OIDC_CLAIM"])
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        current_app.logger.info("OpenID Connect: no usable %r claim", config["OIDC_CLAIM"])
        return None
    value = value.strip()
    if field == "email":
        if claims.get("email_verified") is False:
            current_app.logger.info("OpenID Connect: the provider says the e-mail is unverified")
            return None
        column, value = Person.email, normalise_email(value)  # stored lower-case
    elif field == "ansattnummer":
        column = Person.ansattnummer
    else:
        column = Person.oidc_subject
    return db.session.scalars(select(Person).where(column == value)).first()


def _bind_subject(person: Person, subject: str) -> bool:
    """Bind the account to the provider's subject on first use; refuse a different one."""
    if current_app.config["OIDC_PERSON_FIELD"] == "oidc_subject":
        return True  # the person was found by the subject field itself
    if person.oidc_subject is not None:
        if person.oidc_subject == subject:
            return True
        current_app.logger.warning(
            "OpenID Connect: person %s is bound to another subject; refused", person.id
        )
        return False
    holder = db.session.scalars(select(Person).where(Person.oidc_subject == subject)).first()
    if holder is not None:
        current_app.logger.warning(
            "OpenID Connect: the subject already belongs to person %s, not %s; refused",
            holder.id,
            person.id,
        )
        return False
    person.oidc_subject = subject
    return True
