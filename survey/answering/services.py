"""Starting, saving, resuming and submitting responses. No request access here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import JSON, bindparam, delete, func, insert, select, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite

from survey import engine
from survey.answering.models import Answer, ConfidentialParticipation, Response, Status
from survey.audit import services as audit
from survey.campaigns.models import Campaign, Invitation, Mode
from survey.campaigns.services import keyed_hash, link_token_hash
from survey.db import today
from survey.extensions import db
from survey.living.models import LivingDocument, Revision
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.services import definition_by_id, definition_of, latest_version

RESUME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on phones
RESUME_CODE_LENGTH = 16  # 16 symbols of 32: 80 bits


class CampaignClosed(Exception):
    """The campaign takes no answers today. `opens_on` is set when it has not opened yet,
    `closed_on` when its period ended on that day; neither when it was closed by hand."""

    def __init__(self, *, opens_on: dt.date | None = None, closed_on: dt.date | None = None):
        super().__init__(opens_on or closed_on)
        self.opens_on = opens_on
        self.closed_on = closed_on


def refuse_if_closed(campaign: Campaign | CampaignInfo, day: dt.date | None = None) -> None:
    """Raise CampaignClosed unless the campaign takes answers on `day` (today in Oslo): open,
    and within its period (both days included). The one check of every answering URL."""
    day = day or today()
    if campaign.accepts_answers_on(day):
        return
    if campaign.is_open and campaign.opens_on is not None and day < campaign.opens_on:
        raise CampaignClosed(opens_on=campaign.opens_on)
    if campaign.closes_on is not None and day > campaign.closes_on:
        raise CampaignClosed(closed_on=campaign.closes_on)
    raise CampaignClosed


@dataclasses.dataclass(frozen=True)
class CampaignInfo:
    id: int
    slug: str
    questionnaire_id: str
    title: str | None
    title_nn: str | None
    title_en: str | None
    mode: Mode
    is_open: bool
    opens_on: dt.date | None
    closes_on: dt.date | None

    @property
    def accepts_open_link(self) -> bool:
        return self.mode is Mode.ANONYMOUS

    title_in = Campaign.title_in
    accepts_answers_on = Campaign.accepts_answers_on


@dataclasses.dataclass(frozen=True)
class Draft:
    """What a page view or post needs about the respondent's response, read in one query
    of plain columns (this runs on every request of the answering flow): the response, its
    campaign, its questionnaire version and its stored answers, as they were when read."""

    id: str
    status: Status
    last_page: str | None
    submitted_on: dt.date | None
    campaign: CampaignInfo
    questionnaire: engine.Questionnaire
    answer_rows: tuple[tuple[str, Any], ...] = ()  # (question, stored value), for stored_answers


# A CampaignInfo's fields, in order.
_CAMPAIGN_INFO_COLUMNS = (
    Campaign.id,
    Campaign.slug,
    Campaign.questionnaire_id,
    Campaign.title,
    Campaign.title_nn,
    Campaign.title_en,
    Campaign.mode,
    Campaign.is_open,
    Campaign.opens_on,
    Campaign.closes_on,
)
_DRAFT_COLUMNS = (
    Response.id,
    Response.status,
    Response.last_page,
    Response.submitted_on,
    *_CAMPAIGN_INFO_COLUMNS,
    QuestionnaireVersion.id,
    QuestionnaireVersion.fingerprint,
)


# Statements of the hot path are built once, with bound parameters, and run on the
# connection (Core) rather than through the ORM: they return plain rows anyway. The draft
# comes with its answers in one row: one statement for a page view.
def _response_in_campaign(*columns):
    """SELECT `columns` of the response with this id in the campaign with this slug, with
    its campaign and questionnaire version joined (a draft's page views, a receipt)."""
    return (
        select(*columns)
        .join(Campaign, Response.campaign_id == Campaign.id)
        .join(QuestionnaireVersion, Response.questionnaire_version_id == QuestionnaireVersion.id)
        .where(Response.id == bindparam("response_id"), Campaign.slug == bindparam("slug"))
    )


@functools.cache
def _draft_query(dialect: str):
    """The draft's columns and its answers as one JSON array of [question, value] pairs,
    made by the database (NULL or [] for none), built once per dialect. One row instead of
    one per answer, each repeating the draft's columns and their conversions: on SQLite a
    draft of 20 answers reads in ~36 µs instead of ~105 µs, and every page view and post
    reads one."""
    if dialect == "postgresql":
        pairs = func.json_agg(func.json_build_array(Answer.question, Answer.value))
    else:
        pairs = func.json_group_array(func.json_array(Answer.question, func.json(Answer.value)))
    answers = select(pairs).where(Answer.response_id == Response.id).scalar_subquery()
    return _response_in_campaign(*_DRAFT_COLUMNS, type_coerce(answers, JSON))


_ANSWERS_QUERY = select(Answer.question, Answer.value).where(
    Answer.response_id == bindparam("response_id")
)


_LATEST_VERSION_QUERY = (
    select(QuestionnaireVersion.id, QuestionnaireVersion.fingerprint)
    .where(QuestionnaireVersion.questionnaire_id == bindparam("questionnaire_id"))
    .order_by(QuestionnaireVersion.version.desc())
    .limit(1)
)


def latest_definition(questionnaire_id: str) -> engine.Questionnaire:
    """The definition of the questionnaire's latest version (the welcome page's texts), read
    as `load_draft` reads a draft's: the version's text only when this process lacks it."""
    version_id, fingerprint = (
        db.session.connection()
        .execute(_LATEST_VERSION_QUERY, {"questionnaire_id": questionnaire_id})
        .one()
    )
    return definition_by_id(version_id, fingerprint)


def load_draft(response_id: str, slug: str) -> Draft | None:
    connection = db.session.connection()
    row = connection.execute(
        _draft_query(connection.dialect.name), {"response_id": response_id, "slug": slug}
    ).first()
    if row is None:
        return None
    (rid, status, last_page, submitted_on, *campaign, vid, fp, answers) = row
    return Draft(
        id=rid,
        status=status,
        last_page=last_page,
        submitted_on=submitted_on,
        campaign=CampaignInfo(*campaign),
        questionnaire=definition_by_id(vid, fp),
        answer_rows=tuple((question, value) for question, value in answers or ()),
    )


def new_resume_code() -> str:
    return "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_CODE_LENGTH))


def normalise_resume_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())[:64]


