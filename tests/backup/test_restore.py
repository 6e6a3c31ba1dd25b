"""`survey restore`: an older revision is migrated to head; bad input changes nothing."""

from __future__ import annotations

import io
import os
import tarfile

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from survey.migrate import MIGRATIONS, upgrade
from tests.backup.helpers import (
    cli_app,
    empty_database,
    engine_for,
    kind_of,
    manifest_of,
    rewrite,
    run_cli,
    table_names,
)

HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_backup_at_an_older_revision_is_restored_and_migrated_to_head(kind, tmp_path, request):
    source = empty_database(request, kind, tmp_path)
    with cli_app(source) as app, app.app_context():
        from survey.extensions import db

        upgrade("0009")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO unit (code, name) VALUES ('oppvekst', 'Oppvekst')")
            )
    out = tmp_path / "old.tar"
    made = run_cli(source, "backup", "--out", str(out))
    assert made.exit_code == 0, made.output
    assert manifest_of(out)["revision"] == "0009"

    target = empty_database(request, kind, tmp_path)
    restored = run_cli(target, "restore", str(out))
    assert restored.exit_code == 0, restored.output
    assert f"Migrated from revision 0009 to {HEAD}." in restored.output
    engine = engine_for(target)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == HEAD
            assert connection.execute(text("SELECT code, name FROM unit")).all() == [
                ("oppvekst", "Oppvekst")
            ]
    finally:
        engine.dispose()


def _random_tar(path):
    with tarfile.open(path, "w") as archive:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    return path


def _flip_middle_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(
    database_url, tmp_path, request, monkeypatch
):
    kind = kind_of(database_url)
    good = tmp_path / "good.tar"
    with cli_app(database_url) as source_app:
        source = source_app.test_cli_runner()
        made = source.invoke(args=["backup", "--out", str(good)])
        assert made.exit_code == 0, made.output
        manifest = manifest_of(good)
        whole = good.read_bytes()

        truncated = tmp_path / "truncated.tar"
        truncated.write_bytes(whole[: len(whole) // 2])
        foreign = tmp_path / "report.pdf"
        foreign.write_bytes(b"%PDF-1.7\n" + os.urandom(4000))
        cases = [
            (truncated, "is truncated or damaged"),
            (foreign, "is not a Heltid backup (not a tar archive"),
            (
                _random_tar(tmp_path / "random.tar"),
                "is not a Heltid backup: it does not begin with manifest.json",
            ),
            (
                rewrite(good, tmp_path / "flipped.tar", data=_flip_middle_byte),
                "is damaged: the SHA-256 of",
            ),
            (
                rewrite(good, tmp_path / "not-json.tar", manifest=b"{not json"),
                "manifest.json is not well formed: not JSON",
            ),
            (
                rewrite(good, tmp_path / "newer.tar", manifest={**manifest, "revision": "9999"}),
                "is at schema revision 9999, which this version of the app does not know",
            ),
            (tmp_path / "absent.tar", "absent.tar: no such file"),
        ]

        target = empty_database(request, kind, tmp_path)
        with cli_app(target) as target_app:
            restore = target_app.test_cli_runner()
            for path, message in cases:
                result = restore.invoke(args=["restore", str(path)])
                assert result.exit_code == 1, (path, result.output)
                assert result.output.startswith(f"Error: {path}"), result.output
                assert message in result.output, result.output
                assert table_names(target) == [], path
            if kind == "postgresql":
                monkeypatch.setenv("PATH", "/nonexistent")
                result = restore.invoke(args=["restore", str(good)])
                assert result.exit_code == 1
                assert "pg_restore is not on PATH" in result.output
                assert table_names(target) == []
                result = source.invoke(args=["backup", "--out", str(tmp_path / "none.tar")])
                assert result.exit_code == 1
                assert "pg_dump is not on PATH" in result.output
                assert not (tmp_path / "none.tar").exists()
                monkeypatch.undo()
                # The app's role may not read history_permit: the backup runs as the owner.
                as_app = run_cli(
                    request.getfixturevalue("app_role_url"),
                    "backup",
                    "--out",
                    str(tmp_path / "none.tar"),
                )
                assert as_app.exit_code == 1
                assert "permission denied for table" in as_app.output
                assert "run the backup as the role that owns the tables" in as_app.output
                assert not (tmp_path / "none.tar").exists()

        # The source is not empty: refused, and it keeps what it had.
        before = table_names(database_url)
        result = source.invoke(args=["restore", str(good)])
        assert result.exit_code == 1
        assert (
            "is not empty" in result.output
            and "restore only into an empty database" in result.output
        )
        assert table_names(database_url) == before

    if kind == "sqlite":
        assert sorted(p.name for p in tmp_path.glob("target-*/*")) == []  # nothing left behind
    assert sorted(p.name for p in tmp_path.glob(".heltid-backup.*")) == []


def test_a_backup_restores_only_into_a_database_of_its_kind(
    postgres_url, sqlite_template, tmp_path, request
):
    import shutil

    sqlite_source = tmp_path / "source.sqlite3"
    shutil.copy(sqlite_template, sqlite_source)
    archives = {}
    for kind, url in (("postgresql", postgres_url), ("sqlite", f"sqlite:///{sqlite_source}")):
        archives[kind] = tmp_path / f"{kind}.tar"
        made = run_cli(url, "backup", "--out", str(archives[kind]))
        assert made.exit_code == 0, made.output
    for kind, other in (("postgresql", "sqlite"), ("sqlite", "postgresql")):
        target = empty_database(request, other, tmp_path)
        result = run_cli(target, "restore", str(archives[kind]))
        assert result.exit_code == 1
        assert (
            f"Error: {archives[kind]} is a {kind} backup; the target database is {other}: "
            "restore it into a database of the same kind"
        ) in result.output
        assert table_names(target) == []
