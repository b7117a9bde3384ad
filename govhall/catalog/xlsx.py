"""Excel export and import of the catalogue (the bureau keeps its lists in Excel).

The workbook has three sheets: 「事项」 (one row per matter), 「材料」 (one row per material, keyed by 实施编码)
and 「填写说明」 (the columns and code tables, docs/catalog.md has the same). Export → edit → import:
new 实施编码 are created and published (新增); rows whose content differs from the current version publish
a new version (变更); identical rows change nothing. Import checks every row first and writes nothing when
any row is wrong, listing each problem with sheet, row and column.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from govhall.core.audit import audit_record
from govhall.orgs.models import Department, WindowClass
from govhall.orgs.services import ImportRejected

from .models import (
    CaseType,
    CheckMethod,
    DeliveryMode,
    ExerciseLevel,
    HandlingForm,
    MaterialForm,
    Matter,
    MatterType,
    MatterVersion,
    NoticeCategory,
    ServiceObject,
    SpecialProcedure,
    TimeUnit,
)
from .services import (
    MATERIAL_FIELDS,
    VERSION_FIELDS,
    keyword_problem,
    keyword_text,
    label,
    material_data,
    material_label,
    matter_change_publish,
    matter_create,
    matter_keywords_set,
    matter_publish,
    require_catalog_editor,
    version_check,
    version_data,
)

MATTER_SHEET, MATERIAL_SHEET, HELP_SHEET = "事项", "材料", "填写说明"
CHOICE_FIELDS: dict[str, Any] = {
    "matter_type": MatterType,
    "category": NoticeCategory,
    "delivery_mode": DeliveryMode,
    "window_class": WindowClass,
    "legal_limit_unit": TimeUnit,
    "promised_limit_unit": TimeUnit,
    "case_type": CaseType,
    "check_method": CheckMethod,
}
MATERIAL_CHOICES: dict[str, Any] = {"material_form": MaterialForm}
CODE_LIST_FIELDS: dict[str, Any] = {
    "levels": ExerciseLevel,
    "service_objects": ServiceObject,
    "handling_forms": HandlingForm,
}
BOOL_FIELDS = {
    "charges",
    "supports_appointment",
    "supports_online",
    "supports_online_payment",
    "supports_express",
}
MATERIAL_BOOLS = {"required", "rongque", "commitment"}
DEPT_FIELDS = {"department", "window_department"}
TRUE, FALSE = "是", "否"


def _headers() -> list[tuple[str, str]]:
    """(field, header) of the 事项 sheet."""
    cols = [
        ("code", "实施编码"),
        ("basic_code", "基本编码"),
        ("keywords", "检索关键词（群众常用说法，顿号分隔）"),
    ]
    for name in VERSION_FIELDS:
        header = label(name)
        if name in DEPT_FIELDS:
            header += "（部门代码）"
        elif name in CODE_LIST_FIELDS:
            header += "（代码）"
        cols.append((name, header))
    cols.append(("change_reason", "变更原因"))
    cols.append(("status", "状态（只读）"))
    return cols


def _material_headers() -> list[tuple[str, str]]:
    return [("code", "实施编码"), ("order", "序号")] + [(f, material_label(f)) for f in MATERIAL_FIELDS]


# --- export ------------------------------------------------------------------------------------


def _cell(name: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if name in DEPT_FIELDS:
        return value.code
    if name in CHOICE_FIELDS or name in MATERIAL_CHOICES:
        table = CHOICE_FIELDS.get(name) or MATERIAL_CHOICES[name]
        return table(value).label
    if name in BOOL_FIELDS or name in MATERIAL_BOOLS:
        return TRUE if value else FALSE
    if name == "approval_steps":
        return "→".join(value)
    if name == "special_procedures":
        return "、".join(SpecialProcedure(v).label for v in value) or None
    if isinstance(value, Decimal):
        return float(value)
    return value


def catalog_export_xlsx(*, versions: list[MatterVersion] | None = None) -> bytes:
    """The catalogue's current versions (or the given ones) as an .xlsx workbook in the import template."""
    if versions is None:
        versions = list(
            MatterVersion.objects.filter(state="published")
            .select_related("matter", "department", "window_department")
            .prefetch_related("materials")
            .order_by("matter__code")
        )
    wb = Workbook()
    ws = wb.active
    ws.title = MATTER_SHEET
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="EEF1F4")
    cols = _headers()
    ws.append([h for _, h in cols])
    for version in versions:
        row: list[Any] = []
        for name, _ in cols:
            if name == "code":
                row.append(version.matter.code)
            elif name == "basic_code":
                row.append(version.matter.basic_code)
            elif name == "keywords":
                row.append(version.matter.keywords or None)
            elif name == "change_reason":
                row.append(None)
            elif name == "status":
                row.append(version.matter.get_status_display())
            else:
                row.append(_cell(name, getattr(version, name)))
        ws.append(row)
    mws = wb.create_sheet(MATERIAL_SHEET)
    mcols = _material_headers()
    mws.append([h for _, h in mcols])
    for version in versions:
        for order, material in enumerate(version.materials.all(), start=1):
            mws.append(
                [version.matter.code, order] + [_cell(f, getattr(material, f)) for f in MATERIAL_FIELDS]
            )
    for sheet, columns in ((ws, cols), (mws, mcols)):
        for i, _ in enumerate(columns, start=1):
            sheet.cell(row=1, column=i).font = head_font
            sheet.cell(row=1, column=i).fill = head_fill
            sheet.column_dimensions[get_column_letter(i)].width = 18
        sheet.freeze_panes = "B2"
    _help_sheet(wb.create_sheet(HELP_SHEET))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _help_sheet(ws: Any) -> None:
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    rows: list[tuple[str, str]] = [
        ("事项清单导入模板", "每行一个事项；「材料」表每行一项材料，以实施编码对应事项，按序号排列。"),
        (
            "导入规则",
            "实施编码不存在的行新增并发布；内容与现行版本不同的行发布新版本（变更）；相同的行不变。"
            "任何一行有错误时整个文件都不写入，并逐条列出表、行、列和原因。",
        ),
        ("材料", "某事项在「材料」表中没有任何行时，保留其现有材料；有行时以表中材料为准（整体替换）。"),
        ("变更原因", "内容有变化的事项建议填写；为空时记为“Excel批量导入”。"),
        ("状态（只读）", "导出时显示，导入时忽略；暂停、恢复、取消请在系统中操作。"),
        ("是/否列", "填“是”或“否”，空白视为“否”。"),
        ("部门代码", "、".join(f"{d.code} {d.short_name}" for d in Department.objects.order_by("code"))),
        ("审批环节", "按顺序用“→”或“、”分隔，如：受理→审核→审批。"),
        ("特别程序", "、".join(SpecialProcedure.labels) + "（多个用“、”分隔）"),
        ("进驻镇类别", "空白：所有镇；1：仅一类镇；2：一类、二类镇。"),
    ]
    for name, table in {**CHOICE_FIELDS, **CODE_LIST_FIELDS, "material_form": MaterialForm}.items():
        title = material_label(name) if name == "material_form" else label(name)
        how = "填代码，多个用逗号分隔" if name in CODE_LIST_FIELDS else "填名称或代码"
        rows.append((title, f"{how}：" + "；".join(f"{v} {lbl}" for v, lbl in table.choices)))
    for name, text in rows:
        ws.append([name, text])
        ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)


