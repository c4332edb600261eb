"""A case's status as the JSON APIs and the web pages name it: the contract's ApplicationStatus enum
in lower case without its prefix ("draft", "signature_pending"), the same words applications'
case_status_changed event carries. The one place a BFF turns the enum into a word; what a status
allows (withdraw, act first, …) comes from the service's fields beside it, never from a list here."""

from __future__ import annotations

from fickan.applications.v1 import applications_pb2 as pb

PREFIX = "APPLICATION_STATUS_"
UNKNOWN = "unknown"  # a status newer than this BFF's contract


def name(value: int) -> str:
    """The status as a word; "unknown" for a value this BFF's contract does not have yet."""
    try:
        label = pb.ApplicationStatus.Name(value)
    except ValueError:
        return UNKNOWN
    return label.removeprefix(PREFIX).lower()


def value(word: str) -> int:
    """The enum's value of a status word (ValueError for an unknown word)."""
    return pb.ApplicationStatus.Value(PREFIX + word.upper())


# Every status a case can have, in the contract's order (UNSPECIFIED left out).
NAMES = tuple(name(v) for v in pb.ApplicationStatus.values() if v != pb.APPLICATION_STATUS_UNSPECIFIED)
