"""The staff menu in the page header, computed from the access policy table.

A link is shown when the policy lets one of the logged-in person's roles use its endpoint, so the
menu can never offer a page the guard would refuse."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, has_request_context, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey.access.policy import POLICY
from survey.accounts.models import Role

MENU = (
    ("me.overview", _l("My page")),
    ("overview.index", _l("Overview")),
    ("people.index", _l("People")),
    ("living.inbox", _l("Changes")),
    ("followup.index", _l("Follow-up")),
    ("classification.overview", _l("Definitions")),
    ("campaigns.index", _l("Surveys")),
    ("questionnaires.index", _l("Questionnaires")),
    ("results.index", _l("Results")),
    ("reporting.index", _l("Reports")),
    ("committee.index", _l("Committee")),
    ("admin.users", _l("Admin")),
)


def allowed_endpoints(roles: Iterable[Role]) -> list[str]:
    held = set(roles)
    allowed = []
    for endpoint, _label in MENU:
        rule = POLICY.get(endpoint)
        if rule is not None and (rule.public or held & set(rule.grants)):
            allowed.append(endpoint)
    return allowed


def may(endpoint: str) -> bool:
    """Whether the logged-in person's roles let them use `endpoint` (for links and buttons;
    the guard still checks every request, and the objects behind it)."""
    if not has_request_context() or not current_user.is_authenticated:
        return False
    rule = POLICY.get(endpoint)
    return rule is not None and (rule.public or bool(set(current_user.roles) & set(rule.grants)))


def menu_links() -> list[dict[str, str | None]]:
    if not has_request_context() or not current_user.is_authenticated:
        return []
    allowed = set(allowed_endpoints(current_user.roles))
    links = []
    for endpoint, label in MENU:
        if endpoint not in allowed:
            continue
        current = None
        if request.endpoint == endpoint:
            current = "page"
        elif request.blueprint and request.blueprint == endpoint.partition(".")[0]:
            current = "true"
        links.append({"url": url_for(endpoint), "label": str(label), "current": current})
    return links


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_menu():
        return {"nav_links": menu_links(), "may": may}
