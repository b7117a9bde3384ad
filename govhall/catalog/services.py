"""Catalogue changes: matters and their versions, centre assignment (SCOPE-3), notification sheets (STD-2).

Pages, the API, the Excel import and the CLI all call these. Every rule about a valid matter lives in
`version_check`; every change is atomic and audited. `actor=None` means the system (built-in data, CLI);
pages and the API always pass the signed-in user, who must be a bureau admin to change the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from govhall.core.audit import audit_record
from govhall.core.errors import Conflict, Forbidden, NotFound, ServiceError, field_error
from govhall.core.hooks import Hook
from govhall.core.policy import is_bureau_admin
from govhall.orgs.models import Centre, CentreLevel, Department, WindowClass
from govhall.orgs.policy import centre_ids_visible_to

from .models import (
    SUPPLY_DAYS_DEFAULT,
    SUPPLY_DAYS_MAX,
    VILLAGE_CATEGORIES,
    CaseType,
    CentreMatter,
    CentreMatterSource,
    CentreServiceMode,
    ChangeKind,
    CheckMethod,
    DeliveryMode,
    ExerciseLevel,
    HandlingForm,
    Material,
    MaterialForm,
    Matter,
    MatterStatus,
    MatterType,
    MatterVersion,
    NoticeCategory,
    NotificationItem,
    NotificationSheet,
    ProblemKind,
    ServiceObject,
    SpecialProcedure,
    TimeUnit,
    VersionState,
)

# Content fields of a version, in form/Excel order. `department` and `window_department` take a
# Department or its code.
VERSION_FIELDS: tuple[str, ...] = (
    "name",
    "matter_type",
    "legal_basis",
    "levels",
    "max_town_class",
    "department",
    "implementing_body",
    "implementing_body_credit_code",
    "handling_org",
    "category",
    "delivery_mode",
    "window_class",
    "window_department",
    "legal_limit",
    "legal_limit_unit",
    "legal_limit_note",
    "promised_limit",
    "promised_limit_unit",
    "promised_limit_note",
    "case_type",
    "acceptance_conditions",
    "process",
    "approval_steps",
    "special_procedures",
    "result_name",
    "charges",
    "fee_basis",
    "fee_amount",
    "fee_note",
    "service_objects",
    "handling_forms",
    "visits",
    "in_person_reason",
    "supports_appointment",
    "supports_online",
    "supports_online_payment",
    "supports_express",
    "online_url",
    "location",
    "office_hours",
    "consult_phone",
    "supervision_phone",
    "faq",
    "check_method",
    "check_days",
    "rongque_supply_days",
)
# Carried from version to version but not edited through forms/Excel (uploaded file).
VERSION_FILE_FIELDS: tuple[str, ...] = ("result_sample",)
MATERIAL_FIELDS: tuple[str, ...] = (
    "name",
    "issuer",
    "material_form",
    "originals",
    "copies",
    "required",
    "rongque",
    "commitment",
    "commitment_text",
    "fill_notes",
)
MATERIAL_FILE_FIELDS: tuple[str, ...] = ("blank_form", "sample")
REQUIRED_FIELDS: tuple[str, ...] = (
    "name",
    "matter_type",
    "legal_basis",
    "levels",
    "department",
    "implementing_body",
    "category",
    "delivery_mode",
    "window_class",
    "case_type",
)
CODE_RE = re.compile(r"^[0-9A-Za-z]+$")

# Called inside each publish / 暂停 / 恢复 / 取消 transaction with the version now in force. The provincial
# sync (exchange, above the catalogue) connects to it in ExchangeConfig.ready().
matter_published = Hook("catalog.matter_published")


def label(field: str) -> str:
    """The Chinese name of a version field, for messages."""
    return str(getattr(MatterVersion._meta.get_field(field), "verbose_name", field))


def material_label(field: str) -> str:
    return str(getattr(Material._meta.get_field(field), "verbose_name", field))


# --- access ----------------------------------------------------------------------------------------


def require_catalog_editor(actor: Any) -> None:
    """Only bureau admins change the catalogue (actor None = the system: built-in data, CLI)."""
    if actor is not None and not is_bureau_admin(actor):
        raise Forbidden("只有市行政审批局管理员可以修改事项清单。")


# --- search keys -----------------------------------------------------------------------------------


def _alnum_chars(text: str) -> Any:
    """pypinyin's handler for non-Chinese runs: keep letters and digits, one item each."""
    return [c for c in text if c.isalnum()]


def _pinyin_parts(name: str, style: Style) -> list[str]:
    return [p.lower() for p in lazy_pinyin(name, style=style, errors=_alnum_chars)]


def search_keys(*, name: str, code: str, basic_code: str, keywords: str = "") -> tuple[str, str]:
    """(search_key, pinyin_initials) for a version: lower-case name, the bureau's keywords, codes and full
    pinyin; initials."""
    full = "".join(_pinyin_parts(name, Style.NORMAL))
    initials = "".join(p[:1] for p in _pinyin_parts(name, Style.FIRST_LETTER))
    words = " ".join(keyword_list(keywords)).lower()
    key = " ".join(part for part in (name.lower(), words, code.lower(), basic_code.lower(), full) if part)
    return key[:1000], initials[:200]


def keyword_list(text: str) -> list[str]:
    """The bureau's keywords as a list: split at 、，,；; and spaces, blanks and repeats dropped."""
    out: list[str] = []
    for word in re.split(r"[、，,；;\s]+", text or ""):
        if word and word not in out:
            out.append(word)
    return out


