"""What /readyz checks: the database answers, its schema is at the migrations' head, and the
outbox is moving. Each check answers "ok" or a short fixed word; never an exception's text,
which can hold a host name, a user name or a row's values."""

from __future__ import annotations

import datetime as dt
import functools
import logging

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from survey.db import aware, utcnow
from survey.migrate import MIGRATIONS
from survey.outbox.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

OK = "ok"
UNREACHABLE = "unreachable"
NOT_CHECKED = "not checked"  # the database did not answer, so nothing in it was read
BEHIND = "not at head"
STUCK = "stuck"
FAILED = "failed"  # the database answered, but the check's query did not
# A probe must answer quickly even when the database is slow: a statement that takes longer
# is as bad as none.
STATEMENT_TIMEOUT_MS = 2000


@functools.cache
def migration_heads() -> frozenset[str]:
    """The head revisions of survey/migrations. Read once per process: the scripts are part
    of the installed code, which does not change without a restart."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def current_revisions(connection: Connection) -> frozenset[str]:
    from alembic.runtime.migration import MigrationContext

    return frozenset(MigrationContext.configure(connection).get_current_heads())


def outbox_stuck(connection: Connection, stuck_after: dt.timedelta) -> bool:
    """Stuck: a message has waited past its due time for longer than `stuck_after`, and no
    message was sent in that time either. Waiting alone is not stuck: a large round sent at
    MAIL_RATE_PER_MINUTE keeps messages waiting for an hour while the sender works through
    them. Failed messages are not stuck either: they are shown on the delivery page."""
    cutoff = utcnow() - stuck_after
    oldest_due = connection.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING
        )
    )
    if oldest_due is None or aware(oldest_due) > cutoff:
        return False
    last_sent = connection.scalar(
        select(func.max(OutboxMessage.sent_at)).where(OutboxMessage.status == OutboxStatus.SENT)
    )
    return last_sent is None or aware(last_sent) <= cutoff


def readiness(engine, stuck_after: dt.timedelta) -> dict[str, str]:
    """{"database": …, "migrations": …, "outbox": …}; every value "ok" when ready."""
    status = {"database": NOT_CHECKED, "migrations": NOT_CHECKED, "outbox": NOT_CHECKED}
    checking = "database"
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # For this transaction only, which ends (rolled back) when the block does.
                connection.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
            connection.execute(text("SELECT 1"))
            status["database"] = OK
            checking = "migrations"
            status["migrations"] = (
                OK if current_revisions(connection) == migration_heads() else BEHIND
            )
            if status["migrations"] != OK:
                return status  # the outbox table may not have the columns the query names
            checking = "outbox"
            status["outbox"] = STUCK if outbox_stuck(connection, stuck_after) else OK
    except Exception as error:  # noqa: BLE001 - any failure to read means "not ready"
        # The class only: a driver's message can name the host, the user or a row's values.
        logger.warning("readiness: checking %s failed (%s)", checking, type(error).__name__)
        status[checking] = UNREACHABLE if checking == "database" else FAILED
    return status
