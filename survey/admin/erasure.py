"""Erasing a person (GDPR art. 17) without breaking the statistics.

What identifies the person goes: the account, roles, login links, the link from invitations,
free-text answers in identified responses, and the thread from confidential participation to
the response. Answers to closed questions stay, unlinked, so the aggregate results do not change
after the fact; so do the report facts of the living document's revisions (keep_report_facts). The audit log keeps its entries: they hold person numbers, never names."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from survey.accounts.models import LoginToken, Person
from survey.answering import services as answering
from survey.answering.models import Answer, ConfidentialParticipation, Response
from survey.audit.services import Action, erase_history, record
from survey.campaigns.models import Invitation
from survey.campaigns.services import unit_prefill
from survey.db import today
from survey.extensions import db
from survey.people.services import identified_responses
from survey.reporting.models import RevisionFacts
from survey.roster.models import EmployeeDetails

FREE_TEXT_TYPES = frozenset({"text"})

logger = logging.getLogger(__name__)
FACTS = RevisionFacts.__table__
ERASE_ID_ATTEMPTS = 3


def _free_text_questions(response: Response) -> tuple[set[str], set[str]]:
    """The free-text question names in the response's questionnaire, and all known names."""
    questionnaire = answering.questionnaire_of(response)
    known = {question.name for question in questionnaire.questions}
    free_text = {q.name for q in questionnaire.questions if q.type in FREE_TEXT_TYPES}
    return free_text, known


def _ended_by(valid_until: dt.date | None, day: dt.date) -> dt.date:
    return day if valid_until is None or valid_until > day else valid_until


def keep_report_facts(person: Person) -> int:
    """Copy the person's report facts (survey/reporting/models.py) as anonymous rows before
    their revisions go: no person, a new negative revision and document id that no live
    revision has (so no later revision's trigger touches them), and the person's unit and
    kjønn as they are now, and in force until today at the latest. The figures of every past
    day stay the same; nothing leads back to the person. Inserts only: the app role may not
    change these rows."""
    f = FACTS.c
    rows = (
        db.session.execute(
            select(FACTS).where(f.person_id == person.id).order_by(f.document_id, f.revision_id)
        )
        .mappings()
        .all()
    )
    if not rows:
        return 0
    kjonn = db.session.scalar(
        select(EmployeeDetails.kjonn).where(EmployeeDetails.person_id == person.id)
    )
    kept = {
        "person_id": None,
        "unit_id": person.unit_id,
        "kjonn": None if kjonn is None else str(getattr(kjonn, "value", kjonn)),
    }
    # In force until today at the latest: the person counts on every past day as before,
    # and from today on not at all, as someone no longer in the service.
    erased_on = today()
    # The new ids continue below the lowest in use. An erasure running at the same moment
    # (an administrator's and the nightly one) may take the same ids: its insert waits for
    # ours and then fails; the savepoint takes it back and the next try counts again.
    for attempt in range(1, ERASE_ID_ATTEMPTS + 1):
        lowest = min(0, db.session.scalar(select(func.min(f.revision_id))) or 0)
        lowest_document = min(0, db.session.scalar(select(func.min(f.document_id))) or 0)
        documents: dict[int, int] = {}
        copies = []
        for number, row in enumerate(rows, start=1):
            document = documents.setdefault(
                row["document_id"], lowest_document - len(documents) - 1
            )
            copies.append(
                {
                    **row,
                    **kept,
                    "revision_id": lowest - number,
                    "document_id": document,
                    "valid_until": _ended_by(row["valid_until"], erased_on),
                }
            )
        try:
            with db.session.begin_nested():
                db.session.execute(insert(FACTS), copies)
            return len(copies)
        except IntegrityError:
            if attempt == ERASE_ID_ATTEMPTS:
                raise
            logger.info("report facts of person %s: ids taken meanwhile, again", person.id)
    raise AssertionError("unreachable")


def erase_person(person: Person, actor_id: int | None) -> dict[str, int]:
    """Erase `person` and record it in the audit log. Flushes but does not commit: the
    caller commits once, so the erasure happens entirely or not at all."""
    person_id = person.id
    counts: dict[str, Any] = {}

    # Identified responses become anonymous: free text goes, closed answers stay unlinked.
    responses = identified_responses(person)
    deleted_answers = 0
    for response in responses:
        free_text, known = _free_text_questions(response)
        # An answer the questionnaire no longer describes cannot be shown not to be free text.
        names = db.session.scalars(
            select(Answer.question).where(Answer.response_id == response.id)
        ).all()
        doomed = [name for name in names if name in free_text or name not in known]
        if doomed:
            deleted_answers += db.session.execute(
                delete(Answer)
                .where(Answer.response_id == response.id, Answer.question.in_(doomed))
                .execution_options(synchronize_session=False)
            ).rowcount
        response.invitation_id = None
        response.invitation_key = None
    counts["identified_responses_anonymised"] = len(responses)
    counts["free_text_answers_deleted"] = deleted_answers

    # Confidential responses: the answers were never shown with a name; cut the thread that
    # remembered whose they were.
    invitation_ids = select(Invitation.id).where(Invitation.person_id == person_id)
    confidential_response_ids = db.session.scalars(
        select(ConfidentialParticipation.response_id).where(
            ConfidentialParticipation.invitation_id.in_(invitation_ids)
        )
    ).all()
    if confidential_response_ids:
        db.session.execute(
            update(Response)
            .where(Response.id.in_(confidential_response_ids))
            .values(invitation_key=None)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            delete(ConfidentialParticipation)
            .where(ConfidentialParticipation.response_id.in_(confidential_response_ids))
            .execution_options(synchronize_session=False)
        )
    counts["confidential_participations_deleted"] = len(confidential_response_ids)

    # Invitations stay (response rates stay right), but no longer say who they were for; of
    # the pre-filled answers only the unit stays (a unit leader's results count by it).
    invitations = db.session.execute(
        select(Invitation.id, Invitation.prefill).where(Invitation.person_id == person_id)
    ).all()
    for invitation_id, prefill in invitations:
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id)
            .values(person_id=None, prefill=unit_prefill(prefill))
            .execution_options(synchronize_session=False)
        )
    counts["invitations_unlinked"] = len(invitations)

    counts["roles_deleted"] = len(person.roles)
    counts["login_links_deleted"] = db.session.scalar(
        select(func.count()).select_from(LoginToken).where(LoginToken.person_id == person_id)
    )
    # The living document and its revisions: the one deletion of history besides the audit
    # purge that the database lets through (migrations 0009 and 0011). Then roles go with the
    # ORM cascade, login links with the foreign key's ON DELETE CASCADE.
    counts["report_facts_kept_anonymous"] = keep_report_facts(person)
    erase_history(person_id)
    db.session.delete(person)
    db.session.flush()
    # The bulk updates above bypassed the identity map; drop anything stale.
    db.session.expire_all()

    record(
        Action.ERASE,
        actor_id=actor_id,
        subject_id=person_id,
        object_type="person",
        object_id=person_id,
        detail=dict(counts),
    )
    db.session.flush()
    logger.info("person %s erased by person %s: %s", person_id, actor_id, counts)
    return counts
