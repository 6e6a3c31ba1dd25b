"""The follow-up list: who the project leader should talk to, where each conversation stands,
booking one, and asking people to confirm their record again. No request access here.

Who is on the list: everyone on the roster (a position, not marked as gone) whose current
living-document record, read as the interview guide counts it (`living.relevance.counted`),
says they want a larger position (`onsket_endring` = storre, as the heltid report and the
committee's candidate list read it), or that they asked for a conversation in the annual
survey (`onsker_samtale` = yes). A person without a `FollowUp` row is «not contacted».

Messages go to the outbox (`survey.outbox.services.enqueue`) by the person's channel: e-mail
when an address is known, else SMS to their mobile, else none (the page says so). They are
written in BABEL_DEFAULT_LOCALE: a booking has no campaign, so no campaign language."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Collection, Sequence
from decimal import Decimal
from email.utils import parseaddr
from typing import Any, NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from survey.accounts import services as accounts
from survey.accounts.models import Person, TokenPurpose, Unit
from survey.audit.services import Action, record
from survey.campaigns.models import Channel
from survey.db import aware, utcnow
from survey.extensions import db
from survey.followup.models import FollowUp, FollowUpStatus
from survey.living.models import Confirmation, ConfirmationKind, LivingDocument, Revision
from survey.living.presenting import reconfirmation_rows
from survey.living.relevance import counted
from survey.living.services import needing_reconfirmation
from survey.outbox import services as outbox
from survey.outbox.models import MessageKind, OutboxMessage
from survey.outbox.services import Message, enqueue
from survey.roster.models import Position

logger = logging.getLogger(__name__)

OSLO = ZoneInfo("Europe/Oslo")
SMS_LIMIT = 160

# Why someone is on the list.
WANTS_MORE = "wants_more"
ASKED_FOR_CONVERSATION = "asked_for_conversation"

OPEN_STATUSES = (FollowUpStatus.NOT_CONTACTED, FollowUpStatus.BOOKED)
_STATUS_ORDER = {
    FollowUpStatus.NOT_CONTACTED: 0,
    FollowUpStatus.BOOKED: 1,
    FollowUpStatus.HELD: 2,
    FollowUpStatus.NOT_RELEVANT: 3,
}


@dataclasses.dataclass(frozen=True)
class Entry:
    """One person on the follow-up list, as plain data."""

    person_id: int
    name: str
    unit_id: int | None
    unit_name: str | None
    yrkesgruppe: str | None
    current: float | None  # stillingsprosent now: the record's, else the roster's
    wanted: float | None  # onsket_prosent, when they said
    reasons: tuple[str, ...]  # WANTS_MORE and/or ASKED_FOR_CONVERSATION
    status: FollowUpStatus
    booked_for: dt.datetime | None  # aware, UTC
    place: str | None
    note: str | None
    last_confirmed: dt.datetime | None  # aware, UTC
    channel: Channel | None  # how a message reaches them (None: tell them in person)
    # Held or no longer relevant, but the record has changed since (a new year's answers).
    changed_since: bool = False

    @property
    def open(self) -> bool:
        """Still to be followed up: not contacted, booked, or new answers since it was closed."""
        return self.status in OPEN_STATUSES or self.changed_since


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    return None


def _said_yes(value: Any) -> bool:
    """A yes_no answer as the engine stores it ("yes"), or as older imports did (True)."""
    return value is True or value in ("yes", "ja")


def reasons_on_list(data: dict[str, Any] | None) -> tuple[str, ...]:
    """Why a current record puts its person on the list (empty: it does not)."""
    return _reasons(counted(data))


def _reasons(data: dict[str, Any]) -> tuple[str, ...]:
    """`reasons_on_list` of answers already read through `counted`."""
    reasons = []
    if data.get("onsket_endring") == "storre":
        reasons.append(WANTS_MORE)
    if _said_yes(data.get("onsker_samtale")):
        reasons.append(ASKED_FOR_CONVERSATION)
    return tuple(reasons)


def channel_for(person: Person) -> Channel | None:
    """How the person is reached (`outbox.services.channel_for`); None: tell them in person."""
    channel = outbox.channel_for(person.email, person.mobile)
    return None if channel is Channel.LETTER else channel


class _Who(NamedTuple):
    id: int
    name: str
    unit_id: int | None
    email: str | None
    mobile: str | None


def _on_roster():
    return (
        select(Person)
        .where(Person.left_roster_on.is_(None))
        .where(select(Position.id).where(Position.person_id == Person.id).exists())
    )


def _current_records(person_ids: Collection[int] | None = None):
    """(person id, name, unit id, e-mail, mobile, document id, current revision data, when it
    was saved) for people on the roster with a record."""
    latest = (
        select(Revision.document_id, func.max(Revision.number).label("number"))
        .group_by(Revision.document_id)
        .subquery()
    )
    people = _on_roster().subquery()
    query = (
        select(
            Person.id,
            Person.name,
            Person.unit_id,
            Person.email,
            Person.mobile,
            LivingDocument.id,
            Revision.data,
            Revision.created_at,
        )
        .join(people, people.c.id == Person.id)
        .join(LivingDocument, LivingDocument.person_id == Person.id)
        .join(latest, latest.c.document_id == LivingDocument.id)
        .join(
            Revision,
            (Revision.document_id == latest.c.document_id) & (Revision.number == latest.c.number),
        )
    )
    if person_ids is not None:
        query = query.where(Person.id.in_(list(person_ids)))
    return db.session.execute(query).all()


def entries(
    unit_ids: Collection[int] | None = None,
    *,
    yrkesgruppe: str | None = None,
    status: str | None = None,
    person_ids: Collection[int] | None = None,
) -> list[Entry]:
    """The follow-up list: open ones first (not contacted, then booked by date), then held and
    no longer relevant; by name within. `unit_ids` limits it to people registered in those
    units (the caller expands sub-units); `status` is a FollowUpStatus value or "open"."""
    rows = []
    for *person, document_id, stored, saved_at in _current_records(person_ids):
        data = counted(stored)
        reasons = _reasons(data)
        if reasons:
            rows.append((_Who(*person), document_id, reasons, data, aware(saved_at)))
    if unit_ids is not None:
        allowed = set(unit_ids)
        rows = [row for row in rows if row[0].unit_id in allowed]
    if not rows:
        return []
    # The whole list reads every row of these small tables; one person reads theirs.
    follow_up_query = select(FollowUp)
    position_query = select(Position.person_id, Position.stillingsprosent, Position.yrkesgruppe)
    confirmed_query = (
        select(Confirmation.document_id, func.max(Confirmation.at))
        .where(Confirmation.kind == ConfirmationKind.CONFIRMED)
        .group_by(Confirmation.document_id)
    )
    if person_ids is not None:
        ids = [person.id for person, *_ in rows]
        follow_up_query = follow_up_query.where(FollowUp.person_id.in_(ids))
        position_query = position_query.where(Position.person_id.in_(ids))
        confirmed_query = confirmed_query.where(
            Confirmation.document_id.in_([document_id for _p, document_id, *_ in rows])
        )
    follow_ups = {f.person_id: f for f in db.session.scalars(follow_up_query)}
    positions: dict[int, list[Any]] = {}
    for position in db.session.execute(position_query):
        positions.setdefault(position.person_id, []).append(position)
    confirmed = dict(db.session.execute(confirmed_query).all())
    units = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    result = []
    for person, document_id, reasons, data, saved_at in rows:
        held = positions.get(person.id, [])
        largest = max(held, key=lambda p: p.stillingsprosent, default=None)
        stated_group = data.get("yrkesgruppe")
        group = (
            stated_group
            if isinstance(stated_group, str) and stated_group
            else (largest.yrkesgruppe if largest else None)
        )
        current = _number(data.get("stillingsprosent"))
        if current is None and held:
            current = float(sum(p.stillingsprosent for p in held))
        follow_up = follow_ups.get(person.id)
        result.append(
            Entry(
                person_id=person.id,
                name=person.name,
                unit_id=person.unit_id,
                unit_name=units.get(person.unit_id),
                yrkesgruppe=group,
                current=current,
                wanted=_number(data.get("onsket_prosent")),
                reasons=reasons,
                status=follow_up.status if follow_up else FollowUpStatus.NOT_CONTACTED,
                booked_for=aware(follow_up.booked_for) if follow_up else None,
                place=follow_up.place if follow_up else None,
                note=follow_up.note if follow_up else None,
                last_confirmed=aware(confirmed.get(document_id)),
                channel=channel_for(person),
                changed_since=(
                    follow_up is not None
                    and follow_up.status not in OPEN_STATUSES
                    and saved_at is not None
                    and saved_at > aware(follow_up.updated_at)
                ),
            )
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    result.sort(
        key=lambda e: (
            0 if e.changed_since else _STATUS_ORDER[e.status],
            e.booked_for or far if e.status is FollowUpStatus.BOOKED else far,
            e.name.casefold(),
            e.person_id,
        )
    )
    return narrowed(result, yrkesgruppe=yrkesgruppe, status=status)


def narrowed(
    found: Sequence[Entry],
    *,
    unit_ids: Collection[int] | None = None,
    yrkesgruppe: str | None = None,
    status: str | None = None,
) -> list[Entry]:
    """The entries of a list that match the filters (a page filters the list it has read)."""
    result = list(found)
    if unit_ids is not None:
        allowed = set(unit_ids)
        result = [entry for entry in result if entry.unit_id in allowed]
    if yrkesgruppe:
        result = [entry for entry in result if entry.yrkesgruppe == yrkesgruppe]
    if status == "open":
        result = [entry for entry in result if entry.open]
    elif status:
        result = [entry for entry in result if entry.status == status]
    return result


def entry_for(person: Person) -> Entry | None:
    """The person's line on the list, or None when they are not on it."""
    found = entries(person_ids=[person.id])
    return found[0] if found else None


