"""committee: vacancies (the cases), vacant shares, decisions and yrkesgruppe equivalences

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 17:29:11.983823
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('yrkesgruppe_equivalence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('required', sa.String(length=100), nullable=False),
    sa.Column('qualifying', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_yrkesgruppe_equivalence')),
    sa.UniqueConstraint('required', 'qualifying', name=op.f('uq_yrkesgruppe_equivalence_required'))
    )
    op.create_table('vacancy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('yrkesgruppe', sa.String(length=100), nullable=False),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('permanent', sa.Boolean(), nullable=False),
    sa.Column('weekends_per_year', sa.Integer(), nullable=True),
    sa.Column('long_shifts', sa.Boolean(), nullable=False),
    sa.Column('shift_types', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('other_units', sa.Boolean(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('order_criteria', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='casestatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['person.id'], name=op.f('fk_vacancy_created_by_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_vacancy_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vacancy'))
    )
    with op.batch_alter_table('vacancy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vacancy_unit_id'), ['unit_id'], unique=False)

    op.create_table('committee_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vacancy_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('offered', 'accepted', 'declined', 'not_considered', name='outcome', native_enum=False, length=20), nullable=False),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['person.id'], name=op.f('fk_committee_decision_decided_by_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['living_document.id'], name=op.f('fk_committee_decision_document_id_living_document'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_committee_decision_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vacancy_id'], ['vacancy.id'], name=op.f('fk_committee_decision_vacancy_id_vacancy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_decision'))
    )
    with op.batch_alter_table('committee_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_decision_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_decision_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_decision_vacancy_id'), ['vacancy_id'], unique=False)

    op.create_table('vacancy_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vacancy_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('divisible', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['vacancy_id'], ['vacancy.id'], name=op.f('fk_vacancy_share_vacancy_id_vacancy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vacancy_share')),
    sa.UniqueConstraint('vacancy_id', 'number', name=op.f('uq_vacancy_share_vacancy_id'))
    )


def downgrade() -> None:
    op.drop_table('vacancy_share')
    with op.batch_alter_table('committee_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_decision_vacancy_id'))
        batch_op.drop_index(batch_op.f('ix_committee_decision_person_id'))
        batch_op.drop_index(batch_op.f('ix_committee_decision_document_id'))

    op.drop_table('committee_decision')
    with op.batch_alter_table('vacancy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vacancy_unit_id'))

    op.drop_table('vacancy')
    op.drop_table('yrkesgruppe_equivalence')
