"""A PostgreSQL server of a test's own (initdb + pg_ctl on a free port in a temporary folder), so a
drill can restart it without touching the machine's server that other tests share.

Debian's binaries (/usr/lib/postgresql/<version>/bin); as root the server runs as the `postgres`
user, because PostgreSQL refuses to run as root. Trust authentication on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


class PrivatePostgres:
    def __init__(self, port: int) -> None:
        if not BIN_DIRS:
            raise RuntimeError("PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin)")
        self.bin = BIN_DIRS[0]
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="fickan-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*as_user, *cmd], check=check, capture_output=True, text=True, timeout=120)

    def up(self) -> PrivatePostgres:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        return self

    def start(self) -> None:
        # fsync off: the drill restarts the server, it never loses the machine, so the page cache
        # survives and durability to disk is not what is tested; it keeps the drill quick.
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash: every backend killed, the next start recovers from the WAL."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        name = f"fickan_drill_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def query(self, database_url: str, sql: str) -> list[tuple]:
        with psycopg.connect(database_url, connect_timeout=5) as conn:
            return conn.execute(sql).fetchall()

    def down(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
