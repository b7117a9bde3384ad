"""`govhall restore BACKUP [--force]`: restore a backup into an empty installation, then check the audit chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govhall.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "把备份恢复到一套空系统：先核验摘要和字段密钥，拒绝不符的备份；目标不为空时拒绝（除非 --force）；"
        "恢复后核验审计日志链。运行前请停止 govhall。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("backup", help="备份目录或 .tar 文件")
        parser.add_argument("--force", action="store_true", help="目标系统已有数据时仍然覆盖")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore_backup(Path(options["backup"]), force=options["force"], say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc}", returncode=1) from exc
        head = result.manifest["audit_head"]
        self.stdout.write(
            f"OK 恢复完成：审计日志链完整（{result.audit_checked} 条，链尾 #{head['seq']}，与备份清单一致）。"
        )
        if result.pending_migrations:
            self.stdout.write(
                f"备份来自较旧的版本：还有 {result.pending_migrations} 个数据库迁移，请运行 govhall migrate 后再启动。"
            )
        else:
            self.stdout.write("可以启动：govhall serve")
