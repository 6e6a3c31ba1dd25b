"""Reports in real Chromium on a phone without JavaScript: a unit leader downloads the heltid
report of their unit from «Rapporter»; an employee downloads their own living document as
PDF from «Min side». Pages are checked with axe and for horizontal scrolling."""

from __future__ import annotations

import subprocess

from survey.accounts.models import Person
from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import Phone
from tests.conftest import STAFF_PASSWORD, make_person

RECORD = {
    "enhet": "omsorgssenter_a",
    "yrkesgruppe": "helsefagarbeider",
    "ansettelsesform": "fast",
    "leder": "no",
    "stillingsprosent": 50,
    "onsket_endring": "storre",
    "onsket_prosent": 80,
    "arsaker_deltid": ["helse"],
}


def _save(app, person_id: int, author_id: int) -> None:
    from survey.extensions import db
    from survey.living import services
    from survey.living.models import Source

    with app.app_context():
        person, author = db.session.get(Person, person_id), db.session.get(Person, author_id)
        services.save_revision(
            services.document_for(person),
            RECORD,
            base=0,
            author=author,
            author_role="prosjektleder",
            source=Source.CONVERSATION,
            questionnaire_id="kartleggingssamtale",
        )
        db.session.commit()


def _campaign(app, unit: str, trivsel: list[int]) -> None:
    """A confidential survey with one submitted answer per «trivsel» value, all from `unit`."""
    import datetime as dt

    from survey.answering.models import Answer, Response, Status
    from survey.campaigns.models import Campaign, Mode
    from survey.extensions import db
    from survey.questionnaires.services import latest_version

    with app.app_context():
        version = latest_version("arbeidsmiljo")
        campaign = Campaign(
            slug="amu", questionnaire_id="arbeidsmiljo", mode=Mode.CONFIDENTIAL, title="AMU"
        )
        db.session.add(campaign)
        db.session.flush()
        for value in trivsel:
            response = Response(
                campaign_id=campaign.id,
                questionnaire_version_id=version.id,
                status=Status.SUBMITTED,
                submitted_on=dt.date(2025, 3, 1),
            )
            db.session.add(response)
            db.session.flush()
            for name, answer in (("enhet", unit), ("trivsel", value)):
                db.session.add(Answer(response_id=response.id, question=name, value=answer))
        db.session.commit()


def _text(pdf_path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _log_in(device: Phone, email: str) -> None:
    device.goto("/logg-inn")
    device.page.get_by_label("E-postadresse").fill(email)
    device.page.get_by_label("Passord").fill(STAFF_PASSWORD)
    device.click("Logg inn")


def test_unit_report_and_own_pdf_on_a_phone(live_app, browser, axe_source, tmp_path):
    app = live_app
    leader = make_person(app, "enhetsleder", unit="omsorg_a", email="lise@kommune.no")
    employee = make_person(app, unit="omsorg_a", email="eva@kommune.no", name="Eva Ansatt")
    for index in range(5):
        other = make_person(app, unit="omsorg_a", name=f"Ansatt {index}")
        _save(app, other, leader)
    _save(app, employee, leader)
    _campaign(app, "omsorg_a", [3, 4, 4, 5, 5, 6])

    phone = Phone(
        browser, app.config["LIVE_URL"], axe_source, ARTIFACTS / "reports", javascript=False
    )
    _log_in(phone, "lise@kommune.no")
    phone.menu("Rapporter")
    phone.inspect()
    # The unit leader can only choose their own unit.
    options = phone.page.locator("#heltid-scope option").all_inner_texts()
    assert options == ["Omsorg A (med underenheter)"]
    phone.page.locator('label[for="heltid-format-pdf"]').click()
    with phone.page.expect_download() as download:
        phone.page.locator("#heltid").get_by_role("button", name="Last ned").click()
    path = tmp_path / "heltid.pdf"
    download.value.save_as(path)
    assert path.read_bytes()[:5] == b"%PDF-"
    text = _text(path)
    assert "Omsorg A" in text and "N = 6" in text

    # «Resultater»: the survey's report on screen, tables scrolling inside the page.
    phone.menu("Resultater")
    phone.inspect()
    page = phone.text()
    assert "AMU" in page and "svar fra Omsorg A" in page
    captions = phone.page.locator("caption").all_inner_texts()
    assert "Svar etter enhet (N = 6)" in captions
    phone.close()

    # The employee downloads their own living document from «Min side».
    with app.app_context():
        from survey.accounts.services import set_password
        from survey.extensions import db

        set_password(db.session.get(Person, employee), STAFF_PASSWORD)
        db.session.commit()
    phone = Phone(
        browser, app.config["LIVE_URL"], axe_source, ARTIFACTS / "reports-own", javascript=False
    )
    _log_in(phone, "eva@kommune.no")
    phone.goto("/meg/")
    with phone.page.expect_download() as download:
        phone.page.get_by_role("link", name="Last ned det levende dokumentet ditt (PDF)").click()
    path = tmp_path / "own.pdf"
    download.value.save_as(path)
    text = _text(path)
    assert "Eva Ansatt" in text and "80 %" in text
    phone.close()
