"""A cap on request bodies, enforced before the body is read (issue 13 hole 5).

Two layers, one rule (`limit_for`): a form with files (multipart) may carry up to
GOVHALL_MAX_REQUEST_BYTES; any other body (JSON, a plain form) up to DATA_UPLOAD_MAX_MEMORY_SIZE.

- `BodyLimitASGI` wraps the ASGI application (uvicorn, `govhall serve`). Django's ASGI handler reads the
  whole body into a temporary file before any middleware runs, and uvicorn has no body limit of its own,
  so the cap must sit in front of Django: a declared Content-Length over the cap is answered 413 without
  reading a byte of the body; a body without Content-Length (chunked) is counted as it arrives and cut off
  at the cap (Django sees a disconnect and stops).
- `RequestSizeLimitMiddleware` does the same check on Content-Length for WSGI (the development server,
  the test client), placed before anything that parses the body (CSRF reads request.POST).

The answer is a Chinese page in the path's look (staff, portal, kiosk) or, under /api/, the API's JSON error
``{"code": "too_large", "message": …, "fields": {}}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

API_PREFIX = "/api/"


def limit_for(content_type: str) -> int:
    if content_type.split(";", 1)[0].strip().lower() == "multipart/form-data":
        return int(settings.MAX_REQUEST_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def message_for(limit: int) -> str:
    mb = max(1, limit // (1024 * 1024))
    return f"上传的内容过大（超过{mb} MB），请压缩后分批上传。"


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    message = message_for(limit)
    if request.path.startswith(API_PREFIX):
        body = json.dumps({"code": "too_large", "message": message, "fields": {}}, ensure_ascii=False)
        response = HttpResponse(body, status=413, content_type="application/json; charset=utf-8")
    else:
        render_error = import_string(settings.ERROR_PAGE_RENDERER)  # govhall.errorpages.render_error
        response = render_error(request, 413, message=message)
    response["Connection"] = "close"  # the rest of the body is not read: the connection cannot be reused
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _declared_length(value: str | bytes | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RequestSizeLimitMiddleware:
    """WSGI and the test client: refuse a declared Content-Length over the cap before the body is parsed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = limit_for(request.META.get("CONTENT_TYPE", ""))
        length = _declared_length(request.META.get("CONTENT_LENGTH"))
        if length is not None and length > limit:
            return too_large_response(request, limit)
        return self.get_response(request)


def _request_for(scope: Scope) -> HttpRequest:
    """Just enough of a request to pick the error page's look (path, htmx headers)."""
    request = HttpRequest()
    request.path = request.path_info = scope.get("path", "/")
    for name, value in scope.get("headers", []):
        key = name.decode("latin-1").upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        request.META[key] = value.decode("latin-1")
    return request


class BodyLimitASGI:
    """ASGI middleware around Django's application: see the module docstring."""

    def __init__(self, app: Any) -> None:  # Django's ASGIHandler
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        limit = limit_for(headers.get(b"content-type", b"").decode("latin-1"))
        length = _declared_length(headers.get(b"content-length"))
        if length is not None and length > limit:
            await self._refuse(scope, send, limit)  # not one byte of the body is read
            return

        state = {"received": 0, "refused": False, "started": False}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and not state["refused"]:
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["refused"] = True
                    if not state["started"]:
                        await self._refuse(scope, send, limit)
                    return {"type": "http.disconnect"}  # Django stops reading and sends nothing
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        response = too_large_response(_request_for(scope), limit)
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.items()]
        headers.append((b"content-length", str(len(response.content)).encode("latin-1")))
        await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": response.content})
