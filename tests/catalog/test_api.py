"""Catalogue API: list, search and read matters, versions, materials and guides (SCOPE-1, SCOPE-4); the bureau
writes, a village clerk cannot; bad input names the field and writes nothing; sheets (STD-2)."""

from __future__ import annotations

import pytest

from govhall.accounts.tokens import token_create
from govhall.catalog.models import Matter, MatterVersion, NotificationSheet
from govhall.core.documents import pdf_text


def auth(user) -> dict[str, str]:
    _, token = token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


NEW = {
    "code": "320681MZ050099",
    "basic_code": "MZ050099",
    "name": "临时救助申请",
    "matter_type": "05",
    "legal_basis": "《社会救助暂行办法》第四十七条",
    "levels": [5],
    "department": "MZ",
    "implementing_body": "启东市民政局",
    "category": "public_service",
    "delivery_mode": "delegated",
    "window_class": "minsheng",
    "case_type": 2,
    "legal_limit": 15,
    "promised_limit": 10,
    "materials": [{"name": "临时救助申请书", "originals": 1}],
}


@pytest.mark.django_db
def test_scope1_search_and_read_matters(client, hall, make_matter):
    matter = make_matter()
    headers = auth(hall.village_clerk)
    rows = client.get("/api/v1/catalog/matters", {"q": "dbsq"}, **headers).json()["items"]
    assert [r["name"] for r in rows] == ["最低生活保障申请"]
    assert (
        rows[0]["levels"] == [5] and rows[0]["department"] == "MZ" and rows[0]["category_label"] == "公共服务"
    )
    detail = client.get(f"/api/v1/catalog/matters/{matter.code}", **headers).json()
    assert detail["promised_limit"] == 20 and detail["legal_limit"] == 30 and detail["case_type"] == 2
    assert [m["name"] for m in detail["materials"]] == [
        "最低生活保障申请书",
        "居民户口簿",
        "家庭收入和财产状况声明",
    ]
    assert detail["materials"][2]["commitment"] is True and detail["materials"][1]["rongque"] is True
    assert detail["approval_steps"] == ["受理", "审核", "审批"]
    materials = client.get(f"/api/v1/catalog/matters/{matter.code}/materials", **headers).json()["items"]
    assert len(materials) == 3
    versions = client.get(f"/api/v1/catalog/matters/{matter.code}/versions", **headers).json()["items"]
    assert [(v["number"], v["change_kind"]) for v in versions] == [(1, "create")]
    assert client.get("/api/v1/catalog/matters/NOPE", **headers).status_code == 404
    assert client.get("/api/v1/catalog/matters").status_code == 401


@pytest.mark.django_db
def test_scope4_guide_endpoint_is_public(client, make_matter):
    matter = make_matter()
    guide = client.get(f"/api/v1/catalog/guides/{matter.code}")
    assert guide.status_code == 200
    body = guide.json()
    assert body["guide_url"].endswith(f"/portal/guide/{matter.code}/")
    assert client.get(body["pdf_url"]).status_code == 200


