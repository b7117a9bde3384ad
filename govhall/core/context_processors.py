from django.conf import settings
from django.http import HttpRequest

from govhall.core.navigation import nav_items


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {"SITE_NAME": "启东市政务服务", "PUBLIC_URL": settings.PUBLIC_URL, "nav_items": nav_items(user)}