def format_resume_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def questionnaire_of(response: Response | Draft) -> engine.Questionnaire:
    if isinstance(response, Draft):
        return response.questionnaire
    return definition_of(response.questionnaire_version)


def start_open_response(campaign: Campaign) -> tuple[Response, str]:
    """A new draft from the open link, with the resume code to show the respondent."""
    refuse_if_closed(campaign)
    code = new_resume_code()
    response = Response(
        campaign=campaign,
        questionnaire_version=latest_version(campaign.questionnaire_id),
        resume_hash=_hash(code),
    )
    db.session.add(response)
    db.session.flush()
    return response, code


PAPER = "paper"  # Response.channel of a paper form typed in by a project leader


def start_paper_response(campaign: Campaign) -> Response:
    """A new draft for a paper form a project leader types in: marked `channel='paper'`, and
    like an open-link answer with nothing that leads to a person, in every mode (no
    invitation, no resume code, no account, no confidential participation). Identified
    campaigns therefore update no living document from it."""
    refuse_if_closed(campaign)
    response = Response(
        campaign=campaign,
        questionnaire_version=latest_version(campaign.questionnaire_id),
        channel=PAPER,
    )
    db.session.add(response)
    db.session.flush()
    return response


_PAPER_DEFINITIONS: dict[tuple[str, int, str], engine.Questionnaire] = {}


