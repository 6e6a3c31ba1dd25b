"""The reports' headline figures for other pages, as plain dicts: what the heltid report says
about involuntary part time and desired årsverk, with the same cells hidden as in the report
(the same suppressors, survey/reporting/heltid_report.py), so that a figure shown elsewhere
never undoes what the report hides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from survey.classification import load_definitions
from survey.reporting.facts import Settings
from survey.reporting.heltid import heltid_figures, trend
from survey.reporting.heltid_report import (
    arsverk_suppressor,
    status_suppressor,
    trend_point_suppressor,
)
from survey.reporting.suppression import percent


def year_figures(
    unit_ids: Collection[int] | None, as_of: dt.date, minimum: int, lang: str
) -> dict[str, Any]:
    """Involuntary part time under the municipality's chosen definition on `as_of` and on
    31 December the year before, and the desired extra årsverk on `as_of`, for the people in
    `unit_ids` (None: the whole municipality), as the heltid report of that scope counts
    them. A value is None when the report hides it."""
    settings = Settings.from_definitions(load_definitions(), None, None)
    active = settings.active
    figures = heltid_figures(as_of, unit_ids, settings)
    total = figures.total
    statuses = status_suppressor(total, settings.profiles, minimum)
    involuntary = statuses.shown((active.id, "involuntary"))
    mapped = statuses.shown("n")

    last_day = dt.date(as_of.year - 1, 12, 31)
    (point,) = trend([last_day], unit_ids, settings)
    before = trend_point_suppressor(point, active.id, minimum)

    arsverk = arsverk_suppressor(figures, minimum)
    return {
        "definition": active.names.get(lang) or active.names.get("nb") or active.id,
        "now": {
            "day": as_of,
            "involuntary": involuntary,
            "n": mapped,
            "share": percent(involuntary, mapped),
        },
        "last_year": {
            "day": last_day,
            "involuntary": before.shown("inv"),
            "n": before.shown("n"),
            "share": percent(before.shown("inv"), before.shown("n")),
        },
        "extra_arsverk": arsverk.shown("extra"),
        "wanting_more": arsverk.shown("wanting"),
        "mapped": arsverk.shown("n"),
        "counted": total.n,
    }
