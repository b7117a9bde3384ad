from __future__ import annotations

from typing import Any

from django.urls import reverse


def nav_items(user: Any) -> list[tuple[str, str]]:
    if user.is_bureau and user.is_staff:
        return [("短信发送记录", reverse("admin:exchange_notification_changelist"))]
    return []
