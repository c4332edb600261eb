"""resident_cases.open, .sent and .decision_due: what a status means, as applications says it in its
case_status_changed event (contact no longer keeps copies of applications' status sets); replaces
submitted_at.

The rows already kept are filled in once from their status, with the meanings contact used until
now (the last place those sets are written: later events carry applications' own word).

Revision ID: 0009
Revises: 0008
"""
from datetime import datetime, timedelta

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('resident_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('sent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('decision_due', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE resident_cases SET open = (status NOT IN ('draft', 'withdrawn', 'closed'))")
    op.execute("UPDATE resident_cases SET sent = (status NOT IN ('draft', 'signature_pending'))")
    rows = op.get_bind().execute(
        sa.text(
            "SELECT resident_id, application_id, submitted_at FROM resident_cases "
            "WHERE submitted_at IS NOT NULL AND status IN ('submitted', 'received', 'in_progress', 'completion_submitted')"
        )
    ).all()
    # The wall screen counted the monthly application's 24 hours from sending; so does the backfill.
    for resident_id, application_id, submitted_at in rows:
        op.get_bind().execute(
            sa.text("UPDATE resident_cases SET decision_due = :due WHERE resident_id = :r AND application_id = :a"),
            {"due": _plus_a_day(submitted_at, op.get_bind().dialect.name), "r": resident_id, "a": application_id},
        )
    with op.batch_alter_table('resident_cases', schema=None) as batch_op:
        batch_op.drop_column('submitted_at')


def _plus_a_day(value, dialect):
    if isinstance(value, str):  # SQLite hands DateTime back as text here (no ORM type)
        value = datetime.fromisoformat(value)
    due = value + timedelta(hours=24)
    if dialect == "sqlite":  # as SQLAlchemy's DateTime writes it there: UTC, without a zone
        return due.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return due


def downgrade() -> None:
    with op.batch_alter_table('resident_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column('decision_due')
        batch_op.drop_column('sent')
        batch_op.drop_column('open')
