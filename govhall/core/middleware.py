"""Security headers, the request id and per-request context (client address for the audit log)."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "govhall_current_request", default=None
)


current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("govhall_request_id", default="-")

# An id a proxy or client sends is kept when it is short and plain (it ends up in log lines and headers).
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def request_id_for(incoming: str | None) -> str:
    if incoming and _SANE_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id (the caller's X-Request-ID if sane), echo it in the response header and
    put it on every log record written while the request runs (see install_request_id_log_records)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


def install_request_id_log_records() -> None:
    """Every log record gets ``request_id`` ("-" outside a request), whichever handler writes it: a record
    factory, not a handler filter, so test capture and third-party handlers see it too."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "govhall_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = current_request_id.get()
        return record

    factory.govhall_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RequestIdFormatter(logging.Formatter):
    """The console format names %(request_id)s; records made before the factory was installed have none."""

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return super().format(record)


def client_ip(request: HttpRequest) -> str:
    if settings.SECURE_PROXY_SSL_HEADER:  # behind our own proxy: trust its X-Forwarded-For
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Content-Security-Policy"):
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(self), microphone=()")
        return response


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class HtmlGZipMiddleware(GZipMiddleware):
    """Gzip for HTML pages only (NET-1: the portal over a village's mobile link); JSON, event streams and
    files pass as they are (static files come pre-compressed from WhiteNoise).

    BREACH: a page carrying a CSRF token and attacker-reflected text could leak the token through the
    compressed size. Django's GZipMiddleware pads every response with random bytes in the gzip header
    ("Heal the Breach"), and Django masks the CSRF token afresh on each response, so the size does not
    stay comparable between requests; that is the documented choice (docs/performance.md)."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
