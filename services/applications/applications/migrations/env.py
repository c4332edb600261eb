from alembic import context

from applications.store import metadata
from fickan_common.migrations import run_env

run_env(context, metadata)
