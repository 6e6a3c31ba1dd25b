"""SQLite: the online backup API copies the database while the app writes; a restore renames a
checked copy into place.

`sqlite3.Connection.backup` with its default (all pages in one step) holds a read transaction
for the whole copy: the copy is one consistent state, and WAL lets the app's writers go on
meanwhile. The copy is counted and its revision read afterwards, so the counts are the copy's."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import Engine

from survey.backup.archive import BackupError, Dumped


def database_path(engine: Engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"backup and restore need an SQLite file, not {engine.url!r}")
    path = Path(name).resolve()
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent}: no such folder")
    return path


def dump(engine: Engine, folder: Path) -> Dumped:
    source_path = database_path(engine)
    if not source_path.is_file():
        raise BackupError(f"{source_path}: no such database file")
    data = folder / "database.sqlite3"
    with (
        closing(sqlite3.connect(source_path, timeout=30)) as source,
        closing(sqlite3.connect(data)) as copy,
    ):
        source.backup(copy)
        # One self-contained file: no -wal beside it inside the archive.
        copy.execute("PRAGMA journal_mode=DELETE")
    with closing(sqlite3.connect(data)) as copy:
        tables = table_counts(copy)
        revision = _revision(copy)
    return Dumped(data, tables, revision, sqlite3.sqlite_version, "sqlite3 backup API")


def existing_relations(engine: Engine) -> list[str]:
    path = database_path(engine)
    if not path.exists():
        return []
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as target:
            return sorted(table_counts(target))
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{path} is not an SQLite database ({error}): not restoring over it"
        ) from None


def check_copy(data: Path) -> dict[str, int]:
    """The restored copy's counts, before it goes into place; raises when SQLite finds it
    damaged."""
    try:
        with closing(sqlite3.connect(data)) as copy:
            problems = copy.execute("PRAGMA integrity_check").fetchall()
            if problems != [("ok",)]:
                raise BackupError(f"the SQLite file in the backup is damaged: {problems[:5]}")
            return table_counts(copy)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the SQLite file in the backup cannot be read: {error}") from None


def put_in_place(data: Path, engine: Engine) -> None:
    """Rename the checked copy onto the (empty or absent) target. A leftover -wal or -shm of
    the empty target would be read with the new file, so they go first."""
    target = database_path(engine)
    engine.dispose()
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.chmod(data, 0o600)  # personal data: readable by the app's user only, as the backup
    os.replace(data, target)


def table_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY name"
    ).fetchall()
    return {
        name: connection.execute(
            f'SELECT count(*) FROM "{name.replace(chr(34), chr(34) * 2)}"'
        ).fetchone()[0]
        for (name,) in names
    }


def _revision(connection: sqlite3.Connection) -> str:
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.OperationalError, TypeError):
        raise BackupError(
            "the database has no alembic_version row: it is not this app's database, "
            "or it was never migrated (`survey db upgrade`)"
        ) from None
