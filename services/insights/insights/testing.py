"""The real insights service for other packages' tests (the BFFs'): its own SQLite database in a
folder the test gives, with the shipped comparisons and guides and the labelled demo figures, served
by a real grpcio server. Not a fake: what a BFF asks of it is answered by the code that runs in
production."""

from __future__ import annotations

import grpc
from sqlalchemy import delete

from fickan_common.db import Database
from fickan_common.grpc_server import build_server
from fickan_common.idempotency import IdempotencyStore
from fickan_common.migrations import upgrade
from fickan_common.tokens import TokenVerifier
from insights import api
from insights.demo import load_demo
from insights.importer import years_back
from insights.migrate import MIGRATIONS
from insights.store import IDEMPOTENCY, CommentRow, GuideSession


class InsightsForTests:
    def __init__(self, folder: str, years: int = 4) -> None:
        url = f"sqlite:///{folder}/insights.db"
        upgrade(MIGRATIONS, url)
        self.db = Database(url)
        self.insights = api.build(api.settings_module.load(), self.db)
        load_demo(self.db, self.insights.catalogue, self.insights.home, years_back(years))

    def serve(self, verifier: TokenVerifier) -> tuple[grpc.Server, int]:
        """A started grpcio server on a free loopback port, as the api process runs it."""
        return build_server(
            api.register(self.insights),
            0,
            verifier,
            public_methods=api.PUBLIC_METHODS,
            commands=api.COMMANDS,
            idempotency=IdempotencyStore(self.db, IDEMPOTENCY),
            host="127.0.0.1",
        )

    def reset(self) -> None:
        """Forget guide sessions and comments (the demo figures stay)."""
        with self.db.transaction() as session:
            session.execute(delete(GuideSession))
            session.execute(delete(CommentRow))

    def close(self) -> None:
        self.db.dispose()
