"""Putting messages in the outbox. Sending is `survey.outbox.sending`; nothing here talks to
a server, so a message is written in the same transaction as what caused it and is sent
only if that transaction commits."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from flask import current_app
from sqlalchemy import case, func, insert, or_, select, update

from survey.campaigns.models import Channel
from survey.db import utcnow
from survey.extensions import db
from survey.outbox.models import MessageKind, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Message:
    """A message ready to send: to one recipient by e-mail or SMS."""

    channel: Channel
    recipient: str
    kind: MessageKind
    body: str
    subject: str | None = None
    language: str = "nb"
    person_id: int | None = None
    campaign_id: int | None = None
    invitation_id: int | None = None
    attachments: Sequence[dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        if self.channel is Channel.LETTER:
            raise ValueError("letters are printed, not sent: see campaigns letters")


def sms_enabled() -> bool:
    """Whether an SMS provider is configured (SMS_PROVIDER)."""
    return bool(current_app.config.get("SMS_PROVIDER"))


def channel_for(email: str | None, mobile: str | None, *, sms: bool | None = None) -> Channel:
    """How a person is reached, the one rule for invitations, reminders, bookings and
    re-confirmations: e-mail when the roster has an address, else SMS when it has a mobile
    number and SMS is set up (`sms`, default: the configuration), else on paper (a letter, or
    in person)."""
    if email:
        return Channel.EMAIL
    if mobile and (sms_enabled() if sms is None else sms):
        return Channel.SMS
    return Channel.LETTER


def enqueue(message: Message) -> None:
    enqueue_many([message])


def enqueue_many(messages: Iterable[Message]) -> int:
    """Add messages in one statement; returns how many. Flushes, the caller commits."""
    now = utcnow()
    rows = [
        {
            "channel": m.channel,
            "recipient": m.recipient,
            "person_id": m.person_id,
            "campaign_id": m.campaign_id,
            "invitation_id": m.invitation_id,
            "kind": m.kind,
            "language": m.language,
            "subject": m.subject,
            "body": m.body,
            "attachments": list(m.attachments) if m.attachments else None,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for m in messages
    ]
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
        logger.info("%d messages put in the outbox", len(rows))
    return len(rows)


# --- what happened: for the campaign page and `survey outbox status` ----------------------


def delivery_summary(campaign_id: int | None = None) -> dict[str, int]:
    """Messages of a campaign (all messages when None) by state: `pending` (not tried yet),
    `retrying` (pending after a failed attempt), `sent`, `failed`. The four do not overlap."""
    retried = case((OutboxMessage.attempts > 0, True), else_=False)
    statement = select(OutboxMessage.status, retried, func.count()).group_by(
        OutboxMessage.status, retried
    )
    if campaign_id is not None:
        statement = statement.where(OutboxMessage.campaign_id == campaign_id)
    summary = {"pending": 0, "retrying": 0, "sent": 0, "failed": 0}
    for status, was_retried, count in db.session.execute(statement):
        if status is OutboxStatus.PENDING:
            summary["retrying" if was_retried else "pending"] += count
        else:
            summary[status.value] += count
    return summary


def failures(campaign_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Messages that failed for good, wait for another attempt after a failure, or went
    without the server confirming them; newest first. Plain dicts, without recipient or
    text: `id, kind, channel, person_id, campaign_id, attempts, last_error, next_attempt_at,
    status` (status "retrying" for a pending message that failed before)."""
    statement = (
        select(OutboxMessage)
        .where(
            or_(
                OutboxMessage.status == OutboxStatus.FAILED,
                OutboxMessage.last_error.is_not(None),
            )
        )
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    if campaign_id is not None:
        statement = statement.where(OutboxMessage.campaign_id == campaign_id)
    rows = []
    for message in db.session.scalars(statement):
        status = message.status.value
        if message.status is OutboxStatus.PENDING:
            status = "retrying"
        rows.append(
            {
                "id": message.id,
                "kind": message.kind.value,
                "channel": message.channel.value,
                "person_id": message.person_id,
                "campaign_id": message.campaign_id,
                "attempts": message.attempts,
                "last_error": message.last_error,
                "next_attempt_at": message.next_attempt_at,
                "status": status,
            }
        )
    return rows


def retry(message_id: int) -> bool:
    """Give a failed message a new round of attempts, starting now; False when the message
    is not failed (or is gone). Flushes, the caller commits."""
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if changed:
        logger.info("outbox message %s queued again", message_id)
    return bool(changed)
