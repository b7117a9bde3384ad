"""容缺受理 (MODE-3) and 告知承诺 (MODE-2): only materials the matter allows, a signed commitment, a
deadline not after the promised completion, the result withheld until the materials are in, a missed
deadline → suspension → 退件; a false promise → stopped or revoked and a credit flag that bars both."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from govhall.cases.models import (
    ApplicantCredit,
    CaseStatus,
    CheckStatus,
    DeliveryMethod,
    MaterialStatus,
    NoticeKind,
    ResultKind,
    SuspensionKind,
)
from govhall.cases.services import (
    case_accept,
    case_commitment_check,
    case_deliver,
    case_finish,
    case_step_pass,
    case_supply,
    cases_scan_rongque,
    credit_repair,
)
from govhall.core.documents import pdf_text
from govhall.core.errors import Conflict, Forbidden, ServiceError
from tests.cases.conftest import ID_ZHANG, applicant, local, material, receive

pytestmark = pytest.mark.django_db


def _rongque(flow, **kwargs):
    case = receive(flow, missing=("居民户口簿",))
    return case_accept(
        case=case,
        actor=flow.front_desk,
        rongque_material_ids=[material(case, "居民户口簿").pk],
        rongque_signed=True,
        **kwargs,
    )


def test_rongque_acceptance_lists_what_is_missing_and_the_deadline(flow):
    """MODE-3: 容缺受理通知书 with the missing material and a deadline within the promised time."""
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        case = _rongque(flow)
    assert case.status == CaseStatus.PROCESSING and case.rongque_pending and case.result_withheld
    assert case.rongque_deadline.date() == dt.date(2026, 3, 17)  # 5 working days (matter setting)
    assert case.rongque_deadline <= case.due_at
    assert material(case, "居民户口簿").status == MaterialStatus.RONGQUE
    from govhall.cases.documents import notice_pdf

    text = pdf_text(notice_pdf(case.notices.get(kind=NoticeKind.RONGQUE)))
    assert (
        "容缺受理通知书" in text and "居民户口簿" in text and "2026年03月17日" in text and "暂不发放" in text
    )


def test_rongque_is_only_for_rongque_materials_and_needs_the_signed_commitment(flow):
    case = receive(flow, missing=("申请人居民身份证", "居民户口簿"))
    with pytest.raises(ServiceError) as exc:
        case_accept(
            case=case,
            actor=flow.front_desk,
            rongque_signed=True,
            rongque_material_ids=[material(case, "申请人居民身份证").pk, material(case, "居民户口簿").pk],
        )
    assert "不是可容缺材料" in exc.value.message
    case = receive(flow, missing=("居民户口簿",))
    with pytest.raises(ServiceError) as exc:
        case_accept(case=case, actor=flow.front_desk, rongque_material_ids=[material(case, "居民户口簿").pk])
    assert "容缺受理承诺书" in exc.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED and not case.rongque_pending


def test_rongque_deadline_may_not_pass_the_promised_completion(flow):
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        case = receive(flow, missing=("居民户口簿",))
        with pytest.raises(ServiceError) as exc:
            case_accept(
                case=case,
                actor=flow.front_desk,
                rongque_material_ids=[material(case, "居民户口簿").pk],
                rongque_signed=True,
                rongque_deadline=dt.date(2026, 4, 30),
            )
    assert "不能晚于承诺办结时间" in exc.value.message


def test_withheld_result_cannot_be_handed_out_until_the_materials_arrive(flow):
    """MODE-3: review goes on; the result is withheld until the missing material is in."""
    case = _rongque(flow)
    case = case_step_pass(case=case, actor=flow.back_office)
    case = case_finish(case=case, actor=flow.approver, result=ResultKind.APPROVED, certificate_no="DB-1")
    assert case.status == CaseStatus.FINISHED and case.result_withheld
    with pytest.raises(Conflict) as exc:
        case_deliver(
            case=case,
            actor=flow.front_desk,
            method=DeliveryMethod.WINDOW,
            collector_name="张三",
            collector_id_number=ID_ZHANG,
        )
    assert "暂扣" in exc.value.message
    case = case_supply(case=case, actor=flow.front_desk, material_ids=[material(case, "居民户口簿").pk])
    assert not case.result_withheld
    case = case_deliver(
        case=case,
        actor=flow.front_desk,
        method=DeliveryMethod.WINDOW,
        collector_name="张三",
        collector_id_number=ID_ZHANG,
    )
    assert case.status == CaseStatus.DELIVERED


def test_missed_rongque_deadline_suspends_then_returns_the_case(flow):
    """MODE-3: deadline missed → suspended (clock stopped); 15 working days later still missing → 退件."""
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        case = _rongque(flow)
    with time_machine.travel(local(2026, 3, 17, 18, 0), tick=False):
        assert cases_scan_rongque() == {"suspended": 0, "returned": 0}  # the deadline is the end of the day
    with time_machine.travel(local(2026, 3, 18, 8, 0), tick=False):
        assert cases_scan_rongque() == {"suspended": 1, "returned": 0}
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED
    assert case.suspensions.get(ended_at__isnull=True).kind == SuspensionKind.RONGQUE
    assert case.rongque_return_at.date() == dt.date(
        2026, 4, 8
    )  # 15 working days after 17 Mar (清明 4–6 Apr off)
    with time_machine.travel(local(2026, 4, 8, 20, 0), tick=False):
        assert cases_scan_rongque()["returned"] == 0
    with time_machine.travel(local(2026, 4, 9, 8, 0), tick=False):
        assert cases_scan_rongque() == {"suspended": 0, "returned": 1}
    case.refresh_from_db()
    assert case.status == CaseStatus.FINISHED and case.result == ResultKind.WITHDRAWN
    assert "逾期未补齐" in case.result_reason and case.finished_by is None


def test_supplying_during_the_suspension_resumes_with_the_clock_extended(flow):
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        case = _rongque(flow)
        due = case.due_at
    with time_machine.travel(local(2026, 3, 18, 8, 0), tick=False):
        cases_scan_rongque()
    with time_machine.travel(local(2026, 3, 20, 10, 0), tick=False):  # Fri: 18→20 Mar is 2 working days
        case = case_supply(case=case, actor=flow.front_desk, material_ids=[material(case, "居民户口簿").pk])
    assert case.status == CaseStatus.PROCESSING and not case.rongque_pending
    assert (
        case.paused_days == 2
        and case.due_at.date() == dt.date(2026, 3, 26)
        and due.date() == dt.date(2026, 3, 24)
    )


def _commitment(flow, **kwargs):
    case = receive(flow, missing=("家庭收入情况证明",), **kwargs)
    return case_accept(
        case=case,
        actor=flow.front_desk,
        commitment_signed=True,
        commitment_material_ids=[material(case, "家庭收入情况证明").pk],
    )


def test_commitment_replaces_the_proof_and_records_the_check_plan(flow):
    """MODE-2: the signed 告知承诺书 replaces the proof; the check plan is the matter's."""
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        case = _commitment(flow)
    check = case.commitment_check
    assert case.uses_commitment and check.replaced == ["家庭收入情况证明"]
    assert check.method == "site" and check.status == CheckStatus.PLANNED
    assert check.due_at.date() == dt.date(2026, 4, 8)  # 20 working days
    assert material(case, "家庭收入情况证明").status == MaterialStatus.COMMITMENT
    from govhall.cases.documents import notice_pdf

    text = pdf_text(notice_pdf(case.notices.get(kind=NoticeKind.ACCEPT)))
    assert "告知承诺书代替" in text and "家庭收入情况证明" in text


