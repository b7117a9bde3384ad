"""Does the database's schema match this version's migrations? Used by `govhall migrate --check`, by
`govhall serve` (which refuses to start on a schema it does not match) and by `govhall restore`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder


@dataclass
class SchemaState:
    pending: list[str]  # migrations of this version not yet applied: run `govhall migrate`
    unknown: list[str]  # applied migrations this version does not have: the database is from a newer version

    @property
    def ok(self) -> bool:
        return not self.pending and not self.unknown

    def message(self) -> str:
        if self.unknown:
            return (
                f"数据库结构来自更新的版本：已执行了本版本没有的 {len(self.unknown)} 个迁移（如 {self.unknown[0]}）。"
                "请安装与数据库相同或更新的 govhall 版本（降级须从升级前的备份恢复：govhall restore 备份）。"
            )
        if self.pending:
            return (
                f"数据库结构与本版本不符：有 {len(self.pending)} 个数据库迁移尚未执行（如 {self.pending[0]}）。"
                "请先运行 govhall migrate。"
            )
        return "数据库结构与本版本一致：没有待执行的迁移。"


def schema_state(alias: str = DEFAULT_DB_ALIAS) -> SchemaState:
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{m.app_label}.{m.name}" for m, backwards in plan if not backwards]
    known = set(executor.loader.disk_migrations)
    apps = {app for app, _ in known}
    applied = MigrationRecorder(connection).applied_migrations()
    # Only apps this version has: a removed third-party app's rows are not a newer schema.
    unknown = sorted(f"{app}.{name}" for app, name in applied if app in apps and (app, name) not in known)
    return SchemaState(pending, unknown)
