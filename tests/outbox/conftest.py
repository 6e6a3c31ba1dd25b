"""Real servers on loopback ports for the outbox tests: an SMTP server (aiosmtpd) that records
what it accepts, and an HTTP server standing in for an SMS gateway."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from survey.campaigns.models import Channel
from survey.db import unit_of_work, utcnow
from survey.extensions import db
from survey.outbox.models import MessageKind, OutboxMessage
from survey.outbox.sending import send_due
from survey.outbox.services import Message, enqueue_many


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    """Accepts every message and keeps it; `refuse_rcpt` / `refuse_data` map an address to
    the reply given instead of 250."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.refuse_rcpt: dict[str, str] = {}
        self.refuse_data: dict[str, str] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            if address in self.refuse_data:
                return self.refuse_data[address]
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "raw": envelope.content,
                    "message": parsed,
                    "message_id": parsed["Message-ID"],
                }
            )
        return "250 Message accepted"

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.messages)


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = RecordingHandler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[dict]:
        return self.handler.messages


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stopped_smtp_server():
    """A port with nothing listening yet; `start()` brings the server up."""
    server = SmtpServer()
    yield server
    server.stop()


class Gateway:
    """An SMS gateway: answers `status` (200 by default) and records the requests."""

    def __init__(self) -> None:
        self.status = 200
        self.requests: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                gateway.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                answer = json.dumps({"ok": gateway.status < 300}).encode()
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sms_gateway():
    gateway = Gateway()
    yield gateway
    gateway.stop()


def mail_config(port: int, **extra) -> dict:
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_FROM": "Heltid <heltid@kommune.example>",
        "MAIL_RATE_PER_MINUTE": 0,
        **extra,
    }


def queue(app, count: int = 1, *, channel=Channel.EMAIL, recipient=None, **fields) -> None:
    """Put `count` messages in the outbox, numbered in their subject."""
    with app.app_context(), unit_of_work():
        enqueue_many(
            Message(
                channel=channel,
                recipient=recipient or f"person{number}@example.no",
                kind=fields.get("kind", MessageKind.INVITATION),
                subject=fields.get("subject", f"Invitasjon {number}"),
                body=fields.get("body", f"Hei! Svar her: http://localhost/i/token{number}\n"),
                attachments=fields.get("attachments"),
                campaign_id=fields.get("campaign_id"),
            )
            for number in range(count)
        )


def rows(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def send(app, limit=None):
    with app.app_context():
        return send_due(limit)


def make_due(app) -> None:
    """As if the backoff had passed."""
    with app.app_context(), unit_of_work():
        db.session.execute(
            update(OutboxMessage).values(next_attempt_at=utcnow() - dt.timedelta(seconds=1))
        )


def wait_for(condition, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
