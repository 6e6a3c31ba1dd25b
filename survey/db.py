"""The declarative base, the Flask-SQLAlchemy binding, and who commits.

One Base with a naming convention, so Alembic can name and drop constraints the same way on
SQLite and PostgreSQL.

Who commits: one rule for the whole package (docs/unit-of-work.md tells the why).

- Services, and everything else a view, command or job calls, change the session and flush
  when they need an id or a constraint error early. They never commit and never roll back.
- The unit of work commits once, or rolls back: a request (every view runs in one, see
  `UnitOfWorkApp`), a CLI command that writes (`@unit_of_work()` under `@….command`), a job
  run on its own such as `sync_directory` or `create_demo_data` (`@unit_of_work()` too).
- A request commits when its view returns a response, whatever its status: a failed log-in
  answers 400 or 401 and keeps its audit entry. It rolls back when the view raises, and
  `abort(403/404/…)` raises too, so a view that aborts after a service call leaves nothing.
  The commit runs before the response leaves: a commit that fails is a 500, not a lost save.
  A command or job commits when it returns and rolls back when it raises (`ClickException`
  and `sys.exit` included).
- Nested needs use a savepoint, `with db.session.begin_nested():`. Trying something that may
  fail (a double submit meeting a unique constraint, a service that raises a user error
  halfway) rolls back to the savepoint; the unit of work goes on and commits the rest.
- A unit of work never nests (`unit_of_work()` raises): the inner one would commit its
  caller's half-done work."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, Enum, MetaData, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON on SQLite, JSONB on PostgreSQL (indexable, compact).
JsonData = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay readable after a commit: a command prints, a test checks, without a reload.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})

_OPEN = "survey.unit_of_work"  # key in Session.info while a unit of work runs


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit once when the block (or the decorated command or job) ends, roll back when it
    raises. Use it as `with unit_of_work():` or as the decorator `@unit_of_work()`."""
    session = db.session
    if session.info.get(_OPEN):
        raise RuntimeError(
            "a unit of work is already open: use db.session.begin_nested() for a nested need"
        )
    session.info[_OPEN] = True
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_OPEN, None)


class UnitOfWorkApp(Flask):
    """The app: every view runs in one unit of work. Before-request functions run outside it;
    what they change is committed with the view, or dropped at teardown if they answer
    themselves. Error handlers run after the rollback."""

    def dispatch_request(self):
        with unit_of_work():
            return super().dispatch_request()


def today() -> dt.date:
    return dt.date.today()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC time: SQLite hands back naive datetimes for
    timezone-aware columns (they were stored as UTC); PostgreSQL's are aware already."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL and a busy timeout let several gunicorn workers write to one SQLite file."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_transaction(connection, name):
    """pysqlite begins its transaction lazily, at the first INSERT, UPDATE or DELETE. A
    SAVEPOINT before that would begin one of its own, and releasing the savepoint would
    commit it: begin the unit of work's transaction first, so the savepoint nests in it."""
    dbapi_connection = connection.connection.dbapi_connection
    if type(dbapi_connection).__module__.startswith("sqlite3") and not (
        dbapi_connection.in_transaction
    ):
        dbapi_connection.execute("BEGIN")


def string_enum(cls: type[enum.Enum], length: int = 20) -> Enum:
    """An enum stored as its values in a VARCHAR with a CHECK, the same on SQLite and
    PostgreSQL (no native ENUM type to migrate)."""
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )
