"""The limits a contract declares on its request fields (proto/fickan/options/v1/limits.proto).

`check(request)` is what the service enforces in its gRPC interceptor, before any use case runs;
`of(message, field)` is what a BFF reads for its own checks and its OpenAPI. Both read the one
declaration in the .proto, so a limit is never copied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from fickan.options.v1 import limits_pb2
from fickan_common import texts
from fickan_common.errors import ValidationFailed
from fickan_common.texts import Text

CHECK_FAILED = texts.CHECK_FAILED


@dataclass(frozen=True)
class Limits:
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    max_items: int | None = None
    content_types: tuple[str, ...] = ()
    pattern: str | None = None
    hint: str | None = None
    hint_en: str | None = None

    def hint_text(self, name: str) -> Text | None:
        """The contract's own message for these limits, in both languages (None without one)."""
        return Text(f"contract.{name}", self.hint, self.hint_en or "") if self.hint else None


def _limits(field: FieldDescriptor) -> Limits | None:
    options = field.GetOptions()
    if not options.HasExtension(limits_pb2.limits):
        return None
    declared = options.Extensions[limits_pb2.limits]
    return Limits(
        min=declared.min if declared.HasField("min") else None,
        max=declared.max if declared.HasField("max") else None,
        max_length=declared.max_length if declared.HasField("max_length") else None,
        max_items=declared.max_items if declared.HasField("max_items") else None,
        content_types=tuple(declared.content_types),
        pattern=declared.pattern if declared.HasField("pattern") else None,
        hint=declared.hint if declared.HasField("hint") else None,
        hint_en=declared.hint_en if declared.HasField("hint_en") else None,
    )


@cache
def _declared(descriptor: Descriptor) -> tuple[tuple[FieldDescriptor, Limits], ...]:
    return tuple((f, limits) for f in descriptor.fields if (limits := _limits(f)) is not None)


def of(message: type[Message] | Message, field: str) -> Limits:
    """The limits declared on one field (empty when it declares none)."""
    return _limits(message.DESCRIPTOR.fields_by_name[field]) or Limits()


def _number_error(limits: Limits, value: int, name: str) -> Text | None:
    low, high = limits.min, limits.max
    if (low is not None and value < low) or (high is not None and value > high):
        if hint := limits.hint_text(name):
            return hint
        if low is not None and high is not None:
            return texts.LIMIT_BETWEEN.format(low=texts.number(low), high=texts.number(high))
        if low is not None:
            return texts.LIMIT_AT_LEAST.format(low=texts.number(low))
        return texts.LIMIT_AT_MOST.format(high=texts.number(high or 0))
    return None


def _length_error(limits: Limits, value: str | bytes) -> Text | None:
    if limits.max_length is None or len(value) <= limits.max_length:
        return None
    if isinstance(value, bytes):
        return texts.FILE_TOO_LARGE.format(mb=f"{limits.max_length / 1024 / 1024:.0f}")
    return texts.LIMIT_LENGTH.format(length=texts.number(limits.max_length))


def _pattern_error(limits: Limits, value: str | bytes, name: str) -> Text | None:
    if limits.pattern is None or not value or not isinstance(value, str) or _compiled(limits.pattern).fullmatch(value):
        return None
    return limits.hint_text(name) or texts.LIMIT_FORM


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def errors_of(request: Message) -> dict[str, Text]:
    """Each field of `request` beyond its declared limits, with its message."""
    errors: dict[str, Text] = {}
    for field, limits in _declared(request.DESCRIPTOR):
        value = getattr(request, field.name)
        is_map = field.message_type is not None and field.message_type.GetOptions().map_entry
        if field.is_repeated:
            items = list(value.values()) if is_map else list(value)
            if limits.max_items is not None and len(items) > limits.max_items:
                errors[field.name] = texts.LIMIT_ITEMS.format(count=limits.max_items)
                continue
            for i, item in enumerate(items):
                problem = (
                    _length_error(limits, item)
                    if isinstance(item, str | bytes)
                    else _number_error(limits, item, field.name)
                )
                if problem:
                    key = f"{field.name}.{list(value)[i]}" if is_map else f"{field.name}[{i}]"
                    errors[key] = problem
        elif isinstance(value, str | bytes):
            if problem := _length_error(limits, value) or _pattern_error(limits, value, field.name):
                errors[field.name] = problem
        elif isinstance(value, int) and not isinstance(value, bool):
            if problem := _number_error(limits, value, field.name):
                errors[field.name] = problem
    return errors


CONTROL_CHARACTER = texts.CONTROL_CHARACTER
# C0 control characters (NUL among them) and DEL; tab, line feed and carriage return are text.
_CONTROL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


def _has_control(text: str) -> bool:
    return not _CONTROL.isdisjoint(text)


def text_errors(request: Message, prefix: str = "") -> dict[str, Text]:
    """Each string field (nested and repeated ones too) holding a control character such as NUL:
    no client of ours sends one, and stored raw it breaks exports, PDFs and PostgreSQL's text.
    (A lone surrogate cannot arrive: protobuf refuses a string that is not UTF-8.)"""
    errors: dict[str, Text] = {}
    for field, value in request.ListFields():
        name = f"{prefix}{field.name}"
        if field.type == FieldDescriptor.TYPE_STRING:
            items = list(value) if field.is_repeated else [value]
            if any(_has_control(item) for item in items):
                errors[name] = CONTROL_CHARACTER
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            if field.message_type.GetOptions().map_entry:
                for key, item in value.items():
                    texts = [key, item] if isinstance(item, str) else [key]
                    if any(isinstance(t, str) and _has_control(t) for t in texts):
                        errors[f"{name}.{key}" if not _has_control(str(key)) else name] = CONTROL_CHARACTER
                    elif isinstance(item, Message):
                        errors.update(text_errors(item, f"{name}.{key}."))
            else:
                for i, item in enumerate(value if field.is_repeated else [value]):
                    errors.update(text_errors(item, f"{name}[{i}]." if field.is_repeated else f"{name}."))
    return errors


def check(request: Message) -> None:
    """Refuses a request beyond its contract's limits, or with control characters in its texts
    (ValidationFailed with the fields)."""
    errors = {**errors_of(request), **text_errors(request)}
    if errors:
        # One problem is said as it is (e.g. "Filen är för stor. …"); several get a summary.
        raise ValidationFailed(next(iter(errors.values())) if len(errors) == 1 else CHECK_FAILED, errors)