# --- import ------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"新增 {len(self.created)} 项，变更 {len(self.changed)} 项，未变 {len(self.unchanged)} 项"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


def _parse(name: str, value: Any, tables: dict[str, Any]) -> tuple[Any, str | None]:
    """(value for the services, error message or None) for one cell."""
    text = _text(value)
    if name in tables:
        if not text:
            return "", None
        table = tables[name]
        for v, lbl in table.choices:
            if text in (str(v), lbl):
                return v, None
        return text, f"“{text}”不是有效的选项，可选：{'、'.join(table.labels)}"
    if name in BOOL_FIELDS or name in MATERIAL_BOOLS:
        if text in ("", FALSE, "N", "n", "0", "false", "False", "FALSE"):
            return False, None
        if text in (TRUE, "Y", "y", "1", "true", "True", "TRUE"):
            return True, None
        return None, f"“{text}”应填“是”或“否”"
    if name in (
        "legal_limit",
        "promised_limit",
        "visits",
        "check_days",
        "rongque_supply_days",
        "originals",
        "copies",
        "max_town_class",
    ):
        return (None if text == "" else (int(text) if text.isdigit() else text)), None
    if name == "fee_amount":
        return (None if text == "" else text), None
    if name == "special_procedures":
        return text, None
    return text, None


