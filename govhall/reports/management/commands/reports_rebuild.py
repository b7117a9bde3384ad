"""`govhall reports rebuild --from 2026-11-01 --to 2026-11-30`: recompute the daily roll-up (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.reports.services import rebuild


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = "重算每日统计（按中心、日期、指标），可重复执行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True)
        parser.add_argument("--to", dest="date_to", required=True)

    def handle(self, *args: Any, date_from: str, date_to: str, **options: Any) -> None:
        start, end = _date(date_from), _date(date_to)
        if end < start:
            raise CommandError("结束日期不能早于开始日期")
        if (end - start).days > 3660:
            raise CommandError("一次最多重算十年")
        result = rebuild(start, end)
        self.stdout.write(f"已重算 {result['days']} 天，{result['rows']} 行")
