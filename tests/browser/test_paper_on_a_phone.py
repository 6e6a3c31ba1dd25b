"""Typing in a paper answer on a 360 px phone without JavaScript, in real Chromium: the
campaign page's «Papirversjon» section, the answering pages with their banner, a page sent
with required questions left blank, the receipt's «Registrer et nytt papirsvar», and the
count on the campaign page. Every page is checked with axe, for horizontal scrolling and by
the HTML validator, and photographed (tests/artifacts/browser/paper/)."""

from __future__ import annotations

from tests.answering.helpers import make_campaign
from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import Phone
from tests.conftest import STAFF_PASSWORD, make_person


def test_a_project_leader_types_in_a_paper_answer_on_a_phone(live_app, browser, axe_source):
    app = live_app
    campaign_id, slug = make_campaign(app, "confidential", title="Kartlegging 2027")
    make_person(app, "prosjektleder", email="pia@kommune.no", name="Pia Prosjekt")
    phone = Phone(
        browser, app.config["LIVE_URL"], axe_source, ARTIFACTS / "paper", javascript=False
    )
    try:
        phone.goto("/logg-inn")
        phone.page.get_by_label("E-post").fill("pia@kommune.no")
        phone.page.get_by_label("Passord").fill(STAFF_PASSWORD)
        phone.click("Logg inn")

        phone.goto(f"/kampanjer/{campaign_id}")
        text = phone.text()
        assert "Papirversjon" in text
        assert "Papirversjon på nynorsk (PDF)" in text
        assert "Et papirsvar lagres uten navn" in text

        phone.click("Registrer et papirsvar")
        assert phone.path == f"/s/{slug}/side/stilling"
        assert "Du registrerer et papirsvar." in phone.text()
        # What the respondent left blank stays blank: only two answers on this page.
        phone.fill_page({"enhet": "hjemmetjenesten", "stillingsprosent": "100"})
        phone.click("Neste")
        assert phone.path == f"/s/{slug}/side/onske"
        phone.click("Neste")
        assert phone.path == f"/s/{slug}/side/avslutning"
        phone.fill_page({"onsker_samtale": "no"})
        phone.click("Neste")
        assert phone.path == f"/s/{slug}/oppsummering"
        assert "Du registrerer et papirsvar." in phone.text()
        phone.click("Send svarene")
        text = phone.text()
        assert "Papirsvaret er lagret, uten navn." in text

        phone.click("Registrer et nytt papirsvar")
        assert phone.path == f"/s/{slug}/side/stilling"

        phone.goto(f"/kampanjer/{campaign_id}")
        text = phone.text()
        assert "1 svar mottatt i alt" in text
        assert "herav 1 på papir" in text
    finally:
        phone.close()
