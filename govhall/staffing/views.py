"""Staff workbench pages: 首问 enquiries, attendance, leave, the daily roster, assessment.
Each view: parse input → one access check → one service or selector → render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govhall.accounts.selectors import active_user
from govhall.catalog.selectors import matter_by_code
from govhall.core.calendar import first_of_month
from govhall.core.middleware import client_ip
from govhall.core.pages import HtmxHttpRequest, paginate
from govhall.core.pages import get_or_404 as _get
from govhall.core.pages import run_service as _run
from govhall.core.pii import can_reveal_pii
from govhall.core.responses import document_response
from govhall.orgs.policy import access_centre, can_manage_centre
from govhall.staffing import selectors, services
from govhall.staffing.exports import ranking_workbook
from govhall.staffing.forms import (
    AnswerForm,
    AttendanceSettingsForm,
    DecisionForm,
    EnquiryForm,
    HandOverForm,
    LeaveForm,
    ManualItemForm,
    SchemeForm,
    month_choices,
    parse_month,
)
from govhall.staffing.models import (
    AssessmentScheme,
    EnquiryStatus,
)
from govhall.staffing.policy import (
    access_assessment_result,
    access_enquiry,
    access_leave,
    attendance_visible_to,
    can_manage_assessment,
    can_see_centre_roster,
    directs_a_centre,
    handover_candidates,
    sees_all_staff_records,
)
from govhall.staffing.selectors import (
    centre_ranking,
    enquiries_for_list,
    leaves_to_decide,
    pending_enquiries_for,
    roster_for,
    schemes_with_results,
    staff_ranking,
)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    return render(
        request,
        "staffing/index.html",
        {
            "today_attendance": selectors.attendance_on(user, today),
            "pending_count": pending_enquiries_for(user).count(),
            "to_decide": len(leaves_to_decide(user))
            if directs_a_centre(user) or sees_all_staff_records(user)
            else 0,
            "is_director": directs_a_centre(user),
            "can_assess": can_manage_assessment(user),
        },
    )


# --- enquiries ----------------------------------------------------------------------------------


@login_required
def enquiry_list(request: HtmxHttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    status = status if status in EnquiryStatus.values else None
    page = paginate(request, enquiries_for_list(request.user, status=status))
    context = {
        "pending": pending_enquiries_for(request.user),
        "page": page,
        "status": status,
        "statuses": EnquiryStatus.choices,
    }
    if request.htmx.target == "pending-enquiries":  # 刷新我的待办
        return render(request, "staffing/_pending_enquiries.html", context)
    return render(request, "staffing/enquiry_list.html", context)


@login_required
def enquiry_new(request: HttpRequest) -> HttpResponse:
    form = EnquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matter = None
        if data["matter_code"]:
            matter = matter_by_code(data["matter_code"].strip())
            if matter is None:
                form.add_error("matter_code", "未找到该实施编码对应的事项。")
        if form.is_valid():
            enquiry = _run(
                request,
                form,
                lambda: services.enquiry_create(
                    staff=request.user,
                    question=data["question"],
                    asker_name=data["asker_name"],
                    asker_phone=data["asker_phone"],
                    matter=matter,
                    channel=data["channel"],
                    answer=data["answer"],
                ),
            )
            if enquiry is not None:
                messages.success(request, "首问已登记。")
                return redirect("staffing:enquiry_detail", enquiry.pk)
    return render(request, "staffing/enquiry_form.html", {"form": form})


@login_required
def enquiry_detail(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    enquiry = _get(access_enquiry, request.user, enquiry_id)
    answer_form = AnswerForm(request.POST if request.POST.get("action") == "answer" else None)
    handover_form = HandOverForm(
        request.POST if request.POST.get("action") == "hand_over" else None,
        candidates=handover_candidates(request.user),
    )
    contact = None
    if request.method == "POST":
        action = request.POST.get("action")
        done = None
        if action == "answer" and answer_form.is_valid():
            done = _run(
                request,
                answer_form,
                lambda: services.enquiry_answer(
                    enquiry=enquiry, actor=request.user, answer=answer_form.cleaned_data["answer"]
                ),
            )
        elif action == "hand_over" and handover_form.is_valid():
            data = handover_form.cleaned_data
            done = _run(
                request,
                handover_form,
                lambda: services.enquiry_hand_over(
                    enquiry=enquiry, actor=request.user, to=data["to"], note=data["note"]
                ),
            )
        elif action == "reveal":
            contact = _run(
                request, None, lambda: services.enquiry_reveal_contact(enquiry=enquiry, actor=request.user)
            )
        if done is not None:
            messages.success(request, "已答复。" if action == "answer" else "已转交。")
            return redirect("staffing:enquiry_detail", enquiry.pk)
    return render(
        request,
        "staffing/enquiry_detail.html",
        {
            "e": enquiry,
            "answer_form": answer_form,
            "handover_form": handover_form,
            "contact": contact,
            "is_owner": enquiry.is_pending and enquiry.owner_id == request.user.pk,
            "can_reveal": can_reveal_pii(request.user),
        },
    )


# --- attendance ---------------------------------------------------------------------------------


@login_required
def attendance(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    month = parse_month(request.GET.get("month")) or first_of_month(today)
    mine = selectors.attendance_month(user, month)
    centre_rows = None
    settings_form = None
    if directs_a_centre(user):
        centre_rows = (
            attendance_visible_to(user)
            .filter(centre_id=user.centre_id, date=today)
            .select_related("staff")
            .order_by("sign_in_at")
        )
    if user.centre_id and can_manage_centre(user, user.centre):
        settings_form = AttendanceSettingsForm(
            request.POST or None, initial={"sign_in_deadline": services.sign_in_deadline(user.centre_id)}
        )
        if request.method == "POST" and settings_form.is_valid():
            saved = _run(
                request,
                settings_form,
                lambda: services.attendance_settings_update(
                    centre=user.centre,
                    sign_in_deadline=settings_form.cleaned_data["sign_in_deadline"],
                    actor=user,
                ),
            )
            if saved is not None:
                messages.success(request, f"签到截止时间已改为{saved.sign_in_deadline:%H:%M}。")
                return redirect("staffing:attendance")
    return render(
        request,
        "staffing/attendance.html",
        {
            "today": selectors.attendance_on(user, today),
            "rows": mine,
            "month": month,
            "months": month_choices(),
            "centre_rows": centre_rows,
            "settings_form": settings_form,
            "deadline": services.sign_in_deadline(user.centre_id),
        },
    )


@login_required
@require_POST
def attendance_sign(request: HttpRequest, direction: str) -> HttpResponse:
    fn = services.attendance_sign_in if direction == "in" else services.attendance_sign_out
    row = _run(request, None, lambda: fn(staff=request.user, ip=client_ip(request)))
    if row is not None:
        at = row.sign_in_at if direction == "in" else row.sign_out_at
        messages.success(
            request,
            f"{'签到' if direction == 'in' else '签退'}成功：{timezone.localtime(at):%H:%M}，"
            f"地址 {client_ip(request) or '未知'}。",
        )
    return redirect(request.POST.get("next") or "staffing:attendance")


# --- leave --------------------------------------------------------------------------------------


@login_required
def leave_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        leave = _run(
            request,
            form,
            lambda: services.leave_request(
                staff=user,
                kind=data["kind"],
                start_at=data["start_at"],
                end_at=data["end_at"],
                reason=data["reason"],
            ),
        )
        if leave is not None:
            messages.success(request, "请假申请已提交，等待中心主任审批。")
            return redirect("staffing:leave_list")
    to_decide = leaves_to_decide(user)
    return render(
        request,
        "staffing/leave_list.html",
        {
            "form": form,
            "mine": user.leaves.order_by("-start_at")[:50],
            "to_decide": to_decide,
            "decision_form": DecisionForm(),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def leave_action(request: HttpRequest, leave_id: int, action: str) -> HttpResponse:
    leave = _get(access_leave, request.user, leave_id)
    note = (request.POST.get("note") or "").strip()
    calls = {
        "approve": lambda: services.leave_approve(leave=leave, actor=request.user, note=note),
        "reject": lambda: services.leave_reject(leave=leave, actor=request.user, note=note),
        "cancel": lambda: services.leave_cancel(leave=leave, actor=request.user),
    }
    if action not in calls:
        raise Http404()
    if _run(request, None, calls[action]) is not None:
        messages.success(request, {"approve": "已批准。", "reject": "已驳回。", "cancel": "已撤销。"}[action])
    return redirect("staffing:leave_list")


# --- roster -------------------------------------------------------------------------------------


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    centre_id = request.GET.get("centre") or user.centre_id
    if not centre_id:
        raise Http404("请选择服务中心。")
    centre = _get(access_centre, user, centre_id)
    if not can_see_centre_roster(user, centre):
        raise Http404("未找到该记录，或您无权访问。")
    at = timezone.now()
    day = request.GET.get("date")
    if day:
        try:
            # Another day is shown as it stands at 10:00, after the sign-in deadline.
            at = dt.datetime.combine(
                dt.date.fromisoformat(day), dt.time(10, 0), tzinfo=timezone.get_current_timezone()
            )
        except ValueError:
            messages.error(request, "日期格式应为YYYY-MM-DD。")
    return render(
        request,
        "staffing/roster.html",
        {"roster": roster_for(centre=centre, at=at), "day": timezone.localtime(at).date()},
    )


# --- assessment ---------------------------------------------------------------------------------


def _scheme_from(request: HttpRequest) -> AssessmentScheme | None:
    schemes = list(schemes_with_results())
    wanted = request.GET.get("scheme") or request.POST.get("scheme")
    for s in schemes:
        if str(s.pk) == wanted:
            return s
    return schemes[0] if schemes else None


@login_required
def assessment(request: HttpRequest) -> HttpResponse:
    """Rankings: monthly (month=YYYY-MM) or yearly (year=YYYY); compute form for the bureau."""
    user: Any = request.user
    scheme = _scheme_from(request)
    today = timezone.localdate()
    month = parse_month(request.GET.get("month"))
    year = int(request.GET["year"]) if (request.GET.get("year") or "").isdigit() else None
    if month is None and year is None:
        month = first_of_month(today)
    if request.method == "POST":
        if not can_manage_assessment(user):
            raise PermissionDenied("只有市行政审批局管理员或考核员可以计算考核结果。")
        target = parse_month(request.POST.get("month"))
        if scheme is None or target is None:
            messages.error(request, "请选择考核方案和月份（YYYY-MM）。")
        else:
            count = _run(
                request, None, lambda: services.assessment_compute(scheme=scheme, month=target, actor=user)
            )
            if count is not None:
                messages.success(request, f"已计算{target:%Y年%m月}考核结果：{count}人。")
            return redirect(f"{request.path}?scheme={scheme.pk}&month={target:%Y-%m}")
    ctx: dict[str, Any] = {
        "scheme": scheme,
        "schemes": schemes_with_results(),
        "month": month,
        "year": year,
        "months": month_choices(),
        "can_assess": can_manage_assessment(user),
        "sees_rankings": sees_all_staff_records(user) or directs_a_centre(user),
    }
    if scheme is not None:
        y = month.year if month else year
        assert y is not None  # without a year, month is this month (above)
        m = month.month if month else None
        ctx["staff_rows"] = staff_ranking(user, scheme=scheme, year=y, month=m)
        ctx["centre_rows"] = (
            centre_ranking(user, scheme=scheme, year=y, month=m) if ctx["sees_rankings"] else []
        )
        ctx["export_query"] = f"scheme={scheme.pk}&" + (f"month={month:%Y-%m}" if month else f"year={year}")
    return render(request, "staffing/assessment.html", ctx)


@login_required
def assessment_export(request: HttpRequest) -> HttpResponse:
    scheme = _scheme_from(request)
    if scheme is None:
        raise Http404("尚无考核方案。")
    month = parse_month(request.GET.get("month"))
    year = month.year if month else int(request.GET.get("year") or timezone.localdate().year)
    data = ranking_workbook(request.user, scheme=scheme, year=year, month=month.month if month else None)
    name = f"assessment-{year}" + (f"-{month.month:02d}" if month else "") + ".xlsx"
    return document_response(data, name)


@login_required
def assessment_result(request: HttpRequest, result_id: int) -> HttpResponse:
    result = _get(access_assessment_result, request.user, result_id)
    return render(
        request,
        "staffing/assessment_result.html",
        {
            "r": result,
            "lines": result.breakdown.get("indicators", []),
            "manual": result.breakdown.get("manual", []),
            "weight_applied": result.breakdown.get("weight_applied"),
        },
    )


@login_required
def assessment_items(request: HttpRequest) -> HttpResponse:
    """Manual items (uniform/badge checks, training, 奖励, 问责): the bureau records them with a reason."""

    user: Any = request.user
    if not can_manage_assessment(user):
        raise PermissionDenied("只有市行政审批局管理员或考核员可以录入考核项。")
    form = ManualItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        staff = active_user(staff_no=data["staff_no"])
        if staff is None:
            form.add_error("staff_no", "未找到该工号的在岗人员。")
        else:
            item = _run(
                request,
                form,
                lambda: services.assessment_item_add(
                    staff=staff,
                    month=data["month"],
                    kind=data["kind"],
                    points=data["points"],
                    what=data["what"],
                    reason=data["reason"],
                    decided_by=data["decided_by"],
                    decided_on=data["decided_on"],
                    actor=user,
                ),
            )
            if item is not None:
                messages.success(request, f"已为{staff}录入{item.get_kind_display()}。")
                return redirect("staffing:assessment_items")
    items = selectors.recent_assessment_items()
    return render(request, "staffing/assessment_items.html", {"form": form, "items": items})


@login_required
def assessment_schemes(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not can_manage_assessment(user):
        raise PermissionDenied("只有市行政审批局管理员或考核员可以设置考核方案。")
    form = SchemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scheme = _run(
            request,
            form,
            lambda: services.assessment_scheme_create(
                name=data["name"],
                scope=data["scope"],
                notes=data["notes"],
                indicators=form.weights(),
                actor=user,
            ),
        )
        if scheme is not None:
            messages.success(request, f"考核方案“{scheme.name}”已启用。")
            return redirect("staffing:assessment_schemes")
    schemes = selectors.assessment_schemes()
    return render(request, "staffing/assessment_schemes.html", {"form": form, "schemes": schemes})
