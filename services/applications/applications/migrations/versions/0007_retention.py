"""retention: when a draft's resident was warned, when a closed case was thinned, and the log of
what retention removed

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("deletion_warned_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("thinned_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "retention_log",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(30), nullable=False),
        sa.Column("application_id", sa.String(36), nullable=False),
        sa.Column("removed", sa.String(500), nullable=False),
        sa.Column("rule", sa.String(200), nullable=False),
    )
    op.create_index("ix_retention_log_at", "retention_log", ["at"])
    op.create_index("ix_retention_log_application_id", "retention_log", ["application_id"])


def downgrade() -> None:
    op.drop_index("ix_retention_log_application_id", "retention_log")
    op.drop_index("ix_retention_log_at", "retention_log")
    op.drop_table("retention_log")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("thinned_at")
        batch.drop_column("deletion_warned_at")
