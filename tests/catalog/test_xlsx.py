"""SCOPE-1 Excel: export and import back; unchanged → no change; one bad row → nothing written, the row named."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from govhall.catalog.models import Material, Matter, MatterVersion
from govhall.catalog.xlsx import ImportRejected, catalog_export_xlsx, catalog_import_xlsx
from govhall.core.errors import Forbidden


@pytest.fixture
def two(make_matter):
    return make_matter(code="320681MZ050011"), make_matter(
        code="320681SG010027",
        name="个体工商户设立登记",
        department="SG",
        category="production",
        window_class="professional",
        window_department="SG",
        case_type=1,
        promised_limit=0,
        legal_limit=3,
        fee_basis="",
        matter_type="01",
    )


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _col(ws, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def _counts() -> tuple[int, int, int]:
    return Matter.objects.count(), MatterVersion.objects.count(), Material.objects.count()


@pytest.mark.django_db
def test_scope1_round_trip_without_edits_changes_nothing(two):
    data = catalog_export_xlsx()
    before = _counts()
    result = catalog_import_xlsx(actor=None, source=data)
    assert (result.created, result.changed, sorted(result.unchanged)) == (
        [],
        [],
        ["320681MZ050011", "320681SG010027"],
    )
    assert _counts() == before


@pytest.mark.django_db
def test_scope1_edited_cell_publishes_a_new_version_and_new_row_creates_a_matter(two, hall):
    wb = _book(catalog_export_xlsx())
    ws = wb["事项"]
    ws.cell(row=2, column=_col(ws, "承诺办结时限")).value = 12
    ws.cell(row=2, column=_col(ws, "变更原因")).value = "压缩时限"
    new_row = [c.value for c in ws[3]]
    new_row[0], new_row[2] = "320681SG010099", "个体工商户注销登记"
    ws.append(new_row)
    mws = wb["材料"]
    mws.append(
        ["320681SG010099", 1, "注销登记申请书", "申请人自备", "纸质", 1, 0, "是", "否", "否", None, None]
    )
    result = catalog_import_xlsx(actor=hall.bureau_admin, source=_save(wb))
    assert (result.created, result.changed) == (["320681SG010099"], ["320681MZ050011"])
    dibao = Matter.objects.get(code="320681MZ050011")
    assert dibao.current_version.number == 2 and dibao.current_version.promised_limit == 12
    assert dibao.current_version.change_reason == "压缩时限"
    assert dibao.current_version.materials.count() == 3, "materials carried over unchanged"
    new = Matter.objects.get(code="320681SG010099")
    assert new.status == "active" and [m.name for m in new.current_version.materials.all()] == [
        "注销登记申请书"
    ]


@pytest.mark.django_db
def test_scope1_one_bad_row_writes_nothing_and_names_sheet_row_column(two):
    wb = _book(catalog_export_xlsx())
    ws = wb["事项"]
    ws.cell(row=2, column=_col(ws, "承诺办结时限")).value = 12  # a good change …
    ws.cell(row=3, column=_col(ws, "事项类型")).value = "行政许可证"  # … and a bad row
    ws.cell(row=3, column=_col(ws, "承诺办结时限")).value = 9  # longer than 法定 3
    mws = wb["材料"]
    mws.cell(row=4, column=_col(mws, "告知承诺书")).value = None  # 第3项 of 低保 is 可告知承诺
    before = _counts()
    with pytest.raises(ImportRejected) as exc:
        catalog_import_xlsx(actor=None, source=_save(wb))
    errors = exc.value.errors
    type_col = ws.cell(row=1, column=_col(ws, "事项类型")).column_letter
    assert any(
        e.startswith(f"「事项」表第3行{type_col}列「事项类型」：“行政许可证”不是有效的选项") for e in errors
    )
    assert any(
        e.startswith("「事项」表第3行") and "「承诺办结时限」（9个工作日）不能超过" in e for e in errors
    )
    assert any(e.startswith("「材料」表第4行") and "必须填写「告知承诺书」内容" in e for e in errors)
    assert _counts() == before
    assert Matter.objects.get(code="320681MZ050011").current_version.promised_limit == 20


@pytest.mark.django_db
def test_scope1_duplicate_code_missing_column_and_junk_file_are_refused(two):
    wb = _book(catalog_export_xlsx())
    ws = wb["事项"]
    ws.append([c.value for c in ws[2]])
    with pytest.raises(ImportRejected) as exc:
        catalog_import_xlsx(actor=None, source=_save(wb))
    assert exc.value.errors == ["「事项」表第4行A列「实施编码」：“320681MZ050011”与第2行重复。"]
    ws.delete_rows(4)
    ws.delete_cols(_col(ws, "事项名称"))
    with pytest.raises(ImportRejected) as exc:
        catalog_import_xlsx(actor=None, source=_save(wb))
    assert exc.value.errors == ["「事项」表缺少“事项名称”列。"]
    with pytest.raises(ImportRejected) as exc:
        catalog_import_xlsx(actor=None, source=b"not an excel file")
    assert "请上传 .xlsx" in exc.value.errors[0]


@pytest.mark.django_db
def test_scope1_import_command_maps_govhall_catalog_import(two, tmp_path):
    path = tmp_path / "cat.xlsx"
    wb = _book(catalog_export_xlsx())
    wb["事项"].cell(row=2, column=_col(wb["事项"], "咨询电话")).value = "0513-83000000"
    wb.save(path)
    out = io.StringIO()
    call_command("catalog_import", str(path), stdout=out)
    assert "变更 1 项" in out.getvalue()
    wb["事项"].cell(row=2, column=_col(wb["事项"], "主管部门（部门代码）")).value = "NOPE"
    wb.save(path)
    with pytest.raises(CommandError) as exc:
        call_command("catalog_import", str(path))
    assert "「事项」表第2行" in str(exc.value) and "“NOPE”不存在" in str(exc.value)


@pytest.mark.django_db
def test_scope1_village_clerk_cannot_import(two, hall):
    with pytest.raises(Forbidden):
        catalog_import_xlsx(actor=hall.village_clerk, source=catalog_export_xlsx())


@pytest.mark.django_db
def test_scope1_changed_materials_keep_their_uploaded_forms(two):
    from django.core.files.base import ContentFile

    dibao = two[0]
    form = dibao.current_version.materials.get(name="最低生活保障申请书")
    form.blank_form.save("apply.pdf", ContentFile(b"%PDF-1.4 blank"))
    wb = _book(catalog_export_xlsx())
    mws = wb["材料"]
    mws.cell(row=2, column=_col(mws, "填报须知")).value = "用黑色签字笔填写"
    result = catalog_import_xlsx(actor=None, source=_save(wb))
    assert result.changed == ["320681MZ050011"]
    new = Matter.objects.get(code="320681MZ050011").current_version.materials.get(name="最低生活保障申请书")
    assert new.fill_notes == "用黑色签字笔填写" and new.blank_form.name == form.blank_form.name
