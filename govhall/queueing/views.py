"""Queue pages. Staff: the guide desk (导服台), the clerk's workbench (htmx), figures, appointment slots.
Public, scoped to one centre: the kiosk (自助取号), the phone page, a ticket's follow page and printout, the
hall's big screen and the window screens, appointment booking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from govhall.core.errors import ServiceError, field_error
from govhall.core.pages import HtmxHttpRequest, page_errors
from govhall.orgs.policy import can_manage_centre
from govhall.queueing import selectors, services
from govhall.queueing.models import (
    PauseReason,
    PriorityReason,
    Ticket,
    TicketSource,
    WindowStatus,
)
from govhall.queueing.policy import (
    access_figures_centre,
    access_queue_centre,
    access_ticket,
    access_window,
    public_centre,
    public_ticket,
)
from govhall.queueing.streams import event_stream

# --- staff: home, guide desk -------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The staff member's centre (its desk), or the centres whose figures they may read."""
    centres = list(selectors.operable_centres(request.user)[:50])
    if len(centres) == 1:
        return redirect("queueing:desk", centre_id=centres[0].pk)
    figures = [] if centres else list(selectors.figures_centres(request.user)[:400])
    return render(request, "queueing/home.html", {"centres": centres, "figures_centres": figures})


def _desk_context(request: HttpRequest, centre: Any, **extra: Any) -> dict[str, Any]:
    return {
        "centre": centre,
        "options": selectors.issue_options(centre),
        "all_priority_reasons": [
            (r.value, r.label) for r in PriorityReason if r != PriorityReason.APPOINTMENT
        ],
        "waiting": selectors.waiting_tickets(centre),
        "skipped": selectors.skipped_tickets(centre),
        "windows": services.centre_windows(centre),
        **extra,
    }


@login_required
@page_errors
def desk(request: HttpRequest, centre_id: int) -> HttpResponse:
    """导服台: take a ticket for a visitor (with priority), check in appointments, reinstate, cancel."""
    centre = access_queue_centre(request.user, centre_id)
    context: dict[str, Any] = {}
    if request.method == "POST":
        data = request.POST
        try:
            result = services.ticket_issue(
                centre=centre,
                matter_id=int(data["matter"]) if data.get("matter", "").isdigit() else None,
                group=data.get("group", ""),
                priority_reason=data.get("priority_reason", ""),
                priority_note=data.get("priority_note", ""),
                phone=data.get("phone", ""),
                id_number=data.get("id_number", ""),
                source=TicketSource.DESK,
                by=request.user,
            )
        except ServiceError as exc:
            context = {"error": exc, "form": data}
        else:
            ahead = selectors.ticket_position(result.ticket)["ahead"]
            messages.success(
                request, f"已取号 {result.ticket.code}，前面还有 {ahead} 人。" + "".join(result.warnings)
            )
            return redirect(
                f"{reverse('queueing:desk', args=[centre.pk])}?printed={result.ticket.public_token}"
            )
    printed = request.GET.get("printed")
    if printed:
        context["printed"] = selectors.printed_ticket(centre, printed)
    return render(
        request,
        "queueing/desk.html",
        _desk_context(request, centre, **context),
        status=400 if "error" in context else 200,
    )


