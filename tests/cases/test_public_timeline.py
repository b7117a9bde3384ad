"""Issue 13, hole 3 (NET-1, STD-4, personal data): the applicant's timeline — the tracking pages (staff site,
portal, kiosk) and the tracking API — is an allow-list: which step, when, at which centre. It never shows
leave, the AB角 routing, who handles the case or their opinions, even for rows written before the list."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from govhall.cases.models import CaseEvent, DeliveryMethod, ResultKind
from govhall.cases.services import case_accept, case_deliver, case_finish, case_step_pass
from govhall.staffing.models import Leave, LeaveStatus
from tests.cases.conftest import ID_ZHANG, local, receive

pytestmark = pytest.mark.django_db

INTERNAL = (
    "张海峰",
    "李秀梅",
    "王晓燕",
    "请假",
    "年休假",
    "A角",
    "B角",
    "民政审核岗",
    "民政审批岗",
    "经核实无误",
)


@pytest.fixture
def finished(flow):
    """A角张海峰 (审核岗) is on annual leave: the 审核 step goes to B角李秀梅, who passes it with an opinion;
    审批 (A李秀梅) approves."""
    Leave.objects.create(
        staff=flow.back_office,
        centre=flow.town,
        kind="annual",
        start_at=local(2026, 6, 8, 0, 0),
        end_at=local(2026, 6, 12, 23, 0),
        reason="年休",
        status=LeaveStatus.APPROVED,
    )
    case = case_accept(case=receive(flow), actor=flow.front_desk)
    assert (
        "A角张海峰请假（年休假）中，由B角李秀梅办理" in case.events.get(action="route").detail
    )  # staff still see why
    case = case_step_pass(case=case, actor=flow.approver, opinion="经核实无误")
    return case_finish(case=case, actor=flow.approver, result=ResultKind.APPROVED)


def _shows_steps_not_people(text: str) -> None:
    leaked = [word for word in INTERNAL if word in text]
    assert not leaked, leaked
    for step in ("收件", "受理", "办理中", "办结"):
        assert step in text, step


def test_tracking_pages_and_api_show_the_steps_and_nobody_behind_them(client, flow, finished):
    case = finished
    credentials = {"number": case.number, "password": case.query_password}
    staff_site = client.post("/cases/track/", credentials).content.decode()
    _shows_steps_not_people(staff_site.split('<ol class="timeline">')[1])
    api = client.get("/api/v1/cases/track", {"no": case.number, "password": case.query_password})
    assert api.status_code == 200
    timeline = api.json()["timeline"]
    _shows_steps_not_people(" ".join(f"{e['label']} {e['detail']}" for e in timeline))
    assert [e["label"] for e in timeline] == ["收件", "受理", "审核", "审批", "办结"]
    assert {e["centre"] for e in timeline} == {flow.town.name}
    portal = client.post("/portal/track/", credentials).content.decode()
    assert case.number in portal
    assert not [word for word in INTERNAL if word in portal]
    assert (
        "收件" in portal and "受理" in portal and "审核" in portal and "审批" in portal and "办结" in portal
    )
    kiosk = client.post(
        f"/portal/kiosk/{flow.town.division.code}/track/", {"mode": "number", **credentials}
    ).content.decode()
    assert case.number in kiosk and not [word for word in INTERNAL if word in kiosk]


def test_the_public_timeline_names_the_collector_masked(client, flow, finished):
    """NET-1, personal data: whoever holds the number and password reads 「领取人：张**」, not the full name;
    staff keep the whole name on the case."""
    case = case_deliver(
        case=finished,
        actor=flow.front_desk,
        method=DeliveryMethod.WINDOW,
        collector_name="张三丰",
        collector_id_number=ID_ZHANG,
    )
    api = client.get("/api/v1/cases/track", {"no": case.number, "password": case.query_password})
    delivered = [e["detail"] for e in api.json()["timeline"] if e["label"] == "送达"]
    assert delivered == ["窗口领取，领取人：张**（已核验证件）"]
    assert "张三丰" not in api.content.decode()
    case.refresh_from_db()
    assert case.collector_name == "张三丰"


def test_the_portal_shows_a_running_case_as_in_progress_without_names(client, flow):
    Leave.objects.create(
        staff=flow.back_office,
        centre=flow.town,
        kind="annual",
        start_at=local(2026, 6, 8, 0, 0),
        end_at=local(2026, 6, 12, 23, 0),
        reason="年休",
        status=LeaveStatus.APPROVED,
    )
    case = case_accept(case=receive(flow), actor=flow.front_desk)
    portal = client.post("/portal/track/", {"number": case.number, "password": case.query_password})
    html = portal.content.decode()
    assert "办理中" in html and "受理" in html
    assert not [word for word in INTERNAL if word in html]


def test_rows_written_public_before_the_allow_list_do_not_leak(flow):
    """Old rows were public by default: the selector goes by the allow-list, and the migration hides them."""
    from govhall.cases.models import PUBLIC_EVENT_ACTIONS
    from govhall.cases.selectors import public_timeline

    case = case_accept(case=receive(flow), actor=flow.front_desk)
    old = [
        CaseEvent.objects.create(
            case=case,
            action="route",
            label="审核",
            public=True,
            centre_name=flow.town.name,
            detail="流转至民政审核岗：A角张海峰请假（年休假）中，由B角李秀梅办理",
        ),
        CaseEvent.objects.create(
            case=case, action="agency", label="代办", public=True, detail="代办员孙代办"
        ),
        CaseEvent.objects.create(
            case=case, action="pass", label="审核", public=True, detail="通过。意见：经核实无误"
        ),
    ]
    shown = " ".join(f"{e.label} {e.detail}" for e in public_timeline(case))
    assert not [word for word in (*INTERNAL, "孙代办") if word in shown]
    assert "agency" not in PUBLIC_EVENT_ACTIONS and "pass" not in PUBLIC_EVENT_ACTIONS
    migration = importlib.import_module("govhall.cases.migrations.0005_caseevent_public_allow_list")
    migration.hide_internal_events(django_apps, None)
    assert not CaseEvent.objects.filter(pk__in=[e.pk for e in old], public=True).exists()
    assert case.events.get(action="receive").public and case.events.get(action="accept").public


def test_internal_events_are_not_public_unless_allow_listed(flow):
    case = case_accept(case=receive(flow), actor=flow.front_desk)
    for event in case.events.all():
        assert event.public == (event.action in ("receive", "accept")), event.action
