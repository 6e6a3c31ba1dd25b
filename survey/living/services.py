"""Saving, reading and confirming living documents. No request access here."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from survey.accounts.models import Person
from survey.db import today, utcnow
from survey.extensions import db
from survey.living.models import (
    Confirmation,
    ConfirmationKind,
    LivingDocument,
    Revision,
    Source,
)

RECONFIRM_AFTER = dt.timedelta(days=365)


class Conflict(Exception):
    """The save was based on an older revision; nothing was saved."""

    def __init__(self, base: int, current: Revision):
        super().__init__(f"based on revision {base}, but revision {current.number} is current")
        self.base = base
        self.current = current


@dataclasses.dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


def document_for(person: Person) -> LivingDocument:
    document = db.session.scalars(
        select(LivingDocument).where(LivingDocument.person_id == person.id)
    ).first()
    if document is None:
        document = LivingDocument(person_id=person.id)
        # A savepoint, not a rollback: inside an all-or-nothing import the transaction already
        # holds other people's revisions, which must survive a simultaneous creation.
        try:
            with db.session.begin_nested():
                db.session.add(document)
                db.session.flush()
        except IntegrityError:  # created by a simultaneous request
            return db.session.scalars(
                select(LivingDocument).where(LivingDocument.person_id == person.id)
            ).one()
    return document


def current_revision(document: LivingDocument) -> Revision | None:
    return db.session.scalars(
        select(Revision)
        .where(Revision.document_id == document.id)
        .order_by(Revision.number.desc())
        .limit(1)
    ).first()


def same_value(old: Any, new: Any) -> bool:
    """Stored values alike as answers: a multi-select is a set, so its order is no change."""
    if isinstance(old, list) and isinstance(new, list):
        return sorted(map(str, old)) == sorted(map(str, new))
    return old == new


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return sorted(
        key for key in old.keys() | new.keys() if not same_value(old.get(key), new.get(key))
    )


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    return [FieldChange(key, old.get(key), new.get(key)) for key in changed_fields(old, new)]


def save_revision(
    document: LivingDocument,
    data: Mapping[str, Any],
    *,
    base: int,
    author: Person | None,
    author_role: str,
    source: Source,
    questionnaire_id: str | None = None,
    questionnaire_version: int | None = None,
    effective_on: dt.date | None = None,
    note: str | None = None,
) -> Revision:
    """Save `data` as the next revision after `base` (0 for the first). A save based on an
    older revision raises Conflict and changes nothing: the caller shows both versions."""
    current = current_revision(document)
    current_number = current.number if current else 0
    if base != current_number:
        raise Conflict(base, current)
    revision = Revision(
        document_id=document.id,
        number=current_number + 1,
        effective_on=effective_on or today(),
        author_id=author.id if author else None,
        author_role=author_role,
        source=source,
        questionnaire_id=questionnaire_id,
        questionnaire_version=questionnaire_version,
        data=dict(data),
        changed_fields=changed_fields(current.data if current else {}, data),
        note=note,
    )
    try:
        with db.session.begin_nested():
            db.session.add(revision)
            db.session.flush()
    except IntegrityError:
        # Another save on the same base got there first (unique document/number). Only the
        # savepoint is undone; the caller decides about the rest of its transaction.
        raise Conflict(base, current_revision(document)) from None
    return revision


def state_on(document: LivingDocument, day: dt.date) -> Revision | None:
    """The revision in force on `day`: the newest that had taken effect by then."""
    return db.session.scalars(
        select(Revision)
        .where(Revision.document_id == document.id, Revision.effective_on <= day)
        .order_by(Revision.effective_on.desc(), Revision.number.desc())
        .limit(1)
    ).first()


def record_confirmation(
    document: LivingDocument,
    person: Person,
    revision_number: int,
    kind: ConfirmationKind,
    comment: str | None = None,
) -> Confirmation:
    confirmation = Confirmation(
        document_id=document.id,
        revision_number=revision_number,
        kind=kind,
        person_id=person.id,
        comment=comment,
    )
    db.session.add(confirmation)
    db.session.flush()
    return confirmation


def last_confirmed(document: LivingDocument) -> dt.datetime | None:
    return db.session.scalar(
        select(func.max(Confirmation.at)).where(
            Confirmation.document_id == document.id,
            Confirmation.kind == ConfirmationKind.CONFIRMED,
        )
    )


def needing_reconfirmation(now: dt.datetime | None = None) -> list[LivingDocument]:
    """Documents with a revision but no confirmation within the last year."""
    cutoff = (now or utcnow()) - RECONFIRM_AFTER
    confirmed = (
        select(Confirmation.document_id, func.max(Confirmation.at).label("at"))
        .where(Confirmation.kind == ConfirmationKind.CONFIRMED)
        .group_by(Confirmation.document_id)
        .subquery()
    )
    has_revision = select(Revision.document_id).distinct()
    return list(
        db.session.scalars(
            select(LivingDocument)
            .outerjoin(confirmed, confirmed.c.document_id == LivingDocument.id)
            .where(LivingDocument.id.in_(has_revision))
            .where((confirmed.c.at.is_(None)) | (confirmed.c.at < cutoff))
            .order_by(LivingDocument.id)
        )
    )
