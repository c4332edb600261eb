"""Independent calls of one request run at the same time under gevent, in the request's context,
and one after the other without gevent."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from fickan_bff.together import together


def test_without_gevent_the_calls_run_in_turn_and_give_their_results_in_order():
    ran = []
    assert together(lambda: ran.append(1) or "a", lambda: ran.append(2) or "b") == ["a", "b"]
    assert ran == [1, 2]


def test_without_gevent_a_calls_exception_is_raised_as_is():
    def fails() -> None:
        raise LookupError("down")

    with pytest.raises(LookupError):
        together(lambda: 1, fails)


GEVENT_SCRIPT = textwrap.dedent(
    """
    from gevent import monkey
    monkey.patch_all()
    import contextvars, gevent.event
    from fickan_bff.together import together

    cid = contextvars.ContextVar("cid", default="")
    cid.set("request-1")
    arrived, all_in = [], gevent.event.Event()

    def call(n):
        def run():
            arrived.append(n)
            if len(arrived) == 3:
                all_in.set()
            # Only calls that run at the same time all get past this: one after the other, the
            # first would wait here for the others and time out.
            assert all_in.wait(5), "the calls did not run at the same time"
            return (n, cid.get())
        return run

    assert together(call(1), call(2), call(3)) == [(1, "request-1"), (2, "request-1"), (3, "request-1")]

    def fails():
        raise LookupError("down")

    try:
        together(lambda: 1, fails)
    except LookupError:
        print("ok")
    """
)


def test_under_gevent_the_calls_run_at_the_same_time_in_the_requests_context():
    done = subprocess.run([sys.executable, "-c", GEVENT_SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
