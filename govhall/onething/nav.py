from __future__ import annotations

from typing import Any

from django.urls import reverse

from .policy import can_compose, can_receive, can_see_figures


def nav_items(user: Any) -> list[tuple[str, str]]:
    items = []
    if can_receive(user) or can_see_figures(user):
        items.append(("一件事办件", reverse("onething:cases")))
    if can_compose(user):
        items.append(("一件事编排", reverse("onething:manage_list")))
    return items