def paper_definition(questionnaire: engine.Questionnaire) -> engine.Questionnaire:
    """The questionnaire as a paper form is typed in: nothing is required (what the respondent
    left blank on paper stays blank), everything else (types, constraints, branching) as is."""
    key = (questionnaire.id, questionnaire.version, questionnaire.fingerprint)
    if key not in _PAPER_DEFINITIONS:
        pages = tuple(
            dataclasses.replace(
                page,
                questions=tuple(
                    dataclasses.replace(question, required=False, required_expr=None)
                    for question in page.questions
                ),
            )
            for page in questionnaire.pages
        )
        _PAPER_DEFINITIONS[key] = dataclasses.replace(questionnaire, pages=pages)
    return _PAPER_DEFINITIONS[key]


@dataclasses.dataclass(frozen=True)
class PersonalLink:
    """What the personal-link pages need, read in one statement: the invitation, its
    campaign, the campaign questionnaire's latest version, and the response the link has led
    to. That response is found by `key` (the HMAC of the token), joined in the query only:
    nothing stored leads from the invitation row to it."""

    key: str
    invitation_id: int
    person_id: int | None
    prefill: dict[str, Any] | None
    used_on: dt.date | None
    opened_on: dt.date | None
    started_on: dt.date | None
    campaign: CampaignInfo
    latest_version: tuple[int, str] | None  # (id, fingerprint)
    response_id: str | None
    response_status: Status | None

    @property
    def latest_definition(self) -> engine.Questionnaire:
        """The definition of the latest version (the welcome page's texts, a new draft's)."""
        version_id, fingerprint = self.latest_version
        return definition_by_id(version_id, fingerprint)


_LATEST_VERSION_ID = (
    select(QuestionnaireVersion.id)
    .where(QuestionnaireVersion.questionnaire_id == Campaign.questionnaire_id)
    .order_by(QuestionnaireVersion.version.desc())
    .limit(1)
    .correlate(Campaign)
    .scalar_subquery()
)
_PERSONAL_LINK_QUERY = (
    select(
        Invitation.id,
        Invitation.person_id,
        Invitation.prefill,
        Invitation.used_on,
        Invitation.opened_on,
        Invitation.started_on,
        *_CAMPAIGN_INFO_COLUMNS,
        QuestionnaireVersion.id,
        QuestionnaireVersion.fingerprint,
        Response.id,
        Response.status,
    )
    .join(Campaign, Invitation.campaign_id == Campaign.id)
    .outerjoin(QuestionnaireVersion, QuestionnaireVersion.id == _LATEST_VERSION_ID)
    .outerjoin(Response, Response.invitation_key == bindparam("key"))
    .where(Invitation.token_hash == bindparam("token_hash"))
)


def personal_link(token: str, secret_key: str) -> PersonalLink | None:
    """The personal link with this token, None when there is none: what
    campaigns.services.find_invitation finds, with what the link's pages need."""
    token_hash = link_token_hash(token)
    if token_hash is None:
        return None
    key = keyed_hash(secret_key, "invitation", token)
    row = (
        db.session.connection()
        .execute(_PERSONAL_LINK_QUERY, {"token_hash": token_hash, "key": key})
        .first()
    )
    if row is None:
        return None
    (invitation_id, person_id, prefill, used_on, opened_on, started_on, *rest) = row
    *campaign, version_id, fingerprint, response_id, response_status = rest
    return PersonalLink(
        key=key,
        invitation_id=invitation_id,
        person_id=person_id,
        prefill=prefill,
        used_on=used_on,
        opened_on=opened_on,
        started_on=started_on,
        campaign=CampaignInfo(*campaign),
        latest_version=None if version_id is None else (version_id, fingerprint),
        response_id=response_id,
        response_status=response_status,
    )


def response_for_invitation(link: PersonalLink) -> Draft:
    """The draft a personal link leads to, created on first use (CampaignClosed when the
    campaign takes no answers today; an existing draft is returned as it is).

    Creating it marks the invitation started (and opened), as days. In an identified campaign
    the draft remembers the person's current living-document revision (0 for none): a newer
    one at submission is a conflict (survey.conversations.campaign_answers)."""
    if link.response_id is not None:
        return _invited_draft(link)
    refuse_if_closed(link.campaign)
    created = _create_invited_response(link)
    if created is None:
        # A double tap on «Start» made the same draft at the same time; keep the first.
        return _invited_draft(link)
    _mark_started(link)
    return created


