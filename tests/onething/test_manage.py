"""The bureau composes a 一件事 on its page, publishes and withdraws it; others cannot (MODE-1, SCOPE-1)."""

from __future__ import annotations

import pytest

from govhall.catalog.seed import TOWN
from govhall.onething.models import OneThing, ThingStatus
from tests.conftest import login

pytestmark = pytest.mark.django_db


def code(seq: int) -> str:
    return next(s.code for s in TOWN if s.seq == seq)


def form_data(**members: dict[str, str]) -> dict[str, str]:
    data = {
        "code": "YJS-0010",
        "name": "开办理发店一件事",
        "life_event": "开办理发店",
        "summary": "",
        "promised_limit": "0",
        "q-TOTAL_FORMS": "4",
        "q-INITIAL_FORMS": "0",
        "m-TOTAL_FORMS": "8",
        "m-INITIAL_FORMS": "0",
        "q-0-code": "invoice",
        "q-0-text": "是否需要领用发票",
        "m-0-matter_code": code(27),
        "m-0-condition_answer": "1",
        "m-1-matter_code": code(31),
        "m-1-after": "1",
        "m-1-condition_question": "invoice",
        "m-1-condition_answer": "1",
        "m-1-same_as": "经办人身份证件=经营者居民身份证",
    }
    for i in range(2, 8):
        data[f"m-{i}-condition_answer"] = "1"
    for key, row in members.items():
        data.update({f"{key}-{k}": v for k, v in row.items()})
    return data


def test_mode1_bureau_composes_publishes_and_the_portal_shows_it(client, catalogue):
    login(client, catalogue.bureau_admin)
    assert client.get("/one-thing/manage/new/").status_code == 200
    response = client.post("/one-thing/manage/new/", form_data())
    assert response.status_code == 302
    thing = OneThing.objects.get(code="YJS-0010")
    assert thing.status == ThingStatus.DRAFT and client.get("/one-thing/YJS-0010/").status_code == 404
    client.post("/one-thing/manage/YJS-0010/publish/", {"reason": ""})
    page = client.get("/one-thing/YJS-0010/?invoice=1").content.decode()
    assert "开办理发店一件事" in page and "发票领用" in page
    assert "经办人身份证件" not in page  # linked to 经营者居民身份证: asked once
    edit = client.get("/one-thing/manage/YJS-0010/edit/").content.decode()
    assert "经办人身份证件=经营者居民身份证" in edit


def test_bad_composition_on_the_page_shows_the_rule_and_writes_nothing(client, catalogue):
    login(client, catalogue.bureau_admin)
    response = client.post("/one-thing/manage/new/", form_data(**{"m-0": {"after": "2"}}))
    assert response.status_code == 400
    assert "办理顺序存在循环" in response.content.decode()
    assert not OneThing.objects.filter(code="YJS-0010").exists()
    response = client.post("/one-thing/manage/new/", form_data(**{"m-1": {"after": "一"}}))
    assert "前置事项请填写序号" in response.content.decode()


def test_withdraw_needs_a_reason_and_hides_the_thing(client, samples, catalogue):
    login(client, catalogue.bureau_admin)
    response = client.post("/one-thing/manage/YJS-0002/withdraw/", {"reason": ""})
    assert response.status_code == 400 and "停用必须填写原因" in response.content.decode()
    client.post("/one-thing/manage/YJS-0002/withdraw/", {"reason": "政策调整"})
    assert client.get("/one-thing/YJS-0002/").status_code == 404


def test_centre_staff_cannot_compose(client, catalogue):
    login(client, catalogue.people["director"])
    assert client.get("/one-thing/manage/").status_code == 403
    assert client.post("/one-thing/manage/new/", form_data()).status_code == 403
    assert not OneThing.objects.filter(code="YJS-0010").exists()
