"""The sender: each outbox row goes out once, also with two senders at once and with a
sender killed mid-batch (docs/outbox.md tells the whole reasoning).

One row per transaction. A sender claims the first due row (PENDING, `next_attempt_at` in
the past, of a channel it can send) and holds it until its transaction ends:
PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED LIMIT 1` (a second sender skips the row and
takes the next), SQLite `BEGIN IMMEDIATE` (one writer at a time: a second sender waits for
the first to commit, then sees the row SENT).

E-mail: the commit point lies inside the SMTP DATA command. With the row locked the sender
says MAIL, RCPT and DATA and writes the whole message except the final «.» line. Then it
marks the row SENT (clearing the body, which may hold a personal link) and commits, and only
then writes «.» and reads the server's reply. A server that never receives the end of data
discards the message (RFC 5321 § 4.1.1.4). So:

- killed before the commit: the row is still PENDING (the transaction died with the
  process), the server dropped the half message when the connection closed, and a later run
  sends it once;
- killed after the commit: the row is SENT and the «.» is written right after; the only gap
  is between the database's answer to COMMIT and that write of three bytes, where a kill
  loses the message (SENT, never delivered) rather than sending it twice;
- the server refuses after the «.» (4xx/5xx): a second short transaction puts the body back
  and records the reply: PENDING for a later attempt (4xx), FAILED (5xx). No reply at all
  (the connection broke): the row stays SENT with a note in `last_error`.

SMS has no such split: the row is committed SENT after the gateway answered 2xx, so a kill
between the two sends it again; the outbox id goes along as the gateway's reference
(survey/outbox/sms.py). At least once, not exactly once.

Temporary failures (refused connection, timeout, 4xx) count an attempt and set the next one
after a backoff; after OUTBOX_MAX_ATTEMPTS the row is FAILED. Permanent failures (5xx on
RCPT, DATA or the end of data, 4xx from the SMS gateway) fail the row at once. A server that
cannot be reached is not tried again for the rest of the run.

Each message is its own unit of work (`with unit_of_work():` around the claim and the send),
so the sender is called where none is open: the command `survey outbox send`, or after a
web request has ended (`flush_soon`). Sleeping for the rate happens outside transactions.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import hashlib
import hmac
import logging
import re
import smtplib
import socket
import time
from collections.abc import Callable, Mapping
from email.charset import BASE64, QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr
from typing import Any

from flask import Flask, after_this_request, current_app, g, has_request_context
from sqlalchemy import func, select

from survey.campaigns.models import Channel
from survey.db import unit_of_work, utcnow
from survey.extensions import db
from survey.outbox import sms as sms_module
from survey.outbox.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# Minutes until the next attempt after the 1st, 2nd, … temporary failure (the last repeats).
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360)
SMTP_TIMEOUT = 8  # seconds; on SQLite other writers wait while a row is held (busy timeout 10 s)
FLUSH_LIMIT = 20  # messages sent after a web request at most …
FLUSH_SECONDS = 5.0  # … and for this long at most (the rate's pauses count)
MAX_ERROR = 500


class TemporaryError(Exception):
    """This message may go later."""


class ServerDown(TemporaryError):
    """The server cannot be reached: no message of this channel goes in this run."""


class PermanentError(Exception):
    """This message will never go: the server refused it for good."""


@dataclasses.dataclass
class Report:
    """What one run did. `notes` say why messages waiting were not tried."""

    sent: int = 0
    retry: int = 0
    failed: int = 0
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retry + self.failed

    def summary(self) -> str:
        return f"sent {self.sent}, to retry {self.retry}, failed {self.failed}"


def backoff(attempts: int) -> dt.timedelta:
    """The pause after the `attempts`-th failed attempt."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return dt.timedelta(minutes=BACKOFF_MINUTES[index])


def mail_configured(config: Mapping[str, Any]) -> bool:
    return bool(config.get("MAIL_SERVER"))


def can_send_anything(config: Mapping[str, Any]) -> bool:
    return mail_configured(config) or sms_module.provider_from_config(config) is not None


# --- e-mail ----------------------------------------------------------------------------


def _address(mail_from: str) -> str:
    return parseaddr(mail_from)[1] or mail_from


