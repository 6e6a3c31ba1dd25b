"""How `reporting_revision_facts` (survey/reporting/models.py) is filled: SQL from the JSON.

The typed columns are the `jsonsql` readers applied to the revision's JSON, gathered in one
view, `reporting_revision_json_facts`. An AFTER INSERT trigger on `living_revision` copies the
new revision's row of that view into the table and closes the period in force of the revision
it replaces; migration 0006 fills the table for the revisions saved before it.

Why triggers and not an SQLAlchemy flush listener: revisions are also inserted in bulk (the
synthetic municipalities of the tests and benchmarks, future imports), which bypasses flush
events, and a revision without its row would silently drop a person from every report. The
trigger runs for every insert, in the inserting transaction, on SQLite and PostgreSQL alike.
It costs about as much as the insert itself; saving a revision stays far below a millisecond.

The DDL is generated here from the readers and frozen in the migrations (a migration must not
change when the code does): `python -m survey.reporting.revision_facts sqlite|postgresql`
prints it. When a field is added, write a migration that adds the column and replaces the view
and the trigger with the new output. tests/reports/test_revision_facts.py checks that the rows
the installed trigger writes equal what the current readers compute, so the two cannot drift
apart unnoticed."""

from __future__ import annotations

import sys

from sqlalchemy import case, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from survey.living.models import LivingDocument, Revision
from survey.reporting import jsonsql
from survey.reporting.models import (
    LIST_FIELDS,
    NUMBER_FIELDS,
    TEXT_FIELDS,
    YES_NO_FIELDS,
    RevisionFacts,
    list_column,
    number_column,
)

TABLE = RevisionFacts.__table__
VIEW = "reporting_revision_json_facts"
TRIGGER = "reporting_revision_facts_fill"
FIELD_COLUMNS = [c.name for c in TABLE.c if c.name not in ("valid_until",)]


def yes_no(value):
    """classify._yes_no: a JSON boolean, or the text 'yes'/'no'."""
    word = jsonsql.text(value)
    return func.coalesce(
        jsonsql.boolean(value),
        case((word == "yes", literal(1)), (word == "no", literal(0))),
    )


def json_columns(data) -> list:
    """The typed field columns, read from the JSON column `data`, labelled as in the table."""
    return [
        *(
            jsonsql.number(jsonsql.raw(data, field)).label(number_column(field))
            for field in NUMBER_FIELDS
        ),
        *(jsonsql.text(jsonsql.raw(data, field)).label(field) for field in TEXT_FIELDS),
        *(yes_no(jsonsql.raw(data, field)).label(field) for field in YES_NO_FIELDS),
        *(
            jsonsql.array_has(jsonsql.raw(data, field), choice).label(list_column(field, choice))
            for field, (_, choices) in LIST_FIELDS.items()
            for choice in choices
        ),
    ]


def json_facts():
    """Every revision's row as the readers see it (the view's query)."""
    return select(
        Revision.id.label("revision_id"),
        Revision.document_id,
        LivingDocument.person_id,
        Revision.number,
        Revision.effective_on,
        *json_columns(Revision.data),
    ).join(LivingDocument, LivingDocument.id == Revision.document_id)


def _sql(statement, dialect) -> str:
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def ddl(dialect_name: str) -> dict[str, list[str]]:
    """'upgrade': view, trigger, backfill; 'downgrade': their removal."""
    dialect = postgresql.dialect() if dialect_name == "postgresql" else sqlite.dialect()
    columns = ", ".join(FIELD_COLUMNS)
    view_columns = ", ".join(f"v.{name}" for name in FIELD_COLUMNS)
    # The period in force ends where the next revision (by effective_on, then number) begins.
    later = "(effective_on, number) > ({on}, {number})"
    earlier = "(effective_on, number) < (NEW.effective_on, NEW.number)"
    close_replaced = (
        f"UPDATE {TABLE.name} SET valid_until = NEW.effective_on "
        f"WHERE document_id = NEW.document_id AND {earlier} "
        "AND (valid_until IS NULL OR valid_until > NEW.effective_on)"
    )
    insert_new = (
        f"INSERT INTO {TABLE.name} ({columns}, valid_until) SELECT {view_columns}, "
        f"(SELECT min(effective_on) FROM {TABLE.name} WHERE document_id = NEW.document_id "
        f"AND {later.format(on='NEW.effective_on', number='NEW.number')}) "
        f"FROM {VIEW} AS v WHERE v.revision_id = NEW.id"
    )
    backfill = (
        f"INSERT INTO {TABLE.name} ({columns}, valid_until) SELECT {view_columns}, "
        f"(SELECT min(effective_on) FROM living_revision WHERE document_id = v.document_id "
        f"AND {later.format(on='v.effective_on', number='v.number')}) FROM {VIEW} AS v"
    )
    view = f"CREATE VIEW {VIEW} AS {_sql(json_facts(), dialect)}"
    if dialect_name == "postgresql":
        trigger = [
            # As the owner (migration 0011): the app role may not UPDATE the facts.
            f"CREATE FUNCTION {TRIGGER}() RETURNS trigger AS $$ BEGIN "
            f"{close_replaced}; {insert_new}; RETURN NULL; END $$ LANGUAGE plpgsql "
            "SECURITY DEFINER SET search_path = public, pg_temp",
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON living_revision "
            f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()",
        ]
        drop = [
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON living_revision",
            f"DROP FUNCTION IF EXISTS {TRIGGER}()",
        ]
    else:
        trigger = [
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON living_revision "
            f"BEGIN {close_replaced}; {insert_new}; END"
        ]
        drop = [f"DROP TRIGGER IF EXISTS {TRIGGER}"]
    return {
        "upgrade": [view, *trigger, backfill],
        "downgrade": [*drop, f"DROP VIEW IF EXISTS {VIEW}"],
    }


if __name__ == "__main__":
    for part, statements in ddl(sys.argv[1] if len(sys.argv) > 1 else "sqlite").items():
        print(f"-- {part}")
        for statement in statements:
            print(statement + ";")
