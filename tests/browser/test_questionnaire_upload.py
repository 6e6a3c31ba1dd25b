"""The issue's acceptance test, on a 360 px phone in real Chromium: a project leader uploads an
XLSForm (KoboToolbox style: pages, branching, piping, a table-list Likert grid), previews it
(a question appears after an answer; a later label shows an earlier answer; nothing stored),
activates it, creates a survey with it, and a respondent answers it, the grid included. Every
page is checked with axe, for horizontal scrolling and by the HTML validator, and
photographed (tests/artifacts/browser/questionnaire-upload)."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import Phone
from tests.conftest import ROOT, STAFF_PASSWORD, make_person

KOBO_STYLE = ROOT / "tests" / "data" / "xlsform" / "kobo_style.xlsx"
BROKEN = ROOT / "tests" / "data" / "xlsform" / "broken_unknown_type.xlsx"


def _nb(app, message: str, **values) -> str:
    """A message as the nb pages show it."""
    with app.test_request_context(), force_locale("nb"):
        return gettext(message, **values)


def _log_in(device: Phone, email: str) -> None:
    device.goto("/logg-inn")
    device.page.get_by_label("E-post").fill(email)
    device.page.get_by_label("Passord").fill(STAFF_PASSWORD)
    device.click("Logg inn")


def _rows(app, model) -> int:
    from survey.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_upload_preview_activate_and_answer_an_xlsform_on_a_phone(live_app, browser, axe_source):
    from survey.answering.models import Answer, Response
    from survey.questionnaires.models import QuestionnaireUpload

    app = live_app
    make_person(app, "prosjektleder", email="pia@kommune.no", name="Pia Prosjekt")
    phone = Phone(
        browser,
        app.config["LIVE_URL"],
        axe_source,
        ARTIFACTS / "questionnaire-upload",
        javascript=True,
    )
    try:
        _log_in(phone, "pia@kommune.no")
        phone.menu(_nb(app, "Questionnaires"))
        phone.inspect()
        phone.page.get_by_role("link", name=_nb(app, "Upload a questionnaire")).click()
        phone.inspect()

        # A broken XLSForm: every problem with its sheet and row, nothing stored.
        phone.page.set_input_files("#file", str(BROKEN))
        phone.page.get_by_label(_nb(app, "Questionnaire id (for an XLSForm)")).fill("deltid-kobo")
        phone.click(_nb(app, "Upload and check"))
        assert "broken_unknown_type.xlsx:survey:4: unknown type 'integr'" in phone.text()
        assert _rows(app, QuestionnaireUpload) == 0

        # The upload: an XLSForm without form_id gets its id from the form.
        phone.page.set_input_files("#file", str(KOBO_STYLE))
        phone.page.get_by_label(_nb(app, "Questionnaire id (for an XLSForm)")).fill("deltid-kobo")
        phone.click(_nb(app, "Upload and check"))
        text = phone.text()
        assert _nb(app, "The file passed every check. Preview it, then activate it.") in text
        assert "Deltid og arbeidsmiljø" in text
        assert (
            _nb(
                app,
                "A new questionnaire: activating it stores it as version %(version)s.",
                version=2,
            )
            in text
        )
        detail = phone.path

        # The preview, with the script: branching live on the page.
        responses_before, answers_before = _rows(app, Response), _rows(app, Answer)
        phone.page.get_by_role("link", name=_nb(app, "Preview as a respondent")).click()
        phone.inspect()
        assert _nb(app, "Preview – nothing is stored") in phone.text()
        phone.fill("fornavn", "Kari")
        # Piping on the same page, as the name is typed (the script; without it, after «Neste»).
        assert "Hei Kari! Jobber du deltid?" in phone.text()
        assert not phone.visible("timer")
        phone.choose("deltid", "yes")
        assert phone.visible("timer"), "the question after «yes» did not appear"
        phone.inspect()
        phone.fill("timer", "20")
        phone.click("Neste")
        # Piping: the grid's label shows the name given on the page before.
        assert "Hvor enig er du, Kari?" in phone.text()
        phone.choose("samarbeid_kolleger", "4")
        phone.choose("samarbeid_leder", "5")
        phone.click("Neste")
        text = phone.text()
        assert _nb(app, "Check your answers") in text
        assert "Kari" in text
        # Nothing stored by the preview.
        assert (_rows(app, Response), _rows(app, Answer)) == (responses_before, answers_before)

        # Activate.
        phone.page.get_by_role("link", name=_nb(app, "Back to the upload (activate)")).first.click()
        phone.inspect()
        assert phone.path == detail
        phone.click(_nb(app, "Activate the questionnaire"))
        assert (
            _nb(
                app,
                "«%(id)s» version %(version)s is active. You can choose it when you create a survey.",
                id="deltid-kobo",
                version=2,
            )
            in phone.text()
        )

        # A survey with it, open from today.
        phone.goto("/kampanjer/ny")
        phone.page.get_by_label(_nb(app, "Questionnaire"), exact=True).select_option("deltid-kobo")
        phone.page.locator('label[for="mode-anonymous"]').click()
        phone.page.get_by_label(_nb(app, "Title (bokmål)"), exact=True).fill("Deltid 2027")
        opens = dt.date.today()
        phone.page.get_by_label(_nb(app, "Opens on"), exact=True).fill(opens.isoformat())
        phone.page.get_by_label(_nb(app, "Closes on"), exact=True).fill(
            (opens + dt.timedelta(days=28)).isoformat()
        )
        phone.click(_nb(app, "Create the survey"))
        assert _nb(app, "The survey is created.") in phone.text()

        from survey.campaigns.models import Campaign
        from survey.extensions import db

        with app.app_context():
            slug = db.session.scalars(
                select(Campaign.slug).where(Campaign.questionnaire_id == "deltid-kobo")
            ).one()

        # A respondent answers it on their own phone (a fresh session, nobody logged in).
        phone.context.close()
        phone.open()
        phone.goto(f"/s/{slug}")
        phone.click("Start")
        phone.fill("fornavn", "Ola")
        phone.choose("deltid", "yes")
        phone.fill("timer", "24")
        phone.click("Neste")
        assert "Hvor enig er du, Ola?" in phone.text()
        assert phone.page.locator("#q-samarbeid_kolleger fieldset").count() == 1
        phone.choose("samarbeid_kolleger", "2")
        phone.choose("samarbeid_leder", "5")
        phone.choose("vakter", "kveld")
        phone.click("Neste")
        phone.click("Send svarene")

        with app.app_context():
            response = db.session.scalars(
                select(Response).join(Campaign).where(Campaign.slug == slug)
            ).one()
            stored = dict(
                db.session.execute(
                    select(Answer.question, Answer.value).where(Answer.response_id == response.id)
                ).all()
            )
        assert response.status.value == "submitted"
        assert stored["samarbeid_kolleger"] in ("2", 2)
        assert stored["samarbeid_leder"] in ("5", 5)
        assert stored["timer"] == 24
        assert stored["vakter"] == ["kveld"]
    finally:
        phone.close()
