"""JSON-lines logging. Every line carries the correlation id of the work it belongs to."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from fickan_common.context import correlation_id


class JsonFormatter(logging.Formatter):
    def __init__(self, process_name: str) -> None:
        super().__init__()
        self.process_name = process_name

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "process": self.process_name,
            "logger": record.name,
            "msg": record.getMessage(),
            "correlation_id": correlation_id.get() or None,
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            line.update(extra)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is now (test runners swap it), not the one seen at start."""

    @property
    def stream(self):  # type: ignore[no-untyped-def,override]
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:  # type: ignore[no-untyped-def]
        pass


def setup_logging(process_name: str, level: str = "INFO") -> None:
    handler = _StdoutHandler()
    handler.setFormatter(JsonFormatter(process_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Third-party chatter at INFO drowns the lines that matter.
    for noisy in ("kombu", "amqp", "nameko", "werkzeug", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
