"""Running the CLI on a database of the test's choosing, empty targets, and reading archives."""

from __future__ import annotations

import io
import json
import tarfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from survey import create_app
from survey.config import normalise_database_url
from tests.conftest import _test_config


@contextmanager
def cli_app(url: str, **config) -> Iterator:
    """An app on the database at `url` (on PostgreSQL: as the owner, as the operator runs
    backup and restore)."""
    app = create_app({**_test_config(url, instance=None), **config})
    try:
        yield app
    finally:
        with app.app_context():
            from survey.extensions import db

            db.session.remove()
            db.engine.dispose()


def run_cli(url: str, *args: str, **config):
    """`survey ARGS` on the database at `url`, through Flask's CLI runner."""
    with cli_app(url, **config) as app:
        return app.test_cli_runner().invoke(args=list(args))


def empty_database(request, kind: str, tmp_path: Path) -> str:
    """The URL of an empty database of `kind`: an absent SQLite file in a folder of its own,
    or a new PostgreSQL database (dropped after the test)."""
    if kind == "sqlite":
        folder = tmp_path / f"target-{uuid.uuid4().hex[:6]}"
        folder.mkdir()
        return f"sqlite:///{folder / 'survey.sqlite3'}"
    admin = request.getfixturevalue("postgres_admin")
    drop = request.getfixturevalue("postgres_dropper")
    name = f"survey_restore_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    request.addfinalizer(lambda: drop(name))
    return make_url(admin.url).set(database=name).render_as_string(hide_password=False)


def kind_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def engine_for(url: str):
    return create_engine(normalise_database_url(url))


def table_names(url: str) -> list[str]:
    """The target's tables; [] for an absent SQLite file (without creating it)."""
    if kind_of(url) == "sqlite" and not Path(make_url(url).database).exists():
        return []
    engine = engine_for(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        return sorted(metadata.tables)
    finally:
        engine.dispose()


def rows_by_key(connection, table) -> dict[tuple, dict]:
    key = list(table.primary_key.columns) or list(table.columns)
    return {
        tuple(row[c.name] for c in key): dict(row)
        for row in connection.execute(select(table)).mappings()
    }


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as opened:
        return json.loads(opened.extractfile("manifest.json").read())


def rewrite(archive: Path, out: Path, *, manifest=None, data=None) -> Path:
    """A copy of `archive` with another manifest (a dict, or bytes as they are) and/or data
    (bytes -> bytes), the manifest's checksum left as it was."""
    with tarfile.open(archive) as source, tarfile.open(out, "w") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name == "manifest.json" and manifest is not None:
                content = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
            elif member.name != "manifest.json" and data is not None:
                content = data(content)
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    return out
