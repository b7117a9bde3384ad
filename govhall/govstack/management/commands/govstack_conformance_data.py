"""`govhall govstack conformance-data`: bind the GovStack Registration BB test suite's fixed ids to demo
objects (govhall/govstack/conformance.py) and print the API token the suite should send."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from govhall.core.errors import ServiceError
from govhall.govstack import conformance


class Command(BaseCommand):
    help = "载入 GovStack 登记构件测试套件使用的固定ID（需演示数据），并签发对接令牌"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-demo", action="store_true", help="不先载入演示数据（已载入时）")
        parser.add_argument("--token-file", help="把令牌写入此文件（不在屏幕上显示）")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_demo"]:
            call_command("loaddemo", stdout=self.stdout)
        try:
            loaded = conformance.load()
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"GovStack 一致性测试数据：{loaded.services} 个服务、{loaded.applications} 个办件，对接账号 {loaded.username}"
        )
        if options["token_file"]:
            with open(options["token_file"], "w", encoding="utf-8") as out:
                out.write(loaded.token + "\n")
            self.stdout.write(f"令牌已写入 {options['token_file']}")
        else:
            self.stdout.write(f"令牌（只显示一次）：{loaded.token}")
