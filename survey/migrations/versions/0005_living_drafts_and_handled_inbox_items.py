"""living drafts and handled inbox items

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 16:45:37.659052
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('living_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('conversation', 'wishes', name='draftkind', native_enum=False, length=20), nullable=False),
    sa.Column('base_revision', sa.Integer(), nullable=False),
    sa.Column('questionnaire_version', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('last_page', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_living_draft_author_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['living_document.id'], name=op.f('fk_living_draft_document_id_living_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_living_draft')),
    sa.UniqueConstraint('document_id', 'author_id', 'kind', name=op.f('uq_living_draft_document_id'))
    )
    with op.batch_alter_table('living_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_living_draft_document_id'), ['document_id'], unique=False)

    op.create_table('living_handled',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.Column('confirmation_id', sa.Integer(), nullable=True),
    sa.Column('handled_by', sa.Integer(), nullable=True),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['confirmation_id'], ['living_confirmation.id'], name=op.f('fk_living_handled_confirmation_id_living_confirmation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['handled_by'], ['person.id'], name=op.f('fk_living_handled_handled_by_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revision_id'], ['living_revision.id'], name=op.f('fk_living_handled_revision_id_living_revision'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_living_handled')),
    sa.UniqueConstraint('confirmation_id', name=op.f('uq_living_handled_confirmation_id')),
    sa.UniqueConstraint('revision_id', name=op.f('uq_living_handled_revision_id'))
    )


def downgrade() -> None:
    op.drop_table('living_handled')
    with op.batch_alter_table('living_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_living_draft_document_id'))

    op.drop_table('living_draft')
