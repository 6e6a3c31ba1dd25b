"""Once an anonymous or confidential response is sent, the browser's signed session cookie
no longer ties it to the invitation it came through."""

from __future__ import annotations

import pytest

from tests.conftest import Respondent
from tests.web.helpers import FULL_TIME, make_campaign, make_invitations


def _session(app, client) -> dict:
    """The cookie as the browser holds it, decoded with the app's key."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def _answer_and_send(respondent: Respondent, token: str, slug: str) -> None:
    respondent.get(f"/i/{token}")
    respondent.post(f"/i/{token}", follow=True)
    respondent.answer_page(FULL_TIME)
    respondent.get(respondent.last.headers["Location"])
    respondent.answer_page({"fornoyd_storrelse": "yes"})
    respondent.get(respondent.last.headers["Location"])
    respondent.answer_page({})
    respondent.get(f"/s/{slug}/oppsummering")
    respondent.post(f"/s/{slug}/send")
    assert respondent.last.headers["Location"].endswith("/kvittering")


@pytest.mark.parametrize("mode", ["anonymous", "confidential"])
def test_cookie_drops_the_invitation_once_the_response_is_sent(app, client, mode):
    from survey.campaigns.models import Invitation
    from survey.extensions import db

    campaign_id, slug = make_campaign(app, mode=mode)
    [token] = make_invitations(app, campaign_id)
    respondent = Respondent(client)
    respondent.get(f"/i/{token}")
    respondent.post(f"/i/{token}", follow=True)
    # While answering, the cookie needs the invitation to mark it used on sending.
    with app.app_context():
        [invitation_id] = db.session.scalars(db.select(Invitation.id)).all()
    assert _session(app, client)["invitations"] == {slug: invitation_id}

    _answer_and_send(respondent, token, slug)
    cookie = _session(app, client)
    assert slug not in cookie.get("invitations", {})
    assert invitation_id not in cookie.get("invitations", {}).values()
    # The receipt still shows: the respondent sees that their answers were sent.
    receipt = client.get(f"/s/{slug}/kvittering")
    assert receipt.status_code == 200
