from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import or_, select

from survey.access.guard import descendants, person_or_404, visible_unit_ids
from survey.accounts.models import Person, Unit
from survey.audit.services import Action, record
from survey.committee.presenting import DECISION_LABELS
from survey.committee.services import decisions_for_person
from survey.extensions import db
from survey.living import presenting as living
from survey.people.services import identified_responses, person_view, response_view

bp = Blueprint("people", __name__, url_prefix="/personer")


@bp.get("/")
def index():
    query = select(Person).order_by(Person.name).limit(200)
    units = visible_unit_ids()
    if units is not None:
        query = query.where(Person.unit_id.in_(units))
    search = request.args.get("q", "").strip()[:100]
    if search:
        pattern = f"%{search}%"
        query = query.where(or_(Person.name.ilike(pattern), Person.ansattnummer.ilike(pattern)))
    unit_choices = db.session.scalars(
        select(Unit).order_by(Unit.name)
        if units is None
        else select(Unit).where(Unit.id.in_(units)).order_by(Unit.name)
    ).all()
    chosen = request.args.get("enhet", "")
    if chosen.isdigit() and any(unit.id == int(chosen) for unit in unit_choices):
        query = query.where(Person.unit_id.in_(descendants([int(chosen)])))
    else:
        chosen = ""
    return render_template(
        "people/index.html",
        people=[person_view(person) for person in db.session.scalars(query)],
        search=search,
        units=[{"id": unit.id, "name": unit.name} for unit in unit_choices],
        chosen_unit=chosen,
    )


@bp.get("/<int:person_id>")
def detail(person_id: int):
    person = person_or_404(person_id)
    lang = str(get_locale() or "nb")
    responses = [response_view(r, lang) for r in identified_responses(person)]
    document = living.current_view(person, lang)
    classification = None
    if document is not None:
        classification = living.record_view(document["data"], lang)
    _record_read(person, "person", person.id)
    return render_template(
        "people/detail.html",
        decisions=decisions_for_person(person.id),
        outcome_labels={str(k): str(v) for k, v in DECISION_LABELS.items()},
        person=person_view(person),
        responses=responses,
        document=document,
        classification=classification,
    )


@bp.get("/<int:person_id>/historikk")
def history(person_id: int):
    person = person_or_404(person_id)
    lang = str(get_locale() or "nb")
    document = living.existing_document(person)
    revisions = living.history_view(document, lang)
    _record_read(person, "living_document", document.id if document else None)
    return render_template("people/history.html", person=person_view(person), revisions=revisions)


def _record_read(person: Person, object_type: str, object_id: int | None) -> None:
    if person.id != current_user.person.id:
        record(
            Action.READ,
            actor_id=current_user.person.id,
            subject_id=person.id,
            object_type=object_type,
            object_id=object_id if object_id is not None else person.id,
        )
