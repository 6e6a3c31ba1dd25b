"""Response rates of a campaign, live: invited, opened, started and submitted per unit (with
its sub-units), per yrkesgruppe and per day, and how the messages went out.

Every figure comes from the invitation table (and the outbox for delivery), never from the
responses, in every mode alike: in an anonymous campaign the answers carry no link to an
invitation, and the rates must not need one. An invitation records days only (`opened_on`,
`started_on`, `used_on`), never times.

The stages are a funnel: a submitted invitation counts as opened and started too, whether or
not those days were recorded. Invitations of people who had left the roster when the roster
was invited again (`left_on`) are counted apart, in none of the stages.

Small groups: the counts say who took part, not what they answered, so in identified and
confidential campaigns (where the project leader knows whom they invited and follows up
non-respondents by name) they are shown as they are. In anonymous campaigns a row describing
fewer than SMALL_GROUP_MINIMUM invited people is hidden, with the rows it could be worked
out from, by `survey.reporting.suppression.Suppressor` (docs/domain.md § Reports: Response rates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from survey.accounts.models import Unit
from survey.campaigns.models import Campaign, Channel, Invitation, Mode
from survey.extensions import db
from survey.outbox.models import OutboxMessage, OutboxStatus
from survey.reporting.suppression import Suppressor

STAGES = ("invited", "opened", "started", "submitted")
# Longer periods are shown week by week (and the last day), so the table stays short.
DAILY_UP_TO = 62


@dataclass
class Tally:
    """How far the invitations of one group got."""

    invited: int = 0
    opened: int = 0
    started: int = 0
    submitted: int = 0

    def add(self, other: Tally) -> None:
        for stage in STAGES:
            setattr(self, stage, getattr(self, stage) + getattr(other, stage))

    @property
    def rate(self) -> float | None:
        """Submitted as a percentage of invited; None for nobody invited."""
        return 100 * self.submitted / self.invited if self.invited else None


@dataclass
class Row:
    """A line of a table: a unit (with its sub-units), its own people, a yrkesgruppe."""

    key: tuple
    label: str
    tally: Tally
    depth: int = 0
    kind: str = "unit"  # unit | own | none | yrkesgruppe | total
    hidden: bool = False  # small group (anonymous campaigns): every figure shown as «–»


@dataclass
class TrendPoint:
    day: dt.date
    invited: int  # invitations made by then
    submitted: int  # submitted by the end of that day

    @property
    def rate(self) -> float | None:
        return 100 * self.submitted / self.invited if self.invited else None


@dataclass
class Delivery:
    """Messages of the campaign in the outbox, per channel, and letters to print."""

    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)  # email/sms -> status
    letters: int = 0  # invitations whose channel is a printed letter

    @property
    def failed(self) -> int:
        return sum(counts["failed"] for counts in self.by_channel.values())


@dataclass
class CampaignRates:
    campaign_id: int
    anonymous: bool
    minimum: int
    total: Row
    units: list[Row]
    yrkesgrupper: list[Row]
    left: int  # invitations of people who had left the roster, counted apart
    trend: list[TrendPoint]
    trend_hidden: bool
    weekly: bool
    delivery: Delivery

    @property
    def any_hidden(self) -> bool:
        return any(row.hidden for row in (self.total, *self.units, *self.yrkesgrupper))


def _stage_columns() -> list:
    submitted = Invitation.used_on.is_not(None)
    started = submitted | Invitation.started_on.is_not(None)
    opened = started | Invitation.opened_on.is_not(None)
    return [
        func.count().label("invited"),
        func.count().filter(opened).label("opened"),
        func.count().filter(started).label("started"),
        func.count().filter(submitted).label("submitted"),
    ]


def _in_scope(query, campaign_id: int, unit_ids: Collection[int] | None):
    query = query.where(Invitation.campaign_id == campaign_id)
    if unit_ids is not None:
        query = query.where(Invitation.unit_id.in_(sorted(unit_ids)))
    return query


def _tally(m) -> Tally:
    return Tally(**{stage: int(m[stage] or 0) for stage in STAGES})


def grouped(
    campaign_id: int, unit_ids: Collection[int] | None
) -> list[tuple[int | None, str | None, Tally]]:
    """(unit id, yrkesgruppe, tally) of the invitations of people on the roster: one query."""
    query = _in_scope(
        select(Invitation.unit_id, Invitation.yrkesgruppe, *_stage_columns())
        .where(Invitation.left_on.is_(None))
        .group_by(Invitation.unit_id, Invitation.yrkesgruppe),
        campaign_id,
        unit_ids,
    )
    return [
        (m["unit_id"], m["yrkesgruppe"], _tally(m)) for m in db.session.execute(query).mappings()
    ]


def totals(campaign_ids: Iterable[int], unit_ids: Collection[int] | None) -> dict[int, Tally]:
    """The whole campaign (within `unit_ids`) per campaign, for lists and the overview."""
    ids = sorted(set(campaign_ids))
    if not ids:
        return {}
    query = select(Invitation.campaign_id, *_stage_columns()).where(
        Invitation.campaign_id.in_(ids), Invitation.left_on.is_(None)
    )
    if unit_ids is not None:
        query = query.where(Invitation.unit_id.in_(sorted(unit_ids)))
    found = {
        m["campaign_id"]: _tally(m)
        for m in db.session.execute(query.group_by(Invitation.campaign_id)).mappings()
    }
    return {campaign_id: found.get(campaign_id, Tally()) for campaign_id in ids}


def total_hidden(campaign: Campaign, tally: Tally, minimum: int) -> bool:
    """Whether a campaign's total is a small group to hide (anonymous campaigns only)."""
    return campaign.mode is Mode.ANONYMOUS and 0 < tally.invited < minimum


