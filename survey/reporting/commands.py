"""`survey report heltid|…`: reports as PDF (or PDF/A, HTML, CSV, XLSX) from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from survey.db import unit_of_work

report_cli = AppGroup("report", help="PDF reports (audited).")

FORMATS = {".pdf": "pdf", ".html": "html", ".csv": "csv", ".xlsx": "xlsx"}


def _as_of(text: str | None) -> dt.date:
    from survey.db import today

    if text is None:
        return today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise click.ClickException(f"--as-of: '{text}' is not a date; write YYYY-MM-DD") from None


def write_report(report, out: Path, *, lang: str, archival: bool, author: str) -> str:
    """Write `report` in the format named by `out`'s suffix; returns the format."""
    from reports import PdfMetadata, html_to_pdf, render_html
    from survey.reporting.exports import to_csv, write_xlsx

    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise click.ClickException(f"--out: use a .pdf, .html, .csv or .xlsx file, not {out.name}")
    if kind == "csv":
        out.write_bytes(to_csv(report))
    elif kind == "xlsx":
        write_xlsx(report, out, lang)
    else:
        metadata = PdfMetadata(
            title=f"{report.title} – {report.subtitle}", author=author, lang=lang
        )
        html = render_html("report.html", {"report": report}, lang, metadata)
        if kind == "html":
            out.write_text(html, encoding="utf-8")
        else:
            out.write_bytes(html_to_pdf(html, archival=archival))
    return kind


@report_cli.command("heltid")
@click.option(
    "--scope",
    "scope_text",
    default="kommune",
    show_default=True,
    help="kommune or unit:ID (id or code)",
)
@click.option("--as-of", "as_of_text", metavar="YYYY-MM-DD", help="The day (default: today).")
@click.option("--profile", "profile_id", help="Count by this definition (default: the active one).")
@click.option("--heltid", help='What counts as heltid: 100, ">= 80" or "> 90".')
@click.option("--lang", type=click.Choice(["nb", "nn", "en"]), default="nb", show_default=True)
@click.option("--pdfa", is_flag=True, help="PDF/A-1b for the archive.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="FILE.pdf, .html, .csv or .xlsx",
)
@unit_of_work()
def heltid_command(scope_text, as_of_text, profile_id, heltid, lang, pdfa, out) -> None:
    """The heltid report for the municipality or a unit, as of a day."""
    from survey.audit.services import Action, record
    from survey.classification import load_definitions
    from survey.reporting.facts import Settings
    from survey.reporting.heltid_report import build_report, heltid_data
    from survey.reporting.scope import Scope, UnknownScope

    definitions = load_definitions()
    try:
        settings = Settings.from_definitions(definitions, profile_id, heltid)
    except KeyError:
        known = ", ".join(p.id for p in definitions.profiles)
        raise click.ClickException(
            f"unknown profile '{profile_id}'; choose one of: {known}"
        ) from None
    except ValueError as error:
        raise click.ClickException(f"--heltid: {error}") from None
    try:
        scope = Scope.parse(scope_text)
    except UnknownScope as error:
        raise click.ClickException(f"--scope: {error}") from None
    as_of = _as_of(as_of_text)
    figures, points = heltid_data(scope, as_of, settings)
    minimum = current_app.config["SMALL_GROUP_MINIMUM"]
    report = build_report(figures, points, lang=lang, minimum=minimum, scope=scope)
    kind = _write(report, out, lang=lang, archival=pdfa)
    record(
        Action.EXPORT,
        object_type="heltid_report",
        object_id=scope.key,
        detail={
            "as_of": as_of.isoformat(),
            "profile": settings.active.id,
            "lang": lang,
            "format": kind,
            "pdfa": pdfa,
            "via": "cli",
        },
    )
    click.echo(
        f"heltid report for {scope.key} on {as_of.isoformat()} ({figures.total.n} people) written to {out}",
        err=True,
    )


def _write(report, out: Path, *, lang: str, archival: bool) -> str:
    """Write the report to `out` (format from its suffix); a clear message when it cannot."""
    try:
        return write_report(
            report,
            out,
            lang=lang,
            archival=archival,
            author=current_app.config.get("REPORT_AUTHOR", "Heltid"),
        )
    except OSError as error:
        raise click.ClickException(f"could not write {out}: {error}") from None


def init_app(app: Flask) -> None:
    app.cli.add_command(report_cli)


@report_cli.command("campaign")
@click.argument("campaign_id", type=int)
@click.option("--lang", type=click.Choice(["nb", "nn", "en"]), default="nb", show_default=True)
@click.option("--include-free-text", is_flag=True, help="Add the free-text answers.")
@click.option("--pdfa", is_flag=True, help="PDF/A-1b for the archive.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="FILE.pdf, .html, .csv or .xlsx",
)
@unit_of_work()
def campaign_command(campaign_id, lang, include_free_text, pdfa, out) -> None:
    """The results of a campaign: response rate, distributions, Likert tables, by unit."""
    from survey.audit.services import Action, record
    from survey.campaigns.services import campaign_by_id
    from survey.reporting.campaign_report import build_campaign_report

    campaign = campaign_by_id(campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign {campaign_id}")
    report = build_campaign_report(
        campaign,
        lang=lang,
        minimum=current_app.config["SMALL_GROUP_MINIMUM"],
        include_free_text=include_free_text,
    )
    kind = _write(report, out, lang=lang, archival=pdfa)
    record(
        Action.EXPORT,
        object_type="campaign_report",
        object_id=campaign.id,
        detail={
            "lang": lang,
            "format": kind,
            "pdfa": pdfa,
            "free_text": include_free_text,
            "via": "cli",
        },
    )
    click.echo(f"campaign {campaign.id} report written to {out}", err=True)


@report_cli.command("person")
@click.argument("ansattnummer")
@click.option("--lang", type=click.Choice(["nb", "nn", "en"]), default="nb", show_default=True)
@click.option(
    "--audience",
    type=click.Choice(["employee", "committee"]),
    default="employee",
    show_default=True,
    help="committee: without health and family reasons or notes",
)
@click.option("--pdfa", is_flag=True, help="PDF/A-1b for the archive.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="FILE.pdf or .html",
)
@unit_of_work()
def person_command(ansattnummer, lang, audience, pdfa, out) -> None:
    """One person's living document: current state, classification, history."""
    from sqlalchemy import select

    from survey.accounts.models import Person
    from survey.audit.services import Action, record
    from survey.extensions import db
    from survey.reporting.person_report import build_person_report

    if out.suffix.lower() not in (".pdf", ".html"):
        raise click.ClickException(f"--out: use a .pdf or .html file, not {out.name}")
    person = db.session.scalars(select(Person).where(Person.ansattnummer == ansattnummer)).first()
    if person is None:
        raise click.ClickException(f"nobody has ansattnummer {ansattnummer}")
    report = build_person_report(person, audience=audience, lang=lang)
    kind = _write(report, out, lang=lang, archival=pdfa)
    record(
        Action.EXPORT,
        subject_id=person.id,
        object_type="person_report",
        object_id=person.id,
        detail={"lang": lang, "format": kind, "audience": audience, "via": "cli"},
    )
    click.echo(f"living document of {ansattnummer} ({audience}) written to {out}", err=True)