def _comparable(data: dict[str, Any], materials: list[dict[str, Any]]) -> Any:
    out = {}
    for key in VERSION_FIELDS:
        value = data.get(key)
        if isinstance(value, Department):
            value = value.code
        elif isinstance(value, Decimal):
            value = str(value)
        elif value is None:
            value = ""
        out[key] = value
    return out, [tuple(m.get(f) if m.get(f) is not None else "" for f in MATERIAL_FIELDS) for m in materials]


def _read_sheet(
    wb: Any, title: str, columns: list[tuple[str, str]], required: set[str], errors: list[str]
) -> tuple[dict[str, int], list[tuple[int, tuple[Any, ...]]]]:
    if title not in wb.sheetnames:
        errors.append(f"缺少「{title}」工作表。")
        return {}, []
    ws = wb[title]
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        errors.append(f"「{title}」表是空的，第1行应为表头。")
        return {}, []
    header = [_text(h) for h in rows[0]]
    by_header = {h: f for f, h in columns}
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        if not h:
            continue
        name = by_header.get(h)
        if name is None:
            errors.append(
                f"「{title}」表第1行{get_column_letter(i + 1)}列：表头“{h}”无法识别，请使用导出的模板。"
            )
        elif name in index:
            errors.append(f"「{title}」表第1行{get_column_letter(i + 1)}列：表头“{h}”重复。")
        else:
            index[name] = i
    for name in required:
        if name not in index:
            errors.append(f"「{title}」表缺少“{dict(columns)[name]}”列。")
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(_text(c) for c in r)]
    return index, body


def _where(sheet: str, row: int, col_index: int | None, header: str) -> str:
    col = f"{get_column_letter(col_index + 1)}列" if col_index is not None else ""
    return f"「{sheet}」表第{row}行{col}「{header}」"


