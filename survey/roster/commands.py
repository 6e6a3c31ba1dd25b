"""`survey roster import`, `survey units create` and `survey units import`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

from survey.db import unit_of_work
from survey.paths import display_path

roster_cli = AppGroup("roster", help="Employees and their positions.")
units_cli = AppGroup("units", help="Organisational units.")


def read_sheet(path: Path):
    """The rows of a CSV or XLSX file, or exit 1 with the reason it can't be read."""
    from survey.roster.reading import UnreadableFile, read_file

    try:
        return read_file(path, display_path(path))
    except UnreadableFile as unreadable:
        click.echo(str(unreadable.problem))
        sys.exit(1)


def finish_import(
    plan,
    apply: Callable[[Any], Any],
    *,
    dry_run: bool,
    object_type: str,
    detail: Callable[[Any], dict[str, Any]],
) -> None:
    """The common end of every file import: print every error and stop (nothing imported),
    else show the planned changes, and unless it is a dry run apply them all in one
    transaction with one audit entry."""
    from survey.audit.services import Action, record

    if plan.errors:
        for error in plan.errors:
            click.echo(str(error))
        click.echo(f"{len(plan.errors)} error(s); nothing was imported.", err=True)
        sys.exit(1)
    for line in plan.report.lines():
        click.echo(line)
    if dry_run:
        click.echo("dry run: nothing was imported.", err=True)
        return
    report = apply(plan)
    record(Action.CHANGE, object_type=object_type, detail={**detail(report), "via": "cli"})
    click.echo("imported.", err=True)


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
@unit_of_work()
def roster_import(file: Path, dry_run: bool, mappings: tuple[str, ...], create_units: bool) -> None:
    """Import employees and positions from a CSV or XLSX file, all or nothing.

    Standard columns: ansattnummer, navn, enhet (code or name), yrkesgruppe, stillingsprosent,
    ansettelsesform (fast/midlertidig), startdato; optional kjonn, fodselsar, epost, mobil.
    One row is one position; rows with the same ansattnummer add up. People missing from the
    file are reported and marked as having left the roster, not deleted."""
    from survey.roster.importing import apply_roster, plan_roster
    from survey.roster.reading import parse_mapping

    try:
        mapping = parse_mapping(mappings)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--map") from None
    plan = plan_roster(read_sheet(file), mapping=mapping, create_units=create_units)
    finish_import(
        plan,
        apply_roster,
        dry_run=dry_run,
        object_type="roster",
        detail=lambda report: {
            "file": file.name,
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
            "created_units": len(report.created_units),
        },
    )


@units_cli.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--parent", help="Code of the parent unit.")
@unit_of_work()
def units_create(code: str, name: str, parent: str | None) -> None:
    """Create a unit (sektor, enhet or avdeling)."""
    from survey.accounts.models import Unit
    from survey.accounts.services import find_unit
    from survey.extensions import db

    parent_row = find_unit(parent) if parent else None
    if parent and parent_row is None:
        raise click.ClickException(f"unknown parent unit {parent!r}")
    if find_unit(code) is not None:
        raise click.ClickException(f"unit {code!r} exists")
    db.session.add(Unit(code=code, name=name, parent=parent_row))
    click.echo(f"unit {code}: {name}")


@units_cli.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and show the changes only.")
@unit_of_work()
def units_import(file: Path, dry_run: bool) -> None:
    """Import units from a CSV or XLSX file (columns kode, navn, overordnet), all or nothing.

    `overordnet` is the parent's code; a parent may come later in the file or exist already."""
    from survey.roster.unit_import import apply_units, plan_units

    finish_import(
        plan_units(read_sheet(file)),
        apply_units,
        dry_run=dry_run,
        object_type="units",
        detail=lambda report: {
            "file": file.name,
            "created": len(report.created),
            "updated": len(report.updated),
        },
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(roster_cli)
    app.cli.add_command(units_cli)
