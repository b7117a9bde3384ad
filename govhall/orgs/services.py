"""Writes to the organisation: division import and restructuring, centres with derived names."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from govhall.accounts.models import Role, UserRole
from govhall.core.audit import audit_record
from govhall.core.errors import Conflict, ServiceError
from govhall.orgs.models import (
    CONTACT_PLACEHOLDER,
    Centre,
    CentreLevel,
    Division,
    DivisionChange,
    DivisionChangeKind,
    DivisionKind,
)
from govhall.orgs.naming import town_centre_name, village_centre_name, village_display_name
from govhall.orgs.policy import require_edit_centre_contacts

CITY_CODE = "320681000000"
VILLAGE_HEADER = ["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"]
STREET_HEADER = ["code", "name", "areaCode", "provinceCode", "cityCode"]
SOURCE_NBS_2023 = "国家统计局统计用区划代码（2023）"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条"


class ImportRejected(ServiceError):
    code = "import_rejected"

    def __init__(self, errors: list[str]) -> None:
        super().__init__(
            "导入文件有错误，未写入任何数据：\n" + "\n".join(errors), fields={"file": "；".join(errors)}
        )
        self.errors = errors


def village_kind(register_name: str) -> str:
    name = re.sub(r"[（(]新[）)]$", "", register_name)
    return DivisionKind.VILLAGE if name.endswith("村委会") else DivisionKind.COMMUNITY


def _read_rows(source: str | Path | io.TextIOBase) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if isinstance(source, (str, Path)):
        text = Path(source).read_text(encoding="utf-8-sig")
    else:
        text = source.read()
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        raise ImportRejected(["第1行：文件为空，缺少表头"])
    header = [h.strip() for h in rows[0]]
    return header, [(i + 2, r) for i, r in enumerate(rows[1:]) if any(c.strip() for c in r)]


@transaction.atomic
def divisions_import_csv(
    source: str | Path | io.TextIOBase, *, actor: Any = None, source_note: str = ""
) -> ImportReport:
    """Load or update divisions from the NBS CSV format (villages or streets). Every row is checked
    first; a bad row is reported with its line number and nothing is written."""
    header, rows = _read_rows(source)
    if header == VILLAGE_HEADER:
        is_village_file = True
    elif header == STREET_HEADER:
        is_village_file = False
    else:
        raise ImportRejected(
            [f"第1行：表头应为 {','.join(VILLAGE_HEADER)}（村/社区）或 {','.join(STREET_HEADER)}（镇/园区）"]
        )

    errors: list[str] = []
    parsed: list[dict[str, str]] = []
    seen: set[str] = set()
    known_towns = {d.code: d for d in Division.objects.towns()}
    file_towns: set[str] = set()
    for line, row in rows:
        cells = [c.strip() for c in row]
        if len(cells) != len(header):
            errors.append(f"第{line}行：应有{len(header)}列，实际{len(cells)}列")
            continue
        rec = dict(zip(header, cells, strict=True))
        code, name = rec["code"], rec["name"]
        want = 12 if is_village_file else 9
        if not re.fullmatch(rf"\d{{{want}}}", code):
            errors.append(f"第{line}行：区划代码“{code}”应为{want}位数字")
            continue
        if not code.startswith("320681"):
            errors.append(f"第{line}行：区划代码“{code}”不属于启东市（320681）")
            continue
        if not name:
            errors.append(f"第{line}行：名称不能为空")
            continue
        if code in seen:
            errors.append(f"第{line}行：区划代码“{code}”在文件中重复")
            continue
        seen.add(code)
        if is_village_file:
            street = rec["streetCode"]
            if not re.fullmatch(r"\d{9}", street) or not code.startswith(street):
                errors.append(f"第{line}行：所属镇代码“{street}”应为9位数字且是区划代码的前9位")
                continue
            if street + "000" not in known_towns:
                errors.append(f"第{line}行：所属镇（街道、园区）“{street}”不存在，请先导入镇级区划")
                continue
        else:
            file_towns.add(code + "000")
        parsed.append(rec)
    if errors:
        raise ImportRejected(errors)

    report = ImportReport()
    city = Division.objects.get(code=CITY_CODE) if not is_village_file else None
    note = source_note or SOURCE_NBS_2023
    for rec in parsed:
        if is_village_file:
            code = rec["code"]
            defaults = {
                "name": village_display_name(rec["name"]),
                "register_name": rec["name"],
                "kind": village_kind(rec["name"]),
                "parent": known_towns[rec["streetCode"] + "000"],
            }
        else:
            code = rec["code"] + "000"
            defaults = {
                "name": rec["name"],
                "register_name": rec["name"],
                "kind": DivisionKind.TOWN if rec["name"].endswith("镇") else DivisionKind.ZONE,
                "parent": city,
            }
        existing = Division.objects.filter(code=code).first()
        if existing is None:
            division = Division.objects.create(code=code, source=note, **defaults)
            DivisionChange.objects.create(
                division=division,
                kind=DivisionChangeKind.CREATE,
                effective=dt.date.today(),
                after={"name": division.name},
                note=note,
            )
            report.created += 1
        else:
            changed = {k: v for k, v in defaults.items() if getattr(existing, k) != v}
            if not changed:
                report.unchanged += 1
                continue
            before = {k: str(getattr(existing, k)) for k in changed}
            for k, v in changed.items():
                setattr(existing, k, v)
            existing.save()
            kind = DivisionChangeKind.RENAME if "name" in changed else DivisionChangeKind.MOVE
            DivisionChange.objects.create(
                division=existing,
                kind=kind,
                effective=dt.date.today(),
                before=before,
                after={k: str(v) for k, v in changed.items()},
                note=note,
            )
            centres_rename_for(existing)
            report.updated += 1
    audit_record(
        action="orgs.divisions_import",
        actor=actor,
        object_type="orgs.division",
        after={"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
    return report


def centre_name_for(division: Division) -> str:
    if division.kind in (DivisionKind.TOWN, DivisionKind.ZONE):
        return town_centre_name(division.name)
    town = division.parent
    assert town is not None
    return village_centre_name(town.name, division.name)


def centre_ensure(division: Division, *, actor: Any = None) -> Centre:
    """The active centre of a division, created with its derived name when missing (ORG-2)."""
    centre = Centre.objects.filter(division=division, is_active=True).first()
    if centre:
        return centre
    if division.kind in (DivisionKind.TOWN, DivisionKind.ZONE):
        level, parent = CentreLevel.TOWN, None
    else:
        level = CentreLevel.VILLAGE
        parent = Centre.objects.filter(division=division.parent, is_active=True).first()
    centre = Centre.objects.create(
        division=division, level=level, parent=parent, name=centre_name_for(division)
    )
    audit_record(action="orgs.centre_create", obj=centre, after={"name": centre.name}, actor=actor)
    return centre


def centres_rename_for(division: Division) -> None:
    """Re-derive the names of the division's centre and, for a town, its villages' centres."""
    for centre in Centre.objects.filter(is_active=True, division=division):
        _rename_centre(centre)
    if division.kind in (DivisionKind.TOWN, DivisionKind.ZONE):
        for centre in Centre.objects.filter(is_active=True, division__parent=division).select_related(
            "division"
        ):
            _rename_centre(centre)


def _rename_centre(centre: Centre) -> None:
    new = centre_name_for(centre.division)
    if centre.name != new:
        old = centre.name
        centre.name = new
        centre.save(update_fields=["name"])
        audit_record(action="orgs.centre_rename", obj=centre, before={"name": old}, after={"name": new})


@transaction.atomic
def division_rename(
    *, division: Division, new_name: str, effective: dt.date, note: str = "", actor: Any = None
) -> Division:
    new_name = new_name.strip()
    if not new_name:
        raise ServiceError("新名称不能为空。", fields={"new_name": "新名称不能为空。"})
    old = division.name
    division.name = new_name
    division.save(update_fields=["name"])
    DivisionChange.objects.create(
        division=division,
        kind=DivisionChangeKind.RENAME,
        effective=effective,
        before={"name": old},
        after={"name": new_name},
        note=note,
    )
    centres_rename_for(division)
    audit_record(
        action="orgs.division_rename",
        obj=division,
        before={"name": old},
        after={"name": new_name},
        actor=actor,
        note=note,
    )
    return division


@transaction.atomic
def division_merge(
    *, source: Division, target: Division, effective: dt.date, note: str = "", actor: Any = None
) -> Division:
    """Merge `source` into `target` (same level). The source division and its centre stay as records;
    its children move to the target; the source's centre stops running."""
    if source.pk == target.pk or source.kind not in (
        DivisionKind.TOWN,
        DivisionKind.ZONE,
        DivisionKind.VILLAGE,
        DivisionKind.COMMUNITY,
    ):
        raise ServiceError("合并的两个区划必须不同。")
    if not source.is_active or not target.is_active:
        raise Conflict("已撤销的区划不能再合并。")
    children = list(source.children.all())
    for child in children:
        child.parent = target
        child.save(update_fields=["parent"])
        DivisionChange.objects.create(
            division=child,
            kind=DivisionChangeKind.MOVE,
            effective=effective,
            before={"parent": source.code},
            after={"parent": target.code},
            note=note,
        )
        centres_rename_for(child)
    target_centre = Centre.objects.filter(division=target, is_active=True).first()
    Centre.objects.filter(is_active=True, division__in=children).update(parent=target_centre)
    source.valid_to = effective
    source.successor = target
    source.save(update_fields=["valid_to", "successor"])
    Centre.objects.filter(division=source, is_active=True).update(is_active=False, closed_on=effective)
    DivisionChange.objects.create(
        division=source,
        kind=DivisionChangeKind.MERGE,
        effective=effective,
        before={"name": source.name},
        after={"successor": target.code},
        note=note,
    )
    audit_record(
        action="orgs.division_merge",
        obj=source,
        after={"successor": target.code, "children": len(children)},
        actor=actor,
        note=note,
    )
    return target


