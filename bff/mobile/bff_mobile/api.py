"""A small route registry: one declaration per endpoint says its body, query and answer schemas,
and is used both to serve the request and to write /openapi.json, so the two cannot drift."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from marshmallow import Schema
from werkzeug.exceptions import MethodNotAllowed, RequestEntityTooLarge

from bff_mobile import texts
from bff_mobile.errors import ApiError, from_service_error
from bff_mobile.schemas.common import KIND
from fickan_bff.auth import AuthError, require_token
from fickan_common.grpc_client import ServiceClient, ServiceError

_KIND = re.compile(KIND)
SLUG = r"^[a-z0-9][a-z0-9-]{0,59}$"
_SLUG = re.compile(SLUG)
_RULE_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
# identity's device ids: a session (uuid4 hex) or a paired watch (uuid4).
DEVICE_ID = (
    r"^(session:[0-9a-fA-F]{32}|watch:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)
_DEVICE_ID = re.compile(DEVICE_ID)


def _uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _kind(value: str) -> str | None:
    return value if _KIND.fullmatch(value) else None


def _slug(value: str) -> str | None:
    return value if _SLUG.fullmatch(value) else None


def _device_id(value: str) -> str | None:
    """The id in identity's own (lower-case) form, or None."""
    return value.lower() if _DEVICE_ID.fullmatch(value) else None


@dataclass(frozen=True)
class PathParam:
    """How a path segment is checked (a bad one is a 400, never a call to a service) and documented."""

    clean: Callable[[str], str | None]
    schema: dict[str, Any]
    message: str


PATH_PARAMS: dict[str, PathParam] = {
    "application_id": PathParam(_uuid, {"type": "string", "format": "uuid"}, texts.INVALID_ID.sv),
    "message_id": PathParam(_uuid, {"type": "string", "format": "uuid"}, texts.INVALID_ID.sv),
    "attachment_id": PathParam(_uuid, {"type": "string", "format": "uuid"}, texts.INVALID_ID.sv),
    "question_id": PathParam(_uuid, {"type": "string", "format": "uuid"}, texts.INVALID_ID.sv),
    "kind": PathParam(_kind, {"type": "string", "pattern": KIND}, texts.FIELD_KIND),
    "device_id": PathParam(_device_id, {"type": "string", "pattern": DEVICE_ID}, texts.FIELD_DEVICE_ID),
    "subscription_id": PathParam(_uuid, {"type": "string", "format": "uuid"}, texts.INVALID_ID.sv),
    # insights: comparison services, guides and a guide's links are named by slugs
    "service_id": PathParam(_slug, {"type": "string", "pattern": SLUG}, texts.FIELD_SLUG),
    "guide_id": PathParam(_slug, {"type": "string", "pattern": SLUG}, texts.FIELD_SLUG),
    "link_id": PathParam(_slug, {"type": "string", "pattern": SLUG}, texts.FIELD_SLUG),
    "session_id": PathParam(_uuid, {"type": "string", "format": "uuid"}, texts.INVALID_ID.sv),
    "booking_id": PathParam(_uuid, {"type": "string", "format": "uuid"}, texts.INVALID_ID.sv),
}


# Room for the multipart boundaries and part headers around the file.
MULTIPART_OVERHEAD = 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """A multipart/form-data body with one file in `field`, at most `max_bytes`. Only such a route
    may receive a body this large; every other body stays within the app's MAX_CONTENT_LENGTH."""

    field: str
    max_bytes: int
    description: str = ""

    @property
    def max_request_bytes(self) -> int:
        return self.max_bytes + MULTIPART_OVERHEAD


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content: bytes


def load_upload(upload: Upload) -> UploadedFile:
    """The one file of a multipart body; a missing file, other fields or a file over the limit are
    refused here (413 with a Swedish message for a file that is too large)."""
    if request.mimetype != "multipart/form-data":
        raise ApiError.of(400, "invalid_request", texts.NOT_MULTIPART, {upload.field: texts.FILE_MISSING.sv})
    request.max_content_length = upload.max_request_bytes
    try:
        files, form = request.files, request.form
    except RequestEntityTooLarge:
        raise _file_too_large(upload) from None
    extra = sorted({*files.keys(), *form.keys()} - {upload.field})
    if extra:
        raise ApiError.of(
            400, "invalid_request", texts.INVALID_REQUEST, dict.fromkeys(extra, texts.FIELD_UPLOAD_ONLY_FILE)
        )
    chosen = files.getlist(upload.field)
    if not chosen:
        raise ApiError.of(400, "invalid_request", texts.FILE_MISSING, {upload.field: texts.FILE_MISSING.sv})
    if len(chosen) > 1:
        raise ApiError.of(400, "invalid_request", texts.INVALID_REQUEST, {upload.field: texts.FIELD_UPLOAD_ONLY_FILE})
    content = chosen[0].stream.read(upload.max_bytes + 1)
    if len(content) > upload.max_bytes:
        raise _file_too_large(upload)
    return UploadedFile(chosen[0].filename or "", content)


def _file_too_large(upload: Upload) -> ApiError:
    return ApiError.of(413, "too_large", texts.FILE_TOO_LARGE, {upload.field: texts.FILE_TOO_LARGE.sv})


