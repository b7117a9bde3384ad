"""Files from phones and home computers, checked before they reach the case service: the type is read
from the content (``filetype``) and must match the name's extension; archives are refused; the size is
capped by settings.UPLOAD_MAX_BYTES; photos are decoded, turned upright, shrunk to at most
PORTAL_PHOTO_MAX_SIDE pixels and re-encoded as JPEG (which also drops their EXIF data, GPS included)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import filetype
from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from govhall.core.errors import field_error
from govhall.portal import conf

IMAGE_KINDS = {"jpg", "png", "tif", "bmp", "webp"}
ARCHIVE_KINDS = {"zip", "rar", "7z", "gz", "tar", "bz2", "xz", "cab", "lz", "zst"}
ALIASES = {"jpeg": "jpg", "jpe": "jpg", "tiff": "tif"}
MAX_FILES_PER_MATERIAL = 5


@dataclass(frozen=True)
class CleanFile:
    name: str
    data: bytes
    kind: str
    original_size: int


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def clean_upload(upload: IO[bytes], *, name: str, size: int | None, field: str, label: str) -> CleanFile:
    """A checked (and, for photos, shrunk) file, or a field error naming the material."""
    limit = settings.UPLOAD_MAX_BYTES
    if size is not None and size > limit:
        raise field_error(
            field, f"「{label}」的文件过大（{size // 1024} KB），单个文件不能超过 {_mb(limit)}。"
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise field_error(field, f"「{label}」的文件过大，单个文件不能超过 {_mb(limit)}。")
    if not data:
        raise field_error(field, f"「{label}」的文件是空的，请重新拍照或选择文件。")
    guess = filetype.guess(data[:8192])
    kind = ALIASES.get(guess.extension, guess.extension) if guess else None
    if kind in ARCHIVE_KINDS or (
        guess is not None and guess.mime in ("application/zip", "application/x-rar-compressed")
    ):
        raise field_error(field, f"「{label}」不接受压缩包，请直接上传照片或 PDF 文件。")
    if kind == "heic" or kind == "heif":
        raise field_error(
            field, f"「{label}」是 HEIC 格式照片，请在手机相机设置中选择“兼容性最佳”（JPG）后重新拍照。"
        )
    if kind not in IMAGE_KINDS and kind != "pdf":
        raise field_error(
            field, f"「{label}」的文件类型不支持：只接受照片（JPG、PNG）或 PDF 文件（按文件内容识别）。"
        )
    claimed = Path(name or "").suffix.lower().lstrip(".")
    claimed = ALIASES.get(claimed, claimed)
    if (
        claimed
        and claimed != kind
        and claimed in IMAGE_KINDS | ARCHIVE_KINDS | {"pdf", "doc", "docx", "xls", "xlsx"}
    ):
        raise field_error(
            field,
            f"「{label}」的文件名是 .{claimed}，但内容是 {kind.upper()}，与所称不符，请检查后重新上传。",
        )
    stem = (Path(name or "").stem or "material")[:80]
    if kind == "pdf":
        return CleanFile(name=f"{stem}.pdf", data=data, kind="pdf", original_size=len(data))
    return CleanFile(
        name=f"{stem}.jpg", data=_shrink(data, field=field, label=label), kind="jpg", original_size=len(data)
    )


def _shrink(data: bytes, *, field: str, label: str) -> bytes:
    side = conf.get("PORTAL_PHOTO_MAX_SIDE")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()  # a truncated or forged image stops here
        with Image.open(io.BytesIO(data)) as opened:
            picture: Image.Image = ImageOps.exif_transpose(opened)
            if picture.mode not in ("RGB", "L"):
                picture = picture.convert("RGB")
            picture.thumbnail((side, side))
            out = io.BytesIO()
            picture.save(out, format="JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise field_error(field, f"「{label}」的图片已损坏或无法识别，请重新拍照。") from None
    return out.getvalue()