@transaction.atomic
def division_convert(
    *, town: Division, zone: Division, effective: dt.date, note: str = "", actor: Any = None
) -> Division:
    """A town reorganised into a development zone: the zone succeeds it, inherits its class and runs
    its centre; the town's records keep pointing at the town."""
    zone.town_class = zone.town_class or town.town_class
    zone.save(update_fields=["town_class"])
    if town.successor_id != zone.pk:
        town.successor = zone
        town.valid_to = town.valid_to or effective
        town.save(update_fields=["successor", "valid_to"])
        DivisionChange.objects.create(
            division=town,
            kind=DivisionChangeKind.CONVERT,
            effective=effective,
            before={"name": town.name, "kind": town.kind},
            after={"successor": zone.code, "successor_name": zone.name},
            note=note,
        )
        Centre.objects.filter(division=town, is_active=True).update(is_active=False, closed_on=effective)
        audit_record(
            action="orgs.division_convert", obj=town, after={"successor": zone.code}, actor=actor, note=note
        )
    return zone


@transaction.atomic
def centre_set_director(*, centre: Centre, user: Any, actor: Any = None) -> Centre:
    """Appoint a centre's director (中心主任). A village centre's director is the village committee's
    director (ORG-3): a member of that village centre's own staff, who then also holds the director role."""
    if user.centre_id != centre.pk:
        raise ServiceError(
            "村便民服务中心主任应由本村（居）民委员会主任兼任，须为本中心工作人员。"
            if centre.level == CentreLevel.VILLAGE
            else "中心主任须为本中心工作人员。",
            fields={"director": "所选人员不属于本中心"},
        )
    before = {"director": str(centre.director) if centre.director else ""}
    centre.director = user
    centre.save(update_fields=["director"])
    UserRole.objects.get_or_create(user=user, role=Role.DIRECTOR)
    user.__dict__.pop("_role_codes", None)
    audit_record(
        action="orgs.centre_set_director",
        obj=centre,
        before=before,
        after={"director": str(user)},
        actor=actor,
    )
    return centre


