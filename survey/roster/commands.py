"""`survey roster import` and `survey units import`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from survey.commands import units_cli

roster_cli = AppGroup("roster", help="Employees and their positions.")


def _read(path: Path):
    from survey.roster.reading import UnreadableFile, read_file

    try:
        return read_file(path, _display_path(path))
    except UnreadableFile as unreadable:
        click.echo(str(unreadable.error))
        sys.exit(1)


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _fail(errors) -> None:
    for error in errors:
        click.echo(str(error))
    click.echo(f"{len(errors)} error(s); nothing was imported.", err=True)
    sys.exit(1)


@roster_cli.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and show the changes only.")
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Read a column with another header as one of the standard fields.",
)
@click.option("--create-units", is_flag=True, help="Create units the file names but we lack.")
def roster_import(file: Path, dry_run: bool, mappings: tuple[str, ...], create_units: bool) -> None:
    """Import employees and positions from a CSV or XLSX file, all or nothing.

    Standard columns: ansattnummer, navn, enhet (code or name), yrkesgruppe, stillingsprosent,
    ansettelsesform (fast/midlertidig), startdato; optional kjonn, fodselsar, epost. One row is
    one position; rows with the same ansattnummer add up. People missing from the file are
    reported, not deleted."""
    from survey.audit.services import Action, record
    from survey.extensions import db
    from survey.roster.importing import apply_roster, plan_roster
    from survey.roster.reading import parse_mapping

    try:
        mapping = parse_mapping(mappings)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--map") from None
    sheet = _read(file)
    plan = plan_roster(sheet, mapping=mapping, create_units=create_units)
    if plan.errors:
        _fail(plan.errors)
    for line in plan.report.lines():
        click.echo(line)
    if dry_run:
        click.echo("dry run: nothing was imported.", err=True)
        return
    report = apply_roster(plan)
    record(
        Action.CHANGE,
        object_type="roster",
        detail={
            "file": file.name,
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
            "created_units": len(report.created_units),
            "via": "cli",
        },
    )
    db.session.commit()
    click.echo("imported.", err=True)


@units_cli.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and show the changes only.")
def units_import(file: Path, dry_run: bool) -> None:
    """Import units from a CSV or XLSX file (columns kode, navn, overordnet), all or nothing.

    `overordnet` is the parent's code; a parent may come later in the file or exist already."""
    from survey.audit.services import Action, record
    from survey.extensions import db
    from survey.roster.importing import apply_units, plan_units

    plan = plan_units(_read(file))
    if plan.errors:
        _fail(plan.errors)
    for line in plan.report.lines():
        click.echo(line)
    if dry_run:
        click.echo("dry run: nothing was imported.", err=True)
        return
    report = apply_units(plan)
    record(
        Action.CHANGE,
        object_type="units",
        detail={
            "file": file.name,
            "created": len(report.created),
            "updated": len(report.updated),
            "via": "cli",
        },
    )
    db.session.commit()
    click.echo("imported.", err=True)


def init_app(app: Flask) -> None:
    app.cli.add_command(roster_cli)
