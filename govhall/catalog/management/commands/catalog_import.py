"""`govhall catalog import FILE.xlsx`: import the catalogue from the Excel template (all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govhall.accounts.models import User
from govhall.catalog.xlsx import ImportRejected, catalog_import_xlsx


class Command(BaseCommand):
    help = "从Excel模板导入事项清单（任何一行有错误则不写入）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help=".xlsx 文件（格式同“导出事项清单”）")
        parser.add_argument("--user", help="记入审计日志的局管理员用户名（默认：系统）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        actor = None
        if options.get("user"):
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"用户“{options['user']}”不存在。")
        try:
            with path.open("rb") as fh:
                result = catalog_import_xlsx(actor=actor, source=fh)
        except ImportRejected as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"导入完成：{result.summary()}")