def test_commitment_only_for_allowed_materials_and_signed(flow):
    case = receive(flow, missing=("申请人居民身份证",))
    with pytest.raises(ServiceError) as exc:
        case_accept(
            case=case,
            actor=flow.front_desk,
            commitment_signed=True,
            commitment_material_ids=[material(case, "申请人居民身份证").pk],
        )
    assert "不可告知承诺" in exc.value.message
    case = receive(flow, missing=("家庭收入情况证明",))
    with pytest.raises(ServiceError) as exc:
        case_accept(
            case=case, actor=flow.front_desk, commitment_material_ids=[material(case, "家庭收入情况证明").pk]
        )
    assert "告知承诺书" in exc.value.message


def test_false_promise_stops_the_case_and_the_flag_bars_the_next_commitment_and_rongque(flow):
    """MODE-2: a failed check stops the open case (不予许可), flags the applicant's credit, and the flag bars
    告知承诺 and 容缺 on the next application until the bureau repairs it."""
    case = _commitment(flow)
    with pytest.raises(Forbidden):
        case_commitment_check(case=case, actor=flow.guide, passed=False, note="x")
    case = case_commitment_check(
        case=case, actor=flow.back_office, passed=False, note="实地核查发现有经营收入"
    )
    assert case.status == CaseStatus.FINISHED and case.result == ResultKind.DENIED
    assert case.commitment_check.status == CheckStatus.FAILED
    credit = ApplicantCredit.objects.get(id_digest=case.applicant_id_digest)
    assert credit.case == case and credit.repaired_at is None
    assert case.steps.filter(status="pending").count() == 0

    with pytest.raises(ServiceError) as exc:
        _commitment(flow)
    assert exc.value.code == "bad_credit" and "失信" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        _rongque(flow)
    assert exc.value.code == "bad_credit"
    # another applicant is not affected
    assert _commitment(flow, applicant=applicant(name="李四", id_number="320681198805120029")).uses_commitment

    with pytest.raises(Forbidden):
        credit_repair(credit=credit, actor=flow.director, note="已整改")
    credit_repair(credit=credit, actor=flow.bureau_admin, note="信用修复申请已核准")
    assert _commitment(flow).uses_commitment


def test_false_promise_after_approval_revokes_the_decision(flow):
    case = case_step_pass(case=_commitment(flow), actor=flow.back_office)
    case = case_finish(case=case, actor=flow.approver, result=ResultKind.APPROVED)
    case = case_commitment_check(case=case, actor=flow.approver, passed=False, note="收入证明事项不实")
    assert case.status == CaseStatus.REVOKED and case.revoked_at is not None
    assert ApplicantCredit.objects.filter(case=case).exists()
    with pytest.raises(Conflict):
        case_commitment_check(case=case, actor=flow.approver, passed=True, note="again")


def test_passed_check_changes_nothing_else(flow):
    case = case_commitment_check(case=_commitment(flow), actor=flow.back_office, passed=True, note="核查属实")
    assert case.status == CaseStatus.PROCESSING and case.commitment_check.status == CheckStatus.PASSED
    assert not ApplicantCredit.objects.exists()