def open_count(unit_ids: Collection[int] | None = None) -> int:
    """People on the list not yet followed up: not contacted, a conversation booked, or new
    answers since their follow-up was closed."""
    return len(entries(unit_ids, status="open"))


# --- status and booking ------------------------------------------------------------------------


def follow_up_of(person: Person) -> FollowUp:
    """The person's follow-up row, created «not contacted» when missing (a savepoint decides a
    double click: the unique person_id lets one insert win)."""
    follow_up = db.session.scalars(select(FollowUp).where(FollowUp.person_id == person.id)).first()
    if follow_up is None:
        follow_up = FollowUp(person_id=person.id, status=FollowUpStatus.NOT_CONTACTED)
        try:
            with db.session.begin_nested():
                db.session.add(follow_up)
                db.session.flush()
        except IntegrityError:
            follow_up = db.session.scalars(
                select(FollowUp).where(FollowUp.person_id == person.id)
            ).one()
    return follow_up


def set_status(person: Person, status: FollowUpStatus, actor: Person) -> FollowUp:
    """Mark where the follow-up stands. Back to «not contacted» forgets the booking; «held» and
    «no longer relevant» keep its date and place as what happened."""
    follow_up = follow_up_of(person)
    follow_up.status = status
    if status is FollowUpStatus.NOT_CONTACTED:
        follow_up.booked_for = None
        follow_up.place = None
    follow_up.updated_by = actor.id
    follow_up.updated_at = utcnow()
    db.session.flush()
    record(
        Action.CHANGE,
        actor_id=actor.id,
        subject_id=person.id,
        object_type="follow_up",
        object_id=follow_up.id,
        detail={"status": status.value},
    )
    return follow_up


