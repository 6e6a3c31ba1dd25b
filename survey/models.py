"""Every model, imported in one place so Alembic and the tests see the whole schema."""

from survey.accounts.models import LoginToken, Person, RoleAssignment, Unit
from survey.answering.models import Answer, ConfidentialParticipation, Response
from survey.audit.models import AuditEntry
from survey.campaigns.models import Campaign, Invitation
from survey.db import Base
from survey.questionnaires.models import QuestionnaireVersion

__all__ = [
    "Answer",
    "AuditEntry",
    "LoginToken",
    "Person",
    "RoleAssignment",
    "Unit",
    "Base",
    "Campaign",
    "ConfidentialParticipation",
    "Invitation",
    "QuestionnaireVersion",
    "Response",
]
