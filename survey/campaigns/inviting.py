"""Personal invitations for the people on the roster (issue 12, item 1).

«On the roster» is a person with at least one position who is not marked as having left it
(`Person.left_roster_on`). Each person is invited once per campaign, pre-filled from their
main position (`survey.roster.services`); inviting again adds only people new on the roster
and marks the unused invitations of people who have left (never deletes them).

Services: no request access, flush only. Everything is read with a handful of set-based
queries and the invitations are inserted in one statement, so a roster of 10 000 is prepared
in well under a second."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import Counter

from flask import current_app
from sqlalchemy import Date, Integer, String, bindparam, column, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from survey.accounts.models import Person, Unit
from survey.accounts.services import descendant_unit_ids, find_unit
from survey.campaigns.models import Campaign, Channel, Invitation
from survey.campaigns.services import derived_token, hash_token, new_salt
from survey.db import today
from survey.extensions import db
from survey.outbox.services import channel_for
from survey.problems import Problem, ProblemError
from survey.roster.services import RosterEntry, on_roster_ids, roster_entries

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class RosterSelection:
    """Whom to invite: everyone on the roster, or those whose main position is in a unit
    (and its sub-units), in some yrkesgrupper (any case), or part time (under 100 % in all)."""

    unit_code: str | None = None
    with_subunits: bool = False
    yrkesgrupper: tuple[str, ...] = ()
    part_time_only: bool = False


@dataclasses.dataclass
class UnitRow:
    unit_code: str
    unit_name: str
    people: int = 0
    new: int = 0
    email: int = 0
    mobile_only: int = 0
    neither: int = 0


@dataclasses.dataclass
class InvitePreview:
    """What inviting the selection would do. The channel counts are over everyone selected;
    `new` are those not yet invited to this campaign."""

    people: int
    new: int
    already_invited: int
    left: int  # unused invitations of people no longer on the roster, to be marked
    with_email: int
    with_mobile_only: int
    with_neither: int
    units: list[UnitRow]


@dataclasses.dataclass
class InviteResult:
    invitations: list[Invitation]  # the new ones
    already: int
    marked_left: int

    @property
    def by_channel(self) -> dict[Channel, int]:
        counts = Counter(invitation.channel for invitation in self.invitations)
        return {channel: counts.get(channel, 0) for channel in Channel}


@dataclasses.dataclass(frozen=True)
class _Selected:
    entry: RosterEntry
    channel: Channel


def _unit_filter(selection: RosterSelection) -> set[int] | None:
    if selection.unit_code is None:
        return None
    unit = find_unit(selection.unit_code)
    if unit is None:
        raise ProblemError(Problem("unknown_unit", {"unit": repr(selection.unit_code)}))
    return descendant_unit_ids([unit.id]) if selection.with_subunits else {unit.id}


def _select(selection: RosterSelection) -> list[_Selected]:
    """The people on the roster the selection takes, ordered by person id."""
    unit_ids = _unit_filter(selection)
    groups = {g.strip().casefold() for g in selection.yrkesgrupper if g.strip()}
    contacts = {
        person_id: (email, mobile)
        for person_id, email, mobile in db.session.execute(
            select(Person.id, Person.email, Person.mobile).where(Person.left_roster_on.is_(None))
        )
    }
    selected = []
    for person_id, entry in sorted(roster_entries(current_only=True).items()):
        if unit_ids is not None and entry.unit_id not in unit_ids:
            continue
        if groups and (entry.yrkesgruppe or "").strip().casefold() not in groups:
            continue
        if selection.part_time_only and not entry.part_time:
            continue
        # What the roster knows (the preview counts e-mail / mobile / neither); whether SMS is
        # set up is decided when the message is queued (messaging.queue_invitations).
        selected.append(_Selected(entry, channel_for(*contacts[person_id], sms=True)))
    return selected


def _invited(campaign: Campaign) -> dict[int, int]:
    """person id -> invitation id of the people already invited to the campaign."""
    query = select(Invitation.person_id, Invitation.id).where(
        Invitation.campaign_id == campaign.id, Invitation.person_id.is_not(None)
    )
    return dict(db.session.execute(query).all())


def _leaving(campaign: Campaign) -> tuple:
    """The campaign's unused roster invitations, not yet marked, whose person is off the
    roster: marked as left, erased (no person any more), or without positions."""
    return (
        Invitation.campaign_id == campaign.id,
        Invitation.token_salt.is_not(None),
        Invitation.used_on.is_(None),
        Invitation.left_on.is_(None),
        Invitation.person_id.is_(None) | Invitation.person_id.not_in(on_roster_ids()),
    )


def preview(campaign: Campaign, selection: RosterSelection) -> InvitePreview:
    """What `invite_roster` would do, without writing. Raises ProblemError for an unknown
    unit."""
    selected = _select(selection)
    invited = _invited(campaign)
    names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    rows: dict[str, UnitRow] = {}
    channels: Counter[Channel] = Counter()
    new = 0
    for item in selected:
        entry = item.entry
        row = rows.get(entry.unit_code)
        if row is None:
            row = rows[entry.unit_code] = UnitRow(entry.unit_code, names.get(entry.unit_id, ""))
        row.people += 1
        is_new = entry.person_id not in invited
        row.new += is_new
        new += is_new
        channels[item.channel] += 1
        if item.channel is Channel.EMAIL:
            row.email += 1
        elif item.channel is Channel.SMS:
            row.mobile_only += 1
        else:
            row.neither += 1
    return InvitePreview(
        people=len(selected),
        new=new,
        already_invited=len(selected) - new,
        left=db.session.scalar(
            select(func.count()).select_from(Invitation).where(*_leaving(campaign))
        ),
        with_email=channels[Channel.EMAIL],
        with_mobile_only=channels[Channel.SMS],
        with_neither=channels[Channel.LETTER],
        units=[rows[code] for code in sorted(rows)],
    )


_CHUNK = 2000
# The columns an invitation is inserted with, and their types in PostgreSQL's recordset.
_COLUMNS = {
    "campaign_id": Integer,
    "token_hash": String,
    "token_salt": String,
    "prefill": postgresql.JSONB,
    "person_id": Integer,
    "unit_id": Integer,
    "yrkesgruppe": String,
    "channel": String,
    "created_on": Date,
    "reminders_sent": Integer,
}


def _insert_new(campaign: Campaign, rows: list[dict]) -> list[Invitation]:
    """Insert the rows, skipping people a run at the same time has just invited (ON
    CONFLICT (campaign, person) DO NOTHING), and return the invitations this call made:
    read back by person, those with another run's salt left out.

    PostgreSQL gets one INSERT … SELECT from a JSON recordset: one statement to parse and
    plan, where 10 000 executions (or a multi-row VALUES with 100 000 placeholders for the
    driver to parse) take seconds. SQLite runs in the process: one executemany."""
    if db.session.get_bind().dialect.name == "postgresql":
        records = (
            func.jsonb_to_recordset(bindparam("rows", type_=postgresql.JSONB))
            .table_valued(*(column(name, type_) for name, type_ in _COLUMNS.items()))
            .render_derived(with_types=True)
        )
        statement = (
            postgresql.insert(Invitation.__table__)
            .from_select(list(_COLUMNS), select(*(records.c[name] for name in _COLUMNS)))
            .on_conflict_do_nothing(index_elements=["campaign_id", "person_id"])
        )
        as_json = [{**row, "created_on": row["created_on"].isoformat()} for row in rows]
        db.session.execute(statement, {"rows": as_json})
    else:
        statement = sqlite.insert(Invitation.__table__).on_conflict_do_nothing(
            index_elements=["campaign_id", "person_id"]
        )
        db.session.execute(statement, rows)
    salts = {row["person_id"]: row["token_salt"] for row in rows}
    person_ids = sorted(salts)
    made = []
    for start in range(0, len(person_ids), _CHUNK):
        chunk = person_ids[start : start + _CHUNK]
        query = select(Invitation).where(
            Invitation.campaign_id == campaign.id, Invitation.person_id.in_(chunk)
        )
        made.extend(i for i in db.session.scalars(query) if i.token_salt == salts[i.person_id])
    made.sort(key=lambda invitation: invitation.person_id)
    return made


def invite_roster(
    campaign: Campaign, selection: RosterSelection, *, day: dt.date | None = None
) -> InviteResult:
    """One invitation for each selected person not yet invited to the campaign; marks the
    unused invitations of people who have left the roster. Allowed in every mode: the
    invitation knows the person, an anonymous response does not. Flushes; the caller
    commits, and queues the messages (`survey.campaigns.messaging`)."""
    day = day or today()
    if campaign.closes_on is not None and campaign.closes_on < day:
        raise ProblemError(
            Problem("campaign_has_closed", {"date": campaign.closes_on.strftime("%d.%m.%Y")})
        )
    selected = _select(selection)
    invited = _invited(campaign)
    secret_key = current_app.config["SECRET_KEY"]
    rows = []
    for item in selected:
        entry = item.entry
        if entry.person_id in invited:
            continue
        salt = new_salt()
        rows.append(
            {
                "campaign_id": campaign.id,
                "token_hash": hash_token(derived_token(secret_key, salt)),
                "token_salt": salt,
                "prefill": entry.prefill(),
                "person_id": entry.person_id,
                "unit_id": entry.unit_id,
                "yrkesgruppe": entry.yrkesgruppe,
                "channel": item.channel.value,
                "created_on": day,
                "reminders_sent": 0,
            }
        )
    invitations: list[Invitation] = []
    if rows:
        db.session.flush()
        invitations = _insert_new(campaign, rows)
    marked_left = _mark_left(campaign, day)
    _unmark_returned(campaign)
    logger.info(
        "campaign %s: %d roster invitations created, %d already invited, %d marked as left",
        campaign.id,
        len(invitations),
        len(selected) - len(rows),
        marked_left,
    )
    return InviteResult(
        invitations=invitations,
        already=len(selected) - len(invitations),
        marked_left=marked_left,
    )


def _mark_left(campaign: Campaign, day: dt.date) -> int:
    result = db.session.execute(
        update(Invitation).where(*_leaving(campaign)).values(left_on=day),
        execution_options={"synchronize_session": "fetch"},
    )
    return result.rowcount


def _unmark_returned(campaign: Campaign) -> None:
    """People back on the roster whose invitation was marked as left are invited again
    (with the same link)."""
    db.session.execute(
        update(Invitation)
        .where(
            Invitation.campaign_id == campaign.id,
            Invitation.left_on.is_not(None),
            Invitation.person_id.in_(on_roster_ids()),
        )
        .values(left_on=None),
        execution_options={"synchronize_session": "fetch"},
    )
