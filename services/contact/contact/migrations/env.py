from alembic import context

from contact.store import metadata
from fickan_common.migrations import run_env

run_env(context, metadata)
