"""A signed-in session: who it is, starting and ending it, and when it has lasted too long.

Signing in belongs to accounts; deciding what a signed-in person may see belongs to
`survey.access`, which reads the session through this module and never the other way round."""

from __future__ import annotations

import time

from flask import current_app, session
from flask_login import UserMixin, login_user, logout_user

from survey.accounts.models import Person, Role
from survey.accounts.services import role_set
from survey.extensions import db, login_manager


class Principal(UserMixin):
    """The logged-in person as Flask-Login sees them. The session id carries the person's
    session epoch, so «log out everywhere» (raising the epoch) ends every other session."""

    def __init__(self, person: Person):
        self.person = person
        self.id = person.id
        self.roles: set[Role] = role_set(person)
        self.led_unit_ids = {a.unit_id for a in person.roles if a.role is Role.ENHETSLEDER}

    def get_id(self) -> str:
        return f"{self.person.id}:{self.person.session_epoch}"


@login_manager.user_loader
def _load_principal(user_id: str) -> Principal | None:
    person_id, _, epoch = user_id.partition(":")
    if not person_id.isdigit() or not epoch.isdigit():
        return None
    person = db.session.get(Person, int(person_id))
    if person is None or person.session_epoch != int(epoch):
        return None
    return Principal(person)


def log_in(person: Person) -> None:
    """Start a fresh session for `person` (a new session defeats session fixation)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(Principal(person))
    session["seen"] = session["started"] = int(time.time())


def log_out() -> None:
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def idle_expired() -> bool:
    """Idle too long, or older than the absolute limit (a copied cookie kept busy)."""
    now = time.time()
    seen = session.get("seen")
    started = session.get("started", seen)
    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    age_limit = current_app.config["SESSION_MAX_HOURS"] * 3600
    return seen is None or now - seen > idle_limit or now - started > age_limit
