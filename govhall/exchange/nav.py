from __future__ import annotations

from typing import Any

from django.urls import reverse

from govhall.exchange.policy import can_see_outbox


def nav_items(user: Any) -> list[tuple[str, str]]:
    items = []
    if can_see_outbox(user):
        items.append(("省平台同步", reverse("exchange:sync_list")))
    if can_see_outbox(user) and user.is_staff:
        items.append(("短信发送记录", reverse("admin:exchange_notification_changelist")))
    return items
