"""`govhall backup [--dest DIR] [--tar]`: a consistent, dated backup of the database, the uploaded files and
a manifest (govhall/core/backup.py). Exit code 1 and the reason on any failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from govhall.core.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "备份数据库、上传文件和清单（含各文件的SM3摘要、字段密钥编号、迁移状态、审计链尾）到一个带日期的目录"
        "或压缩包；删除超过保留天数的旧备份。「govhall backup verify 备份」核验备份而不恢复。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dest", help="备份存放目录（默认 GOVHALL_BACKUP_DIR）")
        parser.add_argument("--tar", action="store_true", help="写成一个 .tar 文件而不是目录")
        parser.add_argument(
            "--keep-days",
            type=int,
            default=None,
            help="删除早于该天数的旧备份（默认 GOVHALL_BACKUP_KEEP_DAYS；0 为不删除）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dest = options["dest"] or settings.BACKUP_DIR
        if not dest:
            raise CommandError(
                "备份失败：未指定备份目录。请用 --dest 目录，或设置 GOVHALL_BACKUP_DIR。", returncode=1
            )
        keep = settings.BACKUP_KEEP_DAYS if options["keep_days"] is None else options["keep_days"]
        if keep < 0:
            raise CommandError("--keep-days 不能为负数", returncode=1)
        try:
            result = make_backup(Path(dest), tar=options["tar"], keep_days=keep)
        except BackupError as exc:
            raise CommandError(f"备份失败：{exc}", returncode=1) from exc
        manifest = result.manifest
        head = manifest["audit_head"]
        media = sum(1 for name in manifest["parts"] if name.startswith("media/"))
        self.stdout.write(
            f"OK 备份完成：{result.path}\n"
            f"  数据库 {manifest['database']['vendor']}，上传文件 {media} 个，"
            f"字段密钥编号 {manifest['field_key']['key_id']}，审计链尾 #{head['seq']} {head['hash']}"
        )
        for path in result.pruned:
            self.stdout.write(f"  已删除超过 {keep} 天的旧备份：{path.name}")
