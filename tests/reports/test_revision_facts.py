"""`reporting_revision_facts`: what the triggers of migration 0006 write, and its backfill, equal
what the current JSON readers compute; the period in force agrees with `state_on`."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
from pathlib import Path

from sqlalchemy import delete, select, text

from survey.accounts.models import Person
from survey.extensions import db
from survey.living import services
from survey.living.models import Source
from survey.reporting.facts import FACTS
from survey.reporting.models import ERASED_COLUMNS
from survey.reporting.revision_facts import json_facts
from tests.reports.test_sql_and_rendering import random_record

MIGRATION = next(
    (Path(__file__).resolve().parents[2] / "survey/migrations/versions").glob("0006_*.py")
)


def _save_history(rng: random.Random, people: int) -> list:
    """Documents with 1–4 revisions whose effective days come in any order, some the same day
    (a historical import saved after the current record)."""
    documents = []
    for index in range(people):
        person = Person(name=f"P{index}", ansattnummer=f"H{index}")
        db.session.add(person)
        db.session.flush()
        document = services.document_for(person)
        for number in range(rng.randint(1, 4)):
            services.save_revision(
                document,
                random_record(rng),
                base=number,
                author=None,
                author_role="import",
                source=Source.IMPORT,
                effective_on=dt.date(2024, rng.choice((1, 3, 3, 6, 9)), 1),
            )
        documents.append(document)
    db.session.commit()
    return documents


def _rows(query) -> dict:
    return {row.revision_id: tuple(row) for row in db.session.execute(query)}


def test_trigger_rows_equal_the_json_readers_and_periods_match_state_on(app):
    rng = random.Random(6)
    with app.app_context():
        documents = _save_history(rng, 120)
        readers = json_facts().subquery()
        # valid_until is the trigger's; the erased-only columns are the erasure's.
        written = [c for c in FACTS.c if c.name not in ("valid_until", *ERASED_COLUMNS)]
        expected = _rows(select(*(readers.c[c.name] for c in written)))
        stored = _rows(select(*written))
        assert len(stored) == len(expected) > 120
        assert stored == expected
        f = FACTS.c
        for day in (dt.date(2023, 12, 31), dt.date(2024, 3, 1), dt.date(2024, 7, 1)):
            in_force = dict(
                db.session.execute(
                    select(f.document_id, f.revision_id).where(
                        f.effective_on <= day, (f.valid_until.is_(None)) | (f.valid_until > day)
                    )
                ).all()
            )
            for document in documents:
                revision = services.state_on(document, day)
                assert in_force.get(document.id) == (revision.id if revision else None)


def test_migration_backfill_writes_the_same_rows(owner_app):
    """As the owner, who runs migrations: the app role may not delete facts."""
    app = owner_app
    rng = random.Random(7)
    with app.app_context():
        _save_history(rng, 40)
        written = _rows(select(FACTS))
        db.session.execute(delete(FACTS))
        assert not _rows(select(FACTS))
        spec = importlib.util.spec_from_file_location("migration_0006", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        postgresql = db.engine.dialect.name == "postgresql"
        backfill = (migration.POSTGRESQL_UPGRADE if postgresql else migration.SQLITE_UPGRADE)[-1]
        assert backfill.lstrip().startswith("INSERT INTO reporting_revision_facts")
        db.session.execute(text(backfill))
        assert _rows(select(FACTS)) == written
        db.session.rollback()