_INVITED_RESPONSE_ID = select(Response.id).where(Response.invitation_key == bindparam("key"))


def _invited_draft(link: PersonalLink) -> Draft:
    """The draft already made for the link (or by a double tap's other request)."""
    response_id = link.response_id
    if response_id is None:
        response_id = (
            db.session.connection().execute(_INVITED_RESPONSE_ID, {"key": link.key}).scalar_one()
        )
    return load_draft(response_id, link.campaign.slug)


_INSERT_PARTICIPATION = insert(ConfidentialParticipation).values(
    invitation_id=bindparam("invitation_id"), response_id=bindparam("response_id")
)


def _create_invited_response(link: PersonalLink) -> Draft | None:
    """A new draft for the link with its pre-filled answers; None when another request made
    it first (INSERT … ON CONFLICT (invitation_key) DO NOTHING: one draft per link)."""
    campaign = link.campaign
    version_id, _ = link.latest_version
    questionnaire = link.latest_definition
    row = {
        "campaign_id": campaign.id,
        "questionnaire_version_id": version_id,
        "invitation_key": link.key,
        "invitation_id": None,
        "base_revision": None,
    }
    if campaign.mode is Mode.IDENTIFIED:
        row["invitation_id"] = link.invitation_id
        if link.person_id is not None:
            row["base_revision"] = current_revision_number(link.person_id)
    connection = db.session.connection()
    response_id = connection.execute(
        _insert_response_statement(connection.dialect.name), row
    ).scalar()
    if response_id is None:
        return None
    if campaign.mode is Mode.CONFIDENTIAL:
        connection.execute(
            _INSERT_PARTICIPATION,
            {"invitation_id": link.invitation_id, "response_id": response_id},
        )
    prefill = engine.prefill_values(questionnaire, link.prefill or {})
    stored = _upsert_answers(response_id, questionnaire, prefill)
    return Draft(
        id=response_id,
        status=Status.DRAFT,
        last_page=None,
        submitted_on=None,
        campaign=campaign,
        questionnaire=questionnaire,
        answer_rows=tuple((r["question"], r["value"]) for r in stored),
    )


