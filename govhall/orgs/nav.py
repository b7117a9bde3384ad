from __future__ import annotations

from typing import Any

from django.urls import reverse

from govhall.orgs.policy import can_edit_centre_contacts


def nav_items(user: Any) -> list[tuple[str, str]]:
    items = [("服务中心", reverse("orgs:centre_list"))]
    if can_edit_centre_contacts(user):
        items.append(("中心地址电话", reverse("orgs:contacts")))
    if user.is_bureau and user.is_staff:
        items.append(("管理后台", reverse("admin:index")))
    return items