@dataclasses.dataclass(frozen=True)
class Booking:
    follow_up_id: int
    starts: dt.datetime  # aware, Europe/Oslo
    channel: Channel | None  # None: no message could be sent


def book(
    person: Person,
    starts: dt.datetime,
    place: str,
    actor: Person,
    *,
    minutes: int = 60,
    note: str | None = None,
) -> Booking:
    """Book a conversation at `starts` (aware) and tell the person by their channel: an e-mail
    with a calendar invitation, or an SMS with the date and place. Booking again sends again."""
    if starts.tzinfo is None:
        raise ValueError("starts must be timezone-aware")
    starts = starts.astimezone(OSLO)
    follow_up = follow_up_of(person)
    follow_up.status = FollowUpStatus.BOOKED
    follow_up.booked_for = starts.astimezone(dt.UTC)
    follow_up.place = place
    if note is not None:
        follow_up.note = note or None
    follow_up.updated_by = actor.id
    follow_up.updated_at = utcnow()
    db.session.flush()
    channel = channel_for(person)
    if channel is not None:
        enqueue(_booking_message(person, follow_up, starts, minutes, channel))
    record(
        Action.CHANGE,
        actor_id=actor.id,
        subject_id=person.id,
        object_type="follow_up",
        object_id=follow_up.id,
        detail={"status": FollowUpStatus.BOOKED.value, "channel": channel and channel.value},
    )
    logger.info(
        "conversation booked for person %s (%s)", person.id, channel.value if channel else "none"
    )
    return Booking(follow_up.id, starts, channel)


def _language() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def when_text(starts: dt.datetime) -> str:
    """«tirsdag 15. desember 2026 kl. 10:00» in the current locale, in Oslo time."""
    local = starts.astimezone(OSLO)
    return _(
        "%(date)s at %(time)s",
        date=format_date(local, "full", rebase=False),
        time=format_time(local, "HH:mm", rebase=False),
    )


