"""Queue data for the provincial platform (NET-2): every matter's current version (--matters) and/or every
case's datasets (--cases, optionally --since YYYY-MM-DD). Data already queued or sent unchanged is not
queued again, so the command is safe to run any time (after connecting to the platform, or to resync)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from govhall.exchange.provincial import is_configured
from govhall.exchange.sync import sync_all_cases, sync_all_matters


class Command(BaseCommand):
    help = "把事项（--matters）和/或办件（--cases）数据排入省平台同步队列；未变化的数据不会重复排队。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--matters", action="store_true", help="所有事项的现行版本")
        parser.add_argument("--cases", action="store_true", help="办件的申请、受理、办理、办结数据")
        parser.add_argument("--since", default="", help="只同步该日期（YYYY-MM-DD）及以后收件的办件")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["matters"] and not options["cases"]:
            raise CommandError("请指定 --matters 和/或 --cases。")
        since = None
        if options["since"]:
            if not options["cases"]:
                raise CommandError("--since 只能与 --cases 一起使用。")
            try:
                day = dt.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    f"--since 应为 YYYY-MM-DD 格式的日期，收到“{options['since']}”。"
                ) from None
            since = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        if options["matters"]:
            queued, unchanged = sync_all_matters()
            self.stdout.write(f"事项：新排队 {queued} 条，未变化 {unchanged} 条。")
        if options["cases"]:
            queued, unchanged = sync_all_cases(since=since)
            self.stdout.write(f"办件数据：新排队 {queued} 条，未变化 {unchanged} 条。")
        if not is_configured():
            self.stderr.write(
                "注意：省平台地址（GOVHALL_PROVINCE_URL）未配置，记录保持待发送，配置后自动发送。"
            )
