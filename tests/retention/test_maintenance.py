"""`survey maintenance` on a municipality with past years: the expired personal data goes,
the figures of past years stay exactly the same, and what is recent or still in use stays.

Today is the real today; the past is built relative to it. 40 employees in 4 units with a
living-document revision in each of the last three years; five left the roster two years
ago (erased), one a month ago (kept), one two years ago with an open committee case (kept).
Campaigns: an anonymous, an identified and a confidential one that closed 400 days ago,
one that closed 10 days ago, and one still open."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

from sqlalchemy import func, select

from survey.db import unit_of_work
from tests.reports.synthetic import create_municipality

TODAY = dt.date.today()
LONG_AGO = TODAY - dt.timedelta(days=400)
YEARS = (TODAY.year - 3, TODAY.year - 2, TODAY.year - 1)
_tokens = itertools.count(1)


def _campaign(mode, closes_on):
    from survey.campaigns.services import create_campaign

    campaign = create_campaign("heltid-arlig", mode, f"Kartlegging {mode} {closes_on}")
    campaign.opens_on = None if closes_on is None else closes_on - dt.timedelta(days=30)
    campaign.closes_on = closes_on
    return campaign


def _invite(campaign, person, *, used_on=None, started_on=None):
    from survey.campaigns.models import Channel, Invitation
    from survey.extensions import db

    invitation = Invitation(
        campaign_id=campaign.id,
        token_hash=f"{next(_tokens):064x}",
        token_salt=f"salt{next(_tokens)}",
        prefill={"enhet": f"enhet{person.unit_id}", "stillingsprosent": "50"},
        person_id=None if campaign.mode == "anonymous" else person.id,
        created_on=(campaign.opens_on or TODAY),
        used_on=used_on,
        started_on=started_on,
        unit_id=person.unit_id,
        yrkesgruppe="helsefagarbeider",
        channel=Channel.EMAIL,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def _response(campaign, invitation, *, submitted, day, comment=None):
    from survey.answering.models import Answer, ConfidentialParticipation, Response, Status
    from survey.extensions import db
    from survey.questionnaires.services import latest_version

    response = Response(
        campaign_id=campaign.id,
        questionnaire_version_id=latest_version("heltid-arlig").id,
        status=Status.SUBMITTED if submitted else Status.DRAFT,
        invitation_key=None if submitted and campaign.mode == "anonymous" else f"k{invitation.id}",
        invitation_id=invitation.id if campaign.mode == "identified" else None,
        started_on=day,
        updated_on=day,
        submitted_on=day if submitted else None,
    )
    db.session.add(response)
    db.session.flush()
    answers = {"enhet": "hjemmetjenesten", "stillingsprosent": "50", "onsket_endring": "storre"}
    if comment:
        answers["kommentar"] = comment
    for question, value in answers.items():
        db.session.add(Answer(response_id=response.id, question=question, value=value))
    if campaign.mode == "confidential":
        db.session.add(
            ConfidentialParticipation(invitation_id=invitation.id, response_id=response.id)
        )
    return response


def _message(campaign, invitation, person, *, status, day):
    from survey.campaigns.models import Channel
    from survey.extensions import db
    from survey.outbox.models import MessageKind, OutboxMessage

    moment = dt.datetime.combine(day, dt.time(9), dt.UTC)
    message = OutboxMessage(
        channel=Channel.EMAIL,
        recipient=f"ansatt{person.id}@kommune.no",
        person_id=person.id,
        campaign_id=campaign.id,
        invitation_id=invitation.id,
        kind=MessageKind.INVITATION,
        subject="Kartlegging",
        body=f"Hei {person.name}, her er lenken din",
        status=status,
        created_at=moment,
        next_attempt_at=moment,
        sent_at=moment if status == "sent" else None,
    )
    db.session.add(message)
    return message


def _build(app):
    """The municipality; returns the ids the test looks at afterwards."""
    from survey.accounts.models import Person
    from survey.audit.models import AuditEntry
    from survey.committee.models import CommitteeDecision, Outcome, Vacancy
    from survey.extensions import db
    from survey.living.services import document_for

    with app.app_context():
        create_municipality(40, 4, YEARS, seed=13)
    ids: dict = {}
    with app.app_context(), unit_of_work():
        people = list(db.session.scalars(select(Person).order_by(Person.id)))
        leavers, recent_leaver, in_case = people[:5], people[5], people[6]
        for person in leavers + [in_case]:
            person.left_roster_on = TODAY - dt.timedelta(days=730)
        recent_leaver.left_roster_on = TODAY - dt.timedelta(days=30)
        vacancy = Vacancy(
            title="Sykepleier 40 %",
            unit_id=in_case.unit_id,
            yrkesgruppe="sykepleier",
            percent=40,
        )
        db.session.add(vacancy)
        db.session.flush()
        db.session.add(
            CommitteeDecision(
                vacancy_id=vacancy.id,
                person_id=in_case.id,
                document_id=document_for(in_case).id,
                outcome=list(Outcome)[0],
            )
        )
        ids["leavers"] = [p.id for p in leavers]
        ids["kept_people"] = [recent_leaver.id, in_case.id]

        past = {
            mode: _campaign(mode, LONG_AGO) for mode in ("anonymous", "identified", "confidential")
        }
        recent = _campaign("identified", TODAY - dt.timedelta(days=10))
        running = _campaign("confidential", None)
        db.session.flush()
        ids["past_campaigns"] = [c.id for c in past.values()]
        ids["recent_campaign"], ids["running_campaign"] = recent.id, running.id
        answered_on = LONG_AGO - dt.timedelta(days=5)
        old_drafts, kept_drafts = [], []
        for campaign in past.values():
            for index, person in enumerate(people[:20]):
                if index % 4 == 3:  # a draft, abandoned
                    invitation = _invite(campaign, person, started_on=answered_on)
                    old_drafts.append(
                        _response(campaign, invitation, submitted=False, day=answered_on).id
                    )
                elif index % 4 == 2:  # invited, never answered
                    invitation = _invite(campaign, person)
                else:
                    invitation = _invite(
                        campaign, person, used_on=answered_on, started_on=answered_on
                    )
                    _response(
                        campaign,
                        invitation,
                        submitted=True,
                        day=answered_on,
                        comment=f"Hilsen {person.name}" if index % 2 else None,
                    )
                _message(
                    campaign,
                    invitation,
                    person,
                    status="sent" if index % 5 else "failed",
                    day=answered_on - dt.timedelta(days=20),
                )
        # Recent: a draft in a campaign closed ten days ago, and an old draft in a running one.
        invitation = _invite(recent, people[10], started_on=TODAY - dt.timedelta(days=12))
        kept_drafts.append(
            _response(recent, invitation, submitted=False, day=TODAY - dt.timedelta(days=12)).id
        )
        _message(recent, invitation, people[10], status="sent", day=TODAY - dt.timedelta(days=40))
        for person in people[20:25]:
            invitation = _invite(running, person, started_on=LONG_AGO)
            kept_drafts.append(_response(running, invitation, submitted=False, day=LONG_AGO).id)
        ids["old_drafts"], ids["kept_drafts"] = old_drafts, kept_drafts
        # The audit log: three years old, and last week.
        for days in (1100, 1000, 7):
            db.session.add(
                AuditEntry(
                    at=dt.datetime.combine(TODAY - dt.timedelta(days=days), dt.time(12), dt.UTC),
                    action="read",
                    actor_id=people[30].id,
                    subject_id=people[31].id,
                )
            )
    return ids


def _figures(app) -> dict:
    """What the reports and pages say about the past: the heltid report's figures and trend
    (the whole municipality and each unit), the year at a glance, each past campaign's
    response rates and its answers to the closed questions."""
    from survey.accounts.models import Unit
    from survey.campaigns.models import Campaign
    from survey.campaigns.rates import campaign_rates
    from survey.classification import load_definitions
    from survey.extensions import db
    from survey.reporting.campaign_report import campaign_answers
    from survey.reporting.facts import Settings
    from survey.reporting.heltid import heltid_figures, trend
    from survey.reporting.presenting import year_figures

    result: dict = {}
    with app.app_context(), app.test_request_context():
        settings = Settings.from_definitions(load_definitions(), None, None)
        year_ends = [dt.date(year, 12, 31) for year in YEARS]
        units = [None, *([unit_id] for unit_id in db.session.scalars(select(Unit.id)))]
        # Each unit's trend and year at a glance; the whole report's figures (with their
        # breakdowns per unit, yrkesgruppe and kjønn) on each year-end.
        for scope in units:
            key = "all" if scope is None else scope[0]
            points = trend(year_ends, scope, settings)
            result[("trend", key)] = [dataclasses.asdict(point) for point in points]
            result[("year", key)] = year_figures(scope, year_ends[-1], 1, "nb")
        for day in year_ends:
            # dicts: the order of the groups may vary between queries
            result[("figures", day)] = dataclasses.asdict(heltid_figures(day, None, settings))
        for campaign in db.session.scalars(select(Campaign).order_by(Campaign.id)):
            rates = campaign_rates(campaign, None, today=TODAY, minimum=1)
            result[("rates", campaign.id)] = dataclasses.asdict(rates)
            answers = campaign_answers(campaign)
            if answers is not None:
                closed = sorted(
                    repr(sorted((k, v) for k, v in data.items() if k != "kommentar"))
                    for data in answers.responses
                )
                result[("answers", campaign.id)] = (answers.invited, closed)
                scoped = campaign_answers(campaign, ["enhet1", "enhet2"])
                result[("answers in units", campaign.id)] = scoped.invited
    return result


def _mapped_today(app) -> int:
    """Living documents with a revision in force today, as the report facts say."""
    from sqlalchemy import or_

    from survey.extensions import db
    from survey.reporting.facts import FACTS

    f = FACTS.c
    in_force = (f.effective_on <= TODAY, or_(f.valid_until.is_(None), f.valid_until > TODAY))
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(FACTS).where(*in_force))


def _state(app, ids) -> dict:
    from survey.accounts.models import Person
    from survey.answering.models import Answer, Response
    from survey.audit.models import AuditEntry
    from survey.campaigns.models import Invitation
    from survey.extensions import db
    from survey.outbox.models import OutboxMessage

    with app.app_context():
        count = lambda query: db.session.scalar(select(func.count()).select_from(query.subquery()))  # noqa: E731
        past = Invitation.campaign_id.in_(ids["past_campaigns"])
        return {
            "old drafts": count(select(Response.id).where(Response.id.in_(ids["old_drafts"]))),
            "kept drafts": count(select(Response.id).where(Response.id.in_(ids["kept_drafts"]))),
            "past links": count(
                select(Invitation.id).where(past, Invitation.token_salt.is_not(None))
            ),
            "past live hashes": count(
                select(Invitation.id).where(past, ~Invitation.token_hash.startswith("retired:"))
            ),
            "past prefills": sorted(
                {
                    tuple(sorted(p))
                    for p in db.session.scalars(select(Invitation.prefill).where(past))
                }
            ),
            "other links": count(
                select(Invitation.id).where(~past, Invitation.token_salt.is_not(None))
            ),
            "past response keys": count(
                select(Response.id).where(
                    Response.campaign_id.in_(ids["past_campaigns"]),
                    Response.invitation_key.is_not(None),
                )
            ),
            "outbox addresses": count(
                select(OutboxMessage.id).where(OutboxMessage.recipient != "")
            ),
            "outbox texts": count(select(OutboxMessage.id).where(OutboxMessage.body.is_not(None))),
            "outbox rows": count(select(OutboxMessage.id)),
            "old audit": count(
                select(AuditEntry.id).where(
                    AuditEntry.at
                    < dt.datetime.combine(TODAY - dt.timedelta(days=800), dt.time(), dt.UTC)
                )
            ),
            "recent audit": count(select(AuditEntry.id).where(AuditEntry.action == "read")),
            "leavers": count(select(Person.id).where(Person.id.in_(ids["leavers"]))),
            "kept people": count(select(Person.id).where(Person.id.in_(ids["kept_people"]))),
            "free text": count(select(Answer.id).where(Answer.question == "kommentar")),
        }


def test_maintenance_keeps_past_figures_and_removes_expired_personal_data(app, runner):
    ids = _build(app)
    before = _figures(app)
    mapped_today = _mapped_today(app)
    state = _state(app, ids)
    assert state == {
        "old drafts": 15,
        "kept drafts": 6,
        "past links": 60,
        "past live hashes": 60,
        "past prefills": [("enhet", "stillingsprosent")],
        "other links": 6,
        "past response keys": 35,  # drafts (15), identified and confidential answers (20)
        "outbox addresses": 61,
        "outbox texts": 61,
        "outbox rows": 61,
        "old audit": 2,
        "recent audit": 3,
        "leavers": 5,
        "kept people": 2,
        "free text": 15,
    }

    dry = runner.invoke(args=["maintenance", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert _state(app, ids) == state

    result = runner.invoke(args=["maintenance"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 5, result.output
    assert "abandoned drafts: 15 drafts" in result.output
    assert "used invitations: 60 invitations" in result.output
    assert "outbox messages: 60 messages" in result.output
    assert "people who left: 5 people" in result.output and "kept 1" in result.output
    assert "audit entries: 2 entries" in result.output

    after = _state(app, ids)
    assert after == {
        **state,
        "old drafts": 0,
        "past links": 0,
        "past live hashes": 0,
        "past prefills": [("enhet",)],
        "past response keys": 0,
        "outbox addresses": 1,
        "outbox texts": 1,
        "old audit": 0,
        "recent audit": 1,
        "leavers": 0,
        # The leavers' free text in identified answers went with the erasure.
        "free text": after["free text"],
    }
    assert after["free text"] < state["free text"]

    assert _figures(app) == before
    # Today is not the past: the five erased people, mapped until yesterday, count no more.
    assert _mapped_today(app) == mapped_today - 5

    # Idempotent: nothing left to remove, nothing new in the audit log.
    again = runner.invoke(args=["maintenance"])
    assert again.exit_code == 0, again.output
    assert all(": 0 " in line for line in again.stdout.splitlines()), again.output
    assert _state(app, ids) == after
    with app.app_context():
        from survey.audit.models import AuditEntry
        from survey.extensions import db

        entries = db.session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "retention")
        ).all()
    assert sorted(entry["rule"] for entry in entries) == [
        "abandoned drafts",
        "audit entries",
        "outbox messages",
        "people who left",
        "used invitations",
    ]
