"""`survey vacancy create` and `survey committee …`: the ansettelsesutvalg for HR scripts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from survey.db import unit_of_work

vacancy_cli = AppGroup("vacancy", help="Vacant positions and shares for the committee.")
committee_cli = AppGroup("committee", help="The ansettelsesutvalg: candidates and equivalences.")


def _fail(error) -> click.ClickException:
    return click.ClickException(str(error.problem))


@vacancy_cli.command("create")
@with_appcontext
@click.option("--unit", "unit_code", required=True, help="Unit code or name.")
@click.option("--yrkesgruppe", required=True, help="e.g. helsefagarbeider, sykepleier.")
@click.option("--percent", required=True, help="The whole vacancy, e.g. 60 or 62.5.")
@click.option("--share", "shares", multiple=True, help="A share (repeat); must add up.")
@click.option("--whole-shares", is_flag=True, help="Each share goes whole to one candidate.")
@click.option("--temporary", is_flag=True, help="A temporary position (default permanent).")
@click.option("--weekends", type=int, help="Weekends a year the position works.")
@click.option("--long-shifts", is_flag=True, help="The position has long shifts.")
@click.option("--shift", "shifts", multiple=True, help="dag, kveld or natt (repeat).")
@click.option("--other-units", is_flag=True, help="The position includes other units.")
@click.option("--start", "start_text", metavar="YYYY-MM-DD", help="Start date.")
@click.option("--title", help="A title (default from yrkesgruppe, percent and unit).")
@click.option("--order", help="Order criteria, e.g. involuntary,ansiennitet,size.")
@click.option("--member", "member_emails", multiple=True, help="Committee member e-mail (repeat).")
@unit_of_work()
def create_vacancy_command(
    unit_code, yrkesgruppe, percent, shares, whole_shares, temporary, weekends, long_shifts, shifts,
    other_units, start_text, title, order, member_emails,
):  # fmt: skip
    """Create a vacancy (the committee's case) and print its id."""
    from survey.accounts.services import find_by_email, find_unit
    from survey.committee import services

    unit = find_unit(unit_code)
    if unit is None:
        raise click.ClickException(f"--unit: no unit '{unit_code}'")
    start = None
    if start_text:
        try:
            start = dt.date.fromisoformat(start_text)
        except ValueError:
            raise click.ClickException(f"--start: '{start_text}' is not YYYY-MM-DD") from None
    members = []
    for email in member_emails:
        person = find_by_email(email)
        if person is None:
            raise click.ClickException(f"--member: nobody has the e-mail address '{email}'")
        members.append(person)
    try:
        vacancy = services.create_vacancy(
            unit=unit,
            yrkesgruppe=yrkesgruppe,
            percent=percent,
            title=title,
            shares=shares,
            divisible=not whole_shares,
            permanent=not temporary,
            weekends_per_year=weekends,
            long_shifts=long_shifts,
            shift_types=shifts,
            other_units=other_units,
            start_date=start,
            order=order,
            members=members,
        )
    except services.CommitteeError as error:
        raise _fail(error) from None
    click.echo(vacancy.id)


def _table(headers, rows) -> list[str]:
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    ]


def _json_candidate(candidate, view) -> dict:
    return {
        "rank": view["number"],
        "person_id": candidate.person_id,
        "name": candidate.name,
        "unit": candidate.unit_name,
        "yrkesgruppe": candidate.yrkesgruppe,
        "permanent": candidate.permanent,
        "stillingsprosent": candidate.current,
        "onsket_prosent": candidate.desired,
        "status": candidate.status,
        "fortrinnsrett": candidate.fortrinnsrett,
        "employed_since": candidate.employed_since.isoformat()
        if candidate.employed_since
        else None,
        "last_confirmed": candidate.last_confirmed.isoformat()
        if candidate.last_confirmed
        else None,
        "stale": candidate.stale,
        "checks": {check.id: check.outcome for check in candidate.checks},
        "decision": view["decision"]["outcome"] if view["decision"] else None,
    }


@committee_cli.command("candidates")
@with_appcontext
@click.argument("vacancy_id", type=int)
@click.option("--format", "output", type=click.Choice(["table", "json", "pdf"]), default="table")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["nb", "nn", "en"]), default="nb")
@unit_of_work()
def candidates_command(vacancy_id: int, output: str, out_path: Path | None, lang: str) -> None:
    """The candidate list for a vacancy: fortrinnsrett (§ 14-3) first, every condition checked
    (audited as an export)."""
    from flask_babel import force_locale

    from survey.audit.services import Action, record
    from survey.committee import pdf, presenting, services
    from survey.committee.models import Vacancy
    from survey.extensions import db

    vacancy = db.session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise click.ClickException(f"no vacancy {vacancy_id}")
    if output == "pdf" and out_path is None:
        raise click.ClickException("--format pdf needs --out FILE")
    found = services.candidates_for(vacancy)
    with current_app.test_request_context(), force_locale(lang):
        views = presenting.candidate_views(found, lang, services.current_decisions(vacancy))
        if output == "pdf":
            vacancy_view = presenting.vacancy_view(vacancy, services.members(vacancy), lang)
            body = pdf.render(
                pdf.build_report(vacancy_view, views, lang),
                lang,
                current_app.config.get("REPORT_AUTHOR", "Heltid"),
            )
        elif output == "json":
            body = json.dumps(
                {
                    "vacancy": vacancy.id,
                    "title": vacancy.title,
                    "candidates": [
                        _json_candidate(c, v) for c, v in zip(found, views, strict=True)
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        else:
            headers = ["#", "name", "§14-3", "now", "wants", "status", "not met", "stale"]
            rows = [
                [
                    str(v["number"]),
                    c.name,
                    {"yes": "ja", "unclear": "?", "no": ""}[c.fortrinnsrett],
                    f"{c.current:g}",
                    "–" if c.desired is None else f"{c.desired:g}",
                    c.status,
                    str(c.not_met),
                    "ja" if c.stale else "",
                ]
                for c, v in zip(found, views, strict=True)
            ]
            body = "\n".join(_table(headers, rows))
    for candidate in found:
        record(
            Action.EXPORT,
            subject_id=candidate.person_id,
            object_type="vacancy",
            object_id=vacancy.id,
            detail={"format": output, "via": "cli"},
        )
    if out_path is not None:
        if isinstance(body, bytes):
            out_path.write_bytes(body)
        else:
            out_path.write_text(body + "\n", encoding="utf-8")
        click.echo(f"{len(found)} candidates written to {out_path}", err=True)
    else:
        click.echo(body)


@committee_cli.command("equivalence")
@with_appcontext
@click.argument("required")
@click.argument("qualifying", required=False)
@unit_of_work()
def equivalence_command(required: str, qualifying: str | None) -> None:
    """Let people of QUALIFYING count as qualified for REQUIRED vacancies; without QUALIFYING,
    list the groups that qualify for REQUIRED."""
    from survey.committee import services

    if qualifying is None:
        for group in sorted(services.equivalent_groups(required)):
            click.echo(group)
        return
    try:
        added = services.add_equivalence(required, qualifying)
    except services.CommitteeError as error:
        raise _fail(error) from None
    click.echo(f"{qualifying} qualifies for {required}" + ("" if added else " (already)"))


def init_app(app: Flask) -> None:
    app.cli.add_command(vacancy_cli)
    app.cli.add_command(committee_cli)
