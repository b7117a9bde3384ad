"""`govhall media encrypt`: encrypt, in place, uploaded files stored before encryption at rest, and rewrite
files written under a retired key (GOVHALL_FIELD_KEYS_RETIRED) under the current GOVHALL_FIELD_KEY.

Safe to run again and to interrupt: each file is written beside the original, fsynced and renamed over
it; a file already encrypted under the current key is left untouched. Run it while govhall is running or
not. See docs/operations.md ("Uploaded files")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from govhall.core.crypto import DecryptionError
from govhall.core.filecrypt import current_key, key_for, read_header, rewrite_encrypted

# Directories under MEDIA_ROOT that hold personal data (case materials: scans of ID cards, 户口本).
ENCRYPTED_DIRS = ("cases",)


class Command(BaseCommand):
    help = "加密存量上传文件（办件材料扫描件），并将以旧密钥加密的文件换用当前密钥；可重复执行。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计并检查密钥，不改动文件")

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.MEDIA_ROOT)
        encrypted = rekeyed = current = 0
        failed: list[str] = []
        for sub in ENCRYPTED_DIRS:
            base = root / sub
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*")):
                if not path.is_file() or path.name.startswith("."):
                    continue
                try:
                    with path.open("rb") as handle:
                        header = read_header(handle)
                    if header is not None and header.key_id == current_key().key_id:
                        current += 1
                        continue
                    if header is not None:
                        key_for(header.key_id)  # a file under a key we do not have is reported, not skipped
                    if not options["dry_run"]:
                        rewrite_encrypted(path)
                except (DecryptionError, OSError) as exc:
                    failed.append(f"{path.relative_to(root)}：{exc}")
                    continue
                if header is None:
                    encrypted += 1
                else:
                    rekeyed += 1
        verb = "待" if options["dry_run"] else "已"
        self.stdout.write(
            f"{verb}加密 {encrypted} 个文件；{verb}换用当前密钥重新加密 {rekeyed} 个；"
            f"已是当前密钥加密 {current} 个。"
        )
        if failed:
            raise CommandError(f"{len(failed)} 个文件无法处理（密钥不符或文件损坏）：\n" + "\n".join(failed))