def _booking_message(
    person: Person, follow_up: FollowUp, starts: dt.datetime, minutes: int, channel: Channel
) -> Message:
    language = _language()
    with force_locale(language):
        when = when_text(starts)
        if channel is Channel.SMS:
            return Message(
                channel=Channel.SMS,
                recipient=person.mobile,
                kind=MessageKind.BOOKING,
                body=booking_sms(when, follow_up.place or ""),
                language=language,
                person_id=person.id,
            )
        summary = _("Conversation about your position")
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=person.name),
                _(
                    "You are invited to a conversation with the project leader about your "
                    "position and what you would like."
                ),
                _("When: %(when)s", when=when)
                + "\n"
                + _("Where: %(place)s", place=follow_up.place),
                _(
                    "The calendar invitation is attached. If the time does not suit you, "
                    "please get in touch with your leader or the project leader."
                ),
                *_help_lines(),
            ]
        )
        ics = booking_ics(
            follow_up_id=follow_up.id,
            starts=starts,
            minutes=minutes,
            summary=summary,
            place=follow_up.place or "",
            description=_(
                "Conversation with the project leader about your position and what you would like."
            ),
            attendee_email=person.email,
            attendee_name=person.name,
        )
        return Message(
            channel=Channel.EMAIL,
            recipient=person.email,
            kind=MessageKind.BOOKING,
            subject=_("Conversation about your position on %(date)s", date=when),
            body=body + "\n",
            language=language,
            person_id=person.id,
            attachments=[
                {
                    "filename": "samtale.ics",
                    "content_type": "text/calendar; method=REQUEST",
                    "content": ics,
                }
            ],
        )


def _help_lines() -> list[str]:
    contact = current_app.config.get("HELP_CONTACT")
    return [_("Questions? Contact %(contact)s.", contact=contact)] if contact else []


def _fit(text_for, value: str) -> str:
    """`text_for(value)`, with `value` shortened (…) until the text fits in one SMS."""
    text = text_for(value)
    while len(text) > SMS_LIMIT and value:
        value = value[: max(0, len(value) - (len(text) - SMS_LIMIT) - 1)].rstrip()
        text = text_for(value + "…" if value else "")
    return text


def booking_sms(when: str, place: str) -> str:
    """The booking as one SMS (160 characters): the date, time and place."""
    return _fit(
        lambda where: _(
            "You are invited to a conversation about your position %(when)s, %(place)s. "
            "Does it not suit you? Get in touch.",
            when=when,
            place=where,
        ),
        place,
    )


