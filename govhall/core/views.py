from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from govhall.core import calendar, events, metrics
from govhall.core.middleware import client_ip
from govhall.core.publicurl import public_url_problem


def _ping_database() -> str:
    """'' when a SELECT 1 answers, else "error: <exception class>" (a health check reports, it does not raise)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return ""
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _ping_redis() -> str:
    try:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return ""
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report the database and, when configured, Redis. 503 when one of them is down: a load balancer
    takes the node out of service. `public_url_ok` says whether GOVHALL_PUBLIC_URL (printed in every QR
    code) can be reached by citizens; a wrong one does not take the node out of service."""
    checks: dict[str, str] = {"database": _ping_database() or "ok"}
    if settings.REDIS_URL:
        checks["redis"] = _ping_redis() or "ok"
    healthy = all(v == "ok" for v in checks.values())
    public_problem = public_url_problem()
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "database_engine": connection.vendor,
            "events": events.backend_name(),
            **checks,
            "public_url_ok": not public_problem,
            **({"public_url_problem": public_problem} if public_problem else {}),
        },
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )


def _check(check: str, ok: bool, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"check": check, "ok": ok, "code": "ok" if ok else code, "message": "" if ok else message, **extra}


def _database_check() -> dict[str, Any]:
    error = _ping_database()
    return _check("database", not error, "database_unavailable", f"数据库无法连接（{error[7:]}）")


def _redis_check() -> dict[str, Any]:
    error = _ping_redis()
    return _check("redis", not error, "redis_unavailable", f"Redis 无法连接（{error[7:]}）")


def _calendar_check() -> dict[str, Any]:
    today = timezone.localdate()
    last = today + dt.timedelta(days=settings.READY_CALENDAR_DAYS)  # a span of calendar days, not a deadline
    unknown = [year for year in range(today.year, last.year + 1) if not calendar.year_is_known(year)]
    return _check(
        "calendar",
        not unknown,
        "calendar_unknown",
        f"工作日历缺少 {'、'.join(str(y) for y in unknown)} 年的节假日安排（未来 {settings.READY_CALENDAR_DAYS} "
        "天内要用到），请在管理后台导入国务院办公厅的放假通知",
    )


def _public_url_check() -> dict[str, Any]:
    problem = public_url_problem()
    return _check("public_url", not problem, "public_url_local", problem)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Can this node serve citizens now? The database, Redis when configured, the working-day calendar for
    the next 60 days, a public URL that is not loopback, and the outboxes (task queue age and backlog, from
    settings.OPS_READINESS). 200 when every check passes; 503 naming each failing check (code + Chinese
    message). Cheaper liveness: /healthz."""
    checks = [_database_check()]
    if settings.REDIS_URL:
        checks.append(_redis_check())
    if checks[0]["ok"]:
        try:
            checks.append(_calendar_check())
            checks.extend(import_string(settings.OPS_READINESS)())
        except Exception as exc:
            checks.append(
                _check(
                    "records",
                    False,
                    "records_unreadable",
                    f"读取办件和发送队列失败（{exc.__class__.__name__}）",
                )
            )
    checks.append(_public_url_check())
    ready = all(c["ok"] for c in checks)
    failing = [c for c in checks if not c["ok"]]
    return JsonResponse(
        {
            "status": "ok" if ready else "error",
            "checks": {c.pop("check"): c for c in checks},
            "failing": [{"code": c["code"], "message": c["message"]} for c in failing],
        },
        status=200 if ready else 503,
        json_dumps_params={"ensure_ascii": False},
    )


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; for a bearer of GOVHALL_METRICS_TOKEN or an address in GOVHALL_METRICS_ALLOW.
    Not configured: 404; configured and neither: 403 (govhall/core/metrics.py)."""
    allowed = metrics.scrape_allowed(request, client_ip(request))
    if allowed == 404:
        raise Http404
    if allowed == 403:
        raise PermissionDenied
    return metrics.render_response()
