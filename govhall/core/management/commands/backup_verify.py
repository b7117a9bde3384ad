"""`govhall backup verify BACKUP`: check a backup's manifest and the digest of every file, restoring nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govhall.core.backup import BackupError, key_id, verify_backup


class Command(BaseCommand):
    help = "核验备份（目录或 .tar）：清单完整、每个文件的大小和SM3摘要相符；不恢复任何数据。不符时退出码为1。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("backup", help="备份目录或 .tar 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = verify_backup(Path(options["backup"]))
        except BackupError as exc:
            raise CommandError(f"备份核验未通过：{exc}", returncode=1) from exc
        manifest = report.manifest
        head = manifest["audit_head"]
        self.stdout.write(
            f"OK 备份完整：{report.parts_checked} 个文件，{report.bytes_checked} 字节，摘要全部相符。\n"
            f"  制作于 {manifest['created_at']}，数据库 {manifest['database']['vendor']}，"
            f"审计链尾 #{head['seq']} {head['hash']}"
        )
        expected = manifest["field_key"]["key_id"]
        if report.key_matches:
            self.stdout.write(f"  字段密钥编号 {expected}，与当前配置的密钥相同（清单签名已核验）。")
        else:
            self.stdout.write(
                f"  注意：备份的字段密钥编号为 {expected}，当前配置的是 {key_id()}；恢复时须配置编号 {expected} 的密钥。"
            )
