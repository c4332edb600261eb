"""login orders bound to their client: the hash of the collect secret

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 13:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("collect_secret_hash", sa.String(length=64), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("login_orders", schema=None) as batch_op:
        batch_op.drop_column("collect_secret_hash")
