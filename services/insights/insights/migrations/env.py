from alembic import context

from fickan_common.migrations import run_env
from insights.store import metadata

run_env(context, metadata)
