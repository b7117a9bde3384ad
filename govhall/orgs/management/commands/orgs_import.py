from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govhall.orgs.services import ImportRejected, divisions_import_csv


class Command(BaseCommand):
    help = "从国家统计局区划代码格式的 CSV 导入或更新区划（govhall orgs import FILE.csv）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = divisions_import_csv(options["file"])
        except ImportRejected as exc:
            raise CommandError(exc.message) from None
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{options['file']}") from None
        self.stdout.write(f"导入完成：{report.summary()}")
