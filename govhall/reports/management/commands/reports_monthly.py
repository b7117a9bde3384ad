"""`govhall reports monthly 2026-11`: draft the month's 通报 (DOCX, PDF, XLSX)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.reports.monthly import parse_month, write


class Command(BaseCommand):
    help = "生成启东市镇村政务服务工作月度通报（DOCX、PDF、XLSX）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--out", default="", help="输出目录（默认 media/reports/monthly/）")

    def handle(self, *args: Any, month: str, out: str, **options: Any) -> None:
        try:
            first = parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for path in write(first, Path(out) if out else None):
            self.stdout.write(str(path))
