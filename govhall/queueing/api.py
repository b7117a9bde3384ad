"""Queue API (/api/v1/queueing/): for kiosks, screens, phones, clerks' tools and the benchmarks.

Operations need a staff token (or a staff session); the centre options, the display snapshot, a ticket
followed by its token and appointment slots are public."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from govhall.core.api_params import Id, Mapped, paged
from govhall.core.errors import field_error
from govhall.core.ids import mask_id_card, mask_mobile
from govhall.orgs.policy import require_manage_centre
from govhall.queueing import selectors, services
from govhall.queueing.models import AppointmentSlot, Ticket, TicketSource, WindowState, WindowStatus
from govhall.queueing.policy import (
    access_figures_centre,
    access_queue_centre,
    access_ticket,
    access_window,
    public_centre,
    public_ticket,
)

router = Router(tags=["排队叫号"])


# --- schemas ---------------------------------------------------------------------------------------


class PingOut(Schema):
    ok: bool
    time: str


class IssueIn(Schema):
    matter_id: Id | None = None
    group: str = ""
    priority_reason: str = ""
    priority_note: str = ""
    phone: str = ""
    id_number: str = ""
    source: str = TicketSource.API


class TicketOut(Schema):
    id: int
    code: str
    status: str
    status_label: str
    queue: str
    matter_id: int | None
    matter: str
    business_group: str
    priority: bool
    priority_reason: str
    window: int | None
    issued_at: dt.datetime
    called_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    recall_count: int
    transfer_count: int
    phone: str
    id_number: str
    close_note: str


class IssueOut(Schema):
    """The new ticket. Those ahead and the estimated wait are read from the follow API
    (`/public/tickets/{follow_token}`), not computed while issuing."""

    ticket: TicketOut
    follow_token: str
    warnings: list[str]


class PublicTicketOut(Schema):
    code: str
    centre: str
    status: str
    status_label: str
    matter: str
    window: int | None
    ahead: int
    wait_minutes: int
    issued_at: dt.datetime


class QueueWindowOut(Schema):
    id: int
    number: int
    name: str
    window_class: str
    status: str
    reason: str
    note: str
    since: dt.datetime | None
    ticket: str | None


class PauseIn(Schema):
    reason: str
    note: str = ""


class TransferIn(Schema):
    to_group: str = ""
    to_window_id: Id | None = None
    reason: str = ""


class TransferOut(Schema):
    ticket: TicketOut
    warning: str


class TicketFinishIn(Schema):
    served: bool = True
    note: str = ""


class CallOut(Schema):
    ticket: TicketOut | None
    message: str


class OptionOut(Schema):
    key: str
    label: str


class MatterOptionOut(Schema):
    id: int
    code: str
    name: str
    queue: str
    supports_appointment: bool


class OptionsOut(Schema):
    centre: str
    groups: list[OptionOut]
    matters: list[MatterOptionOut]
    priority_reasons: list[OptionOut]


class SlotIn(Schema):
    group: str
    date: dt.date
    start: dt.time
    end: dt.time
    capacity: int


class SlotOut(Schema):
    id: int
    queue: str
    date: dt.date
    start: dt.time
    end: dt.time
    capacity: int
    remaining: int


class BookingIn(Schema):
    slot_id: Id
    matter_id: Id
    name: str
    phone: str
    id_number: str = ""


class BookingOut(Schema):
    code: str
    status: str
    slot: SlotOut
    matter: str


class CheckInIn(Schema):
    code: str


class CancelBookingIn(Schema):
    code: str
    phone: str


def ticket_out(t: Ticket) -> TicketOut:
    return TicketOut(
        id=t.pk,
        code=t.code,
        status=t.status,
        status_label=t.get_status_display(),
        queue=services.QueueKey(t.window_class, t.department_id).key,
        matter_id=t.matter_id,
        matter=t.matter.name if t.matter is not None else "",
        business_group=t.business_group,
        priority=t.priority,
        priority_reason=t.priority_reason,
        window=t.window_number,
        issued_at=t.issued_at,
        called_at=t.called_at,
        started_at=t.started_at,
        finished_at=t.finished_at,
        recall_count=t.recall_count,
        transfer_count=t.transfer_count,
        phone=mask_mobile(t.phone) if t.phone else "",
        id_number=mask_id_card(t.id_number) if t.id_number else "",
        close_note=t.close_note,
    )


def slot_out(s: AppointmentSlot) -> SlotOut:
    return SlotOut(
        id=s.pk,
        queue=services.QueueKey(s.window_class, s.department_id).key,
        date=s.date,
        start=s.start,
        end=s.end,
        capacity=s.capacity,
        remaining=s.remaining,
    )


def _issue_out(result: services.IssueResult) -> IssueOut:
    return IssueOut(
        ticket=ticket_out(result.ticket),
        follow_token=result.ticket.public_token,
        warnings=result.warnings,
    )


# --- public ----------------------------------------------------------------------------------------


@router.get("/ping", response=PingOut, auth=None, summary="连通性检查（最简接口，用于基准对比）")
def ping(request: HttpRequest) -> PingOut:
    return PingOut(ok=True, time=timezone.now().isoformat())


@router.get(
    "/centres/{centre_id}/options",
    response={200: OptionsOut},
    auth=None,
    summary="取号选项：业务类别、事项、优先情形（自助取号机、手机）",
)
def options(request: HttpRequest, centre_id: Id) -> OptionsOut:
    centre = public_centre(centre_id)
    data = selectors.issue_options(centre)
    return OptionsOut(
        centre=centre.name,
        groups=[OptionOut(key=k, label=v) for k, v in data["groups"]],
        matters=[MatterOptionOut(**m) for m in data["matters"]],
        priority_reasons=[OptionOut(key=k, label=v) for k, v in data["priority_reasons"]],
    )


@router.get(
    "/centres/{centre_id}/display",
    response={200: dict[str, Any]},
    auth=None,
    summary="显示屏数据：各窗口当前叫号、最近叫号、各类等候人数、平均等候、滚动公告",
)
def display(request: HttpRequest, centre_id: Id) -> dict[str, Any]:
    return selectors.display_snapshot(public_centre(centre_id))


@router.get(
    "/public/tickets/{token}",
    response={200: PublicTicketOut},
    auth=None,
    summary="凭排队号上的二维码查询排队进度",
)
def follow(request: HttpRequest, token: str) -> PublicTicketOut:
    t = public_ticket(token)
    pos = selectors.ticket_position(t)
    return PublicTicketOut(
        code=t.code,
        centre=t.centre.name,
        status=t.status,
        status_label=t.get_status_display(),
        matter=t.matter_label,
        window=t.window_number,
        ahead=pos["ahead"],
        wait_minutes=pos["wait_minutes"],
        issued_at=t.issued_at,
    )


@router.post(
    "/public/tickets/{token}/cancel", response={200: PublicTicketOut}, auth=None, summary="办事人取消排队号"
)
def follow_cancel(request: HttpRequest, token: str) -> PublicTicketOut:
    services.ticket_cancel(ticket=public_ticket(token))
    return follow(request, token)


@router.get("/centres/{centre_id}/slots", response={200: list[SlotOut]}, auth=None, summary="可预约时段")
@paged
def slots(request: HttpRequest, centre_id: Id, date: dt.date | None = None) -> Any:
    return Mapped(selectors.open_slots(public_centre(centre_id), date=date), slot_out)


@router.post(
    "/appointments/cancel", response={200: BookingOut}, auth=None, summary="取消预约（预约码 + 手机号码）"
)
def booking_cancel(request: HttpRequest, payload: CancelBookingIn) -> BookingOut:
    b = services.appointment_cancel(code=payload.code, phone=payload.phone)
    return BookingOut(code=b.code, status=b.status, slot=slot_out(b.slot), matter=b.matter.name)


# --- tickets ---------------------------------------------------------------------------------------


@router.post("/centres/{centre_id}/tickets", response={201: IssueOut}, summary="取号")
def issue(request: HttpRequest, centre_id: Id, payload: IssueIn) -> Status[IssueOut]:
    centre = access_queue_centre(request.user, centre_id)
    result = services.ticket_issue(centre=centre, by=request.user, **payload.dict())
    return Status(201, _issue_out(result))


@router.get(
    "/centres/{centre_id}/tickets", response={200: list[TicketOut]}, summary="今日排队号（可按状态筛选）"
)
@paged
def tickets(request: HttpRequest, centre_id: Id, status: str = "") -> Any:
    centre = access_queue_centre(request.user, centre_id)
    qs = selectors.todays_tickets(centre)
    if status:
        qs = qs.filter(status=status)
    return Mapped(qs, ticket_out)


@router.get("/tickets/{ticket_id}", response={200: TicketOut}, summary="排队号详情")
def ticket_detail(request: HttpRequest, ticket_id: Id) -> TicketOut:
    return ticket_out(access_ticket(request.user, ticket_id))


@router.post("/tickets/{ticket_id}/reinstate", response={200: TicketOut}, summary="恢复过号")
def reinstate(request: HttpRequest, ticket_id: Id) -> TicketOut:
    return ticket_out(
        services.ticket_reinstate(ticket=access_ticket(request.user, ticket_id), by=request.user)
    )


@router.post("/tickets/{ticket_id}/cancel", response={200: TicketOut}, summary="取消排队号（导服台）")
def cancel(request: HttpRequest, ticket_id: Id) -> TicketOut:
    return ticket_out(services.ticket_cancel(ticket=access_ticket(request.user, ticket_id), by=request.user))


# --- windows ---------------------------------------------------------------------------------------


def window_out(w: Any, state: WindowState | None, current: Ticket | None) -> QueueWindowOut:
    return QueueWindowOut(
        id=w.pk,
        number=w.number,
        name=w.name,
        window_class=w.window_class,
        status=state.status if state else WindowStatus.CLOSED,
        reason=state.reason if state else "",
        note=state.note if state else "",
        since=state.since if state else None,
        ticket=current.code if current else None,
    )


def _window_state_out(window: Any) -> QueueWindowOut:
    return window_out(window, selectors.window_state(window), selectors.ticket_at_window(window))


@router.get("/centres/{centre_id}/windows", response={200: list[QueueWindowOut]}, summary="窗口及其状态")
@paged
def windows(request: HttpRequest, centre_id: Id) -> Any:
    centre = access_queue_centre(request.user, centre_id)
    ws = services.centre_windows(centre)
    states = selectors.window_states(ws)
    current = selectors.current_tickets(centre.pk)
    return [window_out(w, states.get(w.pk), current.get(w.pk)) for w in ws]


@router.post("/windows/{window_id}/open", response={200: QueueWindowOut}, summary="开始服务")
def window_open(request: HttpRequest, window_id: Id) -> QueueWindowOut:
    window = access_window(request.user, window_id)
    services.window_open(window=window, by=request.user)
    return _window_state_out(window)


@router.post("/windows/{window_id}/pause", response={200: QueueWindowOut}, summary="暂停服务（须说明原因）")
def window_pause(request: HttpRequest, window_id: Id, payload: PauseIn) -> QueueWindowOut:
    window = access_window(request.user, window_id)
    services.window_pause(window=window, reason=payload.reason, note=payload.note, by=request.user)
    return _window_state_out(window)


@router.post("/windows/{window_id}/resume", response={200: QueueWindowOut}, summary="恢复服务")
def window_resume(request: HttpRequest, window_id: Id) -> QueueWindowOut:
    window = access_window(request.user, window_id)
    services.window_resume(window=window, by=request.user)
    return _window_state_out(window)


@router.post("/windows/{window_id}/close", response={200: QueueWindowOut}, summary="结束服务")
def window_close(request: HttpRequest, window_id: Id) -> QueueWindowOut:
    window = access_window(request.user, window_id)
    services.window_close(window=window, by=request.user)
    return _window_state_out(window)


@router.post("/windows/{window_id}/call-next", response={200: CallOut}, summary="叫下一位")
def call_next(request: HttpRequest, window_id: Id) -> CallOut:
    window = access_window(request.user, window_id)
    ticket = services.ticket_call_next(window=window, by=request.user)
    if ticket is None:
        return CallOut(ticket=None, message="当前没有等候的办事人。")
    return CallOut(ticket=ticket_out(ticket), message=f"已呼叫{ticket.code}号。")


@router.post("/windows/{window_id}/tickets/{ticket_id}/recall", response={200: TicketOut}, summary="重呼")
def recall(request: HttpRequest, window_id: Id, ticket_id: Id) -> TicketOut:
    window = access_window(request.user, window_id)
    return ticket_out(services.ticket_recall(window=window, ticket_id=ticket_id, by=request.user))


@router.post("/windows/{window_id}/tickets/{ticket_id}/skip", response={200: TicketOut}, summary="过号")
def skip(request: HttpRequest, window_id: Id, ticket_id: Id) -> TicketOut:
    window = access_window(request.user, window_id)
    return ticket_out(services.ticket_skip(window=window, ticket_id=ticket_id, by=request.user))


@router.post("/windows/{window_id}/tickets/{ticket_id}/start", response={200: TicketOut}, summary="开始办理")
def start(request: HttpRequest, window_id: Id, ticket_id: Id) -> TicketOut:
    window = access_window(request.user, window_id)
    return ticket_out(services.ticket_start(window=window, ticket_id=ticket_id, by=request.user))


@router.post(
    "/windows/{window_id}/tickets/{ticket_id}/finish",
    response={200: TicketOut},
    summary="结束办理（办结或未办理）",
)
def finish(request: HttpRequest, window_id: Id, ticket_id: Id, payload: TicketFinishIn) -> TicketOut:
    window = access_window(request.user, window_id)
    return ticket_out(
        services.ticket_finish(
            window=window, ticket_id=ticket_id, by=request.user, served=payload.served, note=payload.note
        )
    )


@router.post(
    "/windows/{window_id}/tickets/{ticket_id}/transfer",
    response={200: TransferOut},
    summary="转移到其他类别或窗口（一票到底）",
)
def transfer(request: HttpRequest, window_id: Id, ticket_id: Id, payload: TransferIn) -> TransferOut:
    window = access_window(request.user, window_id)
    result = services.ticket_transfer(window=window, ticket_id=ticket_id, by=request.user, **payload.dict())
    return TransferOut(ticket=ticket_out(result.ticket), warning=result.warning)


# --- figures and appointments -------------------------------------------------------------------------


@router.get(
    "/centres/{centre_id}/figures",
    response={200: dict[str, Any]},
    summary="排队统计：每张号、每个窗口、每位工作人员、每类、每小时的等候与办理时间",
)
def figures(
    request: HttpRequest, centre_id: Id, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[str, Any]:
    centre = access_figures_centre(request.user, centre_id)
    today = timezone.localdate()
    date_from, date_to = date_from or today, date_to or date_from or today
    if date_to < date_from or (date_to - date_from).days > 366:
        raise field_error("date_to", "结束日期应不早于开始日期，且范围不超过一年。")
    return selectors.figures(centre, date_from, date_to)


@router.post("/centres/{centre_id}/slots", response={201: SlotOut}, summary="设置预约时段（中心主任）")
def slot_create(request: HttpRequest, centre_id: Id, payload: SlotIn) -> Status[SlotOut]:
    centre = access_queue_centre(request.user, centre_id, operate=False)
    require_manage_centre(request.user, centre)
    return Status(201, slot_out(services.slot_create(centre=centre, by=request.user, **payload.dict())))


@router.post("/appointments", response={201: BookingOut}, summary="代办事人预约")
def book(request: HttpRequest, payload: BookingIn) -> Status[BookingOut]:
    slot = selectors.slot_by_id(payload.slot_id)
    if slot is None:
        raise field_error("slot_id", "预约时段不存在。")
    access_queue_centre(request.user, slot.centre_id)
    b = services.appointment_book(**payload.dict())
    return Status(201, BookingOut(code=b.code, status=b.status, slot=slot_out(b.slot), matter=b.matter.name))


@router.post("/centres/{centre_id}/check-in", response={201: IssueOut}, summary="预约签到取号")
def check_in(request: HttpRequest, centre_id: Id, payload: CheckInIn) -> Status[IssueOut]:
    centre = access_queue_centre(request.user, centre_id)
    return Status(
        201, _issue_out(services.appointment_check_in(centre=centre, code=payload.code, by=request.user))
    )
