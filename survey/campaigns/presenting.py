"""Campaigns shaped for pages: plain dicts and strings, counted with set-based queries.

The counts here come from the invitation table only (invited, submitted through their link),
for every mode alike, so a list of campaigns never reads answers. Per unit and per day they
are on the response-rate page (`survey.campaigns.rates`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from flask_babel import format_date, format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from survey.accounts.models import Person, Unit
from survey.campaigns import rates
from survey.campaigns.models import Campaign, Invitation, Mode
from survey.db import today
from survey.extensions import db
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.services import definition_of, latest_version
from survey.roster.services import roster_entries

MODE_LABELS = {
    Mode.ANONYMOUS: _l("Anonymous"),
    Mode.CONFIDENTIAL: _l("Confidential"),
    Mode.IDENTIFIED: _l("Identified"),
}
MODE_HINTS = {
    Mode.ANONYMOUS: _l("Nobody can see who answered what. Answers never reach living documents."),
    Mode.CONFIDENTIAL: _l(
        "The answers are kept apart from who gave them and shown to nobody with a name."
    ),
    Mode.IDENTIFIED: _l(
        "The answers belong to the employee and become part of their living document."
    ),
}
LANGUAGE_LABELS = {"nb": _l("Bokmål"), "nn": _l("Nynorsk")}
TEXT_LANGUAGE_LABELS = {**LANGUAGE_LABELS, "en": _l("English")}
CHANNEL_LABELS = {"email": _l("E-mail"), "sms": _l("SMS"), "letter": _l("Letter")}
MESSAGE_KIND_LABELS = {
    "invitation": _l("Invitation"),
    "reminder": _l("Reminder"),
    "booking": _l("Conversation booked"),
    "reconfirmation": _l("Please confirm your details"),
}
DELIVERY_STATUS_LABELS = {
    "failed": _l("Not delivered"),
    "retrying": _l("Will be tried again"),
    "pending": _l("Waiting"),
    "sent": _l("Sent"),
}


def questionnaire_title(questionnaire_id: str, lang: str) -> str:
    version = latest_version(questionnaire_id)
    if version is None:
        return questionnaire_id
    title = definition_of(version).title
    return title.get(lang) or title.get("nb") or questionnaire_id


def questionnaire_choices(lang: str) -> list[tuple[str, str]]:
    """The loaded questionnaires as (id, title in `lang`), sorted by title."""
    ids = db.session.scalars(select(QuestionnaireVersion.questionnaire_id).distinct()).all()
    return sorted(
        ((qid, questionnaire_title(qid, lang)) for qid in ids), key=lambda c: c[1].lower()
    )


def title_of(campaign: Campaign, lang: str) -> str:
    return campaign.title_in(lang) or questionnaire_title(campaign.questionnaire_id, lang)


def _date(day: dt.date | None) -> str | None:
    return format_date(day, "long") if day is not None else None


def period_text(campaign: Campaign) -> str:
    start, end = _date(campaign.opens_on), _date(campaign.closes_on)
    if start and end:
        return _("%(start)s to %(end)s", start=start, end=end)
    if start:
        return _("From %(start)s", start=start)
    if end:
        return _("Until %(end)s", end=end)
    return _("No dates set")


def reminders_text(days: list[int]) -> str:
    if not days:
        return _("No reminders")
    if len(days) == 1:
        return ngettext("%(num)d day before closing", "%(num)d days before closing", days[0])
    return _("%(days)s days before closing", days=", ".join(str(day) for day in days))


def status(campaign: Campaign, day: dt.date | None = None) -> dict[str, Any]:
    """Whether the campaign takes answers on `day` (today), and a word or two saying so."""
    day = day or today()
    if not campaign.is_open:
        return {"key": "closed", "text": _("Closed"), "accepting": False}
    if campaign.opens_on is not None and day < campaign.opens_on:
        return {
            "key": "scheduled",
            "text": _("Opens %(date)s", date=_date(campaign.opens_on)),
            "accepting": False,
        }
    if campaign.closes_on is not None and day > campaign.closes_on:
        return {
            "key": "ended",
            "text": _("Ended %(date)s", date=_date(campaign.closes_on)),
            "accepting": False,
        }
    return {"key": "open", "text": _("Open for answers"), "accepting": True}


def invitation_counts(
    campaign_ids: Collection[int] | None = None, unit_ids: Collection[int] | None = None
) -> dict[int, dict[str, int]]:
    """Per campaign: invited and submitted as the response-rate page counts them
    (`rates.totals`: invitations of people who left the roster are not in either), and how
    many left; only invitations in `unit_ids` when given (a unit leader's units)."""
    if campaign_ids is None:
        campaign_ids = db.session.scalars(select(Campaign.id)).all()
    tallies = rates.totals(campaign_ids, unit_ids)
    left_query = (
        select(Invitation.campaign_id, func.count())
        .where(Invitation.campaign_id.in_(sorted(tallies)), Invitation.left_on.is_not(None))
        .group_by(Invitation.campaign_id)
    )
    if unit_ids is not None:
        left_query = left_query.where(Invitation.unit_id.in_(sorted(unit_ids)))
    left = {campaign_id: n for campaign_id, n in db.session.execute(left_query)}
    return {
        campaign_id: {
            "invited": tally.invited,
            "submitted": tally.submitted,
            "left": int(left.get(campaign_id, 0)),
        }
        for campaign_id, tally in tallies.items()
    }


def campaign_rows(
    lang: str, unit_ids: Collection[int] | None = None, *, minimum: int
) -> list[dict[str, Any]]:
    """Every campaign, newest first, for the list page. An anonymous campaign's counts are
    hidden when fewer than `minimum` are invited, as its response-rate page hides them."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id.desc())).all()
    counts = invitation_counts(unit_ids=unit_ids)
    empty = {"invited": 0, "submitted": 0, "left": 0}
    rows = []
    for campaign in campaigns:
        count = counts.get(campaign.id, empty)
        tally = rates.Tally(invited=count["invited"], submitted=count["submitted"])
        rows.append(
            {
                "id": campaign.id,
                "title": title_of(campaign, lang),
                "questionnaire": questionnaire_title(campaign.questionnaire_id, lang),
                "mode": str(MODE_LABELS[campaign.mode]),
                "period": period_text(campaign),
                "status": status(campaign),
                **count,
                "hidden": rates.total_hidden(campaign, tally, minimum),
            }
        )
    return rows


def campaign_view(campaign: Campaign, lang: str) -> dict[str, Any]:
    counts = invitation_counts([campaign.id]).get(
        campaign.id, {"invited": 0, "submitted": 0, "left": 0}
    )
    return {
        "id": campaign.id,
        "slug": campaign.slug,
        "title": title_of(campaign, lang),
        "titles": {"nb": campaign.title, "nn": campaign.title_nn, "en": campaign.title_en},
        "questionnaire": questionnaire_title(campaign.questionnaire_id, lang),
        "questionnaire_id": campaign.questionnaire_id,
        "mode": campaign.mode.value,
        "mode_label": str(MODE_LABELS[campaign.mode]),
        "mode_hint": str(MODE_HINTS[campaign.mode]),
        "open_link": campaign.accepts_open_link,
        "is_open": campaign.is_open,
        "opens_on": campaign.opens_on,
        "closes_on": campaign.closes_on,
        "period": period_text(campaign),
        "reminder_days": list(campaign.reminder_days or []),
        "reminders": reminders_text(list(campaign.reminder_days or [])),
        "language": campaign.language,
        "language_label": str(LANGUAGE_LABELS.get(campaign.language, campaign.language)),
        "status": status(campaign),
        **counts,
    }


# --- the roster, for choosing whom to invite --------------------------------------------------


def unit_choices() -> list[dict[str, str]]:
    """Every unit as {code, name}, sub-units under their parent (indented by `depth`)."""
    units = db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.parent_id)).all()
    children: dict[int | None, list] = {}
    known = {unit.id for unit in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in known else None
        children.setdefault(parent, []).append(unit)
    ordered: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in sorted(children.get(parent, []), key=lambda u: u.name.lower()):
            ordered.append({"code": unit.code, "name": unit.name, "depth": depth})
            walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered


def roster_yrkesgrupper() -> list[str]:
    """The yrkesgrupper of the main positions on the roster (what an invitation selects by),
    once each whatever their case, sorted."""
    seen: dict[str, str] = {}
    for entry in roster_entries(current_only=True).values():
        value = (entry.yrkesgruppe or "").strip()
        if value:
            seen.setdefault(value.casefold(), value)
    return sorted(seen.values(), key=str.casefold)


KIND_TEXT_LABELS = {
    "invitation": _l("Invitation"),
    "reminder": _l("Reminder"),
    "continue": _l("Reminder to finish (for those who have started)"),
}


def text_preview(preview: dict[str, dict[str, Any]], kinds) -> list[dict[str, Any]]:
    """`survey.campaigns.messaging.preview` grouped per message: subject, body and SMS with
    its length, and the problems of each as messages."""
    groups = []
    for kind in kinds:
        parts = {part: preview.get(f"{kind}_{part}", {}) for part in ("subject", "body", "sms")}
        groups.append(
            {
                "kind": kind,
                "label": str(KIND_TEXT_LABELS.get(kind, kind)),
                "edited": any(part.get("edited") for part in parts.values()),
                "subject": parts["subject"].get("text", ""),
                "body": parts["body"].get("text", ""),
                "sms": parts["sms"].get("text", ""),
                "sms_length": parts["sms"].get("length") or 0,
                "sms_limit": parts["sms"].get("limit") or 160,
                "problems": [
                    problem.message()
                    for part in parts.values()
                    for problem in part.get("problems") or []
                ],
            }
        )
    return groups


def failure_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outbox's failures with the person's name and words for their codes (for the
    project leader, who may see names)."""
    names = person_names({row.get("person_id") for row in rows})
    shown = []
    for row in rows:
        next_attempt = row.get("next_attempt_at")
        shown.append(
            {
                **row,
                "name": names.get(row.get("person_id")),
                "channel_label": str(CHANNEL_LABELS.get(row.get("channel"), row.get("channel"))),
                "kind_label": str(MESSAGE_KIND_LABELS.get(row.get("kind"), row.get("kind"))),
                "status_label": str(
                    DELIVERY_STATUS_LABELS.get(row.get("status"), row.get("status"))
                ),
                "next_attempt": format_datetime(next_attempt, "short")
                if next_attempt is not None and row.get("status") == "retrying"
                else None,
            }
        )
    return shown


def person_names(person_ids: Collection[int]) -> dict[int, str]:
    ids = [pid for pid in person_ids if pid is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())
