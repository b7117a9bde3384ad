from __future__ import annotations

from typing import Any

from django.urls import reverse


def nav_items(user: Any) -> list[tuple[str, str]]:
    return [("事项清单", reverse("catalog:list")), ("应进必进", reverse("catalog:coverage"))]
