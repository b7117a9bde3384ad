from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from govhall.core import events
from govhall.core.publicurl import public_url_problem


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report the database and, when configured, Redis. 503 when one of them is down: a load balancer
    takes the node out of service. `public_url_ok` says whether GOVHALL_PUBLIC_URL (printed in every QR
    code) can be reached by citizens; a wrong one does not take the node out of service."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # a health check reports, it does not raise
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            import redis

            client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
            try:
                client.ping()
            finally:
                client.close()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {exc.__class__.__name__}"
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
