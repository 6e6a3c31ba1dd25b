"""`survey classify` and `survey export living-documents`: living documents on a given day."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from survey.db import unit_of_work
from survey.living.exporting import export_rows, states, write_csv, write_xlsx
from survey.living.relevance import counted_states
from survey.tabular import csv_bytes

STATUS_LABELS = {
    "full_time": "heltid",
    "voluntary": "frivillig",
    "involuntary": "ufrivillig",
    "not_enough_data": "mangler data",
}


def _parse_date(text: str | None) -> dt.date:
    from survey.db import today

    if text is None:
        return today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise click.ClickException(f"--as-of: '{text}' is not a date; write YYYY-MM-DD") from None


export_cli = AppGroup("export", help="Exports of personal data (audited).")


# --- survey classify --------------------------------------------------------------------------


def _stilling(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return "–"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    ]


@click.command("classify")
@with_appcontext
@click.option("--profile", "profile_id", help="Only this profile (default: every profile).")
@click.option("--as-of", "as_of_text", metavar="YYYY-MM-DD", help="The day (default: today).")
@click.option("--heltid", help='What counts as heltid: 100, ">= 80" or "> 90".')
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table")
def classify_command(
    profile_id: str | None, as_of_text: str | None, heltid: str | None, output: str
) -> None:
    """Classify every living document, as it stood on a day, under the definitions of
    ufrivillig deltid: heltid, frivillig or ufrivillig deltid, or mangler data. The totals
    count the population of the reports and the definitions page (population in
    definitions.yaml): people in a left-out group are listed, marked, and not counted."""
    from survey.classification import HeltidThreshold, classify, classify_many, load_definitions
    from survey.classification.wording import groups_text

    definitions = load_definitions()
    if profile_id is None:
        profiles = definitions.profiles
    else:
        try:
            profiles = (definitions.profile(profile_id),)
        except KeyError:
            known = ", ".join(profile.id for profile in definitions.profiles)
            raise click.ClickException(
                f"unknown profile '{profile_id}'; choose one of: {known}"
            ) from None
    try:
        threshold = (
            definitions.default_heltid_threshold
            if heltid is None
            else HeltidThreshold.parse(heltid)
        )
    except ValueError as error:
        raise click.ClickException(f"--heltid: {error}") from None
    as_of = _parse_date(as_of_text)

    found = counted_states(states(as_of))
    population = definitions.population
    records = [state.data for state in found]
    left_out = [population.left_out_groups(data) for data in records]
    results = [
        {
            profile.id: classify(state.data, profile, heltid_threshold=threshold)
            for profile in profiles
        }
        for state in found
    ]
    comparison = classify_many(records, profiles, threshold, exclude=population.left_out)
    totals = {row.profile.id: dict(row.counts) for row in comparison.rows}
    ids = [profile.id for profile in profiles]
    in_groups = population.group_counts(records)

    if output == "json":
        people = [
            {
                "ansattnummer": state.ansattnummer,
                "name": state.name,
                "left_out": [group.id for group in groups],
                "profiles": {
                    profile: {
                        "status": result.status,
                        "criteria": [
                            {"id": criterion.id, "outcome": criterion.outcome}
                            for criterion in result.criteria
                        ],
                    }
                    for profile, result in classified.items()
                },
            }
            for state, classified, groups in zip(found, results, left_out, strict=True)
        ]
        document = {
            "as_of": as_of.isoformat(),
            "heltid_threshold": str(threshold),
            "population": {
                "in_scope": len(found),
                "left_out": dict(comparison.excluded),
                "counted_groups": {group.id: in_groups[group.id] for group in population.counted},
                "n": comparison.n,
            },
            "people": people,
            "totals": totals,
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    elif output == "csv":
        table = [["ansattnummer", "navn", "stillingsprosent", *ids, "utelatt"]]
        for state, classified, groups in zip(found, results, left_out, strict=True):
            stilling = state.data.get("stillingsprosent")
            table.append(
                [
                    state.ansattnummer,
                    state.name,
                    "" if stilling is None else stilling,
                    *(classified[profile].status for profile in ids),
                    ";".join(group.id for group in groups),
                ]
            )
        click.echo(csv_bytes(table), nl=False)
    else:
        rows = [
            [
                state.ansattnummer,
                state.name,
                _stilling(state.data.get("stillingsprosent")),
                *(STATUS_LABELS[classified[profile].status] for profile in ids),
                ", ".join(group.id for group in groups),
            ]
            for state, classified, groups in zip(found, results, left_out, strict=True)
        ]
        for line in _table(["ansattnummer", "navn", "stilling %", *ids, "utelatt"], rows):
            click.echo(line)
        click.echo(f"\n{len(found)} person(s) on {as_of.isoformat()}, heltid {threshold}")
        click.echo(
            f"Population: {len(found)} living document(s) in force, of whom "
            f"{comparison.excluded_total} left out; N = {comparison.n}"
        )
        click.echo(f"Left out: {groups_text(population.left_out, comparison.excluded, 'en')}")
        click.echo(
            "Counted although often left out: " + groups_text(population.counted, in_groups, "en")
        )
        click.echo(f"Totals over N = {comparison.n}:")
        for profile in ids:
            counts = ", ".join(
                f"{label} {totals[profile][status]}" for status, label in STATUS_LABELS.items()
            )
            click.echo(f"{profile}: {counts}")


# --- survey export living-documents -----------------------------------------------------------


@export_cli.command("living-documents")
@click.option("--format", "output", type=click.Choice(["csv", "xlsx", "json"]), required=True)
@click.option(
    "--as-of", "as_of_text", metavar="YYYY-MM-DD", help="The day (default: current revisions)."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False, writable=True),
    help="Write to this file (default: standard output; xlsx needs a file).",
)
@unit_of_work()
def export_living_documents(output: str, as_of_text: str | None, out: Path | None) -> None:
    """One row per person: ansattnummer, navn, registrert_enhet, revisjon, gjelder_fra,
    sist_bekreftet and every answer field (sorted, named as in the questionnaires)."""
    from survey.audit.services import Action, record

    if output == "xlsx" and out is None:
        raise click.ClickException("--format xlsx needs --out FILE")
    as_of = None if as_of_text is None else _parse_date(as_of_text)
    columns, rows = export_rows(states(as_of))

    try:
        if output == "xlsx":
            write_xlsx(columns, rows, out)
        elif output == "json":
            text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
            if out is None:
                click.echo(text, nl=False)
            else:
                out.write_text(text, encoding="utf-8", newline="")
        else:
            data = write_csv(columns, rows)
            if out is None:
                click.echo(data, nl=False)
            else:
                out.write_bytes(data)
    except OSError as error:
        raise click.ClickException(f"could not write {out}: {error}") from None

    record(
        Action.EXPORT,
        object_type="living_documents",
        detail={"format": output, "count": len(rows)},
    )
    if out is not None:
        click.echo(f"{len(rows)} person(s) written to {out}.", err=True)


# --- survey mappings import -------------------------------------------------------------------

mappings_cli = AppGroup("mappings", help="Historical mappings (living documents).")


@mappings_cli.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--as-of",
    "as_of_text",
    metavar="YYYY-MM-DD",
    required=True,
    help="The day the mappings took effect.",
)
@click.option("--dry-run", is_flag=True, help="Check the file and show the changes only.")
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Read a column with another header as one of the fields.",
)
@unit_of_work()
def mappings_import(file: Path, as_of_text: str, dry_run: bool, mappings: tuple[str, ...]) -> None:
    """Import historical mappings from a CSV or XLSX file as revisions in force from --as-of,
    all or nothing.

    One row per person, keyed by ansattnummer (who must be on the roster); the other columns
    are the field names of kartleggingssamtale.yaml, read by their question's type. A blank cell
    keeps the value in force on the day; unknown columns are ignored and listed."""
    from survey.living.importing import apply_mappings, plan_mappings
    from survey.roster.commands import finish_import, read_sheet
    from survey.roster.reading import parse_mapping

    try:
        mapping = parse_mapping(mappings)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--map") from None
    as_of = _parse_date(as_of_text)
    finish_import(
        plan_mappings(read_sheet(file), as_of, mapping=mapping),
        lambda plan: apply_mappings(plan, note=f"import {file.name}"),
        dry_run=dry_run,
        object_type="mappings",
        detail=lambda report: {
            "file": file.name,
            "as_of": as_of.isoformat(),
            "created": len(report.created),
            "revised": len(report.revised),
            "unchanged": len(report.unchanged),
        },
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(classify_command)
    app.cli.add_command(export_cli)
    app.cli.add_command(mappings_cli)
