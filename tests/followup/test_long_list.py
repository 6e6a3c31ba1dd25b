"""A long list: the page shows the first PAGE_LIMIT cards and says so; N counts everyone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, insert, select

from survey.audit.models import AuditEntry
from survey.followup.views import PAGE_LIMIT
from tests.conftest import login_as, make_person


def test_the_page_shows_the_first_cards_and_counts_everyone(app, client):
    from survey.accounts.models import Person, Unit
    from survey.extensions import db
    from survey.living.models import LivingDocument, Revision, Source
    from survey.roster.models import Position

    count = PAGE_LIMIT + 50
    with app.app_context():
        unit = Unit(code="lang", name="Lang avdeling")
        db.session.add(unit)
        db.session.flush()
        ids = range(10_000, 10_000 + count)
        db.session.execute(
            insert(Person),
            [{"id": i, "name": f"Person {i}", "unit_id": unit.id} for i in ids],
        )
        db.session.execute(
            insert(Position),
            [
                {
                    "person_id": i,
                    "unit_id": unit.id,
                    "yrkesgruppe": "helsefagarbeider",
                    "stillingsprosent": Decimal(50),
                    "ansettelsesform": "fast",
                }
                for i in ids
            ],
        )
        db.session.execute(insert(LivingDocument), [{"id": i, "person_id": i} for i in ids])
        db.session.execute(
            insert(Revision),
            [
                {
                    "document_id": i,
                    "number": 1,
                    "effective_on": dt.date.today(),
                    "author_role": "ansatt",
                    "source": Source.CONVERSATION,
                    "data": {"stillingsprosent": 50, "onsket_endring": "storre"},
                    "changed_fields": [],
                }
                for i in ids
            ],
        )
        db.session.commit()
    leader = make_person(app, "prosjektleder")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_as(client, app, leader)
    page = client.get("/oppfolging/").get_data(as_text=True)
    assert f"N = {count} people" in page
    assert page.count("/oppfolging/1") == PAGE_LIMIT  # every card links to /oppfolging/10…
    assert f"Showing the first {PAGE_LIMIT}." in page
    with app.app_context():
        reads = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "read")
        )
        assert reads == PAGE_LIMIT  # only what was shown was read
