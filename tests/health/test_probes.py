"""/healthz and /readyz through the app, on SQLite and PostgreSQL: ready, a database behind
the migrations, a stuck outbox, a database that does not answer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine, text

from survey import create_app
from survey.config import normalise_database_url
from survey.db import unit_of_work, utcnow
from survey.extensions import db, limiter
from survey.health.checks import migration_heads
from survey.outbox.models import Channel, MessageKind, OutboxMessage, OutboxStatus
from tests.conftest import _test_config
from tests.servers import free_port

READY = {"database": "ok", "migrations": "ok", "outbox": "ok"}


def assert_probe_headers(response):
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_answers_ok_in_plain_text(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.data == b"ok\n"
    assert response.mimetype == "text/plain"
    assert_probe_headers(response)


def test_readyz_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json == READY
    assert_probe_headers(response)


def test_readyz_names_migrations_behind_head(database_url, client):
    """The version table says one revision before the head, as after deploying new code
    without `survey db upgrade` (written by the owner: the app role may only read it)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from survey.migrate import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    [head] = migration_heads()
    previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
    owner = create_engine(normalise_database_url(database_url))
    with owner.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": previous})
    owner.dispose()

    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"database": "ok", "migrations": "not at head", "outbox": "not checked"}


def _message(status: OutboxStatus, due: dt.datetime, sent_at: dt.datetime | None = None):
    return OutboxMessage(
        channel=Channel.EMAIL,
        recipient="kari@example.no",
        kind=MessageKind.INVITATION,
        subject="Kartlegging",
        body="Svar her",
        status=status,
        next_attempt_at=due,
        sent_at=sent_at,
    )


def test_readyz_names_a_stuck_outbox(app, client):
    now = utcnow()
    with app.app_context(), unit_of_work():
        # Failed messages and messages waiting a short while are not stuck.
        db.session.add(_message(OutboxStatus.FAILED, now - dt.timedelta(days=2)))
        db.session.add(_message(OutboxStatus.PENDING, now - dt.timedelta(minutes=5)))
    assert client.get("/readyz").json == READY

    with app.app_context(), unit_of_work():
        db.session.add(_message(OutboxStatus.PENDING, now - dt.timedelta(minutes=31)))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"database": "ok", "migrations": "ok", "outbox": "stuck"}
    assert "kari" not in response.get_data(as_text=True)

    # A large round sent at MAIL_RATE_PER_MINUTE waits long, but the sender is working.
    with app.app_context(), unit_of_work():
        db.session.add(_message(OutboxStatus.SENT, now - dt.timedelta(hours=1), sent_at=now))
    assert client.get("/readyz").json == READY


def test_readyz_when_the_database_does_not_answer(tmp_path, caplog):
    closed = f"postgresql+psycopg://heltid:hemmelig@127.0.0.1:{free_port()}/heltid"
    app = create_app(_test_config(closed, tmp_path))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "database": "unreachable",
        "migrations": "not checked",
        "outbox": "not checked",
    }
    assert_probe_headers(response)
    assert app.test_client().get("/healthz").status_code == 200
    # The log says what failed, without the driver's message (host, user, password).
    assert "readiness: checking database failed (OperationalError)" in caplog.text
    assert "hemmelig" not in caplog.text and "heltid:" not in caplog.text


def test_probes_are_exempt_from_rate_limits(database_url, tmp_path):
    """A default limit on every route (the app sets none today) leaves the probes alone."""
    app = create_app({**_test_config(database_url, tmp_path), "RATELIMIT_DEFAULT": "2 per minute"})
    try:
        client = app.test_client()
        assert [client.get("/personvern").status_code for _ in range(3)] == [200, 200, 429]
        for _ in range(4):
            assert client.get("/healthz").status_code == 200
            assert client.get("/readyz").status_code == 200
    finally:
        # The limiter is one object per process and keeps the first default limits it sees.
        limiter.limit_manager.set_default_limits([])
        with app.app_context():
            db.engine.dispose()
