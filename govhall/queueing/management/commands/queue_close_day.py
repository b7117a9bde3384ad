"""Close the queue at the end of the day: tickets left open become 未办理 with the time (the huey periodic
task does the same every ten minutes; this command is for operators and cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govhall.orgs.models import Centre
from govhall.queueing.services import queue_close_day


class Command(BaseCommand):
    help = "闭厅处理：将仍在等候的排队号记为“未办理”，并关闭窗口"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--centre", type=int, help="只处理该服务中心（ID）")
        parser.add_argument("--force", action="store_true", help="未到闭厅时间也处理今天的号")

    def handle(self, *args: Any, **options: Any) -> None:
        centre = None
        if options["centre"]:
            centre = Centre.objects.filter(pk=options["centre"]).first()
            if centre is None:
                raise CommandError(f"服务中心 {options['centre']} 不存在")
        result = queue_close_day(centre=centre, force=options["force"])
        self.stdout.write(
            f"已将 {result.tickets} 个排队号记为未办理，关闭 {result.windows} 个窗口"
            f"（{len(result.centres)} 个中心）。"
        )
