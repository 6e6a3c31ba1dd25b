"""Exactly once: 500 messages, a sender killed with SIGKILL in the middle of the batch, then
two senders at once to the end. The SMTP server (a real one, in this process) receives each
message once (issue 12, acceptance). The senders are `survey outbox send` processes on the
test's database, configured through the environment as in production."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from survey.extensions import db
from survey.outbox.models import OutboxMessage, OutboxStatus

from .conftest import queue

SURVEY = str(Path(sys.executable).parent / "survey")
COUNT = 500


def sender(database_url: str, port: int, log: Path, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_USE_TLS": "0",
        "MAIL_FROM": "heltid@kommune.example",
        "MAIL_RATE_PER_MINUTE": "0",  # no limit
        "OUTBOX_BATCH": str(COUNT * 2),
        "LOG_LEVEL": "WARNING",
    }
    handle = log.open("ab")
    return subprocess.Popen(
        [SURVEY, "outbox", "send", *args], env=env, stdout=handle, stderr=subprocess.STDOUT
    )


def test_each_message_once_through_a_kill_and_two_senders(app, database_url, smtp_server, tmp_path):
    queue(app, COUNT)
    log = tmp_path / "senders.log"
    received = smtp_server.handler

    first = sender(database_url, smtp_server.port, log)
    deadline = time.monotonic() + 120
    while received.count < 100 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert first.poll() is None, f"the sender ended before the kill:\n{log.read_text()}"
    os.kill(first.pid, signal.SIGKILL)
    assert first.wait(10) == -signal.SIGKILL
    at_kill = received.count
    assert 100 <= at_kill < COUNT

    second, third = (sender(database_url, smtp_server.port, log) for _ in range(2))
    for process in (second, third):
        assert process.wait(180) == 0, log.read_text()
    time.sleep(0.2)  # the last replies are in; nothing arrives late

    ids = collections.Counter(m["message_id"] for m in smtp_server.messages)
    twice = [message_id for message_id, n in ids.items() if n > 1]
    assert twice == []
    with app.app_context():
        statuses = dict(
            db.session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
        assert statuses == {OutboxStatus.SENT: COUNT}
        expected = {f"person{n}@example.no" for n in range(COUNT)}
    assert {m["to"][0] for m in smtp_server.messages} == expected
    assert len(ids) == COUNT
    # Both of the last two did part of the work (they ran at once), in their own lines.
    output = log.read_text()
    assert output.count("sent ") == 2, output


def test_a_looping_sender_sends_what_comes_and_stops_on_sigterm(
    app, database_url, smtp_server, tmp_path
):
    log = tmp_path / "loop.log"
    queue(app, 3)
    looping = sender(database_url, smtp_server.port, log, "--loop", "--interval", "1")
    try:
        deadline = time.monotonic() + 120
        while smtp_server.handler.count < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert smtp_server.handler.count == 3, log.read_text()
        queue(app, 2)  # while it waits
        deadline = time.monotonic() + 30
        while smtp_server.handler.count < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert smtp_server.handler.count == 5, log.read_text()
        looping.send_signal(signal.SIGTERM)
        assert looping.wait(10) == 0, log.read_text()
    finally:
        if looping.poll() is None:
            looping.kill()
            looping.wait()
    assert "sent 3, to retry 0, failed 0" in log.read_text()
