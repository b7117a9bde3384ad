"""Material scans and photos: the type is read from the content (``filetype``), never trusted from the
name or the browser; the size is capped by settings.UPLOAD_MAX_BYTES; files live under MEDIA_ROOT/cases/
(outside any web root) with random names, SM4-encrypted with the field key (core/filecrypt.py), and are
served only by the access-checked download view, decrypted as they stream."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import filetype
from django.conf import settings
from django.utils import timezone

from govhall.core.errors import PayloadTooLarge, field_error
from govhall.core.filecrypt import write_encrypted

# 高拍仪/scanner output and phone photos.
ALLOWED = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf", "tif": "image/tiff"}
EXTENSION_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "tiff": "tif"}


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    original_name: str
    kind: str
    mime: str
    size: int
    sha256: str


def media_path(storage_name: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / storage_name).resolve()
    if root not in path.parents:
        raise ValueError("path outside MEDIA_ROOT")
    return path


def _too_large(message: str) -> PayloadTooLarge:
    return PayloadTooLarge(message, fields={"file": message})


def check_and_store(upload: IO[bytes], *, name: str, size: int | None = None) -> StoredFile:
    """Check a file's real type and size, then write it under MEDIA_ROOT. Raises a field error on 'file'."""
    limit = settings.UPLOAD_MAX_BYTES
    if size is not None and size > limit:
        raise _too_large(f"文件过大（{size // 1024} KB），单个文件不能超过 {limit // (1024 * 1024)} MB。")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(f"文件过大，单个文件不能超过 {limit // (1024 * 1024)} MB。")
    if not data:
        raise field_error("file", "文件是空的，请重新扫描或拍照。")
    guess = filetype.guess(data[:8192])
    kind = EXTENSION_ALIASES.get(guess.extension, guess.extension) if guess else None
    if kind not in ALLOWED:
        raise field_error("file", "文件类型不支持：只接受 JPG、PNG、TIFF 图片或 PDF 文件（按文件内容识别）。")
    claimed = Path(name or "").suffix.lower().lstrip(".")
    claimed = EXTENSION_ALIASES.get(claimed, claimed)
    if claimed and claimed != kind:
        raise field_error(
            "file", f"文件名声称是 .{claimed} 文件，但内容是 {kind.upper()}，请检查后重新上传。"
        )
    now = timezone.localtime()
    storage_name = f"cases/{now:%Y/%m}/{uuid.uuid4().hex}.{kind}"
    path = media_path(storage_name)
    write_encrypted(path, data)  # the plaintext never touches the disk
    original = Path(name or f"upload.{kind}").name[:200]
    return StoredFile(
        storage_name=storage_name,
        original_name=original,
        kind=kind,
        mime=ALLOWED[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def remove_stored(storage_name: str) -> None:
    """Delete a file written in a transaction that rolled back."""
    try:
        media_path(storage_name).unlink(missing_ok=True)
    except ValueError:
        pass
