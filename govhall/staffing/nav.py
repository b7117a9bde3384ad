from __future__ import annotations

from typing import Any

from django.urls import reverse


def nav_items(user: Any) -> list[tuple[str, str]]:
    """Centre staff (attendance, leave, 首问) and the bureau (assessment) use the staffing pages."""
    if user.centre_id is not None or user.is_bureau:
        return [("人员管理", reverse("staffing:index"))]
    return []
