"""Asking people to confirm their record again: a one-time login link by e-mail or SMS that
leads to «My page»; never twice a day; people without a channel are named."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.audit.models import AuditEntry
from survey.extensions import db
from survey.outbox.models import MessageKind, OutboxMessage
from tests.conftest import login_as

LINK_RE = re.compile(r"https?://[^\s)]+/lenke/[A-Za-z0-9_-]+")


@pytest.fixture(autouse=True)
def no_flush(monkeypatch):
    calls = []
    monkeypatch.setattr("survey.followup.views._flush_soon", lambda: calls.append(1))
    return calls


def _csrf(html):
    return re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _messages(app):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_the_list_of_those_due(app, client, town, leader):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(client, app, leader)
    page = client.get("/oppfolging/bekreftelser").get_data(as_text=True)
    # Anna confirmed 30 days ago; Eva left the roster.
    for name in ("Bjørn", "Cecilie", "David", "Frode"):
        assert name in page
    assert "Anna" not in page and "Eva" not in page
    assert "N = 4 people" in page
    assert "No channel: ask them in person." in page  # Cecilie
    assert "Send by SMS" in page and "Send by e-mail" in page
    assert "4 records are due for re-confirmation." in client.get("/oppfolging/").get_data(
        as_text=True
    )


def test_an_emailed_link_logs_the_person_in_on_my_page(app, client, town, leader, no_flush):
    login_as(client, app, leader)
    david = town["David"]
    html = client.get("/oppfolging/bekreftelser").get_data(as_text=True)
    response = client.post(f"/oppfolging/bekreftelser/{david}", data={"csrf_token": _csrf(html)})
    assert response.status_code == 302
    assert no_flush == [1]
    [message] = _messages(app)
    assert message.kind is MessageKind.RECONFIRMATION
    assert (message.channel.value, message.recipient) == ("email", "david@example.no")
    assert message.person_id == david and message.subject
    url = LINK_RE.search(message.body).group(0)
    assert url.startswith(app.config["BASE_URL"].rstrip("/") + "/lenke/")
    with app.app_context():
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "login_link_created")
        ).one()
        assert (audit.actor_id, audit.subject_id) == (leader, david)
    # The same day again: nothing more is sent.
    html = client.get("/oppfolging/bekreftelser").get_data(as_text=True)
    client.post(f"/oppfolging/bekreftelser/{david}", data={"csrf_token": _csrf(html)})
    assert len(_messages(app)) == 1
    # David follows the link in another browser.
    other = app.test_client()
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = other.get("/" + path)
    assert page.status_code == 200
    response = other.post("/" + path, data={"csrf_token": _csrf(page.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"].endswith("/meg/")
    landing = other.get("/meg/")
    assert landing.status_code == 200
    assert "David" in landing.get_data(as_text=True)
    # The link works once.
    assert other.get("/" + path).status_code == 404


def test_by_sms_the_link_fits(app, client, town, leader):
    login_as(client, app, leader)
    bjorn = town["Bjørn"]
    html = client.get("/oppfolging/bekreftelser").get_data(as_text=True)
    client.post(f"/oppfolging/bekreftelser/{bjorn}", data={"csrf_token": _csrf(html)})
    [message] = _messages(app)
    assert (message.channel.value, message.recipient) == ("sms", "+4791234567")
    assert len(message.body) <= 160
    assert LINK_RE.search(message.body)


def test_send_to_all(app, client, town, leader, no_flush):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(client, app, leader)
    html = client.get("/oppfolging/bekreftelser").get_data(as_text=True)
    assert "Send to all 3 who can get it" in html
    response = client.post(
        "/oppfolging/bekreftelser/alle", data={"csrf_token": _csrf(html)}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Sent: 3. Already asked today: 0. No channel: 1." in page
    recipients = sorted(m.recipient for m in _messages(app))
    assert recipients == ["+4791234567", "david@example.no", "frode@example.no"]
    assert "Asked today by" in page
    # Again the same day: nobody gets a second one.
    assert "Send to all" not in page
    token = _csrf(client.get(f"/oppfolging/{town['Anna']}").get_data(as_text=True))
    client.post("/oppfolging/bekreftelser/alle", data={"csrf_token": token})
    assert len(_messages(app)) == 3


def test_the_count_matches_the_list(app, town):
    from survey.accounts.services import find_unit
    from survey.followup import services

    with app.app_context():
        assert services.due_count() == len(services.reconfirmation_due()) == 4
        hjemme = {find_unit("hjemme").id}
        assert services.due_count(hjemme) == len(services.reconfirmation_due(hjemme)) == 2
