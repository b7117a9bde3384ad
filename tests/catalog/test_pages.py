"""Catalogue pages: the bureau edits, publishes and assigns (SCOPE-1, SCOPE-3); centres read; a village clerk
cannot edit; the guide is public (SCOPE-4); notification sheets are issued from a matter page (STD-2)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from govhall.catalog.models import CentreMatter, Matter, MatterVersion, NotificationSheet
from govhall.catalog.xlsx import catalog_export_xlsx
from tests.conftest import login


def form_post(
    *,
    code: str = "320681MZ059999",
    name: str = "临时救助申请",
    materials: list[dict] | None = None,
    **fields: object,
) -> dict[str, object]:
    data: dict[str, object] = {
        "code": code,
        "basic_code": "MZ059999",
        "name": name,
        "matter_type": "05",
        "legal_basis": "《社会救助暂行办法》",
        "levels": ["5"],
        "department": "MZ",
        "implementing_body": "启东市民政局",
        "category": "public_service",
        "delivery_mode": "delegated",
        "window_class": "minsheng",
        "case_type": "2",
        "legal_limit": "15",
        "legal_limit_unit": "workday",
        "promised_limit": "10",
        "promised_limit_unit": "workday",
        "approval_steps": "受理→审核→审批",
        "service_objects": ["1"],
        "handling_forms": ["1"],
        "visits": "1",
        "max_town_class": "",
        "check_method": "",
        "change_kind": "change",
    }
    data.update(fields)
    materials = (
        materials
        if materials is not None
        else [
            {
                "name": "临时救助申请书",
                "originals": "1",
                "copies": "0",
                "required": "on",
                "material_form": "paper",
            }
        ]
    )
    data.update(
        {
            "m-TOTAL_FORMS": str(len(materials)),
            "m-INITIAL_FORMS": "0",
            "m-MIN_NUM_FORMS": "0",
            "m-MAX_NUM_FORMS": "60",
        }
    )
    for i, m in enumerate(materials):
        for key, value in m.items():
            data[f"m-{i}-{key}"] = value
    return data


@pytest.mark.django_db
def test_scope1_bureau_admin_creates_edits_and_publishes_on_pages(client, hall, departments):
    login(client, hall.bureau_admin)
    response = client.get(reverse("catalog:matter_new"))
    assert response.status_code == 200
    response = client.post(reverse("catalog:matter_new"), form_post())
    assert response.status_code == 302
    matter = Matter.objects.get(code="320681MZ059999")
    assert matter.status == "draft" and services_draft(matter).materials.get().name == "临时救助申请书"
    response = client.post(reverse("catalog:matter_action", args=[matter.code, "publish"]), {"reason": ""})
    matter.refresh_from_db()
    assert matter.status == "active" and matter.current_version.number == 1

    # Edit: existing material kept by id, one added.
    first = matter.current_version.materials.get()
    post = form_post(
        promised_limit="8",
        change_reason="提速",
        materials=[
            {
                "id": str(first.pk),
                "name": first.name,
                "originals": "1",
                "copies": "0",
                "required": "on",
                "material_form": "paper",
            },
            {
                "name": "困难情况说明",
                "originals": "1",
                "copies": "0",
                "required": "on",
                "material_form": "paper",
            },
        ],
    )
    del post["code"]
    assert client.post(reverse("catalog:matter_edit", args=[matter.code]), post).status_code == 302
    assert (
        client.post(
            reverse("catalog:matter_action", args=[matter.code, "publish"]), {"reason": "提速"}
        ).status_code
        == 302
    )
    matter.refresh_from_db()
    assert matter.current_version.number == 2 and matter.current_version.promised_limit == 8
    assert [m.name for m in matter.current_version.materials.all()] == ["临时救助申请书", "困难情况说明"]
    history = client.get(reverse("catalog:history", args=[matter.code]))
    assert "第2版" in history.content.decode() and "提速" in history.content.decode()
    old = client.get(reverse("catalog:version", args=[matter.code, 1]))
    assert old.status_code == 200 and "历史版本" in old.content.decode()


def services_draft(matter: Matter) -> MatterVersion:
    from govhall.catalog.services import matter_draft

    draft = matter_draft(matter)
    assert draft is not None
    return draft


@pytest.mark.django_db
def test_scope1_page_shows_field_errors_and_saves_nothing(client, hall, departments):
    login(client, hall.bureau_admin)
    response = client.post(
        reverse("catalog:matter_new"),
        form_post(
            promised_limit="30",
            materials=[
                {"name": "承诺材料", "commitment": "on", "commitment_text": "", "material_form": "paper"}
            ],
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "「承诺办结时限」（30个工作日）不能超过「法定办结时限」（15个工作日）" in page
    assert "可告知承诺，必须填写「告知承诺书」内容" in page
    assert not Matter.objects.exists()


@pytest.mark.django_db
def test_scope1_village_clerk_cannot_edit_the_catalogue_on_pages(client, hall, make_matter):
    matter = make_matter()
    login(client, hall.village_clerk)
    assert client.get(reverse("catalog:matter_new")).status_code == 403
    assert client.post(reverse("catalog:matter_new"), form_post(code="320681XX1")).status_code == 403
    assert client.get(reverse("catalog:matter_edit", args=[matter.code])).status_code == 403
    assert (
        client.post(
            reverse("catalog:matter_action", args=[matter.code, "suspend"]), {"reason": "x"}
        ).status_code
        == 403
    )
    assert client.post(reverse("catalog:import"), {}).status_code == 403
    assert client.post(reverse("catalog:coverage_fill"), {}).status_code == 403
    assert (
        client.post(reverse("catalog:centre", args=[hall.village.pk]), {"code": matter.code}).status_code
        == 403
    )
    assert Matter.objects.count() == 1 and matter.versions.count() == 1
    assert not CentreMatter.objects.exists()
    # … but reads the catalogue and the own centre's list, read-only.
    listing = client.get(reverse("catalog:list"), {"q": "dbsq"})
    assert listing.status_code == 200 and "最低生活保障申请" in listing.content.decode()
    detail = client.get(reverse("catalog:matter", args=[matter.code])).content.decode()
    assert "修改（生成新版本草稿）" not in detail
    assert client.get(reverse("catalog:centre", args=[hall.village.pk])).status_code == 200
    assert client.get(reverse("catalog:centre", args=[hall.other_village.pk])).status_code == 404


@pytest.mark.django_db
def test_scope1_list_search_returns_fragment_for_htmx(client, hall, make_matter):
    make_matter()
    login(client, hall.front_desk)
    response = client.get(reverse("catalog:list"), {"q": "低保"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "最低生活保障申请" in body


@pytest.mark.django_db
def test_scope3_bureau_assigns_and_removes_a_matter_at_a_centre(client, hall, make_matter):
    matter = make_matter()
    login(client, hall.bureau_admin)
    url = reverse("catalog:centre", args=[hall.town.pk])
    assert client.post(url, {"code": matter.code}).status_code == 302
    assert CentreMatter.objects.get(centre=hall.town, matter=matter).is_active
    client.post(url, {"code": matter.code, "action": "remove", "reason": "由市级窗口办理"})
    link = CentreMatter.objects.get(centre=hall.town, matter=matter)
    assert not link.is_active and link.note == "由市级窗口办理" and link.removed_by == hall.bureau_admin
    page = client.get(reverse("catalog:coverage")).content.decode()
    assert hall.town.name in page
    export = client.get(reverse("catalog:coverage"), {"format": "xlsx", "level": "town"})
    ws = load_workbook(io.BytesIO(export.content))["应进必进情况"]
    assert next(r for r in ws.iter_rows(values_only=True) if r[0] == hall.town.name)[1:4] == (1, 0, 1)


@pytest.mark.django_db
def test_scope4_public_guide_page_and_files_need_no_login(client, make_matter):
    matter = make_matter()
    page = client.get(reverse("catalog:guide", args=[matter.code]))
    body = page.content.decode()
    assert (
        page.status_code == 200
        and "最低生活保障申请" in body
        and "<svg" in body
        and "家庭收入和财产状况声明" in body
    )
    pdf = client.get(reverse("catalog:guide_file", args=[matter.code, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    docx = client.get(reverse("catalog:guide_file", args=[matter.code, "docx"]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert client.get(reverse("catalog:guide", args=["320681NOPE"])).status_code == 404


@pytest.mark.django_db
def test_scope4_draft_only_matter_has_no_public_guide(client, make_matter):
    matter = make_matter(publish=False)
    assert client.get(reverse("catalog:guide", args=[matter.code])).status_code == 404


@pytest.mark.django_db
def test_std2_clerk_issues_a_sheet_from_the_matter_page(client, hall, make_matter):
    matter = make_matter()
    materials = list(matter.current_version.materials.all())
    login(client, hall.village_clerk)
    url = reverse("catalog:sheet_new", args=[matter.code])
    assert client.get(url).status_code == 200
    total = len(materials) + 2
    post = {
        "s-TOTAL_FORMS": str(total),
        "s-INITIAL_FORMS": str(total),
        "s-MIN_NUM_FORMS": "0",
        "s-MAX_NUM_FORMS": "80",
        "applicant_name": "李四",
    }
    for i, m in enumerate(materials):
        post.update(
            {f"s-{i}-material": str(m.pk), f"s-{i}-name": m.name, f"s-{i}-problem": "", f"s-{i}-reason": ""}
        )
    post.update(
        {
            "s-1-problem": "wrong",
            "s-1-reason": "复印件缺页",
            f"s-{total - 2}-name": "村委会证明",
            f"s-{total - 2}-problem": "missing",
            f"s-{total - 2}-reason": "请到村委会开具",
        }
    )
    response = client.post(url, post)
    sheet = NotificationSheet.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalog:sheet", args=[sheet.serial]
    )
    assert (
        sheet.centre == hall.village and sheet.clerk == hall.village_clerk and sheet.applicant_name == "李四"
    )
    assert [(i.name, i.problem) for i in sheet.items.all()] == [
        ("居民户口簿", "wrong"),
        ("村委会证明", "missing"),
    ]
    pdf = client.get(reverse("catalog:sheet_file", args=[sheet.serial, "pdf"]))
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    login(client, hall.other_village_clerk)
    assert client.get(reverse("catalog:sheet", args=[sheet.serial])).status_code == 404
    assert client.get(reverse("catalog:sheet_file", args=[sheet.serial, "pdf"])).status_code == 404


@pytest.mark.django_db
def test_scope1_import_page_lists_errors_and_writes_nothing(client, hall, make_matter):
    make_matter()
    wb = load_workbook(io.BytesIO(catalog_export_xlsx()))
    ws = wb["事项"]
    ws.cell(row=2, column=[c.value for c in ws[1]].index("办件类型") + 1).value = "加急件"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "catalog.xlsx"
    login(client, hall.bureau_admin)
    response = client.post(reverse("catalog:import"), {"file": buf})
    assert response.status_code == 400
    assert (
        "「事项」表第2行" in response.content.decode()
        and "“加急件”不是有效的选项" in response.content.decode()
    )
    assert MatterVersion.objects.count() == 1
    export = client.get(reverse("catalog:export"))
    assert export.status_code == 200 and export.content[:2] == b"PK"


@pytest.mark.django_db
def test_scope1_blank_form_upload_is_served_with_the_public_guide(client, hall, departments):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, hall.bureau_admin)
    bad = form_post(
        materials=[
            {
                "name": "申请表",
                "material_form": "paper",
                "originals": "1",
                "copies": "0",
                "blank_form": SimpleUploadedFile("x.exe", b"MZ"),
            }
        ]
    )
    response = client.post(reverse("catalog:matter_new"), bad)
    assert response.status_code == 400 and "类型不支持" in response.content.decode()
    assert not Matter.objects.exists()
    good = form_post(
        materials=[
            {
                "name": "申请表",
                "material_form": "paper",
                "originals": "1",
                "copies": "0",
                "blank_form": SimpleUploadedFile("申请表.pdf", b"%PDF-1.4 form"),
            }
        ]
    )
    assert client.post(reverse("catalog:matter_new"), good).status_code == 302
    matter = Matter.objects.get()
    client.post(reverse("catalog:matter_action", args=[matter.code, "publish"]), {"reason": ""})
    material = Matter.objects.get().current_version.materials.get()
    client.logout()
    guide = client.get(reverse("catalog:guide", args=[matter.code])).content.decode()
    url = reverse("catalog:material_file", args=[matter.code, material.pk, "blank_form"])
    assert url in guide
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 form"
