"""Make a backup of the configured database, and restore one into it when it is empty.

A restore checks everything it can before it touches the target: the archive (manifest,
size, checksum), that the backup's database kind is the target's, that this app knows the
backup's schema revision, that the target has no tables, that the client tools are there.
Then it restores all or nothing, compares the restored counts with the manifest, and
migrates a backup from an older revision to head."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from survey import privileges
from survey.backup import archive, postgres, sqlite
from survey.backup.archive import BackupError, Manifest
from survey.extensions import db
from survey.migrate import MIGRATIONS, upgrade

KINDS = {"postgresql": postgres, "sqlite": sqlite}


def make_backup(out: Path) -> Manifest:
    engine = db.engine
    kind = _kind(engine)
    out = out.resolve()
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent}: no such folder")
    if out.is_dir():
        raise BackupError(f"{out} is a folder; --out names the file to write")
    with archive.work_folder(out.parent) as folder:
        try:
            dumped = KINDS[kind].dump(engine, folder)
        except DBAPIError as error:
            raise BackupError(
                f"the database refused to be read: {str(error.orig).strip()}; run the backup "
                "as the role that owns the tables"
            ) from None
        manifest = Manifest(
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            database=kind,
            server_version=dumped.server_version,
            app_version=_app_version(),
            revision=dumped.revision,
            tables=dumped.tables,
            data_file=archive.DATA_NAMES[kind],
            data_sha256=archive.sha256_of(dumped.data),
            data_bytes=dumped.data.stat().st_size,
            tool=dumped.tool,
        )
        archive.write(out, dumped.data, manifest, folder)
    return manifest


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    migrated_to: str | None  # the head revision, when the backup's was older
    granted_role: str | None  # APP_DATABASE_ROLE, given its rights again


def restore_backup(path: Path) -> Restored:
    engine = db.engine
    kind = _kind(engine)
    path = path.resolve()
    # SQLite: unpack beside the target, so that putting it in place is a rename.
    parent = sqlite.database_path(engine).parent if kind == "sqlite" else None
    with archive.work_folder(parent or Path(tempfile.gettempdir())) as folder:
        manifest, data = archive.read(path, folder)
        if manifest.database != kind:
            raise BackupError(
                f"{path} is a {manifest.database} backup; the target database is {kind}: "
                "restore it into a database of the same kind"
            )
        head = _check_revision(path, manifest.revision)
        existing = KINDS[kind].existing_relations(engine)
        if existing:
            shown = ", ".join(existing[:5]) + (", …" if len(existing) > 5 else "")
            raise BackupError(
                f"the target database {engine.url.render_as_string()} is not empty: it has "
                f"{len(existing)} tables, views or sequences ({shown}); restore only into an "
                "empty database"
            )
        if kind == "postgresql":
            postgres.restore(engine, data)
            with engine.connect() as connection:
                counts = postgres.table_counts(connection)
        else:
            counts = sqlite.check_copy(data)
        _compare(path, manifest, counts, restored=kind == "postgresql")
        if kind == "sqlite":
            sqlite.put_in_place(data, engine)
    migrated_to = None
    if manifest.revision != head:
        upgrade()
        migrated_to = head
    return Restored(manifest, migrated_to, _grant_app_role(kind))


def _grant_app_role(kind: str) -> str | None:
    """As `survey db upgrade` does: give APP_DATABASE_ROLE, when set, its rights on the
    restored tables (the restore leaves out the backup's grants)."""
    role = current_app.config.get("APP_DATABASE_ROLE")
    if kind != "postgresql" or not role:
        return None
    try:
        with db.engine.begin() as connection:
            privileges.apply(connection, role, None)
    except privileges.PrivilegeError as error:
        raise BackupError(
            f"restored, but the app role {role} was not given its rights: {error}"
        ) from None
    return role


def _compare(path: Path, manifest: Manifest, counts: dict[str, int], restored: bool) -> None:
    differences = [
        f"{name}: {counts.get(name)} rows, the manifest says {manifest.tables.get(name)}"
        for name in sorted(set(counts) | set(manifest.tables))
        if counts.get(name) != manifest.tables.get(name)
    ]
    if differences:
        state = "was restored, but" if restored else "was not restored:"
        raise BackupError(
            f"{path} {state} the data does not match its manifest: " + "; ".join(differences[:10])
        )


def _check_revision(path: Path, revision: str) -> str:
    """The head revision; refuses a backup made by a newer version of the app."""
    script = ScriptDirectory(str(MIGRATIONS))
    try:
        known = script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise BackupError(
            f"{path} is at schema revision {revision}, which this version of the app does not "
            "know: restore it with the version that made it (or a newer one)"
        )
    return script.get_current_head()


def _kind(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in KINDS:
        raise BackupError(f"backup and restore support PostgreSQL and SQLite, not {name}")
    return name


def _app_version() -> str:
    try:
        return metadata.version("heltid-survey")
    except metadata.PackageNotFoundError:
        return "unknown"
