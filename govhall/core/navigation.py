"""The staff navigation: each app may provide ``govhall/<app>/nav.py`` with
``def nav_items(user) -> list[tuple[str, str]]`` (label, url); they appear in INSTALLED_APPS order."""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from django.conf import settings


@cache
def _providers() -> list[Any]:
    providers = []
    for app in [a for a in settings.INSTALLED_APPS if a.startswith("govhall.")]:
        try:
            module = importlib.import_module(f"{app}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.nav":
                raise
            continue
        providers.append(module.nav_items)
    return providers


def nav_items(user: Any) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[tuple[str, str]] = []
    for provider in _providers():
        items.extend(provider(user))
    return items
