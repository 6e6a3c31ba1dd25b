"""The project leaders' «Endringer» inbox: what employees changed or asked to have corrected
in their own living documents, until a project leader marks it as handled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.accounts.models import Person
from survey.extensions import db
from survey.living import presenting
from survey.living.models import (
    Confirmation,
    ConfirmationKind,
    Handled,
    LivingDocument,
    Revision,
    Source,
)

KINDS = ("revision", "correction")
LIMIT = 200


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def items(include_handled: bool = False) -> list[dict[str, Any]]:
    """Newest first: the employees' own revisions and their correction requests."""
    lang = str(get_locale() or "nb")
    questions = presenting.questions()
    handled_revisions = {
        row.revision_id: row
        for row in db.session.scalars(select(Handled).where(Handled.revision_id.is_not(None)))
    }
    handled_corrections = {
        row.confirmation_id: row
        for row in db.session.scalars(select(Handled).where(Handled.confirmation_id.is_not(None)))
    }
    found: list[dict[str, Any]] = []
    revisions = db.session.execute(
        select(Revision, Person)
        .join(LivingDocument, LivingDocument.id == Revision.document_id)
        .join(Person, Person.id == LivingDocument.person_id)
        .where(Revision.source == Source.EMPLOYEE)
        .order_by(Revision.created_at.desc())
        .limit(LIMIT)
    )
    for revision, person in revisions:
        handled = handled_revisions.get(revision.id)
        if handled and not include_handled:
            continue
        found.append(
            {
                "kind": "revision",
                "id": revision.id,
                "at": _aware(revision.created_at),
                "person": person,
                "number": revision.number,
                "fields": [
                    presenting.label(questions, name, lang) for name in revision.changed_fields
                ],
                "comment": None,
                "handled": handled,
            }
        )
    corrections = db.session.execute(
        select(Confirmation, Person)
        .join(LivingDocument, LivingDocument.id == Confirmation.document_id)
        .join(Person, Person.id == LivingDocument.person_id)
        .where(Confirmation.kind == ConfirmationKind.CORRECTION_REQUESTED)
        .order_by(Confirmation.at.desc())
        .limit(LIMIT)
    )
    for confirmation, person in corrections:
        handled = handled_corrections.get(confirmation.id)
        if handled and not include_handled:
            continue
        found.append(
            {
                "kind": "correction",
                "id": confirmation.id,
                "at": _aware(confirmation.at),
                "person": person,
                "number": confirmation.revision_number,
                "fields": [],
                "comment": confirmation.comment,
                "handled": handled,
            }
        )
    found.sort(key=lambda item: item["at"], reverse=True)
    return found[:LIMIT]


def unhandled_count() -> int:
    return len(items())


def mark_handled(kind: str, item_id: int, person: Person) -> bool:
    """True when marked now; False when it was already handled (a double click)."""
    model = Revision if kind == "revision" else Confirmation
    if db.session.get(model, item_id) is None:
        return False
    row = Handled(handled_by=person.id)
    if kind == "revision":
        row.revision_id = item_id
    else:
        row.confirmation_id = item_id
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True