def keyword_text(text: str) -> str:
    """The keywords as stored: one 、 between words."""
    return "、".join(keyword_list(text))


def keyword_problem(text: str) -> str:
    """What is wrong with a keywords entry ("" when nothing)."""
    if len(keyword_text(text)) > 300:
        return "检索关键词合计不能超过300字。"
    if any(len(w) > 20 for w in keyword_list(text)):
        return "每个检索关键词不超过20字，请用顿号分隔。"
    return ""


def _index(matter: Matter) -> None:
    """Refresh the matter's search keys from its name, keywords and codes (call before saving it)."""
    matter.search_key, matter.pinyin_initials = search_keys(
        name=matter.name, code=matter.code, basic_code=matter.basic_code, keywords=matter.keywords
    )


def matter_keywords_set(*, actor: Any, matter: Matter, keywords: str) -> Matter:
    """The bureau sets a matter's everyday search words (检索关键词); they take effect at once, with no new
    version (they are not part of the published guide)."""
    require_catalog_editor(actor)
    if problem := keyword_problem(keywords):
        raise field_error("keywords", problem)
    text = keyword_text(keywords)
    with transaction.atomic():
        locked = Matter.objects.select_for_update().get(pk=matter.pk)
        before = locked.keywords
        if before == text:
            return locked
        locked.keywords = text
        _index(locked)
        locked.save(update_fields=["keywords", "search_key", "pinyin_initials", "updated_at"])
        audit_record(
            action="catalog.matter.keywords",
            obj=locked,
            actor=_user(actor),
            before={"keywords": before},
            after={"keywords": text},
        )
    return locked


# --- validation ---------------------------------------------------------------------------------


def _codes(value: Any) -> list[int] | None:
    """A list of int codes from "5,6", [5, 6] or (5,); None when a part is not a number."""
    if value is None or value == "":
        return []
    parts = re.split(r"[,，、;；\s]+", value.strip()) if isinstance(value, str) else list(value)
    out = []
    for part in parts:
        if part == "" or part is None:
            continue
        try:
            out.append(int(part))
        except (TypeError, ValueError):
            return None
    return out


