"""`govhall calendar import FILE`: load one year's State Council holiday notice into the bureau's table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govhall.core.holiday_notice import NoticeError, decode_notice, parse_notice
from govhall.core.services import calendar_year_import


class Command(BaseCommand):
    help = (
        "导入一年的国务院办公厅节假日安排（放假与调休上班）。文件格式见 docs/core.md："
        "year,2027 / source,文号 / 每行 日期[~日期],放假|上班,名称。全部正确才写入，出错时列出行号。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="UTF-8 文本文件（CSV）")
        parser.add_argument("--dry-run", action="store_true", help="只检查文件，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from None
        try:
            notice = parse_notice(decode_notice(data))
        except NoticeError as exc:
            raise CommandError(
                f"{path} 有{len(exc.errors)}处错误，未写入任何数据：\n" + "\n".join(exc.errors)
            ) from None
        summary = f"{notice.year}年（{notice.source}）：放假{len(notice.holidays)}天，调休上班{len(notice.workdays)}天"
        if options["dry_run"]:
            self.stdout.write(f"检查通过，未写入：{summary}")
            return
        calendar_year_import(notice=notice)
        self.stdout.write(f"已导入{summary}。")
