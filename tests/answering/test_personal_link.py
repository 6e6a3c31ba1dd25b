"""A personal link's requests (issue 13, «fast where it counts»): the statements its welcome
page, its start, its send and the receipt run, and a double tap on «Start» that makes one
draft even when both requests read the link before either made it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.answering import services
from survey.answering.models import Answer, ConfidentialParticipation, Response
from survey.campaigns.services import find_invitation
from survey.db import unit_of_work
from survey.extensions import db
from tests.answering.helpers import (
    WANTS_MORE,
    WANTS_NOTHING_MORE,
    answer_pages,
    days,
    invite,
    make_campaign,
    start,
)
from tests.answering.test_page_cost import statements

PREFILL = {"enhet": "hjemmetjenesten", "yrkesgruppe": "sykepleier"}


@pytest.mark.parametrize(("mode", "writes_at_start"), [("confidential", 4), ("anonymous", 3)])
def test_the_link_reads_once_and_writes_what_it_marks(app, respondent, mode, writes_at_start):
    campaign_id, slug = make_campaign(app, mode)
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
    # The link; the response, its confidential participation (confidential only), its
    # pre-filled answers (one multi-row upsert); the day it was started. Where to go is
    # worked out from the prefill.
    assert respondent.last.status_code == 302
    assert len(seen) == 1 + writes_at_start, seen
    first = respondent.last.headers["Location"]
    assert first.endswith("/side/stilling")

    review = answer_pages(respondent, first, WANTS_MORE)
    respondent.get(review)
    with statements(app) as seen:
        respondent.post(f"/s/{slug}/send")
    # The draft with its answers; the claim (anonymous: with the invitation key cut); the
    # invitation marked used. Every stored answer is final, so there is nothing to delete.
    assert respondent.last.headers["Location"].endswith("/kvittering")
    assert len(seen) == 3, seen
    with statements(app) as seen:
        respondent.get(respondent.last.headers["Location"])
    # The receipt: the response with its campaign and version, without its answers.
    assert respondent.last.status_code == 200
    assert len(seen) == 1 and "answer" not in seen[0], seen
    with app.app_context():
        row = find_invitation(token)
        assert row.opened_on == row.started_on == row.used_on == days(0)
        [(key, status)] = db.session.execute(select(Response.invitation_key, Response.status))
        assert status == "submitted"
        assert (key is None) == (mode == "anonymous")


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


def test_answers_no_longer_relevant_are_dropped_at_send(app, respondent):
    """A changed mind keeps the draft's other answers (nothing typed is lost); the send keeps
    only the final ones. The draft read by the send knows what is stored: here there is
    something to delete."""
    campaign_id, slug = make_campaign(app, "confidential")
    token = invite(app, campaign_id)
    answer_pages(respondent, start(respondent, token), WANTS_MORE)
    # Full time after all, and content with it.
    review = answer_pages(respondent, f"/s/{slug}/side/stilling", WANTS_NOTHING_MORE)

    def stored() -> set[str]:
        with app.app_context():
            return set(db.session.scalars(select(Answer.question)))

    assert {"onsket_prosent", "villig_helger", "oppstart_uker"} <= stored()
    respondent.get(review)
    respondent.post(f"/s/{slug}/send")
    assert respondent.last.headers["Location"].endswith("/kvittering")
    assert stored() == {name for page in WANTS_NOTHING_MORE.values() for name in page}