@dataclass(frozen=True)
class Endpoint:
    rule: str
    method: str
    name: str
    summary: str
    tag: str
    body: type[Schema] | None
    query: type[Schema] | None
    response: type[Schema] | None
    status: int
    public: bool
    errors: tuple[int, ...]
    path_params: tuple[str, ...] = field(default_factory=tuple)
    description: str = ""
    body_optional: bool = False
    bearer_optional: bool = False
    upload: Upload | None = None
    binary: tuple[str, ...] = ()
    stream: bool = False

    @property
    def openapi_path(self) -> str:
        return _RULE_PARAM.sub(r"{\1}", self.rule)


def load_json_body(schema: type[Schema], optional: bool = False) -> dict[str, Any]:
    if optional and not request.get_data(cache=True).strip():
        return schema().load({})
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        raise ApiError.of(400, "invalid_json", texts.INVALID_JSON)
    return schema().load(data)


def call(
    client: ServiceClient,
    method: str,
    message: Any,
    *,
    public: bool = False,
    field_prefix: str | None = None,
    field_names: dict[str, str] | None = None,
) -> Any:
    """A service call on behalf of the caller (with their token unless public); a refusal becomes
    an ApiError (field errors renamed for the app: by `field_names`, else prefixed, e.g. "answers.",
    else in camelCase)."""
    try:
        return client.call(method, message, token=None if public else g.principal.token)
    except ServiceError as exc:
        raise from_service_error(exc, field_prefix, field_names) from None


def _not_a_watch(view: Callable[..., Any]) -> Callable[..., Any]:
    """A paired watch's token (scope "glance") is for the watch's BFF only, never for the app."""

    @wraps(view)
    def wrapper(**kwargs: Any) -> Any:
        if "glance" in g.principal.scope:
            raise AuthError("forbidden")
        return view(**kwargs)

    return wrapper


def _no_store(response: Response) -> Response:
    """Answers hold personal data: no cache on the phone or on the way may keep them."""
    response.headers["Cache-Control"] = "no-store"
    return response


class Api:
    """A blueprint plus the declarations of its endpoints."""

    def __init__(self, name: str, url_prefix: str) -> None:
        self.blueprint = Blueprint(name, __name__, url_prefix=url_prefix)
        self.url_prefix = url_prefix
        self.endpoints: list[Endpoint] = []
        # Paths without parameters and their methods: "/v1/devices/watch" is also a value of
        # "/v1/devices/<device_id>", and a method the literal path lacks is a 405 there, not a 400.
        self.literal_paths: dict[str, set[str]] = {}
        self.blueprint.after_request(_no_store)

    def route(
        self,
        rule: str,
        method: str,
        *,
        summary: str,
        tag: str,
        body: type[Schema] | None = None,
        query: type[Schema] | None = None,
        response: type[Schema] | None = None,
        status: int = 200,
        public: bool = False,
        errors: tuple[int, ...] = (),
        description: str = "",
        body_optional: bool = False,
        bearer_optional: bool = False,
        upload: Upload | None = None,
        binary: tuple[str, ...] = (),
        stream: bool = False,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """`bearer_optional` (public routes only): the view may use a bearer token when one is sent
        and checks it itself (documented as optional security). `upload`: the body is one file
        (multipart/form-data), given to the view as `upload`. `binary`: the view answers a file of
        one of these content types (a flask Response) instead of JSON. `stream`: the view answers
        Server-Sent Events (text/event-stream), resumed with the Last-Event-ID header."""
        if bearer_optional and not public:
            raise ValueError("bearer_optional is for public routes")
        if upload is not None and body is not None:
            raise ValueError("a route takes either a JSON body or an upload")
        path_params = tuple(_RULE_PARAM.findall(rule))
        unknown = [p for p in path_params if p not in PATH_PARAMS]
        if unknown:
            raise ValueError(f"path parameters without a check: {unknown}")

        def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(view)
            def run(**kwargs: Any) -> Any:
                if path_params and request.path in self.literal_paths:
                    raise MethodNotAllowed(valid_methods=sorted(self.literal_paths[request.path] | {"OPTIONS"}))
                for name in path_params:
                    param = PATH_PARAMS[name]
                    cleaned = param.clean(kwargs[name])
                    if cleaned is None:
                        raise ApiError.of(400, "invalid_id", texts.INVALID_ID, {name: param.message})
                    kwargs[name] = cleaned
                if body is not None:
                    kwargs["body"] = load_json_body(body, optional=body_optional)
                if upload is not None:
                    kwargs["upload"] = load_upload(upload)
                if query is not None:
                    kwargs["query"] = query().load(request.args.to_dict())
                result = view(**kwargs)
                if isinstance(result, Response):
                    return result
                if response is None:
                    return Response(status=status)
                return jsonify(response().dump(result)), status

            # The token is checked before anything else, so a stranger learns nothing from a 400.
            handler = run if public else require_token(role="resident")(_not_a_watch(run))
            self.blueprint.add_url_rule(rule, view.__name__, handler, methods=[method])
            if not path_params:
                self.literal_paths.setdefault(self.url_prefix + rule, set()).add(method)
            self.endpoints.append(
                Endpoint(
                    rule=self.url_prefix + rule,
                    method=method.lower(),
                    name=view.__name__,
                    summary=summary,
                    tag=tag,
                    body=body,
                    query=query,
                    response=response,
                    status=status,
                    public=public,
                    errors=errors,
                    path_params=path_params,
                    description=description,
                    body_optional=body_optional,
                    bearer_optional=bearer_optional,
                    upload=upload,
                    binary=binary,
                    stream=stream,
                )
            )
            return view

        return decorate
