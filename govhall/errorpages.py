"""Chinese error pages: Django's handler400/403/404/500 and the CSRF failure view (issue 12 §4).

The look comes from the path alone, never from the database: the hall's kiosk (/portal/kiosk/<centre>/ and
the queue's former /queueing/kiosk/<centre>/) gets a big 返回首页 button and keeps the idle reset, so the terminal
goes back to its start page by itself; the public pages (the portal, a phone's ticket, booking, rating) get
the portal look; everything else is a staff page. /api/v1/ is left to Django's own handlers: the API
answers its errors itself, in JSON.

Every page is rendered from a plain template with a plain context: no context processors (they read the
user and the navigation, which may be what failed), no database, so the 500 page shows even when the
database is down. An htmx request gets the message alone (errors/fragment.html) to swap into its target.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django_htmx.middleware import HtmxDetails

from govhall.core.middleware import current_request_id
from govhall.core.outage import (
    OUTAGE_CODE,
    OUTAGE_HEADING,
    OUTAGE_MESSAGE,
    RETRY_AFTER_SECONDS,
    is_database_outage,
)
from govhall.portal import conf as portal_conf

logger = logging.getLogger(__name__)

KIOSK_PATH = re.compile(r"^/(?P<app>portal|queueing)/kiosk/(?P<centre>\d+)/")
PUBLIC_PREFIXES = (
    "/portal/",
    "/queueing/phone/",
    "/queueing/book/",
    "/queueing/t/",
    "/reviews/rate/",
    "/reviews/pad/",
    "/reviews/public/",
)
API_PREFIX = "/api/"

# status → (heading, message). The message of a Http404/PermissionDenied raised by our own code (always
# Chinese) replaces the default; Django's own (English) messages never reach the page.
TEXTS: dict[int, tuple[str, str]] = {
    400: ("请求有误", "提交的内容无法处理。请返回上一页，检查后重新提交。"),
    403: ("无权访问", "您没有权限访问此页面或执行此操作。"),
    404: ("页面不存在", "您访问的页面不存在，或您无权访问。请检查网址是否正确。"),
    409: ("操作未完成", "该记录的状态已改变，请刷新页面后再试。"),  # govhall/core/pages.py
    413: ("上传的内容过大", "上传的内容过大，请压缩后分批上传。"),  # govhall/core/bodylimit.py
    429: ("操作过于频繁", "操作过于频繁，请稍后再试。"),  # govhall/core/pages.py: rate limits
    500: ("系统繁忙", "系统繁忙，请稍后再试。"),
    503: (OUTAGE_HEADING, OUTAGE_MESSAGE),
}
CSRF_TEXT = ("页面已过期", "页面停留时间过长或登录状态已改变，提交未被接受。请刷新页面后重新提交。")
HAN = re.compile(r"[\u4e00-\u9fff]")

FALLBACK_500 = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>系统繁忙</title></head>'
    '<body><h1>系统繁忙</h1><p>系统繁忙，请稍后再试。</p><p><a href="/">返回首页</a></p></body></html>'
)


def variant(path: str) -> dict[str, Any]:
    """The layout and home link for a path: kiosk, portal or staff."""
    kiosk = KIOSK_PATH.match(path)
    if kiosk:
        return {
            "variant": "kiosk",
            "layout": "errors/kiosk.html",
            "home": f"/{kiosk['app']}/kiosk/{kiosk['centre']}/",
            "idle_seconds": portal_conf.get("PORTAL_KIOSK_IDLE_SECONDS"),
        }
    if path.startswith(PUBLIC_PREFIXES):
        return {"variant": "portal", "layout": "errors/portal.html", "home": "/portal/"}
    return {"variant": "staff", "layout": "errors/staff.html", "home": "/"}


def _own_message(exception: Exception | None) -> str:
    message = str(exception.args[0]) if exception is not None and exception.args else ""
    return message if HAN.search(message) else ""


def _is_htmx(request: HttpRequest) -> bool:
    """A partial htmx request (django-htmx's middleware; a boosted request wants the whole page). The
    header is read afresh when a failure came before the middleware ran."""
    htmx = request.htmx if hasattr(request, "htmx") else HtmxDetails(request)
    return bool(htmx) and not htmx.boosted


def render_error(request: HttpRequest, status: int, *, heading: str = "", message: str = "") -> HttpResponse:
    default_heading, default_message = TEXTS[status]
    context = {
        **variant(request.path),
        "status": status,
        "heading": heading or default_heading,
        "message": message or default_message,
    }
    fragment = _is_htmx(request)
    if fragment:
        context["layout"] = "errors/fragment.html"
    html = loader.get_template(f"{status}.html").render(context)  # no request: no context processors
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    if fragment:
        # Into the target, keeping the target itself: a panel swapped by outerHTML stays in the page.
        response["HX-Reswap"] = "innerHTML"
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return defaults.bad_request(request, exception)  # type: ignore[arg-type]
    return render_error(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return defaults.permission_denied(request, exception)  # type: ignore[arg-type]
    return render_error(request, 403, message=_own_message(exception))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return defaults.page_not_found(request, exception)  # type: ignore[arg-type]
    return render_error(request, 404, message=_own_message(exception))


def server_error(request: HttpRequest) -> HttpResponse:
    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable(request)
    if request.path.startswith(API_PREFIX):
        return defaults.server_error(request)
    try:
        return render_error(request, 500)
    except Exception:  # the error page itself must not fail: a bare Chinese page
        logger.exception("the 500 page failed to render")
        return HttpResponse(FALLBACK_500, status=500, content_type="text/html; charset=utf-8")


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 while the database cannot be reached (govhall/core/outage.py): the 500 page's look with its own
    words, or the API's JSON error, and Retry-After."""
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse(
            {
                "code": OUTAGE_CODE,
                "message": OUTAGE_MESSAGE,
                "fields": {},
                "request_id": current_request_id.get(),
            },
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        try:
            response = render_error(request, 503)
        except Exception:
            logger.exception("the 503 page failed to render")
            response = HttpResponse(FALLBACK_500, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page kept open too long, or after logging out elsewhere."""
    if request.path.startswith(API_PREFIX):
        from django.views.csrf import csrf_failure as django_csrf_failure

        return django_csrf_failure(request, reason)
    heading, message = CSRF_TEXT
    return render_error(request, 403, heading=heading, message=message)
