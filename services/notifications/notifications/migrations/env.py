from alembic import context

from fickan_common.migrations import run_env
from notifications.store import metadata

run_env(context, metadata)
