"""Staff workbench pages (htmx: the same view returns the page or the fragment it targets; every hx-get has
its href) and the public tracking page. Each view: parse → one access check → one service/selector."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from govhall.accounts.http import StaffRequest
from govhall.cases import rules, selectors, services
from govhall.cases.applicants import mask_applicant_name, mask_id
from govhall.cases.documents import notice_docx, notice_pdf
from govhall.cases.models import (
    ApplicantKind,
    Case,
    CaseFile,
    CaseNotice,
    CaseStatus,
    DeliveryMethod,
    IdType,
    MaterialStatus,
    ResultKind,
)
from govhall.cases.policy import access_case
from govhall.cases.tracking_limits import TrackClient
from govhall.cases.uploads import media_path
from govhall.catalog.models import SpecialProcedure
from govhall.core.audit import audit_record
from govhall.core.crypto import DecryptionError
from govhall.core.errors import ServiceError
from govhall.core.filecrypt import open_plaintext, plain_size
from govhall.core.ids import mask_mobile
from govhall.core.middleware import client_ip
from govhall.core.pages import HtmxHttpRequest, get_or_404, paginate
from govhall.core.pii import can_reveal_pii
from govhall.core.provisional import year_banner
from govhall.core.responses import StreamingFileResponse, document_response
from govhall.orgs.models import CentreLevel

logger = logging.getLogger(__name__)


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    return get_or_404(access_case, request.user, case_id)


# --- downloads (shared with the API) -------------------------------------------------------------


def file_response(request: HttpRequest, record: CaseFile) -> StreamingFileResponse:
    """A material's file, decrypted as it streams (one segment in memory at a time), after the caller's
    access check; each download is audited (which file, by whom; never its content)."""
    try:
        path = media_path(record.storage_name)
    except ValueError:
        raise Http404() from None
    if not path.exists():
        raise Http404("文件已不存在。")
    try:
        chunks = open_plaintext(
            path
        )  # the header and first segment are checked here, before any byte is sent
    except DecryptionError:
        logger.exception("case file %s (%s) cannot be decrypted", record.pk, record.storage_name)
        raise Http404("文件已损坏或无法解密，请联系系统管理员。") from None
    audit_record(
        action="file.download",
        obj=record,
        actor=request.user if request.user.is_authenticated else None,
        after={"case": record.case_id, "file": record.pk, "sha256": record.sha256},
    )
    response = StreamingFileResponse(chunks, content_type=record.mime)
    response["Content-Length"] = str(plain_size(path))
    response["Content-Disposition"] = (
        content_disposition_header(record.kind == "tif", record.original_name) or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def notice_response(notice: CaseNotice, fmt: str) -> HttpResponse:
    name = f"{notice.get_kind_display()}-{notice.case.number}"
    if fmt == "pdf":
        response = document_response(notice_pdf(notice), f"{name}.pdf", inline=True)
    elif fmt == "docx":
        response = document_response(notice_docx(notice), f"{name}.docx")
    else:
        raise Http404()
    response["Cache-Control"] = "private, no-store"
    return response


# --- workbench ------------------------------------------------------------------------------------


@login_required
def workbench(request: StaffRequest) -> HttpResponse:
    """我的工作台: my tasks, cases waiting for a decision at my centre, the cases I act on as 代办员."""
    user = request.user
    tab = request.GET.get("tab") or "tasks"
    if tab == "awaiting":
        qs = selectors.awaiting_decision(user)
    elif tab == "agency":
        qs = selectors.agency_cases(user)
    else:
        tab, qs = "tasks", selectors.my_tasks(user)
    page = paginate(request, qs)
    context = {
        "tab": tab,
        "page": page,
        "rows": selectors.list_rows(page.object_list),
        "can_receive": user.is_superuser or user.has_role(*services.RECEIVE_ROLES),
    }
    template = "cases/_case_rows.html" if request.htmx else "cases/workbench.html"
    return render(request, template, context)


@login_required
def case_list(request: HtmxHttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    q = (request.GET.get("q") or "").strip()
    page = paginate(request, selectors.case_list(request.user, status=status or None, q=q))
    context = {
        "page": page,
        "rows": selectors.list_rows(page.object_list),
        "status": status,
        "q": q,
        "statuses": CaseStatus.choices,
    }
    template = "cases/_case_rows.html" if request.htmx else "cases/case_list.html"
    return render(request, template, context)


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    """电子监察: yellow and red cases per centre, department and handler (STD-3)."""

    def as_int(name: str) -> int | None:
        try:
            return int(request.GET.get(name) or 0) or None
        except ValueError:
            return None

    data = selectors.supervision(
        request.user,
        centre_id=as_int("centre"),
        department_id=as_int("department"),
        handler_id=as_int("handler"),
        level=request.GET.get("level") or "",
    )
    return render(
        request,
        "cases/supervision.html",
        {
            "data": data,
            "rows": selectors.list_rows(data.cases),
            "level": request.GET.get("level") or "",
            "year_banner": year_banner(timezone.localdate()),
        },
    )


# --- the window wizard (收件) ------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def wizard(request: StaffRequest) -> HttpResponse:
    """新建办件: window → ticket → matter → applicant → materials → 收件. GET parameters drive the steps so the
    page works without JavaScript; htmx swaps the matter list and the checklist in place."""
    user = request.user
    if not (user.is_superuser or user.has_role(*services.RECEIVE_ROLES)) or user.centre_id is None:
        raise Http404("您的角色不能收件。")
    data = request.POST if request.method == "POST" else request.GET
    windows = selectors.wizard_windows(user)
    window = next((w for w in windows if w.pk == _int(data.get("window"))), None)
    if window is None and len(windows) == 1:
        window = windows[0]
    # A town clerk picks the window first (MODE-1: its class decides the matters); a village has none.
    matters = selectors.wizard_matters(user, window) if (window is not None or not windows) else []
    version = next((v for v in matters if v.matter_id == _int(data.get("matter"))), None)
    errors: dict[str, str] = {}
    message = ""
    if request.method == "POST":
        materials = []
        if version is not None:
            for m in version.materials.all():
                materials.append(
                    {
                        "material_id": m.pk,
                        "status": data.get(f"m{m.pk}_status") or MaterialStatus.MISSING,
                        "originals": data.get(f"m{m.pk}_originals") or 0,
                        "copies": data.get(f"m{m.pk}_copies") or 0,
                    }
                )
        agent = None
        if (data.get("agent_name") or "").strip():
            agent = {
                "name": data.get("agent_name"),
                "id_type": data.get("agent_id_type") or "id_card",
                "id_number": data.get("agent_id_number", ""),
                "phone": data.get("agent_phone", ""),
            }
        try:
            case = services.case_receive(
                actor=user,
                matter_id=data.get("matter"),
                window_id=window.pk if window else None,
                ticket_id=data.get("ticket") or None,
                enquiry_id=data.get("enquiry") or None,
                applicant={
                    "kind": data.get("applicant_kind", ApplicantKind.PERSON),
                    "name": data.get("applicant_name", ""),
                    "id_type": data.get("applicant_id_type", IdType.ID_CARD),
                    "id_number": data.get("applicant_id_number", ""),
                    "phone": data.get("applicant_phone", ""),
                    "address": data.get("applicant_address", ""),
                    "legal_representative": data.get("legal_representative", ""),
                },
                agent=agent,
                materials=materials,
            )
        except ServiceError as exc:
            errors, message = exc.fields, exc.message
        else:
            messages.success(request, f"已收件，办件编号 {case.number}，查询密码 {case.query_password}。")
            return redirect("cases:detail", case_id=case.pk)
    context = {
        "windows": windows,
        "window": window,
        "matters": matters,
        "version": version,
        "materials": list(version.materials.all()) if version else [],
        "tickets": selectors.wizard_tickets(user),
        "data": data,
        "errors": errors,
        "error_message": message,
        "id_types": IdType.choices,
        "kinds": ApplicantKind.choices,
        "material_statuses": [
            (MaterialStatus.RECEIVED, "已收取"),
            (MaterialStatus.MISSING, "缺少"),
            (MaterialStatus.WRONG, "有误"),
        ],
        "is_village": user.centre is not None and user.centre.level == CentreLevel.VILLAGE,
    }
    part = request.htmx.target
    if part == "wizard-matters":
        return render(request, "cases/_wizard_matters.html", context)
    if part == "wizard-materials":
        return render(request, "cases/_wizard_materials.html", context)
    status = 400 if errors or message else 200
    return render(request, "cases/wizard.html", context, status=status)


# --- one case -------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = request.user
    materials = list(case.materials.select_related("material"))
    actions = rules.available_actions(case, user, selectors.case_facts(case))
    return {
        "case": case,
        "materials": materials,
        "steps": selectors.case_steps(case),
        "events": list(selectors.timeline(case)),
        "notices": selectors.case_notices(case),
        "files": selectors.case_files(case),
        "remaining": selectors.remaining(case),
        "light": rules.deadline_light(case),
        "waits_for": selectors.waits_for(selectors.CaseRow.from_case(case)),
        "suspension": selectors.open_suspension_kind(case) if case.status == CaseStatus.SUSPENDED else "",
        "applicant_id_masked": mask_id(case.applicant_id_type, case.applicant_id_number),
        "applicant_phone_masked": mask_mobile(case.applicant_phone),
        "agent_id_masked": mask_id(case.agent_id_type, case.agent_id_number) if case.agent_id_number else "",
        "agent_phone_masked": mask_mobile(case.agent_phone) if case.agent_phone else "",
        "can_reveal": can_reveal_pii(user),  # the button; the case is visible already
        "missing": [m for m in materials if m.status != MaterialStatus.RECEIVED],
        "rongque_open": [m for m in materials if m.status == MaterialStatus.RONGQUE],
        "results": ResultKind.choices,
        "procedures": SpecialProcedure.choices,
        "delivery_methods": DeliveryMethod.choices,
        "id_types": IdType.choices,
        "agents": selectors.case_agents(case),
        "actions": [a for a in actions if a.code != "upload"],  # the 办理 card's forms
        "can_upload": any(a.code == "upload" for a in actions),  # the scan form sits beside the materials
        "material_statuses": [
            (MaterialStatus.RECEIVED, "已收取"),
            (MaterialStatus.MISSING, "缺少"),
            (MaterialStatus.WRONG, "有误"),
        ],
    }


@login_required
def detail(request: HtmxHttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    template = "cases/_detail_body.html" if request.htmx else "cases/detail.html"
    return render(request, template, _detail_context(request, case))


@login_required
@require_POST
def reveal(request: HtmxHttpRequest, case_id: int) -> HttpResponse:
    """显示完整: the whole ID numbers and phones, once, on this response (never stored in the session);
    refused with a Chinese message for roles that see only the masked form (core.pii)."""
    case = _case_or_404(request, case_id)
    template = "cases/_detail_body.html" if request.htmx else "cases/detail.html"
    context = _detail_context(request, case)
    try:
        context["revealed"] = selectors.case_reveal_pii(request.user, case)
    except ServiceError as exc:
        context["action_error"] = exc.message
        return render(request, template, context, status=exc.status)
    response = render(request, template, context)
    response["Cache-Control"] = "private, no-store"
    return response


def _ids(request: HttpRequest, name: str) -> list[str]:
    return [v for v in request.POST.getlist(name) if v]


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ServiceError(
            "日期格式应为 YYYY-MM-DD。", fields={"date": "日期格式应为 YYYY-MM-DD。"}
        ) from None


def _correction_items(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": pk,
            "problem": request.POST.get(f"problem_{pk}") or MaterialStatus.MISSING,
            "reason": request.POST.get(f"reason_{pk}", ""),
        }
        for pk in _ids(request, "item")
    ]


ACTIONS: dict[str, Callable[[StaffRequest, Case], Case]] = {
    "accept": lambda r, c: services.case_accept(
        case=c,
        actor=r.user,
        rongque_material_ids=_ids(r, "rongque"),
        commitment_material_ids=_ids(r, "commitment"),
        rongque_signed=r.POST.get("rongque_signed") == "on",
        commitment_signed=r.POST.get("commitment_signed") == "on",
        rongque_deadline=_date(r.POST.get("rongque_deadline")),
        opinion=r.POST.get("opinion", ""),
    ),
    "reject": lambda r, c: services.case_reject(case=c, actor=r.user, reason=r.POST.get("reason", "")),
    "correction": lambda r, c: services.case_request_correction(
        case=c, actor=r.user, items=_correction_items(r), note=r.POST.get("note", "")
    ),
    "materials": lambda r, c: services.case_update_materials(
        case=c,
        actor=r.user,
        materials=[
            {
                "material_id": m.material_id,
                "status": r.POST.get(f"m{m.pk}_status") or m.status,
                "originals": r.POST.get(f"m{m.pk}_originals") or 0,
                "copies": r.POST.get(f"m{m.pk}_copies") or 0,
            }
            for m in c.materials.all()
            if m.material_id
        ],
    ),
    "supply": lambda r, c: services.case_supply(
        case=c, actor=r.user, material_ids=_ids(r, "material"), note=r.POST.get("note", "")
    ),
    "pass": lambda r, c: services.case_step_pass(case=c, actor=r.user, opinion=r.POST.get("opinion", "")),
    "return": lambda r, c: services.case_step_return(
        case=c,
        actor=r.user,
        to=r.POST.get("to", ""),
        reason=r.POST.get("reason", ""),
        items=_correction_items(r),
    ),
    "resubmit": lambda r, c: services.case_resubmit(case=c, actor=r.user, opinion=r.POST.get("opinion", "")),
    "special_start": lambda r, c: services.case_special_start(
        case=c, actor=r.user, procedure=r.POST.get("procedure", ""), reason=r.POST.get("reason", "")
    ),
    "special_end": lambda r, c: services.case_special_end(
        case=c, actor=r.user, result=r.POST.get("result", "")
    ),
    "finish": lambda r, c: services.case_finish(
        case=c,
        actor=r.user,
        result=r.POST.get("result", ""),
        reason=r.POST.get("reason", ""),
        certificate_name=r.POST.get("certificate_name", ""),
        certificate_no=r.POST.get("certificate_no", ""),
        valid_from=_date(r.POST.get("valid_from")),
        valid_to=_date(r.POST.get("valid_to")),
        referred_to=r.POST.get("referred_to", ""),
    ),
    "deliver": lambda r, c: services.case_deliver(
        case=c,
        actor=r.user,
        method=r.POST.get("method", ""),
        collector_name=r.POST.get("collector_name", ""),
        collector_id_type=r.POST.get("collector_id_type") or IdType.ID_CARD,
        collector_id_number=r.POST.get("collector_id_number", ""),
        mail_address=r.POST.get("mail_address", ""),
        courier=r.POST.get("courier", ""),
        tracking_no=r.POST.get("tracking_no", ""),
    ),
    "agency": lambda r, c: services.case_assign_agency(
        case=c, actor=r.user, agent_id=r.POST.get("agent_id"), authorisation=r.POST.get("authorisation", "")
    ),
    "check": lambda r, c: services.case_commitment_check(
        case=c, actor=r.user, passed=r.POST.get("passed") == "yes", note=r.POST.get("note", "")
    ),
}

ACTION_DONE = {
    "accept": "已受理",
    "reject": "已作出不予受理决定",
    "correction": "已出具一次性告知单",
    "materials": "材料清单已更新",
    "supply": "已登记补交材料",
    "pass": "本环节已通过",
    "return": "已退回",
    "resubmit": "已重新提交",
    "special_start": "已启动特别程序，暂停计时",
    "special_end": "特别程序已结束，恢复计时",
    "finish": "已办结",
    "deliver": "已送达",
    "agency": "已指定代办员",
    "check": "已登记核查结果",
}


@login_required
@require_POST
def act(request: StaffRequest, case_id: int, action: str) -> HttpResponse:
    """One action on one case: the service decides; the page shows its Chinese message on refusal."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404()
    case = _case_or_404(request, case_id)
    try:
        case = handler(request, case)
    except ServiceError as exc:
        if request.htmx:
            context = _detail_context(request, access_case(request.user, case.pk))
            context["action_error"] = exc.message
            return render(request, "cases/_detail_body.html", context, status=exc.status)
        messages.error(request, exc.message)
        return redirect("cases:detail", case_id=case.pk)
    messages.success(request, f"{ACTION_DONE[action]}（办件 {case.number}）。")
    if request.htmx:
        return render(
            request, "cases/_detail_body.html", _detail_context(request, access_case(request.user, case.pk))
        )
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_POST
def upload(request: StaffRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的文件。")
        return redirect("cases:detail", case_id=case.pk)
    try:
        services.case_attach_file(
            case=case,
            actor=request.user,
            upload=upload,
            name=upload.name or "",
            size=upload.size,
            material_id=request.POST.get("material") or None,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已上传 {upload.name}。")
    return redirect("cases:detail", case_id=case.pk)


@login_required
def download(request: HttpRequest, case_id: int, file_id: int) -> StreamingFileResponse:
    case = _case_or_404(request, case_id)
    return file_response(request, get_or_404(selectors.case_file, case, file_id))


@login_required
def notice(request: HttpRequest, case_id: int, notice_id: int, fmt: str) -> HttpResponse:
    case = _case_or_404(request, case_id)
    return notice_response(get_or_404(selectors.case_notice, case, notice_id), fmt)


# --- public tracking --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """办件查询 for applicants: by number + query password, or by 证件号码 (masked list)."""
    context: dict[str, Any] = {"id_types": IdType.choices, "number": request.GET.get("no", "")}
    if request.method == "POST":
        mode = request.POST.get("mode")
        try:
            if mode == "id":
                cases = selectors.track_by_id(
                    request.POST.get("id_type", IdType.ID_CARD),
                    request.POST.get("id_number", ""),
                    client=TrackClient(client_ip(request)),
                )
                context["id_results"] = [
                    {
                        "number": c.number,
                        "matter": c.matter_name,
                        "applicant": mask_applicant_name(c.applicant_kind, c.applicant_name),
                        "status": c.get_status_display(),
                        "centre": c.handling_centre.name,
                        "received_at": c.received_at,
                    }
                    for c in cases
                ]
            else:
                number = request.POST.get("number", "")
                context["number"] = number
                case = selectors.track_by_number(
                    number, request.POST.get("password", ""), client=TrackClient(client_ip(request))
                )
                context["case"] = case
                context["applicant"] = mask_applicant_name(case.applicant_kind, case.applicant_name)
                context["events"] = selectors.public_timeline(case)
        except ServiceError as exc:
            context["error"] = exc.message
            return render(
                request, "cases/track.html", context, status=exc.status if exc.status != 404 else 200
            )
    return render(request, "cases/track.html", context)
