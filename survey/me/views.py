from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from survey.audit.services import Action, readers_of, record
from survey.engine.definition import EMPLOYEE_AUDIENCE
from survey.extensions import db
from survey.living import presenting as living
from survey.living import services as living_services
from survey.living.models import ConfirmationKind
from survey.people.services import (
    confidential_responses,
    identified_responses,
    person_view,
    personal_data,
    response_view,
)

bp = Blueprint("me", __name__, url_prefix="/meg")


def _lang() -> str:
    return str(get_locale() or "nb")


def _names(ids):
    from sqlalchemy import select

    from survey.accounts.models import Person

    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())


COMMENT_MAX = 2000


@bp.get("/")
def overview():
    return _overview()


def _overview(comment: str = "", comment_error: str | None = None, status: int = 200):
    person = current_user.person
    lang = _lang()
    readers = readers_of(person.id)
    names = _names(entry.actor_id for entry in readers)
    page = render_template(
        "me/overview.html",
        person=person_view(person),
        document=living.current_view(person, lang, EMPLOYEE_AUDIENCE),
        comment=comment,
        comment_error=comment_error,
        comment_max=COMMENT_MAX,
        responses=[response_view(r, lang) for r in identified_responses(person)],
        confidential=[response_view(r, lang) for r in confidential_responses(person)],
        readers=[
            {"at": e.at, "action": e.action, "actor": names.get(e.actor_id), "actor_id": e.actor_id}
            for e in readers
        ],
    )
    return page, status


def _posted_revision() -> int | None:
    value = request.form.get("revision", "").strip()
    return int(value) if value.isdigit() else None


def _record_change(document_id: int, kind: ConfirmationKind, number: int) -> None:
    person = current_user.person
    record(
        Action.CHANGE,
        actor_id=person.id,
        subject_id=person.id,
        object_type="living_document",
        object_id=document_id,
        detail={"kind": kind.value, "revision": number},
    )


@bp.post("/bekreft")
def confirm():
    """The employee confirms the revision they were shown, and only if it is still current."""
    person = current_user.person
    document = living.existing_document(person)
    current = living_services.current_revision(document) if document is not None else None
    if current is None:
        flash(_("There is nothing to confirm yet."), "info")
        return redirect(url_for("me.overview"))
    number = _posted_revision()
    if number != current.number:
        flash(
            _("The document has changed since you saw it. Read it again before you confirm."),
            "error",
        )
        return redirect(url_for("me.overview"))
    living_services.record_confirmation(document, person, number, ConfirmationKind.CONFIRMED)
    _record_change(document.id, ConfirmationKind.CONFIRMED, number)
    flash(_("Thank you. You have confirmed that the information is correct."), "info")
    return redirect(url_for("me.overview"))


@bp.post("/korriger")
def request_correction():
    """The employee asks for a correction, saying what is wrong."""
    person = current_user.person
    document = living.existing_document(person)
    current = living_services.current_revision(document) if document is not None else None
    if current is None:
        flash(_("There is nothing to correct yet."), "info")
        return redirect(url_for("me.overview"))
    comment = request.form.get("comment", "").strip()
    if not comment:
        return _overview(comment, _("Write what is wrong, so we can correct it."), 400)
    if len(comment) > COMMENT_MAX:
        return _overview(comment, _("Write at most %(count)d characters.", count=COMMENT_MAX), 400)
    number = _posted_revision()
    if number is None or not 1 <= number <= current.number:
        number = current.number
    living_services.record_confirmation(
        document, person, number, ConfirmationKind.CORRECTION_REQUESTED, comment=comment
    )
    _record_change(document.id, ConfirmationKind.CORRECTION_REQUESTED, number)
    flash(_("Thank you. We have received your request for a correction."), "info")
    return redirect(url_for("me.overview"))


@bp.get("/data.json")
def export():
    person = current_user.person
    data = personal_data(person, _lang())
    record(
        Action.EXPORT,
        actor_id=person.id,
        subject_id=person.id,
        object_type="person",
        object_id=person.id,
        detail={"format": "json"},
    )
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="mine-data-{person.id}.json"'},
    )
