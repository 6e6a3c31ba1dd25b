"""The project leader's mapping conversation with one employee (kartleggingssamtale)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from survey.access.guard import person_or_404
from survey.accounts.models import Role
from survey.conversations.flow import Flow
from survey.conversations.models import DraftKind
from survey.living import presenting as living

bp = Blueprint("conversations", __name__, url_prefix="/samtaler")


def _flow(person_id: int) -> Flow:
    person = person_or_404(person_id)
    return Flow(
        person=person,
        author=current_user.person,
        author_role=Role.PROSJEKTLEDER.value,
        kind=DraftKind.CONVERSATION,
        endpoint="conversations",
        url_args={"person_id": person.id},
        title=_("Mapping conversation with %(name)s", name=person.name),
    )


def _done(person_id: int) -> str:
    return url_for("people.detail", person_id=person_id)


@bp.get("/<int:person_id>")
def start(person_id: int):
    flow = _flow(person_id)
    flow.record_read()
    return render_template(
        "conversations/start.html",
        flow=flow,
        draft=flow.draft_view(),
        document=living.current_view(flow.person, str(get_locale() or "nb")),
    )


@bp.post("/<int:person_id>")
def begin(person_id: int):
    flow = _flow(person_id)
    flow.record_read()
    return flow.start()


@bp.route("/<int:person_id>/side/<name>", methods=["GET", "POST"])
def page(person_id: int, name: str):
    return _flow(person_id).page(name)


@bp.get("/<int:person_id>/oppsummering")
def review(person_id: int):
    return _flow(person_id).review()


@bp.post("/<int:person_id>/lagre")
def save(person_id: int):
    return _flow(person_id).save(_done(person_id))


@bp.route("/<int:person_id>/konflikt", methods=["GET", "POST"])
def conflict(person_id: int):
    return _flow(person_id).conflict(_done(person_id))


@bp.post("/<int:person_id>/forkast")
def discard(person_id: int):
    return _flow(person_id).discard(_done(person_id))
