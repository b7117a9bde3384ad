"""SCOPE-4 guide and STD-2 notification sheet: PDF and .docx with the matter name, every material, the
centre, the clerk's staff id, the serial and a QR code to the online guide (text read back from the files)."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from pypdf import PdfReader

from govhall.catalog import services
from govhall.catalog.documents import (
    guide_docx,
    guide_pdf,
    guide_url,
    notification_sheet_docx,
    notification_sheet_pdf,
)
from govhall.core.documents import docx_text, pdf_text


@pytest.mark.django_db
def test_scope4_guide_pdf_and_docx_list_the_matter_and_every_material(make_matter, hall):
    matter = make_matter()
    version = matter.current_version
    for data in (guide_pdf(version, centre=hall.town), guide_docx(version, centre=hall.town)):
        text = pdf_text(data) if data[:4] == b"%PDF" else docx_text(data)
        assert "最低生活保障申请办事指南" in text
        for material in version.materials.all():
            assert material.name in text
        assert hall.town.name in text
        assert "20个工作日" in text and "30个工作日" in text
        assert "本人承诺家庭收入、财产状况真实" in text  # the 告知承诺书
        assert guide_url(matter) in text
    assert guide_url(matter) == f"{settings.PUBLIC_URL}/portal/guide/{matter.code}/"


@pytest.mark.django_db
def test_scope4_guide_pdf_embeds_the_cjk_font_and_a_qr_image(make_matter):
    reader = PdfReader(io.BytesIO(guide_pdf(make_matter().current_version)))
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    cjk = [f for f in fonts if "WenQuanYiMicroHei" in str(f["/BaseFont"])]
    assert cjk, "the embedded 文泉驿微米黑 is used"
    assert all("/FontFile2" in f["/FontDescriptor"].get_object() for f in cjk), "the font program is embedded"
    images = [img for p in reader.pages for img in p.images]
    assert images, "the QR code is drawn as an image"


@pytest.mark.django_db
def test_std2_notification_sheet_renders_everything_at_once(make_matter, hall):
    matter = make_matter()
    version = matter.current_version
    materials = list(version.materials.all())
    sheet = services.notification_sheet_create(
        matter_version=version,
        centre=hall.town,
        clerk=hall.front_desk,
        applicant_name="张三",
        items=[
            (materials[0], "missing", "未提交申请书，请填写并签字"),
            (materials[1], "wrong", "户口簿复印件不清晰，请重新复印"),
            ("村委会出具的家庭情况证明", "缺少", "请到村委会开具"),
        ],
    )
    for data in (notification_sheet_pdf(sheet), notification_sheet_docx(sheet)):
        text = pdf_text(data) if data[:4] == b"%PDF" else docx_text(data)
        for expected in (
            "一次性告知单",
            "最低生活保障申请",
            hall.town.name,
            hall.front_desk.staff_no,
            sheet.serial,
            "最低生活保障申请书",
            "居民户口簿",
            "村委会出具的家庭情况证明",
            "户口簿复印件不清晰，请重新复印",
            "张三",
            "缺少",
            "有误",
        ):
            assert expected in text, expected