@pytest.mark.django_db
def test_openapi_describes_every_field(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("MatterOut", "MaterialOut", "MatterSummary", "GuideOut", "SheetOut", "MaterialIn"):
        props = schema[name]["properties"]
        missing = [p for p, spec in props.items() if not spec.get("description")]
        assert not missing, f"{name}: {missing}"


@pytest.mark.django_db
def test_scope1_bureau_creates_changes_and_publishes(client, hall, departments):
    headers = auth(hall.bureau_admin)
    created = client.post("/api/v1/catalog/matters", NEW, content_type="application/json", **headers)
    assert created.status_code == 201 and created.json()["version_state"] == "draft"
    published = client.post(
        "/api/v1/catalog/matters/320681MZ050099/publish", {}, content_type="application/json", **headers
    )
    assert published.status_code == 200 and published.json()["status"] == "active"
    draft = client.put(
        "/api/v1/catalog/matters/320681MZ050099/draft",
        {"promised_limit": 7, "change_reason": "提速"},
        content_type="application/json",
        **headers,
    )
    assert (
        draft.status_code == 200
        and draft.json()["version"] == 2
        and draft.json()["materials"][0]["name"] == "临时救助申请书"
    )
    client.post(
        "/api/v1/catalog/matters/320681MZ050099/publish", {}, content_type="application/json", **headers
    )
    matter = Matter.objects.get(code="320681MZ050099")
    assert matter.current_version.promised_limit == 7 and matter.versions.count() == 2
    suspended = client.post(
        "/api/v1/catalog/matters/320681MZ050099/suspend",
        {"reason": "暂停"},
        content_type="application/json",
        **headers,
    )
    assert suspended.json()["status"] == "suspended" and suspended.json()["change_kind"] == "suspend"


@pytest.mark.django_db
def test_scope1_village_clerk_cannot_write_through_the_api(client, hall, make_matter):
    matter = make_matter()
    headers = auth(hall.village_clerk)
    assert (
        client.post("/api/v1/catalog/matters", NEW, content_type="application/json", **headers).status_code
        == 403
    )
    response = client.put(
        f"/api/v1/catalog/matters/{matter.code}/draft",
        {"promised_limit": 1},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert (
        client.post(
            f"/api/v1/catalog/matters/{matter.code}/cancel",
            {"reason": "x"},
            content_type="application/json",
            **headers,
        ).status_code
        == 403
    )
    assert Matter.objects.count() == 1 and MatterVersion.objects.count() == 1


@pytest.mark.django_db
def test_scope1_bad_input_names_the_field_and_writes_nothing(client, hall, make_matter):
    make_matter(code="320681MZ050099")
    headers = auth(hall.bureau_admin)
    dup = client.post("/api/v1/catalog/matters", NEW, content_type="application/json", **headers)
    assert dup.status_code == 409 and dup.json()["fields"] == {"code": "实施编码“320681MZ050099”已存在。"}
    bad = dict(
        NEW,
        code="320681MZ050100",
        promised_limit=20,
        matter_type="77",
        materials=[{"name": "承诺书", "commitment": True}],
    )
    response = client.post("/api/v1/catalog/matters", bad, content_type="application/json", **headers)
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "「承诺办结时限」（20个工作日）不能超过「法定办结时限」（15个工作日）" in fields["promised_limit"]
    assert "「事项类型」代码“77”未知" in fields["matter_type"]
    assert "必须填写「告知承诺书」内容" in fields["materials.0.commitment_text"]
    assert Matter.objects.count() == 1 and MatterVersion.objects.count() == 1


@pytest.mark.django_db
def test_std2_sheet_through_the_api(client, hall, make_matter):
    matter = make_matter()
    material = matter.current_version.materials.first()
    headers = auth(hall.front_desk)
    body = {
        "matter_code": matter.code,
        "items": [
            {"material_id": material.pk, "problem": "missing", "reason": "请补交申请书"},
            {"name": "收入证明", "problem": "wrong", "reason": "未盖章"},
        ],
    }
    created = client.post(
        "/api/v1/catalog/notification-sheets", body, content_type="application/json", **headers
    )
    assert created.status_code == 201
    data = created.json()
    assert data["clerk_staff_no"] == hall.front_desk.staff_no and len(data["items"]) == 2
    pdf = client.get(data["pdf_url"], **headers)
    assert "请补交申请书" in pdf_text(pdf.content) and "收入证明" in pdf_text(pdf.content)
    other = auth(hall.village_clerk)
    assert client.get(f"/api/v1/catalog/notification-sheets/{data['serial']}", **other).status_code == 404
    body["centre_id"] = hall.other_village.pk
    assert (
        client.post(
            "/api/v1/catalog/notification-sheets", body, content_type="application/json", **other
        ).status_code
        == 404
    )
    assert NotificationSheet.objects.count() == 1


@pytest.mark.django_db
def test_scope1_list_pages_with_offset_and_limit(client, hall, make_matter):
    for name in ("临时救助申请", "最低生活保障申请", "特困人员救助供养申请"):
        make_matter(name=name)
    headers = auth(hall.front_desk)
    first = client.get("/api/v1/catalog/matters", {"q": "sq", "limit": 2}, **headers).json()["items"]
    rest = client.get("/api/v1/catalog/matters", {"q": "sq", "limit": 2, "offset": 2}, **headers).json()[
        "items"
    ]
    assert len(first) == 2 and len(rest) == 1
    assert {r["name"] for r in first + rest} == {"临时救助申请", "最低生活保障申请", "特困人员救助供养申请"}
