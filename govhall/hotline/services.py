"""12345 work orders: every change, atomic and audited; each step reported to the 12345 platform through the
exchange outbox (target 12345热线平台: signed, retried, in order per order) in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.accounts.models import UnitKind
from govhall.cases.models import Case
from govhall.core import provisional
from govhall.core.audit import audit_record
from govhall.core.calendar import Deadline, deadline
from govhall.core.errors import Conflict, NotFound, field_error
from govhall.core.events import publish_on_commit
from govhall.core.ids import normalize_mobile
from govhall.core.workflow import Action, Done, Lifecycle, Written, anyone, nothing
from govhall.exchange.models import SyncKind
from govhall.exchange.sync import sync_enqueue
from govhall.hotline.models import (
    Category,
    ExtensionStatus,
    HotlineOrder,
    HotlineSettings,
    HotlineStep,
    Source,
    Status,
    StepKind,
    VisitResult,
)
from govhall.hotline.policy import require_direct, require_dispatch, require_manage_settings, require_reply
from govhall.orgs.models import Centre

TEXT_MAX = 2000
REPORTED_STEPS = {k for k in StepKind.values if k != StepKind.RECEIVE}  # 12345 sent it: nothing to report


def _now() -> dt.datetime:
    return timezone.now()


def _t(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else None


# --- settings --------------------------------------------------------------------------------------------


def hotline_settings() -> HotlineSettings:
    """The bureau's row, or the built-in defaults (never saved) until it is saved once."""
    return HotlineSettings.objects.filter(pk=1).first() or HotlineSettings(pk=1)


SETTING_FIELDS = ("handle_days", "max_extension_days", "convert_bad_reviews")


