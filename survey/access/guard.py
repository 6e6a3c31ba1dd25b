"""Enforcing the policy table: before every request, and for every object a view shows."""

from __future__ import annotations

import time
from collections.abc import Iterable

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user
from sqlalchemy import select

from survey.access.policy import Scope, rule_for
from survey.accounts.models import Person, Role, Unit
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


def _idle_expired() -> bool:
    """Idle too long, or older than the absolute limit (a copied cookie kept busy)."""
    now = time.time()
    seen = session.get("seen")
    started = session.get("started", seen)
    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    age_limit = current_app.config["SESSION_MAX_HOURS"] * 3600
    return seen is None or now - seen > idle_limit or now - started > age_limit


def enforce_policy():
    endpoint = request.endpoint
    if endpoint is None:
        return None  # routing already answers 404 or 405
    rule = rule_for(endpoint)
    if rule is None:
        current_app.logger.error("endpoint %s is missing from the access policy", endpoint)
        abort(403)
    if current_user.is_authenticated:
        if _idle_expired():
            log_out()
            if not rule.public:
                flash(
                    _("You were logged out after a period of inactivity. Please log in again."),
                    "info",
                )
                return redirect(url_for("auth.login", next=request.full_path))
        else:
            session["seen"] = int(time.time())
    if rule.public:
        return None
    if not current_user.is_authenticated:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path))
        abort(401)
    scopes = {rule.grants[role] for role in current_user.roles if role in rule.grants}
    if not scopes:
        abort(403)
    g.scopes = scopes
    return None


def init_app(app: Flask) -> None:
    app.before_request(enforce_policy)


# --- object-level checks, used by views --------------------------------------------------


def descendants(unit_ids: Iterable[int]) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in db.session.execute(select(Unit.id, Unit.parent_id)):
        children.setdefault(parent_id, []).append(unit_id)
    found: set[int] = set()
    stack = [u for u in unit_ids if u is not None]
    while stack:
        unit_id = stack.pop()
        if unit_id in found:
            continue
        found.add(unit_id)
        stack.extend(children.get(unit_id, []))
    return found


def visible_unit_ids() -> set[int] | None:
    """None when the current person may see every unit on this endpoint, else the unit ids."""
    scopes = g.get("scopes", set())
    if Scope.ALL in scopes:
        return None
    if Scope.UNIT in scopes:
        return descendants(current_user.led_unit_ids)
    return set()


def may_see_person(person: Person) -> bool:
    scopes = g.get("scopes", set())
    if Scope.ALL in scopes:
        return True
    if Scope.OWN in scopes and person.id == current_user.person.id:
        return True
    if Scope.UNIT in scopes and person.unit_id is not None:
        return person.unit_id in descendants(current_user.led_unit_ids)
    return False


def person_or_404(person_id: int) -> Person:
    """The person, if the policy lets the current user see them; otherwise 404, so an id
    changed in the address reveals nothing, not even whether it exists."""
    person = db.session.get(Person, person_id)
    if person is None or not may_see_person(person):
        abort(404)
    return person


def may_see_case(case_id: int) -> bool:
    """All-scoped roles see every committee case; an utvalgsmedlem only the cases they sit in."""
    scopes = g.get("scopes", set())
    if Scope.ALL in scopes:
        return True
    if Scope.CASE in scopes:
        return any(
            assignment.role is Role.UTVALGSMEDLEM and assignment.case_id == case_id
            for assignment in current_user.person.roles
        )
    return False


def case_or_404(case_id: int):
    """The committee case (a vacancy), if the current user may see it; otherwise 404, as for
    person_or_404."""
    from survey.committee.models import Vacancy

    vacancy = db.session.get(Vacancy, case_id)
    if vacancy is None or not may_see_case(case_id):
        abort(404)
    return vacancy
