"""The campaign pages on a 360 px phone without JavaScript, in real Chromium: a project
leader creates a survey, chooses whom to invite from the roster, sees the preview, sends the
invitations, reads the texts and the delivery. Every page is checked with axe, for
horizontal scrolling and by the HTML validator, and photographed."""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import func, select

from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import Phone
from tests.conftest import STAFF_PASSWORD, make_person
from tests.web.test_campaign_pages import make_roster


def _nb(app, message: str, **values) -> str:
    """A message as the nb pages show it (the msgid until it is translated)."""
    with app.test_request_context(), force_locale("nb"):
        return gettext(message, **values)


def _nb_plural(app, singular: str, plural: str, num: int, **values) -> str:
    with app.test_request_context(), force_locale("nb"):
        return ngettext(singular, plural, num, **values)


def _log_in(device: Phone, email: str) -> None:
    device.goto("/logg-inn")
    device.page.get_by_label("E-post").fill(email)
    device.page.get_by_label("Passord").fill(STAFF_PASSWORD)
    device.click("Logg inn")


def test_a_project_leader_invites_the_roster_on_a_phone(live_app, browser, axe_source):
    app = live_app
    make_roster(app)
    make_person(app, "prosjektleder", email="pia@kommune.no", name="Pia Prosjekt")
    phone = Phone(
        browser,
        app.config["LIVE_URL"],
        axe_source,
        ARTIFACTS / "campaign-pages",
        javascript=False,
    )
    try:
        _log_in(phone, "pia@kommune.no")
        phone.goto("/kampanjer/")
        assert _nb(app, "No surveys yet.") in phone.text()

        # A new survey.
        phone.page.get_by_role("link", name=_nb(app, "New survey")).click()
        phone.inspect()
        phone.page.get_by_label(_nb(app, "Questionnaire"), exact=True).select_option("heltid-arlig")
        phone.page.locator('label[for="mode-identified"]').click()
        phone.page.get_by_label(_nb(app, "Title (bokmål)"), exact=True).fill("Heltid 2027")
        opens = dt.date.today()
        phone.page.get_by_label(_nb(app, "Opens on"), exact=True).fill(opens.isoformat())
        # A closing date before the opening date is refused, with the reason by the field.
        phone.page.get_by_label(_nb(app, "Closes on"), exact=True).fill(
            (opens - dt.timedelta(days=1)).isoformat()
        )
        phone.page.get_by_label(_nb(app, "Reminder days"), exact=True).fill("7, 3")
        phone.click(_nb(app, "Create the survey"))
        assert _nb(app, "The closing date cannot be before the opening date.") in phone.text()
        phone.page.get_by_label(_nb(app, "Closes on"), exact=True).fill(
            (opens + dt.timedelta(days=28)).isoformat()
        )
        phone.click(_nb(app, "Create the survey"))
        text = phone.text()
        assert _nb(app, "The survey is created.") in text
        assert "Heltid 2027" in text
        assert _nb(app, "%(days)s days before closing", days="7, 3") in text
        assert _nb(app, "Open for answers") in text
        detail = phone.path

        # Whom to invite: Omsorg with its sub-units.
        phone.page.get_by_role("link", name=_nb(app, "Choose whom to invite")).click()
        phone.inspect()
        phone.page.get_by_label(_nb(app, "Unit"), exact=True).select_option("omsorg")
        phone.page.locator('label[for="underenheter"]').click()
        phone.click(_nb(app, "Show who is chosen"))
        text = phone.text()
        assert (
            _nb_plural(
                app,
                "%(num)d person chosen on the roster",
                "%(num)d people chosen on the roster",
                5,
            )
            in text
        )
        assert "Omsorg A" in text and "Omsorg B" in text
        send = _nb_plural(app, "Send %(num)d invitation", "Send %(num)d invitations", 5)
        phone.click(send)
        assert phone.path == detail
        text = phone.text()
        assert (
            _nb_plural(
                app,
                "%(num)d invitation created: %(email)d by e-mail, %(sms)d by SMS, "
                "%(letter)d letters to print.",
                "%(num)d invitations created: %(email)d by e-mail, %(sms)d by SMS, "
                "%(letter)d letters to print.",
                5,
                email=2,
                sms=2,
                letter=1,
            )
            in text
        )
        # Reloading the page after the POST (redirected) sends nothing again.
        phone.page.reload()
        assert _count_invitations(app) == 5

        # The texts, with the SMS length; an SMS too long is refused with the reason by it.
        phone.page.get_by_role("link", name=_nb(app, "Read and change the texts")).click()
        phone.inspect()
        assert _nb(app, "SMS length") in phone.text()
        sms = phone.page.get_by_label(_nb(app, "Invitation: SMS"), exact=True)
        sms.fill("Hei {name}! " + "Svar på undersøkelsen om arbeidstid. " * 4 + "{link}")
        phone.click(_nb(app, "Preview without saving"))
        assert _nb(app, "Nothing was saved. Correct what is marked below.") in phone.text()
        assert phone.page.locator(".has-error #invitation_sms").count() == 1
        assert phone.page.locator('.error-summary a[href="#invitation_sms"]').count() == 1
        sms = phone.page.get_by_label(_nb(app, "Invitation: SMS"), exact=True)
        sms.fill("Svar her: {link}")
        phone.click(_nb(app, "Preview without saving"))
        text = phone.text()
        assert _nb(app, "Preview of your changes (not saved)") in text
        assert "Svar her: http" in text

        # Delivery: four messages, sent (the SMS, right after the page) or waiting (the
        # e-mails: no mail server here); nothing failed.
        phone.goto(detail + "/utsendelse")
        text = phone.text()
        numbers = [int(n) for n in re.findall(r"^(\d+) ", text, re.M)]
        assert sum(numbers) == 4, text
        assert _nb(app, "No failures.") in text

        # A message the server refused: shown with the error, and tried again on request.
        _fail_one_email(app)
        phone.goto(detail + "/utsendelse")
        text = phone.text()
        assert "Anne Epost" in text and "550 5.1.1" in text
        phone.click(_nb(app, "Try again"))
        assert _nb(app, "The message will be sent again.") in phone.text()

        phone.goto("/kampanjer/")
        assert "Heltid 2027" in phone.text()
    finally:
        phone.close()


def _fail_one_email(app) -> None:
    from survey.db import unit_of_work
    from survey.extensions import db
    from survey.outbox.models import OutboxMessage, OutboxStatus

    with app.app_context(), unit_of_work():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "anne@kommune.no")
        ).one()
        message.status = OutboxStatus.FAILED
        message.attempts = 1
        message.last_error = "550 5.1.1 Recipient address rejected: User unknown"


def _count_invitations(app) -> int:
    from survey.campaigns.models import Invitation
    from survey.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Invitation))
