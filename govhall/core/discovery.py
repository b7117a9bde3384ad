"""The one way an app offers something by convention: a module of a known name (``urls``, ``api``, ``nav``,
``seed`` …) in its package, found with Django's ``autodiscover_modules``."""

from __future__ import annotations

import sys
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


def app_modules(name: str) -> list[ModuleType]:
    """Each govhall app's ``<app>.<name>`` module, in INSTALLED_APPS order; apps without one are skipped,
    an error inside one is raised."""
    autodiscover_modules(name)
    found = (
        sys.modules.get(f"{config.name}.{name}")
        for config in apps.get_app_configs()
        if config.name.startswith("govhall.")
    )
    return [module for module in found if module is not None]
