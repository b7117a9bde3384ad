"""受理 / 不予受理 / 补正 at the front desk: dated notices with the centre's seal (ORG-4), one-time
notification of every missing material (STD-2), the promised completion time in working days (STD-3),
and the first back-office step routed to its AB post (MODE-1, STD-4)."""

from __future__ import annotations

import pytest
import time_machine
from django.utils.timezone import localtime

from govhall.cases.models import Case, CaseNotice, CaseStatus, MaterialStatus, NoticeKind, StepStatus
from govhall.cases.services import case_accept, case_reject, case_request_correction, case_supply
from govhall.catalog.models import NotificationSheet
from govhall.core.audit import AuditEntry
from govhall.core.documents import docx_text, pdf_text
from govhall.core.errors import Conflict, Forbidden, ServiceError
from govhall.exchange.models import Notification
from tests.cases.conftest import local, material, receive
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_accepting_a_complete_case_starts_the_clock_and_routes_the_first_step(flow):
    """STD-3, STD-4, MODE-1: due in 10 working days; 审核 goes to the 民政审核岗's A."""
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        case = receive(flow)
        case = case_accept(case=case, actor=flow.front_desk)
    assert case.status == CaseStatus.PROCESSING
    assert case.accepted_at == local(2026, 3, 10, 9, 0) and case.accepted_by == flow.front_desk
    assert localtime(case.due_at).date().isoformat() == "2026-03-24"  # 10 working days after Tue 10 March
    steps = list(case.steps.order_by("seq"))
    assert [(s.name, s.status) for s in steps] == [("受理", StepStatus.DONE), ("审核", StepStatus.PENDING)]
    assert steps[1].post == flow.review_post and steps[1].assignee == flow.back_office
    assert steps[1].assignee_role == "A" and "A角" in steps[1].route_reason
    assert case.current_assignee == flow.back_office
    assert case.notices.filter(kind=NoticeKind.ACCEPT).count() == 1
    assert Notification.objects.filter(related_type="cases.case", related_id=str(case.pk)).exists()
    assert AuditEntry.objects.filter(action="case.accept", object_id=str(case.pk)).exists()


def test_promised_case_across_the_2026_national_day_holiday(flow):
    """STD-3: accepted Mon 28 Sep 2026; 1–7 Oct off, Sat 10 Oct a make-up working day → due 16 Oct."""
    with time_machine.travel(local(2026, 9, 28, 10, 0), tick=False):
        case = case_accept(case=receive(flow), actor=flow.front_desk)
    assert localtime(case.due_at).isoformat().startswith("2026-10-16T23:59:59")
    # yellow share 0.25 of 10 → warned once fewer than 3 working days remain: after Tue 13 Oct
    assert case.warn_at.isoformat().startswith("2026-10-13T23:59:59")


def test_a_deadline_past_the_known_years_is_accepted_as_provisional(flow):
    """STD-3: accepted late in Dec 2026, the deadline falls in 2027, whose holidays nobody has entered: the
    case is accepted with a provisional (暂定) date counted Monday–Friday, and says so."""
    with time_machine.travel(local(2026, 12, 28, 10, 0), tick=False):
        case = case_accept(case=receive(flow), actor=flow.front_desk)
    case.refresh_from_db()
    assert case.status == CaseStatus.PROCESSING
    # Dec 29, 30, 31 give 3; then Fri 1 Jan (guessed working), 4–8 and 11 Jan → 10 working days.
    assert localtime(case.due_at).isoformat().startswith("2027-01-11T23:59:59") and case.due_waits_for == 2027
    accepted = case.events.get(action="accept")
    assert "（暂定）" in accepted.detail and "2027年节假日安排公布后将重新核定" in accepted.detail


def test_incomplete_materials_are_refused_naming_them(flow):
    case = receive(flow, missing=("居民户口簿", "近期免冠照片"))
    with pytest.raises(ServiceError) as exc:
        case_accept(case=case, actor=flow.front_desk)
    assert (
        "居民户口簿" in exc.value.message and "近期免冠照片" not in exc.value.message
    )  # the photo is optional
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED and case.steps.count() == 0


def test_an_action_in_the_wrong_state_names_the_current_state(flow):
    case = case_accept(case=receive(flow), actor=flow.front_desk)
    with pytest.raises(Conflict) as exc:
        case_accept(case=case, actor=flow.front_desk)
    assert "办理中" in exc.value.message and case.number in exc.value.message
    with pytest.raises(Conflict) as exc:
        case_reject(case=case, actor=flow.front_desk, reason="x")
    assert "当前状态为「办理中」" in exc.value.message


def test_accept_without_a_post_for_the_department_is_refused(flow):
    """STD-4: no step is ever left with nobody."""
    flow.review_post.is_active = flow.approve_post.is_active = False
    flow.review_post.save()
    flow.approve_post.save()
    case = receive(flow)
    with pytest.raises(Conflict) as exc:
        case_accept(case=case, actor=flow.front_desk)
    assert "岗位" in exc.value.message
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RECEIVED


