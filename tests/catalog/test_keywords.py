"""Issue 16 / SCOPE-4, NET-1: everyday words find the right matters. The bureau keeps a keyword list per
matter (检索关键词: an edit page and a column of the xlsx import); the built-in matters ship with keywords, so
开饭店, 营业执照, 办证 and 新生儿 find what a visitor means."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from govhall.catalog import seed
from govhall.catalog.models import Matter
from govhall.catalog.selectors import matter_search
from govhall.catalog.xlsx import catalog_export_xlsx, catalog_import_xlsx
from govhall.core.audit import AuditEntry
from tests.conftest import login

pytestmark = pytest.mark.django_db


def names(q: str) -> list[str]:
    return [v.name for v in matter_search(q, limit=None)]


def test_everyday_words_find_the_built_in_matters(departments, hall, client):
    """SCOPE-4: 开饭店 → 食品经营许可（小餐饮）; 营业执照 → 个体工商户设立登记; 办证 → 居民身份证; 新生儿 → 出生登记,
    on the catalogue search and on the public portal page."""
    seed.load_builtin()
    assert set(names("开饭店")) == {"食品经营许可（小餐饮）", "个体工商户设立登记"}
    assert "个体工商户设立登记" in names("营业执照") and "食品经营许可（小餐饮）" not in names("营业执照")
    assert {"居民身份证申领、换领", "居住证申领", "残疾人证申领"} <= set(names("办证"))
    assert {"出生登记", "生育登记"} <= set(names("新生儿")) and "发票领用" not in names("新生儿")
    for word, expected in [
        ("开饭店", "食品经营许可（小餐饮）"),
        ("营业执照", "个体工商户设立登记"),
        ("办证", "居民身份证申领、换领"),
        ("新生儿", "出生登记"),
    ]:
        html = client.get("/portal/matters/", {"q": word}).content.decode()
        assert expected in html and "没有找到相关事项" not in html, word
    # A name match still comes before a keyword match.
    assert names("生育登记")[0] == "生育登记"


def test_bureau_edits_keywords_and_the_search_follows_at_once(departments, hall, client, make_matter):
    """SCOPE-4: the bureau's 检索关键词 page; audited; a clear error for an over-long word; clerks cannot."""
    matter = make_matter(name="最低生活保障申请")
    assert names("吃低保") == []
    login(client, hall.front_desk)
    assert client.get(f"/catalog/m/{matter.code}/keywords/").status_code == 403
    login(client, hall.bureau_admin)
    page = client.get(f"/catalog/m/{matter.code}/keywords/").content.decode()
    assert "检索关键词" in page and 'name="keywords"' in page
    response = client.post(f"/catalog/m/{matter.code}/keywords/", {"keywords": "吃低保， 困难补助 吃低保"})
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.keywords == "吃低保、困难补助"
    assert names("吃低保") == ["最低生活保障申请"] and names("困难") == ["最低生活保障申请"]
    assert AuditEntry.objects.filter(action="catalog.matter.keywords").count() == 1
    response = client.post(f"/catalog/m/{matter.code}/keywords/", {"keywords": "很" * 21})
    assert response.status_code == 200 and "每个检索关键词不超过20字" in response.content.decode()
    matter.refresh_from_db()
    assert matter.keywords == "吃低保、困难补助"


def test_keywords_travel_in_the_catalogue_workbook(departments, hall, make_matter):
    """SCOPE-1: the xlsx export has a 检索关键词 column; importing a changed cell sets the keywords (no new
    version); a too-long word is refused with its cell named and nothing written."""
    matter = make_matter(name="最低生活保障申请")
    wb = load_workbook(io.BytesIO(catalog_export_xlsx()))
    ws = wb["事项"]
    headers = [c.value for c in ws[1]]
    col = next(i for i, h in enumerate(headers, start=1) if h and h.startswith("检索关键词"))
    ws.cell(row=2, column=col).value = "低保、困难补助"
    out = io.BytesIO()
    wb.save(out)
    versions = matter.versions.count()
    result = catalog_import_xlsx(actor=hall.bureau_admin, source=out.getvalue())
    matter.refresh_from_db()
    assert matter.keywords == "低保、困难补助" and matter.code in result.changed
    assert matter.versions.count() == versions
    ws.cell(row=2, column=col).value = "很" * 21
    out = io.BytesIO()
    wb.save(out)
    from govhall.orgs.services import ImportRejected

    with pytest.raises(ImportRejected) as refused:
        catalog_import_xlsx(actor=hall.bureau_admin, source=out.getvalue())
    assert any("检索关键词" in e and "20字" in e for e in refused.value.errors)
    assert Matter.objects.get(pk=matter.pk).keywords == "低保、困难补助"
