from __future__ import annotations

from typing import Any

from django.urls import reverse

from .policy import can_compose


def nav_items(user: Any) -> list[tuple[str, str]]:
    return [("一件事编排", reverse("onething:manage_list"))] if can_compose(user) else []
