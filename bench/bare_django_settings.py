"""Settings of the bare Django server bench/hot_paths.py starts beside govhall: govhall's own settings (same
apps, same `govhall serve` process shape) but no middleware and one URL, a view returning JSON without
touching the database. The yardstick every govhall figure is divided by."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from govhall.settings import *  # noqa: F403

MIDDLEWARE: list[str] = []
ROOT_URLCONF = __name__


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bare", bare)]
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "admin.E408", "admin.E409", "admin.E410", "axes.W002"]  # noqa: F405
