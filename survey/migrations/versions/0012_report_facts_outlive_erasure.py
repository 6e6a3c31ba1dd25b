"""report facts outlive an erasure: no foreign key to the revision, unit and kjønn on the row

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 19:05:00

Erasing a person deletes their living document and its revisions, and their rows in
`reporting_revision_facts` went with them (ON DELETE CASCADE): the heltid report's figures of
past days changed after an erasure, against the privacy statement's promise that the total
results do not. Now the erasure (survey/admin/erasure.py) first inserts an anonymous copy of
each row: no person (`person_id` NULL), a negative revision and document id no live revision
has, and the person's `unit_id` and `kjonn` when erased, which the report otherwise reads from
the person. The rows of live revisions still go with their revision, now by the erasure
function's DELETE of the document; nothing else deletes revisions (migration 0009).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLE = "reporting_revision_facts"
REVISION_FK = "fk_reporting_revision_facts_revision_id_living_revision"
UNIT_FK = "fk_reporting_revision_facts_unit_id_unit"


def _sqlite_triggers_naming_table() -> list[tuple[str, str]]:
    """SQLite's batch mode copies the table, drops it and renames the copy; the rename fails
    while a trigger on another table (0006's on living_revision) names the dropped table. They
    are dropped first and re-created as they were afterwards."""
    if op.get_bind().dialect.name != "sqlite":
        return []
    triggers = op.get_bind().execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name != :table AND sql LIKE :mention"
        ),
        {"table": TABLE, "mention": f"%{TABLE}%"},
    ).all()
    for name, _sql in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    return [(name, sql) for name, sql in triggers]


def _recreate(triggers: list[tuple[str, str]]) -> None:
    for _name, sql in triggers:
        op.execute(sql)


def upgrade() -> None:
    triggers = _sqlite_triggers_naming_table()
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_constraint(REVISION_FK, type_="foreignkey")
        batch_op.alter_column("person_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("kjonn", sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(UNIT_FK, "unit", ["unit_id"], ["id"], ondelete="SET NULL")
    _recreate(triggers)


def downgrade() -> None:
    op.execute(f"DELETE FROM {TABLE} WHERE person_id IS NULL")
    triggers = _sqlite_triggers_naming_table()
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_constraint(UNIT_FK, type_="foreignkey")
        batch_op.drop_column("kjonn")
        batch_op.drop_column("unit_id")
        batch_op.alter_column("person_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            REVISION_FK, "living_revision", ["revision_id"], ["id"], ondelete="CASCADE"
        )
    _recreate(triggers)
