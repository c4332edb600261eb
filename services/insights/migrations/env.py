from alembic import context

from insights.store import metadata
from fickan_common.migrations import run_env

run_env(context, metadata)
