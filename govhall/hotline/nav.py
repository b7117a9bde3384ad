from __future__ import annotations

from typing import Any

from django.urls import reverse

from govhall.hotline.policy import can_see_board


def nav_items(user: Any) -> list[tuple[str, str]]:
    return [("工单", reverse("hotline:board"))] if can_see_board(user) else []
