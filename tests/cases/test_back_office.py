"""后台分类审批 (MODE-1): steps as the matter defines them, each routed to a post of the owning department
(AB角, STD-4), with 通过 / 退回 (front desk or applicant 补正) / 特别程序; 补正 and 特别程序 stop the clock
(STD-3)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from govhall.cases.models import CaseStatus, NoticeKind, StepAction, StepStatus, SuspensionKind
from govhall.cases.services import (
    case_accept,
    case_resubmit,
    case_special_end,
    case_special_start,
    case_step_pass,
    case_step_return,
    case_steps_reroute,
    case_supply,
)
from govhall.core.errors import Conflict, Forbidden, ServiceError
from govhall.staffing.models import Attendance, AttendanceSettings, Leave, LeaveStatus
from tests.cases.conftest import local, material, receive

pytestmark = pytest.mark.django_db


def _accepted(flow, at=None):
    with time_machine.travel(at or local(2026, 3, 10, 9, 0), tick=False):
        return case_accept(case=receive(flow), actor=flow.front_desk)


def test_pass_moves_the_case_to_the_next_post(flow):
    case = _accepted(flow)
    with pytest.raises(Forbidden) as exc:
        case_step_pass(case=case, actor=flow.front_desk)
    assert "民政审核岗" in exc.value.message
    case = case_step_pass(case=case, actor=flow.back_office, opinion="经核实，符合条件")
    review = case.steps.get(name="审核")
    assert review.status == StepStatus.DONE and review.action == StepAction.PASS
    assert (
        review.handler == flow.back_office
        and review.handler_role == "A"
        and review.opinion == "经核实，符合条件"
    )
    assert case.current_step.name == "审批" and case.current_post == flow.approve_post
    assert case.current_assignee == flow.approver


def test_b_may_act_for_the_post_and_is_recorded_as_b(flow):
    case = case_step_pass(case=_accepted(flow), actor=flow.approver)  # 李秀梅 is B of 审核岗
    assert case.steps.get(name="审核").handler_role == "B"


def test_a_on_leave_sends_the_step_to_b_with_the_reason(flow):
    """STD-4: A (张海峰) is on recorded leave; the 审核 step goes to B (李秀梅) and the record says why."""
    Leave.objects.create(
        staff=flow.back_office,
        centre=flow.town,
        kind="annual",
        start_at=local(2026, 3, 9, 0, 0),
        end_at=local(2026, 3, 13, 23, 0),
        reason="年休",
        status=LeaveStatus.APPROVED,
    )
    case = _accepted(flow)
    step = case.steps.get(name="审核")
    assert step.assignee == flow.approver and step.assignee_role == "B"
    assert "请假" in step.route_reason and "B角" in step.route_reason
    assert case.current_assignee == flow.approver


def test_reroute_moves_pending_steps_when_a_goes_away(flow):
    """STD-4: A did not sign in by the deadline → the periodic re-routing hands the work to B."""
    case = _accepted(flow, at=local(2026, 3, 10, 8, 0))
    settings = AttendanceSettings.objects.get(centre=flow.town)
    settings.sign_in_deadline = dt.time(8, 45)
    settings.save()
    Attendance.objects.create(
        staff=flow.approver, centre=flow.town, date=dt.date(2026, 3, 10), sign_in_at=local(2026, 3, 10, 8, 20)
    )
    assert case_steps_reroute(now=local(2026, 3, 10, 8, 30)) == 0
    assert case_steps_reroute(now=local(2026, 3, 10, 9, 0)) == 1
    case.refresh_from_db()
    step = case.steps.get(name="审核")
    assert (
        case.current_assignee == flow.approver and step.assignee_role == "B" and "签到" in step.route_reason
    )
    assert case.events.filter(action="reroute").exists()
    Attendance.objects.create(
        staff=flow.back_office,
        centre=flow.town,
        date=dt.date(2026, 3, 10),
        sign_in_at=local(2026, 3, 10, 9, 10),
    )
    assert case_steps_reroute(now=local(2026, 3, 10, 9, 15)) == 1
    case.refresh_from_db()
    assert case.current_assignee == flow.back_office


def test_return_to_the_front_desk_and_resubmit(flow):
    case = _accepted(flow)
    with pytest.raises(ServiceError):
        case_step_return(case=case, actor=flow.back_office, to="front", reason="")
    case = case_step_return(case=case, actor=flow.back_office, to="front", reason="申请表签名不清，请核对")
    assert case.status == CaseStatus.RETURNED and case.current_assignee == flow.front_desk
    assert case.current_step.name == "前台复核"
    with pytest.raises(Conflict) as exc:
        case_step_pass(case=case, actor=flow.back_office)
    assert "退回前台" in exc.value.message
    case = case_resubmit(case=case, actor=flow.front_desk, opinion="已由申请人重新签名")
    assert case.status == CaseStatus.PROCESSING and case.current_step.name == "审核"
    assert case.current_assignee == flow.back_office
    assert [s.name for s in case.steps.order_by("seq")] == ["受理", "审核", "前台复核", "审核"]


def test_return_to_the_applicant_stops_the_clock_until_the_materials_are_in(flow):
    """STD-3, STD-2: 退回补正 with a one-time notice; the clock stops and restarts, the deadline moves out."""
    case = _accepted(flow)  # Tue 10 Mar, due 24 Mar
    income = material(case, "家庭收入情况证明")
    with time_machine.travel(local(2026, 3, 12, 10, 0), tick=False):
        case = case_step_return(
            case=case,
            actor=flow.back_office,
            to="applicant",
            reason="收入证明需补正",
            items=[{"id": income.pk, "problem": "wrong", "reason": "缺少单位盖章"}],
        )
    assert case.status == CaseStatus.SUSPENDED and case.current_assignee is None
    assert case.notices.filter(kind=NoticeKind.CORRECTION).count() == 1
    stop = case.suspensions.get()
    assert stop.kind == SuspensionKind.CORRECTION and stop.materials == [income.pk]
    with time_machine.travel(local(2026, 3, 19, 15, 0), tick=False):  # 5 working days later (13,16,17,18,19)
        case = case_supply(case=case, actor=flow.front_desk, material_ids=[income.pk])
    assert case.status == CaseStatus.PROCESSING
    assert case.paused_days == 5 and case.due_at.date() == dt.date(2026, 3, 31)
    stop.refresh_from_db()
    assert stop.working_days == 5 and stop.ended_at is not None
    assert case.current_step.name == "审核" and case.current_assignee == flow.back_office


def test_special_procedure_stops_the_clock_with_reason_start_end_and_result(flow):
    case = _accepted(flow)
    with pytest.raises(ServiceError) as exc:
        case_special_start(case=case, actor=flow.back_office, procedure="hearing", reason="需要听证")
    assert "不含「听证」" in exc.value.message
    with time_machine.travel(local(2026, 3, 11, 10, 0), tick=False):
        case = case_special_start(case=case, actor=flow.back_office, procedure="publicity", reason="公示7日")
    assert case.status == CaseStatus.SUSPENDED and case.current_assignee == flow.back_office
    with pytest.raises(Conflict):
        case_step_pass(case=case, actor=flow.back_office)
    with pytest.raises(ServiceError):
        case_special_end(case=case, actor=flow.back_office, result="")
    with time_machine.travel(local(2026, 3, 20, 10, 0), tick=False):  # 12,13,16,17,18,19,20: 7 working days
        case = case_special_end(case=case, actor=flow.back_office, result="公示无异议")
    stop = case.suspensions.get()
    assert (stop.kind, stop.procedure, stop.working_days, stop.result) == (
        SuspensionKind.SPECIAL,
        "publicity",
        7,
        "公示：公示无异议",
    )
    assert case.due_at.date() == dt.date(2026, 4, 2)
    assert case.status == CaseStatus.PROCESSING
    labels = list(case.events.values_list("label", flat=True))
    assert "特别程序：公示" in labels and "恢复计时" in labels


def test_extension_is_always_available_and_a_second_stop_is_refused(flow):
    case = case_special_start(
        case=_accepted(flow), actor=flow.back_office, procedure="extension", reason="情况复杂"
    )
    with pytest.raises(Conflict):
        case_special_start(case=case, actor=flow.back_office, procedure="publicity", reason="x")


def test_api_pass_return_and_special(client, flow):
    from tests.conftest import login

    case = _accepted(flow)
    login(client, flow.front_desk)
    assert (
        client.post(f"/api/v1/cases/{case.pk}/pass", {}, content_type="application/json").status_code == 403
    )
    login(client, flow.back_office)
    response = client.post(
        f"/api/v1/cases/{case.pk}/special/start",
        {"procedure": "site_survey", "reason": "需现场核实居住情况"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    response = client.post(
        f"/api/v1/cases/{case.pk}/special/end", {"result": "情况属实"}, content_type="application/json"
    )
    assert response.json()["status"] == "processing"
    response = client.post(
        f"/api/v1/cases/{case.pk}/pass", {"opinion": "同意"}, content_type="application/json"
    )
    assert response.json()["current_step"] == "审批"
    response = client.post(
        f"/api/v1/cases/{case.pk}/return", {"to": "nowhere", "reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 400 and "退回对象" in response.json()["message"]


def test_steps_and_notices_are_numbered_in_order_within_the_case(flow):
    """Issue 15: the next step's number and a notice's serial are counted in the statement that writes them."""
    case = _accepted(flow)
    income = material(case, "家庭收入情况证明")
    item = {"id": income.pk, "problem": "wrong", "reason": "缺少单位盖章"}
    for returned, supplied in ((12, 13), (16, 17)):
        with time_machine.travel(local(2026, 3, returned, 10, 0), tick=False):
            case = case_step_return(
                case=case, actor=flow.back_office, to="applicant", reason="收入证明需补正", items=[item]
            )
        with time_machine.travel(local(2026, 3, supplied, 10, 0), tick=False):
            case = case_supply(case=case, actor=flow.front_desk, material_ids=[income.pk])
    corrections = case.notices.filter(kind=NoticeKind.CORRECTION).order_by("pk")
    assert [n.serial for n in corrections] == [f"GZ-{case.number}-1", f"GZ-{case.number}-2"]
    assert case.notices.get(kind=NoticeKind.ACCEPT).serial == f"SL-{case.number}-1"
    assert list(case.steps.order_by("pk").values_list("seq", "name")) == [
        (1, "受理"),
        (2, "审核"),
        (3, "审核"),
        (4, "审核"),
    ]
    assert case.current_step.seq == 4  # read from the row on first use
