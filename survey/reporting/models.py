"""The report fields of every living-document revision, typed, one row per revision.

Reports count tens of thousands of people on several days. Reading a dozen answer fields out
of each revision's JSON at report time cost more than everything else together (SQLite parses
the JSON text again for every field; PostgreSQL decompresses the jsonb for every field), so the
fields are read once, when the revision is saved, into `reporting_revision_facts`:

- typed columns with exactly the meaning `survey.reporting.jsonsql` gives the JSON (a number
  stored as text is NULL, not a number; `true` and "yes" are 1), so the SQL classification
  still agrees with `survey.classification.classify` (tests/reports/test_sql_and_rendering.py);
- the revision's period in force, `effective_on` up to (not including) `valid_until` (NULL:
  still in force), so "the state on a day" is a range condition on one table instead of a
  newest-revision-per-document lookup, and all the year-ends of a trend come out of one query.
  A revision whose `valid_until` equals its `effective_on` never was in force (a later revision
  took effect the same day).

The rows are written by database triggers on `living_revision` (see `revision_facts.py` and
migration 0006), not by the application, so no way of inserting revisions (the ORM, a bulk
insert, an import, psql) can leave a revision without its row, and the row is written in the
same transaction. Revisions are append-only, so a row never changes after it is written, except
for `valid_until`, which the trigger sets when a later revision takes effect.

Erasing a person (survey/admin/erasure.py) deletes their revisions, and the rows go with them
(migration 0011's function); first the erasure writes an anonymous copy of each row: no
person, a negative revision and document id no live revision has, the person's unit and
kjønn as they were, and in force until the day of the erasure at the latest, so the aggregate
figures of past days stay the same (the privacy statement's promise) while nothing leads back
to the person and the days after no longer count them."""

from __future__ import annotations

from sqlalchemy import Column, Date, Float, ForeignKey, Index, Integer, SmallInteger, String, Table

from survey.db import Base

NUMBER_FIELDS = ("stillingsprosent", "onsket_prosent", "onsket_prosent_mindre", "oppstart_uker")
TEXT_FIELDS = (
    "onsket_endring",
    "yrkesgruppe",
    "ansettelsesform",
    "villig_helger",
    "villig_andre_enheter",
)
YES_NO_FIELDS = (
    "leder",
    "onsket_fast",
    "villig_langvakter",
    "tar_ledige_vakter",
    "ubundet_tid",
    "fagbrev",
    "venter_barnehageplass",
    "onske_skriftlig",
    "kvalifisert",
    "forsokt_flere_timer",
)
# Choices of multiple-choice fields, one 1/0/NULL column each (NULL: the field is not a list).
SHIFTS = ("dag", "kveld", "natt")  # andre_vakter
# The choices of arsaker_deltid in kartleggingssamtale.yaml / heltid-arlig.yaml.
REASONS = (
    "helse",
    "omsorg",
    "studier",
    "jobb_annet_sted",
    "okonomi_nok",
    "for_toft",
    "helgearbeid",
    "ikke_tilbudt",
    "pensjon",
    "fritid",
)
LIST_FIELDS = {"andre_vakter": ("vakt", SHIFTS), "arsaker_deltid": ("arsak", REASONS)}


# Set on an erased person's anonymous copies only (survey/admin/erasure.py), never by the
# trigger: what the report otherwise reads from the person.
ERASED_COLUMNS = ("unit_id", "kjonn")


def number_column(field: str) -> str:
    return "stilling" if field == "stillingsprosent" else field


def list_column(field: str, choice: str) -> str:
    return f"{LIST_FIELDS[field][0]}_{choice}"


def _field_columns() -> list[Column]:
    return [
        *(Column(number_column(field), Float) for field in NUMBER_FIELDS),
        *(Column(field, String) for field in TEXT_FIELDS),
        *(Column(field, SmallInteger) for field in YES_NO_FIELDS),
        *(
            Column(list_column(field, choice), SmallInteger)
            for field, (_, choices) in LIST_FIELDS.items()
            for choice in choices
        ),
    ]


class RevisionFacts(Base):
    """Written by triggers only; read through `RevisionFacts.__table__.c` in SQL.

    The columns are generated from the field lists above (the report's vocabulary), which is
    why the table is declared as a `Table` rather than one annotated attribute per field."""

    __table__ = Table(
        "reporting_revision_facts",
        Base.metadata,
        # No foreign key: an erased person's rows outlive their revisions (see below).
        Column("revision_id", Integer, primary_key=True, autoincrement=False),
        Column("document_id", Integer, nullable=False),
        Column("person_id", Integer),
        # Set on erased rows only: the person's unit and kjønn when they were erased.
        Column("unit_id", Integer, ForeignKey("unit.id", ondelete="SET NULL")),
        Column("kjonn", String(20)),
        Column("number", Integer, nullable=False),
        Column("effective_on", Date, nullable=False),
        Column("valid_until", Date),
        *_field_columns(),
        Index("ix_reporting_revision_facts_document", "document_id", "effective_on", "number"),
    )
