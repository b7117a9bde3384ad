"""办理形式 and 全程网办 (issue 16; SCOPE-4, NET-1): a matter applied for online is applied for on phones
too, so its guide lists 移动端; a matter that needs the applicant in person is never 全程网办."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from govhall.catalog import seed
from govhall.catalog.documents import guide_pdf
from govhall.catalog.models import Matter, MatterVersion
from govhall.catalog.xlsx import ImportRejected, catalog_export_xlsx, catalog_import_xlsx
from govhall.core.documents import pdf_text
from govhall.core.errors import ServiceError

pytestmark = pytest.mark.django_db


def test_net1_a_matter_applied_for_online_lists_the_mobile_form_on_its_guide(make_matter):
    matter = make_matter(handling_forms="1,2", supports_online=True)
    version = matter.current_version
    assert version.handling_forms == "1,2,3"
    text = pdf_text(guide_pdf(version))
    assert "窗口办理、电脑端网上办理、移动端网上申请" in text


def test_a_window_only_matter_stays_window_only(make_matter):
    version = make_matter(handling_forms="1", supports_online=False).current_version
    assert version.handling_forms == "1"


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"supports_online": True}, "supports_online", "不能全程网办"),
        ({"supports_online": False, "visits": 0}, "visits", "至少为1次"),
    ],
)
def test_an_in_person_matter_is_never_full_online(make_matter, overrides, field, words):
    """居民身份证申领: fingerprints and a photo are taken at the window."""
    before = Matter.objects.count()
    with pytest.raises(ServiceError) as exc:
        make_matter(in_person_reason="采集指纹、现场照相", **overrides)
    assert words in exc.value.fields[field] and "采集指纹、现场照相" in exc.value.fields[field]
    assert Matter.objects.count() == before


def test_the_guide_says_the_applicant_must_come_in_person(make_matter):
    version = make_matter(
        in_person_reason="采集指纹、现场照相", supports_online=False, handling_forms="1", visits=1
    ).current_version
    assert "1次（须本人到场：采集指纹、现场照相，不能全程网办）" in pdf_text(guide_pdf(version))


def test_the_import_refuses_full_online_for_an_in_person_matter(make_matter):
    make_matter(code="320681GA070003", handling_forms="1", supports_online=False)
    wb = load_workbook(io.BytesIO(catalog_export_xlsx()))
    ws = wb["事项"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("须本人到场原因") + 1).value = "采集指纹、现场照相"
    ws.cell(row=2, column=headers.index("支持网上办理") + 1).value = "是"
    ws.cell(row=2, column=headers.index("变更原因") + 1).value = "测试"
    out = io.BytesIO()
    wb.save(out)
    versions = MatterVersion.objects.count()
    with pytest.raises(ImportRejected) as exc:
        catalog_import_xlsx(actor=None, source=out.getvalue())
    assert any("第2行" in e and "不能全程网办" in e for e in exc.value.errors)
    assert MatterVersion.objects.count() == versions


def test_builtin_catalogue_marks_id_card_and_hk_macao_pass_in_person_and_online_matters_mobile(
    departments, hall
):
    seed.load_builtin()
    for name in ("居民身份证申领、换领", "往来港澳通行证及签注签发"):
        version = MatterVersion.objects.get(name=name, state="published")
        assert version.in_person_reason.startswith("采集指纹、现场照相"), name
        assert not version.supports_online and version.visits >= 1, name
    for version in MatterVersion.objects.filter(state="published"):
        codes = set(version.handling_form_codes)
        if version.supports_online or 2 in codes:
            assert 3 in codes, version.name
