"""living documents: revisions and confirmations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 15:57:14.620567
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('living_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_living_document_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_living_document')),
    sa.UniqueConstraint('person_id', name=op.f('uq_living_document_person_id'))
    )
    op.create_table('living_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('confirmed', 'correction_requested', name='confirmationkind', native_enum=False, length=30), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['living_document.id'], name=op.f('fk_living_confirmation_document_id_living_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_living_confirmation_person_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_living_confirmation'))
    )
    with op.batch_alter_table('living_confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_living_confirmation_document_id'), ['document_id'], unique=False)

    op.create_table('living_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_role', sa.String(length=20), nullable=False),
    sa.Column('source', sa.Enum('conversation', 'employee', 'import', 'correction', name='source', native_enum=False, length=30), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=100), nullable=True),
    sa.Column('questionnaire_version', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('changed_fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_living_revision_author_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['living_document.id'], name=op.f('fk_living_revision_document_id_living_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_living_revision')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_living_revision_document_id'))
    )
    with op.batch_alter_table('living_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_living_revision_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_living_revision_effective_on'), ['effective_on'], unique=False)

    # Revisions are history: a change is a new revision, never an edit of an old one.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION living_revision_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'living_revision is append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER living_revision_no_update BEFORE UPDATE ON living_revision "
            "FOR EACH ROW EXECUTE FUNCTION living_revision_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER living_revision_no_update BEFORE UPDATE ON living_revision "
            "BEGIN SELECT RAISE(ABORT, 'living_revision is append-only'); END"
        )



def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute(
        "DROP TRIGGER IF EXISTS living_revision_no_update" + (" ON living_revision" if postgresql else "")
    )
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS living_revision_append_only()")
    with op.batch_alter_table('living_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_living_revision_effective_on'))
        batch_op.drop_index(batch_op.f('ix_living_revision_document_id'))

    op.drop_table('living_revision')
    with op.batch_alter_table('living_confirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_living_confirmation_document_id'))

    op.drop_table('living_confirmation')
    op.drop_table('living_document')
