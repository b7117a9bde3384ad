"""Load Qidong's built-in data, then the demo set. Idempotent: a second run changes nothing.

Each app may provide ``govhall/<app>/seed.py`` with ``load_builtin() -> str`` and/or
``load_demo() -> str``; they run in INSTALLED_APPS order, built-in data first."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from govhall.core.discovery import app_modules


class Command(BaseCommand):
    help = "载入启东市内置数据（区划、中心、事项、规则集）和演示数据"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--builtin-only", action="store_true", help="只载入内置数据，不载入演示数据")

    def handle(self, *args: Any, **options: Any) -> None:
        modules = app_modules("seed")
        phases = ["load_builtin"] if options["builtin_only"] else ["load_builtin", "load_demo"]
        for phase in phases:
            for module in modules:
                loader = getattr(module, phase, None)
                if loader is None:
                    continue
                with transaction.atomic():
                    summary = loader()
                if summary:
                    self.stdout.write(summary)
