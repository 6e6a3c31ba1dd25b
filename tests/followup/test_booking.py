"""Booking a conversation: the status, and the message by the person's channel (an e-mail with
a calendar invitation, an SMS with the date and place, or nothing)."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.followup import services
from survey.followup.models import FollowUp, FollowUpStatus
from survey.outbox.models import MessageKind, OutboxMessage
from tests.conftest import login_as

OSLO = ZoneInfo("Europe/Oslo")
# A Tuesday at least a month ahead.
DAY = dt.date.today() + dt.timedelta(days=35)
DAY = DAY + dt.timedelta(days=(1 - DAY.weekday()) % 7)


@pytest.fixture(autouse=True)
def no_flush(monkeypatch):
    """The views hand queued messages to the sender after the response; the tests read the
    outbox instead."""
    calls = []
    monkeypatch.setattr("survey.followup.views._flush_soon", lambda: calls.append(1))
    return calls


def _csrf(client, url):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _book(client, person_id, place="Møterom 2, Tunet", time="10:00", day=DAY, note=""):
    token = _csrf(client, f"/oppfolging/{person_id}")
    return client.post(
        f"/oppfolging/{person_id}/samtale",
        data={
            "csrf_token": token,
            "day": day.isoformat(),
            "time": time,
            "minutes": "45",
            "place": place,
            "note": note,
        },
    )


def _messages(app):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_booking_by_email_sends_a_calendar_invitation(app, client, town, leader, no_flush):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(client, app, leader)
    anna = town["Anna"]
    response = _book(client, anna, note="Ta med turnus")
    assert response.status_code == 302
    assert no_flush == [1]
    with app.app_context():
        follow_up = db.session.scalars(select(FollowUp).where(FollowUp.person_id == anna)).one()
        assert follow_up.status is FollowUpStatus.BOOKED
        booked = follow_up.booked_for
        booked = booked if booked.tzinfo else booked.replace(tzinfo=dt.UTC)
        assert booked == dt.datetime.combine(DAY, dt.time(10), tzinfo=OSLO)
        assert follow_up.place == "Møterom 2, Tunet" and follow_up.note == "Ta med turnus"
    [message] = _messages(app)
    assert message.kind is MessageKind.BOOKING
    assert message.channel.value == "email" and message.recipient == "anna@example.no"
    assert message.person_id == anna and message.language == "nb"
    assert "Møterom 2, Tunet" in message.body
    assert "Ta med turnus" not in message.body  # the note is the project leader's
    assert "10:00" in message.body and str(DAY.day) in message.subject
    [attachment] = message.attachments
    assert attachment["filename"] == "samtale.ics"
    assert attachment["content_type"] == "text/calendar; method=REQUEST"
    calendar = icalendar.Calendar.from_ical(attachment["content"])
    assert str(calendar["method"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == dt.datetime.combine(DAY, dt.time(10), tzinfo=OSLO)
    assert str(start.tzinfo) == "Europe/Oslo"
    assert event["dtstart"].params["TZID"] == "Europe/Oslo"
    assert event.decoded("dtend") - start == dt.timedelta(minutes=45)
    assert str(event["location"]) == "Møterom 2, Tunet"
    assert str(event["summary"])
    name, address = parseaddr(app.config["MAIL_FROM"])
    assert str(event["organizer"]) == f"mailto:{address}"
    assert str(event["attendee"]) == "mailto:anna@example.no"
    assert calendar.walk("VTIMEZONE"), "the time zone travels with the invitation"
    uid = str(event["uid"])
    # The page says what happened.
    page = client.get(f"/oppfolging/{anna}").get_data(as_text=True)
    assert "calendar invitation is on its way" in page
    assert "Conversation booked for" in page and "Møterom 2, Tunet" in page
    # Booking again sends again, with the same UID and a higher SEQUENCE: calendars move the
    # event rather than keep two.
    _book(client, anna, time="13:30")
    messages = _messages(app)
    assert len(messages) == 2
    events = [
        icalendar.Calendar.from_ical(m.attachments[0]["content"]).walk("VEVENT")[0]
        for m in messages
    ]
    assert [str(e["uid"]) for e in events] == [uid, uid]
    assert int(events[1]["sequence"]) >= int(events[0]["sequence"])
    assert events[1].decoded("dtstart").time() == dt.time(13, 30)


def test_booking_by_sms_fits_one_message(app, client, town, leader):
    login_as(client, app, leader)
    bjorn = town["Bjørn"]
    assert _book(client, bjorn, place="Møterom 2, Tunet").status_code == 302
    [message] = _messages(app)
    assert message.channel.value == "sms" and message.recipient == "+4791234567"
    assert message.kind is MessageKind.BOOKING and message.attachments is None
    assert len(message.body) <= 160
    assert "Møterom 2, Tunet" in message.body and "10:00" in message.body
    assert str(DAY.day) in message.body
    # A long place is shortened, the date and time kept.
    _book(client, bjorn, place="Det store møterommet i andre etasje " * 5)
    long = _messages(app)[-1].body
    assert len(long) <= 160 and "10:00" in long and "…" in long


def test_booking_without_a_channel_sends_nothing_and_says_so(app, client, town, leader):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(client, app, leader)
    cecilie = town["Cecilie"]
    page = client.get(f"/oppfolging/{cecilie}").get_data(as_text=True)
    assert "Tell them in person" in page
    response = _book(client, cecilie)
    assert response.status_code == 302
    assert _messages(app) == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "tell them in person" in page
    with app.app_context():
        assert services.entry_for(db.session.get(services.Person, cecilie)).status is (
            FollowUpStatus.BOOKED
        )


def test_a_time_in_the_past_or_without_a_place_is_refused(app, client, town, leader):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(client, app, leader)
    anna = town["Anna"]
    response = _book(client, anna, day=dt.date.today() - dt.timedelta(days=1))
    assert response.status_code == 400
    assert "Choose a time in the future." in response.get_data(as_text=True)
    response = _book(client, anna, place="")
    assert response.status_code == 400
    assert "Write where you meet." in response.get_data(as_text=True)
    response = _book(client, anna, time="25:99")
    assert response.status_code == 400
    assert _messages(app) == []


def test_the_sms_text_is_cut_to_fit(app):
    with app.test_request_context():
        text = services.booking_sms("tirsdag 15. desember 2026 kl. 10:00", "x" * 300)
    assert len(text) <= 160 and "…" in text and "10:00" in text


def test_the_calendar_invitation_keeps_summer_time(app):
    starts = dt.datetime(DAY.year + 1, 7, 6, 8, 30, tzinfo=OSLO)
    with app.test_request_context():
        text = services.booking_ics(
            follow_up_id=7,
            starts=starts,
            minutes=60,
            summary="Samtale",
            place="Rom 2",
            description="",
            attendee_email=None,
            attendee_name=None,
        )
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == starts and start.utcoffset() == dt.timedelta(hours=2)
    assert str(event["uid"]).startswith("followup-7@")
    assert "attendee" not in event


def test_booking_again_starts_from_the_last_place_and_note(app, client, town, leader):
    login_as(client, app, leader)
    anna = town["Anna"]
    _book(client, anna, place="Tunet, rom 3", note="Ta med turnus")
    page = client.get(f"/oppfolging/{anna}").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="place"[^>]*value="Tunet, rom 3"', page), page[-4000:]
    assert re.search(r">\s*Ta med turnus</textarea>", page)
