"""The follow-up list on a project leader's phone (360 px, without JavaScript), in real
Chromium: the list as cards with N, a filter, booking a conversation for someone with e-mail
and someone without any channel, marking one as held, and asking for re-confirmation. Every
page is checked with axe, for horizontal scrolling and HTML validity, and photographed."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import select

from survey.extensions import db
from survey.outbox.models import MessageKind, OutboxMessage
from tests.browser.conftest import ARTIFACTS
from tests.browser.phone import Phone
from tests.conftest import STAFF_PASSWORD, make_person
from tests.followup.conftest import build


def _nb(app, message: str, **values) -> str:
    """A message as the nb pages show it (the msgid until it is translated)."""
    with app.test_request_context(), force_locale("nb"):
        return gettext(message, **values)


def _nb_plural(app, singular: str, plural: str, num: int) -> str:
    with app.test_request_context(), force_locale("nb"):
        return ngettext(singular, plural, num)


def _messages(app):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_follow_up_on_a_phone(live_app, browser, axe_source):
    app = live_app
    app.config["OUTBOX_FLUSH_AFTER_REQUEST"] = False
    make_person(app, "prosjektleder", email="pia@kommune.no", name="Pia Prosjekt")
    town = build(app)
    phone = Phone(
        browser, app.config["LIVE_URL"], axe_source, ARTIFACTS / "followup-phone", javascript=False
    )
    phone.goto("/logg-inn")
    phone.page.get_by_label("E-post").fill("pia@kommune.no")
    phone.page.get_by_label("Passord").fill(STAFF_PASSWORD)
    phone.click("Logg inn")

    phone.menu(_nb(app, "Follow-up"))
    phone.inspect()
    assert phone.path == "/oppfolging/"
    text = phone.text()
    assert _nb_plural(app, "N = %(num)d person", "N = %(num)d people", 3) % {"num": 3} in text
    for name in ("Anna", "Bjørn", "Cecilie"):
        assert name in text
    for name in ("David", "Eva", "Frode"):
        assert name not in text
    assert _nb(app, "Wants a larger position") in text
    assert _nb(app, "Asked for a conversation") in text
    assert "50 % → " in text and "80 %" in text
    # Cards, one under the other: each fits the phone's width.
    cards = phone.page.locator(".followup-list > li")
    assert cards.count() == 3
    for index in range(3):
        assert cards.nth(index).bounding_box()["width"] <= 360

    # Filter on a yrkesgruppe (a GET form, no JavaScript).
    phone.page.get_by_label(_nb(app, "Yrkesgruppe")).select_option("sykepleier")
    phone.click(_nb(app, "Show"))
    text = phone.text()
    assert "Bjørn" in text and "Anna" not in text
    assert _nb(app, "N = %(shown)d of %(total)d people", shown=1, total=3) in text

    # Book a conversation with Anna (e-mail): a calendar invitation goes to the outbox.
    day = dt.date.today() + dt.timedelta(days=14)
    phone.goto(f"/oppfolging/{town['Anna']}")
    phone.page.get_by_label(_nb(app, "Date")).fill(day.isoformat())
    phone.page.get_by_label(_nb(app, "Time"), exact=True).fill("10:00")
    phone.page.get_by_label(_nb(app, "Place")).fill("Møterom 2, Tunet")
    phone.click(_nb(app, "Book the conversation"))
    text = phone.text()
    assert "10:00" in text and "Møterom 2, Tunet" in text
    assert _nb(app, "Conversation booked") in text or "Samtale avtalt" in text
    [message] = _messages(app)
    assert message.kind is MessageKind.BOOKING and message.recipient == "anna@example.no"
    assert message.attachments[0]["filename"] == "samtale.ics"

    # Cecilie has neither e-mail nor mobile: the page says to tell her in person.
    phone.goto(f"/oppfolging/{town['Cecilie']}")
    assert (
        _nb(
            app, "Nothing is sent: we have no e-mail address or mobile number. Tell them in person."
        )
        in phone.text()
    )
    phone.page.get_by_label(_nb(app, "Date")).fill(day.isoformat())
    phone.page.get_by_label(_nb(app, "Time"), exact=True).fill("11:30")
    phone.page.get_by_label(_nb(app, "Place")).fill("Kontoret")
    phone.click(_nb(app, "Book the conversation"))
    assert "11:30" in phone.text()
    assert len(_messages(app)) == 1

    # Bjørn's conversation has been held.
    phone.goto(f"/oppfolging/{town['Bjørn']}")
    phone.choose("status", "held")
    phone.click(_nb(app, "Save the status"))
    assert _nb(app, "Saved: %(status)s.", status=_nb(app, "Conversation held")) in phone.text()

    phone.goto("/oppfolging/")
    text = phone.text()
    assert _nb(app, "Conversation held") in text
    # Open ones first: Anna (booked) and Cecilie (booked) before Bjørn (held).
    assert text.index("Bjørn") > text.index("Anna") and text.index("Bjørn") > text.index("Cecilie")

    # Re-confirmation: David has e-mail, and is asked once.
    phone.page.get_by_role("link", name=_nb(app, "To be confirmed again")).first.click()
    phone.inspect()
    assert phone.path == "/oppfolging/bekreftelser"
    assert _nb(app, "No channel: ask them in person.") in phone.text()
    send = _nb(app, "Send by %(channel)s", channel=_nb(app, "e-mail"))
    phone.page.locator("li", has_text="David").get_by_role("button", name=send).click()
    phone.page.wait_for_load_state("load")
    phone.inspect()
    assert _nb(app, "Asked %(name)s to confirm their details.", name="David") in phone.text()
    assert _messages(app)[-1].kind is MessageKind.RECONFIRMATION
    phone.close()
