"""A personal link's requests (issue 13, «fast where it counts»): the statements its welcome
page and its start run, and a double tap on «Start» that makes one draft even when both
requests read the link before either made it."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.answering import services
from survey.answering.models import Answer, ConfidentialParticipation, Response
from survey.db import unit_of_work
from survey.extensions import db
from tests.answering.helpers import invite, make_campaign
from tests.answering.test_page_cost import statements

PREFILL = {"enhet": "hjemmetjenesten", "yrkesgruppe": "sykepleier"}


def test_the_link_reads_once_and_writes_what_it_marks(app, respondent):
    campaign_id, _ = make_campaign(app, "confidential")
    token = invite(app, campaign_id, prefill=PREFILL)
    # Another link's visit first: this process has parsed the questionnaire's version since.
    app.test_client().get(f"/i/{invite(app, campaign_id)}")

    with statements(app) as seen:
        respondent.get(f"/i/{token}")
    # The invitation with its campaign, latest version and response; the first visit's day.
    assert respondent.last.status_code == 200
    assert len(seen) == 2, seen
    with statements(app) as seen:
        respondent.get(f"/i/{token}")
    # Opened already: nothing to write.
    assert len(seen) == 1, seen

    with statements(app) as seen:
        respondent.post(f"/i/{token}")
    # The link; the response, its confidential participation, its pre-filled answers (one
    # multi-row upsert); the day it was started. Where to go is worked out from the prefill.
    assert respondent.last.status_code == 302
    assert len(seen) == 5, seen
    first = respondent.last.headers["Location"]
    assert first.endswith("/side/stilling")


def test_a_double_tap_on_start_makes_one_draft(app):
    """Both requests read the link before either made the draft: the second one's insert
    meets the first one's and it continues with that draft."""
    campaign_id, _ = make_campaign(app, "confidential")
    token = invite(app, campaign_id, prefill=PREFILL)
    secret = app.config["SECRET_KEY"]
    with app.app_context(), unit_of_work():
        first_read = services.personal_link(token, secret)
        second_read = services.personal_link(token, secret)
        first = services.response_for_invitation(first_read)
        second = services.response_for_invitation(second_read)
        assert first.id == second.id
        assert dict(first.answer_rows) == dict(second.answer_rows) == PREFILL
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        assert db.session.scalar(select(func.count()).select_from(ConfidentialParticipation)) == 1
        assert db.session.scalar(select(func.count()).select_from(Answer)) == len(PREFILL)
