"""BankID orders of every purpose (login, sign, phone), signatures, watch pairing, staff units and answer
groups, the access log.

bankid orders, signatures, watch pairing, roles, access log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 01:06:18.701828
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_log',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('subject_id', sa.String(length=36), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=False),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('actor_role', sa.String(length=30), nullable=False),
    sa.Column('actor_unit', sa.String(length=60), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('resource', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_record_id'), ['record_id'], unique=False)
        batch_op.create_index('ix_access_log_subject_at', ['subject_id', 'at'], unique=False)

    op.create_table('signatures',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('order_ref', sa.String(length=64), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.Text(), nullable=False),
    sa.Column('ocsp_response', sa.Text(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_reference'), ['reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_signatures_user_id'), ['user_id'], unique=False)

    op.create_table('watch_pairings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('device_code_hash', sa.String(length=64), nullable=False),
    sa.Column('user_code', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_polled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('interval', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('watch_token_hash', sa.String(length=64), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_code_hash'),
    sa.UniqueConstraint('watch_token_hash')
    )
    with op.batch_alter_table('watch_pairings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watch_pairings_user_code'), ['user_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_watch_pairings_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('login_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=10), nullable=False, server_default='login'))
        batch_op.add_column(sa.Column('reference', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('text_sha256', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('last_collected_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_hint', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('result_user_id', sa.String(length=36), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit', sa.String(length=60), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('answer_group', sa.String(length=60), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('answer_group')
        batch_op.drop_column('unit')

    with op.batch_alter_table('login_orders', schema=None) as batch_op:
        batch_op.drop_column('result_user_id')
        batch_op.drop_column('last_hint')
        batch_op.drop_column('last_collected_at')
        batch_op.drop_column('text_sha256')
        batch_op.drop_column('reference')
        batch_op.drop_column('purpose')

    with op.batch_alter_table('watch_pairings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watch_pairings_user_id'))
        batch_op.drop_index(batch_op.f('ix_watch_pairings_user_code'))

    op.drop_table('watch_pairings')
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatures_user_id'))
        batch_op.drop_index(batch_op.f('ix_signatures_reference'))

    op.drop_table('signatures')
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index('ix_access_log_subject_at')
        batch_op.drop_index(batch_op.f('ix_access_log_record_id'))
        batch_op.drop_index(batch_op.f('ix_access_log_actor_id'))

    op.drop_table('access_log')