# --- the unit tree ---------------------------------------------------------------------------


def _unit_rows(
    own: dict[int | None, Tally], visible: Collection[int] | None
) -> tuple[list[Row], list[tuple[tuple, list[tuple]]]]:
    """Rows in tree order: each unit with everything below it, its sub-units indented under
    it; a unit that has people of its own and sub-units also gets a row for its own people.
    Returns the rows and the equations between them (a unit = its own + its sub-units)."""
    units = db.session.execute(select(Unit.id, Unit.name, Unit.parent_id)).all()
    shown_ids = {u.id for u in units} if visible is None else set(visible)
    names = {u.id: u.name for u in units if u.id in shown_ids}
    children: dict[int | None, list[int]] = {}
    for unit in units:
        if unit.id not in shown_ids:
            continue
        parent = unit.parent_id if unit.parent_id in shown_ids else None
        children.setdefault(parent, []).append(unit.id)

    subtree: dict[int, Tally] = {}

    def total_of(unit_id: int) -> Tally:
        tally = Tally()
        tally.add(own.get(unit_id, Tally()))
        for child in children.get(unit_id, []):
            tally.add(total_of(child))
        subtree[unit_id] = tally
        return tally

    for root in children.get(None, []):
        total_of(root)

    rows: list[Row] = []
    equations: list[tuple[tuple, list[tuple]]] = []

    def by_name(ids: list[int]) -> list[int]:
        return sorted(ids, key=lambda i: (names[i].lower(), i))

    def walk(unit_id: int, depth: int) -> None:
        tally = subtree[unit_id]
        if not tally.invited:
            return
        key = ("unit", unit_id)
        rows.append(Row(key, names[unit_id], tally, depth))
        kids = [c for c in by_name(children.get(unit_id, [])) if subtree[c].invited]
        own_key = ("own", unit_id)
        own_tally = own.get(unit_id, Tally())
        equations.append((key, [own_key, *(("unit", c) for c in kids)]))
        # Its own people as a row when it also has sub-units; otherwise the unit's row is them.
        rows.append(
            Row(
                own_key,
                _("%(unit)s, not in a sub-unit", unit=names[unit_id]),
                own_tally,
                depth + 1,
                kind="own" if kids and own_tally.invited else "unlisted",
            )
        )
        for child in kids:
            walk(child, depth + 1)

    for root in by_name(children.get(None, [])):
        walk(root, 0)
    placed = set(subtree)
    nowhere = Tally()
    for unit_id, tally in own.items():
        if unit_id not in placed:
            nowhere.add(tally)
    if nowhere.invited:
        rows.append(Row(("none",), _("No unit"), nowhere, 0, kind="none"))
    return rows, equations