def message_id(row: OutboxMessage, config: Mapping[str, Any]) -> str:
    """`<outbox-ID.HASH@DOMAIN>`: the same for every attempt at a row, so a receiver that
    deduplicates on it keeps one copy; the hash keeps ids from different databases apart."""
    created = row.created_at
    if created is not None and created.tzinfo is not None:
        created = created.astimezone(dt.UTC).replace(tzinfo=None)
    seed = f"{row.id}:{created.isoformat(timespec='seconds') if created else ''}"
    key = (config.get("SECRET_KEY") or "").encode()
    digest = hmac.new(key, seed.encode(), hashlib.sha256).hexdigest()[:16]
    domain = envelope_address(_address(config["MAIL_FROM"])).rpartition("@")[2] or "localhost"
    return f"<outbox-{row.id}.{digest}@{domain}>"


def _content_type(value: str) -> tuple[str, str, dict[str, str]]:
    """'text/calendar; method=REQUEST' -> ('text', 'calendar', {'method': 'REQUEST'})."""
    kind, *parameters = [part.strip() for part in value.split(";")]
    maintype, _, subtype = kind.partition("/")
    params = {}
    for parameter in parameters:
        name, _, param_value = parameter.partition("=")
        if name:
            params[name.strip().lower()] = param_value.strip().strip('"')
    return maintype.lower() or "application", subtype.lower() or "octet-stream", params


# Quoted-printable for the text (readable, 7-bit), base64 for attachments.
_TEXT_CHARSET = Charset("utf-8")
_TEXT_CHARSET.body_encoding = QP
_ATTACHMENT_CHARSET = Charset("utf-8")
_ATTACHMENT_CHARSET.body_encoding = BASE64
_SMTP_POLICY = compat32.clone(linesep="\r\n", mangle_from_=False)


