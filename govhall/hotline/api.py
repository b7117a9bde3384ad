"""/api/v1/hotline/: 12345 work orders (国办发〔2020〕53号).

Staff (session or token): the list, one order with its steps, each step (派单, 承办, 回复, 延期申请 and its
approval, 退单, 回访), the bureau's settings. The 12345 platform (signed, `exchange.inbound`): push a work
order (idempotent on its 工单编号) and a return-visit result. Errors are `{code, message, fields}`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from govhall.core.api_params import Id, Page
from govhall.core.calendar import provisional_note
from govhall.core.errors import field_error
from govhall.exchange.inbound import SignedInbound
from govhall.hotline import selectors, services
from govhall.hotline.models import Category, HotlineOrder, HotlineStep, VisitResult
from govhall.hotline.policy import access_order, require_manage_settings

router = Router(tags=["12345工单"])


class HotlineStepOut(Schema):
    kind: str
    kind_name: str
    at: dt.datetime
    actor: str = Field(description="办理人（工号）；为空：系统或热线平台")
    note: str
    data: dict[str, Any]


class HotlineOrderOut(Schema):
    id: int
    number: str = Field(description="12345工单编号")
    source: str = Field(description="12345 热线转办、review 差评转办")
    category: str
    category_name: str
    title: str
    status: str
    status_name: str
    centre: str | None
    handler: str | None
    received_at: dt.datetime
    due_at: dt.datetime | None
    due_at_provisional: bool = Field(False, description="办理期限为暂定（所跨年度节假日安排尚未录入）")
    waits_for_year: int | None = Field(None, description="暂定期限待录入节假日安排的年度")
    due_provisional_note: str = ""
    city_due_date: dt.date | None
    extension_status: str
    review_order: str | None = Field(description="差评转办时的差评整改工单号")
    case_number: str | None


class OrderDetail(HotlineOrderOut):
    content: str
    citizen_name: str = Field(description="来电人（脱敏）")
    citizen_phone: str = Field(description="来电号码（脱敏）")
    reply_text: str
    return_reason: str
    visit_result: str
    visit_note: str
    extension_days: int | None
    extension_reason: str
    steps: list[HotlineStepOut]


class HotlineOrderPage(Schema):
    count: int
    counts: dict[str, int] = Field(description="各状态的工单数")
    items: list[HotlineOrderOut]


class OrderFilter(Page):
    status: str = Field("open", max_length=12, description="open（未办结，默认）、all 或某一状态")
    q: str = Field("", max_length=40, description="按工单编号查找")


def _fields(o: HotlineOrder) -> dict[str, Any]:
    return {
        "id": o.pk,
        "number": o.number,
        "source": o.source,
        "category": o.category,
        "category_name": o.get_category_display(),
        "title": o.title,
        "status": o.status,
        "status_name": o.get_status_display(),
        "centre": o.centre.name if o.centre is not None else None,
        "handler": str(o.handler) if o.handler_id else None,
        "received_at": o.received_at,
        "due_at": o.due_at,
        "due_at_provisional": bool(o.due_waits_for),
        "waits_for_year": o.due_waits_for,
        "due_provisional_note": provisional_note(o.due_waits_for),
        "city_due_date": o.city_due_date,
        "extension_status": o.extension_status,
        "review_order": o.review_order.number if o.review_order is not None else None,
        "case_number": o.case.number if o.case is not None else None,
    }


def _step_out(s: HotlineStep) -> HotlineStepOut:
    return HotlineStepOut(
        kind=s.kind, kind_name=s.get_kind_display(), at=s.at, actor=s.actor_label, note=s.note, data=s.data
    )


def _detail(o: HotlineOrder) -> OrderDetail:
    citizen = selectors.citizen_masked(o)
    return OrderDetail(
        **_fields(o),
        content=o.content,
        citizen_name=citizen["name"],
        citizen_phone=citizen["phone"],
        reply_text=o.reply_text,
        return_reason=o.return_reason,
        visit_result=o.visit_result,
        visit_note=o.visit_note,
        extension_days=o.extension_days,
        extension_reason=o.extension_reason,
        steps=[_step_out(s) for s in selectors.order_steps(o)],
    )


@router.get("/orders", response=HotlineOrderPage, summary="12345工单列表")
def orders_list(request: HttpRequest, filters: Query[OrderFilter]) -> HotlineOrderPage:
    rows = selectors.orders_for_list(request.user, status=filters.status, q=filters.q)
    return HotlineOrderPage(
        count=rows.count(),
        counts=selectors.status_counts(request.user),
        items=[
            HotlineOrderOut(**_fields(o)) for o in filters.of(rows.select_related("review_order", "case"))
        ],
    )


@router.get("/orders/{order_id}", response=OrderDetail, summary="一张12345工单及其办理环节")
def order_detail(request: HttpRequest, order_id: Id) -> OrderDetail:
    return _detail(access_order(request.user, order_id))


@router.get("/orders/{order_id}/steps", response=list[HotlineStepOut], summary="12345工单的办理环节")
def order_steps(request: HttpRequest, order_id: Id) -> list[HotlineStepOut]:
    return [_step_out(s) for s in selectors.order_steps(access_order(request.user, order_id))]


class HotlineDispatchIn(Schema):
    centre_id: Id


class HotlineAssignIn(Schema):
    handler_id: Id


class HotlineTextIn(Schema):
    text: str = Field(max_length=2000)


class HotlineExtensionIn(Schema):
    days: int = Field(ge=1, le=30, description="延期的工作日数")
    reason: str = Field(max_length=500)


class HotlineExtensionDecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class HotlineReasonIn(Schema):
    reason: str = Field(max_length=500)


class HotlineVisitIn(Schema):
    result: VisitResult
    note: str = Field("", max_length=2000)


@router.post("/orders/{order_id}/dispatch", response=OrderDetail, summary="派单（市行政审批局）")
def order_dispatch(request: HttpRequest, order_id: Id, payload: HotlineDispatchIn) -> OrderDetail:
    order = access_order(request.user, order_id)
    centre = selectors.dispatch_centre(payload.centre_id)
    if centre is None:
        raise field_error("centre_id", "没有该服务中心。")
    return _detail(services.order_dispatch(order=order, actor=request.user, centre=centre))


@router.post("/orders/{order_id}/assign", response=OrderDetail, summary="指定承办人（中心主任）")
def order_assign(request: HttpRequest, order_id: Id, payload: HotlineAssignIn) -> OrderDetail:
    order = access_order(request.user, order_id)
    handler = selectors.handler_of(order, payload.handler_id)
    return _detail(services.order_assign(order=order, actor=request.user, handler=handler))


@router.post("/orders/{order_id}/reply", response=OrderDetail, summary="回复")
def order_reply(request: HttpRequest, order_id: Id, payload: HotlineTextIn) -> OrderDetail:
    order = access_order(request.user, order_id)
    return _detail(services.order_reply(order=order, actor=request.user, text=payload.text))


@router.post("/orders/{order_id}/extension", response=OrderDetail, summary="延期申请")
def order_extension(request: HttpRequest, order_id: Id, payload: HotlineExtensionIn) -> OrderDetail:
    order = access_order(request.user, order_id)
    return _detail(
        services.order_extension_request(
            order=order, actor=request.user, days=payload.days, reason=payload.reason
        )
    )


@router.post("/orders/{order_id}/extension/decide", response=OrderDetail, summary="延期审批（中心主任）")
def order_extension_decide(
    request: HttpRequest, order_id: Id, payload: HotlineExtensionDecideIn
) -> OrderDetail:
    order = access_order(request.user, order_id)
    return _detail(
        services.order_extension_decide(
            order=order, actor=request.user, approve=payload.approve, note=payload.note
        )
    )


@router.post("/orders/{order_id}/return", response=OrderDetail, summary="退单")
def order_return(request: HttpRequest, order_id: Id, payload: HotlineReasonIn) -> OrderDetail:
    order = access_order(request.user, order_id)
    return _detail(services.order_return(order=order, actor=request.user, reason=payload.reason))


@router.post("/orders/{order_id}/visit", response=OrderDetail, summary="登记回访结果")
def order_visit(request: HttpRequest, order_id: Id, payload: HotlineVisitIn) -> OrderDetail:
    order = access_order(request.user, order_id)
    return _detail(
        services.order_visit(order=order, actor=request.user, result=payload.result, note=payload.note)
    )


class HotlineSettingsIn(Schema):
    handle_days: int | None = Field(None, ge=1, le=30)
    max_extension_days: int | None = Field(None, ge=1, le=30)
    convert_bad_reviews: bool | None = None


@router.get("/settings", response=dict[str, Any], summary="12345工单设置")
def settings_get(request: HttpRequest) -> dict[str, Any]:
    row = services.hotline_settings()
    return {f: getattr(row, f) for f in services.SETTING_FIELDS}


@router.put("/settings", response=dict[str, Any], summary="修改12345工单设置（局管理员）")
def settings_put(request: HttpRequest, payload: HotlineSettingsIn) -> dict[str, Any]:
    require_manage_settings(request.user)
    values = {k: v for k, v in payload.dict().items() if v is not None}
    row = services.hotline_settings_save(actor=request.user, values=values)
    return {f: getattr(row, f) for f in services.SETTING_FIELDS}


# --- the 12345 platform pushes (signed) ---------------------------------------------------------------------


class HotlineCityOrderIn(Schema):
    order_number: str = Field(alias="orderNumber", min_length=1, max_length=40, description="12345工单编号")
    category: Category
    title: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1, max_length=2000)
    citizen_name: str = Field("", alias="citizenName", max_length=50)
    citizen_phone: str = Field("", alias="citizenPhone", max_length=20)
    centre_code: str = Field("", alias="centreCode", max_length=12, description="承办中心的区划代码")
    case_number: str = Field("", alias="caseNumber", max_length=50, description="相关办件编号")
    due_date: dt.date | None = Field(None, alias="dueDate", description="热线平台的办结期限")


class HotlineCityOrderOut(Schema):
    received: bool = Field(description="true：本次新接收；false：此前已接收（重复推送）")
    id: int
    number: str
    status: str
    status_name: str


class HotlineCityVisitIn(Schema):
    result: VisitResult
    note: str = Field("", max_length=2000)


def _receipt(o: HotlineOrder, new: bool) -> HotlineCityOrderOut:
    return HotlineCityOrderOut(
        received=new, id=o.pk, number=o.number, status=o.status, status_name=o.get_status_display()
    )


@router.post(
    "/inbound/orders",
    auth=SignedInbound("hotline"),
    response={200: HotlineCityOrderOut, 201: HotlineCityOrderOut},
    summary="12345平台推送工单（签名验证，按工单编号幂等）",
)
def inbound_order(request: HttpRequest, payload: HotlineCityOrderIn) -> Status:
    order, new = services.order_receive(
        number=payload.order_number,
        category=payload.category,
        title=payload.title,
        content=payload.content,
        citizen_name=payload.citizen_name,
        citizen_phone=payload.citizen_phone,
        centre_code=payload.centre_code,
        case_number=payload.case_number,
        city_due_date=payload.due_date,
    )
    return Status(201 if new else 200, _receipt(order, new))


@router.post(
    "/inbound/orders/{number}/visit",
    auth=SignedInbound("hotline"),
    response=HotlineCityOrderOut,
    summary="12345平台推送回访结果（签名验证）",
)
def inbound_visit(request: HttpRequest, number: str, payload: HotlineCityVisitIn) -> HotlineCityOrderOut:
    order = services.order_visit_from_city(number=number, result=payload.result, note=payload.note)
    return _receipt(order, False)
