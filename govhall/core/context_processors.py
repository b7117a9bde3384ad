from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"SITE_NAME": "启东市政务服务", "PUBLIC_URL": settings.PUBLIC_URL}