def envelope_address(address: str) -> str:
    """The address as SMTP carries it without SMTPUTF8: the domain in IDNA (bø.kommune.no ->
    xn--b-5ga.kommune.no). PermanentError for letters outside ASCII before the @."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local.isascii():
        raise PermanentError("the address cannot be sent without SMTPUTF8 (not supported)")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise PermanentError("the address's domain is not a valid domain name") from None
    return f"{local}@{domain}"


def _from_header(mail_from: str) -> str:
    if mail_from.isascii():
        return mail_from
    name, address = parseaddr(mail_from)
    return formataddr((name, envelope_address(address)), charset="utf-8")


def build_email(row: OutboxMessage, config: Mapping[str, Any]) -> bytes:
    """The message as the bytes of SMTP DATA before dot-stuffing: plain text in UTF-8
    (quoted-printable, so the whole message is 7-bit), with the row's attachments: a text
    one (an .ics) from its text, others from base64. The classic `email.mime` classes: about
    five times quicker than `EmailMessage` with its header parsing, which counts at 10 000."""
    text = MIMEText(row.body or "", "plain", _TEXT_CHARSET)
    attachments = row.attachments or []
    if attachments:
        message = MIMEMultipart("mixed")
        message.attach(text)
        del text["MIME-Version"]
        for attachment in attachments:
            message.attach(_attachment(attachment))
    else:
        message = text
    subject = row.subject or ""
    message["From"] = _from_header(config["MAIL_FROM"])
    message["To"] = envelope_address(row.recipient)
    message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(row, config)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    return message.as_bytes(policy=_SMTP_POLICY)


def _attachment(attachment: Mapping[str, Any]) -> MIMEBase:
    maintype, subtype, params = _content_type(attachment["content_type"])
    if maintype == "text":
        part: MIMEBase = MIMEText(attachment["content"], subtype, _ATTACHMENT_CHARSET)
        del part["MIME-Version"]
        for name, value in params.items():
            part.set_param(name, value)
    else:
        part = MIMEBase(maintype, subtype, **params)
        del part["MIME-Version"]
        part.set_payload(base64.b64decode(attachment["content"]))
        encode_base64(part)
    filename = attachment.get("filename") or "vedlegg"
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def dot_stuffed(data: bytes) -> bytes:
    """DATA's text: CRLF line ends, a «.» doubled at the start of a line, ending in CRLF;
    without the final «.» line."""
    data = re.sub(rb"\r\n|\r|\n", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"[:MAX_ERROR]


class SmtpTransport:
    """One SMTP connection for a run, opened at the first e-mail and reopened when the server
    has closed it. `begin` says everything but the end of data; `finish` ends it."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None
        self.in_data = False

    @property
    def where(self) -> str:
        return f"{self.config['MAIL_SERVER']}:{self.config['MAIL_PORT']}"

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        try:
            connection = smtplib.SMTP(
                config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT
            )
        except (OSError, smtplib.SMTPException) as error:
            raise ServerDown(f"SMTP server {self.where} not reachable: {error}") from None
        try:
            # The end of data is three bytes written after the message: without this, Nagle's
            # algorithm holds them until the server acknowledges the message (~40 ms).
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection.ehlo_or_helo_if_needed()
            if config.get("MAIL_USE_TLS"):
                connection.starttls()
                connection.ehlo()
            if config.get("MAIL_USERNAME"):
                connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        except smtplib.SMTPResponseException as error:
            connection.close()
            raise ServerDown(
                f"SMTP server {self.where}: {_reply(error.smtp_code, error.smtp_error)}"
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            connection.close()
            raise ServerDown(f"SMTP server {self.where}: {error}") from None
        return connection

    def _drop(self) -> None:
        """Close without QUIT: a message in the middle of DATA is discarded by the server."""
        if self.connection is not None:
            with contextlib.suppress(OSError):
                self.connection.close()
        self.connection = None
        self.in_data = False

    def _mail(self, sender: str) -> None:
        """MAIL FROM on the open connection, reconnecting once if the server closed it (an
        idle connection, a server restarted between two messages)."""
        for attempt in (1, 2):
            fresh = self.connection is None
            if fresh:
                self.connection = self._connect()
            try:
                code, text = self.connection.mail(sender)
            except (OSError, smtplib.SMTPServerDisconnected) as error:
                self._drop()
                if fresh or attempt == 2:
                    raise ServerDown(f"SMTP server {self.where}: {error}") from None
                continue
            if code == 250:
                return
            self._reset()
            # A refused sender is the server's or the configuration's problem, not this
            # message's: try again later, and no more e-mail in this run.
            raise ServerDown(f"SMTP server refused the sender: {_reply(code, text)}")

    def _reset(self) -> None:
        try:
            self.connection.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def begin(self, recipient: str, data: bytes) -> None:
        """MAIL, RCPT, DATA and the message up to (not including) the end-of-data line.
        Raises TemporaryError/ServerDown/PermanentError; the transaction is reset then."""
        recipient = envelope_address(recipient)
        self._mail(envelope_address(_address(self.config["MAIL_FROM"])))
        connection = self.connection
        try:
            code, text = connection.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                raise _refusal(code, text)
            connection.putcmd("data")
            code, text = connection.getreply()
            if code != 354:
                self._reset()
                raise _refusal(code, text)
            self.in_data = True
            connection.send(dot_stuffed(data))
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            self._drop()
            raise TemporaryError(f"SMTP connection lost: {error}") from None

    def finish(self) -> tuple[int, str] | None:
        """Write the end of data and read the reply: (code, reply text), or None when the
        connection broke and nobody knows whether the server took the message."""
        try:
            self.connection.send(b".\r\n")
            self.in_data = False
            code, text = self.connection.getreply()
        except (OSError, smtplib.SMTPServerDisconnected):
            self._drop()
            return None
        return code, _reply(code, text)

    def abandon(self) -> None:
        """The row was not committed SENT: make sure the half-written message is dropped."""
        if self.in_data:
            self._drop()

    def close(self) -> None:
        if self.connection is None:
            return
        if self.in_data:
            self._drop()
            return
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self.connection.quit()
        self._drop()


def _refusal(code: int, text: bytes) -> Exception:
    reason = _reply(code, text)
    if 400 <= code < 500:
        return TemporaryError(reason)
    return PermanentError(reason)


# --- claiming and recording -------------------------------------------------------------


def _begin_write_transaction() -> None:
    """SQLite: take the write lock before reading, so that two senders never hold the same
    row. Python's sqlite3 would begin a deferred transaction only at the first write; a
    sender that read the row first could then lose the race after talking to the server."""
    connection = db.session.connection()
    dbapi_connection = connection.connection.dbapi_connection
    if type(dbapi_connection).__module__.startswith("sqlite3") and not (
        dbapi_connection.in_transaction
    ):
        dbapi_connection.execute("BEGIN IMMEDIATE")


def _due(channels: set[Channel]) -> tuple:
    return (
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.next_attempt_at <= utcnow(),
        OutboxMessage.channel.in_(sorted(channels)),
    )


def _claim(channels: set[Channel]) -> OutboxMessage | None:
    _begin_write_transaction()
    statement = (
        select(OutboxMessage)
        .where(*_due(channels))
        .order_by(OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has its write lock
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(statement).first()


def _mark_sent(row: OutboxMessage) -> None:
    row.status = OutboxStatus.SENT
    row.sent_at = utcnow()
    row.attempts += 1
    row.last_error = None
    row.body = None  # the personal link is in the person's invitation, not here
    row.attachments = None
    db.session.flush()


def _mark_failed(row: OutboxMessage, reason: str, *, temporary: bool, max_attempts: int) -> str:
    """Record a failed attempt: 'retry' or 'failed'."""
    row.attempts += 1
    row.last_error = reason[:MAX_ERROR]
    if temporary and row.attempts < max_attempts:
        row.status = OutboxStatus.PENDING
        row.next_attempt_at = utcnow() + backoff(row.attempts)
        outcome = "retry"
    else:
        row.status = OutboxStatus.FAILED
        outcome = "failed"
    db.session.flush()
    logger.warning(
        "outbox message %s (%s): attempt %d failed, %s",
        row.id,
        row.channel.value,
        row.attempts,
        "will retry" if outcome == "retry" else "given up",
    )
    return outcome


@dataclasses.dataclass
class _Ending:
    """An e-mail committed SENT whose end of data is still to be written."""

    id: int
    body: str | None
    attachments: list[dict[str, Any]] | None


def _count(report: Report, outcome: str) -> None:
    setattr(report, outcome, getattr(report, outcome) + 1)


class Sender:
    """Sends due rows one by one for one run (a command, or a flush after a request)."""

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.sleep = sleep
        self.clock = clock
        self.max_attempts = int(config.get("OUTBOX_MAX_ATTEMPTS") or 1)
        rate = int(config.get("MAIL_RATE_PER_MINUTE") or 0)
        self.interval = 60.0 / rate if rate > 0 else 0.0  # 0: no limit
        self.smtp = SmtpTransport(config) if mail_configured(config) else None
        self.sms = sms_module.provider_from_config(config)
        self.channels: set[Channel] = set()
        if self.smtp is not None:
            self.channels.add(Channel.EMAIL)
        if self.sms is not None:
            self.channels.add(Channel.SMS)

    def run(
        self,
        limit: int,
        *,
        deadline: float | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> Report:
        report = Report()
        next_start = self.clock()
        try:
            while report.handled < limit and self.channels and not should_stop():
                wait = next_start - self.clock()
                if deadline is not None and self.clock() + max(wait, 0) > deadline:
                    break
                if wait > 0:
                    if not self._anything_due():
                        break  # no pause at the end of the batch
                    self.sleep(wait)
                started = self.clock()
                if not self._one(report):
                    break  # nothing due
                next_start = started + self.interval
        finally:
            if self.smtp is not None:
                self.smtp.close()
        self._explain_waiting(report)
        return report

    def _anything_due(self) -> bool:
        with unit_of_work():
            return (
                db.session.scalar(select(OutboxMessage.id).where(*_due(self.channels)).limit(1))
                is not None
            )

    def _one(self, report: Report) -> bool:
        """Claim and send one row; False when none is due."""
        ending: _Ending | None = None
        try:
            with unit_of_work():
                row = _claim(self.channels)
                if row is None:
                    return False
                if row.channel is Channel.EMAIL:
                    ending = self._email(row, report)
                else:
                    self._sms(row, report)
        except BaseException:
            # Not committed: the server must not see the end of this message.
            if self.smtp is not None:
                self.smtp.abandon()
            raise
        if ending is not None:
            self._finish(ending, report)
        return True

    def _email(self, row: OutboxMessage, report: Report) -> _Ending | None:
        try:
            data = build_email(row, self.config)
        except PermanentError as error:
            _count(report, self._failed(row, str(error), temporary=False))
            return None
        except Exception as error:  # noqa: BLE001 - a row that cannot be built never will be
            reason = f"the message could not be built: {type(error).__name__}"
            _count(report, self._failed(row, reason, temporary=False))
            return None
        try:
            self.smtp.begin(row.recipient, data)
        except ServerDown as error:
            self.channels.discard(Channel.EMAIL)
            report.notes.append(f"e-mail: {error}")
            _count(report, self._failed(row, str(error), temporary=True))
            return None
        except TemporaryError as error:
            _count(report, self._failed(row, str(error), temporary=True))
            return None
        except PermanentError as error:
            _count(report, self._failed(row, str(error), temporary=False))
            return None
        ending = _Ending(row.id, row.body, row.attachments)
        _mark_sent(row)
        return ending  # the commit follows, then the end of data

    def _finish(self, ending: _Ending, report: Report) -> None:
        reply = self.smtp.finish()
        if reply is not None and reply[0] == 250:
            report.sent += 1
            logger.info("outbox message %s sent by e-mail", ending.id)
            return
        with unit_of_work():
            row = db.session.get(OutboxMessage, ending.id, populate_existing=True)
            if reply is None:
                # Sent, perhaps: the server may have taken it. Sending again could deliver
                # it twice; the note lets a person check.
                row.last_error = "the connection broke after the end of data: not confirmed"
                report.sent += 1
                logger.warning("outbox message %s: delivery not confirmed", ending.id)
                return
            code, text = reply
            row.body, row.attachments = ending.body, ending.attachments
            row.status = OutboxStatus.PENDING
            row.attempts -= 1  # _mark_failed counts this attempt again
            outcome = self._failed(row, text, temporary=400 <= code < 500)
        _count(report, outcome)

    def _sms(self, row: OutboxMessage, report: Report) -> None:
        try:
            self.sms.send(row.recipient, row.body or "", str(row.id))
        except sms_module.TemporaryFailure as error:
            _count(report, self._failed(row, str(error), temporary=True))
            if isinstance(error, sms_module.Unreachable):
                self.channels.discard(Channel.SMS)
                report.notes.append(f"SMS: {error}")
            return
        except sms_module.PermanentFailure as error:
            _count(report, self._failed(row, str(error), temporary=False))
            return
        _mark_sent(row)
        report.sent += 1
        logger.info("outbox message %s sent by SMS", row.id)

    def _failed(self, row: OutboxMessage, reason: str, *, temporary: bool) -> str:
        return _mark_failed(row, reason, temporary=temporary, max_attempts=self.max_attempts)

    def _explain_waiting(self, report: Report) -> None:
        """Say why messages of a channel this sender cannot use are waiting."""
        missing = {
            Channel.EMAIL: "MAIL_SERVER is not set",
            Channel.SMS: "SMS_PROVIDER is not set up",
        }
        if self.smtp is not None:
            missing.pop(Channel.EMAIL)
        if self.sms is not None:
            missing.pop(Channel.SMS)
        if not missing:
            return
        with unit_of_work():
            waiting = dict(
                db.session.execute(
                    select(OutboxMessage.channel, func.count())
                    .where(
                        OutboxMessage.status == OutboxStatus.PENDING,
                        OutboxMessage.channel.in_(sorted(missing)),
                    )
                    .group_by(OutboxMessage.channel)
                ).all()
            )
        for channel, why in missing.items():
            if waiting.get(channel):
                noun = "e-mails" if channel is Channel.EMAIL else "SMS messages"
                report.notes.append(f"{waiting[channel]} {noun} wait: {why}")


def send_due(
    limit: int | None = None,
    *,
    seconds: float | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> Report:
    """Send due messages in id order: at most `limit` (default OUTBOX_BATCH), for at most
    `seconds`, at MAIL_RATE_PER_MINUTE (0: no limit). Call it where no unit of work is open:
    every message is one of its own."""
    config = current_app.config
    sender = Sender(config, sleep=sleep)
    deadline = None if seconds is None else sender.clock() + seconds
    return sender.run(
        config["OUTBOX_BATCH"] if limit is None else limit,
        deadline=deadline,
        should_stop=should_stop,
    )


# --- after a web action -----------------------------------------------------------------


def flush_soon() -> None:
    """Send a few due messages once this request's response has gone (a view that queued
    messages calls it; the commit has happened by then). Does nothing outside a request, when
    OUTBOX_FLUSH_AFTER_REQUEST is off or nothing can be sent; `survey outbox send` sends the
    rest. Failures are logged, never shown."""
    if not has_request_context():
        return
    config = current_app.config
    if not config.get("OUTBOX_FLUSH_AFTER_REQUEST") or not can_send_anything(config):
        return
    if g.get("outbox_flush_registered"):
        return
    g.outbox_flush_registered = True
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    @after_this_request
    def register(response):
        response.call_on_close(lambda: _flush(app))
        return response


def _flush(app: Flask) -> None:
    try:
        with app.app_context():
            report = send_due(FLUSH_LIMIT, seconds=FLUSH_SECONDS)
            logger.info("outbox flushed after a request: %s", report.summary())
    except Exception:  # noqa: BLE001 - the response has gone; the sender retries later
        logger.exception("outbox flush after a request failed")
