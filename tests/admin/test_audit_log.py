"""Searching the audit log as HR."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.conftest import make_person

ROW_RE = re.compile(r"<tbody>(.*?)</tbody>", re.S)


def _rows(html: str) -> list[str]:
    match = ROW_RE.search(html)
    return re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S) if match else []


@pytest.fixture
def log(app, admin_id):
    """A small log: a colleague read Berit's data in 2024 and exported it in 2025; Berit
    logged in; and an entry about someone erased long ago."""
    from survey.audit.models import AuditEntry
    from survey.extensions import db

    berit = make_person(app, email="berit@kommune.no", name="Berit Bakke")
    leader = make_person(app, "prosjektleder", email="leder@kommune.no", name="Lars Leder")

    def at(day):
        return dt.datetime.combine(day, dt.time(12), dt.UTC)

    with app.app_context():
        db.session.add_all(
            [
                AuditEntry(
                    at=at(dt.date(2024, 5, 2)),
                    action="read",
                    actor_id=leader,
                    subject_id=berit,
                    object_type="person",
                    object_id=str(berit),
                ),
                AuditEntry(
                    at=at(dt.date(2025, 1, 15)),
                    action="export",
                    actor_id=leader,
                    subject_id=berit,
                    detail={"format": "json"},
                ),
                AuditEntry(
                    at=at(dt.date(2025, 3, 1)), action="login", actor_id=berit, subject_id=berit
                ),
                AuditEntry(
                    at=at(dt.date(2025, 3, 2)), action="login", actor_id=4242, subject_id=4242
                ),
            ]
        )
        db.session.commit()
    return {"berit": berit, "leader": leader}


def test_audit_log_lists_newest_first_with_names(admin, log):
    admin.get("/admin/logg")
    assert admin.last.status_code == 200
    rows = _rows(admin.html)
    assert len(rows) == 4
    assert "#4242" in rows[0]  # an erased person is named by number
    assert "Berit Bakke" in rows[1]
    assert "Lars Leder" in rows[2] and "format: json" in rows[2]
    assert "Lars Leder" in rows[3] and "Berit Bakke" in rows[3]
    assert "730" in admin.html  # the retention time is shown


def test_filter_by_person_number_or_email(admin, log):
    admin.get(f"/admin/logg?person={log['berit']}")
    assert len(_rows(admin.html)) == 3
    admin.get("/admin/logg?person=BERIT@kommune.no")
    assert len(_rows(admin.html)) == 3
    admin.get("/admin/logg?person=4242")
    assert len(_rows(admin.html)) == 1


def test_filter_by_actor_and_action(admin, log):
    admin.get("/admin/logg?actor=leder@kommune.no")
    assert len(_rows(admin.html)) == 2
    admin.get(f"/admin/logg?actor={log['leader']}&action=export")
    [row] = _rows(admin.html)
    assert "format: json" in row
    admin.get("/admin/logg?action=login")
    assert len(_rows(admin.html)) == 2


def test_filter_by_dates(admin, log):
    admin.get("/admin/logg?since=2025-01-01&until=2025-03-01")
    rows = _rows(admin.html)
    assert len(rows) == 2  # the export and Berit's log-in; the until day is included
    admin.get("/admin/logg?until=2024-12-31")
    assert len(_rows(admin.html)) == 1


@pytest.mark.parametrize(
    "query, field",
    [
        ("since=31.12.2024", "since"),
        ("until=2025-02-30", "until"),
        ("since=2025-03-01&until=2025-01-01", "until"),
        ("person=nobody@kommune.no", "person"),
        ("actor=Lars", "actor"),
    ],
)
def test_bad_search_gives_a_clear_message_and_no_results(admin, log, query, field):
    admin.get(f"/admin/logg?{query}")
    assert admin.last.status_code == 422
    assert f'id="{field}-error"' in admin.html
    assert _rows(admin.html) == []
