"""Applicant and agent identity: 证件类型 and number validated per type, phone validated; stored encrypted
with a keyed digest for exact look-up (tracking by ID number, credit flags)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from govhall.cases.models import PERSON_ID_TYPES, ApplicantKind, Channel, IdType
from govhall.core.actors import CitizenActor
from govhall.core.crypto import lookup_digest
from govhall.core.errors import field_error
from govhall.core.ids import (
    mask_id_card,
    mask_name,
    mask_uscc,
    normalize_id_card,
    normalize_mobile,
    normalize_uscc,
)

_PATTERNS = {
    IdType.PASSPORT: (re.compile(r"^[A-Z0-9]{5,17}$"), "护照号码应为5至17位字母或数字。"),
    IdType.HK_MACAU: (
        re.compile(r"^[HM]\d{8}(\d{2})?$"),
        "港澳居民来往内地通行证号码应以H或M开头，后接8位或10位数字。",
    ),
    IdType.TAIWAN: (re.compile(r"^\d{8}(\d{2})?$"), "台湾居民来往大陆通行证号码应为8位或10位数字。"),
    IdType.FOREIGN_PR: (
        re.compile(r"^([A-Z]{3}\d{12}|9\d{17})$"),
        "外国人永久居留身份证号码应为15位（3位字母加12位数字）或以9开头的18位数字。",
    ),
}


def normalize_id(id_type: str, value: str, *, field: str) -> str:
    """The canonical number for this 证件类型, or a field error naming what is wrong."""
    if id_type not in IdType.values:
        raise field_error(field.replace("number", "type"), "证件类型不正确，请从列表中选择。")
    raw = (value or "").strip().upper().replace(" ", "")
    if not raw:
        raise field_error(field, "请填写证件号码。")
    try:
        if id_type == IdType.ID_CARD:
            return normalize_id_card(raw)
        if id_type == IdType.USCC:
            return normalize_uscc(raw)
    except ValidationError as exc:
        raise field_error(field, exc.messages[0]) from None
    pattern, message = _PATTERNS[IdType(id_type)]
    if not pattern.fullmatch(raw):
        raise field_error(field, message)
    return raw


def normalize_phone(value: str, *, field: str) -> str:
    try:
        return normalize_mobile(value)
    except ValidationError as exc:
        raise field_error(field, exc.messages[0]) from None


def mask_id(id_type: str, value: str) -> str:
    if not value:
        return ""
    if id_type == IdType.USCC:
        return mask_uscc(value)
    if id_type == IdType.ID_CARD:
        return mask_id_card(value)
    return value[:2] + "*" * max(len(value) - 4, 1) + value[-2:]


def mask_applicant_name(kind: str, name: str) -> str:
    # An organisation's name is public (it is on its licence); a person's is masked.
    return name if kind == ApplicantKind.ORGANISATION else mask_name(name)


def applicant_actor(kind: str, name: str, channel: str = "") -> CitizenActor:
    """The applicant acting online, as the timeline and the audit log name them: 「申请人 张*（网上申报）」."""
    how = "移动端申报" if channel == Channel.MOBILE else "网上申报"
    who = mask_applicant_name(kind, str(name or "").strip()) or "（未填姓名）"
    return CitizenActor(f"申请人 {who}（{how}）"[:80])


@dataclass(frozen=True)
class Identity:
    kind: str
    name: str
    id_type: str
    id_number: str
    digest: str
    phone: str


def id_digest(id_type: str, number: str) -> str:
    """The look-up key of an identity document (type + number), so the same number under another type
    does not collide."""
    return lookup_digest(f"{id_type}:{number}")


def clean_applicant(
    *, kind: str, name: str, id_type: str, id_number: str, phone: str, service_objects: list[int]
) -> Identity:
    """Validate an applicant against the matter's 服务对象 (1 自然人; 2–6 organisations)."""
    if kind not in ApplicantKind.values:
        raise field_error("applicant.kind", "申请人类型应为自然人或法人（其他组织）。")
    name = (name or "").strip()
    if not name:
        raise field_error("applicant.name", "请填写申请人名称。")
    if len(name) > 100:
        raise field_error("applicant.name", "申请人名称不能超过100个字。")
    if kind == ApplicantKind.PERSON:
        if id_type not in PERSON_ID_TYPES:
            raise field_error(
                "applicant.id_type", "自然人申请人的证件类型应为居民身份证、护照或通行证等个人证件。"
            )
        if 1 not in service_objects:
            raise field_error("applicant.kind", "本事项的服务对象不含自然人，请以法人或其他组织身份申请。")
    else:
        if id_type != IdType.USCC:
            raise field_error("applicant.id_type", "法人或其他组织的证件类型应为统一社会信用代码。")
        if not any(code in service_objects for code in (2, 3, 4, 5, 6)):
            raise field_error("applicant.kind", "本事项的服务对象仅为自然人，组织不能申请。")
    number = normalize_id(id_type, id_number, field="applicant.id_number")
    return Identity(
        kind=kind,
        name=name,
        id_type=id_type,
        id_number=number,
        digest=id_digest(id_type, number),
        phone=normalize_phone(phone, field="applicant.phone"),
    )


def clean_agent(*, name: str, id_type: str, id_number: str, phone: str) -> Identity | None:
    """An applicant's 代理人 (a person acting with the applicant's authorisation), or None when absent."""
    name = (name or "").strip()
    if not name and not (id_number or "").strip():
        return None
    if not name:
        raise field_error("agent.name", "请填写代理人姓名。")
    if id_type not in PERSON_ID_TYPES:
        raise field_error("agent.id_type", "代理人的证件类型应为居民身份证、护照或通行证等个人证件。")
    number = normalize_id(id_type, id_number, field="agent.id_number")
    if not phone:
        raise field_error("agent.phone", "请填写代理人联系电话。")
    return Identity(
        kind=ApplicantKind.PERSON,
        name=name,
        id_type=id_type,
        id_number=number,
        digest=id_digest(id_type, number),
        phone=normalize_phone(phone, field="agent.phone"),
    )
