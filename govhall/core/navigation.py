"""The staff navigation: each app may provide ``govhall/<app>/nav.py`` with
``def nav_items(user) -> list[tuple[str, str]]`` (label, url); they appear in INSTALLED_APPS order."""

from __future__ import annotations

from functools import cache
from typing import Any

from govhall.core.discovery import app_modules


@cache
def _providers() -> list[Any]:
    return [module.nav_items for module in app_modules("nav")]


def nav_items(user: Any) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[tuple[str, str]] = []
    for provider in _providers():
        items.extend(provider(user))
    return items
