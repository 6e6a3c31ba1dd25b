"""Putting messages in the outbox. Sending is `survey.outbox.sending`; nothing here talks to
a server, so a message is written in the same transaction as what caused it and is sent
only if that transaction commits."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert

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