# --- small groups ------------------------------------------------------------------------------


def _suppress(total: Row, tables: list[tuple[list[Row], list]], minimum: int) -> None:
    """Hide the rows of fewer than `minimum` invited, and any row that could be worked out
    from the ones shown: every stage of a row is a cell describing its invited people, and
    every published sum (a unit = its own people + its sub-units; the campaign = its top
    units, or its yrkesgrupper) is a constraint."""
    s = Suppressor(minimum)
    rows = [total, *(row for table, _equations in tables for row in table)]
    for row in rows:
        for stage in STAGES:
            s.cell((row.key, stage), getattr(row.tally, stage), people=row.tally.invited)
    for _table, equations in tables:
        for whole, parts in equations:
            for stage in STAGES:
                s.add_constraint([(whole, stage), *((part, stage) for part in parts)])
    # A row is hidden whole: hiding one stage and showing the others would say little and
    # could tell the rest. Hiding more never reveals anything, so repeat until stable.
    changed = True
    while changed:
        changed = False
        for row in rows:
            stages = [s.is_hidden((row.key, stage)) for stage in STAGES]
            if any(stages) and not all(stages):
                for stage in STAGES:
                    s.hide((row.key, stage))
                changed = True
    for row in rows:
        row.hidden = s.is_hidden((row.key, "invited"))


# --- trend and delivery ------------------------------------------------------------------------


def trend_days(start: dt.date, end: dt.date) -> tuple[list[dt.date], bool]:
    """Every day from `start` to `end`, or every seventh and the last when that is long."""
    if end < start:
        return [], False
    count = (end - start).days + 1
    if count <= DAILY_UP_TO:
        return [start + dt.timedelta(days=i) for i in range(count)], False
    days = [start + dt.timedelta(days=i) for i in range(0, count, 7)]
    if days[-1] != end:
        days.append(end)
    return days, True


def _trend(
    campaign: Campaign, unit_ids: Collection[int] | None, today: dt.date
) -> tuple[list[TrendPoint], bool]:
    on_roster = Invitation.left_on.is_(None)
    created = dict(
        db.session.execute(
            _in_scope(
                select(Invitation.created_on, func.count())
                .where(on_roster)
                .group_by(Invitation.created_on),
                campaign.id,
                unit_ids,
            )
        ).all()
    )
    used = dict(
        db.session.execute(
            _in_scope(
                select(Invitation.used_on, func.count())
                .where(on_roster, Invitation.used_on.is_not(None))
                .group_by(Invitation.used_on),
                campaign.id,
                unit_ids,
            )
        ).all()
    )
    created = {_as_date(day): n for day, n in created.items()}
    used = {_as_date(day): n for day, n in used.items()}
    start = campaign.opens_on or min(created, default=None)
    if start is None:
        return [], False
    end = today if campaign.closes_on is None else min(today, campaign.closes_on)
    days, weekly = trend_days(start, end)
    points = []
    for day in days:
        points.append(
            TrendPoint(
                day,
                sum(n for d, n in created.items() if d <= day),
                sum(n for d, n in used.items() if d <= day),
            )
        )
    return points, weekly


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def delivery(campaign_id: int, unit_ids: Collection[int] | None) -> Delivery:
    """The campaign's outbox rows per channel and state; `retrying` are waiting after a
    temporary failure. A unit leader's count covers the messages of their units'
    invitations."""
    retrying = (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.attempts > 0)
    query = select(
        OutboxMessage.channel,
        OutboxMessage.status,
        func.count().filter(retrying).label("retrying"),
        func.count().label("n"),
    ).where(OutboxMessage.campaign_id == campaign_id)
    if unit_ids is not None:
        query = query.join(Invitation, Invitation.id == OutboxMessage.invitation_id).where(
            Invitation.unit_id.in_(sorted(unit_ids))
        )
    result = Delivery()
    for m in db.session.execute(
        query.group_by(OutboxMessage.channel, OutboxMessage.status)
    ).mappings():
        channel = Channel(m["channel"]).value
        counts = result.by_channel.setdefault(
            channel, {"sent": 0, "pending": 0, "retrying": 0, "failed": 0}
        )
        status = OutboxStatus(m["status"])
        if status is OutboxStatus.PENDING:
            counts["retrying"] += int(m["retrying"])
            counts["pending"] += int(m["n"]) - int(m["retrying"])
        else:
            counts[status.value] += int(m["n"])
    result.letters = int(
        db.session.scalar(
            _in_scope(
                select(func.count()).where(
                    Invitation.left_on.is_(None), Invitation.channel == Channel.LETTER
                ),
                campaign_id,
                unit_ids,
            )
        )
        or 0
    )
    return result


