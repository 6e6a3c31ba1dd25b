"""The retention rules `survey maintenance` applies, one function per rule.

Each rule finds what has been kept longer than its setting allows and removes the personal
data in it, in the caller's unit of work (it flushes, never commits). A rule whose setting is
0 (or None) keeps everything. Every rule is idempotent: what it has removed is not found again.

What stays, on purpose: the figures of past years. Response rates count invitation rows
(survey/campaigns/rates.py) and the delivery counts count outbox rows, so both are scrubbed,
never deleted; the heltid report counts living-document revisions, so erasing a person who
left keeps their revisions' report facts without the person (survey/admin/erasure.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, exists, func, null, or_, select, update

from survey.accounts.models import Person, Role, RoleAssignment
from survey.admin.erasure import erase_person
from survey.answering.models import Response, Status
from survey.audit.services import purge
from survey.campaigns.models import Campaign, Invitation
from survey.campaigns.services import unit_prefill
from survey.committee.models import CaseStatus, CommitteeDecision, Vacancy
from survey.db import utcnow
from survey.extensions import db
from survey.outbox.models import OutboxMessage, OutboxStatus

# A scrubbed invitation's token hash: never a sha256 hex digest, so no link matches it; the
# row id keeps it unique.
RETIRED_PREFIX = "retired:"


@dataclass
class RuleResult:
    """What one rule did (or, in a dry run, would do)."""

    rule: str
    setting: str
    days: int | None
    cutoff: dt.date | None
    count: int = 0
    unit: str = "rows"
    detail: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    failed = False

    def line(self) -> str:
        if not self.days:
            return f"{self.rule}: kept ({self.setting} = 0)"
        extra = "".join(f", {key} {value}" for key, value in self.detail.items())
        return (
            f"{self.rule}: {self.count} {self.unit} "
            f"(before {self.cutoff.isoformat()}{extra}; {self.seconds:.1f} s)"
        )


@dataclass
class RuleFailed:
    """A rule that raised: its transaction was rolled back; the next run tries again."""

    setting: str
    error: str
    days: int | None = None
    seconds: float = 0.0
    failed = True

    def line(self) -> str:
        return f"{self.setting}: FAILED, nothing removed ({self.error})"


def _cutoff(days: int, today: dt.date) -> dt.date:
    return today - dt.timedelta(days=days)


def campaigns_ended_before(cutoff: dt.date, today: dt.date) -> list[int]:
    """Campaigns that no longer accept answers and ended before `cutoff`: on their last day
    (`closes_on`) or, closed by hand without one, on the last day anything happened to their
    invitations (a campaign closed by hand with no invitations ended when it was created)."""
    ended: list[int] = []
    last_activity = dict(
        db.session.execute(
            select(
                Invitation.campaign_id,
                func.max(func.coalesce(Invitation.used_on, Invitation.created_on)),
            ).group_by(Invitation.campaign_id)
        ).all()
    )
    for campaign in db.session.scalars(select(Campaign).order_by(Campaign.id)):
        if not has_ended(campaign, today):
            continue
        if campaign.closes_on is not None and campaign.closes_on < today:
            end = campaign.closes_on
        else:
            end = last_activity.get(campaign.id) or campaign.created_at.date()
            end = end if isinstance(end, dt.date) else dt.date.fromisoformat(str(end))
        if end < cutoff:
            ended.append(campaign.id)
    return ended


def has_ended(campaign: Campaign, today: dt.date) -> bool:
    """Accepts no answers today and is not waiting to open (closed by hand or past its last
    day): a campaign prepared ahead keeps its invitations however early they were made."""
    waiting = campaign.is_open and campaign.opens_on is not None and today < campaign.opens_on
    return not waiting and not campaign.accepts_answers_on(today)


def closed_campaigns(today: dt.date) -> list[int]:
    """Campaigns that have ended (`has_ended`)."""
    return [
        campaign.id
        for campaign in db.session.scalars(select(Campaign).order_by(Campaign.id))
        if has_ended(campaign, today)
    ]


# --- the rules ---------------------------------------------------------------------------------


def drafts(days: int, today: dt.date, *, apply: bool) -> RuleResult:
    """Answers never submitted, untouched for `days`, in campaigns that accept no answers any
    more: nobody can send them, so they go. A draft in a campaign still open is kept however
    old (the respondent may come back to it). Response rates count the invitation's
    `started_on`, never drafts, so they do not change."""
    result = RuleResult("abandoned drafts", "DRAFT_RETENTION_DAYS", days, None, unit="drafts")
    if not days:
        return result
    result.cutoff = _cutoff(days, today)
    doomed = and_(
        Response.status == Status.DRAFT,
        Response.updated_on < result.cutoff,
        Response.campaign_id.in_(closed_campaigns(today)),
    )
    ids = list(db.session.scalars(select(Response.id).where(doomed)))
    result.count = len(ids)
    if apply and ids:
        # Answers and a confidential participation go with the response (ON DELETE CASCADE).
        for start in range(0, len(ids), 500):
            db.session.execute(
                delete(Response)
                .where(Response.id.in_(ids[start : start + 500]))
                .execution_options(synchronize_session=False)
            )
    return result


def invitations(days: int, today: dt.date, *, apply: bool) -> RuleResult:
    """The personal-link machinery of campaigns that ended more than `days` ago: the token's
    hash (replaced by a value no link matches), the salt that derives the link again, the
    pre-filled answers (all but the unit, which a unit leader's results count by), and on the
    responses the keyed hash that led from the link to the answers. The rows stay, with their
    unit, yrkesgruppe, channel and days: the response rates of past campaigns count them."""
    result = RuleResult(
        "used invitations", "INVITATION_RETENTION_DAYS", days, None, unit="invitations"
    )
    if not days:
        return result
    result.cutoff = _cutoff(days, today)
    ended = campaigns_ended_before(result.cutoff, today)
    if not ended:
        return result
    not_yet = ~Invitation.token_hash.startswith(RETIRED_PREFIX)
    rows = db.session.execute(
        select(Invitation.id, Invitation.prefill).where(Invitation.campaign_id.in_(ended), not_yet)
    ).all()
    keys = and_(Response.campaign_id.in_(ended), Response.invitation_key.is_not(None))
    result.count = len(rows)
    result.detail["response keys"] = db.session.scalar(
        select(func.count()).select_from(Response).where(keys)
    )
    result.detail["campaigns"] = len(ended)
    if not apply:
        return result
    # One executemany (an ORM bulk UPDATE by primary key), not a statement per row.
    db.session.execute(
        update(Invitation),
        [
            {
                "id": invitation_id,
                "token_hash": f"{RETIRED_PREFIX}{invitation_id}",
                "token_salt": None,
                "prefill": unit_prefill(prefill),
            }
            for invitation_id, prefill in rows
        ],
    )
    db.session.execute(
        update(Response)
        .where(keys)
        .values(invitation_key=None)
        .execution_options(synchronize_session=False)
    )
    return result


def outbox(days: int, today: dt.date, *, apply: bool) -> RuleResult:
    """Sent and failed messages older than `days`: the address, the text, the attachments and
    the error (which may quote the address) go, and the link to the person. The row stays with
    its channel, kind and state, so a past campaign's delivery counts do not change and the
    sender never mistakes a message for one not yet sent."""
    result = RuleResult("outbox messages", "OUTBOX_RETENTION_DAYS", days, None, unit="messages")
    if not days:
        return result
    result.cutoff = _cutoff(days, today)
    moment = dt.datetime.combine(result.cutoff, dt.time(), dt.UTC)
    doomed = and_(
        OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
        func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < moment,
        or_(
            OutboxMessage.recipient != "",
            OutboxMessage.body.is_not(None),
            OutboxMessage.subject.is_not(None),
            OutboxMessage.attachments.is_not(None),
            OutboxMessage.person_id.is_not(None),
        ),
    )
    result.count = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(doomed))
    if apply and result.count:
        db.session.execute(
            update(OutboxMessage)
            .where(doomed)
            .values(
                recipient="",
                subject=None,
                body=None,
                attachments=null(),  # SQL NULL, not the JSON null a None would store
                last_error=None,
                person_id=None,
            )
            .execution_options(synchronize_session=False)
        )
    return result


def audit(days: int, today: dt.date, *, apply: bool) -> RuleResult:
    """Audit entries older than AUDIT_RETENTION_DAYS, through `survey.audit.services.purge`
    (the one way to delete them; on PostgreSQL a narrow function the app role may call, which
    keeps at least PURGE_FLOOR_DAYS whatever the setting says)."""
    from survey.audit.models import AuditEntry

    result = RuleResult("audit entries", "AUDIT_RETENTION_DAYS", days, None, unit="entries")
    if not days:
        return result
    result.cutoff = _cutoff(days, today)
    if apply:
        result.count = purge(days)
    else:
        moment = utcnow() - dt.timedelta(days=days)
        result.count = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.at < moment)
        )
    return result


def must_keep(person_id_column) -> Any:
    """Why a person who left is not erased yet: a committee case about them is not finished
    (the privacy statement's «Sletting»: «i en sak som ikke er ferdig»), or they hold a role
    besides «ansatt» (an administrator revokes it first: erasing a staff account on a
    schedule could lock the municipality out)."""
    open_case = exists(
        select(CommitteeDecision.id)
        .join(Vacancy, Vacancy.id == CommitteeDecision.vacancy_id)
        .where(CommitteeDecision.person_id == person_id_column, Vacancy.status == CaseStatus.OPEN)
    )
    staff = exists(
        select(RoleAssignment.id).where(
            RoleAssignment.person_id == person_id_column, RoleAssignment.role != Role.ANSATT
        )
    )
    return or_(open_case, staff)


def people_who_left(days: int, today: dt.date, *, apply: bool) -> RuleResult:
    """People the roster has not listed for `days`: erased as an administrator erases one
    (survey.admin.erasure.erase_person), so the aggregate results stay the same."""
    result = RuleResult("people who left", "LEFT_PERSON_RETENTION_DAYS", days, None, unit="people")
    if not days:
        return result
    result.cutoff = _cutoff(days, today)
    left = and_(Person.left_roster_on.is_not(None), Person.left_roster_on < result.cutoff)
    ids = list(db.session.scalars(select(Person.id).where(left, ~must_keep(Person.id))))
    result.detail["kept"] = db.session.scalar(
        select(func.count()).select_from(Person).where(left, must_keep(Person.id))
    )
    result.count = len(ids)
    if apply:
        for person_id in ids:
            erase_person(db.session.get(Person, person_id), actor_id=None)
    return result


RULES: tuple[tuple[str, Callable[..., RuleResult]], ...] = (
    ("DRAFT_RETENTION_DAYS", drafts),
    ("INVITATION_RETENTION_DAYS", invitations),
    ("OUTBOX_RETENTION_DAYS", outbox),
    ("LEFT_PERSON_RETENTION_DAYS", people_who_left),
    # Last: the erasures above write audit entries of their own, which the purge keeps.
    ("AUDIT_RETENTION_DAYS", audit),
)
