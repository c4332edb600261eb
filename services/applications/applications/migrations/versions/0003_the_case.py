"""The case: lifecycle, timeline, completions, attachments, calculation, decision, payment

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 01:41:22.963031
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attachments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('uploaded_by', sa.String(length=36), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_application_id'), ['application_id'], unique=False)

    op.create_table('case_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('actor', sa.String(length=20), nullable=False),
    sa.Column('text_sv', sa.String(length=1000), nullable=False),
    sa.Column('text_en', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_application_id'), ['application_id'], unique=False)

    op.create_table('completion_requests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('random_check', sa.Boolean(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('message', sa.String(length=2000), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('requested_by', sa.String(length=36), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer_text', sa.String(length=4000), nullable=False),
    sa.Column('answer_attachments', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('completion_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_completion_requests_application_id'), ['application_id'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period', sa.String(length=7), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('previous_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('applicant_signature_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('applicant_signed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('co_applicant_signature_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('co_applicant_signed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('assigned_to', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('months_on_support', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('changes', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('calculation', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('adjustments', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('proposal', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('decision', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('payment_amount', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('payment_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_applications_payment_date'), ['payment_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_period'), ['period'], unique=False)
        batch_op.create_index('ix_applications_unit_status_due', ['unit', 'status', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_unit_status_due')
        batch_op.drop_index(batch_op.f('ix_applications_period'))
        batch_op.drop_index(batch_op.f('ix_applications_payment_date'))
        batch_op.drop_column('closed_at')
        batch_op.drop_column('paid_at')
        batch_op.drop_column('payment_date')
        batch_op.drop_column('payment_amount')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decision')
        batch_op.drop_column('proposal')
        batch_op.drop_column('adjustments')
        batch_op.drop_column('calculation')
        batch_op.drop_column('changes')
        batch_op.drop_column('months_on_support')
        batch_op.drop_column('assigned_to')
        batch_op.drop_column('due_at')
        batch_op.drop_column('co_applicant_signed_at')
        batch_op.drop_column('co_applicant_signature_id')
        batch_op.drop_column('applicant_signed_at')
        batch_op.drop_column('applicant_signature_id')
        batch_op.drop_column('previous_id')
        batch_op.drop_column('period')

    with op.batch_alter_table('completion_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_completion_requests_application_id'))

    op.drop_table('completion_requests')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_application_id'))

    op.drop_table('case_events')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_application_id'))

    op.drop_table('attachments')
