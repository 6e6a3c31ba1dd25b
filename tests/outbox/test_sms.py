"""SMS through a real local HTTP server standing in for the gateway, and the console
provider for development."""

from __future__ import annotations

import json
import logging

from sqlalchemy import select

from survey.campaigns.models import Channel
from survey.extensions import db
from survey.outbox import services
from survey.outbox.models import OutboxMessage, OutboxStatus
from survey.outbox.sending import send_due
from survey.outbox.sms import ConsoleProvider, HttpJsonProvider, provider_from_config

from .conftest import mail_config, make_due, queue, rows, send

TEXT = 'Hei! Svar på «Heltid» før 1. mars: http://localhost/i/abc\n"{sender}" \\ slutt'


def gateway_config(gateway, **extra) -> dict:
    return {
        "SMS_PROVIDER": "http",
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_TOKEN": "hemmelig-token",
        "SMS_SENDER": "Songdalen",
        "MAIL_RATE_PER_MINUTE": 0,
        **extra,
    }


def queue_sms(app, count=1, body=TEXT):
    queue(app, count, channel=Channel.SMS, recipient="+4791234567", body=body)


def test_the_gateway_gets_the_template_filled_in(app, sms_gateway):
    app.config.update(gateway_config(sms_gateway))
    queue_sms(app)
    report = send(app)
    assert (report.sent, report.retry, report.failed) == (1, 0, 0)
    (request,) = sms_gateway.requests
    assert request["path"] == "/sms"
    assert request["headers"]["Authorization"] == "Bearer hemmelig-token"
    assert request["headers"]["Content-Type"].startswith("application/json")
    row = rows(app)[0]
    assert json.loads(request["body"]) == {
        "to": "+4791234567",
        "from": "Songdalen",
        "message": TEXT,  # quotes, backslash, «{sender}» and the line break kept as written
        "ref": str(row.id),
    }
    assert row.status is OutboxStatus.SENT and row.body is None
    assert send(app).sent == 0
    assert len(sms_gateway.requests) == 1


def test_a_gateway_error_leaves_the_message_for_retry_and_shows_it(app, sms_gateway):
    app.config.update(gateway_config(sms_gateway))
    sms_gateway.status = 500
    queue_sms(app, 2)
    report = send(app)
    assert (report.sent, report.retry, report.failed) == (0, 2, 0)
    first = rows(app)[0]
    assert first.status is OutboxStatus.PENDING and first.attempts == 1
    assert first.last_error.startswith("SMS gateway answered 500")
    with app.app_context():
        shown = services.failures()
        assert [f["status"] for f in shown] == ["retrying", "retrying"]
        assert "500" in shown[0]["last_error"]
        assert services.delivery_summary()["retrying"] == 2

    sms_gateway.status = 200
    make_due(app)
    assert send(app).sent == 2
    assert all(r.status is OutboxStatus.SENT and r.last_error is None for r in rows(app))
    assert len(sms_gateway.requests) == 4


def test_a_refused_sms_fails_at_once(app, sms_gateway):
    app.config.update(gateway_config(sms_gateway))
    sms_gateway.status = 400
    queue_sms(app)
    assert send(app).failed == 1
    row = rows(app)[0]
    assert row.status is OutboxStatus.FAILED and row.attempts == 1
    assert "400" in row.last_error


def test_an_unreachable_gateway_is_tried_once_per_run(app, sms_gateway):
    url = sms_gateway.url
    sms_gateway.stop()
    app.config.update(gateway_config(sms_gateway, SMS_GATEWAY_URL=url))
    queue_sms(app, 3)
    report = send(app)
    assert (report.sent, report.retry) == (0, 1)
    assert [r.attempts for r in rows(app)] == [1, 0, 0]
    assert "not reachable" in rows(app)[0].last_error


def test_email_and_sms_in_one_run(app, sms_gateway, smtp_server):
    app.config.update({**mail_config(smtp_server.port), **gateway_config(sms_gateway)})
    queue(app, 2)
    queue_sms(app, 2)
    assert send(app).sent == 4
    assert len(sms_gateway.requests) == 2


def test_without_a_provider_sms_wait(app, runner):
    queue_sms(app)
    result = runner.invoke(args=["outbox", "send"])
    assert "1 SMS messages wait: SMS_PROVIDER is not set up" in result.output
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.status)).all() == [OutboxStatus.PENDING]


def test_the_console_provider_keeps_the_number_and_text_out_of_the_log(app, capsys, caplog):
    app.config.update({"SMS_PROVIDER": "console", "MAIL_RATE_PER_MINUTE": 0})
    queue_sms(app)
    with caplog.at_level(logging.INFO), app.app_context():
        assert send_due().sent == 1
    assert "+4791234567" in capsys.readouterr().err
    assert "+4791234567" not in caplog.text and "Svar på" not in caplog.text
    assert f"outbox message {rows(app)[0].id}" in caplog.text


def test_provider_from_config():
    assert provider_from_config({}) is None
    assert isinstance(provider_from_config({"SMS_PROVIDER": "console"}), ConsoleProvider)
    assert provider_from_config({"SMS_PROVIDER": "http"}) is None  # no URL
    assert provider_from_config({"SMS_PROVIDER": "carrier-pigeon"}) is None
    http = provider_from_config(
        {
            "SMS_PROVIDER": "http",
            "SMS_GATEWAY_URL": "https://sms.example/send",
            "SMS_BODY_TEMPLATE": '{"n": "{to}", "t": "{text}"}',
        }
    )
    assert isinstance(http, HttpJsonProvider)
    assert json.loads(http.body("+47", 'a"b', "1")) == {"n": "+47", "t": 'a"b'}
