"""`survey backup --out FILE` and `survey restore FILE`, see
docs/operations.md § Backup and restore. Both work on the database of DATABASE_URL; on
PostgreSQL run them as the role that owns the tables (the one `survey db upgrade` runs as).
The work is imported when a command runs, not when the app is built."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext


@click.command("backup")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (replaced whole if it exists; mode 0600).",
)
@with_appcontext
def backup_command(out: Path) -> None:
    """Write the whole database and a manifest (schema revision, rows per table, SHA-256) to
    one file. Consistent while the app runs. Prints: file, size, revision, total rows."""
    from survey.backup.archive import BackupError
    from survey.backup.services import make_backup

    try:
        manifest = make_backup(out)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    size = out.stat().st_size
    click.echo(
        f"{out}: {size} bytes, revision {manifest.revision}, "
        f"{manifest.total_rows} rows in {len(manifest.tables)} tables"
    )


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Restore a backup into the configured database, which must be empty. The file is
    checked first; a damaged or foreign file changes nothing. A backup from an older schema
    revision is migrated to head."""
    from survey.backup.archive import BackupError
    from survey.backup.services import restore_backup

    try:
        restored = restore_backup(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = restored.manifest
    click.echo(
        f"Restored {file} (made {manifest.created_at}): revision {manifest.revision}, "
        f"{manifest.total_rows} rows in {len(manifest.tables)} tables, counts as in the manifest."
    )
    if restored.migrated_to:
        click.echo(f"Migrated from revision {manifest.revision} to {restored.migrated_to}.")
    if restored.granted_role:
        click.echo(f"Role {restored.granted_role} (APP_DATABASE_ROLE) has its rights again.")
    elif manifest.database == "postgresql":
        click.echo(
            "The restored tables belong to the role that ran the restore, without grants: "
            "run `survey db create-app-role NAME` again for the app's role."
        )


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
