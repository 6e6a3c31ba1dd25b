"""Everything stored about a person, gathered in one place (for access, export and erasure)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from survey.accounts.models import LoginToken, Person
from survey.accounts.services import role_set
from survey.answering import presenting
from survey.answering import services as answering
from survey.answering.models import ConfidentialParticipation, Response
from survey.audit.models import AuditEntry
from survey.campaigns.models import Campaign, Invitation
from survey.committee.services import decisions_for_person
from survey.extensions import db


def identified_responses(person: Person) -> list[Response]:
    """Responses to identified campaigns given through the person's invitations."""
    return list(
        db.session.scalars(
            select(Response)
            .join(Invitation, Response.invitation_id == Invitation.id)
            .where(Invitation.person_id == person.id)
            .order_by(Response.started_on)
        )
    )


def confidential_responses(person: Person) -> list[Response]:
    return list(
        db.session.scalars(
            select(Response)
            .join(ConfidentialParticipation, ConfidentialParticipation.response_id == Response.id)
            .join(Invitation, ConfidentialParticipation.invitation_id == Invitation.id)
            .where(Invitation.person_id == person.id)
        )
    )


def person_view(person: Person) -> dict[str, Any]:
    """A person as the people pages and «Min side» show them, as plain data."""
    return {
        "id": person.id,
        "name": person.name,
        "email": person.email,
        "ansattnummer": person.ansattnummer,
        "unit": person.unit.name if person.unit is not None else None,
    }


def response_view(response: Response, lang: str) -> dict[str, Any]:
    """A response as plain data: campaign, status and the answers as the person gave them."""
    questionnaire = answering.questionnaire_of(response)
    answers = answering.stored_answers(response, questionnaire)
    campaign: Campaign = response.campaign
    items = []
    for question in questionnaire.questions:
        if question.name in answers:
            items.append(
                {
                    "name": question.name,
                    "label": question.label.get(lang),
                    "answer": presenting.display_value(question, answers[question.name], lang),
                }
            )
    return {
        "id": response.id,
        "campaign": campaign.title_in(lang) or questionnaire.title.get(lang),
        "mode": campaign.mode.value,
        "questionnaire": questionnaire.id,
        "version": questionnaire.version,
        "status": response.status.value,
        "submitted_on": response.submitted_on,
        "items": items,
    }


def _living_document(person: Person) -> dict[str, Any] | None:
    """Every revision and confirmation of the person's living document."""
    from survey.living.models import Confirmation, LivingDocument, Revision

    document = db.session.scalars(
        select(LivingDocument).where(LivingDocument.person_id == person.id)
    ).first()
    if document is None:
        return None
    revisions = db.session.scalars(
        select(Revision).where(Revision.document_id == document.id).order_by(Revision.number)
    )
    confirmations = db.session.scalars(
        select(Confirmation)
        .where(Confirmation.document_id == document.id)
        .order_by(Confirmation.at)
    )
    return {
        "revisions": [
            {
                "number": revision.number,
                "effective_on": revision.effective_on.isoformat(),
                "saved_at": revision.created_at.isoformat(),
                "author_role": revision.author_role,
                "source": revision.source.value,
                "changed_fields": revision.changed_fields,
                "data": revision.data,
            }
            for revision in revisions
        ],
        "confirmations": [
            {
                "revision": confirmation.revision_number,
                "kind": confirmation.kind.value,
                "at": confirmation.at.isoformat(),
                "comment": confirmation.comment,
            }
            for confirmation in confirmations
        ],
    }


def personal_data(person: Person, lang: str) -> dict[str, Any]:
    """Everything stored about the person (GDPR art. 15), as JSON-able data."""
    tokens = db.session.scalars(select(LoginToken).where(LoginToken.person_id == person.id))
    audit = db.session.scalars(
        select(AuditEntry)
        .where(or_(AuditEntry.subject_id == person.id, AuditEntry.actor_id == person.id))
        .order_by(AuditEntry.at)
    )
    invitations = db.session.scalars(select(Invitation).where(Invitation.person_id == person.id))

    def responses(rows):
        result = []
        for response in rows:
            view = response_view(response, lang)
            view["submitted_on"] = (
                view["submitted_on"].isoformat() if view["submitted_on"] else None
            )
            result.append(view)
        return result

    return {
        "person": {
            "id": person.id,
            "name": person.name,
            "email": person.email,
            "ansattnummer": person.ansattnummer,
            "unit": person.unit.name if person.unit else None,
            "roles": sorted(role.value for role in role_set(person)),
            "has_password": person.password_hash is not None,
            "created_at": person.created_at.isoformat(),
            "last_login_at": person.last_login_at.isoformat() if person.last_login_at else None,
        },
        "invitations": [
            {
                "campaign_id": inv.campaign_id,
                "created_on": inv.created_on.isoformat(),
                "used_on": inv.used_on.isoformat() if inv.used_on else None,
                "prefill": inv.prefill,
            }
            for inv in invitations
        ],
        "identified_responses": responses(identified_responses(person)),
        "confidential_responses": responses(confidential_responses(person)),
        "login_links": [
            {
                "purpose": token.purpose.value,
                "created_at": token.created_at.isoformat(),
                "expires_at": token.expires_at.isoformat(),
                "used_at": token.used_at.isoformat() if token.used_at else None,
            }
            for token in tokens
        ],
        "living_document": _living_document(person),
        "committee_decisions": [
            {
                "vacancy_id": decision.vacancy_id,
                "vacancy": decision.title,
                "outcome": decision.outcome,
                "decided_on": decision.decided_on.isoformat(),
                "reason": decision.reason,
            }
            for decision in decisions_for_person(person.id)
        ],
        "audit_log": [
            {
                "at": entry.at.isoformat(),
                "action": entry.action,
                "actor_id": entry.actor_id,
                "subject_id": entry.subject_id,
                "object": f"{entry.object_type}:{entry.object_id}" if entry.object_type else None,
            }
            for entry in audit
        ],
    }
