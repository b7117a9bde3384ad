from __future__ import annotations

from typing import Any

from django.urls import reverse

from govhall.standards.policy import can_see_standards


def nav_items(user: Any) -> list[tuple[str, str]]:
    return [("标准化考核", reverse("standards:index"))] if can_see_standards(user) else []
