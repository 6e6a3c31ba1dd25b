"""Every model, imported in one place so Alembic and the tests see the whole schema."""

from survey.answering.models import Answer, ConfidentialParticipation, Response
from survey.campaigns.models import Campaign, Invitation
from survey.db import Base
from survey.questionnaires.models import QuestionnaireVersion

__all__ = [
    "Answer",
    "Base",
    "Campaign",
    "ConfidentialParticipation",
    "Invitation",
    "QuestionnaireVersion",
    "Response",
]
