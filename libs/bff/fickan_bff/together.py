"""Independent service calls of one request at the same time, under the BFFs' gevent worker.

A page that composes several services' answers (the watch's glance asks four) waited for each in
turn: its latency was the sum of theirs. Under gevent each call here gets a greenlet of its own,
run in a copy of the request's context (correlation id, idempotency key, Flask's request), so the
page waits for the slowest. Without gevent's patching (tests, a threaded server) they run one after
the other, exactly as before. A call's exception is raised from `together` as if it ran alone; each
call catches what it means to survive (a service that is down) itself.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any


def _gevent_patched() -> bool:
    try:
        from gevent import monkey
    except ImportError:
        return False
    return bool(monkey.is_module_patched("socket"))


def together(*calls: Callable[[], Any]) -> list[Any]:
    """Each call's result, in the order given."""
    if len(calls) < 2 or not _gevent_patched():
        return [call() for call in calls]
    import gevent

    jobs = [gevent.spawn(contextvars.copy_context().run, _outcome, call) for call in calls]
    gevent.joinall(jobs)
    results = []
    for ok, value in (job.value for job in jobs):
        if not ok:
            raise value
        results.append(value)
    return results


def _outcome(call: Callable[[], Any]) -> tuple[bool, Any]:
    """(True, result) or (False, exception): a greenlet that died of an exception would also be
    printed by gevent's hub as an error, though the request handles it."""
    try:
        return True, call()
    except Exception as exc:  # noqa: BLE001 - raised again by together(), in the request's greenlet
        return False, exc
