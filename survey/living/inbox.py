"""The project leaders' «Endringer» inbox: what employees changed or asked to have corrected
in their own living documents, until a project leader marks it as handled."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.accounts.models import Person
from survey.db import aware
from survey.extensions import db
from survey.living import presenting, services
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


def _handled(column) -> dict[int, Handled]:
    return {
        getattr(row, column.key): row
        for row in db.session.scalars(select(Handled).where(column.is_not(None)))
    }


def _newest(model, moment, condition):
    """The newest LIMIT rows of `model` matching `condition`, each with its person."""
    return db.session.execute(
        select(model, Person)
        .join(LivingDocument, LivingDocument.id == model.document_id)
        .join(Person, Person.id == LivingDocument.person_id)
        .where(condition)
        .order_by(moment.desc())
        .limit(LIMIT)
    )


def _previous_data(revisions: list[Revision]) -> dict[tuple[int, int], dict[str, Any]]:
    """The data of the revision before each of `revisions`, by (document, number), in one
    query."""
    wanted = {(revision.document_id, revision.number - 1) for revision in revisions}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Revision.document_id, Revision.number, Revision.data).where(
            Revision.document_id.in_({document for document, _number in wanted}),
            Revision.number.in_({number for _document, number in wanted}),
        )
    )
    return {
        (document, number): data or {}
        for document, number, data in rows
        if (document, number) in wanted
    }


def items(include_handled: bool = False) -> list[dict[str, Any]]:
    """Newest first: the employees' own revisions and their correction requests."""
    lang = str(get_locale() or "nb")
    questions = presenting.questions()
    found: list[dict[str, Any]] = []

    def add(handled: Handled | None, person: Person, **item: Any) -> None:
        if handled is None or include_handled:
            found.append(
                {
                    **item,
                    "at": aware(item["at"]),
                    "person": {
                        "id": person.id,
                        "name": person.name,
                        "unit": person.unit.name if person.unit is not None else None,
                    },
                    "handled_at": aware(handled.handled_at) if handled is not None else None,
                }
            )

    handled = _handled(Handled.revision_id)
    employee_revisions = list(
        _newest(Revision, Revision.created_at, Revision.source == Source.EMPLOYEE)
    )
    previous = _previous_data([revision for revision, _person in employee_revisions])
    for revision, person in employee_revisions:
        before = previous.get((revision.document_id, revision.number - 1), {})
        # Recomputed rather than read from changed_fields: revisions stored before a
        # re-ordered multi-select stopped counting as a change keep that mistake there.
        changed = services.changed_fields(before, revision.data or {})
        add(
            handled.get(revision.id),
            kind="revision",
            id=revision.id,
            at=revision.created_at,
            person=person,
            number=revision.number,
            fields=[presenting.label(questions, name, lang) for name in changed],
            comment=None,
        )
    handled = _handled(Handled.confirmation_id)
    corrections = _newest(
        Confirmation, Confirmation.at, Confirmation.kind == ConfirmationKind.CORRECTION_REQUESTED
    )
    for confirmation, person in corrections:
        add(
            handled.get(confirmation.id),
            kind="correction",
            id=confirmation.id,
            at=confirmation.at,
            person=person,
            number=confirmation.revision_number,
            fields=[],
            comment=confirmation.comment,
        )
    found.sort(key=lambda item: item["at"], reverse=True)
    return found[:LIMIT]


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
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True
