"""`govhall catalog export FILE.xlsx`: write the current catalogue in the import template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from govhall.catalog.xlsx import catalog_export_xlsx


class Command(BaseCommand):
    help = "导出事项清单（现行版本）到Excel，可修改后再导入"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="输出的 .xlsx 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        data = catalog_export_xlsx()
        Path(options["file"]).write_bytes(data)
        self.stdout.write(f"已导出到 {options['file']}（{len(data)} 字节）")