@login_required
@page_errors
def desk_queue(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = access_queue_centre(request.user, centre_id)
    return render(request, "queueing/_desk_queue.html", _desk_context(request, centre))


@login_required
@require_POST
@page_errors
def desk_ticket_action(request: HttpRequest, centre_id: int, ticket_id: int, action: str) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    if ticket.centre_id != int(centre_id):
        raise Http404
    try:
        if action == "reinstate":
            services.ticket_reinstate(ticket=ticket, by=request.user)
            messages.success(request, f"{ticket.code}号已恢复排队。")
        elif action == "cancel":
            services.ticket_cancel(ticket=ticket, by=request.user)
            messages.success(request, f"{ticket.code}号已取消。")
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("queueing:desk", centre_id=ticket.centre_id)


@login_required
@require_POST
@page_errors
def desk_check_in(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = access_queue_centre(request.user, centre_id)
    try:
        result = services.appointment_check_in(
            centre=centre, code=request.POST.get("code", ""), by=request.user, source=TicketSource.APPOINTMENT
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("queueing:desk", centre_id=centre.pk)
    messages.success(request, f"签到成功，取号 {result.ticket.code}。" + "".join(result.warnings))
    return redirect(f"{reverse('queueing:desk', args=[centre.pk])}?printed={result.ticket.public_token}")


# --- staff: the clerk's workbench --------------------------------------------------------------------


@login_required
@page_errors
def windows(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = access_queue_centre(request.user, centre_id)
    ws = services.centre_windows(centre)
    states = selectors.window_states(ws)
    current = selectors.current_tickets(centre.pk)
    rows = [(w, states.get(w.pk), current.get(w.pk)) for w in ws]
    return render(request, "queueing/windows.html", {"centre": centre, "rows": rows})


def _workbench_context(window: Any, **extra: Any) -> dict[str, Any]:
    return {
        **selectors.window_panel(window),
        "pause_reasons": PauseReason.choices,
        "groups": services.business_groups(window.centre),
        "other_windows": [w for w in services.centre_windows(window.centre) if w.pk != window.pk],
        "WindowStatus": WindowStatus,
        **extra,
    }


@login_required
@page_errors
def workbench(request: HtmxHttpRequest, window_id: int) -> HttpResponse:
    window = access_window(request.user, window_id)
    template = "queueing/_workbench_panel.html" if request.htmx else "queueing/workbench.html"
    return render(request, template, _workbench_context(window))


WORKBENCH_ACTIONS = {
    "open",
    "pause",
    "resume",
    "close",
    "call-next",
    "recall",
    "skip",
    "start",
    "finish",
    "transfer",
}


@login_required
@require_POST
@page_errors
def workbench_action(request: HtmxHttpRequest, window_id: int, action: str) -> HttpResponse:
    """Every button of the workbench. htmx gets the panel back; without JavaScript, a redirect."""
    if action not in WORKBENCH_ACTIONS:
        raise Http404
    window = access_window(request.user, window_id)
    data, user = request.POST, request.user
    ticket_id = int(data["ticket"]) if data.get("ticket", "").isdigit() else 0
    notice, error, warning, status = "", "", "", 200
    try:
        if action == "open":
            services.window_open(window=window, by=user)
            notice = "已开始服务。"
        elif action == "pause":
            services.window_pause(
                window=window, reason=data.get("reason", ""), note=data.get("note", ""), by=user
            )
            notice = "已暂停服务，显示屏将显示暂停原因。"
        elif action == "resume":
            services.window_resume(window=window, by=user)
            notice = "已恢复服务。"
        elif action == "close":
            services.window_close(window=window, by=user)
            notice = "已结束服务。"
        elif action == "call-next":
            ticket = services.ticket_call_next(window=window, by=user)
            notice = f"已呼叫{ticket.code}号。" if ticket else "当前没有等候的办事人。"
        elif action == "recall":
            ticket = services.ticket_recall(window=window, ticket_id=ticket_id, by=user)
            notice = f"已重呼{ticket.code}号。"
        elif action == "skip":
            ticket = services.ticket_skip(window=window, ticket_id=ticket_id, by=user)
            notice = f"{ticket.code}号已过号。"
        elif action == "start":
            ticket = services.ticket_start(window=window, ticket_id=ticket_id, by=user)
            notice = f"开始办理{ticket.code}号。"
        elif action == "finish":
            ticket = services.ticket_finish(
                window=window,
                ticket_id=ticket_id,
                by=user,
                served=data.get("outcome", "done") != "unserved",
                note=data.get("note", ""),
            )
            notice = f"{ticket.code}号办理结束（{ticket.get_status_display()}）。"
        elif action == "transfer":
            to_window = data.get("to_window", "")
            result = services.ticket_transfer(
                window=window,
                ticket_id=ticket_id,
                by=user,
                to_group=data.get("to_group", "") if not to_window else "",
                to_window_id=int(to_window) if to_window.isdigit() else None,
                reason=data.get("reason", ""),
            )
            notice, warning = f"{result.ticket.code}号已转移（号码不变）。", result.warning
    except ServiceError as exc:
        error = exc.message + (
            "：" + "；".join(exc.fields.values())
            if exc.fields and exc.message not in exc.fields.values()
            else ""
        )
        status = exc.status  # a refusal is a real 4xx: htmx-errors.js swaps it in and focuses the message
    if request.htmx:
        return render(
            request,
            "queueing/_workbench_panel.html",
            _workbench_context(window, notice=notice, error=error, warning=warning),
            status=status,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice + warning)
    return redirect("queueing:workbench", window_id=window.pk)


# --- staff: figures and slots -------------------------------------------------------------------------


def _date_param(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
@page_errors
def figures(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = access_figures_centre(request.user, centre_id)
    today = timezone.localdate()
    date_from = _date_param(request.GET.get("date_from"), today)
    date_to = _date_param(request.GET.get("date_to"), date_from)
    if date_to < date_from or (date_to - date_from).days > 366:
        date_to = date_from
    data = selectors.figures(centre, date_from, date_to)
    return render(
        request,
        "queueing/figures.html",
        {
            "centre": centre,
            "data": data,
            "date_from": date_from,
            "date_to": date_to,
            "chart": {
                "hours": [r["key"] for r in data["by_hour"]],
                "issued": [r["issued"] for r in data["by_hour"]],
                "wait": [r["avg_wait_minutes"] for r in data["by_hour"]],
                "service": [r["avg_service_minutes"] for r in data["by_hour"]],
            },
        },
    )


@login_required
@page_errors
def slots(request: HttpRequest, centre_id: int) -> HttpResponse:
    """The centre's appointment slots; the director adds them for a range of working days."""
    centre = access_queue_centre(request.user, centre_id, operate=False)
    can_manage = can_manage_centre(request.user, centre)
    error = None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("只有本中心主任可以设置预约时段。")
        data = request.POST
        try:
            periods = [
                (dt.time.fromisoformat(a), dt.time.fromisoformat(b))
                for a, b in (
                    p.split("-", 1)
                    for p in data.get("periods", "").replace("，", ",").split(",")
                    if p.strip()
                )
            ]
        except ValueError:
            periods = []
        try:
            if not periods:
                raise field_error("periods", "时段格式应为 09:00-10:00，多个时段用逗号分隔。")
            created = services.slots_generate(
                centre=centre,
                group=data.get("group", ""),
                date_from=_date_param(data.get("date_from"), dt.date.min),
                date_to=_date_param(data.get("date_to"), dt.date.min),
                periods=periods,
                capacity=int(data.get("capacity") or 0),
                by=request.user,
            )
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, f"已新增 {len(created)} 个预约时段。")
            return redirect("queueing:slots", centre_id=centre.pk)
    upcoming = selectors.upcoming_slots(centre)
    return render(
        request,
        "queueing/slots.html",
        {
            "centre": centre,
            "slots": upcoming,
            "groups": services.business_groups(centre),
            "can_manage": can_manage,
            "error": error,
            "form": request.POST if error else {},
        },
        status=400 if error else 200,
    )


# --- public: kiosk and phone ---------------------------------------------------------------------------


def _choice(centre: Any, request: HttpRequest) -> dict[str, Any] | None:
    """The matter or group picked in step one (from the query string or the form)."""
    source = request.POST if request.method == "POST" else request.GET
    options = selectors.issue_options(centre)
    if source.get("matter", "").isdigit():
        matter = next((m for m in options["matters"] if m["id"] == int(source["matter"])), None)
        return {"matter": matter["id"], "label": matter["name"]} if matter else None
    if source.get("group"):
        label = dict(options["groups"]).get(source["group"])
        return {"group": source["group"], "label": label} if label else None
    return None


def _public_issue(request: HttpRequest, centre_id: int, *, source: str, template: str) -> HttpResponse:
    centre = public_centre(centre_id)
    choice = _choice(centre, request)
    context: dict[str, Any] = {"centre": centre, "options": selectors.issue_options(centre), "choice": choice}
    if request.method == "POST" and choice is not None:
        try:
            result = services.ticket_issue(
                centre=centre,
                matter_id=choice.get("matter"),
                group=choice.get("group", ""),
                phone=request.POST.get("phone", ""),
                id_number=request.POST.get("id_number", ""),
                source=source,
            )
        except ServiceError as exc:
            context.update(error=exc, form=request.POST)
            return render(request, template, context, status=400)
        target = "queueing:ticket_print" if source == TicketSource.KIOSK else "queueing:follow"
        return redirect(target, token=result.ticket.public_token)
    return render(request, template, context)


@never_cache
@page_errors
def kiosk(request: HttpRequest, centre_id: int) -> HttpResponse:
    """自助取号机 (SITE-7): the hall has one kiosk, /portal/kiosk/<区划代码>/; this former address of the
    queue's own kiosk leads there (permanently)."""
    centre = public_centre(centre_id)
    query = f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else ""
    return redirect(reverse("portal:kiosk_ticket", args=[centre.division.code]) + query, permanent=True)


@never_cache
@page_errors
def phone(request: HttpRequest, centre_id: int) -> HttpResponse:
    """手机取号: a phone number is required (one waiting ticket per number and day)."""
    return _public_issue(request, centre_id, source=TicketSource.PHONE, template="queueing/phone.html")


def _ticket_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    return selectors.ticket_context(request, ticket)


@never_cache
@page_errors
def ticket_print(request: HttpRequest, token: str) -> HttpResponse:
    """The 80 mm thermal printout: centre, number, matter, people ahead, time, QR to follow on a phone."""
    ticket = public_ticket(token)
    return render(
        request,
        "queueing/ticket_print.html",
        {**_ticket_context(request, ticket), "autoprint": request.GET.get("print") != "0"},
    )


@never_cache
@page_errors
def follow(request: HtmxHttpRequest, token: str) -> HttpResponse:
    ticket = public_ticket(token)
    template = "queueing/_follow_status.html" if request.htmx else "queueing/follow.html"
    return render(request, template, _ticket_context(request, ticket))


@require_POST
@page_errors
def follow_cancel(request: HttpRequest, token: str) -> HttpResponse:
    ticket = public_ticket(token)
    try:
        services.ticket_cancel(ticket=ticket)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("queueing:follow", token=ticket.public_token)


# --- public: display screens ---------------------------------------------------------------------------


@never_cache
@page_errors
def screen(request: HttpRequest, centre_id: int) -> HttpResponse:
    """The hall's big screen (SITE-7 电子显示屏, NET-3 rolling notices)."""
    centre = public_centre(centre_id)
    snap = selectors.display_snapshot(centre)
    pinned, rolling = selectors.split_notices(snap["notices"])
    return render(
        request,
        "queueing/screen.html",
        {
            "centre": centre,
            "snap": snap,
            "pinned": pinned,
            "rolling": rolling,
            "columns": selectors.screen_columns(len(snap["windows"])),
            "voice": selectors.voice_mode(centre),
        },
    )


@never_cache
@page_errors
def window_screen(request: HttpRequest, centre_id: int, number: int) -> HttpResponse:
    centre = public_centre(centre_id)
    window = centre.windows.filter(number=number, is_active=True).first()
    if window is None:
        raise Http404
    snap = selectors.display_snapshot(centre)
    row = next(w for w in snap["windows"] if w["number"] == window.number)
    return render(request, "queueing/window_screen.html", {"centre": centre, "window": window, "row": row})


@never_cache
@require_GET
@page_errors
def screen_events(request: HttpRequest, centre_id: int) -> HttpResponseBase:
    """SSE: a snapshot, then every call, recall, issue, window change of the centre, from any process."""
    centre = public_centre(centre_id)
    return event_stream(
        request, [services.topic(centre.pk, "*")], initial=lambda: selectors.display_snapshot(centre)
    )


# --- public: appointments --------------------------------------------------------------------------------


@never_cache
@page_errors
def book(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = public_centre(centre_id)
    matters = [m for m in selectors.issue_options(centre)["matters"] if m["supports_appointment"]]
    context: dict[str, Any] = {
        "centre": centre,
        "matters": matters,
        "slots": selectors.open_slots(centre),
        "labels": selectors.queue_labels(centre),
    }
    if request.method == "POST":
        data = request.POST
        try:
            booking = services.appointment_book(
                slot_id=int(data.get("slot") or 0),
                matter_id=int(data.get("matter") or 0),
                name=data.get("name", ""),
                phone=data.get("phone", ""),
                id_number=data.get("id_number", ""),
            )
        except (ServiceError, ValueError) as exc:
            err = exc if isinstance(exc, ServiceError) else field_error("slot", "请选择时段和事项。")
            context.update(error=err, form=data)
            return render(request, "queueing/book.html", context, status=400)
        return render(request, "queueing/book_done.html", {"centre": centre, "booking": booking})
    return render(request, "queueing/book.html", context)