def catalog_import_xlsx(*, actor: Any, source: str | BinaryIO | bytes) -> ImportResult:
    """Check every row, then create/change matters in one transaction; raise ImportRejected listing every
    problem (nothing written) if any row is wrong."""
    require_catalog_editor(actor)
    try:
        wb = load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not .xlsx
        raise ImportRejected(["文件无法读取：请上传 .xlsx 格式的 Excel 文件（可先导出模板）。"]) from None
    errors: list[str] = []
    cols = _headers()
    headers = dict(cols)
    index, rows = _read_sheet(wb, MATTER_SHEET, cols, {"code", "basic_code", "name"}, errors)
    mcols = _material_headers()
    mheaders = dict(mcols)
    mindex, mrows = _read_sheet(wb, MATERIAL_SHEET, mcols, {"code", "name"}, errors)
    if errors:
        raise ImportRejected(errors)

    # Materials by matter code, in 序号 order; remember each one's sheet row for messages.
    materials: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for row_no, row in mrows:
        code = _text(row[mindex["code"]])
        item: dict[str, Any] = {}
        for name, col in mindex.items():
            if name == "code":
                continue
            value, problem = _parse(name, row[col] if col < len(row) else None, MATERIAL_CHOICES)
            if problem:
                errors.append(f"{_where(MATERIAL_SHEET, row_no, col, mheaders[name])}：{problem}。")
            item[name] = value
        if not code:
            errors.append(f"{_where(MATERIAL_SHEET, row_no, mindex['code'], '实施编码')}：必须填写。")
            continue
        order = item.pop("order", None)
        materials[code].append(
            (order if isinstance(order, int) else 10_000 + row_no, {**item, "_row": row_no})
        )
    for code in materials:
        materials[code].sort(key=lambda pair: pair[0])

    existing = {
        m.code: m
        for m in Matter.objects.select_related("current_version").filter(
            code__in=[_text(r[index["code"]]) for _, r in rows]
        )
    }
    seen: dict[str, int] = {}
    keywords_of: dict[str, str] = {}  # only for a sheet with the 检索关键词 column
    plan: list[tuple[str, Matter | None, str, dict[str, Any], list[dict[str, Any]] | None, str]] = []
    for row_no, row in rows:
        code = _text(row[index["code"]])
        if code in seen:
            errors.append(
                f"{_where(MATTER_SHEET, row_no, index['code'], '实施编码')}：“{code}”与第{seen[code]}行重复。"
            )
            continue
        seen[code] = row_no
        data: dict[str, Any] = {}
        row_errors: dict[str, str] = {}
        for name, col in index.items():
            if name in ("code", "status"):
                continue
            value, problem = _parse(name, row[col] if col < len(row) else None, CHOICE_FIELDS)
            if problem:
                row_errors[name] = problem
            data[name] = value
        basic_code = data.pop("basic_code", "")
        if "keywords" in data:
            keywords_of[code] = data.pop("keywords")
            if problem := keyword_problem(keywords_of[code]):
                row_errors["keywords"] = problem
        reason = data.pop("change_reason", "") or "Excel批量导入"
        matter = existing.get(code)
        current = matter.current_version if matter is not None else None
        if matter is not None and current is None:
            errors.append(
                f"{_where(MATTER_SHEET, row_no, index['code'], '实施编码')}：事项“{code}”尚有未发布的草稿，"
                "请先在系统中发布或删除草稿。"
            )
            continue
        rows_of = materials.pop(code, None)
        items = [m for _, m in rows_of] if rows_of is not None else None
        if matter is not None:
            if matter.status == "cancelled":
                errors.append(
                    f"{_where(MATTER_SHEET, row_no, index['code'], '实施编码')}：事项“{code}”已取消，不能导入变更。"
                )
                continue
            assert current is not None
            merged = version_data(current)
            merged.update(data)
            check_items = (
                [dict(m) for m in items]
                if items is not None
                else [material_data(m) for m in current.materials.all()]
            )
        else:
            merged = data
            check_items = [dict(m) for m in items] if items is not None else []
        problems = version_check(merged, check_items)
        if not basic_code:
            problems["basic_code"] = "「基本编码」必须填写。"
        elif len(basic_code) > 10 or not basic_code.isalnum():
            problems["basic_code"] = f"「基本编码」“{basic_code}”应为不超过10位的字母或数字。"
        if len(code) > 24 or not code.isalnum() or not code.isascii():
            problems["code"] = f"「实施编码」“{code}”应为不超过24位的字母或数字。"
        problems.update(row_errors)
        for key, message in problems.items():
            if key.startswith("materials."):
                _, i, mfield = [*key.split("."), ""][:3]
                source_rows = rows_of or []
                row_of = source_rows[int(i)][1]["_row"] if rows_of and int(i) < len(source_rows) else None
                if row_of is None:
                    errors.append(
                        f"{_where(MATTER_SHEET, row_no, index['code'], '实施编码')}（现有材料）：{message}"
                    )
                else:
                    where = _where(MATERIAL_SHEET, row_of, mindex.get(mfield), mheaders.get(mfield, mfield))
                    errors.append(f"{where}：{message}")
            else:
                errors.append(
                    f"{_where(MATTER_SHEET, row_no, index.get(key), headers.get(key, key))}：{message}"
                )
        if problems:
            continue
        clean_items = [{k: v for k, v in m.items() if k != "_row"} for m in check_items]
        if matter is not None and current is not None:
            before = version_data(current)
            version_check(before, [])
            now = _comparable(merged, clean_items)
            was = _comparable(before, [material_data(m) for m in current.materials.all()])
            if now == was and basic_code == matter.basic_code:
                plan.append(("same", matter, basic_code, merged, None, reason))
                continue
            # Uploaded blank forms and samples follow a material of the same name into the new version.
            by_name = {m.name: m.pk for m in current.materials.all()}
            for item in clean_items:
                item.setdefault("id", by_name.get(item["name"]))
            plan.append(
                ("change", matter, basic_code, data, clean_items if items is not None else None, reason)
            )
        else:
            plan.append(("new", None, basic_code, merged, clean_items, code))
    for code, rows_of in materials.items():
        if code not in existing and not Matter.objects.filter(code=code).exists():
            errors.append(
                f"「{MATERIAL_SHEET}」表第{rows_of[0][1]['_row']}行A列「实施编码」：“{code}”在「事项」表和系统中都不存在。"
            )
        else:
            errors.append(
                f"「{MATERIAL_SHEET}」表第{rows_of[0][1]['_row']}行A列「实施编码」：“{code}”不在「事项」表中；"
                "修改材料时请同时保留该事项的行。"
            )
    if errors:
        raise ImportRejected(errors)

    result = ImportResult()
    with transaction.atomic():
        for kind, matter, basic_code, data, items, extra in plan:
            if kind == "same":
                result.unchanged.append(matter.code)  # type: ignore[union-attr]
            elif kind == "change":
                assert matter is not None
                matter_change_publish(
                    actor=actor,
                    matter=matter,
                    data=data,
                    materials=items if items is not None else None,
                    reason=extra,
                    basic_code=basic_code,
                )
                result.changed.append(matter.code)
            else:
                created = matter_create(
                    actor=actor, code=extra, basic_code=basic_code, data=data, materials=items or []
                )
                matter_publish(actor=actor, matter=created, reason="Excel批量导入（新增）")
                result.created.append(created.code)
        for code, keywords in keywords_of.items():
            target = Matter.objects.get(code=code)
            if keyword_text(keywords) != target.keywords:
                matter_keywords_set(actor=actor, matter=target, keywords=keywords)
                if code in result.unchanged:
                    result.unchanged.remove(code)
                    result.changed.append(code)
        audit_record(
            action="catalog.import",
            object_type="catalog.matter",
            actor=actor if getattr(actor, "pk", None) else None,
            after={"created": result.created, "changed": result.changed, "unchanged": len(result.unchanged)},
        )
    return result


