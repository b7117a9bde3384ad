"""A urlconf for tests/core/test_error_pages.py: the real site plus views that raise, under each part of the
site (staff, portal, kiosk), with the real handlers."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from govhall.urls import handler400, handler403, handler404, handler500
from govhall.urls import urlpatterns as site_patterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bad(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("Invalid HTTP_HOST header")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("只有本中心主任可以设置预约时段。")


def forbidden_english(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("You do not have permission")


def missing(request: HttpRequest) -> HttpResponse:
    raise Http404("No Case matches the given query.")


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the database is down")


raising = [
    path("bad/", bad),
    path("forbidden/", forbidden),
    path("forbidden-en/", forbidden_english),
    path("missing/", missing),
    path("boom/", boom),
]
urlpatterns = [
    *[path(f"test-errors/{p.pattern}", p.callback) for p in raising],
    *[path(f"portal/test-errors/{p.pattern}", p.callback) for p in raising],
    *[path(f"portal/kiosk/7/test-errors/{p.pattern}", p.callback) for p in raising],
    *site_patterns,
]
