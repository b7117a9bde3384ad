"""即办件 in one visit, results (准予/出证, 不予许可, 退件, 作废, 转报) and delivery at a comprehensive window
(MODE-1 综合窗口出件) or by mail."""

from __future__ import annotations

import pytest
import time_machine

from govhall.cases.models import CaseStatus, DeliveryMethod, NoticeKind, ResultKind, StepStatus
from govhall.cases.services import (
    case_accept,
    case_deliver,
    case_finish,
    case_step_pass,
)
from govhall.core.errors import Conflict, Forbidden, ServiceError
from govhall.exchange.models import Notification
from tests.cases.conftest import ID_AGENT, ID_LI, ID_ZHANG, local, receive

pytestmark = pytest.mark.django_db


def test_immediate_case_is_received_accepted_finished_and_delivered_in_one_visit(flow):
    """即办件: one visit, due the same day, finished by the accepting clerk, handed over with ID check."""
    with time_machine.travel(local(2026, 3, 10, 10, 0), tick=False):
        case = receive(flow, matter=flow.immediate)
        case = case_accept(case=case, actor=flow.front_desk)
        assert case.due_at.isoformat().startswith("2026-03-10T23:59:59")
        assert case.current_assignee == flow.front_desk and case.current_step.name == "即办"
        case = case_finish(
            case=case,
            actor=flow.front_desk,
            result=ResultKind.APPROVED,
            certificate_name="残疾人证",
            certificate_no="32068119900307123342",
        )
        case = case_deliver(
            case=case,
            actor=flow.front_desk,
            method=DeliveryMethod.WINDOW,
            collector_name="张三",
            collector_id_number=ID_ZHANG,
        )
    assert case.status == CaseStatus.DELIVERED and not case.finished_overdue
    assert case.accepted_at.date() == case.finished_at.date() == case.delivered_at.date()
    assert list(case.events.values_list("label", flat=True)) == ["收件", "受理", "办结", "送达"]


def _to_last_step(flow, case):
    case = case_accept(case=case, actor=flow.front_desk)
    return case_step_pass(case=case, actor=flow.back_office, opinion="材料属实")


def test_approval_at_the_last_step_with_certificate(flow):
    case = _to_last_step(flow, receive(flow))
    assert case.current_step.name == "审批" and case.current_assignee == flow.approver
    with pytest.raises(Forbidden):
        case_finish(case=case, actor=flow.front_desk, result=ResultKind.APPROVED)
    case = case_finish(
        case=case,
        actor=flow.approver,
        result=ResultKind.APPROVED,
        certificate_no="DB2026-0001",
        valid_to=None,
    )
    assert case.status == CaseStatus.FINISHED and case.result == ResultKind.APPROVED
    assert case.certificate_name == "最低生活保障证"  # from the matter's 结果名称
    assert case.steps.get(name="审批").status == StepStatus.DONE
    assert case.notices.filter(kind=NoticeKind.RESULT).exists()
    assert Notification.objects.filter(related_id=str(case.pk), text__isnull=False).count() >= 2


def test_approval_before_the_last_step_is_refused(flow):
    case = case_accept(case=receive(flow), actor=flow.front_desk)
    with pytest.raises(Conflict) as exc:
        case_finish(case=case, actor=flow.back_office, result=ResultKind.APPROVED)
    assert "不是最后一个环节" in exc.value.message
    with pytest.raises(Conflict):
        case_step_pass(case=_to_last_step(flow, receive(flow)), actor=flow.approver)


def test_denial_needs_a_reason(flow):
    case = case_accept(case=receive(flow), actor=flow.front_desk)
    with pytest.raises(ServiceError):
        case_finish(case=case, actor=flow.back_office, result=ResultKind.DENIED)
    case = case_finish(case=case, actor=flow.back_office, result=ResultKind.DENIED, reason="家庭收入超过标准")
    assert case.result == ResultKind.DENIED and case.status == CaseStatus.FINISHED


def test_referral_names_the_unit_and_needs_no_delivery(flow):
    case = case_accept(case=receive(flow), actor=flow.front_desk)
    case = case_finish(
        case=case,
        actor=flow.back_office,
        result=ResultKind.REFERRED,
        referred_to="南通市民政局",
        reason="需报上级审批",
    )
    assert case.referred_to == "南通市民政局"
    with pytest.raises(Conflict):
        case_deliver(case=case, actor=flow.front_desk, method=DeliveryMethod.MAIL, tracking_no="1")