def coverage_xlsx(report: Any) -> bytes:
    """The 应进必进 report (SCOPE-3) as a workbook: one row per centre with per-category counts, then the
    missing matters of each centre on a second sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "应进必进情况"
    header = ["服务中心", "应进事项数", "已进驻数", "未进驻数", "进驻率"]
    for _, name in report.categories:
        header += [f"{name}（应进）", f"{name}（已进）"]
    header.append("非应进但已进驻")
    ws.append(header)
    for row in report.rows:
        line: list[Any] = [
            row.centre.name,
            row.expected,
            row.present,
            row.expected - row.present,
            round(row.rate * 100, 1),
        ]
        for value, _ in report.categories:
            expected, present = row.by_category.get(value, (0, 0))
            line += [expected, present]
        line.append(len(row.extra))
        ws.append(line)
    total: list[Any] = [
        "合计",
        report.expected,
        report.present,
        report.expected - report.present,
        round(report.present / report.expected * 100, 1) if report.expected else 100.0,
    ]
    for value, _ in report.categories:
        total += list(report.totals[value])
    total.append(sum(len(r.extra) for r in report.rows))
    ws.append(total)
    for i in range(1, len(header) + 1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(i)].width = 14
    ws.column_dimensions["A"].width = 40
    missing = wb.create_sheet("未进驻事项")
    missing.append(["服务中心", "实施编码", "事项名称", "清单类别", "主管部门"])
    for row in report.rows:
        for version in row.missing:
            missing.append(
                [
                    row.centre.name,
                    version.matter.code,
                    version.name,
                    version.get_category_display(),
                    version.department.short_name,
                ]
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
