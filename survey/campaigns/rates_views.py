"""The response-rate page of a campaign (`/kampanjer/<id>/svar`) and its CSV.

Project leaders and administrators see every unit; a unit leader sees the invitations of
their units and the units below them (`visible_unit_ids`), on any campaign. The figures are
the invitations' (survey.campaigns.rates), never the answers'."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from reports import charts
from reports.formatting import count as fmt_count
from reports.formatting import percent as fmt_percent
from survey.access.guard import visible_unit_ids
from survey.audit.services import Action, record
from survey.campaigns import rates
from survey.campaigns.models import Campaign, Channel, Mode
from survey.campaigns.presenting import period_text, title_of
from survey.db import today
from survey.extensions import db
from survey.tabular import csv_bytes

bp = Blueprint("rates", __name__, url_prefix="/kampanjer")

SUPPRESSED = "–"


def _campaign_or_404(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _figures(campaign: Campaign) -> tuple[rates.CampaignRates, dict]:
    unit_ids = visible_unit_ids()
    found = rates.campaign_rates(
        campaign,
        unit_ids,
        today=today(),
        minimum=current_app.config["SMALL_GROUP_MINIMUM"],
    )
    return found, rates.as_rows(found)


def _lang() -> str:
    return str(get_locale() or "nb")


def _short_date(day, lang: str) -> str:
    from babel.dates import format_date

    return format_date(day, "short" if lang == "en" else "d.M.", locale=lang)


def _chart(points: list[dict], lang: str):
    """Columns: the response rate by the end of each day, a label on every few."""
    step = max(1, -(-len(points) // 8))
    bars = []
    for index, point in enumerate(points):
        labelled = index % step == 0 or index == len(points) - 1
        bars.append(
            charts.Bar(
                _short_date(point["day"], lang) if labelled else "",
                point["rate"],
                fmt_percent(point["rate"], lang) if labelled and point["rate"] is not None else "",
            )
        )
    # Drawn about as wide as a phone shows it, so its numbers stay readable there.
    return charts.columns(
        bars, title=_("Response rate by day"), scale_max=115.0, width=320.0, height=140.0
    )


@bp.get("/<int:campaign_id>/svar")
def campaign(campaign_id: int):
    found = _campaign_or_404(campaign_id)
    lang = _lang()
    figures, rows = _figures(found)
    channels = {Channel.EMAIL.value: _("E-mail"), Channel.SMS.value: _("SMS")}
    return render_template(
        "campaigns/rates.html",
        campaign={
            "id": found.id,
            "title": title_of(found, lang),
            "period": period_text(found),
            "anonymous": found.mode is Mode.ANONYMOUS,
        },
        rates=figures,
        rows=rows,
        chart=_chart(rows["trend"], lang) if rows["trend"] else None,
        delivery=[
            {"channel": channels.get(channel, channel), **counts}
            for channel, counts in sorted(figures.delivery.by_channel.items())
        ],
        whole=visible_unit_ids() is None,
        fmt_count=lambda value: fmt_count(value, lang),
        fmt_percent=lambda value: fmt_percent(value, lang),
        fmt_day=lambda day: _short_date(day, lang),
    )


@bp.get("/<int:campaign_id>/svar.csv")
def download(campaign_id: int):
    """The page's tables as CSV for Norwegian Excel (`;`, decimal commas), «–» where hidden."""
    found = _campaign_or_404(campaign_id)
    lang = _lang()
    figures, rows = _figures(found)
    header = [_("Invited"), _("Opened"), _("Started"), _("Submitted"), _("Response rate (%)")]

    def values(line: dict) -> list:
        cells = [line[stage] for stage in rates.STAGES]
        rate = line["rate"]
        return [
            *(SUPPRESSED if value is None else value for value in cells),
            SUPPRESSED if line["invited"] is None else (None if rate is None else round(rate, 1)),
        ]

    table: list[list] = [
        [_("Response rates"), title_of(found, lang)],
        [],
        [_("By unit"), f"N = {values(rows['total'])[0]}"],
        [_("Unit"), _("Level"), *header],
    ]
    for line in [*rows["units"], rows["total"]]:
        table.append(
            [line["label"], line["depth"] + 1 if line["kind"] != "total" else "", *values(line)]
        )
    table += [[], [_("By yrkesgruppe"), f"N = {values(rows['total'])[0]}"]]
    table.append([_("Yrkesgruppe"), "", *header])
    for line in [*rows["yrkesgrupper"], rows["total"]]:
        table.append([line["label"], "", *values(line)])
    if rows["trend"]:
        table += [[], [_("Submitted by day")], [_("Day"), _("Invited"), _("Submitted"), header[-1]]]
        for point in rows["trend"]:
            rate = point["rate"]
            table.append(
                [
                    point["day"],
                    point["invited"],
                    point["submitted"],
                    None if rate is None else round(rate, 1),
                ]
            )
    if figures.any_hidden:
        table += [
            [],
            [
                f"{SUPPRESSED}: "
                + _(
                    "Fewer than %(minimum)s invited, or could be worked out from other rows: "
                    "hidden in anonymous surveys.",
                    minimum=figures.minimum,
                )
            ],
        ]
    record(
        Action.EXPORT,
        actor_id=current_user.person.id,
        object_type="response_rates",
        object_id=found.id,
        detail={"format": "csv", "units": "all" if visible_unit_ids() is None else "own"},
    )
    response = Response(csv_bytes(table), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="svar-{found.id}.csv"'
    return response
