"""Acceptance: heltid-arlig answered on a 360×740 phone in real Chromium, with and without
JavaScript, along a branch with the conditions pages and one without; the browser is closed
mid-way and the respondent resumes; what is stored is checked in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.answering.models import Answer, ConfidentialParticipation, Response, Status
from survey.campaigns.models import Invitation
from survey.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import Phone
from tests.web.helpers import make_campaign, make_invitations

pytestmark = pytest.mark.browser


def stored_answers(app) -> list[tuple[Response, dict]]:
    with app.app_context():
        rows = []
        for response in db.session.scalars(select(Response)):
            answers = dict(
                db.session.execute(
                    select(Answer.question, Answer.value).where(Answer.response_id == response.id)
                ).all()
            )
            db.session.expunge(response)
            rows.append((response, answers))
        return rows


@pytest.fixture(params=[False, True], ids=["no-javascript", "javascript"])
def javascript(request) -> bool:
    return request.param


def test_part_timer_wanting_more_sees_the_conditions_pages(
    live_app, browser, axe_source, javascript
):
    campaign_id, slug = make_campaign(live_app, mode="confidential")
    [token] = make_invitations(
        live_app,
        campaign_id,
        1,
        [{"enhet": "omsorgssenter_b", "yrkesgruppe": "assistent", "stillingsprosent": 50}],
    )
    phone = Phone(
        browser,
        live_app.config["LIVE_URL"],
        axe_source,
        ARTIFACTS / ("js" if javascript else "nojs") / "conditions",
        javascript=javascript,
    )
    phone.goto(f"/i/{token}")
    assert "konfidensielt" in phone.text() or "fortrolige" in phone.text()
    phone.click("Start")

    assert phone.path == f"/s/{slug}/side/stilling"
    assert "Side 1 av" in phone.text()
    # Pre-filled from the invitation.
    assert phone.page.locator('input[name="enhet"][value="omsorgssenter_b"]').is_checked()
    assert phone.page.locator('input[name="stillingsprosent"]').input_value() == "50"
    phone.choose("ansettelsesform", "fast")
    phone.click("Neste")

    assert phone.path == f"/s/{slug}/side/onske"
    phone.choose("fornoyd_storrelse", "no")
    assert not phone.visible("onsket_prosent")
    phone.choose("onsket_endring", "storre")
    if javascript:
        # The script evaluates the same expression and shows the question at once.
        assert phone.visible("onsket_prosent")
    else:
        phone.click("Neste")
        assert phone.path == f"/s/{slug}/side/onske"
        assert "flere spørsmål" in phone.text().lower()
    assert phone.visible("onsket_prosent")
    phone.fill("onsket_prosent", "80")
    phone.choose("onsket_fast", "yes")
    phone.click("Neste")

    assert phone.path == f"/s/{slug}/side/helger"
    phone.choose("villig_helger", "oftere")
    phone.choose("villig_langvakter", "yes")
    if not javascript:
        phone.click("Neste")
        assert phone.path == f"/s/{slug}/side/helger"
    phone.fill("helger_per_ar", "20")
    phone.choose("langvakt_hyppighet", "hver_4")
    phone.click("Neste")
    assert phone.path == f"/s/{slug}/side/andre_ordninger"

    # The phone's browser is closed; the personal link brings the respondent back.
    phone.close()
    phone.open()
    phone.goto(f"/i/{token}")
    phone.click("Fortsett der du slapp")
    assert phone.path == f"/s/{slug}/side/andre_ordninger"

    phone.choose("villig_andre_enheter", "annen_enhet")
    phone.choose("andre_vakter", "kveld")
    phone.choose("andre_vakter", "natt")
    phone.choose("ubundet_tid", "yes")
    phone.choose("fagbrev", "yes")  # asked because yrkesgruppe is assistent
    phone.click("Neste")

    assert phone.path == f"/s/{slug}/side/oppstart"
    phone.fill("oppstart_uker", "4")
    phone.choose("onske_skriftlig", "yes")
    phone.choose("forsokt_flere_timer", "no")
    phone.click("Neste")

    assert phone.path == f"/s/{slug}/side/arsaker"
    phone.choose("arsaker_deltid", "omsorg")
    phone.choose("arsaker_deltid", "ikke_tilbudt")
    phone.click("Neste")

    assert phone.path == f"/s/{slug}/side/avslutning"
    phone.fill("kommentar", "Kan jobbe mer når barna begynner i barnehagen.")
    phone.click("Neste")

    assert phone.path == f"/s/{slug}/oppsummering"
    review = " ".join(phone.text().split())
    assert "80 %" in review and "Kveldsvakter, Nattevakter" in review
    phone.click("Send svarene")
    assert phone.path == f"/s/{slug}/kvittering"
    # Back after submitting leads to the receipt, never to a second send.
    phone.page.go_back()
    assert phone.path == f"/s/{slug}/kvittering"
    [(response, answers)] = stored_answers(live_app)
    assert response.status is Status.SUBMITTED
    assert answers == {
        "enhet": "omsorgssenter_b",
        "yrkesgruppe": "assistent",
        "stillingsprosent": 50,
        "ansettelsesform": "fast",
        "fornoyd_storrelse": "no",
        "onsket_endring": "storre",
        "onsket_prosent": 80,
        "onsket_fast": "yes",
        "villig_helger": "oftere",
        "helger_per_ar": 20,
        "villig_langvakter": "yes",
        "langvakt_hyppighet": "hver_4",
        "villig_andre_enheter": "annen_enhet",
        "andre_vakter": ["kveld", "natt"],
        "ubundet_tid": "yes",
        "fagbrev": "yes",
        "oppstart_uker": 4,
        "onske_skriftlig": "yes",
        "forsokt_flere_timer": "no",
        "arsaker_deltid": ["omsorg", "ikke_tilbudt"],
        "kommentar": "Kan jobbe mer når barna begynner i barnehagen.",
    }
    with live_app.app_context():
        assert db.session.scalars(select(Invitation)).one().used_on is not None
        assert (
            db.session.scalars(select(ConfidentialParticipation)).one().response_id == response.id
        )
    phone.close()


def test_full_timer_skips_the_conditions_and_resumes_with_a_code(
    live_app, browser, axe_source, javascript
):
    _, slug = make_campaign(live_app, mode="anonymous")
    phone = Phone(
        browser,
        live_app.config["LIVE_URL"],
        axe_source,
        ARTIFACTS / ("js" if javascript else "nojs") / "full-time",
        javascript=javascript,
    )
    phone.goto(f"/s/{slug}")
    assert "anonyme" in phone.text()
    phone.click("Start")
    code = phone.page.locator(".resume-code").inner_text()

    phone.choose("enhet", "hjemmetjenesten")
    phone.choose("yrkesgruppe", "sykepleier")
    phone.fill("stillingsprosent", "100")
    phone.choose("ansettelsesform", "fast")
    phone.click("Neste")
    assert phone.path == f"/s/{slug}/side/onske"
    assert not phone.visible("onsket_endring")  # only for part-timers
    phone.choose("fornoyd_storrelse", "yes")
    phone.click("Neste")
    # Full time: straight to the last page, skipping conditions and reasons.
    assert phone.path == f"/s/{slug}/side/avslutning"

    phone.close()
    phone.open()
    phone.goto(f"/s/{slug}")
    phone.fill("code", code)
    phone.click("Fortsett")
    assert phone.path == f"/s/{slug}/side/avslutning"
    phone.click("Neste")
    assert phone.path == f"/s/{slug}/oppsummering"
    phone.click("Send svarene")
    assert phone.path == f"/s/{slug}/kvittering"

    [(response, answers)] = stored_answers(live_app)
    assert response.status is Status.SUBMITTED
    assert response.resume_hash is None and response.invitation_key is None
    assert answers == {
        "enhet": "hjemmetjenesten",
        "yrkesgruppe": "sykepleier",
        "stillingsprosent": 100,
        "ansettelsesform": "fast",
        "fornoyd_storrelse": "yes",
    }
    phone.close()
