"""Staff workbench pages (htmx: same view, page or fragment): my tasks, awaiting decision, agency list,
the window wizard, case detail with timeline and actions. Lists take a fixed number of queries."""

from __future__ import annotations

import pytest
import time_machine

from govhall.cases.models import Case, CaseStatus
from govhall.cases.services import case_accept
from tests.cases.conftest import ID_ZHANG, local, receive
from tests.conftest import login

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@time_machine.travel(local(2026, 3, 10, 9, 0), tick=False)
def test_my_tasks_list_costs_the_same_queries_for_few_or_many(client, flow, django_assert_num_queries):
    """Session, user, roles, centres, nav, the list: no session write (renewed at most once a minute)."""
    for _ in range(2):
        case_accept(case=receive(flow), actor=flow.front_desk)
    login(client, flow.back_office)
    client.get("/cases/")
    with django_assert_num_queries(5):
        page = client.get("/cases/")
    assert page.content.decode().count("最低生活保障申请") == 2
    for _ in range(6):
        case_accept(case=receive(flow), actor=flow.front_desk)
    with django_assert_num_queries(5):
        page = client.get("/cases/")
    assert page.content.decode().count("最低生活保障申请") == 8
    fragment = client.get("/cases/?tab=tasks", **HX)
    assert "<html" not in fragment.content.decode() and "最低生活保障申请" in fragment.content.decode()


def test_awaiting_tab_shows_village_forwarded_cases_to_the_town(client, flow):
    case = receive(flow, actor=flow.village_clerk)
    login(client, flow.front_desk)
    page = client.get("/cases/?tab=awaiting").content.decode()
    assert case.number in page and "村级转办" in page
    assert 'href="/staffing/enquiries/"' in page  # STD-1: my enquiries, kept by staffing
    login(client, flow.other_village_clerk)
    assert case.number not in client.get("/cases/?tab=awaiting").content.decode()


@time_machine.travel(local(2026, 3, 10, 9, 0), tick=False)
def test_case_list_filters_with_fixed_queries(client, flow, django_assert_num_queries):
    for _ in range(3):
        receive(flow)
    login(client, flow.director)
    client.get("/cases/list/?status=received")
    with django_assert_num_queries(7):  # no session write: renewed by the request before
        page = client.get("/cases/list/?status=received&q=张")
    assert page.content.decode().count("已收件（待受理）") >= 3


def test_wizard_steps_and_htmx_fragments(client, flow):
    login(client, flow.front_desk)
    page = client.get("/cases/new/").content.decode()
    assert "民生综合窗口" in page and "请先选择窗口" in page
    window = flow.windows["minsheng"].pk
    matters = client.get(
        f"/cases/new/?window={window}", HTTP_HX_TARGET="wizard-matters", **HX
    ).content.decode()
    assert "最低生活保障申请" in matters and "<html" not in matters
    jianshe = client.get(
        f"/cases/new/?window={flow.windows['jianshe'].pk}", HTTP_HX_TARGET="wizard-matters", **HX
    ).content.decode()
    assert "最低生活保障申请" not in jianshe  # MODE-1: a 建设 window offers 建设 matters only
    checklist = client.get(
        f"/cases/new/?window={window}&matter={flow.matter.pk}", HTTP_HX_TARGET="wizard-materials", **HX
    ).content.decode()
    assert "居民户口簿" in checklist and "可容缺" in checklist and "可告知承诺" in checklist


def test_wizard_post_creates_the_case_or_shows_the_error_keeping_input(client, flow):
    login(client, flow.front_desk)
    data = {
        "window": flow.windows["minsheng"].pk,
        "matter": flow.matter.pk,
        "applicant_kind": "person",
        "applicant_name": "张三",
        "applicant_id_type": "id_card",
        "applicant_id_number": "110101199003071234",
        "applicant_phone": "13800138000",
    }
    for m in flow.materials():
        data[f"m{m.pk}_status"] = "received"
    bad = client.post("/cases/new/", data)
    assert (
        bad.status_code == 400
        and "校验位" in bad.content.decode()
        and "110101199003071234" in bad.content.decode()
    )
    assert not Case.objects.exists()
    data["applicant_id_number"] = ID_ZHANG
    response = client.post("/cases/new/", data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.window == flow.windows["minsheng"] and case.status == CaseStatus.RECEIVED


def test_detail_actions_with_and_without_htmx(client, flow):
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        case = receive(flow, missing=("居民户口簿",))
        login(client, flow.front_desk)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert "受理并出具受理通知书" in page and "时间线" in page
        refused = client.post(f"/cases/{case.pk}/act/accept/", {"opinion": "ok"}, **HX)
        assert refused.status_code == 400 and "居民户口簿" in refused.content.decode()
        hukou = case.materials.get(name="居民户口簿")
        response = client.post(
            f"/cases/{case.pk}/act/accept/", {"rongque": [hukou.pk], "rongque_signed": "on"}
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.PROCESSING and case.rongque_pending
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert "受理通知书 PDF" in page and "容缺受理通知书 PDF" in page and "容缺材料待补" in page
        assert "已受理" in page  # the message after the redirect
        login(client, flow.back_office)
        fragment = client.post(f"/cases/{case.pk}/act/pass/", {"opinion": "同意"}, **HX)
        assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
        case.refresh_from_db()
        assert case.current_step.name == "审批"
        assert client.post(f"/cases/{case.pk}/act/nonsense/").status_code == 404


def test_public_tracking_page_needs_no_login(client, flow):
    assert client.get("/cases/track/").status_code == 200
