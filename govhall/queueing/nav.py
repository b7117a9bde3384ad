from __future__ import annotations

from typing import Any

from django.urls import reverse

from govhall.queueing.policy import FIGURES_ROLES, OPERATOR_ROLES


def nav_items(user: Any) -> list[tuple[str, str]]:
    """排队叫号 for front-line staff of a centre (and the centre director / bureau, who read the figures)."""
    if not user.is_authenticated:
        return []
    if (
        user.is_superuser
        or (user.centre_id and user.has_role(*OPERATOR_ROLES))
        or user.has_role(*FIGURES_ROLES)
    ):
        return [("排队叫号", reverse("queueing:home"))]
    return []
