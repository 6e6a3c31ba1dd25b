"""Fixtures for the administration pages: a logged-in administrator driving the test client."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import Respondent, login_as, make_person

ADMIN_EMAIL = "hanne.hr@kommune.no"


@pytest.fixture
def admin_id(app):
    return make_person(app, "admin", email=ADMIN_EMAIL, name="Hanne Personalsjef")


@pytest.fixture
def admin(app, client, admin_id):
    """A browser logged in as an administrator; `admin.post` adds the page's CSRF token."""
    login_as(client, app, admin_id)
    return Respondent(client)


def audit_entries(app, action=None):
    from survey.audit.models import AuditEntry
    from survey.extensions import db

    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        return [
            {
                "action": e.action,
                "actor_id": e.actor_id,
                "subject_id": e.subject_id,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "detail": e.detail,
            }
            for e in db.session.scalars(query)
        ]
