"""The audit log as the people in it see it: a scripted day with logging in, reading an
employee's page and downloading one's own data; the log cannot be rewritten, and the purge
removes only what is older than the retention period."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from survey.db import utcnow
from tests.conftest import make_person
from tests.security.conftest import (
    WRONG_PASSWORD_MESSAGE,
    audit_rows,
    english,
    log_in,
    text_of,
)


def readers_section(page: str) -> str:
    """The «Who has read your data» part of my page."""
    match = re.search(r"<h2[^>]*>\s*Who has read your data\s*</h2>(.*?)<h2", page, re.DOTALL)
    assert match, "my page has no «Who has read your data» section"
    return match.group(1)


def test_a_day_in_the_audit_log(app):
    admin = make_person(app, "admin", email="admin@example.no", name="Anne Admin")
    leader = make_person(
        app, "enhetsleder", unit="enhet_a", email="leder.a@example.no", name="Lars Leder"
    )
    other_leader = make_person(
        app, "enhetsleder", unit="enhet_b", email="leder.b@example.no", name="Berit Bleder"
    )
    project_leader = make_person(
        app, "prosjektleder", email="pl@example.no", name="Pia Prosjektleder"
    )
    employee = make_person(
        app, "ansatt", unit="enhet_a", email="xenia@example.no", name="Xenia Ansatt"
    )
    assert audit_rows(app) == []  # creating people in tests writes nothing
    clients = {}

    def client_for(person_id: int):
        return clients.setdefault(person_id, english(app.test_client()))

    # 1. The administrator logs in.
    assert log_in(client_for(admin), "admin@example.no").status_code == 302
    # 2. Someone tries Xenia's address with a wrong password.
    stranger = english(app.test_client())
    response = log_in(stranger, "xenia@example.no", "kanskje dette er passordet")
    assert WRONG_PASSWORD_MESSAGE in text_of(response)
    # 3. Xenia's unit leader reads her page.
    assert log_in(client_for(leader), "leder.a@example.no").status_code == 302
    page = client_for(leader).get(f"/personer/{employee}")
    assert page.status_code == 200 and "Xenia Ansatt" in text_of(page)
    assert "the employee can see that you read it" in text_of(page)
    # 4. The leader of another unit cannot, and that leaves no "read" behind.
    assert log_in(client_for(other_leader), "leder.b@example.no").status_code == 302
    assert client_for(other_leader).get(f"/personer/{employee}").status_code == 404
    # 5. The project leader reads her page too.
    assert log_in(client_for(project_leader), "pl@example.no").status_code == 302
    assert client_for(project_leader).get(f"/personer/{employee}").status_code == 200
    # 6. Xenia logs in and downloads everything stored about her.
    xenia = client_for(employee)
    assert log_in(xenia, "xenia@example.no").status_code == 302
    download = xenia.get("/meg/data.json")
    assert download.status_code == 200
    assert download.mimetype == "application/json"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(download.get_data(as_text=True))
    assert data["person"]["name"] == "Xenia Ansatt"
    readers_in_download = [
        (e["action"], e["actor_id"]) for e in data["audit_log"] if e["action"] == "read"
    ]
    assert readers_in_download == [("read", leader), ("read", project_leader)]

    assert audit_rows(app) == [
        ("login", admin, admin),
        ("login_failed", None, employee),
        ("login", leader, leader),
        ("read", leader, employee),
        ("login", other_leader, other_leader),
        ("login", project_leader, project_leader),
        ("read", project_leader, employee),
        ("login", employee, employee),
        ("export", employee, employee),
    ]

    # Xenia's page names both readers, and nobody else: not her own download, not the
    # administrator (who only logged in), not the leader who was refused.
    readers = readers_section(text_of(xenia.get("/meg/")))
    assert "Lars Leder" in readers
    assert "Pia Prosjektleder" in readers
    assert len(re.findall(r"<li[\s>]", readers)) == 2
    for name in ("Anne Admin", "Berit Bleder", "Xenia Ansatt"):
        assert name not in readers
    # Looking at one's own page is not a "read" by someone else.
    assert len(audit_rows(app)) == 9

    # The project leader's page, by contrast, nobody has read.
    own = text_of(client_for(project_leader).get("/meg/"))
    assert "Nobody but you has read your data." in readers_section(own)


def _an_entry(app) -> int:
    from survey.audit.services import record
    from survey.extensions import db

    with app.app_context():
        entry = record("read", actor_id=1, subject_id=2, object_type="person", object_id=2)
        db.session.commit()
        return entry.id


REFUSED = "append-only|permission denied for table audit_entry"


def test_audit_entries_cannot_be_changed(app):
    """The trigger refuses (SQLite; the owner on PostgreSQL, tests/security/
    test_history_append_only.py); on PostgreSQL the app role has no UPDATE at all."""
    from survey.audit.models import AuditEntry
    from survey.extensions import db

    entry_id = _an_entry(app)
    with app.app_context():
        with pytest.raises(DBAPIError, match=REFUSED):
            db.session.execute(
                text("UPDATE audit_entry SET actor_id = 99, action = 'nothing' WHERE id = :id"),
                {"id": entry_id},
            )
        db.session.rollback()

        entry = db.session.get(AuditEntry, entry_id)
        entry.subject_id = 99
        with pytest.raises(DBAPIError, match=REFUSED):
            db.session.commit()
        db.session.rollback()

    with app.app_context():
        row = db.session.execute(
            select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.subject_id)
        ).all()
        assert [tuple(r) for r in row] == [("read", 1, 2)]


@pytest.mark.parametrize("retention_days", [None, 30])
def test_purge_deletes_only_entries_older_than_the_retention_period(app, runner, retention_days):
    from survey.audit.models import AuditEntry
    from survey.extensions import db

    if retention_days is not None:
        app.config["AUDIT_RETENTION_DAYS"] = retention_days
    days = app.config["AUDIT_RETENTION_DAYS"]
    now = utcnow()
    ages = {
        "very old": dt.timedelta(days=days + 400),
        "just too old": dt.timedelta(days=days, hours=1),
        "just young enough": dt.timedelta(days=days, hours=-1),
        "yesterday": dt.timedelta(days=1),
        "now": dt.timedelta(0),
    }
    with app.app_context():
        for label, age in ages.items():
            db.session.add(AuditEntry(action="read", at=now - age, detail={"label": label}))
        db.session.commit()

    result = runner.invoke(args=["audit", "purge"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"deleted 2 entries older than {days} days"

    with app.app_context():
        left = [e.detail["label"] for e in db.session.scalars(select(AuditEntry).order_by("id"))]
    assert left == ["just young enough", "yesterday", "now"]

    # Running it again deletes nothing more.
    again = runner.invoke(args=["audit", "purge"])
    assert again.output.strip() == f"deleted 0 entries older than {days} days"
