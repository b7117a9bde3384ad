"""Photos from the tablet: checked as images by their content (Pillow), never by name or declared type."""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from govhall.core.errors import PayloadTooLarge, field_error

FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}
MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class CheckedImage:
    content: ContentFile
    token: str
    extension: str
    content_type: str
    size: int
    sha256: str
    original_name: str


def check_image(upload: Any, *, field: str = "photo") -> CheckedImage:
    """Read an uploaded file and accept it only if Pillow recognises a JPEG/PNG/WEBP/GIF image in it."""
    name = str(getattr(upload, "name", "") or "")[:200]
    size = int(getattr(upload, "size", 0) or 0)
    if size > settings.UPLOAD_MAX_BYTES:
        message = f"照片“{name}”超过 {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB，请压缩后再上传。"
        raise PayloadTooLarge(message, fields={field: message})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read()
    if not data:
        raise field_error(field, f"照片“{name}”是空文件。")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise field_error(field, f"文件“{name}”不是有效的图片（支持 JPG、PNG、WEBP、GIF）。") from None
    if kind not in FORMATS:
        raise field_error(field, f"文件“{name}”的图片格式 {kind} 不受支持（支持 JPG、PNG、WEBP、GIF）。")
    if width * height > MAX_PIXELS:
        raise field_error(field, f"照片“{name}”像素过大（{width}×{height}）。")
    extension, content_type = FORMATS[kind]
    return CheckedImage(
        ContentFile(data),
        secrets.token_hex(16),
        extension,
        content_type,
        len(data),
        hashlib.sha256(data).hexdigest(),
        name,
    )


def stored_fields(checked: CheckedImage) -> dict[str, Any]:
    return {
        "token": checked.token,
        "extension": checked.extension,
        "content_type": checked.content_type,
        "size": checked.size,
        "sha256": checked.sha256,
        "original_name": checked.original_name,
    }
