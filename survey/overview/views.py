"""The year at a glance (`/oversikt`): the front page of project leaders and administrators,
and of unit leaders for their units. A figure is shown when the viewer may open the page it
links to; each states its N."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import format_date, get_locale

from reports.formatting import count as fmt_count
from reports.formatting import decimal as fmt_decimal
from reports.formatting import percent as fmt_percent
from survey.access.guard import visible_unit_ids
from survey.db import today
from survey.navigation import may
from survey.overview import services

bp = Blueprint("overview", __name__, url_prefix="/oversikt")


@bp.get("/")
def index():
    lang = str(get_locale() or "nb")
    unit_ids = visible_unit_ids()
    minimum = current_app.config["SMALL_GROUP_MINIMUM"]
    day = today()
    figures = {
        "campaigns": (
            services.running_campaigns(unit_ids, day, minimum, lang)
            if may("rates.campaign")
            else None
        ),
        "coverage": (
            services.coverage(unit_ids, minimum) if may("living.reconfirmation") else None
        ),
        "heltid": (
            services.heltid(unit_ids, day, minimum, lang) if may("reporting.index") else None
        ),
        "follow_ups": services.open_follow_ups(unit_ids) if may("followup.index") else None,
        "inbox": services.inbox_items() if may("living.inbox") else None,
        "vacancies": services.open_vacancies(unit_ids) if may("committee.index") else None,
    }
    return render_template(
        "overview/index.html",
        figures=figures,
        whole=unit_ids is None,
        minimum=minimum,
        today=day,
        fmt_count=lambda value: fmt_count(value, lang),
        fmt_percent=lambda value: fmt_percent(value, lang),
        fmt_decimal=lambda value: fmt_decimal(value, lang),
        fmt_date=lambda value: format_date(value, "long"),
    )
