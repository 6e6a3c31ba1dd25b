from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import or_, select

from survey.access.guard import person_or_404, visible_unit_ids
from survey.accounts.models import Person
from survey.audit.services import Action, record
from survey.extensions import db
from survey.people.services import identified_responses, response_view

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
    return render_template(
        "people/index.html", people=db.session.scalars(query).all(), search=search
    )


@bp.get("/<int:person_id>")
def detail(person_id: int):
    person = person_or_404(person_id)
    lang = str(get_locale() or "nb")
    responses = [response_view(r, lang) for r in identified_responses(person)]
    if person.id != current_user.person.id:
        record(
            Action.READ,
            actor_id=current_user.person.id,
            subject_id=person.id,
            object_type="person",
            object_id=person.id,
            commit=True,
        )
    return render_template("people/detail.html", person=person, responses=responses)
