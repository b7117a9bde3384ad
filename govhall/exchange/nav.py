from __future__ import annotations

from typing import Any

from django.urls import reverse


def nav_items(user: Any) -> list[tuple[str, str]]:
    items = []
    if user.is_bureau:
        items.append(("省平台同步", reverse("exchange:sync_list")))
    if user.is_bureau and user.is_staff:
        items.append(("短信发送记录", reverse("admin:exchange_notification_changelist")))
    return items