# --- the page's figures ------------------------------------------------------------------------


def campaign_rates(
    campaign: Campaign,
    unit_ids: Collection[int] | None,
    *,
    today: dt.date,
    minimum: int,
) -> CampaignRates:
    """Everything the response-rate page shows, within `unit_ids` (None: every unit), with
    the labels in the current language."""
    found = grouped(campaign.id, unit_ids)
    own: dict[int | None, Tally] = {}
    groups: dict[str, tuple[str, Tally]] = {}
    total = Tally()
    for unit_id, yrkesgruppe, tally in found:
        own.setdefault(unit_id, Tally()).add(tally)
        name = (yrkesgruppe or "").strip()
        key = name.lower()
        label, group_tally = groups.setdefault(key, (name or _("Not recorded"), Tally()))
        group_tally.add(tally)
        total.add(tally)
    total_row = Row(("total",), _("Total"), total, kind="total")
    unit_rows, equations = _unit_rows(own, unit_ids)
    top = [row.key for row in unit_rows if row.depth == 0]
    equations.append((total_row.key, top))
    group_rows = [
        Row(("yrkesgruppe", key), label, tally, kind="yrkesgruppe")
        for key, (label, tally) in sorted(groups.items(), key=lambda item: item[1][0].lower())
    ]
    group_equations = [(total_row.key, [row.key for row in group_rows])]
    anonymous = campaign.mode is Mode.ANONYMOUS
    if anonymous:
        _suppress(total_row, [(unit_rows, equations), (group_rows, group_equations)], minimum)
    left = int(
        db.session.scalar(
            _in_scope(
                select(func.count()).where(Invitation.left_on.is_not(None)), campaign.id, unit_ids
            )
        )
        or 0
    )
    points, weekly = _trend(campaign, unit_ids, today)
    return CampaignRates(
        campaign_id=campaign.id,
        anonymous=anonymous,
        minimum=minimum,
        total=total_row,
        units=[row for row in unit_rows if row.kind != "unlisted"],
        yrkesgrupper=group_rows,
        left=left,
        trend=points,
        # The trend is of the whole scope: hidden with it.
        trend_hidden=total_row.hidden,
        weekly=weekly,
        delivery=delivery(campaign.id, unit_ids),
    )


def as_rows(rates: CampaignRates) -> dict[str, Any]:
    """The figures as plain values for a template or a CSV: None where hidden."""

    def values(row: Row) -> dict[str, Any]:
        if row.hidden:
            return {**dict.fromkeys(STAGES), "rate": None}
        return {**{stage: getattr(row.tally, stage) for stage in STAGES}, "rate": row.tally.rate}

    def line(row: Row) -> dict[str, Any]:
        return {"label": row.label, "depth": row.depth, "kind": row.kind, **values(row)}

    return {
        "total": line(rates.total),
        "units": [line(row) for row in rates.units],
        "yrkesgrupper": [line(row) for row in rates.yrkesgrupper],
        "trend": [
            {
                "day": point.day,
                "invited": point.invited,
                "submitted": point.submitted,
                "rate": point.rate,
            }
            for point in ([] if rates.trend_hidden else rates.trend)
        ],
    }
