from __future__ import annotations

import json

from flask import Blueprint, Response, render_template
from flask_babel import get_locale
from flask_login import current_user

from survey.audit.services import Action, readers_of, record
from survey.extensions import db
from survey.people.services import (
    confidential_responses,
    identified_responses,
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


@bp.get("/")
def overview():
    person = current_user.person
    lang = _lang()
    readers = readers_of(person.id)
    names = _names(entry.actor_id for entry in readers)
    return render_template(
        "me/overview.html",
        person=person,
        responses=[response_view(r, lang) for r in identified_responses(person)],
        confidential=[response_view(r, lang) for r in confidential_responses(person)],
        readers=[
            {"at": e.at, "action": e.action, "actor": names.get(e.actor_id), "actor_id": e.actor_id}
            for e in readers
        ],
    )


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
        commit=True,
    )
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="mine-data-{person.id}.json"'},
    )
