"""A campaign takes answers only within its period (Oslo days, both ends included) while it is
open; outside it every answering URL shows a page saying so in the respondent's language, and
the personal link's use is tracked on the invitation as days."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale, format_date

from survey.answering.models import Response, Status
from survey.extensions import db
from tests.answering.helpers import (
    FULL_TIME,
    days,
    invitation_row,
    invite,
    make_campaign,
    set_dates,
    start,
)


def long_date(app, day: dt.date, lang: str) -> str:
    with app.test_request_context(), force_locale(lang):
        return format_date(day, "long")


@pytest.mark.parametrize(
    ("lang", "header", "title", "text"),
    [
        ("nb", "nb-NO,nb;q=0.9", "Undersøkelsen er ikke åpnet ennå", "Undersøkelsen åpner {date}."),
        ("nn", "nn-NO,nn;q=0.9", "Undersøkinga er ikkje opna enno", "Undersøkinga opnar {date}."),
        (
            "en",
            "en-GB,en;q=0.9",
            "This questionnaire is not open yet",
            "The questionnaire opens {date}.",
        ),
    ],
)
def test_before_the_period_every_link_says_when_it_opens(app, client, lang, header, title, text):
    opens = days(5)
    _, slug = make_campaign(app, "anonymous", opens_on=opens, closes_on=days(30))
    expected = text.format(date=long_date(app, opens, lang))
    page = client.get(f"/s/{slug}", headers={"Accept-Language": header})
    assert page.status_code == 403
    html = page.get_data(as_text=True)
    assert f'lang="{lang}"' in html
    assert title in html and expected in html
    assert "csrf_token" not in html  # nothing to start


def test_not_yet_open_in_norwegian_reads_as_a_date(app, client):
    _, slug = make_campaign(app, "anonymous", opens_on=dt.date(2999, 1, 5))
    html = client.get(f"/s/{slug}", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "Undersøkelsen åpner 5. januar 2999." in html


@pytest.mark.parametrize(
    ("header", "text"),
    [
        ("nb", "Undersøkelsen ble avsluttet {date}."),
        ("nn", "Undersøkinga vart avslutta {date}."),
        ("en", "The questionnaire closed on {date}."),
    ],
)
def test_after_the_period_the_open_link_refuses_to_start(app, respondent, header, text):
    closed = days(-1)
    campaign_id, slug = make_campaign(app, "anonymous")
    respondent.get(f"/s/{slug}", headers={"Accept-Language": header})
    token = respondent.csrf()
    set_dates(app, campaign_id, closes_on=closed)
    respondent.post(f"/s/{slug}/start", {"csrf_token": token}, headers={"Accept-Language": header})
    assert respondent.last.status_code == 410
    assert text.format(date=long_date(app, closed, header)) in respondent.html
    with app.app_context():
        assert db.session.query(Response).count() == 0


def test_both_ends_of_the_period_are_included(app, respondent):
    _, slug = make_campaign(app, "anonymous", opens_on=days(0), closes_on=days(0))
    respondent.get(f"/s/{slug}")
    assert respondent.last.status_code == 200
    respondent.post(f"/s/{slug}/start")
    assert respondent.last.headers["Location"].endswith("/side/stilling")


def test_a_draft_saved_before_closing_is_kept_but_cannot_be_sent(app, respondent):
    campaign_id, slug = make_campaign(app, "anonymous", closes_on=days(10))
    respondent.get(f"/s/{slug}")
    respondent.post(f"/s/{slug}/start", follow=True)
    respondent.answer_page(FULL_TIME)
    respondent.get(respondent.last.headers["Location"])
    respondent.answer_page({"fornoyd_storrelse": "yes"})
    respondent.get(f"/s/{slug}/oppsummering")
    token = respondent.csrf()

    set_dates(app, campaign_id, closes_on=days(-1))
    kept = "Svarene du hadde lagret, er tatt vare på, men de kan ikke lenger sendes inn."
    for method, path, data in [
        ("get", f"/s/{slug}/side/stilling", None),
        ("post", f"/s/{slug}/side/stilling", {**FULL_TIME, "stillingsprosent": "50"}),
        ("get", f"/s/{slug}/oppsummering", None),
        ("post", f"/s/{slug}/send", {}),
        ("get", f"/s/{slug}", None),
    ]:
        if method == "get":
            page = respondent.client.get(path)
        else:
            page = respondent.client.post(path, data={"csrf_token": token, **data})
        assert page.status_code == 410, path
        html = page.get_data(as_text=True)
        assert "Undersøkelsen ble avsluttet" in html and kept in html, path

    with app.app_context():
        [response] = db.session.query(Response).all()
        assert response.status is Status.DRAFT
        assert {a.question: a.value for a in response.answers}["stillingsprosent"] == 100


def test_closing_by_hand_has_no_date(app, respondent):
    from survey.campaigns.services import campaign_by_id, set_open
    from survey.db import unit_of_work

    campaign_id, slug = make_campaign(app, "anonymous", closes_on=days(10))
    with app.app_context(), unit_of_work():
        set_open(campaign_by_id(campaign_id), False)
    page = respondent.get(f"/s/{slug}")
    assert page.status_code == 410
    assert "Dette spørreskjemaet er stengt" in respondent.html
    assert "ble avsluttet" not in respondent.html


def test_personal_link_outside_the_period(app, client, respondent):
    campaign_id, slug = make_campaign(app, "confidential", opens_on=days(3))
    token = invite(app, campaign_id)
    page = client.get(f"/i/{token}")
    assert page.status_code == 403
    assert "Undersøkelsen åpner" in page.get_data(as_text=True)
    # A crafted start is refused too, and makes no draft.
    set_dates(app, campaign_id, closes_on=days(-2))
    _, open_slug = make_campaign(app, "anonymous")
    respondent.get(f"/s/{open_slug}")  # a CSRF token: the closed pages have no form
    respondent.post(f"/i/{token}", {"csrf_token": respondent.csrf()})
    assert respondent.last.status_code == 410
    assert "Undersøkelsen ble avsluttet" in respondent.html
    with app.app_context():
        assert db.session.query(Response).count() == 0
    # Visiting counts as opened even when the campaign takes no answers.
    assert invitation_row(app, campaign_id).opened_on is not None
    assert invitation_row(app, campaign_id).started_on is None


def test_resume_code_after_closing(app, respondent):
    campaign_id, slug = make_campaign(app, "anonymous")
    respondent.get(f"/s/{slug}")
    respondent.post(f"/s/{slug}/start", follow=True)
    with respondent.client.session_transaction() as session:
        code = session["resume_codes"][slug]
    token = respondent.csrf()
    set_dates(app, campaign_id, closes_on=days(-1))
    page = respondent.client.post(f"/s/{slug}/fortsett", data={"csrf_token": token, "code": code})
    assert page.status_code == 410
    assert "er tatt vare på" in page.get_data(as_text=True)


@pytest.mark.parametrize("mode", ["anonymous", "confidential", "identified"])
def test_opened_and_started_are_days_set_once(app, monkeypatch, mode):
    from survey.answering import services

    campaign_id, slug = make_campaign(app, mode)
    token = invite(app, campaign_id)
    first_day, later = days(0), days(2)

    client = app.test_client()
    client.get(f"/i/{token}")
    row = invitation_row(app, campaign_id)
    assert (row.opened_on, row.started_on) == (first_day, None)

    monkeypatch.setattr(services, "today", lambda: later)
    from tests.conftest import Respondent

    respondent = Respondent(client)
    start(respondent, token)
    row = invitation_row(app, campaign_id)
    assert (row.opened_on, row.started_on) == (first_day, later)

    # Another device resumes the same draft later: nothing moves.
    monkeypatch.setattr(services, "today", lambda: days(4))
    start(Respondent(app.test_client()), token)
    row = invitation_row(app, campaign_id)
    assert (row.opened_on, row.started_on) == (first_day, later)
    with app.app_context():
        response = db.session.query(Response).one()
        # Nothing on an anonymous response leads to the invitation.
        if mode != "identified":
            assert response.invitation_id is None and response.base_revision is None
