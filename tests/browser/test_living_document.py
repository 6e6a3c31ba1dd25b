"""The living document end to end, in real Chromium: a project leader holds the mapping
conversation on a tablet and saves it; the employee confirms it on a phone (without
JavaScript), later changes the position size they want; the project leader finds the change in
«Endringer» and reads both versions and the difference in the history. Every page is checked
for WCAG 2.1 A/AA with axe and for horizontal scrolling, and photographed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from survey.accounts.models import Person, TokenPurpose
from survey.living.models import Confirmation, LivingDocument, Revision, Source
from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import TABLET, Phone
from tests.conftest import STAFF_PASSWORD, make_person

# The answers the project leader types in, question by question; a question is answered only
# when the page shows it.
CONVERSATION = {
    "enhet": "omsorgssenter_a",
    "yrkesgruppe": "helsefagarbeider",
    "ansettelsesform": "fast",
    "leder": "no",
    "stillingsprosent": "50",
    "flere_stillinger": "no",
    "vakter_na": ["dag", "kveld"],
    "fornoyd_storrelse": "no",
    "fornoyd_turnus": "yes",
    "onsket_endring": "storre",
    "onsket_prosent": "80",
    "onsket_fast": "yes",
    "villig_helger": "hver_3",
    "villig_langvakter": "no",
    "villig_andre_enheter": "kombijobbing",
    "andre_vakter": ["dag"],
    "tar_ledige_vakter": "yes",
    "ubundet_tid": "no",
    "interesse_arsturnus": "yes",
    "interesse_onsketurnus": "no",
    "oppstart_uker": "4",
    "venter_barnehageplass": "no",
    "onske_skriftlig": "yes",
    "forsokt_flere_timer": "yes",
    "kvalifisert": "yes",
    "arsaker_deltid": ["ikke_tilbudt"],
    "notater": "Kan ta flere helger fra høsten.",
    "avtalte_tiltak": "Får tilbud om 30 % når stillingen blir ledig.",
}


def answer_until_review(device: Phone, answers: dict) -> None:
    for _step in range(20):
        if device.path.endswith("/oppsummering"):
            return
        device.fill_page(answers)
        device.click("Neste")
    raise AssertionError("never reached the review page")


def log_in_with_password(device: Phone, email: str) -> None:
    device.goto("/logg-inn")
    device.page.get_by_label("E-post").fill(email)
    device.page.get_by_label("Passord").fill(STAFF_PASSWORD)
    device.click("Logg inn")


def test_conversation_on_a_tablet_confirmation_and_change_on_a_phone(live_app, browser, axe_source):
    app = live_app
    base = app.config["LIVE_URL"]
    leader_id = make_person(app, "prosjektleder", email="pia@kommune.no", name="Pia Prosjekt")
    employee_id = make_person(app, unit="omsorg_a", email="eva@kommune.no", name="Eva Ansatt")
    with app.app_context():
        from survey.accounts.services import issue_token
        from survey.extensions import db

        token = issue_token(
            db.session.get(Person, employee_id), TokenPurpose.LOGIN, dt.timedelta(days=7)
        )
        db.session.commit()

    # --- the project leader, on a tablet ------------------------------------------------------
    tablet = Phone(
        browser, base, axe_source, ARTIFACTS / "living-tablet", javascript=True, viewport=TABLET
    )
    log_in_with_password(tablet, "pia@kommune.no")
    tablet.goto("/personer/")
    tablet.page.get_by_label("Søk på navn eller ansattnummer").fill("Eva")
    tablet.page.get_by_role("button", name="Søk").click()
    tablet.page.get_by_role("link", name="Eva Ansatt").click()
    tablet.inspect()
    tablet.page.get_by_role("link", name="Hold den første kartleggingssamtalen").click()
    tablet.inspect()
    tablet.click("Start samtalen")
    answer_until_review(tablet, CONVERSATION)
    assert "Får tilbud om 30 % når stillingen blir ledig." in tablet.text()
    tablet.click("Lagre som ny versjon")
    assert tablet.path == f"/personer/{employee_id}"
    assert "Lagret som versjon 1." in tablet.text()
    assert "Ufrivillig deltid" in tablet.text()

    # --- the employee, on a phone without JavaScript ------------------------------------------
    phone = Phone(browser, base, axe_source, ARTIFACTS / "living-phone", javascript=False)
    phone.goto(f"/lenke/{token}")
    phone.click("Logg inn")
    phone.goto("/meg/")
    text = phone.text()
    assert "80 %" in text and "Ikke bekreftet" in text
    phone.click("Jeg bekrefter at dette stemmer")
    assert "Sist bekreftet" in phone.text()

    # Meanwhile the project leader starts a follow-up conversation and records 90 % …
    tablet.goto(f"/samtaler/{employee_id}")
    tablet.click("Start samtalen")
    answer_until_review(tablet, {**CONVERSATION, "onsket_prosent": "90"})
    # Later: they would like a full-time position now.
    phone.page.get_by_role("link", name="Oppdater ønskene mine").click()
    phone.inspect()
    phone.click("Oppdater ønskene mine")
    answer_until_review(phone, {**CONVERSATION, "onsket_prosent": "100"})
    phone.click("Lagre som ny versjon")
    assert phone.path == "/meg/"
    assert "100 %" in phone.text()
    phone.close()

    # … and saves after the employee did: the conflict page shows both versions.
    tablet.click("Lagre som ny versjon")
    assert tablet.path == f"/samtaler/{employee_id}/konflikt"
    conflict = tablet.text()
    assert "Dokumentet ble endret mens du arbeidet" in conflict
    assert "100 %" in conflict and "90 %" in conflict
    tablet.click("Behold den lagrede versjonen og forkast min")
    assert tablet.path == f"/personer/{employee_id}"

    # --- the project leader sees it in «Endringer» and in the history -------------------------
    tablet.goto("/meg/")
    tablet.menu("Endringer")
    tablet.inspect()
    inbox = tablet.text()
    assert "Eva Ansatt" in inbox and "Hvor stor stilling ønsker hen?" in inbox
    tablet.page.get_by_role("link", name="Se endringene").click()
    tablet.inspect()
    history = tablet.text()
    assert history.index("Versjon 2") < history.index("Versjon 1")
    assert "Før: 80 %" in history and "Nå: 100 %" in history
    tablet.page.get_by_role("link", name="Tilbake til Eva Ansatt").click()
    tablet.inspect()
    tablet.goto("/klassifisering/")
    assert "Eva Ansatt" in tablet.text()
    tablet.goto("/levende/bekreftelser")
    tablet.close()

    with app.app_context():
        from survey.extensions import db

        revisions = db.session.scalars(
            select(Revision)
            .join(LivingDocument)
            .where(LivingDocument.person_id == employee_id)
            .order_by(Revision.number)
        ).all()
        assert [(r.number, r.source, r.author_id) for r in revisions] == [
            (1, Source.CONVERSATION, leader_id),
            (2, Source.EMPLOYEE, employee_id),
        ]
        assert revisions[1].changed_fields == ["onsket_prosent"]
        [confirmation] = db.session.scalars(select(Confirmation)).all()
        assert confirmation.revision_number == 1
