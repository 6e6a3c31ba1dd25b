"""The texts a campaign sends (invitation, reminder, «fortsett»), and putting them in the outbox.

Every text is a template with placeholders in braces: {link} (the personal link), {closes_on}
(the closing date, «15. januar 2027»), {title} (the campaign's title in its language), {name}
(the name on the roster) and {help} (HELP_CONTACT). The defaults are Babel messages composed
per campaign: the sentence about the closing date or about help is left out when there is
none, and the sentence about what happens with the answers follows the campaign's mode. A
campaign may replace any of them per language (`Campaign.texts`), validated by `set_texts`.

Messages are written in the campaign's language (`Campaign.language`), whatever the reader's
page language is. Bulk sending renders each template once and fills it in per person with
plain string joins (ten thousand in a fraction of a second), reads the people in a few
queries and writes the outbox in one statement per channel.

An SMS is one message of 160 GSM-7 characters (70 when a character outside GSM-7, such as
«», is used): the defaults fit with a link of 60 characters and the longest date."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from reports import formatting
from survey.accounts.models import Person
from survey.campaigns.models import Campaign, Channel, Invitation, Mode
from survey.campaigns.services import MESSAGE_LANGUAGES, derived_token, invitation_path
from survey.db import today as current_day
from survey.extensions import db
from survey.outbox.models import MessageKind, OutboxMessage, OutboxStatus
from survey.outbox.services import Message, channel_for, enqueue_many, sms_enabled
from survey.problems import Problem
from survey.questionnaires.services import definition_of, latest_version

logger = logging.getLogger(__name__)

KINDS = ("invitation", "reminder", "continue")
PARTS = ("subject", "body", "sms")
TEXT_KEYS = tuple(f"{kind}_{part}" for kind in KINDS for part in PARTS)
PLACEHOLDERS = ("link", "closes_on", "title", "name", "help")
# In a preview and in the length check: a long name and a link of the configured length.
EXAMPLE_NAME = "Kari Nordmann"
EXAMPLE_TOKEN = "x" * 22  # as long as a real token (campaigns.services.derived_token)
CHUNK = 2000  # ids per IN (...) list: far below SQLite's and PostgreSQL's parameter limits

# GSM 03.38: the default alphabet (one unit each) and its extension table (two units each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
SMS_LIMIT_GSM7 = 160
SUBJECT_MAX = 300  # OutboxMessage.subject
SMS_LIMIT_UNICODE = 70

# The sentences the default texts are made of. msgids are English; nb and nn in messages.po.
_GREETING = _l("Hi {name},")
_LEAD = {
    "invitation": _l("You are invited to answer «{title}». It takes about 5 minutes."),
    "reminder": _l("We have not yet received your answers to «{title}». It takes about 5 minutes."),
    "continue": _l(
        "You have started on «{title}» but not sent your answers. What you have saved is "
        "kept: continue where you left off."
    ),
}
_MODE = {
    Mode.IDENTIFIED: _l(
        "Your answers are saved with your name and keep your information on «Min side» up "
        "to date. They are used to offer larger positions to those who want one."
    ),
    Mode.CONFIDENTIAL: _l(
        "Your answers are confidential: nobody sees them with your name, and they are only "
        "used in figures for groups."
    ),
    Mode.ANONYMOUS: _l("Your answers are anonymous: nobody can see what you answered."),
}
_ANSWER_HERE = _l("Answer here:")
_CONTINUE_HERE = _l("Continue here:")
_PERSONAL = _l("The link is yours alone. Please do not forward it.")
_DEADLINE = _l("Please answer by {closes_on}.")
_HELP = _l("Questions? Contact {help}.")
_SUBJECT = {
    "invitation": _l("Invitation: {title}"),
    "reminder": _l("Reminder: {title}"),
    "continue": _l("Continue your answers: {title}"),
}
# SMS: no title, no name and no «» (outside GSM-7), to fit one message with the link.
_SMS_LEAD = {
    ("invitation", False): _l("Please answer a short survey from the municipality (about 5 min)."),
    ("invitation", True): _l(
        "Please answer a short anonymous survey from the municipality (5 min)."
    ),
    ("reminder", False): _l("Reminder: a short survey from the municipality (about 5 min)."),
    ("reminder", True): _l("Reminder: a short anonymous survey from the municipality (5 min)."),
    ("continue", False): _l("You have started on the survey but not sent it."),
    ("continue", True): _l("You have started on the survey but not sent it."),
}
_SMS_DEADLINE = {
    "answer": _l("Answer by {closes_on}:"),
    "continue": _l("Continue by {closes_on}:"),
}
_SMS_NO_DEADLINE = {"answer": _l("Answer here:"), "continue": _l("Continue here:")}


@dataclasses.dataclass(frozen=True)
class QueueResult:
    """What `queue_invitations` did: messages queued per channel, letters to print, and
    invitations it could not send (no derivable link, no person, off the roster)."""

    email: int = 0
    sms: int = 0
    letter: int = 0
    skipped: int = 0


@dataclasses.dataclass(frozen=True)
class ReminderCounts:
    """Reminders queued per channel; `letter`: due but with neither e-mail nor SMS (not
    reminded by message); `closed`: the campaign takes no answers today (nothing sent)."""

    email: int = 0
    sms: int = 0
    letter: int = 0
    campaigns: int = 0
    closed: bool = False

    def __add__(self, other: ReminderCounts) -> ReminderCounts:
        return ReminderCounts(
            self.email + other.email,
            self.sms + other.sms,
            self.letter + other.letter,
            self.campaigns + other.campaigns,
        )


# ---------------------------------------------------------------------------------------------
# Texts


def default_texts(campaign: Campaign, lang: str) -> dict[str, str]:
    """The default templates in `lang` for this campaign: its mode, whether it has a
    closing date and whether HELP_CONTACT is set decide which sentences they have."""
    has_deadline = campaign.closes_on is not None
    has_help = bool(current_app.config.get("HELP_CONTACT"))
    anonymous = campaign.mode is Mode.ANONYMOUS
    texts = {}
    with force_locale(lang):
        for kind in KINDS:
            here = _CONTINUE_HERE if kind == "continue" else _ANSWER_HERE
            paragraphs = [
                str(_GREETING),
                f"{_LEAD[kind]} {_MODE[campaign.mode]}",
                f"{here}\n{{link}}\n{_PERSONAL}",
            ]
            if has_deadline:
                paragraphs.append(str(_DEADLINE))
            if has_help:
                paragraphs.append(str(_HELP))
            texts[f"{kind}_subject"] = str(_SUBJECT[kind])
            texts[f"{kind}_body"] = "\n\n".join(paragraphs)
            verb = "continue" if kind == "continue" else "answer"
            ending = _SMS_DEADLINE[verb] if has_deadline else _SMS_NO_DEADLINE[verb]
            texts[f"{kind}_sms"] = f"{_SMS_LEAD[kind, anonymous]} {ending} {{link}}"
    return texts


def letter_sentences(campaign: Campaign, lang: str) -> dict[str, str]:
    """The sentences of the invitation e-mail a printed letter shares, filled in except for
    {name}: greeting, lead, personal, deadline ("" without a closing date), help (""
    without HELP_CONTACT)."""
    values = _campaign_values(campaign, lang)
    with force_locale(lang):
        return {
            "greeting": str(_GREETING),
            "lead": render(f"{_LEAD['invitation']} {_MODE[campaign.mode]}", values),
            "personal": str(_PERSONAL),
            "deadline": render(str(_DEADLINE), values) if campaign.closes_on else "",
            "help": render(str(_HELP), values) if values["help"] else "",
        }


def texts_for(campaign: Campaign, lang: str) -> dict[str, str]:
    """The templates used in `lang`: the campaign's own where it has one, else the default.
    An edited text naming {closes_on} gives way to the default while the campaign has no
    closing date (it was removed after the text was written)."""
    texts = default_texts(campaign, lang)
    for key, text in (campaign.texts or {}).get(lang, {}).items():
        if key not in texts:
            continue
        if "{closes_on}" in text and campaign.closes_on is None:
            continue
        texts[key] = text
    return texts


def edited_keys(campaign: Campaign, lang: str) -> set[str]:
    return set((campaign.texts or {}).get(lang, {}))


def set_texts(campaign: Campaign, lang: str, values: Mapping[str, str]) -> list[Problem]:
    """Store the campaign's own texts in `lang` for the keys in `values`; an empty text, or
    one equal to the default, goes back to the default. Returns the problems (each with the
    text's key as `item`) and changes nothing when there are any."""
    unknown = set(values) - set(TEXT_KEYS)
    if unknown:
        raise KeyError(f"no such text: {sorted(unknown)}")
    if lang not in MESSAGE_LANGUAGES:
        raise ValueError(f"no such language for messages: {lang!r}")
    defaults = default_texts(campaign, lang)
    own = dict((campaign.texts or {}).get(lang, {}))
    problems: list[Problem] = []
    context = _example_values(campaign, lang)
    for key, raw in values.items():
        text = _normalise(key, raw or "")
        if not text or text == defaults[key]:
            own.pop(key, None)
            continue
        problems.extend(text_problems(campaign, key, text, context))
        own[key] = text
    if problems:
        return problems
    texts = {code: dict(entries) for code, entries in (campaign.texts or {}).items()}
    if own:
        texts[lang] = own
    else:
        texts.pop(lang, None)
    campaign.texts = texts  # a new object: the JSON column sees the change
    logger.info("campaign %s: texts in %s changed (%d own)", campaign.id, lang, len(own))
    return []


def _normalise(key: str, text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if key.endswith("_subject") or key.endswith("_sms"):
        text = " ".join(text.split())
    return text


_BRACED = re.compile(r"\{([^{}]*)\}")


def text_problems(
    campaign: Campaign, key: str, text: str, context: Mapping[str, str] | None = None
) -> list[Problem]:
    """What is wrong with `text` as the template `key` of this campaign."""
    problems = []
    for name in _BRACED.findall(text):
        if name not in PLACEHOLDERS:
            problems.append(
                Problem(
                    "text_unknown_placeholder",
                    {
                        "placeholder": "{" + name + "}",
                        "placeholders": ", ".join("{" + p + "}" for p in PLACEHOLDERS),
                    },
                    item=key,
                )
            )
    if "{" in _BRACED.sub("", text) or "}" in _BRACED.sub("", text):
        problems.append(Problem("text_stray_brace", item=key))
    if not key.endswith("_subject") and "{link}" not in text:
        problems.append(Problem("text_missing_link", item=key))
    if "{closes_on}" in text and campaign.closes_on is None:
        problems.append(Problem("text_needs_close_date", item=key))
    values = context if context is not None else _example_values(campaign, campaign.language)
    if key.endswith("_subject") and len(render(text, values)) > SUBJECT_MAX:
        problems.append(Problem("too_long", {"count": SUBJECT_MAX}, item=key))
    if key.endswith("_sms") and not problems:
        problems.extend(sms_problems(render(text, values), key))
    return problems


def sms_length(text: str) -> tuple[int, int, list[str]]:
    """(length, limit of one message, characters outside GSM-7). Extension characters such
    as € and { count twice; one character outside GSM-7 makes it a 70-character message."""
    outside = sorted({c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENSION})
    if outside:
        # UCS-2: characters beyond the BMP (emoji) take two units.
        return len(text.encode("utf-16-le")) // 2, SMS_LIMIT_UNICODE, outside
    length = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    return length, SMS_LIMIT_GSM7, []


def sms_problems(text: str, key: str = "sms") -> list[Problem]:
    length, limit, outside = sms_length(text)
    if length <= limit:
        return []
    if outside:
        return [
            Problem(
                "sms_not_gsm",
                {"chars": " ".join(outside), "max": limit, "length": length},
                item=key,
            )
        ]
    return [Problem("sms_too_long", {"length": length, "max": limit}, item=key)]


def preview(campaign: Campaign, lang: str) -> dict[str, dict[str, Any]]:
    """Each text filled in with an example name and a link of the real length, for the
    campaign page and `survey campaign texts`: {key: {template, text, edited, sms, length,
    limit, problems}}. `problems` are Problem objects (`.message()` on a page)."""
    values = _example_values(campaign, lang)
    edited = edited_keys(campaign, lang)
    result = {}
    for key, template in texts_for(campaign, lang).items():
        text = render(template, values)
        entry: dict[str, Any] = {
            "key": key,
            "template": template,
            "text": text,
            "edited": key in edited,
            "sms": key.endswith("_sms"),
            "length": None,
            "limit": None,
            "problems": text_problems(campaign, key, template, values) if key in edited else [],
        }
        if entry["sms"]:
            entry["length"], entry["limit"], _ = sms_length(text)
            if key not in edited:
                entry["problems"] = sms_problems(text, key)
        result[key] = entry
    return result


# ---------------------------------------------------------------------------------------------
# Filling in


def render(template: str, values: Mapping[str, str]) -> str:
    return _compile(template)(values)


def _compile(template: str):
    """The template as a function of the values: split once, joined per person."""
    pieces: list[tuple[bool, str]] = []
    position = 0
    for match in _BRACED.finditer(template):
        if match.group(1) in PLACEHOLDERS:
            pieces.append((False, template[position : match.start()]))
            pieces.append((True, match.group(1)))
            position = match.end()
    pieces.append((False, template[position:]))

    def fill(values: Mapping[str, str]) -> str:
        return "".join(
            values.get(text, "{" + text + "}") if is_name else text for is_name, text in pieces
        )

    return fill


def title_of(campaign: Campaign, lang: str) -> str:
    """The campaign's title in `lang`, else the questionnaire's title in `lang`."""
    title = campaign.title_in(lang)
    if title:
        return title
    version = latest_version(campaign.questionnaire_id)
    if version is None:
        return campaign.questionnaire_id
    titles = definition_of(version).title
    return titles.get(lang) or titles.get("nb") or campaign.questionnaire_id


def close_date(campaign: Campaign, lang: str) -> str:
    """The closing date as people write it in `lang` («15. januar 2027»); "" without one."""
    if campaign.closes_on is None:
        return ""
    return formatting.date(campaign.closes_on, lang)


def _campaign_values(campaign: Campaign, lang: str) -> dict[str, str]:
    return {
        "closes_on": close_date(campaign, lang),
        "title": title_of(campaign, lang),
        "help": current_app.config.get("HELP_CONTACT") or "",
    }


def _example_values(campaign: Campaign, lang: str) -> dict[str, str]:
    return {
        **_campaign_values(campaign, lang),
        "name": EXAMPLE_NAME,
        "link": link_for(EXAMPLE_TOKEN),
    }


def link_for(token: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + invitation_path(token)


@dataclasses.dataclass(frozen=True)
class _Recipient:
    invitation_id: int
    token_salt: str
    started: bool
    person_id: int
    name: str
    email: str | None
    mobile: str | None


def _recipient_query(*extra):
    """Invitations with their people, one row each; `extra` columns come after them."""
    return select(
        Invitation.id,
        Invitation.token_salt,
        Invitation.started_on,
        Person.id,
        Person.name,
        Person.email,
        Person.mobile,
        *extra,
    ).join(Person, Person.id == Invitation.person_id)


def _recipients(statement) -> list[tuple]:
    """(recipient, *extra columns) per row of a `_recipient_query`."""
    return [
        (_Recipient(row[0], row[1], row[2] is not None, row[3], row[4], row[5], row[6]), *row[7:])
        for row in db.session.execute(statement)
    ]


class _Composer:
    """Builds the messages of one campaign: templates compiled once per kind."""

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        self.lang = campaign.language or "nb"
        self.secret_key = current_app.config["SECRET_KEY"]
        self.base = current_app.config["BASE_URL"].rstrip("/")
        self.values = _campaign_values(campaign, self.lang)
        self.templates = {key: _compile(t) for key, t in texts_for(campaign, self.lang).items()}
        self.sms = sms_enabled()

    def message(
        self, recipient: _Recipient, kind: str, outbox_kind: MessageKind
    ) -> tuple[Channel, Message | None]:
        channel = channel_for(recipient.email, recipient.mobile, sms=self.sms)
        if channel is Channel.LETTER:
            return channel, None
        token = derived_token(self.secret_key, recipient.token_salt)
        values = {**self.values, "name": recipient.name, "link": self.base + invitation_path(token)}
        common = {
            "kind": outbox_kind,
            "language": self.lang,
            "person_id": recipient.person_id,
            "campaign_id": self.campaign.id,
            "invitation_id": recipient.invitation_id,
        }
        if channel is Channel.EMAIL:
            subject = self.templates[f"{kind}_subject"](values)
            body = self.templates[f"{kind}_body"](values)
            return channel, Message(
                channel,
                recipient.email,
                body=body,
                subject=" ".join(subject.split())[:SUBJECT_MAX],
                **common,
            )
        text = self.templates[f"{kind}_sms"](values)
        return channel, Message(channel, recipient.mobile, body=text, **common)


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------------------------
# Invitations


def queue_invitations(campaign: Campaign, invitations: Iterable[Invitation]) -> QueueResult:
    """Put the invitation message of each new roster invitation in the outbox, by e-mail,
    else SMS, else nothing (a letter: `campaigns.letters`), and note the channel on the
    invitation. Invitations without a derivable link (printed once), without a person,
    already submitted or of people who left the roster are skipped. Before the campaign
    opens the messages wait in the outbox until 08:00 on its first day. Flushes; the
    caller commits."""
    invitations = list(invitations)
    if any(invitation.id is None for invitation in invitations):
        db.session.flush()
    by_id = {invitation.id: invitation for invitation in invitations}
    composer = _Composer(campaign)
    messages: list[Message] = []
    counts = {Channel.EMAIL: 0, Channel.SMS: 0, Channel.LETTER: 0}
    changed: dict[Channel, list[int]] = {channel: [] for channel in Channel}
    with db.session.no_autoflush:
        for chunk in _chunks(sorted(by_id)):
            statement = _recipient_query(Invitation.channel).where(
                Invitation.id.in_(chunk),
                Invitation.token_salt.is_not(None),
                Invitation.left_on.is_(None),
                Invitation.used_on.is_(None),
                Person.left_roster_on.is_(None),
            )
            for recipient, noted in _recipients(statement):
                kind = MessageKind.INVITATION
                channel, message = composer.message(recipient, "invitation", kind)
                counts[channel] += 1
                if noted is not channel:
                    changed[channel].append(recipient.invitation_id)
                if message is not None:
                    messages.append(message)
    _note_channels(changed, by_id)
    enqueue_many(_by_channel(messages))
    _hold_until_opening(campaign)
    result = QueueResult(
        counts[Channel.EMAIL],
        counts[Channel.SMS],
        counts[Channel.LETTER],
        len(by_id) - sum(counts.values()),
    )
    logger.info(
        "campaign %s: invitations queued (%d e-mail, %d SMS, %d letters, %d skipped)",
        campaign.id,
        result.email,
        result.sms,
        result.letter,
        result.skipped,
    )
    return result


SEND_FROM_HOUR = 8  # invitations to a campaign not yet open go out at 08:00 on its first day


def _hold_until_opening(campaign: Campaign) -> None:
    """Invitations queued before the campaign opens wait in the outbox until its first day:
    a link that only says «not open yet» would be a wasted message."""
    if campaign.opens_on is None or campaign.opens_on <= current_day():
        return
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Oslo")
    opening = dt.datetime.combine(campaign.opens_on, dt.time(SEND_FROM_HOUR), tzinfo=zone)
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.campaign_id == campaign.id,
            OutboxMessage.kind == MessageKind.INVITATION,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.attempts == 0,
            OutboxMessage.next_attempt_at < opening,
        )
        .values(next_attempt_at=opening.astimezone(dt.UTC)),
        execution_options={"synchronize_session": False},
    )


def _note_channels(changed: Mapping[Channel, list[int]], by_id: Mapping[int, Invitation]) -> None:
    """Set Invitation.channel with one UPDATE per channel and chunk rather than one per row,
    and tell the loaded objects without making them dirty."""
    for channel, ids in changed.items():
        for chunk in _chunks(ids):
            db.session.execute(
                update(Invitation).where(Invitation.id.in_(chunk)).values(channel=channel),
                execution_options={"synchronize_session": False},
            )
        for invitation_id in ids:
            if invitation_id in by_id:
                set_committed_value(by_id[invitation_id], "channel", channel)


def _by_channel(messages: list[Message]) -> list[Message]:
    """E-mails, then SMS: rows of one shape in a row are inserted by one executemany (the
    ORM's bulk insert starts a new statement where the set of NULL columns changes)."""
    return sorted(messages, key=lambda message: message.channel is not Channel.EMAIL)


# ---------------------------------------------------------------------------------------------
# Reminders


def reminder_due_on(campaign: Campaign, today: dt.date) -> dt.date | None:
    """The latest reminder day of the campaign that is today or past, or None. Reminders are
    due only while the campaign takes answers."""
    if campaign.closes_on is None or not campaign.reminder_days:
        return None
    if not campaign.accepts_answers_on(today):
        return None
    days = [
        campaign.closes_on - dt.timedelta(days=int(d))
        for d in campaign.reminder_days
        if campaign.closes_on - dt.timedelta(days=int(d)) <= today
    ]
    return max(days, default=None)


def remind_due(today: dt.date, campaign_id: int | None = None) -> ReminderCounts:
    """The daily reminder job. For every campaign that takes answers today and whose latest
    reminder day d has come (closes_on - d <= today), remind each invitation not submitted,
    invited by then and not reminded since that day. A missed day is caught up the next
    day; a second run the same day finds nobody. Flushes; the caller commits."""
    statement = select(Campaign).where(
        Campaign.is_open.is_(True),
        Campaign.closes_on.is_not(None),
        Campaign.closes_on >= today,
        or_(Campaign.opens_on.is_(None), Campaign.opens_on <= today),
    )
    if campaign_id is not None:
        statement = statement.where(Campaign.id == campaign_id)
    total = ReminderCounts()
    for campaign in db.session.scalars(statement.order_by(Campaign.id)):
        due = reminder_due_on(campaign, today)
        if due is None:
            continue
        counts = _remind(campaign, today, reminded_before=due, invited_by=due)
        total = total + dataclasses.replace(counts, campaigns=1)
    logger.info(
        "reminders: %d e-mail, %d SMS queued, %d letter-only, in %d campaigns",
        total.email,
        total.sms,
        total.letter,
        total.campaigns,
    )
    return total


def remind_now(campaign: Campaign, today: dt.date | None = None) -> ReminderCounts:
    """«Send reminder now»: remind everyone invited who has not submitted and was not
    reminded today. Nothing while the campaign takes no answers (`closed`)."""
    today = today or current_day()
    if not campaign.accepts_answers_on(today):
        return ReminderCounts(closed=True)
    counts = _remind(campaign, today, reminded_before=today, invited_by=None)
    logger.info(
        "campaign %s: reminders sent now (%d e-mail, %d SMS, %d letter-only)",
        campaign.id,
        counts.email,
        counts.sms,
        counts.letter,
    )
    return dataclasses.replace(counts, campaigns=1)


def _not_reminded_since(day: dt.date):
    return or_(Invitation.last_reminded_on.is_(None), Invitation.last_reminded_on < day)


def _remind(
    campaign: Campaign,
    today: dt.date,
    *,
    reminded_before: dt.date,
    invited_by: dt.date | None,
) -> ReminderCounts:
    statement = _recipient_query().where(
        Invitation.campaign_id == campaign.id,
        Invitation.used_on.is_(None),
        Invitation.left_on.is_(None),
        Invitation.token_salt.is_not(None),
        Person.left_roster_on.is_(None),
        _not_reminded_since(reminded_before),
    )
    if invited_by is not None:
        statement = statement.where(Invitation.created_on <= invited_by)
    recipients = [recipient for (recipient,) in _recipients(statement.order_by(Invitation.id))]
    composer = _Composer(campaign)
    planned: dict[Channel, dict[int, Message]] = {Channel.EMAIL: {}, Channel.SMS: {}}
    letters = 0
    for recipient in recipients:
        kind = "continue" if recipient.started else "reminder"
        channel, message = composer.message(recipient, kind, MessageKind.REMINDER)
        if message is None:
            letters += 1
        else:
            planned[channel][recipient.invitation_id] = message
    # Claim the invitations before queuing: of two runs at once only one matches a row (the
    # other waits for its lock on PostgreSQL, for the write lock on SQLite, and then finds
    # it reminded), so nobody is reminded twice.
    claimed: set[int] = set()
    counts = {}
    for channel, by_invitation in planned.items():
        before = len(claimed)
        for chunk in _chunks(sorted(by_invitation)):
            claimed.update(
                db.session.scalars(
                    update(Invitation)
                    .where(
                        Invitation.id.in_(chunk),
                        Invitation.used_on.is_(None),
                        _not_reminded_since(reminded_before),
                    )
                    .values(
                        last_reminded_on=today,
                        reminders_sent=Invitation.reminders_sent + 1,
                        channel=channel,
                    )
                    .returning(Invitation.id),
                    execution_options={"synchronize_session": "fetch"},
                )
            )
        counts[channel] = len(claimed) - before
    enqueue_many(
        planned[channel][invitation_id]
        for channel in planned
        for invitation_id in sorted(planned[channel])
        if invitation_id in claimed
    )
    return ReminderCounts(email=counts[Channel.EMAIL], sms=counts[Channel.SMS], letter=letters)
