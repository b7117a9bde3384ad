"""Django's `migrate`, with `--check` answering in Chinese: exit code 0 when the database matches this
version's migrations, 1 (naming what to run) when migrations are pending or the database is newer."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate

from govhall.core.schema import schema_state


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        if not options.get("check_unapplied"):
            super().handle(*args, **options)
            return
        state = schema_state(options["database"])
        if state.ok:
            self.stdout.write(state.message())
            return
        self.stdout.write(state.message())
        for name in (state.unknown or state.pending)[:50]:
            self.stdout.write(f"  {name}")
        raise SystemExit(1)
