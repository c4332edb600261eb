"""co-applicant and unit

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 01:16:59.646908
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('co_applicant_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('unit', sa.String(length=60), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_applications_co_applicant_id'), ['co_applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_unit'), ['unit'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_unit'))
        batch_op.drop_index(batch_op.f('ix_applications_co_applicant_id'))
        batch_op.drop_column('unit')
        batch_op.drop_column('co_applicant_id')

