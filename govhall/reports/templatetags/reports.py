from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def reasons(parts: dict[str, int]) -> list[tuple[str, int]]:
    """Paused windows by reason, in Chinese (a reason left blank is 未说明)."""
    from govhall.queueing.models import PauseReason

    labels = dict(PauseReason.choices)
    return [(labels.get(k, "未说明") if k else "未说明", n) for k, n in sorted(parts.items()) if n]
