"""Staffing API at /api/v1/staffing/: enquiries (STD-1), attendance and leave (STD-7), the roster and a
post's current handler (STD-4), assessment results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from govhall.accounts.selectors import active_user, user_by_id
from govhall.catalog.selectors import matter_by_code
from govhall.core.api_params import DateTime, Id, Mapped, Month, Year, paged
from govhall.core.errors import NotFound, field_error
from govhall.core.middleware import client_ip
from govhall.orgs.policy import access_centre
from govhall.staffing import selectors, services
from govhall.staffing.models import Attendance, Enquiry, EnquiryStatus, Leave, LeaveStatus
from govhall.staffing.policy import (
    access_assessment_result,
    access_enquiry,
    access_leave,
    assessment_results_visible_to,
    attendance_visible_to,
    can_see_centre_roster,
    leaves_visible_to,
)
from govhall.staffing.selectors import enquiries_for_list, pending_enquiries_for, roster_for

router = Router(tags=["人员管理"])


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return _as_aware(value) if value is not None else None


def _as_aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


# --- schemas ------------------------------------------------------------------------------------


class StaffOut(Schema):
    id: int
    name: str
    staff_no: str | None


def _staff(user: Any) -> StaffOut:
    return StaffOut(id=user.pk, name=user.display_name, staff_no=user.staff_no)


def _staff_or_none(user: Any) -> StaffOut | None:
    return _staff(user) if user is not None else None


class EnquiryOut(Schema):
    id: int
    centre_id: int
    centre: str
    first_staff: StaffOut
    channel: str
    asker_name: str  # masked
    asker_phone: str  # masked
    matter_code: str | None
    question: str
    answer: str
    status: str
    status_label: str
    created_at: dt.datetime
    handed_to: StaffOut | None
    handed_at: dt.datetime | None
    handover_note: str
    answered_by: StaffOut | None
    answered_at: dt.datetime | None
    converted_case_number: str


def _enquiry_out(e: Enquiry) -> EnquiryOut:
    return EnquiryOut(
        id=e.pk,
        centre_id=e.centre_id,
        centre=e.centre.name,
        first_staff=_staff(e.first_staff),
        channel=e.channel,
        asker_name=e.asker_name_masked,
        asker_phone=e.asker_phone_masked,
        matter_code=e.matter.code if e.matter is not None else None,
        question=e.question,
        answer=e.answer,
        status=e.status,
        status_label=e.get_status_display(),
        created_at=e.created_at,
        handed_to=_staff_or_none(e.handed_to),
        handed_at=e.handed_at,
        handover_note=e.handover_note,
        answered_by=_staff_or_none(e.answered_by),
        answered_at=e.answered_at,
        converted_case_number=e.converted_case_number,
    )


class EnquiryIn(Schema):
    question: str
    channel: str = "on_site"
    asker_name: str = ""
    asker_phone: str = ""
    matter_code: str = ""
    answer: str = ""


class EnquiryAnswerIn(Schema):
    answer: str


class HandOverIn(Schema):
    to_user_id: Id
    note: str = ""


class ContactOut(Schema):
    asker_name: str
    asker_phone: str


class AttendanceOut(Schema):
    id: int
    staff: StaffOut
    centre_id: int
    date: dt.date
    sign_in_at: dt.datetime
    sign_in_ip: str
    sign_out_at: dt.datetime | None
    sign_out_ip: str
    late: bool


def _attendance_out(a: Attendance) -> AttendanceOut:
    return AttendanceOut(
        id=a.pk,
        staff=_staff(a.staff),
        centre_id=a.centre_id,
        date=a.date,
        sign_in_at=a.sign_in_at,
        sign_in_ip=a.sign_in_ip,
        sign_out_at=a.sign_out_at,
        sign_out_ip=a.sign_out_ip,
        late=a.is_late,
    )


class LeaveIn(Schema):
    kind: str
    start_at: DateTime
    end_at: DateTime
    reason: str
    staff_id: Id | None = None  # a director recording leave for a staff member of their centre


class LeaveDecisionIn(Schema):
    note: str = ""


class LeaveOut(Schema):
    id: int
    staff: StaffOut
    centre_id: int
    kind: str
    kind_label: str
    start_at: dt.datetime
    end_at: dt.datetime
    reason: str
    status: str
    status_label: str
    requested_at: dt.datetime
    approved_by: StaffOut | None
    decided_at: dt.datetime | None
    decision_note: str


def _leave_out(lv: Leave) -> LeaveOut:
    return LeaveOut(
        id=lv.pk,
        staff=_staff(lv.staff),
        centre_id=lv.centre_id,
        kind=lv.kind,
        kind_label=lv.get_kind_display(),
        start_at=lv.start_at,
        end_at=lv.end_at,
        reason=lv.reason,
        status=lv.status,
        status_label=lv.get_status_display(),
        requested_at=lv.requested_at,
        approved_by=_staff_or_none(lv.approved_by),
        decided_at=lv.decided_at,
        decision_note=lv.decision_note,
    )


class HandlerOut(Schema):
    post_id: int
    post: str
    user: StaffOut
    role: str
    reason: str


class RosterRowOut(HandlerOut):
    window_number: int | None
    a_staff: StaffOut
    a_status: str
    b_staff: StaffOut
    b_status: str


class AbsentOut(Schema):
    staff: StaffOut
    reason: str


class RosterOut(Schema):
    centre_id: int
    centre: str
    at: dt.datetime
    posts: list[RosterRowOut]
    absent: list[AbsentOut]


class IndicatorLineOut(Schema):
    code: str
    label: str
    weight: str
    score: str | None
    value: str


class AssessmentResultOut(Schema):
    id: int
    scheme: str
    staff: StaffOut
    centre: str
    month: dt.date
    indicator_score: str
    manual_points: str
    total: str
    indicators: list[IndicatorLineOut]
    manual: list[dict[str, str]]


# --- enquiries ----------------------------------------------------------------------------------


@router.get("/enquiries", response=list[EnquiryOut], summary="可见的首问记录")
@paged
def list_enquiries(
    request: HttpRequest, status: str | None = None, centre_id: Id | None = None, mine: bool = False
) -> Any:
    if status and status not in EnquiryStatus.values:
        raise field_error("status", "状态无效，应为 open/answered/handed_over/converted。")
    qs = enquiries_for_list(request.user, status=status, centre_id=centre_id, mine=mine)
    return Mapped(qs, _enquiry_out)


@router.get("/enquiries/pending", response=list[EnquiryOut], summary="我的待处理首问（答复或转交前保留）")
@paged
def my_pending_enquiries(request: HttpRequest) -> Any:
    return Mapped(pending_enquiries_for(request.user).select_related("centre", "answered_by"), _enquiry_out)


@router.post("/enquiries", response={201: EnquiryOut}, summary="登记首问")
def create_enquiry(request: HttpRequest, payload: EnquiryIn) -> Status[EnquiryOut]:
    matter = None
    if payload.matter_code.strip():
        matter = matter_by_code(payload.matter_code.strip())
        if matter is None:
            raise field_error("matter_code", "未找到该实施编码对应的事项。")
    enquiry = services.enquiry_create(
        staff=request.user,
        question=payload.question,
        asker_name=payload.asker_name,
        asker_phone=payload.asker_phone,
        matter=matter,
        channel=payload.channel,
        answer=payload.answer,
    )
    return Status(201, _enquiry_out(access_enquiry(request.user, enquiry.pk)))


@router.get("/enquiries/{enquiry_id}", response=EnquiryOut, summary="首问详情")
def get_enquiry(request: HttpRequest, enquiry_id: Id) -> EnquiryOut:
    return _enquiry_out(access_enquiry(request.user, enquiry_id))


@router.post("/enquiries/{enquiry_id}/answer", response=EnquiryOut, summary="答复首问")
def answer_enquiry(request: HttpRequest, enquiry_id: Id, payload: EnquiryAnswerIn) -> EnquiryOut:
    enquiry = access_enquiry(request.user, enquiry_id)
    services.enquiry_answer(enquiry=enquiry, actor=request.user, answer=payload.answer)
    return _enquiry_out(access_enquiry(request.user, enquiry_id))


@router.post("/enquiries/{enquiry_id}/hand-over", response=EnquiryOut, summary="转交给指定同事")
def hand_over_enquiry(request: HttpRequest, enquiry_id: Id, payload: HandOverIn) -> EnquiryOut:
    enquiry = access_enquiry(request.user, enquiry_id)
    to = user_by_id(payload.to_user_id)
    if to is None:
        raise field_error("to", "未找到接收人。")
    services.enquiry_hand_over(enquiry=enquiry, actor=request.user, to=to, note=payload.note)
    return _enquiry_out(access_enquiry(request.user, enquiry_id))


@router.post(
    "/enquiries/{enquiry_id}/contact", response=ContactOut, summary="查看咨询人完整姓名和电话（留痕）"
)
def reveal_enquiry_contact(request: HttpRequest, enquiry_id: Id) -> ContactOut:
    enquiry = access_enquiry(request.user, enquiry_id)
    return ContactOut(**services.enquiry_reveal_contact(enquiry=enquiry, actor=request.user))


# --- attendance ---------------------------------------------------------------------------------


@router.post("/attendance/sign-in", response={201: AttendanceOut}, summary="签到（记录时间和地址）")
def sign_in(request: HttpRequest) -> Status[AttendanceOut]:
    row = services.attendance_sign_in(staff=request.user, ip=client_ip(request))
    return Status(201, _attendance_out(row))


@router.post("/attendance/sign-out", response=AttendanceOut, summary="签退")
def sign_out(request: HttpRequest) -> AttendanceOut:
    return _attendance_out(services.attendance_sign_out(staff=request.user, ip=client_ip(request)))


@router.get("/attendance", response=list[AttendanceOut], summary="可见的考勤记录")
@paged
def list_attendance(
    request: HttpRequest,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    centre_id: Id | None = None,
    staff_id: Id | None = None,
) -> Any:
    qs = attendance_visible_to(request.user).select_related("staff")
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if centre_id:
        qs = qs.filter(centre_id=centre_id)
    if staff_id:
        qs = qs.filter(staff_id=staff_id)
    qs = qs.order_by("-date", "sign_in_at")
    return Mapped(qs, _attendance_out)


# --- leave --------------------------------------------------------------------------------------


@router.get("/leaves", response=list[LeaveOut], summary="可见的请假记录")
@paged
def list_leaves(
    request: HttpRequest, status: str | None = None, centre_id: Id | None = None, mine: bool = False
) -> Any:
    if status and status not in LeaveStatus.values:
        raise field_error("status", "状态无效，应为 requested/approved/rejected/cancelled。")
    qs = leaves_visible_to(request.user).select_related("staff", "approved_by")
    if status:
        qs = qs.filter(status=status)
    if centre_id:
        qs = qs.filter(centre_id=centre_id)
    if mine:
        qs = qs.filter(staff_id=request.user.pk)
    qs = qs.order_by("-start_at", "-id")
    return Mapped(qs, _leave_out)


@router.post("/leaves", response={201: LeaveOut}, summary="申请请假（或由主任代为登记）")
def request_leave(request: HttpRequest, payload: LeaveIn) -> Status[LeaveOut]:
    staff: Any = request.user
    if payload.staff_id and payload.staff_id != request.user.pk:
        staff = active_user(pk=payload.staff_id)
        if staff is None:
            raise field_error("staff_id", "未找到该工作人员。")
    leave = services.leave_request(
        staff=staff,
        kind=payload.kind,
        start_at=_as_aware(payload.start_at),
        end_at=_as_aware(payload.end_at),
        reason=payload.reason,
        actor=request.user,
    )
    return Status(201, _leave_out(leave))


@router.post("/leaves/{leave_id}/approve", response=LeaveOut, summary="批准请假（本中心主任）")
def approve_leave(request: HttpRequest, leave_id: Id, payload: LeaveDecisionIn) -> LeaveOut:
    leave = services.leave_approve(
        leave=access_leave(request.user, leave_id), actor=request.user, note=payload.note
    )
    return _leave_out(leave)


@router.post("/leaves/{leave_id}/reject", response=LeaveOut, summary="驳回请假（本中心主任，须填理由）")
def reject_leave(request: HttpRequest, leave_id: Id, payload: LeaveDecisionIn) -> LeaveOut:
    leave = services.leave_reject(
        leave=access_leave(request.user, leave_id), actor=request.user, note=payload.note
    )
    return _leave_out(leave)


@router.post("/leaves/{leave_id}/cancel", response=LeaveOut, summary="撤销本人的请假")
def cancel_leave(request: HttpRequest, leave_id: Id) -> LeaveOut:
    leave = services.leave_cancel(leave=access_leave(request.user, leave_id), actor=request.user)
    return _leave_out(selectors.leave_for_display(leave.pk))


# --- roster and AB handler ----------------------------------------------------------------------


@router.get("/roster", response=RosterOut, summary="中心岗位在岗情况与当前办理人（AB角）")
def get_roster(request: HttpRequest, centre_id: Id | None = None, at: DateTime | None = None) -> RosterOut:
    user: Any = request.user
    centre = access_centre(user, centre_id or user.centre_id or 0)
    if not can_see_centre_roster(request.user, centre):
        raise NotFound()
    roster = roster_for(centre=centre, at=_aware(at))
    return RosterOut(
        centre_id=centre.pk,
        centre=centre.name,
        at=roster.at,
        posts=[
            RosterRowOut(
                post_id=r.post.pk,
                post=r.post.name,
                user=_staff(r.handler.user),
                role=r.handler.role,
                reason=r.handler.reason,
                window_number=r.post.window.number if r.post.window else None,
                a_staff=_staff(r.post.a_staff),
                a_status=r.a_status,
                b_staff=_staff(r.post.b_staff),
                b_status=r.b_status,
            )
            for r in roster.rows
        ],
        absent=[AbsentOut(staff=_staff(u), reason=why) for u, why in roster.absent],
    )


@router.get(
    "/posts/{post_id}/handler", response=HandlerOut, summary="岗位当前办理人（A角/B角/中心主任及原因）"
)
def get_post_handler(request: HttpRequest, post_id: Id, at: DateTime | None = None) -> HandlerOut:
    post = selectors.post_with_staff(post_id)
    if post is None:
        raise NotFound()
    access_centre(request.user, post.centre_id)
    handler = services.post_handler(post=post, at=_aware(at))
    return HandlerOut(
        post_id=post.pk, post=post.name, user=_staff(handler.user), role=handler.role, reason=handler.reason
    )


# --- assessment ---------------------------------------------------------------------------------


def _result_out(r: Any) -> AssessmentResultOut:
    return AssessmentResultOut(
        id=r.pk,
        scheme=r.scheme.name,
        staff=_staff(r.staff),
        centre=r.centre.name,
        month=r.month,
        indicator_score=str(r.indicator_score),
        manual_points=str(r.manual_points),
        total=str(r.total),
        indicators=[IndicatorLineOut(**line) for line in r.breakdown.get("indicators", [])],
        manual=r.breakdown.get("manual", []),
    )


@router.get("/assessment/results", response=list[AssessmentResultOut], summary="可见的月度考核结果")
@paged
def list_results(
    request: HttpRequest, year: Year, month: Month | None = None, centre_id: Id | None = None
) -> Any:
    qs = assessment_results_visible_to(request.user).filter(month__year=year)
    if month:
        qs = qs.filter(month__month=month)
    if centre_id:
        qs = qs.filter(centre_id=centre_id)
    qs = qs.select_related("scheme", "staff", "centre").order_by("-month", "-total", "staff_id")
    return Mapped(qs, _result_out)


@router.get(
    "/assessment/results/{result_id}",
    response=AssessmentResultOut,
    summary="考核结果明细（每项指标、得分和权重）",
)
def get_result(request: HttpRequest, result_id: Id) -> AssessmentResultOut:
    return _result_out(access_assessment_result(request.user, result_id))
