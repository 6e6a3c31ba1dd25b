"""Enforcing the policy table: before every request, and for every object a view shows."""

from __future__ import annotations

import time
from collections.abc import Iterable

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.access.policy import Scope, rule_for
from survey.accounts.models import Person, Role
from survey.accounts.services import descendant_unit_ids
from survey.accounts.sessions import idle_expired, log_out
from survey.extensions import db


def enforce_policy():
    # Runs before every request: the context-local proxies are looked up once each.
    current_request = request._get_current_object()
    endpoint = current_request.endpoint
    if endpoint is None:
        return None  # routing already answers 404 or 405
    rule = rule_for(endpoint)
    if rule is None:
        current_app.logger.error("endpoint %s is missing from the access policy", endpoint)
        abort(403)
    user = current_user._get_current_object()
    if user.is_authenticated:
        if idle_expired():
            log_out()
            if not rule.public:
                flash(
                    _("You were logged out after a period of inactivity. Please log in again."),
                    "info",
                )
                return redirect(url_for("auth.login", next=current_request.full_path))
            user = current_user._get_current_object()  # logged out: anonymous now
        else:
            session["seen"] = int(time.time())
    if rule.public:
        return None
    if not user.is_authenticated:
        if current_request.method == "GET":
            return redirect(url_for("auth.login", next=current_request.full_path))
        abort(401)
    scopes = {rule.grants[role] for role in user.roles if role in rule.grants}
    if not scopes:
        abort(403)
    g.scopes = scopes
    return None


def init_app(app: Flask) -> None:
    app.before_request(enforce_policy)


# --- object-level checks, used by views --------------------------------------------------


def descendants(unit_ids: Iterable[int]) -> set[int]:
    return descendant_unit_ids(unit_ids)


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