def _integer(value: Any) -> int | None:
    """An int from 3, 3.0 (Excel) or "3"; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal) and value == int(value):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _days(amount: int, unit: str) -> float:
    """Approximate length in natural days, to compare limits given in different units."""
    if unit == TimeUnit.HOUR:
        return amount / 8 * 7 / 5  # eight working hours a working day
    if unit == TimeUnit.WORKDAY:
        return amount * 7 / 5
    return float(amount)


def _department(value: Any, field: str, errors: dict[str, str]) -> Department | None:
    if value in (None, ""):
        return None
    if isinstance(value, Department):
        return value
    found = Department.objects.filter(code=str(value).strip()).first()
    if found is None:
        errors[field] = f"「{label(field)}」代码“{value}”不存在，请使用部门代码（如 MZ、GA）。"
    return found


def _choice(data: dict[str, Any], field: str, choices: Any, errors: dict[str, str]) -> None:
    value = data.get(field)
    if value in (None, ""):
        return
    if value not in choices.values:
        try:
            if int(value) in choices.values:  # IntegerChoices given as "2"
                data[field] = int(value)
                return
        except (TypeError, ValueError):
            pass
        allowed = "、".join(f"{v} {lbl}" for v, lbl in choices.choices)
        errors[field] = f"「{label(field)}」代码“{value}”未知，可选：{allowed}。"


def _online_rules(data: dict[str, Any], errors: dict[str, str]) -> None:
    """办理形式 and 全程网办 (issue 16):

    - the portal is where matters are applied for online, and it serves phones: a matter applied for online
      (是否支持网办, or 办理形式 2 电脑端网上办理) is also 3 移动端网上申请 — added here, so every guide says so;
    - a matter that needs the applicant in person (`in_person_reason`: 居民身份证 fingerprints and photo,
      出入境证件 photo …) is never 全程网办: it may not be marked 支持网上办理 and needs at least one visit.
      Online forms 2/3 stay allowed there: applying or booking online before the visit."""
    if "handling_forms" in data and "handling_forms" not in errors:
        forms = set(_codes(data["handling_forms"] or "") or [])
        if data.get("supports_online") or HandlingForm.ONLINE_PC in forms:
            forms.add(HandlingForm.ONLINE_MOBILE)
            data["handling_forms"] = ",".join(str(c) for c in sorted(forms))
    reason = " ".join(str(data.get("in_person_reason") or "").split())
    if "in_person_reason" in data:
        data["in_person_reason"] = reason
    if not reason:
        return
    if len(reason) > 100:
        errors["in_person_reason"] = "「须本人到场原因」不能超过100个字。"
    if data.get("supports_online"):
        errors["supports_online"] = (
            f"该事项须本人到场（{reason}），不能全程网办：「支持网上办理」应为否"
            "（可保留办理形式中的网上申请，用于网上预约、预审）。"
        )
    if data.get("visits") == 0 and "visits" not in errors:
        errors["visits"] = f"该事项须本人到场（{reason}），「到办事现场次数」至少为1次。"


def version_check(data: dict[str, Any], materials: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Every rule a publishable version obeys. Normalises `data` in place (department codes → rows,
    code lists → "5,6", numbers) and returns {field: Chinese message}; empty means valid."""
    errors: dict[str, str] = {}
    for field in REQUIRED_FIELDS:
        value = data.get(field)
        if value is None or (isinstance(value, str) and not value.strip()) or value == []:
            errors[field] = f"「{label(field)}」必须填写。"
    for field in ("name", "legal_basis", "implementing_body"):
        if isinstance(data.get(field), str):
            data[field] = data[field].strip()
    if len(data.get("name") or "") > 200:
        errors["name"] = "「事项名称」不能超过200个字。"

    _choice(data, "matter_type", MatterType, errors)
    _choice(data, "category", NoticeCategory, errors)
    _choice(data, "delivery_mode", DeliveryMode, errors)
    _choice(data, "window_class", WindowClass, errors)
    _choice(data, "case_type", CaseType, errors)
    _choice(data, "legal_limit_unit", TimeUnit, errors)
    _choice(data, "promised_limit_unit", TimeUnit, errors)
    _choice(data, "check_method", CheckMethod, errors)

    for field, table in (
        ("levels", ExerciseLevel),
        ("service_objects", ServiceObject),
        ("handling_forms", HandlingForm),
    ):
        if field not in data:
            continue
        codes = _codes(data[field])
        if codes is None or any(c not in table.values for c in codes):
            allowed = "、".join(f"{v} {lbl}" for v, lbl in table.choices)
            errors[field] = f"「{label(field)}」含未知代码“{data[field]}”，可选：{allowed}。"
        else:
            data[field] = ",".join(str(c) for c in sorted(set(codes)))
    levels = _codes(data.get("levels") or "") or []
    if data.get("max_town_class") in ("", None):
        data["max_town_class"] = None
    elif data["max_town_class"] not in (1, 2, "1", "2"):
        errors["max_town_class"] = "「进驻镇类别」只能为空、1（仅一类镇）或2（一类、二类镇）。"
    else:
        data["max_town_class"] = int(data["max_town_class"])
    category = data.get("category")
    if "levels" not in errors and levels and category and "category" not in errors:
        if category in VILLAGE_CATEGORIES and ExerciseLevel.VILLAGE not in levels:
            errors["levels"] = (
                f"「清单类别」为村级类别“{NoticeCategory(category).label}”，「行使层级」应包含6（村级）。"
            )
        if category not in VILLAGE_CATEGORIES and not any(c <= ExerciseLevel.TOWN for c in levels):
            errors["levels"] = (
                f"「清单类别」为镇级类别“{NoticeCategory(category).label}”，「行使层级」应包含5（镇级）或以上。"
            )

    department = _department(data.get("department"), "department", errors)
    if department is not None:
        data["department"] = department
    window_department = _department(data.get("window_department"), "window_department", errors)
    data["window_department"] = window_department
    if (
        data.get("window_class") == WindowClass.PROFESSIONAL
        and window_department is None
        and "window_department" not in errors
    ):
        errors["window_department"] = "受理窗口为专业窗口时，「专业窗口部门」必须填写。"

    for field in ("legal_limit", "promised_limit", "visits", "check_days", "rongque_supply_days"):
        if field not in data and field in ("promised_limit", "visits"):
            continue
        value = data.get(field)
        if value in (None, ""):
            data[field] = {"promised_limit": 0, "visits": 1}.get(field)
            continue
        number = _integer(value)
        if number is None or number < 0:
            errors[field] = f"「{label(field)}」应为不小于0的整数（现为“{value}”）。"
        else:
            data[field] = number

    legal, promised = data.get("legal_limit"), data.get("promised_limit") or 0
    case_type = data.get("case_type")
    if case_type in (CaseType.PROMISED, "2") and promised == 0 and "promised_limit" not in errors:
        errors["promised_limit"] = "承诺件的「承诺办结时限」必须大于0。"
    if (
        isinstance(legal, int)
        and isinstance(promised, int)
        and "legal_limit_unit" not in errors
        and "promised_limit_unit" not in errors
    ):
        legal_unit = data.get("legal_limit_unit") or TimeUnit.WORKDAY
        promised_unit = data.get("promised_limit_unit") or TimeUnit.WORKDAY
        longer = (
            promised > legal
            if legal_unit == promised_unit
            else _days(promised, promised_unit) > _days(legal, legal_unit)
        )
        if longer:
            errors["promised_limit"] = (
                f"「承诺办结时限」（{promised}个{TimeUnit(promised_unit).label}）不能超过"
                f"「法定办结时限」（{legal}个{TimeUnit(legal_unit).label}）。"
            )

    _online_rules(data, errors)

    if data.get("charges"):
        if not (data.get("fee_basis") or "").strip():
            errors["fee_basis"] = "收费事项的「收费依据」必须填写。"
    amount = data.get("fee_amount")
    if amount in (None, ""):
        data["fee_amount"] = None
    else:
        try:
            data["fee_amount"] = Decimal(str(amount)).quantize(Decimal("0.01"))
            if data["fee_amount"] < 0 or data["fee_amount"] >= Decimal("1e10"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["fee_amount"] = f"「收费金额（元）」应为不小于0的金额（现为“{amount}”）。"

    steps = data.get("approval_steps")
    if steps is not None:
        if isinstance(steps, str):
            steps = [s.strip() for s in re.split(r"[→>,，、;；\n]+", steps) if s.strip()]
        if not steps or any(not isinstance(s, str) or not s.strip() or len(s) > 20 for s in steps):
            errors["approval_steps"] = "「审批环节」至少一个，每个环节名称1至20个字（如：受理、审核、审批）。"
        elif len(set(steps)) != len(steps):
            errors["approval_steps"] = "「审批环节」名称不能重复。"
        else:
            data["approval_steps"] = [s.strip() for s in steps]
    procedures = data.get("special_procedures")
    if procedures is not None:
        if isinstance(procedures, str):
            procedures = [p.strip() for p in re.split(r"[,，、;；\s]+", procedures) if p.strip()]
        by_label = {lbl: v for v, lbl in SpecialProcedure.choices}
        resolved = [by_label.get(p, p) for p in procedures]
        unknown = [p for p in resolved if p not in SpecialProcedure.values]
        if unknown:
            allowed = "、".join(SpecialProcedure.labels)
            errors["special_procedures"] = f"「特别程序」“{'、'.join(unknown)}”未知，可选：{allowed}。"
        else:
            data["special_procedures"] = list(dict.fromkeys(resolved))

    seen: set[str] = set()
    any_commitment = any_rongque = False
    for index, material in enumerate(materials):
        prefix = f"materials.{index}"
        name = (material.get("name") or "").strip()
        material["name"] = name
        title = f"第{index + 1}项材料「{name or '未命名'}」"
        if not name:
            errors[f"{prefix}.name"] = f"第{index + 1}项材料的「材料名称」必须填写。"
        elif name in seen:
            errors[f"{prefix}.name"] = f"{title}与前面的材料重名。"
        seen.add(name)
        if (
            material.get("material_form") not in (None, "")
            and material["material_form"] not in MaterialForm.values
        ):
            errors[f"{prefix}.material_form"] = (
                f"{title}的「材料形式」“{material['material_form']}”未知，"
                f"可选：{'、'.join(MaterialForm.labels)}。"
            )
        for field in ("originals", "copies"):
            value = material.get(field, 0)
            try:
                material[field] = int(value or 0)
                if material[field] < 0 or material[field] > 99:
                    raise ValueError
            except (TypeError, ValueError):
                errors[f"{prefix}.{field}"] = f"{title}的「{material_label(field)}」应为0至99的整数。"
        if material.get("commitment"):
            any_commitment = True
            if not (material.get("commitment_text") or "").strip():
                errors[f"{prefix}.commitment_text"] = f"{title}可告知承诺，必须填写「告知承诺书」内容。"
        if material.get("rongque"):
            any_rongque = True
            if material.get("required") is False:
                errors[f"{prefix}.rongque"] = f"{title}不是必备材料，无需设为「可容缺」。"
    if any_commitment:
        method = data.get("check_method")
        if not method:
            errors["check_method"] = "有可告知承诺的材料时，「告知承诺核查方式」必须填写。"
        elif method != CheckMethod.EXEMPT and not data.get("check_days") and "check_days" not in errors:
            errors["check_days"] = "告知承诺需核查时，「核查时限（工作日）」必须填写且大于0。"
    if any_rongque and "rongque_supply_days" not in errors:
        days = data.get("rongque_supply_days")
        if not days:
            errors["rongque_supply_days"] = "有可容缺材料时，「容缺补齐期限（工作日）」必须填写且大于0。"
        elif (
            (data.get("promised_limit_unit") or TimeUnit.WORKDAY) == TimeUnit.WORKDAY
            and isinstance(promised, int)
            and promised
            and days > promised
        ):
            errors["rongque_supply_days"] = (
                f"「容缺补齐期限」（{days}个工作日）不能超过「承诺办结时限」（{promised}个工作日）。"
            )
    return errors


def _check_codes(code: str, basic_code: str) -> dict[str, str]:
    errors = {}
    if not code:
        errors["code"] = "「实施编码」必须填写。"
    elif len(code) > 24 or not CODE_RE.match(code):
        errors["code"] = f"「实施编码」“{code}”应为不超过24位的字母或数字。"
    if not basic_code:
        errors["basic_code"] = "「基本编码」必须填写。"
    elif len(basic_code) > 10 or not CODE_RE.match(basic_code):
        errors["basic_code"] = f"「基本编码」“{basic_code}”应为不超过10位的字母或数字。"
    return errors


def _raise(errors: dict[str, str]) -> None:
    if errors:
        first = next(iter(errors.values()))
        more = f"（另有{len(errors) - 1}处问题）" if len(errors) > 1 else ""
        raise ServiceError(first + more, fields=errors)


# --- snapshots --------------------------------------------------------------------------------


def version_data(version: MatterVersion) -> dict[str, Any]:
    """A version's content fields as a dict (departments as rows)."""
    return {field: getattr(version, field) for field in VERSION_FIELDS}


def material_data(material: Material) -> dict[str, Any]:
    out = {field: getattr(material, field) for field in MATERIAL_FIELDS}
    out["id"] = material.pk
    return out


def version_snapshot(version: MatterVersion) -> dict[str, Any]:
    """JSON-able content of a version and its materials (audit, comparison)."""
    data = version_data(version)
    data["department"] = version.department.code
    data["window_department"] = version.window_department.code if version.window_department else None
    data["fee_amount"] = str(version.fee_amount) if version.fee_amount is not None else None
    data["materials"] = [{f: getattr(m, f) for f in MATERIAL_FIELDS} for m in version.materials.all()]
    return data


def _write_materials(
    version: MatterVersion, materials: Sequence[dict[str, Any]], previous: dict[int, Material]
) -> None:
    """Replace a draft's materials. A material dict may carry `id` of a material of the base version to
    keep its uploaded files, and `blank_form`/`sample` as new uploads (or False to clear)."""
    version.materials.all().delete()
    for order, item in enumerate(materials, start=1):
        row = Material(version=version, order=order, **{f: item[f] for f in MATERIAL_FIELDS if f in item})
        if row.material_form in (None, ""):
            row.material_form = MaterialForm.PAPER
        row.required = bool(row.required)
        row.rongque, row.commitment = bool(row.rongque), bool(row.commitment)
        row.commitment_text = (
            (row.commitment_text or "").strip() if row.commitment else (row.commitment_text or "")
        )
        base = previous.get(item.get("id") or 0)
        for field in MATERIAL_FILE_FIELDS:
            upload = item.get(field)
            if upload is False:
                continue
            if isinstance(upload, File):
                getattr(row, field).save(upload.name or field, upload, save=False)
            elif base is not None and getattr(base, field):
                setattr(row, field, getattr(base, field).name)
        row.save()


def _apply(version: MatterVersion, data: dict[str, Any]) -> None:
    for field in VERSION_FIELDS:
        if field in data:
            setattr(version, field, data[field])
    for field in (
        "legal_basis",
        "implementing_body_credit_code",
        "handling_org",
        "legal_limit_note",
        "promised_limit_note",
        "acceptance_conditions",
        "process",
        "result_name",
        "fee_basis",
        "fee_note",
        "online_url",
        "location",
        "office_hours",
        "consult_phone",
        "supervision_phone",
        "faq",
        "check_method",
        "implementing_body",
    ):
        if getattr(version, field) is None:
            setattr(version, field, "")


def _copy_version(
    source: MatterVersion, *, number: int, state: str, change_kind: str, reason: str, actor: Any
) -> MatterVersion:
    copy = MatterVersion(
        matter=source.matter,
        number=number,
        state=state,
        change_kind=change_kind,
        change_reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for field in (*VERSION_FIELDS, *VERSION_FILE_FIELDS):
        setattr(copy, field, getattr(source, field))
    copy.save()
    for material in source.materials.all():
        material.pk = None
        material.version = copy
        material.save()
    return copy


def _next_number(matter: Matter) -> int:
    return (matter.versions.aggregate(top=Max("number"))["top"] or 0) + 1


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _lock(matter: Matter) -> Matter:
    return Matter.objects.select_for_update().get(pk=matter.pk)


# --- matters -------------------------------------------------------------------------------------


def matter_create(
    *, actor: Any, code: str, basic_code: str, data: dict[str, Any], materials: Sequence[dict[str, Any]] = ()
) -> Matter:
    """A new matter (新增) with its first draft version; `matter_publish` makes it live."""
    require_catalog_editor(actor)
    code, basic_code = (code or "").strip(), (basic_code or "").strip()
    data, materials = dict(data), [dict(m) for m in materials]
    errors = _check_codes(code, basic_code)
    errors.update(version_check(data, materials))
    _raise(errors)
    with transaction.atomic():
        if Matter.objects.filter(code=code).exists():
            raise Conflict(
                f"「实施编码」“{code}”已存在，不能重复。", fields={"code": f"实施编码“{code}”已存在。"}
            )
        matter = Matter(code=code, basic_code=basic_code, name=data["name"], status=MatterStatus.DRAFT)
        _index(matter)
        matter.save()
        version = MatterVersion(
            matter=matter,
            number=1,
            state=VersionState.DRAFT,
            change_kind=ChangeKind.CREATE,
            created_by=_user(actor),
        )
        _apply(version, data)
        version.save()
        _write_materials(version, materials, {})
        audit_record(
            action="catalog.matter.create", obj=matter, after=version_snapshot(version), actor=_user(actor)
        )
    return matter


def matter_draft(matter: Matter) -> MatterVersion | None:
    return matter.versions.filter(state=VersionState.DRAFT).first()


def _locked_draft(actor: Any, matter: Matter, missing: str) -> tuple[Matter, MatterVersion]:
    """Inside a transaction: the editor check, the matter row locked, and its draft (Conflict if none)."""
    require_catalog_editor(actor)
    matter = _lock(matter)
    draft = matter_draft(matter)
    if draft is None:
        raise Conflict(missing)
    return matter, draft


def matter_draft_save(
    *,
    actor: Any,
    matter: Matter,
    data: dict[str, Any] | None = None,
    materials: Sequence[dict[str, Any]] | None = None,
    change_kind: str = ChangeKind.CHANGE,
    change_reason: str = "",
    basic_code: str | None = None,
) -> MatterVersion:
    """Create or update the matter's draft. Starts from the existing draft, else from the current version;
    `data` overrides fields, `materials` (when given) replaces the list. Published versions are untouched."""
    require_catalog_editor(actor)
    with transaction.atomic():
        matter = _lock(matter)
        if matter.status == MatterStatus.CANCELLED:
            raise Conflict(f"事项“{matter.name}”已取消，不能再修改。")
        draft = matter_draft(matter)
        base = draft or matter.current_version
        if base is None:
            raise NotFound("该事项没有可编辑的版本。")
        merged = version_data(base)
        merged.update(data or {})
        base_materials = {m.pk: m for m in base.materials.all()}
        items = (
            [dict(m) for m in materials]
            if materials is not None
            else [material_data(m) for m in base_materials.values()]
        )
        if basic_code is not None:
            basic_code = basic_code.strip()
            errors = _check_codes(matter.code, basic_code)
        else:
            basic_code, errors = matter.basic_code, {}
        errors.update(version_check(merged, items))
        if change_kind not in ChangeKind.values or change_kind in (
            ChangeKind.SUSPEND,
            ChangeKind.RESUME,
            ChangeKind.CANCEL,
        ):
            errors["change_kind"] = (
                "「变更类型」只能是新增、变更、拆分或合并；暂停、恢复、取消请使用对应操作。"
            )
        _raise(errors)
        before = version_snapshot(draft) if draft else None
        if draft is None:
            draft = _copy_version(
                base,
                number=_next_number(matter),
                state=VersionState.DRAFT,
                change_kind=change_kind,
                reason=change_reason,
                actor=actor,
            )
        elif matter.current_version_id is not None:
            draft.change_kind = change_kind
        if change_reason:
            draft.change_reason = change_reason[:300]
        _apply(draft, merged)
        draft.created_by = _user(actor) or draft.created_by
        draft.save()
        if materials is not None:
            _write_materials(draft, items, base_materials)
        if basic_code != matter.basic_code:
            matter.basic_code = basic_code
        if not matter.is_published:
            matter.name = draft.name
        _index(matter)
        matter.save()
        audit_record(
            action="catalog.matter.draft_save",
            obj=matter,
            before=before,
            after=version_snapshot(draft),
            actor=_user(actor),
        )
    return draft


def matter_draft_discard(*, actor: Any, matter: Matter) -> None:
    """Throw the draft away. A matter never published goes with it (it has no history to keep)."""
    with transaction.atomic():
        matter, draft = _locked_draft(actor, matter, "该事项没有草稿。")
        snapshot = version_snapshot(draft)
        draft.materials.all().delete()
        draft.delete()
        audit_record(action="catalog.matter.draft_discard", obj=matter, before=snapshot, actor=_user(actor))
        if not matter.is_published:
            matter.centre_links.all().delete()
            matter.delete()


def matter_publish(*, actor: Any, matter: Matter, reason: str = "") -> MatterVersion:
    """Publish the draft: it becomes the current version, the previous one is kept as history."""
    with transaction.atomic():
        matter, draft = _locked_draft(actor, matter, "该事项没有待发布的草稿，请先编辑。")
        data = version_data(draft)
        _raise(version_check(data, [material_data(m) for m in draft.materials.all()]))
        reason = (reason or draft.change_reason or "").strip()
        previous = matter.current_version
        if previous is not None and not reason:
            raise field_error("change_reason", "发布变更必须填写「变更原因」。")
        now = timezone.now()
        if previous is not None:
            previous.state = VersionState.SUPERSEDED
            previous.superseded_at = now
            previous.save(update_fields=["state", "superseded_at"])
        else:
            draft.change_kind = ChangeKind.CREATE
        draft.state = VersionState.PUBLISHED
        draft.change_reason = (reason or "新增事项")[:300]
        draft.published_by = _user(actor)
        draft.published_at = now
        draft.save()
        matter.current_version = draft
        matter.name = draft.name
        _index(matter)
        if matter.status == MatterStatus.DRAFT:
            matter.status = MatterStatus.ACTIVE
        matter.save()
        draft.matter = matter
        audit_record(
            action="catalog.matter.publish",
            obj=matter,
            before={"version": previous.number} if previous else None,
            after={"version": draft.number, "change_kind": draft.change_kind, "reason": draft.change_reason},
            actor=_user(actor),
        )
        matter_published.send(version=draft)  # NET-2: the provincial platform gets every published version
    return draft


def _status_change(
    *, actor: Any, matter: Matter, reason: str, kind: str, allowed_from: Iterable[str], to: str
) -> MatterVersion:
    require_catalog_editor(actor)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", f"{ChangeKind(kind).label}事项必须填写原因。")
    with transaction.atomic():
        matter = _lock(matter)
        if matter.status not in allowed_from or matter.current_version is None:
            raise Conflict(f"事项当前状态为“{matter.get_status_display()}”，不能{ChangeKind(kind).label}。")
        previous = matter.current_version
        draft = matter_draft(matter)
        # The status version takes the draft's place in the numbering; the draft moves after it.
        number = draft.number if draft is not None else _next_number(matter)
        if draft is not None:
            if to == MatterStatus.CANCELLED:
                draft.materials.all().delete()
                draft.delete()
            else:
                draft.number = number + 1
                draft.save(update_fields=["number"])
        now = timezone.now()
        previous.state, previous.superseded_at = VersionState.SUPERSEDED, now
        previous.save(update_fields=["state", "superseded_at"])
        version = _copy_version(
            previous,
            number=number,
            state=VersionState.PUBLISHED,
            change_kind=kind,
            reason=reason[:300],
            actor=actor,
        )
        version.published_by, version.published_at = _user(actor), now
        version.save(update_fields=["published_by", "published_at"])
        before_status = matter.status
        matter.status, matter.current_version = to, version
        matter.save()
        version.matter = matter
        audit_record(
            action=f"catalog.matter.{kind}",
            obj=matter,
            before={"status": before_status, "version": previous.number},
            after={"status": to, "version": version.number, "reason": reason},
            actor=_user(actor),
        )
        matter_published.send(version=version)  # NET-2
    return version


def matter_suspend(*, actor: Any, matter: Matter, reason: str) -> MatterVersion:
    """暂停: no new cases; recorded as a version with who and why."""
    return _status_change(
        actor=actor,
        matter=matter,
        reason=reason,
        kind=ChangeKind.SUSPEND,
        allowed_from=[MatterStatus.ACTIVE],
        to=MatterStatus.SUSPENDED,
    )


def matter_resume(*, actor: Any, matter: Matter, reason: str) -> MatterVersion:
    return _status_change(
        actor=actor,
        matter=matter,
        reason=reason,
        kind=ChangeKind.RESUME,
        allowed_from=[MatterStatus.SUSPENDED],
        to=MatterStatus.ACTIVE,
    )


def matter_cancel(*, actor: Any, matter: Matter, reason: str) -> MatterVersion:
    """取消: final. Cases accepted earlier keep their version."""
    return _status_change(
        actor=actor,
        matter=matter,
        reason=reason,
        kind=ChangeKind.CANCEL,
        allowed_from=[MatterStatus.ACTIVE, MatterStatus.SUSPENDED],
        to=MatterStatus.CANCELLED,
    )


def matter_change_publish(
    *,
    actor: Any,
    matter: Matter,
    data: dict[str, Any],
    materials: Sequence[dict[str, Any]] | None,
    reason: str,
    change_kind: str = ChangeKind.CHANGE,
    basic_code: str | None = None,
) -> MatterVersion:
    """Edit and publish in one step (the Excel import, the API)."""
    with transaction.atomic():
        matter_draft_save(
            actor=actor,
            matter=matter,
            data=data,
            materials=materials,
            change_kind=change_kind,
            change_reason=reason,
            basic_code=basic_code,
        )
        return matter_publish(actor=actor, matter=matter, reason=reason)


# --- centres (SCOPE-3) -----------------------------------------------------------------------------


def centre_matter_assign(
    *,
    actor: Any,
    centre: Centre,
    matter: Matter,
    service_mode: str | None = None,
    source: str = CentreMatterSource.ASSIGNED,
    note: str = "",
) -> CentreMatter:
    """Put a matter into a centre's hall (or bring it back)."""
    require_catalog_editor(actor)
    if matter.status == MatterStatus.CANCELLED:
        raise Conflict(f"事项“{matter.name}”已取消，不能进驻。")
    if not matter.is_published:
        raise Conflict(f"事项“{matter.name}”尚未发布，不能进驻。")
    current = matter.current_version
    if current is None:
        raise Conflict(f"事项“{matter.name}”尚未发布，不能进驻。")
    if service_mode is None:
        service_mode = CentreServiceMode.HANDLE
        if centre.level == CentreLevel.VILLAGE and ExerciseLevel.VILLAGE not in current.level_codes:
            service_mode = CentreServiceMode.FORWARD
    if service_mode not in CentreServiceMode.values:
        raise field_error("service_mode", f"「服务方式」“{service_mode}”未知。")
    with transaction.atomic():
        link, created = CentreMatter.objects.select_for_update().get_or_create(
            centre=centre,
            matter=matter,
            defaults={
                "service_mode": service_mode,
                "source": source,
                "assigned_by": _user(actor),
                "note": note,
            },
        )
        if not created:
            if link.is_active and link.service_mode == service_mode:
                return link
            link.is_active, link.service_mode, link.source = True, service_mode, source
            link.assigned_by, link.assigned_at = _user(actor), timezone.now()
            link.removed_by, link.removed_at, link.note = None, None, note
            link.save()
        audit_record(
            action="catalog.centre_matter.assign",
            obj=link,
            after={"centre": centre.pk, "matter": matter.code, "mode": service_mode, "source": source},
            actor=_user(actor),
        )
    return link


def centre_matter_remove(*, actor: Any, centre: Centre, matter: Matter, reason: str) -> CentreMatter:
    require_catalog_editor(actor)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "撤出事项必须填写原因。")
    with transaction.atomic():
        link = (
            CentreMatter.objects.select_for_update()
            .filter(centre=centre, matter=matter, is_active=True)
            .first()
        )
        if link is None:
            raise Conflict(f"“{matter.name}”不在该中心的进驻清单中。")
        link.is_active, link.removed_by, link.removed_at, link.note = (
            False,
            _user(actor),
            timezone.now(),
            reason,
        )
        link.save()
        audit_record(
            action="catalog.centre_matter.remove",
            obj=link,
            after={"centre": centre.pk, "matter": matter.code, "reason": reason},
            actor=_user(actor),
        )
    return link


def centre_matters_assign_expected(*, actor: Any, centres: Iterable[Centre] | None = None) -> int:
    """Bring every matter that should be in each centre's hall (by level and town class) into it.
    Rows that already exist — including ones the bureau removed — are left alone. Returns rows created."""
    from .selectors import expected_matter_ids

    require_catalog_editor(actor)
    centre_list = (
        list(centres)
        if centres is not None
        else list(Centre.objects.filter(is_active=True).select_related("division"))
    )
    created = 0
    with transaction.atomic():
        existing = set(
            CentreMatter.objects.filter(centre__in=centre_list).values_list("centre_id", "matter_id")
        )
        rows = []
        for centre in centre_list:
            for matter_id in expected_matter_ids(centre):
                if (centre.pk, matter_id) not in existing:
                    rows.append(
                        CentreMatter(
                            centre=centre,
                            matter_id=matter_id,
                            source=CentreMatterSource.LEVEL,
                            service_mode=CentreServiceMode.HANDLE,
                            assigned_by=_user(actor),
                        )
                    )
        CentreMatter.objects.bulk_create(rows, batch_size=1000)
        created = len(rows)
        if created:
            audit_record(
                action="catalog.centre_matter.assign_expected",
                object_type="catalog.centrematter",
                after={"created": created, "centres": len(centre_list)},
                actor=_user(actor),
            )
    return created


# --- notification sheets (STD-2) -----------------------------------------------------------------


@dataclass
class SheetItem:
    material: Material | None
    name: str
    problem: str
    reason: str


_PROBLEMS = {
    "missing": ProblemKind.MISSING,
    "缺少": ProblemKind.MISSING,
    "缺": ProblemKind.MISSING,
    "wrong": ProblemKind.WRONG,
    "有误": ProblemKind.WRONG,
    "错误": ProblemKind.WRONG,
}


def _sheet_items(version: MatterVersion, items: Sequence[Any]) -> list[SheetItem]:
    materials = {m.pk: m for m in version.materials.all()}
    out: list[SheetItem] = []
    errors: dict[str, str] = {}
    for index, raw in enumerate(items):
        if isinstance(raw, dict):
            what, problem, reason = (
                raw.get("material") or raw.get("name"),
                raw.get("problem"),
                raw.get("reason"),
            )
        else:
            try:
                what, problem, reason = raw
            except (TypeError, ValueError):
                errors[f"items.{index}"] = f"第{index + 1}项告知事项格式不对，应为（材料、问题、原因）。"
                continue
        material = None
        if isinstance(what, Material):
            material = what
        elif isinstance(what, int) or (isinstance(what, str) and what.isdigit()):
            material = materials.get(int(what))
            if material is None:
                errors[f"items.{index}.material"] = f"第{index + 1}项：材料编号{what}不属于该事项。"
                continue
        if material is not None and material.version_id != version.pk:
            errors[f"items.{index}.material"] = f"第{index + 1}项：材料“{material.name}”不属于该事项版本。"
            continue
        name = material.name if material else str(what or "").strip()
        if not name:
            errors[f"items.{index}.name"] = f"第{index + 1}项：必须选择材料或填写材料名称。"
            continue
        kind = _PROBLEMS.get(str(problem or "").strip())
        if kind is None:
            errors[f"items.{index}.problem"] = f"第{index + 1}项“{name}”：「问题」只能是缺少或有误。"
            continue
        reason = str(reason or "").strip()
        if not reason:
            errors[f"items.{index}.reason"] = f"第{index + 1}项“{name}”：必须写明原因及补正要求。"
            continue
        out.append(SheetItem(material, name[:200], kind, reason[:500]))
    if not items:
        errors["items"] = "一次性告知单至少列出一项缺少或有误的材料。"
    _raise(errors)
    return out


def notification_sheet_create(
    *,
    matter_version: MatterVersion,
    centre: Centre,
    clerk: Any,
    items: Sequence[Any],
    case: Any = None,
    applicant_name: str = "",
    note: str = "",
    supply_days: int | str | None = None,  # a page passes the typed-in text; it is parsed here
) -> NotificationSheet:
    """Issue a 一次性告知单 (STD-2): every missing or wrong material at once, each with a reason, and the
    补正 deadline (`supply_days` working days, SUPPLY_DAYS_DEFAULT unless given).

    `items`: [(material | material id | free name, "missing"/"wrong" (or 缺少/有误), reason)] or dicts with
    those keys. `case` (optional) is the case it belongs to (its pk and `number`/`case_no` are kept).
    Render with `govhall.catalog.documents.notification_sheet_pdf/_docx`."""
    ids = centre_ids_visible_to(clerk)
    if ids is not None and centre.pk not in ids:
        raise NotFound()
    if not getattr(clerk, "staff_no", None):
        raise field_error("clerk", "经办人没有工号，不能出具告知单（STD-7：工号须留痕）。")
    if matter_version.state == VersionState.DRAFT:
        raise Conflict("草稿版本不能出具告知单，请使用已发布的事项版本。")
    rows = _sheet_items(matter_version, items)
    days = SUPPLY_DAYS_DEFAULT if supply_days in (None, "") else supply_days
    try:
        days = int(days)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise field_error("supply_days", "补正期限须为整数个工作日。") from None
    if not 1 <= days <= SUPPLY_DAYS_MAX:
        raise field_error("supply_days", f"补正期限须在1至{SUPPLY_DAYS_MAX}个工作日之间。")
    with transaction.atomic():
        Centre.objects.select_for_update().filter(pk=centre.pk).first()  # serialise numbering per centre
        year = timezone.localdate().year
        seq = (
            NotificationSheet.objects.filter(centre=centre, year=year).aggregate(top=Max("seq"))["top"] or 0
        ) + 1
        sheet = NotificationSheet.objects.create(
            serial=f"GZ{centre.division.code}{year}{seq:05d}",
            year=year,
            seq=seq,
            centre=centre,
            clerk=clerk,
            clerk_staff_no=clerk.staff_no,
            clerk_name=getattr(clerk, "full_name", "") or clerk.get_username(),
            matter_version=matter_version,
            applicant_name=(applicant_name or "")[:100],
            case_id=getattr(case, "pk", None),
            case_no=str(getattr(case, "number", "") or getattr(case, "case_no", "") or "")[:50],
            note=note or "",
            supply_days=days,
        )
        NotificationItem.objects.bulk_create(
            [
                NotificationItem(
                    sheet=sheet, order=i, material=r.material, name=r.name, problem=r.problem, reason=r.reason
                )
                for i, r in enumerate(rows, start=1)
            ]
        )
        audit_record(
            action="catalog.notification_sheet.create",
            obj=sheet,
            actor=clerk,
            after={
                "serial": sheet.serial,
                "matter": matter_version.matter.code,
                "version": matter_version.number,
                "items": [(r.name, r.problem) for r in rows],
            },
        )
    return sheet
