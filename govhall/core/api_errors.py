"""The API's error answers as the OpenAPI document declares them.

Every error body is ``ErrorOut`` (see core/errors.py for the codes); a 500 is ``ServerErrorOut``, which adds
the request id of its log line. ``declare_error_responses`` gives each operation the statuses it can answer,
read from what the operation is (GovhallAPI applies it to every operation):

- 400 ``invalid``: any operation that takes input or acts for a user (services refuse with a field error);
- 401 ``unauthenticated`` and 403 ``forbidden``: operations that need a login or a token;
- 404 ``not_found``: operations that take a parameter (a path id, code or token; a centre or record named in
  the query or body), that act on a record, or that need a login (a policy that refuses a whole area
  answers "not found", like a missing record);
- 409 ``conflict``: operations that change something (an action in the wrong state, a duplicate);
- 413 ``too_large``: operations with a request body or an upload;
- 422 ``validation_error``: operations with parameters or a body;
- 429 ``throttled``: only operations marked ``@rate_limited``.

Only the document changes (see GovhallAPI).
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema

F = TypeVar("F", bound=Callable[..., Any])

_BODY_SOURCES = {"body", "form", "file"}


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ServerErrorOut(ErrorOut):
    request_id: str


def rate_limited(view: F) -> F:
    """Mark an API view whose service may answer 429 (put it under the ``@router.…`` decorator)."""
    view.govhall_rate_limited = True  # type: ignore[attr-defined]
    return view


def error_statuses(operation: Any) -> set[int]:
    """The error statuses one django-ninja operation can answer (besides 500)."""
    sources = {getattr(m, "__ninja_param_source__", None) for m in operation.models}
    has_body = bool(sources & _BODY_SOURCES)
    has_input = bool(sources - {None})
    authenticated = bool(operation.auth_callbacks)
    changes = any(m in ("POST", "PUT", "PATCH", "DELETE") for m in operation.methods)

    statuses: set[int] = set()
    if has_input or authenticated:
        statuses.add(400)
    if authenticated:
        statuses |= {401, 403}
    if has_input or changes or authenticated:
        statuses.add(404)
    if changes:
        statuses.add(409)
    if has_body:
        statuses.add(413)
    if has_input:
        statuses.add(422)
    if getattr(operation.view_func, "govhall_rate_limited", False):
        statuses.add(429)
    return statuses


class _DocumentWithErrors(OpenAPISchema):
    def responses(self, operation: Any) -> dict[int, Any]:
        result = super().responses(operation)
        declared = [(status, ErrorOut) for status in sorted(error_statuses(operation))] + [
            (500, ServerErrorOut)
        ]
        for status, schema in declared:
            if status in result:  # the operation's own declaration wins
                continue
            model = operation._create_response_model(schema)
            body = self._create_schema_from_model(model, by_alias=operation.by_alias, mode="serialization")[0]
            result[status] = {
                "description": HTTPStatus(status).phrase,
                "content": {self.api.renderer.media_type: {"schema": body}},
            }
        return dict(sorted(result.items()))


class GovhallAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares each operation's error answers. Only the document changes:
    the errors come from exception handlers, never from a view's return value, so the operations' own
    response models (which decide a plain return's status) stay as the views declared them."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return _DocumentWithErrors(self, path_prefix)