def test_reject_needs_a_reason_and_issues_a_notice(flow):
    case = receive(flow)
    with pytest.raises(ServiceError):
        case_reject(case=case, actor=flow.front_desk, reason="  ")
    case = case_reject(case=case, actor=flow.front_desk, reason="申请人不符合本地户籍条件")
    assert case.status == CaseStatus.NOT_ACCEPTED
    notice = case.notices.get(kind=NoticeKind.REJECT)
    from govhall.cases.documents import notice_pdf

    text = pdf_text(notice_pdf(notice))
    assert "不予受理通知书" in text and "申请人不符合本地户籍条件" in text and case.number in text


def test_one_time_notice_lists_everything_and_supply_returns_to_the_desk(flow):
    """STD-2: one sheet, every missing or wrong material, then the applicant brings them."""
    case = receive(flow, missing=("居民户口簿", "家庭收入情况证明"))
    hukou, income = material(case, "居民户口簿"), material(case, "家庭收入情况证明")
    case = case_request_correction(
        case=case,
        actor=flow.front_desk,
        items=[
            {"id": hukou.pk, "problem": "missing", "reason": "请提供户口簿原件"},
            {"id": income.pk, "problem": "wrong", "reason": "收入证明未盖章"},
        ],
    )
    assert case.status == CaseStatus.CORRECTION
    sheet = NotificationSheet.objects.get(case_id=case.pk)
    assert sheet.case_no == case.number and sheet.items.count() == 2
    notice = case.notices.get(kind=NoticeKind.CORRECTION)
    from govhall.cases.documents import notice_pdf

    text = pdf_text(notice_pdf(notice))
    assert (
        "一次性告知" in text
        and "收入证明未盖章" in text
        and case.number in text
        and case.query_password in text
    )
    assert material(case, "家庭收入情况证明").status == MaterialStatus.WRONG
    with pytest.raises(Conflict):
        case_accept(case=case, actor=flow.front_desk)
    case = case_supply(case=case, actor=flow.front_desk, material_ids=[hukou.pk, income.pk])
    assert case.status == CaseStatus.RECEIVED
    case = case_accept(case=case, actor=flow.front_desk)
    assert case.status == CaseStatus.PROCESSING


def test_correction_needs_items(flow):
    case = receive(flow)
    with pytest.raises(ServiceError) as exc:
        case_request_correction(case=case, actor=flow.front_desk, items=[])
    assert "一次性" in exc.value.message
    assert NotificationSheet.objects.count() == 0


def test_village_clerk_forwards_but_the_town_accepts(flow):
    """MODE-4, ORG-4: the town centre's seal accepts a village-forwarded case."""
    case = receive(flow, actor=flow.village_clerk)
    with pytest.raises(Forbidden):
        case_accept(case=case, actor=flow.village_clerk)
    case = case_accept(case=case, actor=flow.front_desk)
    notice = case.notices.get(kind=NoticeKind.ACCEPT)
    assert notice.payload["centre"] == flow.town.name
    assert notice.payload["received_centre"] == flow.village.name


def test_accept_notice_carries_centre_seal_number_qr_and_password(client, flow):
    """ORG-4: 受理通知书 as PDF and DOCX through the access-checked page and API."""
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        case = case_accept(case=receive(flow), actor=flow.front_desk)
    notice = case.notices.get(kind=NoticeKind.ACCEPT)
    login(client, flow.front_desk)
    pdf = client.get(f"/cases/{case.pk}/notices/{notice.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for part in (
        "受理通知书",
        flow.town.name + "（盖章）",
        case.number,
        case.query_password,
        "2026年3月10日",
        "/portal/track/?no=" + case.number,
    ):
        assert part in text, part
    docx = client.get(f"/api/v1/cases/{case.pk}/notices/{notice.pk}/docx")
    assert docx.status_code == 200
    dtext = docx_text(docx.content)
    assert case.number in dtext and flow.town.name + "（盖章）" in dtext
    import io

    from pypdf import PdfReader

    assert any(page.images for page in PdfReader(io.BytesIO(pdf.content)).pages)  # the QR code


def test_accept_api_happy_path_and_refusals(client, flow):
    case = receive(flow, missing=("居民户口簿",))
    login(client, flow.guide)
    assert (
        client.post(f"/api/v1/cases/{case.pk}/accept", {}, content_type="application/json").status_code == 403
    )
    login(client, flow.front_desk)
    response = client.post(f"/api/v1/cases/{case.pk}/accept", {}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "materials_incomplete"
    hukou = material(case, "居民户口簿")
    client.post(
        f"/api/v1/cases/{case.pk}/materials",
        {"materials": [{"material_id": hukou.material_id, "status": "received"}]},
        content_type="application/json",
    )
    response = client.post(f"/api/v1/cases/{case.pk}/accept", {}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["status"] == "processing"
        and body["current_step"] == "审核"
        and body["assignee"] == str(flow.back_office)
    )
    assert [n["kind"] for n in body["notices"]] == ["accept"]
    detail = client.get(f"/api/v1/cases/{case.pk}").json()
    assert [s["name"] for s in detail["steps"]] == ["受理", "审核"] and detail["timeline"][0][
        "label"
    ] == "收件"
    assert CaseNotice.objects.filter(case=case).count() == 1
