"""Every model, imported in one place so Alembic and the tests see the whole schema."""

from survey.accounts.models import LoginToken, Person, RoleAssignment, Unit
from survey.answering.models import Answer, ConfidentialParticipation, Response
from survey.audit.models import AuditEntry
from survey.campaigns.models import Campaign, Invitation
from survey.committee.models import (  # noqa: F401 - for Alembic
    CommitteeDecision,
    Vacancy,
    VacancyShare,
    YrkesgruppeEquivalence,
)
from survey.conversations.models import Draft
from survey.db import Base
from survey.followup.models import FollowUp
from survey.living.models import Confirmation, Handled, LivingDocument, Revision
from survey.outbox.models import OutboxMessage
from survey.questionnaires.models import QuestionnaireVersion
from survey.reporting.models import RevisionFacts  # noqa: F401 - for Alembic
from survey.roster.models import EmployeeDetails, Position

__all__ = [
    "Confirmation",
    "LivingDocument",
    "Revision",
    "Answer",
    "AuditEntry",
    "LoginToken",
    "Person",
    "RoleAssignment",
    "Unit",
    "Base",
    "Campaign",
    "ConfidentialParticipation",
    "Draft",
    "FollowUp",
    "OutboxMessage",
    "Handled",
    "EmployeeDetails",
    "Invitation",
    "Position",
    "QuestionnaireVersion",
    "Response",
]
