from __future__ import annotations

from typing import Any

from django.urls import reverse


def nav_items(user: Any) -> list[tuple[str, str]]:
    return [("工作台", reverse("accounts:home"))]
