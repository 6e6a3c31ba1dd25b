"""audit_entry and living_revision refuse DELETE, except the audit purge and an erasure

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 21:00:00

0002 and 0004 made both tables refuse UPDATE; a DELETE still went through. Now a BEFORE DELETE
trigger refuses it too, on PostgreSQL and SQLite alike, unless a row in `history_permit` allows
that very row:

- `kind = 'audit_purge'` with `audit_before`: the retention purge may delete audit entries
  older than its cutoff, and only those (the trigger compares each row's `at`, so a purge
  with a wrong WHERE still cannot remove a recent entry);
- `kind = 'erasure'` with `person_id`: an erasure may delete the revisions of that person's
  living document, or of a document already deleted in the same transaction (the ON DELETE
  CASCADE from person → living_document → living_revision runs after the parent row is gone).

The same erasure permit lets the UPDATE trigger of 0004 through for one change only: the
erased person's `author_id` on revisions they wrote in other people's documents becoming NULL
(the foreign key's ON DELETE SET NULL, which both databases run as an UPDATE that the old
trigger refused, so erasing a project leader who had held conversations failed). Every other
column must stay as it was: on PostgreSQL the whole row is compared as JSON minus `author_id`
(a column added later is covered too); SQLite has no row value, so its trigger lists the columns.

Why a table and not a session setting (`SET LOCAL heltid.…` on PostgreSQL): SQLite has no
session variables, and one mechanism on both databases means one trigger logic and one set of
tests. The permit is as short-lived as `SET LOCAL`: `survey.audit.services.history_permit`
inserts it and deletes it again inside the caller's transaction, so it is never committed,
other connections never see it (both databases hide uncommitted rows), and a failure rolls it
back. TRUNCATE and DROP, which only the database owner runs, are outside what triggers see.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

AUDIT_ALLOWED = (
    "EXISTS (SELECT 1 FROM history_permit p "
    "WHERE p.kind = 'audit_purge' AND OLD.at < p.audit_before)"
)
REVISION_ALLOWED = (
    "EXISTS (SELECT 1 FROM history_permit p WHERE p.kind = 'erasure' AND ("
    "NOT EXISTS (SELECT 1 FROM living_document d WHERE d.id = OLD.document_id) "
    "OR EXISTS (SELECT 1 FROM living_document d "
    "WHERE d.id = OLD.document_id AND d.person_id = p.person_id)))"
)
AUDIT_MESSAGE = "audit_entry is append-only: only the retention purge deletes expired entries"
REVISION_MESSAGE = "living_revision is append-only: only an erasure deletes revisions"
AUTHOR_ERASED = (
    "NEW.author_id IS NULL AND EXISTS (SELECT 1 FROM history_permit p "
    "WHERE p.kind = 'erasure' AND p.person_id = OLD.author_id)"
)
REVISION_COLUMNS = [
    "id",
    "document_id",
    "number",
    "created_at",
    "effective_on",
    "author_role",
    "source",
    "questionnaire_id",
    "questionnaire_version",
    "data",
    "changed_fields",
    "note",
]


def upgrade() -> None:
    op.create_table(
        "history_permit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("audit_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_permit")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table, allowed, message in (
            ("audit_entry", AUDIT_ALLOWED, AUDIT_MESSAGE),
            ("living_revision", REVISION_ALLOWED, REVISION_MESSAGE),
        ):
            op.execute(
                f"CREATE FUNCTION {table}_delete_guard() RETURNS trigger AS $$ "
                f"BEGIN IF {allowed} THEN RETURN OLD; END IF; "
                f"RAISE EXCEPTION '{message}'; END $$ LANGUAGE plpgsql"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_delete_guard()"
            )
        op.execute(
            "CREATE OR REPLACE FUNCTION living_revision_append_only() RETURNS trigger AS $$ "
            f"BEGIN IF {AUTHOR_ERASED} "
            "AND to_jsonb(NEW) - 'author_id' = to_jsonb(OLD) - 'author_id' THEN RETURN NEW; END IF; "
            "RAISE EXCEPTION 'living_revision is append-only'; END $$ LANGUAGE plpgsql"
        )
    else:
        for table, allowed, message in (
            ("audit_entry", AUDIT_ALLOWED, AUDIT_MESSAGE),
            ("living_revision", REVISION_ALLOWED, REVISION_MESSAGE),
        ):
            op.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"WHEN NOT {allowed} BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        unchanged = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in REVISION_COLUMNS)
        op.execute("DROP TRIGGER living_revision_no_update")
        op.execute(
            "CREATE TRIGGER living_revision_no_update BEFORE UPDATE ON living_revision "
            f"WHEN NOT ({AUTHOR_ERASED} AND {unchanged}) "
            "BEGIN SELECT RAISE(ABORT, 'living_revision is append-only'); END"
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(
            "CREATE OR REPLACE FUNCTION living_revision_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'living_revision is append-only'; END $$ LANGUAGE plpgsql"
        )
    else:
        op.execute("DROP TRIGGER living_revision_no_update")
        op.execute(
            "CREATE TRIGGER living_revision_no_update BEFORE UPDATE ON living_revision "
            "BEGIN SELECT RAISE(ABORT, 'living_revision is append-only'); END"
        )
    for table in ("audit_entry", "living_revision"):
        op.execute(
            f"DROP TRIGGER IF EXISTS {table}_no_delete" + (f" ON {table}" if postgresql else "")
        )
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {table}_delete_guard()")
    op.drop_table("history_permit")
