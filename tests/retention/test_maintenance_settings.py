"""The settings of `survey maintenance`: 0 keeps, a failing rule leaves the others done."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from survey.config import from_environment

OLD = dt.datetime.now(dt.UTC) - dt.timedelta(days=1000)


def _old_audit_entries(app) -> int:
    from survey.audit.models import AuditEntry
    from survey.extensions import db

    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.at < OLD + dt.timedelta(days=1))
        )


def _add_old_audit_entry(app) -> None:
    from survey.audit.models import AuditEntry
    from survey.extensions import db

    with app.app_context():
        db.session.add(AuditEntry(at=OLD, action="read", actor_id=1, subject_id=2))
        db.session.commit()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_zero_keeps_and_a_failing_rule_leaves_the_others_done(app, runner):
    _add_old_audit_entry(app)
    app.config.update(AUDIT_RETENTION_DAYS=0)
    result = runner.invoke(args=["maintenance"])
    assert result.exit_code == 0, result.output
    assert "audit entries: kept (AUDIT_RETENTION_DAYS = 0)" in result.stdout
    assert _old_audit_entries(app) == 1

    # Below the purge's floor of 30 days: that rule fails, the others still run, exit 1.
    app.config.update(AUDIT_RETENTION_DAYS=10)
    result = runner.invoke(args=["maintenance"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    assert lines[-1].startswith("AUDIT_RETENTION_DAYS: FAILED, nothing removed")
    assert all("FAILED" not in line for line in lines[:-1])
    assert _old_audit_entries(app) == 1


def test_retention_settings_from_the_environment(monkeypatch):
    for name, value in {
        "DRAFT_RETENTION_DAYS": "30",
        "INVITATION_RETENTION_DAYS": "0",
        "OUTBOX_RETENTION_DAYS": "60",
        "LEFT_PERSON_RETENTION_DAYS": "730",
        "AUDIT_RETENTION_DAYS": "400",
    }.items():
        monkeypatch.setenv(name, value)
    values = from_environment()
    assert values["DRAFT_RETENTION_DAYS"] == 30
    assert values["INVITATION_RETENTION_DAYS"] == 0
    assert values["OUTBOX_RETENTION_DAYS"] == 60
    assert values["LEFT_PERSON_RETENTION_DAYS"] == 730
    assert values["AUDIT_RETENTION_DAYS"] == 400


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_campaign_waiting_to_open_keeps_its_links(app, runner):
    """Invitations made long before a campaign opens are not a campaign that has ended."""
    from survey.campaigns.models import Invitation
    from survey.campaigns.services import create_campaign
    from survey.db import unit_of_work
    from survey.extensions import db

    today = dt.date.today()
    with app.app_context(), unit_of_work():
        waiting = create_campaign("heltid-arlig", "anonymous", "Neste år")
        waiting.opens_on, waiting.closes_on = today + dt.timedelta(days=30), None
        ended = create_campaign("heltid-arlig", "anonymous", "I fjor")
        ended.is_open = False
        db.session.flush()
        for number, campaign in enumerate((waiting, ended)):
            db.session.add(
                Invitation(
                    campaign_id=campaign.id,
                    token_hash=f"{number:064d}",
                    token_salt="salt",
                    created_on=today - dt.timedelta(days=200),
                )
            )
    result = runner.invoke(args=["maintenance"])
    assert "used invitations: 1 invitations" in result.stdout, result.output
    with app.app_context():
        salts = dict(
            db.session.execute(select(Invitation.campaign_id, Invitation.token_salt)).all()
        )
    assert salts == {waiting.id: "salt", ended.id: None}
