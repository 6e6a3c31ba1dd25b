"""In real Chromium set to English (en-US): an employee who asks for a correction without
writing anything sees the app's own message in the page's language (English, then nynorsk
after choosing it), not the browser's `required` bubble, which would keep the form from
being sent at all."""

from __future__ import annotations

import datetime as dt

from survey.accounts.models import Person, TokenPurpose
from survey.living.models import Source
from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import Phone
from tests.conftest import make_person


class EnglishChromium:
    """The session's Chromium, with every context speaking US English."""

    def __init__(self, browser):
        self.browser = browser

    def new_context(self, **options):
        return self.browser.new_context(**{**options, "locale": "en-US"})


def test_an_empty_correction_request_shows_the_apps_message(live_app, browser, axe_source):
    app = live_app
    employee_id = make_person(app, unit="omsorg_a", email="eva@kommune.no", name="Eva Ansatt")
    with app.app_context():
        from survey.accounts.services import issue_token
        from survey.extensions import db
        from survey.living import services

        person = db.session.get(Person, employee_id)
        services.save_revision(
            services.document_for(person),
            {"stillingsprosent": 50, "onsket_endring": "storre", "onsket_prosent": 80},
            base=0,
            author=None,
            author_role="prosjektleder",
            source=Source.CONVERSATION,
        )
        token = issue_token(person, TokenPurpose.LOGIN, dt.timedelta(days=7))
        db.session.commit()

    phone = Phone(
        EnglishChromium(browser),
        app.config["LIVE_URL"],
        axe_source,
        ARTIFACTS / "correction-message",
        javascript=True,
    )
    assert phone.page.evaluate("navigator.language") == "en-US"
    phone.goto(f"/lenke/{token}")
    phone.click("Log in")
    phone.goto("/meg/")
    phone.click("Ask for a correction")
    assert phone.path == "/meg/korriger"
    summary = phone.page.locator(".error-summary")
    assert "Your request for a correction was not sent" in summary.inner_text()
    assert "Write what is wrong, so we can correct it." in summary.inner_text()
    assert phone.page.title().startswith("Error:")
    summary.get_by_role("link").click()
    assert phone.page.evaluate("document.activeElement.id") == "comment"

    phone.goto("/sprak/nn?next=/meg/")
    phone.click("Be om retting")
    assert phone.path == "/meg/korriger"
    text = phone.text()
    assert "Vi har ikkje fått førespurnaden din om retting" in text
    assert "Skriv kva som er feil, så vi kan rette det." in text
    phone.close()
