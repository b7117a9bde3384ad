from __future__ import annotations

from typing import Any

from django.urls import reverse


def nav_items(user: Any) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [("办件", reverse("cases:workbench")), ("预警督办", reverse("cases:supervision"))]
