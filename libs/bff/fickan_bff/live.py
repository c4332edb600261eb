"""Relaying notifications' live feed (a gRPC server stream) to a client as Server-Sent Events,
the same in every BFF; each BFF only chooses what one entry looks like for its device.

- `id:` is the feed's sequence number, so a browser's EventSource (or an app) that reconnects
  sends it back as Last-Event-ID and gets what happened while it was away.
- Heartbeats from the service become SSE comments, so proxies and load balancers keep the stream.
- The caller is checked before the response starts: a stream with a bad or expired token is a
  clear 401, not an empty 200.
- The stream ends when the token expires (the service ends it); the client reconnects with a
  fresh token and its last id.

Under gunicorn's gevent worker (see gunicorn_conf.py) each open stream is a greenlet, not a thread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from flask import Response, request
from prometheus_client import Gauge

from fickan.notifications.v1 import notifications_pb2 as pb
from fickan_bff.clients import Services
from fickan_common.context import current_correlation_id
from fickan_common.grpc_client import ServiceError

log = logging.getLogger(__name__)

OPEN_STREAMS = Gauge("fickan_bff_open_streams", "Server-Sent Event streams open now", ["endpoint"])
STREAM_HOURS = 12 * 3600  # a stream's own deadline; the token ends it long before
RETRY_MS = 3000
MAX_SEQ = 2**62


class BadLastEventId(ValueError):
    pass


def last_event_id() -> int:
    """The position to resume after: the Last-Event-ID header (EventSource sends it on reconnect)
    or ?after= (a page that knows where it is). Absent means "only what comes next"."""
    raw = request.headers.get("Last-Event-ID") or request.args.get("after") or "0"
    if not raw.isdigit() or int(raw) > MAX_SEQ:
        raise BadLastEventId(raw[:20])
    return int(raw)


def event_text(event_id: int | None, name: str, data: dict[str, Any]) -> str:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"


def open_feed(services: Services, token: str, after: int) -> tuple[Any, pb.FeedEvent]:
    """Open the stream and read its first entry (the service's hello), so a refused caller is known
    before any byte goes to the client. Raises ServiceError."""
    client = services.notifications
    metadata = [("x-correlation-id", current_correlation_id()), ("authorization", f"Bearer {token}")]
    call = client.stub.Subscribe(pb.SubscribeRequest(after_seq=after), timeout=STREAM_HOURS, metadata=metadata)
    try:
        first = next(call)
    except grpc.RpcError as error:
        raise ServiceError.from_rpc(error) from None
    except StopIteration:
        raise ServiceError(grpc.StatusCode.UNAVAILABLE, "the stream ended at once") from None
    return call, first


def relay(
    call: Any,
    first: pb.FeedEvent,
    shape: Callable[[pb.FeedEvent], dict[str, Any] | None],
    endpoint: str,
) -> Response:
    """The SSE response for an opened feed. `shape` turns an entry into the device's JSON (None:
    the device does not show it)."""

    def stream() -> Iterator[str]:
        OPEN_STREAMS.labels(endpoint).inc()
        try:
            yield f"retry: {RETRY_MS}\n\n"
            hello = shape(first)
            if hello is not None:
                yield event_text(None, "hello", hello)
            for entry in call:
                if entry.kind == "heartbeat":
                    yield ": heartbeat\n\n"
                    continue
                data = shape(entry)
                if data is not None:
                    yield event_text(entry.seq, entry.kind, data)
        except grpc.RpcError as error:
            # The token expired or the service went away: the client reconnects with Last-Event-ID.
            code = error.code() if hasattr(error, "code") else None
            if code != grpc.StatusCode.CANCELLED:
                log.info("feed stream ended", extra={"fields": {"code": getattr(code, "name", "?")}})
        finally:
            call.cancel()  # the client left (GeneratorExit) or the stream ended: free the service's side
            OPEN_STREAMS.labels(endpoint).dec()

    response = Response(stream(), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def message_json(message: pb.Message, with_body: bool = True) -> dict[str, Any]:
    data = {
        "id": message.message_id,
        "kind": message.kind,
        "subject": message.subject,
        "short": message.short,
        "reference": message.reference,
        "read": message.read,
        "created_at": message.created_at.ToDatetime().isoformat() + "Z" if message.HasField("created_at") else None,
    }
    if with_body:
        data["body"] = message.body
    return data
