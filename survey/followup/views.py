"""The follow-up list (/oppfolging): whom the project leader should talk to, booking the
conversation, and asking people to confirm their record again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from survey.access.guard import descendants, person_or_404, visible_unit_ids
from survey.accounts.models import Person, Unit
from survey.audit.services import Action, record
from survey.campaigns.models import Channel
from survey.db import utcnow
from survey.extensions import db
from survey.followup import services
from survey.followup.forms import STATUS_LABELS, BookingForm, StatusForm
from survey.followup.models import FollowUpStatus
from survey.living import presenting as living

bp = Blueprint("followup", __name__, url_prefix="/oppfolging")

# Cards on one page at most (as the people list): a filter narrows a longer list.
PAGE_LIMIT = 200

REASON_LABELS = {
    services.WANTS_MORE: _l("Wants a larger position"),
    services.ASKED_FOR_CONVERSATION: _l("Asked for a conversation"),
}
CHANNEL_LABELS = {
    Channel.EMAIL: _l("e-mail"),
    Channel.SMS: _l("SMS"),
}


def _flush_soon() -> None:
    """Send what was just queued right after the response (survey outbox send does the rest)."""
    from survey.outbox import sending

    sending.flush_soon()


def _lang() -> str:
    return str(get_locale() or "nb")


def _percent(questions, name: str, value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    return living.display(questions, name, value, lang) or "–"


def _status_text(entry: services.Entry) -> str:
    if entry.status is FollowUpStatus.BOOKED and entry.booked_for is not None:
        return _(
            "Conversation booked for %(when)s, %(place)s",
            when=services.when_text(entry.booked_for),
            place=entry.place or "–",
        )
    if entry.status is FollowUpStatus.HELD and entry.booked_for is not None:
        return _("Conversation held (%(date)s)", date=format_date(entry.booked_for, "short"))
    return str(STATUS_LABELS[entry.status])


def _entry_view(entry: services.Entry, questions, lang: str) -> dict[str, Any]:
    return {
        "person_id": entry.person_id,
        "name": entry.name,
        "unit": entry.unit_name,
        "yrkesgruppe": (
            living.display(questions, "yrkesgruppe", entry.yrkesgruppe, lang)
            if entry.yrkesgruppe
            else None
        ),
        "current": _percent(questions, "stillingsprosent", entry.current, lang),
        "wanted": _percent(questions, "onsket_prosent", entry.wanted, lang),
        "has_wanted": entry.wanted is not None,
        "reasons": [str(REASON_LABELS[reason]) for reason in entry.reasons],
        "status": entry.status.value,
        "status_text": _status_text(entry),
        "open": entry.open,
        "changed_since": entry.changed_since,
        "last_confirmed": entry.last_confirmed,
        "channel": str(CHANNEL_LABELS[entry.channel]) if entry.channel else None,
        "note": entry.note,
    }


def _record_reads(person_ids: list[int], object_type: str) -> None:
    """Reading others' wishes is logged, one entry per person shown (as committee cases do)."""
    actor = current_user.person.id
    for person_id in person_ids:
        if person_id != actor:
            record(Action.READ, actor_id=actor, subject_id=person_id, object_type=object_type)


@bp.get("/")
def index():
    lang = _lang()
    units = visible_unit_ids()
    unit_choices = db.session.scalars(
        select(Unit).order_by(Unit.name)
        if units is None
        else select(Unit).where(Unit.id.in_(units)).order_by(Unit.name)
    ).all()
    everyone = services.entries(units)
    chosen_unit = request.args.get("enhet", "")
    scope = units
    if chosen_unit.isdigit() and any(unit.id == int(chosen_unit) for unit in unit_choices):
        scope = descendants([int(chosen_unit)])
        if units is not None:
            scope &= units
    else:
        chosen_unit = ""
    groups = sorted({entry.yrkesgruppe for entry in everyone if entry.yrkesgruppe})
    chosen_group = request.args.get("yrkesgruppe", "")
    if chosen_group not in groups:
        chosen_group = ""
    statuses = ["open", *(status.value for status in FollowUpStatus)]
    chosen_status = request.args.get("status", "")
    if chosen_status not in statuses:
        chosen_status = ""
    shown = services.narrowed(
        everyone,
        unit_ids=scope,
        yrkesgruppe=chosen_group or None,
        status=chosen_status or None,
    )
    questions = living.questions()
    page = shown[:PAGE_LIMIT]
    _record_reads([entry.person_id for entry in page], "follow_up_list")
    status_labels = {"open": _("Open (not contacted or booked)")} | {
        status.value: str(label) for status, label in STATUS_LABELS.items()
    }
    return render_template(
        "followup/index.html",
        entries=[_entry_view(entry, questions, lang) for entry in page],
        matching=len(shown),
        limit=PAGE_LIMIT,
        total=len(everyone),
        units=[{"id": unit.id, "name": unit.name} for unit in unit_choices],
        chosen_unit=chosen_unit,
        groups=[
            {"value": group, "label": living.display(questions, "yrkesgruppe", group, lang)}
            for group in groups
        ],
        chosen_group=chosen_group,
        statuses=[{"value": value, "label": status_labels[value]} for value in statuses],
        chosen_status=chosen_status,
        filtered=bool(chosen_unit or chosen_group or chosen_status),
        due=services.due_count(units),
    )


