"""roster: positions and employee details

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 15:48:29.121966
"""

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('employee_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kjonn', sa.Enum('k', 'm', 'annet', name='kjonn', native_enum=False, length=20), nullable=True),
    sa.Column('fodselsar', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_employee_details_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employee_details')),
    sa.UniqueConstraint('person_id', name=op.f('uq_employee_details_person_id'))
    )
    op.create_table('position',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('yrkesgruppe', sa.String(length=100), nullable=True),
    sa.Column('stillingsprosent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('ansettelsesform', sa.Enum('fast', 'midlertidig', name='ansettelsesform', native_enum=False, length=20), nullable=False),
    sa.Column('startdato', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_position_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_position_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position'))
    )
    with op.batch_alter_table('position', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_position_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_position_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('position', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_position_unit_id'))
        batch_op.drop_index(batch_op.f('ix_position_person_id'))

    op.drop_table('position')
    op.drop_table('employee_details')
