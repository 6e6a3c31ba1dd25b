"""Campaigns with dates and identified invitations, and walking a personal link to the end."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

from sqlalchemy import select

from survey.campaigns.models import Campaign, Invitation
from survey.campaigns.services import create_campaign, create_invitations
from survey.db import unit_of_work
from survey.extensions import db

FULL_TIME = {
    "enhet": "hjemmetjenesten",
    "yrkesgruppe": "sykepleier",
    "stillingsprosent": "100",
    "ansettelsesform": "fast",
}

# Every page of heltid-arlig for someone in a 50 % position who wants 80 %.
WANTS_MORE = {
    "stilling": {**FULL_TIME, "stillingsprosent": "50", "yrkesgruppe": "helsefagarbeider"},
    "onske": {
        "fornoyd_storrelse": "no",
        "onsket_endring": "storre",
        "onsket_prosent": "80",
        "onsket_fast": "yes",
    },
    "helger": {"villig_helger": "hver_3", "villig_langvakter": "no"},
    "andre_ordninger": {
        "villig_andre_enheter": "annen_enhet",
        "andre_vakter": ["dag", "kveld"],
        "ubundet_tid": "yes",
    },
    "oppstart": {"oppstart_uker": "4", "onske_skriftlig": "no", "forsokt_flere_timer": "yes"},
    "arsaker": {"arsaker_deltid": ["ikke_tilbudt"]},
    "avslutning": {"onsker_samtale": "yes"},
}

WANTS_NOTHING_MORE = {
    "stilling": FULL_TIME,
    "onske": {"fornoyd_storrelse": "yes"},
    "avslutning": {"onsker_samtale": "no"},
}


def make_campaign(app, mode="identified", *, opens_on=None, closes_on=None, title="Kartlegging"):
    with app.app_context(), unit_of_work():
        campaign = create_campaign("heltid-arlig", mode, title)
        campaign.opens_on = opens_on
        campaign.closes_on = closes_on
        return campaign.id, campaign.slug


def set_dates(app, campaign_id, *, opens_on=None, closes_on=None):
    with app.app_context(), unit_of_work():
        campaign = db.session.get(Campaign, campaign_id)
        campaign.opens_on = opens_on
        campaign.closes_on = closes_on


def invite(app, campaign_id, person_id=None, prefill=None):
    """A personal link (token) for the person."""
    with app.app_context(), unit_of_work():
        campaign = db.session.get(Campaign, campaign_id)
        [token] = create_invitations(campaign, 1, [prefill or {}])
        db.session.flush()
        invitation = db.session.scalars(
            select(Invitation)
            .where(Invitation.campaign_id == campaign_id)
            .order_by(Invitation.id.desc())
        ).first()
        invitation.person_id = person_id
        return token


def invitation_row(app, campaign_id) -> Invitation:
    with app.app_context():
        row = db.session.scalars(
            select(Invitation).where(Invitation.campaign_id == campaign_id)
        ).one()
        db.session.expunge(row)
        return row


def start(respondent, token):
    respondent.get(f"/i/{token}")
    assert respondent.last.status_code == 200, respondent.html
    respondent.post(f"/i/{token}")
    assert respondent.last.status_code == 302
    return _path(respondent.last)


def _path(response) -> str:
    return urlparse(response.headers["Location"]).path


def answer_pages(respondent, first: str, pages: dict[str, dict]) -> str:
    """From page URL `first`, answer each page shown from `pages` until the review page;
    returns the review page's path. A page revealing more questions is posted again."""
    path = first
    for _ in range(30):
        if "/side/" not in path:
            return path
        name = path.rsplit("/", 1)[1]
        respondent.get(path)
        respondent.answer_page(pages.get(name, {}))
        assert respondent.last.status_code == 302, (name, respondent.html)
        following = _path(respondent.last)
        if following == path:  # more questions on the same page
            respondent.get(path)
            respondent.answer_page(pages.get(name, {}))
            following = _path(respondent.last)
        path = following
    raise AssertionError("the questionnaire did not end")


def answer_all(respondent, token, slug, pages: dict[str, dict]):
    """Open the link, answer every page, send; the respondent is left on the receipt."""
    review = answer_pages(respondent, start(respondent, token), pages)
    assert review.endswith("/oppsummering"), review
    respondent.get(review)
    respondent.post(f"/s/{slug}/send")
    assert respondent.last.headers["Location"].endswith("/kvittering"), respondent.html
    respondent.get(respondent.last.headers["Location"])
    assert respondent.last.status_code == 200
    return respondent.html


def days(n: int) -> dt.date:
    from survey.db import today

    return today() + dt.timedelta(days=n)
