"""Issue #10, item 13: answers kept from an earlier revision whose question no longer applies
are not counted, in the heltid report nor in classification.

The record of a mapping import is the previous record with the new columns over it
(survey/living/importing.py), so a person whose wish changes from «storre» to «samme» keeps
the willingness answers of the earlier revision. The guide asks them only when
`${stillingsprosent} < 100 and ${onsket_endring} = 'storre'`.

Hand count as of 31.12.2025 (everyone fast, helsefagarbeider, not leder):
- MORE: 6 people at 50 % who want 80 %, willing to take long shifts (yes) and ubundet tid (no).
- CHANGED: 5 people at 50 % who wanted 80 % with the same willingness answers (2025-01-01) and
  whose wish became «samme» on 2025-06-01; their old answers stay in the record.
- MOVED: 5 people at 40 % with «studier» as their reason (2025-01-01) who went to a 100 %
  position on 2025-06-01; the reason stays in the record, but is only asked below 100 %.
Counted: 16 (no one left out: the reasons of MOVED no longer apply). Want a larger position,
part time: 6 (the willingness heading N). Long shifts: yes 6 of N 6 (100,0 %), not 11 of 11;
ubundet tid: yes 0 of N 6. Before the fix the report counted 11 and left MOVED out as
students (N = 11)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from survey.accounts.models import Person, Unit
from survey.extensions import db
from survey.living import services
from survey.living.models import Source

BASE = {
    "ansettelsesform": "fast",
    "leder": "no",
    "yrkesgruppe": "helsefagarbeider",
}
WANTS_MORE = {
    "stillingsprosent": 50,
    "onsket_endring": "storre",
    "onsket_prosent": 80,
    "villig_langvakter": "yes",
    "ubundet_tid": "no",
    "arsaker_deltid": ["ikke_tilbudt"],
}
STUDENT = {"stillingsprosent": 40, "onsket_endring": "samme", "arsaker_deltid": ["studier"]}
# (count, revisions as (effective_on, the fields that change)); each revision keeps the
# previous record's fields, as a mapping import does.
GROUPS = {
    "MORE": (6, [("2025-01-01", WANTS_MORE)]),
    "CHANGED": (5, [("2025-01-01", WANTS_MORE), ("2025-06-01", {"onsket_endring": "samme"})]),
    "MOVED": (5, [("2025-01-01", STUDENT), ("2025-06-01", {"stillingsprosent": 100})]),
}


@pytest.fixture
def changed_wishes(app):
    with app.app_context():
        unit = Unit(code="enhet", name="Enheten")
        db.session.add(unit)
        db.session.flush()
        number = 3000
        for group, (count, revisions) in GROUPS.items():
            for _ in range(count):
                number += 1
                person = Person(name=f"{group} {number}", ansattnummer=str(number), unit=unit)
                db.session.add(person)
                db.session.flush()
                document = services.document_for(person)
                record = dict(BASE)
                for base, (day, changes) in enumerate(revisions):
                    record = {**record, **changes}
                    services.save_revision(
                        document,
                        record,
                        base=base,
                        author=None,
                        author_role="import",
                        source=Source.IMPORT,
                        effective_on=dt.date.fromisoformat(day),
                    )
        db.session.commit()


def _csv_rows(runner, tmp_path) -> list[list[str]]:
    out = tmp_path / "heltid.csv"
    result = runner.invoke(
        args=["report", "heltid", "--as-of", "2025-12-31", "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))


def _row(rows, label):
    found = [row for row in rows if row and row[0] == label]
    assert found, (label, rows)
    return found[0]


@pytest.mark.usefixtures("changed_wishes")
def test_willingness_rows_count_only_answers_that_apply(runner, tmp_path):
    rows = _csv_rows(runner, tmp_path)
    # The heading's N: part-timers who want a larger position now.
    assert _row(rows, "Willing to work more in other ways")[1] == "N = 6"
    # Measure; Yes; N; ...: the rows count the same 6 people, not also the 5 whose wish
    # changed to «samme».
    assert _row(rows, "Long shifts")[1:3] == ["6", "6"]
    assert _row(rows, "Unscheduled time (ubundet tid)")[1:3] == ["0", "6"]


@pytest.mark.usefixtures("changed_wishes")
def test_reasons_that_no_longer_apply_leave_nobody_out(runner, tmp_path):
    """MOVED are at 100 % now: their old «studier» does not leave them out as students."""
    rows = _csv_rows(runner, tmp_path)
    assert _row(rows, "Position size (stillingsstørrelse)")[1] == "N = 16"


def test_the_record_page_leaves_out_only_by_answers_that_apply(app, changed_wishes):
    """What the record page says of a MOVED person: not left out as a student."""
    from survey.living.presenting import record_view

    with app.test_request_context():
        person = db.session.scalars(select(Person).where(Person.name.startswith("MOVED"))).first()
        data = services.current_revision(services.document_for(person)).data
        assert data["arsaker_deltid"] == ["studier"]  # kept in the history
        assert record_view(data, "en")["excluded"] == []


def test_sql_guards_agree_with_counted_on_random_records(app):
    """The compiled guards (relevance_sql) against the engine's relevance (counted()): a fact
    column is NULL in the report's rows wherever counted() drops its field, and holds the
    stored answer wherever counted() keeps it."""
    import random

    from survey.living.relevance import counted
    from survey.reporting.facts import FACTS, facts
    from survey.reporting.models import (
        LIST_FIELDS,
        NUMBER_FIELDS,
        TEXT_FIELDS,
        YES_NO_FIELDS,
        list_column,
        number_column,
    )
    from tests.reports.test_sql_and_rendering import random_record, store_records

    rng = random.Random(13)
    records = [random_record(rng) for _ in range(300)]
    with app.app_context():
        store_records(records, name="R")
        f = facts(dt.date(2025, 6, 1), None, [])
        rows = db.session.execute(
            select(Person.ansattnummer, f).join(f, f.c.person_id == Person.id)
        ).mappings()
        stored = {
            row["person_id"]: row
            for row in db.session.execute(select(FACTS)).mappings()  # every answer, unguarded
        }
        checked = 0
        for row in rows:
            record = records[int(row["ansattnummer"][1:])]
            kept = counted(record)
            columns = {
                **{field: [number_column(field)] for field in NUMBER_FIELDS},
                **{field: [field] for field in (*TEXT_FIELDS, *YES_NO_FIELDS)},
                **{
                    field: [list_column(field, choice) for choice in choices]
                    for field, (_, choices) in LIST_FIELDS.items()
                },
            }
            for field, names in columns.items():
                if field in record and field not in kept:
                    assert all(row[name] is None for name in names), (field, record)
                    checked += 1
                else:
                    raw = stored[row["person_id"]]
                    assert [row[n] for n in names] == [raw[n] for n in names], (field, record)
        assert checked > 100  # the random records do carry answers that no longer apply