def _render_person(person: Person, status_form=None, booking_form=None, code: int = 200):
    lang = _lang()
    entry = services.entry_for(person)
    if entry is not None and visible_unit_ids() is not None:
        entry = entry if entry.unit_id in visible_unit_ids() else None
    status_form = status_form or StatusForm(
        status=entry.status.value if entry and entry.status is not FollowUpStatus.BOOKED else None
    )
    # Booking again starts from the place and note of the last booking.
    booking_form = booking_form or BookingForm(
        place=entry.place if entry else None, note=entry.note if entry else None
    )
    _record_reads([person.id], "follow_up")
    return render_template(
        "followup/person.html",
        person={
            "id": person.id,
            "name": person.name,
            "unit": person.unit.name if person.unit else None,
            "channel": channel.value if (channel := services.channel_for(person)) else None,
        },
        entry=_entry_view(entry, living.questions(), lang) if entry else None,
        status_form=status_form,
        booking_form=booking_form,
    ), code


@bp.get("/<int:person_id>")
def person(person_id: int):
    return _render_person(person_or_404(person_id))


@bp.post("/<int:person_id>/status")
def set_status(person_id: int):
    person = person_or_404(person_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _render_person(person, status_form=form, code=400)
    status = FollowUpStatus(form.status.data)
    services.set_status(person, status, current_user.person)
    flash(_("Saved: %(status)s.", status=STATUS_LABELS[status]), "info")
    return redirect(url_for("followup.person", person_id=person.id))


@bp.post("/<int:person_id>/samtale")
def book(person_id: int):
    person = person_or_404(person_id)
    form = BookingForm()
    if not form.validate_on_submit():
        return _render_person(person, booking_form=form, code=400)
    starts = dt.datetime.combine(form.day.data, form.time.data, tzinfo=services.OSLO)
    if starts <= utcnow():
        form.day.errors = [*form.day.errors, _("Choose a time in the future.")]
        return _render_person(person, booking_form=form, code=400)
    booking = services.book(
        person,
        starts,
        form.place.data.strip(),
        current_user.person,
        minutes=int(form.minutes.data),
        note=(form.note.data or "").strip(),
    )
    when = services.when_text(booking.starts)
    if booking.channel is Channel.EMAIL:
        flash(
            _(
                "Booked for %(when)s. An e-mail with a calendar invitation is on its way.",
                when=when,
            ),
            "info",
        )
    elif booking.channel is Channel.SMS:
        flash(
            _("Booked for %(when)s. An SMS with the date and place is on its way.", when=when),
            "info",
        )
    else:
        flash(
            _(
                "Booked for %(when)s. We have no e-mail address or mobile number: tell them in "
                "person.",
                when=when,
            ),
            "info",
        )
    if booking.channel is not None:
        _flush_soon()
    return redirect(url_for("followup.person", person_id=person.id))


@bp.get("/bekreftelser")
def reconfirmation():
    due = services.reconfirmation_due(visible_unit_ids())
    return render_template(
        "followup/reconfirmation.html",
        rows=[
            {
                "person_id": row.person_id,
                "name": row.name,
                "unit": row.unit_name,
                "confirmed_at": row.confirmed_at,
                "channel": str(CHANNEL_LABELS[row.channel]) if row.channel else None,
                "asked_today": row.asked_today,
            }
            for row in due
        ],
        sendable=sum(1 for row in due if row.channel and not row.asked_today),
    )


@bp.post("/bekreftelser/<int:person_id>")
def send_reconfirmation(person_id: int):
    person = person_or_404(person_id)
    outcome = services.send_reconfirmation(person, current_user.person)
    if outcome == services.SENT:
        flash(_("Asked %(name)s to confirm their details.", name=person.name), "info")
        _flush_soon()
    elif outcome == services.ALREADY_TODAY:
        flash(_("%(name)s was already asked today.", name=person.name), "info")
    else:
        flash(
            _(
                "No e-mail address or mobile number for %(name)s: ask them in person.",
                name=person.name,
            ),
            "info",
        )
    return redirect(url_for("followup.reconfirmation"))


@bp.post("/bekreftelser/alle")
def send_reconfirmation_all():
    due = services.reconfirmation_due(visible_unit_ids())
    people = db.session.scalars(
        select(Person).where(Person.id.in_([row.person_id for row in due])).order_by(Person.id)
    ).all()
    counts = services.send_reconfirmation_to_all(people, current_user.person)
    flash(
        _(
            "Sent: %(sent)d. Already asked today: %(today)d. No channel: %(none)d.",
            sent=counts[services.SENT],
            today=counts[services.ALREADY_TODAY],
            none=counts[services.NO_CHANNEL],
        ),
        "info",
    )
    if counts[services.SENT]:
        _flush_soon()
    return redirect(url_for("followup.reconfirmation"))
