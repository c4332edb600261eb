"""who handles and who signed (names from their BankID logins), and the snapshot of what was sent

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("assigned_name", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("applicant_name", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("co_applicant_name", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("submitted", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("submitted")
        batch.drop_column("co_applicant_name")
        batch.drop_column("applicant_name")
        batch.drop_column("assigned_name")
