"""PostgreSQL: `pg_dump -Fc` of one snapshot, counted in that same snapshot; `pg_restore` in
one transaction.

The counts describe exactly what was dumped: a REPEATABLE READ transaction exports its
snapshot (`pg_export_snapshot()`), counts every table, and stays open while
`pg_dump --snapshot=…` reads the same snapshot. Rows committed meanwhile are in neither.

The client tools come from PATH (Debian: the postgresql-client package). The password goes to
them in PGPASSWORD, not on the command line, where `ps` would show it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.engine import Connection, Engine

from survey.backup.archive import BackupError, Dumped


def dump(engine: Engine, folder: Path) -> Dumped:
    pg_dump = _tool("pg_dump")
    tool = _run([pg_dump, "--version"]).strip()
    data = folder / "database.pgdump"
    repeatable = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with repeatable as connection, connection.begin():
        connection.execute(text("SET TRANSACTION READ ONLY"))
        server_major, server_version = _server_version(connection)
        if _major(tool) < server_major:
            raise BackupError(
                f"{tool} is older than the server (PostgreSQL {server_version}): it cannot "
                f"dump it; install postgresql-client-{server_major} and put it first on PATH"
            )
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        tables = table_counts(connection)
        revision = _revision(connection)
        uri, env = _libpq(engine)
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={data}", uri],
            env=env,
        )
    return Dumped(data, tables, revision, server_version, tool)


def restore(engine: Engine, data: Path) -> None:
    """Restore into the (empty) database of `engine`, all or nothing. Ownership and grants
    are left out: the restoring role owns everything, and the app's role is given its rights
    again by `survey db create-app-role`."""
    pg_restore = _tool("pg_restore")
    uri, env = _libpq(engine)
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={uri}",
            str(data),
        ],
        env=env,
        failure="pg_restore failed and restored nothing (it runs in one transaction)",
    )


def existing_relations(engine: Engine) -> list[str]:
    """Tables, views and sequences outside the system schemas: an empty database has none."""
    query = text(
        "SELECT n.nspname || '.' || c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
        "ORDER BY 1"
    )
    with engine.connect() as connection:
        return list(connection.execute(query).scalars())


def table_counts(connection: Connection) -> dict[str, int]:
    return {
        name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
        for name in sorted(inspect(connection).get_table_names())
    }


def _revision(connection: Connection) -> str:
    if "alembic_version" not in inspect(connection).get_table_names():
        raise BackupError(
            "the database has no alembic_version table: it is not this app's database, "
            "or it was never migrated (`survey db upgrade`)"
        )
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def _server_version(connection: Connection) -> tuple[int, str]:
    number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    return number // 10000, connection.execute(text("SHOW server_version")).scalar_one()


def _major(version_line: str) -> int:
    found = re.search(r"\) (\d+)", version_line) or re.search(r"(\d+)", version_line)
    return int(found.group(1)) if found else 0


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying it."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client tools of the server's "
            "major version (Debian: apt-get install postgresql-client)"
        )
    return found


def _run(command: list[str], env: dict[str, str] | None = None, failure: str = "") -> str:
    finished = subprocess.run(command, env=env, capture_output=True, text=True)
    if finished.returncode != 0:
        what = failure or f"{Path(command[0]).name} failed (exit {finished.returncode})"
        raise BackupError(f"{what}: {finished.stderr.strip()[-2000:]}")
    return finished.stdout