def booking_ics(
    *,
    follow_up_id: int,
    starts: dt.datetime,
    minutes: int,
    summary: str,
    place: str,
    description: str,
    attendee_email: str | None,
    attendee_name: str | None,
) -> str:
    """A calendar invitation (METHOD:REQUEST) in Europe/Oslo time. The UID is the follow-up's,
    and SEQUENCE grows with every sending (RFC 5546 § 2.1.4): booking again, at another time
    or place, moves the event in the employee's calendar instead of adding a second one."""
    from icalendar import Calendar, Event, vCalAddress, vText  # heavy: where used (architecture.md)

    config = current_app.config
    starts = starts.astimezone(OSLO)
    host = urlsplit(config["BASE_URL"]).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Heltid//Oppfolging//NO")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    now = utcnow()
    event.add("uid", f"followup-{follow_up_id}@{host}")
    event.add("sequence", int(now.timestamp()))
    event.add("dtstamp", now)
    event.add("dtstart", starts)
    event.add("dtend", starts + dt.timedelta(minutes=minutes))
    event.add("summary", summary)
    event.add("location", place)
    event.add("description", description)
    name, address = parseaddr(config["MAIL_FROM"])  # «Heltid <heltid@kommune.no>» or bare
    organizer = vCalAddress(f"mailto:{address or config['MAIL_FROM']}")
    organizer.params["cn"] = vText(name or "Heltid")
    event.add("organizer", organizer)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        if attendee_name:
            attendee.params["cn"] = vText(attendee_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    calendar.add_component(event)
    # The zone's rules around the booking only, not every year since 1970.
    year = starts.year
    calendar.add_missing_timezones(dt.date(year - 1, 1, 1), dt.date(year + 2, 1, 1))
    return calendar.to_ical().decode()


# --- re-confirmation ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DueEntry:
    person_id: int
    name: str
    unit_name: str | None
    confirmed_at: dt.datetime | None
    channel: Channel | None
    asked_today: bool


def _start_of_today() -> dt.datetime:
    now = utcnow().astimezone(OSLO)
    return now.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


def _asked_today(person_ids: Sequence[int]) -> set[int]:
    if not person_ids:
        return set()
    return set(
        db.session.scalars(
            select(OutboxMessage.person_id)
            .where(
                OutboxMessage.person_id.in_(list(person_ids)),
                OutboxMessage.kind == MessageKind.RECONFIRMATION,
                OutboxMessage.created_at >= _start_of_today(),
            )
            .distinct()
        )
    )


def reconfirmation_due(unit_ids: Collection[int] | None = None) -> list[DueEntry]:
    """People on the roster whose record has not been confirmed in the last 12 months
    (`living.services.needing_reconfirmation`), oldest confirmation first."""
    rows = [
        row
        for row in reconfirmation_rows(set(unit_ids) if unit_ids is not None else None)
        if row["person"].left_roster_on is None
    ]
    asked = _asked_today([row["person"].id for row in rows])
    return [
        DueEntry(
            person_id=row["person"].id,
            name=row["person"].name,
            unit_name=row["person"].unit.name if row["person"].unit else None,
            confirmed_at=aware(row["confirmed_at"]),
            channel=channel_for(row["person"]),
            asked_today=row["person"].id in asked,
        )
        for row in rows
    ]


def due_count(unit_ids: Collection[int] | None = None) -> int:
    """How many `reconfirmation_due` lists, without reading their records."""
    documents = needing_reconfirmation()
    people = {
        row.id: row
        for row in db.session.execute(select(Person.id, Person.unit_id, Person.left_roster_on))
    }
    allowed = set(unit_ids) if unit_ids is not None else None
    return sum(
        1
        for document in documents
        if (person := people.get(document.person_id)) is not None
        and person.left_roster_on is None
        and (allowed is None or person.unit_id in allowed)
    )


SENT = "sent"
ALREADY_TODAY = "already_today"
NO_CHANNEL = "no_channel"


def send_reconfirmation(person: Person, actor: Person) -> str:
    """Ask the person to confirm their record, with a one-time login link that leads to «My
    page». SENT, ALREADY_TODAY (asked today already: nothing sent) or NO_CHANNEL."""
    channel = channel_for(person)
    if channel is None:
        return NO_CHANNEL
    if _asked_today([person.id]):
        return ALREADY_TODAY
    days = current_app.config["LOGIN_LINK_DAYS"]
    lifetime = dt.timedelta(days=days)
    token = accounts.issue_token(person, TokenPurpose.LOGIN, lifetime)
    record(
        Action.LOGIN_LINK_CREATED,
        actor_id=actor.id,
        subject_id=person.id,
        object_type="person",
        object_id=person.id,
        detail={"days": days, "via": "reconfirmation", "channel": channel.value},
    )
    enqueue(_reconfirmation_message(person, channel, login_url(token), utcnow() + lifetime))
    logger.info("re-confirmation asked of person %s by %s", person.id, channel.value)
    return SENT


def login_url(token: str) -> str:
    """The one-time login link, absolute under BASE_URL."""
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build("auth.login_link", {"token": token})
    return current_app.config["BASE_URL"].rstrip("/") + path


def _reconfirmation_message(
    person: Person, channel: Channel, url: str, expires_at: dt.datetime
) -> Message:
    language = _language()
    with force_locale(language):
        until = format_date(expires_at.astimezone(OSLO), "long", rebase=False)
        if channel is Channel.SMS:
            text = _(
                "Confirm that the details about your position are correct: %(url)s "
                "(the link works once, until %(date)s)",
                url=url,
                date=until,
            )
            if len(text) > SMS_LIMIT:
                text = _(
                    "Confirm that the details about your position are correct: %(url)s", url=url
                )
            return Message(
                channel=Channel.SMS,
                recipient=person.mobile,
                kind=MessageKind.RECONFIRMATION,
                body=text,
                language=language,
                person_id=person.id,
            )
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=person.name),
                _(
                    "Once a year we ask you to look through what is recorded about your "
                    "position and your wishes, and to confirm that it is correct. It takes a "
                    "couple of minutes."
                ),
                _("Log in with this personal link. It works once, until %(date)s:", date=until),
                url,
                _(
                    "On «My page» you see what is recorded and can confirm it or ask for a "
                    "correction."
                ),
                _("Do not share the link: anyone who has it can log in as you."),
                *_help_lines(),
            ]
        )
        return Message(
            channel=Channel.EMAIL,
            recipient=person.email,
            kind=MessageKind.RECONFIRMATION,
            subject=_("Confirm that your details are correct"),
            body=body + "\n",
            language=language,
            person_id=person.id,
        )


def send_reconfirmation_to_all(people: Sequence[Person], actor: Person) -> dict[str, int]:
    """`send_reconfirmation` for each; how many per outcome."""
    counts = {SENT: 0, ALREADY_TODAY: 0, NO_CHANNEL: 0}
    for person in people:
        counts[send_reconfirmation(person, actor)] += 1
    return counts