# --- centres' contact data (printed on every guide, SCOPE-4) ----------------------------------------------

CONTACT_FIELDS: dict[str, tuple[str, int]] = {
    "address": ("地址", 200),
    "phone": ("咨询电话", 40),
    "supervision_phone": ("监督电话", 40),
    "complaint_phone": ("投诉电话", 40),
    "opening_hours": ("办公时间", 120),
}
PHONE_FIELDS = ("phone", "supervision_phone", "complaint_phone")
_ONE_PHONE = r"(?:\d{3,4}-)?\d{5,8}(?:转\d{1,6})?|1\d{10}|12345"
PHONE_RE = re.compile(rf"^(?:{_ONE_PHONE})(?:[、，,/ ](?:{_ONE_PHONE}))*$")


def centre_contacts_update(*, actor: Any, changes: dict[int, dict[str, str]]) -> list[Centre]:
    """The bureau edits the contact data of many centres at once: {centre id: {field: value}}.

    Every value is checked first (lengths; phones like 0513-83123456, 0513-83123456转8001, a mobile or
    12345, several separated by 、); one error anywhere and nothing is written. Only the centres whose
    values change are saved, each with an audit record of before and after. Returns those centres."""
    require_edit_centre_contacts(actor)
    centres = {c.pk: c for c in Centre.objects.filter(pk__in=list(changes), is_active=True)}
    errors: dict[str, str] = {}
    updates: list[tuple[Centre, dict[str, str]]] = []
    for centre_id, values in changes.items():
        centre = centres.get(centre_id)
        if centre is None:
            errors[f"centre_{centre_id}"] = "服务中心不存在或已停止运行。"
            continue
        new: dict[str, str] = {}
        for name, raw in values.items():
            if name not in CONTACT_FIELDS:
                continue
            label, limit = CONTACT_FIELDS[name]
            value = " ".join(str(raw or "").split())
            if len(value) > limit:
                errors[f"{name}_{centre_id}"] = f"{centre.name}：{label}不能超过{limit}个字。"
                continue
            if (
                name in PHONE_FIELDS
                and value
                and value != CONTACT_PLACEHOLDER
                and not PHONE_RE.match(value.replace("－", "-"))
            ):
                errors[f"{name}_{centre_id}"] = (
                    f"{centre.name}：{label}“{value}”格式不对，应如 0513-83123456、0513-83123456转8001 或手机号。"
                )
                continue
            if name in PHONE_FIELDS:
                value = value.replace("－", "-")
            if value != getattr(centre, name):
                new[name] = value
        if new:
            updates.append((centre, new))
    if errors:
        raise ServiceError("联系信息有错误，未保存任何修改。", fields=errors)
    with transaction.atomic():
        for centre, new in updates:
            before = {name: getattr(centre, name) for name in new}
            for name, value in new.items():
                setattr(centre, name, value)
            centre.save(update_fields=list(new))
            audit_record(action="orgs.centre_contacts", obj=centre, before=before, after=new, actor=actor)
    return [centre for centre, _ in updates]


def centre_contacts_fill_placeholders() -> int:
    """Built-in data: the twelve town centres' address and phone, where nobody has entered them, become the
    placeholder 「（待填写）」 the bureau replaces (no public source for them ships with govhall)."""
    filled = 0
    for centre in Centre.objects.filter(is_active=True, level=CentreLevel.TOWN):
        blank = [name for name in ("address", "phone") if not getattr(centre, name).strip()]
        for name in blank:
            setattr(centre, name, CONTACT_PLACEHOLDER)
        if blank:
            centre.save(update_fields=blank)
            filled += 1
    return filled
