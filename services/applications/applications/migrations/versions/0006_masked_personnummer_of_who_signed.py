"""the masked personnummer of who signed (from identity, to themselves, at signing)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("applicant_masked", sa.String(13), nullable=False, server_default=""))
        batch.add_column(sa.Column("co_applicant_masked", sa.String(13), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("co_applicant_masked")
        batch.drop_column("applicant_masked")
