"""fault reports (felanmälan, Open311 GeoReport v2)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fault_reports',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('question_id', sa.String(length=36), nullable=False),
    sa.Column('service_code', sa.String(length=60), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('long', sa.Float(), nullable=True),
    sa.Column('address', sa.String(length=250), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('media_url', sa.String(length=500), nullable=False),
    sa.Column('attributes', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('question_id')
    )
    op.create_index('ix_fault_reports_requested', 'fault_reports', ['requested_at'], unique=False)
    op.create_index('ix_fault_reports_service_code', 'fault_reports', ['service_code'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_fault_reports_service_code', table_name='fault_reports')
    op.drop_index('ix_fault_reports_requested', table_name='fault_reports')
    op.drop_table('fault_reports')
