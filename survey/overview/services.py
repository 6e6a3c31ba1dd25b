"""The figures of the year at a glance, each from the feature that owns it: the running
surveys' response rates (survey.campaigns.rates), the living documents' coverage, the heltid
report's involuntary part time and desired årsverk (survey.reporting.presenting), the
follow-up list (survey.followup.services), the «Endringer» inbox (survey.living.presenting)
and the committee's open vacancies.

Figures that count people as statistics (coverage, involuntary part time, årsverk, the rate
of an anonymous survey) hide small groups as the reports do (Suppressor). Work queues
(follow-ups, inbox items, vacancies) are counts of items the viewer may open by name on the
page behind them, and are shown as they are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select

from survey.accounts.models import Person
from survey.campaigns import rates
from survey.campaigns.models import Campaign
from survey.campaigns.presenting import title_of
from survey.committee.models import CaseStatus, Vacancy
from survey.db import utcnow
from survey.extensions import db
from survey.followup.services import open_count
from survey.living.models import Confirmation, ConfirmationKind, LivingDocument
from survey.living.presenting import inbox_count
from survey.living.services import RECONFIRM_AFTER
from survey.reporting.presenting import year_figures
from survey.reporting.suppression import Suppressor, percent
from survey.roster.models import Position


def running_campaigns(
    unit_ids: Collection[int] | None, today: dt.date, minimum: int, lang: str
) -> list[dict[str, Any]]:
    """The campaigns taking answers today, newest first, with their response rate within
    `unit_ids`; invited and submitted are None where the rates page hides them."""
    found = [
        campaign
        for campaign in db.session.scalars(
            select(Campaign).where(Campaign.is_open.is_(True)).order_by(Campaign.id.desc())
        )
        if campaign.accepts_answers_on(today)
    ]
    tallies = rates.totals([campaign.id for campaign in found], unit_ids)
    result = []
    for campaign in found:
        tally = tallies[campaign.id]
        hidden = rates.total_hidden(campaign, tally, minimum)
        result.append(
            {
                "id": campaign.id,
                "title": title_of(campaign, lang),
                "closes_on": campaign.closes_on,
                "invited": None if hidden else tally.invited,
                "submitted": None if hidden else tally.submitted,
                "rate": None if hidden else tally.rate,
            }
        )
    return result


def _on_roster(unit_ids: Collection[int] | None):
    """People on the roster now: a position, not marked as having left."""
    query = select(Person.id).where(
        Person.left_roster_on.is_(None),
        select(Position.id).where(Position.person_id == Person.id).exists(),
    )
    if unit_ids is not None:
        query = query.where(Person.unit_id.in_(sorted(unit_ids)))
    return query


def coverage(unit_ids: Collection[int] | None, minimum: int) -> dict[str, Any]:
    """Of the people on the roster, how many confirmed their living document within the last
    12 months (RECONFIRM_AFTER, as the reconfirmation list counts)."""
    people = _on_roster(unit_ids).subquery()
    n = db.session.scalar(select(func.count()).select_from(people)) or 0
    cutoff = utcnow() - RECONFIRM_AFTER
    confirmed = (
        db.session.scalar(
            select(func.count(func.distinct(LivingDocument.person_id)))
            .join(Confirmation, Confirmation.document_id == LivingDocument.id)
            .where(
                LivingDocument.person_id.in_(select(people.c.id)),
                Confirmation.kind == ConfirmationKind.CONFIRMED,
                Confirmation.at >= cutoff,
            )
        )
        or 0
    )
    s = Suppressor(minimum)
    s.cell("n", n)
    s.cell("confirmed", confirmed)
    s.cell("not_confirmed", n - confirmed)
    s.add_constraint(["confirmed", "not_confirmed", "n"])
    shown = s.shown("confirmed")
    return {"confirmed": shown, "n": n, "share": percent(shown, n)}


def open_vacancies(unit_ids: Collection[int] | None) -> int:
    query = select(func.count()).select_from(Vacancy).where(Vacancy.status == CaseStatus.OPEN)
    if unit_ids is not None:
        query = query.where(Vacancy.unit_id.in_(sorted(unit_ids)))
    return int(db.session.scalar(query) or 0)


def open_follow_ups(unit_ids: Collection[int] | None) -> int:
    """People on the follow-up list not followed up yet (survey.followup.services)."""
    return open_count(unit_ids)


def inbox_items() -> int:
    return inbox_count()


def heltid(
    unit_ids: Collection[int] | None, today: dt.date, minimum: int, lang: str
) -> dict[str, Any]:
    return year_figures(unit_ids, today, minimum, lang)
