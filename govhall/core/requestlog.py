"""One log line per request (issue 20), written by RequestMetricsMiddleware to the ``govhall.request`` logger.

Its fields: the request id (the same id as the X-Request-ID header and the ``request_id`` of an API 500
body), the user's numeric id (staff ``u<id>``, portal account ``c<id>``; never a name, number or address),
the route name (never the raw path, which can carry a tracking number), method, status and duration in
milliseconds. ``GOVHALL_LOG_FORMAT=json`` writes every log record as one JSON object per line (for a log
collector on a cluster); ``text`` (the default, a single node) writes the same fields as plain text.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty

from govhall.core.middleware import current_request_id

logger = logging.getLogger("govhall.request")

# The fields a request line adds to its record (LogRecord attributes, also read by JsonFormatter).
REQUEST_FIELDS = ("user", "view", "method", "status", "duration_ms")


def user_label(request: HttpRequest) -> str | None:
    """The caller's id when this request already knew it: a lazy ``request.user`` nobody looked at stays
    unloaded (no session or user query just for the log line)."""
    citizen = request.__dict__.get("citizen")
    if citizen is not None and getattr(citizen, "pk", None):
        return f"c{citizen.pk}"
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped  # type: ignore[attr-defined]
        if user is empty:
            return None
    pk = getattr(user, "pk", None)
    return f"u{pk}" if pk else None


UNMATCHED = "<unmatched>"  # a path no route matched (404 before any view)


def view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name or match.route or UNMATCHED


def log_request(request: HttpRequest, status: int, seconds: float) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    view = view_name(request)
    duration_ms = round(seconds * 1000, 1)
    user = user_label(request)
    logger.info(
        "%s %s %s %.1fms user=%s",
        request.method,
        view,
        status,
        duration_ms,
        user or "-",
        extra={
            "user": user,
            "view": view,
            "method": request.method,
            "status": status,
            "duration_ms": duration_ms,
        },
    )


class JsonFormatter(logging.Formatter):
    """Every record as one JSON line: time (ISO 8601, UTC), level, logger, request_id, message, the request
    fields when the record is a request line, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or current_request_id.get(),
            "message": record.getMessage(),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
