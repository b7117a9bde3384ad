"""一件事办件 pages: the window's merged form, the parent's page (受理, 不予受理 one member, 统一出件), the
办结通知书, the portal's online application and tracking, supervision and figures (MODE-1, MODE-4, STD-2,
STD-3, SCOPE-1, NET-1)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from govhall.cases.models import CaseStatus, ResultKind
from govhall.cases.services import case_finish, case_step_pass
from govhall.core.documents import docx_text, pdf_text
from govhall.onething.models import ThingCase, ThingCaseStatus
from tests.cases.conftest import ID_ZHANG, local
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_clock() -> Any:
    with time_machine.travel(local(2026, 6, 9, 9, 0), tick=False) as traveller:
        yield traveller


FORM = {
    "disability": "1",
    "applicant_kind": "person",
    "applicant_name": "张三",
    "applicant_id_type": "id_card",
    "applicant_id_number": ID_ZHANG,
    "applicant_phone": "13800138000",
    "applicant_address": "启东市吕四港镇鹤城路1号",
    "received": ["申请人居民身份证", "居民户口簿", "家庭收入情况证明"],
}


def _receive_at_window(client: Any, flow: Any) -> ThingCase:
    login(client, flow.front_desk)
    form = client.get("/one-thing/YJS-0101/receive/?disability=1").content.decode()
    assert "一套材料" in form and form.count('name="received"') == 4  # the ID asked once for three members
    response = client.post("/one-thing/YJS-0101/receive/", {**FORM, "window": flow.windows["minsheng"].pk})
    assert response.status_code == 302, response.content.decode()[-3000:]
    return ThingCase.objects.get()


def _finish_all(flow: Any, parent: ThingCase, clock: Any) -> None:
    rows = {r.name: r.case for r in parent.members.select_related("case")}
    case_finish(case=rows["残疾人证补办申请"], actor=flow.front_desk, result=ResultKind.APPROVED)
    clock.move_to(local(2026, 6, 11, 10, 0))
    low = case_step_pass(case=rows["最低生活保障申请"], actor=flow.back_office)
    case_finish(case=low, actor=flow.approver, result=ResultKind.APPROVED, certificate_no="DB-2026-01")
    clock.move_to(local(2026, 6, 16, 10, 0))
    housing = parent.members.get(name="住房保障资格确认").case
    case_finish(case=housing, actor=flow.housing_a, result=ResultKind.DENIED, reason="已享受公租房保障")


def test_mode1_window_receives_accepts_and_delivers_once(client: Any, world: Any, _fixed_clock: Any) -> None:
    flow, _ = world
    parent = _receive_at_window(client, flow)
    page = client.get(f"/one-thing/cases/{parent.number}/").content.decode()
    assert parent.number in page and "受理全部事项" in page and "待前置事项办结" in page
    response = client.post(
        f"/one-thing/cases/{parent.number}/act/accept/", {"received": FORM["received"]}, follow=True
    )
    assert "已受理" in response.content.decode()
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.PROCESSING
    _finish_all(flow, parent, _fixed_clock)
    parent.refresh_from_db()
    login(client, flow.front_desk)  # a week later: a new session
    page = client.get(f"/one-thing/cases/{parent.number}/").content.decode()
    assert "统一出件" in page and "不予许可：已享受公租房保障" in page

    pdf = client.get(f"/one-thing/cases/{parent.number}/result.pdf")
    text = pdf_text(pdf.content)
    assert pdf.status_code == 200 and "办结通知书" in text
    for name in ("最低生活保障申请", "住房保障资格确认", "残疾人证补办申请", "DB-2026-01"):
        assert name in text
    assert "住房保障资格确认" in docx_text(
        client.get(f"/one-thing/cases/{parent.number}/result.docx").content
    )

    bad = client.post(
        f"/one-thing/cases/{parent.number}/act/deliver/",
        {"method": "window", "collector_name": "李四", "collector_id_number": "320681198805120029"},
        follow=True,
    )
    assert "不一致" in bad.content.decode()  # a stranger cannot collect; nothing handed over
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.FINISHED
    client.post(
        f"/one-thing/cases/{parent.number}/act/deliver/",
        {"method": "window", "collector_name": "张三", "collector_id_number": ID_ZHANG},
    )
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.DELIVERED
    assert set(parent.members.values_list("case__status", flat=True)) == {CaseStatus.DELIVERED}


def test_refusing_one_member_on_the_page(client: Any, world: Any) -> None:
    flow, _ = world
    parent = _receive_at_window(client, flow)
    order = parent.members.get(name="残疾人证补办申请").order
    client.post(f"/one-thing/cases/{parent.number}/act/reject/", {"order": order, "reason": "无需补办"})
    client.post(f"/one-thing/cases/{parent.number}/act/accept/", {"received": FORM["received"]})
    states = dict(parent.members.exclude(case=None).values_list("name", "case__status"))
    assert states == {"残疾人证补办申请": CaseStatus.NOT_ACCEPTED, "最低生活保障申请": CaseStatus.PROCESSING}


def test_net1_portal_tracking_shows_each_member_public_steps_only(client: Any, world: Any) -> None:
    flow, _ = world
    parent = _receive_at_window(client, flow)
    client.post(f"/one-thing/cases/{parent.number}/act/accept/", {"received": FORM["received"]})
    client.logout()
    wrong = client.post("/portal/track/", {"number": parent.number, "password": "ZZZZZZ"})
    assert wrong.status_code == 400
    page = client.post("/portal/track/", {"number": parent.number, "password": parent.query_password})
    body = page.content.decode()
    assert page.status_code == 200
    for name in ("最低生活保障申请", "住房保障资格确认", "残疾人证补办申请", "待前置事项办结", "办理中"):
        assert name in body
    assert "张海峰" not in body and "王晓燕" not in body  # no staff names (public steps only)
    api = client.get("/api/v1/onething/cases/track", {"no": parent.number, "password": parent.query_password})
    data = api.json()
    assert api.status_code == 200 and data["members"][0]["name"] == "最低生活保障申请"
    assert data["members"][1]["state"] == "待前置事项办结"


def test_mode4_village_receives_for_the_town(client: Any, world: Any) -> None:
    flow, _ = world
    login(client, flow.village_clerk)
    response = client.post("/one-thing/YJS-0101/receive/", FORM)
    assert response.status_code == 302, response.content.decode()[-2000:]
    parent = ThingCase.objects.get()
    assert parent.centre == flow.village and parent.handling_centre == flow.town
    assert "受理全部事项" not in client.get(f"/one-thing/cases/{parent.number}/").content.decode()
    login(client, flow.front_desk)
    assert parent.number in client.get("/one-thing/cases/").content.decode()  # the town supervises it


def test_supervision_line_names_the_slowest_and_figures(client: Any, world: Any, _fixed_clock: Any) -> None:
    flow, _ = world
    parent = _receive_at_window(client, flow)
    client.post(f"/one-thing/cases/{parent.number}/act/accept/", {"received": FORM["received"]})
    listing = client.get("/one-thing/cases/").content.decode()
    assert "最慢：最低生活保障申请" in listing
    parent.refresh_from_db()
    _finish_all(flow, parent, _fixed_clock)
    login(client, flow.director)
    page = client.get("/one-thing/figures/").content.decode()
    assert "2026-06" in page and "住房保障资格确认" in page, page[-3000:]
    api = client.get("/api/v1/onething/figures")
    row = api.json()["months"][0]
    assert row["received"] == 1 and row["finished"] == 1 and row["avg_members_sum"] == 15
    assert row["avg_working_days"] == 5  # accepted Tue 9 June, finished Tue 16 June (five working days)
    login(client, flow.back_office)
    assert client.get("/one-thing/figures/").status_code == 403
    assert client.get("/api/v1/onething/figures").status_code == 403


def test_bad_input_on_the_merged_form_is_a_chinese_error(client: Any, world: Any) -> None:
    flow, _ = world
    login(client, flow.front_desk)
    response = client.post(
        "/one-thing/YJS-0101/receive/",
        {**FORM, "applicant_id_number": "123", "window": flow.windows["minsheng"].pk},
    )
    assert response.status_code == 400 and "身份证" in response.content.decode()
    missing = client.post("/one-thing/YJS-0101/receive/", {"applicant_name": "张三"})
    assert missing.status_code == 400 and "请先回答全部情形问题" in missing.content.decode()
    assert not ThingCase.objects.exists()
    login(client, flow.back_office)
    assert client.get("/one-thing/YJS-0101/receive/").status_code == 403