@transaction.atomic
def hotline_settings_save(*, actor: Any, values: dict[str, Any]) -> HotlineSettings:
    require_manage_settings(actor)
    row = HotlineSettings.objects.select_for_update().filter(pk=1).first() or HotlineSettings(pk=1)
    before = {f: getattr(row, f) for f in SETTING_FIELDS}
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], f"没有这项设置：{'、'.join(sorted(unknown))}。")
    for name in ("handle_days", "max_extension_days"):
        if name in values:
            value = values[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 30:
                raise field_error(name, "期限应为1至30个工作日。")
            setattr(row, name, value)
    if "convert_bad_reviews" in values:
        if not isinstance(values["convert_bad_reviews"], bool):
            raise field_error("convert_bad_reviews", "应为是或否。")
        row.convert_bad_reviews = values["convert_bad_reviews"]
    row.save()
    audit_record(
        action="hotline.settings",
        obj=row,
        before=before,
        after={f: getattr(row, f) for f in SETTING_FIELDS},
        actor=actor,
    )
    return row


# --- steps -----------------------------------------------------------------------------------------------


def _staff_id(user: Any) -> str | None:
    return (getattr(user, "staff_no", None) or None) if user is not None else None


def step_payload(order: HotlineOrder, step: HotlineStep) -> dict[str, Any]:
    """What the 12345 platform receives for one step (docs/exchange.md, 12345 工单)."""
    centre = order.centre
    return {
        "orderNumber": order.number,
        "source": order.source,
        "step": step.kind,
        "stepName": step.get_kind_display(),
        "at": _t(step.at),
        "staffId": _staff_id(step.actor),
        "centreCode": centre.division.code if centre is not None else None,
        "centreName": centre.name if centre is not None else None,
        "status": order.status,
        "statusName": order.get_status_display(),
        "dueAt": _t(order.due_at),
        "note": step.note or None,
        **step.data,
    }


def _step(
    order: HotlineOrder,
    kind: str,
    *,
    actor: Any,
    now: dt.datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    sent: dict[str, Any] | None = None,
) -> HotlineStep:
    """Record one step: its row, its audit entry, its record for the 12345 platform, an event for the
    board. Called inside the service's transaction, after the order is saved. `sent`: keys only the platform
    gets (personal data: kept in the SM4-encrypted outbox payload, never in the step row or the audit)."""
    step = HotlineStep.objects.create(
        order=order,
        kind=kind,
        actor=actor,
        actor_label=str(actor)[:80] if actor is not None else "",
        at=now,
        note=note,
        data=data or {},
    )
    audit_record(
        action=f"hotline.{kind}",
        obj=order,
        before=before,
        after={"status": order.status, "step": kind, **(data or {})},
        actor=actor,
    )
    if kind in REPORTED_STEPS:
        payload = {**step_payload(order, step), **(sent or {})}
        sync_enqueue(kind=SyncKind.HOTLINE, obj=order, dataset=kind, payload=payload)
    if order.centre_id:
        publish_on_commit(f"hotline.centre.{order.centre_id}.changed", {"order": order.pk, "step": kind})
    return step


def _lock(order: HotlineOrder) -> HotlineOrder:
    return (
        HotlineOrder.objects.select_for_update(of=("self",))
        .select_related("centre", "centre__division", "handler")
        .get(pk=order.pk)
    )


def _text(value: Any, field: str, what: str, *, limit: int = TEXT_MAX) -> str:
    text = str(value or "").strip()
    if not text:
        raise field_error(field, f"请填写{what}。")
    if len(text) > limit:
        raise field_error(field, f"{what}不能超过{limit}字（现为{len(text)}字）。")
    return text


# --- receiving ---------------------------------------------------------------------------------------------


def _centre_by_code(code: str) -> Centre:
    centre = Centre.objects.select_related("division").filter(division__code=code, is_active=True).first()
    if centre is None:
        raise field_error("centreCode", f"没有区划代码为“{code}”的服务中心。", code="centre_not_found")
    return centre


def order_receive(
    *,
    number: str,
    category: str,
    title: str,
    content: str,
    citizen_name: str = "",
    citizen_phone: str = "",
    centre_code: str = "",
    case_number: str = "",
    city_due_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> tuple[HotlineOrder, bool]:
    """A work order pushed by the 12345 platform. Idempotent on its 工单编号: a repeat returns the order already
    received (and False). When the platform names the centre (区划代码) or a case of ours, the order is
    dispatched to that centre at once; otherwise it waits for the bureau's 派单."""
    now = now or _now()
    number = str(number or "").strip()
    if not number or len(number) > 40:
        raise field_error("orderNumber", "工单编号不能为空，且不超过40个字符。")
    existing = HotlineOrder.objects.filter(number=number).first()
    if existing is not None:
        return existing, False
    if category not in Category.values:
        raise field_error(
            "category", "工单类别应为：" + "、".join(f"{v}（{label}）" for v, label in Category.choices)
        )
    title_v = _text(title, "title", "标题", limit=200)
    content_v = _text(content, "content", "诉求内容")
    phone = ""
    if str(citizen_phone or "").strip():
        try:
            phone = normalize_mobile(citizen_phone)
        except ValidationError:
            phone = str(citizen_phone).strip()[:20]  # a landline: kept as given
    centre = _centre_by_code(centre_code.strip()) if centre_code and centre_code.strip() else None
    case = None
    if case_number and case_number.strip():
        case = Case.objects.select_related("handling_centre").filter(number=case_number.strip()).first()
        if case is None:
            raise NotFound(
                f"未找到办件编号为“{case_number.strip()}”的办件，工单未接收。",
                code="case_not_found",
                fields={"caseNumber": "本系统没有该办件"},
            )
        centre = centre or case.handling_centre
    try:
        with transaction.atomic():
            order = HotlineOrder.objects.create(
                number=number,
                source=Source.CITY,
                category=category,
                title=title_v,
                content=content_v,
                citizen_name=str(citizen_name or "").strip()[:50],
                citizen_phone=phone,
                city_due_date=city_due_date,
                case=case,
                received_at=now,
            )
            _step(order, StepKind.RECEIVE, actor=None, now=now, data={"category": category})
            if centre is not None:  # placed by the platform: no 派单 by the bureau to check
                ORDER.perform(ORDER.actions["dispatch"], order, actor=None, now=now, centre=centre)
    except IntegrityError:
        existing = HotlineOrder.objects.filter(number=number).first()
        if existing is None:
            raise
        return existing, False  # the same push arrived twice at once
    return order, True


# --- the lifecycle: one table of actions, applied one way (core.workflow) -------------------------------


def _set_due(order: HotlineOrder, due: Deadline) -> tuple[str, ...]:
    """The 承办 deadline; provisional (暂定, STD-3) where it reaches a year whose holidays are unknown, and then
    recomputed when the bureau enters that year (`track_deadlines`)."""
    if due.provisional or order.due_waits_for is not None:
        return tuple(provisional.apply(order, "due_at", due))
    order.due_at = due.at
    return ("due_at",)


def _write_dispatch(order: HotlineOrder, *, actor: Any, now: dt.datetime, centre: Centre) -> Written:
    order.centre, order.status, order.dispatched_at = centre, Status.DISPATCHED, now
    return Written(data={"centreName": centre.name}, fields=("centre", "status", "dispatched_at"))


def _write_assign(order: HotlineOrder, *, actor: Any, now: dt.datetime, handler: Any) -> Written:
    if (
        handler is None
        or not handler.is_active
        or handler.unit_kind != UnitKind.CENTRE
        or handler.centre_id != order.centre_id
    ):
        raise field_error(
            "handler", f"承办人应为{order.centre.name if order.centre else '承办中心'}的在岗工作人员。"
        )
    due: tuple[str, ...] = ()
    if order.status == Status.DISPATCHED:
        due = _set_due(order, deadline(now, hotline_settings().handle_days))
    order.handler, order.status, order.assigned_at = handler, Status.HANDLING, now
    return Written(
        data={"handlerStaffId": _staff_id(handler), "handlerName": handler.full_name or str(handler)},
        fields=("handler", "status", "assigned_at", *due),
    )


def _write_reply(order: HotlineOrder, *, actor: Any, now: dt.datetime, text: str) -> Written:
    text_v = _text(text, "text", "回复内容")
    order.reply_text, order.replied_at, order.status = text_v, now, Status.REPLIED
    if order.extension_status == ExtensionStatus.PENDING:
        order.extension_status = ExtensionStatus.NONE  # answered: the request lapses
    return Written(
        data={"reply": text_v, "overdue": bool(order.due_at and now > order.due_at)},
        fields=("reply_text", "replied_at", "status", "extension_status"),
    )


def _write_extension_request(
    order: HotlineOrder, *, actor: Any, now: dt.datetime, days: Any, reason: str
) -> Written:
    limit = hotline_settings().max_extension_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= limit:
        raise field_error("days", f"延期天数应为1至{limit}个工作日。")
    reason_v = _text(reason, "reason", "延期理由", limit=500)
    order.extension_status, order.extension_days, order.extension_reason = (
        ExtensionStatus.PENDING,
        days,
        reason_v,
    )
    return Written(
        data={"days": days}, note=reason_v, fields=("extension_status", "extension_days", "extension_reason")
    )


def _write_extension_decide(
    order: HotlineOrder, *, actor: Any, now: dt.datetime, approve: bool, note: str
) -> Written:
    note_v = str(note or "").strip()[:500]
    if not approve and not note_v:
        raise field_error("note", "不同意延期时请说明理由。")
    due: tuple[str, ...] = ("due_at",)
    if approve and order.due_at is not None:
        days = order.extension_days or 0
        moved = (
            provisional.extend(order, "due_at", days) if order.due_waits_for else deadline(order.due_at, days)
        )
        due = _set_due(order, moved)
    order.extension_status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    return Written(
        data={"approved": approve, "days": order.extension_days},
        note=note_v,
        fields=(*due, "extension_status"),
    )


def _write_return(order: HotlineOrder, *, actor: Any, now: dt.datetime, reason: str) -> Written:
    reason_v = _text(reason, "reason", "退单理由", limit=500)
    order.status, order.returned_at, order.return_reason = Status.RETURNED, now, reason_v
    return Written(
        data={"reason": reason_v}, note=reason_v, fields=("status", "returned_at", "return_reason")
    )


def _write_visit(order: HotlineOrder, *, actor: Any, now: dt.datetime, result: str, note: str) -> Written:
    if result not in VisitResult.values:
        raise field_error("result", "回访结果应为满意、基本满意或不满意。")
    note_v = str(note or "").strip()[:TEXT_MAX]
    if result == VisitResult.DISSATISFIED and not note_v:
        raise field_error("note", "回访不满意时请填写情况说明。")
    order.visited_at, order.visit_result, order.visit_note = now, result, note_v
    due: tuple[str, ...] = ()
    if result == VisitResult.DISSATISFIED:  # 重办: back to the clerk with a fresh deadline
        order.status = Status.HANDLING
        due = _set_due(order, deadline(now, hotline_settings().handle_days))
    else:
        order.status, order.closed_at = Status.CLOSED, now
    return Written(
        data={
            "result": result,
            "resultName": VisitResult(result).label,
            "reopened": result == VisitResult.DISSATISFIED,
        },
        note=note_v,
        fields=("visited_at", "visit_result", "visit_note", "status", "closed_at", *due),
    )


def _no_pending_extension(order: HotlineOrder) -> Conflict | None:
    if order.extension_status == ExtensionStatus.PENDING:
        return Conflict("已有一项延期申请待审批。", code="extension_pending")
    return None


def _pending_extension(order: HotlineOrder) -> Conflict | None:
    if order.extension_status != ExtensionStatus.PENDING:
        return Conflict("该工单没有待审批的延期申请。", code="wrong_state")
    return None


def _may_dispatch(actor: Any, order: HotlineOrder) -> None:
    require_dispatch(actor)


def _may_return(actor: Any, order: HotlineOrder) -> None:
    """Before 派单 the bureau returns an order; after, the centre's director."""
    if order.status == Status.RECEIVED:
        require_dispatch(actor)
    else:
        require_direct(actor, order)


def _record(order: HotlineOrder, done: Done) -> None:
    w = done.written
    _step(
        order, done.action.step, actor=done.actor, now=done.now, note=w.note, before=done.before, data=w.data
    )


S = Status
ORDER: Lifecycle[HotlineOrder] = Lifecycle(
    actions={
        "dispatch": Action(
            StepKind.DISPATCH, "派单", frozenset({S.RECEIVED}), _may_dispatch, _write_dispatch
        ),
        "assign": Action(
            StepKind.ASSIGN,
            "指定承办人",
            frozenset({S.DISPATCHED, S.HANDLING}),
            require_direct,
            _write_assign,
            before=lambda o: {"status": o.status, "handler": o.handler_id},
        ),
        "reply": Action(StepKind.REPLY, "回复", frozenset({S.HANDLING}), require_reply, _write_reply),
        "extend": Action(
            StepKind.EXTEND,
            "申请延期",
            frozenset({S.HANDLING}),
            require_reply,
            _write_extension_request,
            guard=_no_pending_extension,
            before=nothing,
        ),
        "extend_decide": Action(
            StepKind.EXTEND_DECIDE,
            "审批延期",
            None,
            require_direct,
            _write_extension_decide,
            guard=_pending_extension,
            before=lambda o: {"due_at": o.due_at},
        ),
        "return": Action(
            StepKind.RETURN,
            "退单",
            frozenset({S.RECEIVED, S.DISPATCHED, S.HANDLING}),
            _may_return,
            _write_return,
        ),
        "visit": Action(StepKind.VISIT, "登记回访结果", frozenset({S.REPLIED}), require_direct, _write_visit),
        # the same 回访, pushed by the 12345 platform (its signature was checked by the endpoint)
        "visit_city": Action(StepKind.VISIT, "登记回访结果", frozenset({S.REPLIED}), anyone, _write_visit),
    },
    lock=_lock,
    state=lambda o: {"status": o.status},
    record=_record,
)


def track_deadlines() -> None:
    """Declare the 承办 deadline as one that may be provisional (from HotlineConfig.ready)."""
    provisional.track(
        HotlineOrder, "due_at", flag="due_waits_for", is_open=lambda o: o.status == Status.HANDLING
    )


def order_dispatch(
    *, order: HotlineOrder, actor: Any, centre: Centre, now: dt.datetime | None = None
) -> HotlineOrder:
    """派单: the bureau sends an order the platform did not place to a centre."""
    return ORDER.apply("dispatch", order, actor=actor, now=now or _now(), centre=centre)


def order_assign(
    *, order: HotlineOrder, actor: Any, handler: Any, now: dt.datetime | None = None
) -> HotlineOrder:
    """承办: the director names the clerk; the order is due `handle_days` working days later."""
    return ORDER.apply("assign", order, actor=actor, now=now or _now(), handler=handler)


def order_reply(
    *, order: HotlineOrder, actor: Any, text: str, now: dt.datetime | None = None
) -> HotlineOrder:
    """回复: what was done, for the 12345 platform to tell the citizen."""
    return ORDER.apply("reply", order, actor=actor, now=now or _now(), text=text)


def order_extension_request(
    *, order: HotlineOrder, actor: Any, days: Any, reason: str, now: dt.datetime | None = None
) -> HotlineOrder:
    """延期申请: more working days, for the director to approve."""
    return ORDER.apply("extend", order, actor=actor, now=now or _now(), days=days, reason=reason)


def order_extension_decide(
    *, order: HotlineOrder, actor: Any, approve: bool, note: str = "", now: dt.datetime | None = None
) -> HotlineOrder:
    """延期审批 by the director: approved → the deadline moves by the working days asked for."""
    return ORDER.apply("extend_decide", order, actor=actor, now=now or _now(), approve=approve, note=note)


def order_return(
    *, order: HotlineOrder, actor: Any, reason: str, now: dt.datetime | None = None
) -> HotlineOrder:
    """退单: not this hall's business (the reason goes back to the 12345 platform, which re-routes it)."""
    return ORDER.apply("return", order, actor=actor, now=now or _now(), reason=reason)


def order_visit(
    *, order: HotlineOrder, actor: Any, result: str, note: str = "", now: dt.datetime | None = None
) -> HotlineOrder:
    """回访 result recorded by the director or the bureau admin (e.g. told by phone)."""
    return ORDER.apply("visit", order, actor=actor, now=now or _now(), result=result, note=note)


@transaction.atomic
def order_visit_from_city(
    *, number: str, result: str, note: str = "", now: dt.datetime | None = None
) -> HotlineOrder:
    """回访 result pushed by the 12345 platform (signed). A repeat of the same result changes nothing."""
    now = now or _now()
    row = HotlineOrder.objects.filter(number=str(number or "").strip()).first()
    if row is None:
        raise NotFound("没有该工单编号的12345工单。", code="order_not_found")
    order = _lock(row)
    if order.visited_at is not None and order.visit_result == result and order.status != Status.REPLIED:
        return order  # the platform repeated its push
    return ORDER.apply("visit_city", order, actor=None, now=now, result=result, note=note)


# --- a 差评 becomes a 12345 work order (where the bureau's setting says so) ------------------------------


def on_bad_review_opened(*, order: Any) -> None:
    """Connected to `reviews.services.bad_review_opened` (HotlineConfig.ready()): inside the transaction that
    opens the 差评 work order."""
    if not hotline_settings().convert_bad_reviews:
        return
    rating = order.rating
    now = order.created_at
    centre = Centre.objects.select_related("division").get(pk=order.centre_id)
    text = rating.text or rating.get_level_display()
    hotline = HotlineOrder.objects.create(
        number=f"HP{order.number}",
        source=Source.REVIEW,
        category=Category.COMPLAINT,
        title=f"差评转办：{centre.name}（{rating.get_level_display()}）",
        content=text,
        citizen_name=rating.rater_name if rating.real_name else "",
        citizen_phone=rating.rater_phone if rating.real_name else "",
        case_id=rating.case_id,
        review_order=order,
        centre=centre,
        status=Status.DISPATCHED,
        received_at=now,
        dispatched_at=now,
    )
    _step(
        hotline,
        StepKind.CREATE,
        actor=None,
        now=now,
        data={
            "category": Category.COMPLAINT,
            "title": hotline.title,
            "content": text,
            "reviewOrderNumber": order.number,
            "caseNumber": rating.subject_number,  # the case's, or the 一件事办件's for a rating of the whole thing
            "level": str(rating.level),
            "ratedAt": _t(rating.created_at),
        },
        # the hotline calls the citizen back (回访): it gets the real-name rater's name and phone
        sent={"citizenName": hotline.citizen_name or None, "citizenPhone": hotline.citizen_phone or None},
    )
