"""`govhall audit verify`: walk the audit log's hash chain; exit code 1 at the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govhall.core.audit import audit_verify


class Command(BaseCommand):
    help = "核验审计日志哈希链：完整时输出记录数和链尾哈希；发现第一处断裂时输出其序号并以退出码1结束。"

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"审计日志链在第{result.broken_seq}条处断裂：{result.reason}。此前已核验{result.checked}条。",
                returncode=1,
            )
        self.stdout.write(
            f"OK 审计日志完整：共{result.checked}条记录。链尾 #{result.head_seq} {result.head_hash}"
            "（可将链尾记录在数据库之外，下次核验时比对）"
        )
