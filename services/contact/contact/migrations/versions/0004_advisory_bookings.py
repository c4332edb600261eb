"""advisory bookings: advisors' published times and residents' bookings

Revision ID: 0004
Revises: 0003

A time is booked at most once: a partial unique index on bookings(slot_id) where status = 'booked'.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('booking_slots',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('advisor_id', sa.String(length=36), nullable=False),
    sa.Column('advisor_name', sa.String(length=200), nullable=False),
    sa.Column('group_code', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('advisor_id', 'starts_at', name='uq_booking_slots_advisor_start')
    )
    op.create_index('ix_booking_slots_free', 'booking_slots', ['group_code', 'status', 'starts_at'], unique=False)
    op.create_table('bookings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('slot_id', sa.String(length=36), nullable=False),
    sa.Column('resident_id', sa.String(length=36), nullable=False),
    sa.Column('resident_name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_bookings_slot_id', 'bookings', ['slot_id'], unique=False)
    op.create_index('ix_bookings_resident_id', 'bookings', ['resident_id'], unique=False)
    op.create_index(
        'uq_bookings_one_per_slot', 'bookings', ['slot_id'], unique=True,
        sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"),
    )


def downgrade() -> None:
    op.drop_index('uq_bookings_one_per_slot', table_name='bookings')
    op.drop_index('ix_bookings_resident_id', table_name='bookings')
    op.drop_index('ix_bookings_slot_id', table_name='bookings')
    op.drop_table('bookings')
    op.drop_index('ix_booking_slots_free', table_name='booking_slots')
    op.drop_table('booking_slots')
