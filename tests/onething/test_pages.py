"""The public 一件事 pages and printed documents (SCOPE-4, STD-2): a visitor answers the questions and gets
one list of what to do and what to bring, on screen, as PDF and as Word."""

from __future__ import annotations

import pytest

from govhall.core.documents import docx_text, pdf_text

pytestmark = pytest.mark.django_db


def test_scope4_list_shows_published_things_to_anyone(client, samples):
    page = client.get("/one-thing/").content.decode()
    assert "新生儿出生一件事" in page and "开办餐饮店一件事" in page and "困难群众救助一件事" in page


def test_scope4_guide_follows_the_visitors_answers(client, samples):
    whole = client.get("/one-thing/YJS-0001/").content.decode()
    assert "城乡居民基本医疗保险参保登记" in whole and "生育登记" in whole
    page = client.get("/one-thing/YJS-0001/?medical_insurance=0&birth_registration=0").content.decode()
    assert page.count("按您的回答，无需办理") == 2
    assert "父母双方居民身份证和户口簿" in page and "申请人居民身份证" not in page


def test_scope4_htmx_answer_change_returns_only_the_guide_body(client, samples):
    response = client.get("/one-thing/YJS-0002/?invoice=1", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="guide-body">')
    assert "由“个体工商户设立登记”办结后部门间内部流转" in body


def test_unanswered_question_is_a_chinese_error_not_a_crash(client, samples):
    response = client.get("/one-thing/YJS-0001/?medical_insurance=maybe")
    assert response.status_code == 400
    assert "请回答：是否为新生儿办理城乡居民医保参保" in response.content.decode()
    assert client.get("/one-thing/YJS-0001/guide.pdf?medical_insurance=maybe").status_code == 400


def test_unknown_or_withdrawn_thing_is_404(client, samples):
    from govhall.onething import services

    assert client.get("/one-thing/YJS-9999/").status_code == 404
    services.thing_withdraw(actor=None, thing=samples["YJS-0003"], reason="政策调整")
    assert client.get("/one-thing/YJS-0003/").status_code == 404
    assert client.get("/one-thing/YJS-0001/guide.xls").status_code == 404


def test_std2_guide_pdf_and_docx_list_one_set_of_materials_and_the_internal_handover(client, samples):
    response = client.get("/one-thing/YJS-0002/guide.pdf?invoice=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace("\n", "")
    assert "开办餐饮店一件事办事指南" in text and "一套材料" in text
    assert "营业执照（由“个体工商户设立登记”产生" in text
    docx = client.get("/one-thing/YJS-0002/guide.docx?invoice=0")
    assert docx.status_code == 200 and "attachment" in docx["Content-Disposition"]
    words = docx_text(docx.content)
    assert (
        "食品经营许可申请书" in words and "税务UKey或税控设备" not in words
    )  # no invoice: 发票领用 left out


def test_std2_blank_notice_lists_everything_to_bring_once(client, samples):
    text = pdf_text(client.get("/one-thing/YJS-0003/notice.pdf?disability=1").content).replace("\n", "")
    assert "困难群众救助一件事一次性告知单" in text
    assert text.count("申请人居民身份证") == 1
    assert "中华人民共和国残疾人证" in text and "可在网上提交" in text


def test_scope4_api_lists_things_and_answers_the_guide_for_given_answers(client, samples):
    listing = client.get("/api/v1/onething/things").json()
    assert listing["count"] == 3 and [t["code"] for t in listing["items"]] == [
        "YJS-0001",
        "YJS-0002",
        "YJS-0003",
    ]
    guide = client.get(
        "/api/v1/onething/things/YJS-0001/guide?medical_insurance=1&birth_registration=0"
    ).json()
    assert [(m["name"], m["included"], m["stage"]) for m in guide["members"]] == [
        ("出生登记", True, 1),
        ("城乡居民基本医疗保险参保登记", True, 2),
        ("生育登记", False, 0),
    ]
    assert guide["produced"] == [
        {"name": "居民户口簿", "produced_by": "出生登记", "needed_by": ["城乡居民基本医疗保险参保登记"]}
    ]
    assert guide["pdf_url"].endswith("?medical_insurance=1&birth_registration=0")


def test_api_guide_refuses_an_odd_answer_with_a_structured_error(client, samples):
    response = client.get("/api/v1/onething/things/YJS-0003/guide?disability=perhaps")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "请回答：家庭中是否有持残疾人证的成员",
        "fields": {"disability": "请回答：家庭中是否有持残疾人证的成员"},
    }
    assert client.get("/api/v1/onething/things/YJS-0404/guide").status_code == 404


def test_scope4_a_member_matters_guide_points_to_its_one_thing(client, samples):
    """A visitor reading 出生登记's guide learns it can be done with the others as 新生儿出生一件事."""
    from govhall.catalog.models import Matter

    birth = Matter.objects.get(name="出生登记")
    page = client.get(f"/portal/guide/{birth.code}/").content.decode()
    assert 'href="/one-thing/YJS-0001/"' in page and "新生儿出生一件事" in page
    food = Matter.objects.get(name="临时救助申请")
    assert "一次办理" in client.get(f"/portal/guide/{food.code}/").content.decode()
    other = Matter.objects.get(name="居住证申领")
    assert 'id="one-thing"' not in client.get(f"/portal/guide/{other.code}/").content.decode()