def _dialect_insert(dialect: str):
    """The INSERT construct with ON CONFLICT of the database's dialect."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


@functools.cache
def _insert_response_statement(dialect: str):
    """INSERT a response … ON CONFLICT (invitation_key) DO NOTHING RETURNING its id (no row
    when the link's draft exists already), built once per dialect."""
    return (
        _dialect_insert(dialect)(Response)
        .on_conflict_do_nothing(index_elements=["invitation_key"])
        .returning(Response.id)
    )


# Days, never times, set once: on the invitation, so they count in every mode without
# anything on the response pointing back to it.
_MARK_OPENED = (
    update(Invitation)
    .where(Invitation.id == bindparam("invitation_id"), Invitation.opened_on.is_(None))
    .values(opened_on=bindparam("day"))
)
# Started is opened too, unless it was opened before.
_MARK_STARTED = (
    update(Invitation)
    .where(Invitation.id == bindparam("invitation_id"), Invitation.started_on.is_(None))
    .values(
        started_on=bindparam("day"),
        opened_on=func.coalesce(Invitation.opened_on, bindparam("day")),
    )
)


def mark_opened(link: PersonalLink) -> None:
    """A visit of the personal link: the first one's day is kept (response rates). Nothing
    to write when the link was read opened already."""
    if link.opened_on is None:
        _mark(_MARK_OPENED, link.invitation_id)


def _mark_started(link: PersonalLink) -> None:
    if link.started_on is None:
        _mark(_MARK_STARTED, link.invitation_id)


def _mark(statement, invitation_id: int) -> None:
    db.session.connection().execute(statement, {"invitation_id": invitation_id, "day": today()})


def current_revision_number(person_id: int) -> int:
    """The number of the person's current living-document revision; 0 when there is none."""
    return (
        db.session.scalar(
            select(func.max(Revision.number))
            .join(LivingDocument, LivingDocument.id == Revision.document_id)
            .where(LivingDocument.person_id == person_id)
        )
        or 0
    )


def response_by_resume_code(campaign: Campaign, code: str) -> Response | None:
    normalised = normalise_resume_code(code)
    if len(normalised) != RESUME_CODE_LENGTH:
        return None
    return db.session.scalars(
        select(Response).where(
            Response.campaign_id == campaign.id,
            Response.resume_hash == _hash(normalised),
            Response.status == Status.DRAFT,
        )
    ).first()


def stored_answers(
    response: Response | Draft | SentResponse, questionnaire: engine.Questionnaire
) -> dict[str, Any]:
    """The response's answers as engine values. A draft brings the ones it was read with;
    call it before saving anything to the draft."""
    values: dict[str, Any] = {}
    if isinstance(response, Draft):
        rows = response.answer_rows
    else:
        rows = db.session.connection().execute(_ANSWERS_QUERY, {"response_id": response.id})
    for name, data in rows:
        try:
            question = questionnaire.question(name)
        except KeyError:
            continue  # answered under a question that a later edit removed
        value = engine.deserialize(question, data)
        if value is not None:
            values[name] = value
    return values


def save_page(
    response: Response | Draft,
    questionnaire: engine.Questionnaire,
    page: engine.Page,
    values: Mapping[str, Any],
    *,
    answers: Mapping[str, Any],
    resume_at: str | None = None,
    today_: dt.date | None = None,
) -> None:
    """Store a page's values over the `answers` stored so far. Empty answers to relevant
    questions are removed; answers to questions that are not relevant now are kept, so
    changing one's mind back loses nothing (only relevant answers are kept at submission)."""
    merged = {**answers, **{k: v for k, v in values.items() if v is not None}}
    relevant = {
        q.name for q in engine.relevant_questions(questionnaire, page, merged, today_ or today())
    }
    to_store = {name: value for name, value in values.items() if value is not None}
    to_clear = [name for name, value in values.items() if value is None and name in relevant]
    connection = db.session.connection()
    if to_clear:
        connection.execute(
            _CLEAR_ANSWERS, [{"response_id": response.id, "question": name} for name in to_clear]
        )
    _upsert_answers(response.id, questionnaire, to_store)
    connection.execute(
        _SET_POSITION,
        {"response_id": response.id, "resume_at": resume_at or page.name, "day": today()},
    )


_CLEAR_ANSWERS = delete(Answer).where(
    Answer.response_id == bindparam("response_id"), Answer.question == bindparam("question")
)
_SET_POSITION = (
    update(Response)
    .where(Response.id == bindparam("response_id"))
    .values(last_page=bindparam("resume_at"), updated_on=bindparam("day"))
)


@functools.cache
def _upsert_statement(dialect: str):
    """INSERT … ON CONFLICT (response, question) DO UPDATE, built once per dialect."""
    statement = _dialect_insert(dialect)(Answer)
    return statement.on_conflict_do_update(
        index_elements=["response_id", "question"], set_={"value": statement.excluded.value}
    )


def _upsert_answers(
    response_id: str, questionnaire: engine.Questionnaire, values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Store the values; returns the rows stored (question, serialized value)."""
    if not values:
        return []
    rows = [
        {
            "response_id": response_id,
            "question": name,
            "value": engine.serialize(questionnaire.question(name), value),
        }
        for name, value in values.items()
    ]
    connection = db.session.connection()
    connection.execute(_upsert_statement(connection.dialect.name), rows)
    return rows


@dataclasses.dataclass(frozen=True)
class IdentifiedSubmission:
    """An identified response being submitted, as `after_identified_submit` handlers get it."""

    response_id: str
    person_id: int
    campaign_title: str | None
    questionnaire: engine.Questionnaire
    questionnaire_id: str
    questionnaire_version: int
    answers: Mapping[str, Any]  # the final answers, as engine values
    base_revision: int | None  # the living-document revision current when the draft was made


SubmitHandler = Callable[[IdentifiedSubmission], "dict[str, Any] | None"]

# Run in the submitting transaction; each returns plain data for the receipt, or None. The
# app factory installs the living-document update of survey.conversations.campaign_answers
# here: conversations imports answering, so answering cannot call it (docs/architecture.md).
_identified_submit_handlers: list[SubmitHandler] = []


def after_identified_submit(handler: SubmitHandler) -> SubmitHandler:
    if handler not in _identified_submit_handlers:
        _identified_submit_handlers.append(handler)
    return handler


@dataclasses.dataclass(frozen=True)
class Submission:
    """What `submit` did. False when it was already submitted (a double tap or a retry)."""

    submitted: bool
    recorded: dict[str, Any] | None = None  # a handler's report (identified campaigns)

    def __bool__(self) -> bool:
        return self.submitted


_IDENTIFIED_QUERY = (
    select(
        Invitation.id,
        Invitation.person_id,
        Response.base_revision,
        QuestionnaireVersion.version,
    )
    .select_from(Response)
    .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.questionnaire_version_id)
    .join(Invitation, Invitation.id == Response.invitation_id)
    .where(Response.id == bindparam("response_id"))
)


# Submitting: the claim (a draft becomes submitted once), the answers that are not final
# removed, the invitation marked used (a day).
_CLAIM = (
    update(Response)
    .where(Response.id == bindparam("response_id"), Response.status == Status.DRAFT)
    .values(status=Status.SUBMITTED, submitted_on=bindparam("day"), resume_hash=None)
)
_CLAIM_ANONYMOUS = _CLAIM.values(invitation_key=None)
_DELETE_UNKEPT = delete(Answer).where(
    Answer.response_id == bindparam("response_id"),
    Answer.question.not_in(bindparam("kept", expanding=True)),
)
_MARK_USED = (
    update(Invitation)
    .where(Invitation.id == bindparam("invitation_id"), Invitation.used_on.is_(None))
    .values(used_on=bindparam("day"))
)


def _may_hold_more_than(response: Response | Draft, final: Mapping[str, Any]) -> bool:
    """Whether the response may have stored answers beyond `final`: a draft knows the
    answers it was read with in this transaction; a Response object is not asked."""
    if isinstance(response, Draft):
        return any(name not in final for name, _ in response.answer_rows)
    return True


def submit(
    response: Response | Draft,
    questionnaire: engine.Questionnaire,
    *,
    answers: Mapping[str, Any] | None = None,
    invitation_id: int | None,
) -> Submission:
    """Submit once. An already submitted response (a double tap or a retry) gives a false
    Submission: the first submission stands and nothing changes."""
    if answers is None:
        answers = stored_answers(response, questionnaire)
    final = engine.final_answers(questionnaire, answers, today())
    campaign = response.campaign
    connection = db.session.connection()
    # Anonymous: the claim also cuts the last thread from the invitation to the answers.
    claim = _CLAIM_ANONYMOUS if campaign.mode is Mode.ANONYMOUS else _CLAIM
    if connection.execute(claim, {"response_id": response.id, "day": today()}).rowcount != 1:
        return Submission(False)
    if _may_hold_more_than(response, final):
        connection.execute(_DELETE_UNKEPT, {"response_id": response.id, "kept": list(final)})
    if invitation_id is not None:
        connection.execute(_MARK_USED, {"invitation_id": invitation_id, "day": today()})
    if campaign.mode is not Mode.IDENTIFIED:
        return Submission(True)
    # Identified: the response keeps its invitation, so the person is known even when the
    # answers were resumed in another browser.
    row = connection.execute(_IDENTIFIED_QUERY, {"response_id": response.id}).first()
    if row is None or row.person_id is None:
        return Submission(True)
    if invitation_id != row.id:
        connection.execute(_MARK_USED, {"invitation_id": row.id, "day": today()})
    # Identified answers are personal data: their submission is a change on record.
    audit.record(
        audit.Action.CHANGE,
        actor_id=row.person_id,
        subject_id=row.person_id,
        object_type="response",
        object_id=response.id,
    )
    submission = IdentifiedSubmission(
        response_id=response.id,
        person_id=row.person_id,
        campaign_title=campaign.title,
        questionnaire=questionnaire,
        questionnaire_id=campaign.questionnaire_id,
        questionnaire_version=row.version,
        answers=final,
        base_revision=row.base_revision,
    )
    recorded: dict[str, Any] | None = None
    for handler in _identified_submit_handlers:
        recorded = handler(submission) or recorded
    return Submission(True, recorded)


# The interview guide, whose fields a living document holds (conversations.services.GUIDE_ID;
# named here too, since answering may not import conversations).
GUIDE_ID = "kartleggingssamtale"


def guide_definition() -> engine.Questionnaire | None:
    found = latest_version(GUIDE_ID)
    return definition_of(found) if found is not None else None


@dataclasses.dataclass(frozen=True)
class SentResponse:
    """What a receipt shows of a response, read in one query of plain columns without its
    answers (stored_answers reads them by `id` when a receipt needs them)."""

    id: str
    status: Status
    submitted_on: dt.date | None
    campaign: CampaignInfo
    questionnaire: engine.Questionnaire


_SENT_QUERY = _response_in_campaign(
    Response.id,
    Response.status,
    Response.submitted_on,
    *_CAMPAIGN_INFO_COLUMNS,
    QuestionnaireVersion.id,
    QuestionnaireVersion.fingerprint,
)


def load_sent(response_id: str, slug: str) -> SentResponse | None:
    """The response with this id in the campaign with this slug, for its receipt."""
    row = (
        db.session.connection()
        .execute(_SENT_QUERY, {"response_id": response_id, "slug": slug})
        .first()
    )
    if row is None:
        return None
    (rid, status, submitted_on, *campaign, version_id, fingerprint) = row
    return SentResponse(
        id=rid,
        status=status,
        submitted_on=submitted_on,
        campaign=CampaignInfo(*campaign),
        questionnaire=definition_by_id(version_id, fingerprint),
    )


def recorded_changes(recorded: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What a receipt says about the living document, from what a submit handler reported
    (kept in the browser's session): {"kind": "saved", "changes": [(field, stored value or
    None when removed)]} or {"kind": "conflict"}; None when there is nothing to say."""
    if not recorded:
        return None
    if recorded.get("kind") == "conflict":
        return {"kind": "conflict", "changes": []}
    revision = db.session.scalars(
        select(Revision).where(
            Revision.document_id == recorded.get("document"),
            Revision.number == recorded.get("revision"),
        )
    ).first()
    if revision is None:  # erased since
        return None
    data = revision.data or {}
    return {
        "kind": "saved",
        "changes": [(name, data.get(name)) for name in revision.changed_fields or []],
    }


def campaign_summaries() -> list[dict[str, Any]]:
    """Every campaign with its count of submitted responses."""
    submitted = (
        select(Response.campaign_id, func.count().label("n"))
        .where(Response.status == Status.SUBMITTED)
        .group_by(Response.campaign_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Campaign, func.coalesce(submitted.c.n, 0))
        .outerjoin(submitted, submitted.c.campaign_id == Campaign.id)
        .order_by(Campaign.id)
    )
    return [
        {
            "id": campaign.id,
            "slug": campaign.slug,
            "questionnaire_id": campaign.questionnaire_id,
            "mode": campaign.mode.value,
            "title": campaign.title,
            "is_open": campaign.is_open,
            "submitted": count,
        }
        for campaign, count in rows
    ]
