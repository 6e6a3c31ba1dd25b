"""Creating campaigns and personal invitations."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from survey.campaigns.models import Campaign, Invitation, Mode
from survey.extensions import db
from survey.problems import Problem, ProblemError
from survey.questionnaires.services import latest_version

logger = logging.getLogger(__name__)


class UnknownQuestionnaire(LookupError):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(secret_key: str, purpose: str, token: str) -> str:
    return hmac.new(secret_key.encode(), f"{purpose}:{token}".encode(), hashlib.sha256).hexdigest()


def new_token() -> str:
    """128 bits of randomness, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


def create_campaign(
    questionnaire_id: str,
    mode: Mode | str,
    title: str | None = None,
    *,
    title_nn: str | None = None,
    title_en: str | None = None,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    reminder_days: Iterable[int] = (),
    language: str = "nb",
) -> Campaign:
    """`title` is the bokmål title; a language without a title shows the questionnaire's.
    Raises ProblemError for a schedule `schedule_problems` refuses."""
    if latest_version(questionnaire_id) is None:
        raise UnknownQuestionnaire(questionnaire_id)
    reminder_days = list(reminder_days)
    problems = schedule_problems(opens_on, closes_on, reminder_days, language)
    if problems:
        raise ProblemError(problems[0])
    campaign = Campaign(
        slug=secrets.token_urlsafe(8),
        questionnaire_id=questionnaire_id,
        mode=Mode(mode),
        title=title,
        title_nn=title_nn,
        title_en=title_en,
        opens_on=opens_on,
        closes_on=closes_on,
        reminder_days=sorted(set(reminder_days), reverse=True),
        language=language,
    )
    db.session.add(campaign)
    db.session.flush()
    logger.info(
        "campaign %s created (%s, %s)", campaign.id, campaign.questionnaire_id, campaign.mode.value
    )
    return campaign


MESSAGE_LANGUAGES = ("nb", "nn", "en")


def schedule_problems(
    opens_on: dt.date | None,
    closes_on: dt.date | None,
    reminder_days: Iterable[int],
    language: str = "nb",
) -> list[Problem]:
    """What is wrong with an answering period, reminder days (days before `closes_on`) and
    the language of the messages; empty when nothing is."""
    problems = []
    if opens_on is not None and closes_on is not None and closes_on < opens_on:
        problems.append(Problem("closes_before_opens", item="closes_on"))
    days = list(reminder_days)
    if any(isinstance(day, bool) or not isinstance(day, int) or day < 1 for day in days):
        problems.append(Problem("reminder_day_invalid", item="reminder_days"))
    elif days and closes_on is None:
        problems.append(Problem("reminders_need_close_date", item="reminder_days"))
    if language not in MESSAGE_LANGUAGES:
        problems.append(Problem("campaign_language_invalid", item="language"))
    return problems


def set_schedule(
    campaign: Campaign,
    opens_on: dt.date | None,
    closes_on: dt.date | None,
    reminder_days: Iterable[int],
    language: str,
) -> list[Problem]:
    """Change the answering period, reminder days and message language; nothing is changed
    when a problem is returned."""
    reminder_days = list(reminder_days)
    problems = schedule_problems(opens_on, closes_on, reminder_days, language)
    if not problems:
        campaign.opens_on = opens_on
        campaign.closes_on = closes_on
        campaign.reminder_days = sorted(set(reminder_days), reverse=True)
        campaign.language = language
        logger.info("campaign %s schedule changed", campaign.id)
    return problems


def create_invitations(
    campaign: Campaign, count: int, prefills: Iterable[Mapping[str, Any]] | None = None
) -> list[str]:
    """Create `count` invitations and return their tokens; only hashes are stored."""
    prefill_list = list(prefills or [])
    tokens = []
    for index in range(count):
        token = new_token()
        prefill = dict(prefill_list[index]) if index < len(prefill_list) else {}
        db.session.add(Invitation(campaign=campaign, token_hash=hash_token(token), prefill=prefill))
        tokens.append(token)
    logger.info("%d personal links created for campaign %s", count, campaign.id)
    return tokens


def new_salt() -> str:
    return secrets.token_hex(16)


def derived_token(secret_key: str, salt: str) -> str:
    """The token of a roster invitation's personal link, derived from its salt with the
    secret key: 128 bits, URL-safe, 22 characters like `new_token`. Reminders and letters
    carry the same link as the invitation, and the database still holds only its hash."""
    digest = hmac.new(secret_key.encode(), f"invitation-link:{salt}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:16]).rstrip(b"=").decode()


def invitation_token(invitation: Invitation, secret_key: str) -> str | None:
    """The link token of a roster invitation; None for links printed once (`--count`)."""
    if invitation.token_salt is None:
        return None
    return derived_token(secret_key, invitation.token_salt)


# The pre-filled answer that says which unit an invitation went to: a unit leader's results
# count invitations by it (survey.reporting.campaign_report), so it outlives the rest.
UNIT_PREFILL = "enhet"


def unit_prefill(prefill: dict | None) -> dict:
    """What of an invitation's pre-filled answers stays when its link is retired (survey
    maintenance) or its person erased: the unit, nothing about the person."""
    return {key: value for key, value in (prefill or {}).items() if key == UNIT_PREFILL}


def invitation_path(token: str) -> str:
    """The personal link, relative to BASE_URL."""
    return f"/i/{token}"


def link_token_hash(token: str) -> str | None:
    """The hash a link's invitation is found by; None for a token no link has (empty, or
    longer than any)."""
    if not token or len(token) > 100:
        return None
    return hash_token(token)


def find_invitation(token: str) -> Invitation | None:
    token_hash = link_token_hash(token)
    if token_hash is None:
        return None
    return db.session.scalars(select(Invitation).where(Invitation.token_hash == token_hash)).first()


def find_campaign(slug: str) -> Campaign | None:
    return db.session.scalars(select(Campaign).where(Campaign.slug == slug)).first()


def campaign_by_id(campaign_id: int) -> Campaign | None:
    return db.session.get(Campaign, campaign_id)


def set_open(campaign: Campaign, is_open: bool) -> None:
    campaign.is_open = is_open
    logger.info("campaign %s %s", campaign.id, "opened" if is_open else "closed")
