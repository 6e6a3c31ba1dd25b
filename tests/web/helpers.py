"""Small helpers for web tests: campaigns and reading what was stored."""

from __future__ import annotations

from sqlalchemy import select

from survey.answering.models import Answer, Response
from survey.campaigns.services import create_campaign, create_invitations
from survey.db import unit_of_work
from survey.extensions import db

FULL_TIME = {
    "enhet": "hjemmetjenesten",
    "yrkesgruppe": "sykepleier",
    "stillingsprosent": "100",
    "ansettelsesform": "fast",
}


def make_campaign(app, questionnaire="heltid-arlig", mode="anonymous"):
    with app.app_context(), unit_of_work():
        campaign = create_campaign(questionnaire, mode, "Test")
        return campaign.id, campaign.slug


def make_invitations(app, campaign_id, count=1, prefills=None):
    from survey.campaigns.models import Campaign

    with app.app_context(), unit_of_work():
        return create_invitations(db.session.get(Campaign, campaign_id), count, prefills)


def responses(app):
    """Every response as (status, {question: value})."""
    with app.app_context():
        result = []
        for response in db.session.scalars(select(Response).order_by(Response.started_on)):
            answers = dict(
                db.session.execute(
                    select(Answer.question, Answer.value).where(Answer.response_id == response.id)
                ).all()
            )
            result.append((response.status.value, answers))
        return result


def response_rows(app):
    with app.app_context():
        return list(db.session.scalars(select(Response)))