def test_withdrawal_and_voiding(flow):
    case = receive(flow)
    with pytest.raises(ServiceError):
        case_finish(case=case, actor=flow.front_desk, result=ResultKind.WITHDRAWN)
    case = case_finish(case=case, actor=flow.front_desk, result=ResultKind.WITHDRAWN, reason="申请人撤回申请")
    assert case.result == ResultKind.WITHDRAWN
    other = case_accept(case=receive(flow), actor=flow.front_desk)
    with pytest.raises(Forbidden):
        case_finish(case=other, actor=flow.front_desk, result=ResultKind.VOIDED, reason="重复录入")
    other = case_finish(case=other, actor=flow.director, result=ResultKind.VOIDED, reason="重复录入")
    assert other.result == ResultKind.VOIDED
    assert other.steps.get(name="审核").status == StepStatus.CANCELLED
    with pytest.raises(Conflict) as exc:
        case_finish(case=other, actor=flow.director, result=ResultKind.VOIDED, reason="x")
    assert "已办结" in exc.value.message


def test_window_delivery_checks_the_collectors_id(flow):
    case = case_finish(
        case=_to_last_step(flow, receive(flow)), actor=flow.approver, result=ResultKind.APPROVED
    )
    with pytest.raises(ServiceError) as exc:
        case_deliver(
            case=case,
            actor=flow.front_desk,
            method=DeliveryMethod.WINDOW,
            collector_name="李四",
            collector_id_number=ID_LI,
        )
    assert "不一致" in exc.value.message
    with pytest.raises(ServiceError):
        case_deliver(
            case=case,
            actor=flow.front_desk,
            method=DeliveryMethod.WINDOW,
            collector_name="张三",
            collector_id_number="110101199003071234",
        )
    with pytest.raises(Forbidden):
        case_deliver(
            case=case,
            actor=flow.guide,
            method=DeliveryMethod.WINDOW,
            collector_name="张三",
            collector_id_number=ID_ZHANG,
        )
    case = case_deliver(
        case=case,
        actor=flow.front_desk,
        method=DeliveryMethod.WINDOW,
        collector_name="张三",
        collector_id_number=ID_ZHANG,
    )
    assert case.status == CaseStatus.DELIVERED and case.collector_name == "张三"
    assert case.delivery_centre == flow.town


def test_the_applicants_agent_may_collect(flow):
    case = receive(
        flow, agent={"name": "李四", "id_type": "id_card", "id_number": ID_AGENT, "phone": "13900139000"}
    )
    case = case_finish(case=_to_last_step(flow, case), actor=flow.approver, result=ResultKind.APPROVED)
    case = case_deliver(
        case=case,
        actor=flow.front_desk,
        method=DeliveryMethod.WINDOW,
        collector_name="李四",
        collector_id_number=ID_AGENT,
    )
    assert case.status == CaseStatus.DELIVERED


def test_mail_delivery_needs_a_tracking_number(flow):
    case = case_finish(
        case=_to_last_step(flow, receive(flow)), actor=flow.approver, result=ResultKind.APPROVED
    )
    with pytest.raises(ServiceError) as exc:
        case_deliver(case=case, actor=flow.front_desk, method=DeliveryMethod.MAIL)
    assert "快递单号" in exc.value.message
    case = case_deliver(
        case=case,
        actor=flow.front_desk,
        method=DeliveryMethod.MAIL,
        courier="EMS",
        tracking_no="1189012345678",
    )
    assert case.tracking_no == "1189012345678" and case.mail_address  # the applicant's address by default
    assert Notification.objects.filter(related_id=str(case.pk), template="case.update").count() >= 3


def test_a_village_forwarded_result_can_be_handed_out_at_the_village(flow):
    """MODE-4: the village sees its case through to the end and hands the result over."""
    case = receive(flow, actor=flow.village_clerk)
    case = case_finish(case=_to_last_step(flow, case), actor=flow.approver, result=ResultKind.APPROVED)
    case = case_deliver(
        case=case,
        actor=flow.village_clerk,
        method=DeliveryMethod.WINDOW,
        collector_name="张三",
        collector_id_number=ID_ZHANG,
    )
    assert case.delivery_centre == flow.village
    with pytest.raises(Conflict):
        case_deliver(
            case=case,
            actor=flow.village_clerk,
            method=DeliveryMethod.WINDOW,
            collector_name="张三",
            collector_id_number=ID_ZHANG,
        )
