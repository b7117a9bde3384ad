"""Validation and masking of personal identifiers: 居民身份证号 (GB 11643), 统一社会信用代码 (GB 32100),
mainland mobile numbers. Errors are Django ValidationErrors with a Chinese message."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def id_card_check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_id_card(value: str) -> str:
    """Return the 18-character number in canonical form (upper-case X), or raise ValidationError."""
    value = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(
            "居民身份证号码应为18位：前17位为数字，最后一位为数字或X。", code="id_card_format"
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError("居民身份证号码中的出生日期无效，请核对。", code="id_card_birth") from None
    if birth.year < 1900 or birth > dt.date.today():
        raise ValidationError("居民身份证号码中的出生日期不在合理范围内，请核对。", code="id_card_birth")
    if id_card_check_digit(value[:17]) != value[17]:
        raise ValidationError("居民身份证号码校验位不正确，请核对后重新输入。", code="id_card_check")
    return value


def id_card_birth_date(value: str) -> dt.date:
    value = normalize_id_card(value)
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    value = (value or "").strip().upper()
    if len(value) != 18 or any(c not in _USCC_CHARS for c in value):
        raise ValidationError(
            "统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、S、V、Z）。", code="uscc_format"
        )
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对后重新输入。", code="uscc_check")
    return value


def normalize_mobile(value: str) -> str:
    value = re.sub(r"[\s-]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    if not _MOBILE.fullmatch(value):
        raise ValidationError("手机号码应为11位中国大陆手机号（以1开头）。", code="mobile_format")
    return value


def mask_id_card(value: str) -> str:
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_mobile(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)


def mask_name(value: str) -> str:
    return value[0] + "*" * (len(value) - 1) if value else value


def mask_uscc(value: str) -> str:
    return value[:4] + "*" * 10 + value[-4:] if len(value) == 18 else value
