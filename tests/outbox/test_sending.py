"""The outbox sender against a real SMTP server on a loopback port (tests/outbox/conftest.py)."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from sqlalchemy import select

from survey.db import unit_of_work, utcnow
from survey.extensions import db
from survey.outbox import sending, services
from survey.outbox.models import OutboxMessage, OutboxStatus
from survey.outbox.sending import flush_soon, send_due

from .conftest import mail_config, make_due, queue, rows, send, wait_for

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def test_an_email_goes_out_once_with_its_headers_and_attachment(app, smtp_server):
    app.config.update(mail_config(smtp_server.port))
    queue(
        app,
        subject="Invitasjon – svar før 1. mars",
        body="Hei!\nSvar på undersøkelsen her: http://localhost/i/abc\n",
        attachments=[
            {
                "filename": "samtale.ics",
                "content_type": "text/calendar; method=REQUEST",
                "content": ICS,
            }
        ],
    )
    report = send(app)
    assert (report.sent, report.retry, report.failed) == (1, 0, 0)
    assert wait_for(lambda: smtp_server.handler.count == 1)
    received = smtp_server.messages[0]
    message = received["message"]
    assert received["to"] == ["person0@example.no"]
    assert received["from"] == "heltid@kommune.example"
    assert message["From"] == "Heltid <heltid@kommune.example>"
    assert message["Subject"] == "Invitasjon – svar før 1. mars"
    assert message["Date"]
    row = rows(app)[0]
    assert re.fullmatch(
        rf"<outbox-{row.id}\.[0-9a-f]{{16}}@kommune\.example>", received["message_id"]
    )
    assert received["raw"].isascii()  # quoted-printable body, encoded subject
    text = message.get_body(("plain",)).get_content()
    assert "Svar på undersøkelsen her: http://localhost/i/abc" in text
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_filename() == "samtale.ics"
    assert "METHOD:REQUEST" in attachment.get_content()

    assert row.status is OutboxStatus.SENT
    assert row.sent_at is not None and row.attempts == 1
    assert row.body is None and row.attachments is None  # the personal link is gone

    again = send(app)
    assert again.sent == 0
    time.sleep(0.1)
    assert smtp_server.handler.count == 1


def test_lines_starting_with_a_dot_arrive_unchanged(app, smtp_server):
    app.config.update(mail_config(smtp_server.port))
    body = "Første linje\n.\n..to prikker\n.en prikk\nslutt"
    queue(app, body=body)
    assert send(app).sent == 1
    assert wait_for(lambda: smtp_server.handler.count == 1)
    text = smtp_server.messages[0]["message"].get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n").rstrip("\n") == body


def test_one_connection_for_a_run_in_id_order_and_the_limit(app, smtp_server):
    app.config.update(mail_config(smtp_server.port))
    queue(app, 5)
    assert send(app, limit=3).sent == 3
    assert wait_for(lambda: smtp_server.handler.count == 3)
    assert [m["to"][0] for m in smtp_server.messages] == [
        "person0@example.no",
        "person1@example.no",
        "person2@example.no",
    ]
    assert send(app).sent == 2
    assert [r.status for r in rows(app)] == [OutboxStatus.SENT] * 5


def test_the_rate_is_kept(app, smtp_server):
    app.config.update(mail_config(smtp_server.port, MAIL_RATE_PER_MINUTE=600))  # one per 0.1 s
    queue(app, 5)
    started = time.monotonic()
    assert send(app).sent == 5
    assert time.monotonic() - started >= 0.4
    assert wait_for(lambda: smtp_server.handler.count == 5)


def test_the_rate_pauses_are_asked_for_between_messages(app, smtp_server):
    app.config.update(mail_config(smtp_server.port, MAIL_RATE_PER_MINUTE=6))  # one per 10 s
    queue(app, 3)
    pauses = []
    with app.app_context():
        report = send_due(sleep=pauses.append)  # no real sleeping: the sends come quicker
    assert report.sent == 3
    assert len(pauses) == 2 and all(9 < pause <= 10 for pause in pauses)


def test_an_unreachable_server_leaves_the_rows_for_a_later_attempt(app, stopped_smtp_server):
    app.config.update(mail_config(stopped_smtp_server.port))
    queue(app, 3)
    report = send(app)
    assert (report.sent, report.retry, report.failed) == (0, 1, 0)
    assert any("not reachable" in note for note in report.notes)
    first, second, third = rows(app)
    assert first.status is OutboxStatus.PENDING and first.attempts == 1
    assert "not reachable" in first.last_error
    assert first.body  # kept for the next attempt
    wait = first.next_attempt_at.replace(tzinfo=dt.UTC) - utcnow()
    assert dt.timedelta(seconds=30) < wait <= dt.timedelta(minutes=1)
    # The others were not tried once the server proved unreachable.
    assert (second.attempts, third.attempts) == (0, 0)

    stopped_smtp_server.start()
    report = send(app)  # the first is not due yet
    assert (report.sent, report.retry) == (2, 0)
    make_due(app)
    assert send(app).sent == 1
    assert wait_for(lambda: stopped_smtp_server.handler.count == 3)
    assert {m["to"][0] for m in stopped_smtp_server.messages} == {
        f"person{n}@example.no" for n in range(3)
    }
    assert all(r.status is OutboxStatus.SENT and r.last_error is None for r in rows(app))


def test_backoff_grows_and_ends_in_failed(app, stopped_smtp_server):
    app.config.update(mail_config(stopped_smtp_server.port, OUTBOX_MAX_ATTEMPTS=3))
    queue(app)
    waits = []
    for _ in range(2):
        assert send(app).retry == 1
        row = rows(app)[0]
        waits.append(row.next_attempt_at.replace(tzinfo=dt.UTC) - utcnow())
        make_due(app)
    assert waits[0] <= dt.timedelta(minutes=1) < waits[1] <= dt.timedelta(minutes=5)
    assert send(app).failed == 1
    row = rows(app)[0]
    assert row.status is OutboxStatus.FAILED and row.attempts == 3
    assert sending.backoff(1) == dt.timedelta(minutes=1)
    assert sending.backoff(50) == dt.timedelta(minutes=sending.BACKOFF_MINUTES[-1])


def test_a_refused_recipient_fails_at_once_and_the_rest_go(app, smtp_server):
    app.config.update(mail_config(smtp_server.port))
    smtp_server.handler.refuse_rcpt["person1@example.no"] = "550 5.1.1 No such user"
    smtp_server.handler.refuse_rcpt["person2@example.no"] = "450 4.2.1 Mailbox busy"
    queue(app, 4)
    report = send(app)
    assert (report.sent, report.retry, report.failed) == (2, 1, 1)
    statuses = [(r.status, r.attempts, r.last_error) for r in rows(app)]
    assert statuses[0] == (OutboxStatus.SENT, 1, None)
    assert statuses[1] == (OutboxStatus.FAILED, 1, "550 5.1.1 No such user")
    assert statuses[2] == (OutboxStatus.PENDING, 1, "450 4.2.1 Mailbox busy")
    assert statuses[3] == (OutboxStatus.SENT, 1, None)
    assert wait_for(lambda: smtp_server.handler.count == 2)


@pytest.mark.parametrize(
    ("reply", "status"),
    [("554 5.7.1 Rejected as spam", OutboxStatus.FAILED), ("451 4.3.0 Try later", "retry")],
)
def test_a_refusal_after_the_end_of_data_is_recorded(app, smtp_server, reply, status):
    app.config.update(mail_config(smtp_server.port))
    smtp_server.handler.refuse_data["person0@example.no"] = reply
    queue(
        app, 2, attachments=[{"filename": "a.ics", "content_type": "text/calendar", "content": ICS}]
    )
    report = send(app)
    assert report.sent == 1
    first, second = rows(app)
    assert first.last_error == reply
    assert first.body and first.attachments  # put back: it was not delivered
    assert first.attempts == 1 and first.sent_at is not None
    if status == "retry":
        assert report.retry == 1 and first.status is OutboxStatus.PENDING
        assert first.next_attempt_at.replace(tzinfo=dt.UTC) > utcnow()
    else:
        assert report.failed == 1 and first.status is OutboxStatus.FAILED
    assert second.status is OutboxStatus.SENT


def test_a_message_not_committed_is_never_delivered(app, smtp_server, monkeypatch):
    """The sender dies between writing the message and committing it SENT: the server has
    everything but the end of data, and discards it; the next run sends it once."""
    app.config.update(mail_config(smtp_server.port))
    queue(app, 2)

    class Killed(BaseException):
        pass

    def die(row):
        raise Killed

    monkeypatch.setattr(sending, "_mark_sent", die)
    with pytest.raises(Killed):
        send(app)
    time.sleep(0.3)
    assert smtp_server.handler.count == 0
    assert all(r.status is OutboxStatus.PENDING and r.attempts == 0 for r in rows(app))

    monkeypatch.undo()
    assert send(app).sent == 2
    assert wait_for(lambda: smtp_server.handler.count == 2)
    time.sleep(0.1)
    ids = [m["message_id"] for m in smtp_server.messages]
    assert len(set(ids)) == 2


def test_the_connection_is_opened_again_when_the_server_closed_it(app, smtp_server):
    app.config.update(mail_config(smtp_server.port))
    queue(app, 2)
    with app.app_context():
        transport = sending.SmtpTransport(app.config)
        first, second = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        transport.begin(first.recipient, sending.build_email(first, app.config))
        assert transport.finish()[0] == 250
        smtp_server.stop()
        smtp_server.start()  # the old connection is gone
        transport.begin(second.recipient, sending.build_email(second, app.config))
        assert transport.finish()[0] == 250
        transport.close()
    assert wait_for(lambda: smtp_server.handler.count == 2)


def test_without_a_mail_server_emails_wait_and_the_command_says_so(app, runner):
    queue(app, 2)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 0, to retry 0, failed 0" in result.output
    assert "2 e-mails wait: MAIL_SERVER is not set" in result.output
    assert all(r.status is OutboxStatus.PENDING and r.attempts == 0 for r in rows(app))


def test_send_status_and_retry_commands(app, runner, smtp_server):
    app.config.update(mail_config(smtp_server.port))
    smtp_server.handler.refuse_rcpt["person1@example.no"] = "550 5.1.1 No such user"
    queue(app, 3)
    result = runner.invoke(args=["outbox", "send", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "sent 1, to retry 0, failed 1" in result.output
    status = runner.invoke(args=["outbox", "status"])
    assert "pending 1, retrying 0, sent 1, failed 1" in status.output
    failed_id = rows(app)[1].id
    assert f"#{failed_id} invitation email" in status.output
    assert "550 5.1.1 No such user" in status.output
    assert "person1@example.no" not in status.output

    del smtp_server.handler.refuse_rcpt["person1@example.no"]
    assert (
        f"#{failed_id}: queued again"
        in runner.invoke(args=["outbox", "retry", str(failed_id)]).output
    )
    assert "not a failed message" in runner.invoke(args=["outbox", "retry", str(failed_id)]).output
    assert "sent 2, to retry 0, failed 0" in runner.invoke(args=["outbox", "send"]).output
    assert (
        "pending 0, retrying 0, sent 3, failed 0" in runner.invoke(args=["outbox", "status"]).output
    )


def test_delivery_summary_and_failures_per_campaign(app, stopped_smtp_server):
    with app.app_context(), unit_of_work():
        from survey.campaigns.models import Campaign, Mode

        campaign = Campaign(
            slug="utsendelse", questionnaire_id="heltid-arlig", mode=Mode.IDENTIFIED
        )
        db.session.add(campaign)
        db.session.flush()
        campaign_id = campaign.id
    app.config.update(mail_config(stopped_smtp_server.port))
    queue(app, 3, campaign_id=campaign_id)
    queue(app, 1)  # another campaign's, or none
    send(app)  # the first fails: server down
    with app.app_context():
        assert services.delivery_summary(campaign_id) == {
            "pending": 2,
            "retrying": 1,
            "sent": 0,
            "failed": 0,
        }
        assert services.delivery_summary()["pending"] == 3
        (failure,) = services.failures(campaign_id)
        assert failure["status"] == "retrying" and failure["attempts"] == 1
        assert "not reachable" in failure["last_error"]
        assert set(failure) == {
            "id",
            "kind",
            "channel",
            "person_id",
            "campaign_id",
            "attempts",
            "last_error",
            "next_attempt_at",
            "status",
        }
        assert services.retry(failure["id"]) is False  # not failed, only retrying


def test_flush_after_a_request_sends_what_the_request_queued(app, smtp_server):
    app.config.update(mail_config(smtp_server.port))
    queue(app, 2)
    with app.test_request_context("/"):
        flush_soon()
        flush_soon()  # registered once
        response = app.process_response(app.response_class("ok"))
    assert smtp_server.handler.count == 0  # not before the response has gone
    response.close()
    assert wait_for(lambda: smtp_server.handler.count == 2)
    assert all(r.status is OutboxStatus.SENT for r in rows(app))


def test_flush_after_a_request_does_nothing_when_switched_off_or_unconfigured(app, smtp_server):
    queue(app)
    for config in (
        {"MAIL_SERVER": None},
        {**mail_config(smtp_server.port), "OUTBOX_FLUSH_AFTER_REQUEST": False},
    ):
        app.config.update(config)
        with app.test_request_context("/"):
            flush_soon()
            response = app.process_response(app.response_class("ok"))
        response.close()
    time.sleep(0.2)
    assert smtp_server.handler.count == 0
    with app.app_context():
        flush_soon()  # outside a request: nothing, no error


def test_a_failing_flush_is_logged_not_raised(app, smtp_server, monkeypatch, caplog):
    app.config.update(mail_config(smtp_server.port))
    queue(app)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(sending, "send_due", broken)
    with app.test_request_context("/"):
        flush_soon()
        response = app.process_response(app.response_class("ok"))
    response.close()
    assert "outbox flush after a request failed" in caplog.text


def test_addresses_and_names_outside_ascii(app, smtp_server):
    app.config.update(mail_config(smtp_server.port, MAIL_FROM="Bø kommune <heltid@bø.example>"))
    queue(app, 1, recipient="kari@bø.example")
    queue(app, 1, recipient="kåre@example.no")
    pdf = "JVBERi0xLjQK"  # base64 of "%PDF-1.4\n"
    queue(
        app,
        1,
        recipient="ola@example.no",
        attachments=[{"filename": "brev.pdf", "content_type": "application/pdf", "content": pdf}],
    )
    report = send(app)
    assert (report.sent, report.failed) == (2, 1)
    assert wait_for(lambda: smtp_server.handler.count == 2)
    first, second = smtp_server.messages
    assert first["to"] == ["kari@xn--b-5ga.example"]
    assert first["message"]["From"].addresses[0].display_name == "Bø kommune"
    assert first["message"]["Auto-Submitted"] == "auto-generated"
    (pdf_part,) = list(second["message"].iter_attachments())
    assert pdf_part.get_content_type() == "application/pdf"
    assert pdf_part.get_content() == b"%PDF-1.4\n"
    failed = rows(app)[1]
    assert failed.status is OutboxStatus.FAILED
    assert "SMTPUTF8" in failed.last_error
