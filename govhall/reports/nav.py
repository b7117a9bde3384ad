from __future__ import annotations

from typing import Any

from django.urls import reverse

from govhall.reports import policy


def nav_items(user: Any) -> list[tuple[str, str]]:
    """全市统计 for the bureau and the centre directors; 部门办件 for the department liaisons."""
    items = []
    if policy.can_view_city(user):
        items.append(("全市统计", reverse("reports:dashboard")))
    if policy.can_view_department(user):
        items.append(("部门办件", reverse("reports:department")))
    return items
