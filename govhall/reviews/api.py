"""好差评 API at /api/v1/reviews/ (STD-6).

Public (no login): rate a finished case by its signed link or by number + query password, rate a visit by
the ticket's token or on a paired pad, add a supplement, read a centre's published summary.
Staff: ratings (read only — there is no endpoint that changes or deletes one), work orders, appeals, abuse
flags, figures, rankings, pads, settings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from govhall.core.api_errors import rate_limited
from govhall.core.api_params import Id, Mapped, SmallInt, Year, paged
from govhall.core.calendar import first_of_month
from govhall.core.errors import Forbidden, NotFound, field_error
from govhall.core.ids import mask_mobile, mask_name
from govhall.core.pii import pii_reveal
from govhall.exchange.inbound import SignedInbound
from govhall.orgs.policy import access_centre
from govhall.queueing.policy import public_ticket
from govhall.reviews import selectors, services
from govhall.reviews.fingerprint import rater_from
from govhall.reviews.links import case_rating_path, case_token
from govhall.reviews.models import (
    ONSITE_ASPECTS,
    Appeal,
    AppealStatus,
    FlagStatus,
    Level,
    OrderStatus,
    Rating,
    RatingFlag,
    Stage,
    WorkOrder,
)
from govhall.reviews.policy import (
    COMPLAINT_ROLES,
    access_appeal,
    access_flag,
    access_pad,
    access_pad_window,
    access_rating,
    access_work_order,
    appeals_visible_to,
    can_handle_order,
    can_manage_settings,
    can_see_rankings,
    can_see_rater,
    flags_visible_to,
    orders_visible_to,
    pads_visible_to,
    public_centre,
)

router = Router(tags=["好差评"])
# --- schemas ----------------------------------------------------------------------------------------


class RatingIn(Schema):
    level: int
    aspects: dict[str, Any] = {}
    text: str = ""
    phone: str = ""
    channel: str = ""


class SupplementIn(Schema):
    text: str


class RatingReceipt(Schema):
    id: int
    stage: str
    level: int
    level_label: str
    work_order: bool
    created_at: dt.datetime


def _receipt(r: Rating) -> RatingReceipt:
    return RatingReceipt(
        id=r.pk,
        stage=r.stage,
        level=r.level,
        level_label=r.get_level_display(),
        work_order=r.is_bad,
        created_at=r.created_at,
    )


class CaseRatingInfo(Schema):
    case_number: str
    matter: str
    centre: str
    can_rate: bool
    reason: str
    rated: bool
    rating: RatingReceipt | None
    aspects: dict[str, str]
    levels: dict[int, str]
    supplemented: bool


class LookupIn(Schema):
    number: str
    password: str


class LookupOut(Schema):
    token: str
    url: str


class RatingOut(Schema):
    id: int
    stage: str
    stage_label: str
    channel: str
    level: int
    level_label: str
    aspects: dict[str, int]
    text: str
    supplement: str
    created_at: dt.datetime
    case_number: str | None
    ticket_code: str | None
    clerk_id: int | None
    clerk: str
    window_id: int | None
    window: str
    matter_id: int | None
    matter: str
    centre_id: int
    centre: str
    real_name: bool
    rater_name: str | None  # masked, only for complaint handlers
    rater_phone: str | None  # masked, only for complaint handlers
    excluded: bool
    excluded_reason: str
    work_order_id: int | None
    appeal_status: str | None


def _rating_out(r: Rating, user: Any) -> RatingOut:
    see = can_see_rater(user, r)
    order = getattr(r, "work_order", None) if r.is_bad else None
    appeal = getattr(r, "appeal", None)
    supplement = getattr(r, "supplement", None)
    return RatingOut(
        id=r.pk,
        stage=r.stage,
        stage_label=r.get_stage_display(),
        channel=r.channel,
        level=r.level,
        level_label=r.get_level_display(),
        aspects=r.aspects,
        text=r.text,
        supplement=supplement.text if supplement else "",
        created_at=r.created_at,
        case_number=r.subject_number,
        ticket_code=r.ticket.code if r.ticket is not None else None,
        clerk_id=r.clerk_id,
        clerk=r.clerk_label,
        window_id=r.window_id,
        window=str(r.window) if r.window_id else "",
        matter_id=r.matter_id,
        matter=r.matter.name if r.matter is not None else "",
        centre_id=r.centre_id,
        centre=r.centre.name,
        real_name=r.real_name,
        rater_name=mask_name(r.rater_name) if see else None,
        rater_phone=mask_mobile(r.rater_phone) if see and r.rater_phone else None,
        excluded=r.excluded,
        excluded_reason=r.excluded_reason,
        work_order_id=order.pk if order else None,
        appeal_status=appeal.status if appeal else None,
    )


class OrderOut(Schema):
    id: int
    number: str
    rating_id: int
    level: int
    centre_id: int
    centre: str
    real_name: bool
    status: str
    status_label: str
    created_at: dt.datetime
    stage_due_at: dt.datetime | None
    warning_level: int
    overdue_stages: list[str]
    finding: str
    verify_note: str
    verified_at: dt.datetime | None
    outcome: str
    measures: str
    ledger_due: dt.date | None
    ledger_done_at: dt.datetime | None
    replied_at: dt.datetime | None
    reply_text: str
    visited_at: dt.datetime | None
    visit_satisfaction: str
    visit_note: str
    closed_at: dt.datetime | None
    can_handle: bool


def _order_out(o: WorkOrder, user: Any) -> OrderOut:
    return OrderOut(
        id=o.pk,
        number=o.number,
        rating_id=o.rating_id,
        level=o.rating.level,
        centre_id=o.centre_id,
        centre=o.centre.name,
        real_name=o.real_name,
        status=o.status,
        status_label=o.get_status_display(),
        created_at=o.created_at,
        stage_due_at=o.stage_due_at,
        warning_level=o.warning_level,
        overdue_stages=o.overdue_stages,
        finding=o.finding,
        verify_note=o.verify_note,
        verified_at=o.verified_at,
        outcome=o.outcome,
        measures=o.measures,
        ledger_due=o.ledger_due,
        ledger_done_at=o.ledger_done_at,
        replied_at=o.replied_at,
        reply_text=o.reply_text,
        visited_at=o.visited_at,
        visit_satisfaction=o.visit_satisfaction,
        visit_note=o.visit_note,
        closed_at=o.closed_at,
        can_handle=can_handle_order(user, o),
    )


class VerifyIn(Schema):
    finding: str
    note: str


class DecideIn(Schema):
    outcome: str
    measures: str
    ledger_due: dt.date | None = None


class NoteIn(Schema):
    note: str


class ReplyIn(Schema):
    text: str


class VisitIn(Schema):
    satisfaction: str
    note: str = ""


class AppealIn(Schema):
    reason: str
    statement: str


class AppealOut(Schema):
    id: int
    rating_id: int
    centre: str
    reason: str
    statement: str
    filed_by: str
    filed_at: dt.datetime
    due_at: dt.datetime
    status: str
    status_label: str
    decided_at: dt.datetime | None
    decision_note: str


def _appeal_out(a: Appeal) -> AppealOut:
    return AppealOut(
        id=a.pk,
        rating_id=a.rating_id,
        centre=a.centre.name,
        reason=a.reason,
        statement=a.statement,
        filed_by=str(a.filed_by),
        filed_at=a.filed_at,
        due_at=a.due_at,
        status=a.status,
        status_label=a.get_status_display(),
        decided_at=a.decided_at,
        decision_note=a.decision_note,
    )


class AppealDecisionIn(Schema):
    upheld: bool
    note: str


class FlagOut(Schema):
    id: int
    rating_id: int
    kind: str
    kind_label: str
    detail: str
    created_at: dt.datetime
    status: str
    decision_note: str


def _flag_out(f: RatingFlag) -> FlagOut:
    return FlagOut(
        id=f.pk,
        rating_id=f.rating_id,
        kind=f.kind,
        kind_label=f.get_kind_display(),
        detail=f.detail,
        created_at=f.created_at,
        status=f.status,
        decision_note=f.decision_note,
    )


class FlagDecisionIn(Schema):
    confirmed: bool
    note: str


class FigureOut(Schema):
    key: Any
    label: str
    total: int
    levels: dict[str, int]
    satisfied: int
    bad: int
    satisfaction_rate: Decimal | None
    real_name_bad: int
    replied: int
    reply_rate: Decimal | None
    rectified: int
    needs_rectification: int
    rectify_rate: Decimal | None
    visited: int
    visit_rate: Decimal | None
    excluded: int
    pauses: int
    pause_minutes: int


class FiguresOut(Schema):
    by: str
    period: str
    total: FigureOut
    rows: list[FigureOut]


class RankingsOut(Schema):
    by: str
    period: str
    min_count: int
    good: list[FigureOut]
    bad: list[FigureOut]


class PublicSummaryOut(Schema):
    centre: str
    period: str
    total: FigureOut
    windows: list[FigureOut]


class PadIn(Schema):
    window_id: Id
    label: str = ""


class PadOut(Schema):
    id: int
    window_id: int
    window: str
    label: str
    prefix: str
    created_at: dt.datetime
    last_seen_at: dt.datetime | None
    active: bool


class PadPaired(Schema):
    pad: PadOut
    token: str
    url: str


def _pad_out(p: Any) -> PadOut:
    return PadOut(
        id=p.pk,
        window_id=p.window_id,
        window=str(p.window),
        label=p.label,
        prefix=p.prefix,
        created_at=p.created_at,
        last_seen_at=p.last_seen_at,
        active=p.is_active,
    )


class PadStateOut(Schema):
    key: str
    window: str
    window_open: bool
    clerk: dict[str, Any] | None
    ticket: dict[str, Any] | None
    aspects: dict[str, str]


class SettingsIn(Schema):
    centre_id: Id | None = None
    values: dict[str, Any]


# --- public: rating a case ---------------------------------------------------------------------------


def _case_for_token(token: str) -> Any:
    case = selectors.case_for_rating_token(token)
    if case is None:
        raise NotFound("评价链接无效，请核对二维码或短信中的链接。")
    return case


@router.get("/public/case/{token}", auth=None, response=CaseRatingInfo)
def public_case(request: HttpRequest, token: str) -> CaseRatingInfo:
    case = _case_for_token(token)
    rating = case.ratings.filter(stage=Stage.RESULT).first()
    can = services.case_can_be_rated(case) and rating is None
    reason = (
        "" if can else ("已评价" if rating else f"办件当前为“{case.get_status_display()}”，办结后才能评价")
    )
    return CaseRatingInfo(
        case_number=case.number,
        matter=case.matter_name,
        centre=case.handling_centre.name,
        can_rate=can,
        reason=reason,
        rated=rating is not None,
        rating=_receipt(rating) if rating else None,
        aspects=services.aspects_for_case(case),
        levels=dict(Level.choices),
        supplemented=bool(rating and hasattr(rating, "supplement")),
    )


@router.post("/public/case/{token}/rating", auth=None, response={201: RatingReceipt})
def public_case_rate(request: HttpRequest, token: str, payload: RatingIn) -> Status:
    case = _case_for_token(token)
    rating = services.rating_submit_case(
        case_id=case.pk,
        channel=payload.channel or "online",
        level=payload.level,
        aspects=payload.aspects,
        text=payload.text,
        rater=rater_from(request, phone=payload.phone),
    )
    return Status(201, _receipt(rating))


@router.post("/public/case/{token}/supplement", auth=None, response={201: RatingReceipt})
def public_case_supplement(request: HttpRequest, token: str, payload: SupplementIn) -> Status:
    case = _case_for_token(token)
    rating = case.ratings.filter(stage=Stage.RESULT).first()
    if rating is None:
        raise NotFound("该办件尚未评价，无法补充评价。")
    services.rating_supplement(rating=rating, text=payload.text, channel="online", rater=rater_from(request))
    return Status(201, _receipt(rating))


@router.post("/public/lookup", auth=None, response=LookupOut)
@rate_limited
def public_lookup(request: HttpRequest, payload: LookupIn) -> LookupOut:
    """办件编号 + 查询密码 → the case's rating link (for rating online without the notice)."""
    case = services.case_by_number_and_password(number=payload.number, password=payload.password)
    return LookupOut(token=case_token(case.pk), url=case_rating_path(case.pk, via="online"))


# --- public: rating a visit ----------------------------------------------------------------------------


def _ticket_for_token(token: str) -> Any:
    return public_ticket(token)


@router.post("/public/ticket/{token}/rating", auth=None, response={201: RatingReceipt})
def public_ticket_rate(request: HttpRequest, token: str, payload: RatingIn) -> Status:
    ticket = _ticket_for_token(token)
    channel = payload.channel or "qr"
    if channel == "pad":
        raise field_error("channel", "评价器评价须通过已配对的评价器提交。")
    rating = services.rating_submit_visit(
        ticket_id=ticket.pk,
        channel=channel,
        level=payload.level,
        aspects=payload.aspects,
        text=payload.text,
        rater=rater_from(request, phone=payload.phone),
    )
    return Status(201, _receipt(rating))


@router.get("/public/pad/{token}/state", auth=None, response=PadStateOut)
def public_pad_state(request: HttpRequest, token: str) -> PadStateOut:
    pad = services.pad_by_token(token)
    state = selectors.pad_state(pad)
    data = state.as_dict()
    return PadStateOut(
        key=data["key"],
        window=str(pad.window),
        window_open=data["window_open"],
        clerk=data["clerk"],
        ticket=data["ticket"],
        aspects=ONSITE_ASPECTS,
    )


class PadRatingIn(RatingIn):
    ticket_id: Id


@router.post("/public/pad/{token}/rating", auth=None, response={201: RatingReceipt})
def public_pad_rate(request: HttpRequest, token: str, payload: PadRatingIn) -> Status:
    pad = services.pad_by_token(token)
    rating = services.rating_submit_visit(
        ticket_id=payload.ticket_id,
        channel="pad",
        pad=pad,
        level=payload.level,
        aspects=payload.aspects,
        text=payload.text,
        rater=rater_from(request, phone=payload.phone),
    )
    return Status(201, _receipt(rating))


@router.get("/public/centres/{centre_id}/summary", auth=None, response=PublicSummaryOut)
def public_centre_summary(request: HttpRequest, centre_id: Id, month: str = "") -> PublicSummaryOut:
    centre = public_centre(centre_id)
    period = _period(month)
    data = selectors.public_summary(centre, period=period)
    return PublicSummaryOut(
        centre=centre.name,
        period=period.label,
        total=FigureOut(**data["total"].as_dict()),
        windows=[FigureOut(**w.as_dict()) for w in data["windows"]],
    )


# --- staff: ratings (read only) -------------------------------------------------------------------------


def _period(month: str, year: Year | None = None) -> selectors.Period:
    from django.utils import timezone

    if year is not None:
        if not 2000 <= year <= 2100:
            raise field_error("year", "年份应在2000至2100之间。")
        return selectors.year_period(year)
    parsed = selectors.parse_month(month, first_of_month(timezone.localdate()))
    if parsed is None:
        raise field_error("month", "月份格式应为 YYYY-MM，例如 2026-03。")
    return selectors.month_period(parsed)


@router.get("/ratings", response=list[RatingOut])
@paged
def ratings_list(
    request: HttpRequest,
    centre_id: Id | None = None,
    clerk_id: Id | None = None,
    window_id: Id | None = None,
    matter_id: Id | None = None,
    level: SmallInt | None = None,
    bad: bool = False,
    month: str = "",
) -> Any:
    period = _period(month) if month else None
    qs = selectors.ratings_for_list(
        request.user,
        centre_id=centre_id,
        clerk_id=clerk_id,
        window_id=window_id,
        matter_id=matter_id,
        level=level,
        bad=bad,
        period=period,
    )
    return Mapped(qs.select_related("supplement"), lambda r: _rating_out(r, request.user))


@router.get("/ratings/{rating_id}", response=RatingOut)
def rating_detail(request: HttpRequest, rating_id: Id) -> RatingOut:
    return _rating_out(access_rating(request.user, rating_id), request.user)


class RaterRevealOut(Schema):
    rater_phone: str


@router.post("/ratings/{rating_id}/reveal-phone", response=RaterRevealOut)
def rating_reveal_phone(request: HttpRequest, rating_id: Id, payload: NoteIn) -> RaterRevealOut:
    """The rater's whole phone number, for a complaint handler calling back (audited as pii.view)."""
    rating = access_rating(request.user, rating_id)
    if not can_see_rater(request.user, rating):
        raise Forbidden("只有处理投诉的角色（中心主任、局管理员）可以查看评价人信息，被评价人本人不能查看。")
    return RaterRevealOut(
        rater_phone=pii_reveal(
            user=request.user, obj=rating, field="rater_phone", reason=payload.note, roles=COMPLAINT_ROLES
        )
    )


@router.post("/ratings/{rating_id}/appeal", response={201: AppealOut})
def rating_appeal(request: HttpRequest, rating_id: Id, payload: AppealIn) -> Status:
    rating = access_rating(request.user, rating_id)
    appeal = services.appeal_file(
        rating=rating, actor=request.user, reason=payload.reason, statement=payload.statement
    )
    return Status(201, _appeal_out(appeal))


# --- staff: work orders ------------------------------------------------------------------------------------


@router.get("/work-orders", response=list[OrderOut])
@paged
def orders_list(request: HttpRequest, status: str = "", open_only: bool = False) -> Any:
    qs = orders_visible_to(request.user).select_related("rating", "centre").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status__in=(OrderStatus.CLOSED, OrderStatus.EXCLUDED))
    return Mapped(qs, lambda o: _order_out(o, request.user))


@router.get("/work-orders/{order_id}", response=OrderOut)
def order_detail(request: HttpRequest, order_id: Id) -> OrderOut:
    return _order_out(access_work_order(request.user, order_id), request.user)


@router.post("/work-orders/{order_id}/verify", response=OrderOut)
def order_verify(request: HttpRequest, order_id: Id, payload: VerifyIn) -> OrderOut:
    order = services.work_order_verify(
        order=access_work_order(request.user, order_id),
        actor=request.user,
        finding=payload.finding,
        note=payload.note,
    )
    return _order_out(order, request.user)


@router.post("/work-orders/{order_id}/decide", response=OrderOut)
def order_decide(request: HttpRequest, order_id: Id, payload: DecideIn) -> OrderOut:
    order = services.work_order_decide(
        order=access_work_order(request.user, order_id),
        actor=request.user,
        outcome=payload.outcome,
        measures=payload.measures,
        ledger_due=payload.ledger_due,
    )
    return _order_out(order, request.user)


@router.post("/work-orders/{order_id}/ledger-complete", response=OrderOut)
def order_ledger_complete(request: HttpRequest, order_id: Id, payload: NoteIn) -> OrderOut:
    order = services.work_order_ledger_complete(
        order=access_work_order(request.user, order_id), actor=request.user, note=payload.note
    )
    return _order_out(order, request.user)


@router.post("/work-orders/{order_id}/reply", response=OrderOut)
def order_reply(request: HttpRequest, order_id: Id, payload: ReplyIn) -> OrderOut:
    order = services.work_order_reply(
        order=access_work_order(request.user, order_id), actor=request.user, text=payload.text
    )
    return _order_out(order, request.user)


@router.post("/work-orders/{order_id}/visit", response=OrderOut)
def order_visit(request: HttpRequest, order_id: Id, payload: VisitIn) -> OrderOut:
    order = services.work_order_visit(
        order=access_work_order(request.user, order_id),
        actor=request.user,
        satisfaction=payload.satisfaction,
        note=payload.note,
    )
    return _order_out(order, request.user)


@router.post("/work-orders/{order_id}/close", response=OrderOut)
def order_close(request: HttpRequest, order_id: Id) -> OrderOut:
    order = services.work_order_close(order=access_work_order(request.user, order_id), actor=request.user)
    return _order_out(order, request.user)


# --- staff: appeals and flags ---------------------------------------------------------------------------------


@router.get("/appeals", response=list[AppealOut])
@paged
def appeals_list(request: HttpRequest, pending: bool = False) -> Any:
    qs = appeals_visible_to(request.user).select_related("centre", "filed_by").order_by("-filed_at", "-id")
    if pending:
        qs = qs.filter(status=AppealStatus.PENDING)
    return Mapped(qs, _appeal_out)


@router.post("/appeals/{appeal_id}/decide", response=AppealOut)
def appeal_decide(request: HttpRequest, appeal_id: Id, payload: AppealDecisionIn) -> AppealOut:
    appeal = services.appeal_decide(
        appeal=access_appeal(request.user, appeal_id),
        actor=request.user,
        upheld=payload.upheld,
        note=payload.note,
    )
    return _appeal_out(appeal)


@router.get("/flags", response=list[FlagOut])
@paged
def flags_list(request: HttpRequest, open_only: bool = True) -> Any:
    qs = flags_visible_to(request.user).order_by("-created_at", "-id")
    if open_only:
        qs = qs.filter(status=FlagStatus.OPEN)
    return Mapped(qs, _flag_out)


@router.post("/flags/{flag_id}/decide", response=FlagOut)
def flag_decide(request: HttpRequest, flag_id: Id, payload: FlagDecisionIn) -> FlagOut:
    flag = services.flag_decide(
        flag=access_flag(request.user, flag_id),
        actor=request.user,
        confirmed=payload.confirmed,
        note=payload.note,
    )
    return _flag_out(flag)


# --- staff: figures and rankings ------------------------------------------------------------------------------


@router.get("/figures", response=FiguresOut)
def figures(
    request: HttpRequest,
    by: str = "centre",
    month: str = "",
    year: Year | None = None,
    centre_id: Id | None = None,
) -> FiguresOut:
    """Figures for a month (month=YYYY-MM, default this month) or a whole year (year=YYYY)."""
    if by not in selectors.DIMENSIONS:
        raise field_error(
            "by", f"统计维度应为：{'、'.join(f'{k}（{v}）' for k, v in selectors.DIMENSIONS.items())}。"
        )
    if centre_id is not None:
        access_centre(request.user, centre_id)
    period = _period(month, year)
    rows = selectors.figures(request.user, by=by, period=period, centre_id=centre_id)
    total = selectors.totals(request.user, period=period, centre_id=centre_id)
    return FiguresOut(
        by=by,
        period=period.label,
        total=FigureOut(**total.as_dict()),
        rows=[FigureOut(**r.as_dict()) for r in rows],
    )


@router.get("/rankings", response=RankingsOut)
def rankings(request: HttpRequest, by: str = "centre", month: str = "", min_count: int = 10) -> RankingsOut:
    if not can_see_rankings(request.user):
        raise Forbidden("好评榜、差评榜由市行政审批局查看。")
    if by not in ("centre", "town", "clerk", "window", "matter"):
        raise field_error("by", "排行维度应为 centre、town、clerk、window 或 matter。")
    result = selectors.rankings(request.user, by=by, period=_period(month), min_count=max(1, min_count))
    return RankingsOut(
        by=by,
        period=result.period.label,
        min_count=result.min_count,
        good=[FigureOut(**r.as_dict()) for r in result.good],
        bad=[FigureOut(**r.as_dict()) for r in result.bad],
    )


# --- staff: pads and settings ------------------------------------------------------------------------------------


@router.get("/pads", response=list[PadOut])
@paged
def pads_list(request: HttpRequest, centre_id: Id | None = None) -> Any:
    qs = pads_visible_to(request.user)
    if centre_id:
        qs = qs.filter(window__centre_id=centre_id)
    return Mapped(qs.order_by("window__number", "-created_at"), _pad_out)


@router.post("/pads", response={201: PadPaired})
def pad_pair(request: HttpRequest, payload: PadIn) -> Status:
    from django.conf import settings
    from django.urls import reverse

    window = access_pad_window(request.user, payload.window_id)
    pad, token = services.pad_pair(window=window, actor=request.user, label=payload.label)
    url = settings.PUBLIC_URL + reverse("reviews:pad", kwargs={"token": token})
    return Status(201, PadPaired(pad=_pad_out(pad), token=token, url=url))


@router.post("/pads/{pad_id}/revoke", response=PadOut)
def pad_revoke(request: HttpRequest, pad_id: Id) -> PadOut:
    return _pad_out(services.pad_revoke(pad=access_pad(request.user, pad_id), actor=request.user))


@router.get("/settings", response=dict[str, Any])
def settings_get(request: HttpRequest, centre_id: Id | None = None) -> dict[str, Any]:
    centre = access_centre(request.user, centre_id) if centre_id else None
    row = services.review_settings_in_force(centre)
    return {f: getattr(row, f) for f in services.SETTING_FIELDS} | {"centre_id": row.centre_id}


@router.put("/settings", response=dict[str, Any])
def settings_put(request: HttpRequest, payload: SettingsIn) -> dict[str, Any]:
    if not can_manage_settings(request.user):
        raise Forbidden("只有市行政审批局管理员可以修改好差评设置。")
    centre = access_centre(request.user, payload.centre_id) if payload.centre_id else None
    row = services.review_settings_save(actor=request.user, centre=centre, values=payload.values)
    return {f: getattr(row, f) for f in services.SETTING_FIELDS} | {"centre_id": row.centre_id}


# --- the provincial 好差评 system pushes down a 差评 rated on its app (signed; STD-6, NET-2) ----------------


class ProvinceBadReviewIn(Schema):
    evaluation_id: str = Field(
        alias="evaluationId", min_length=1, max_length=64, description="省平台评价编号"
    )
    case_number: str = Field(alias="caseNumber", min_length=1, max_length=50, description="办件编号")
    level: int = Field(description="评价等级：4 不满意、5 非常不满意")
    rated_at: str = Field(
        alias="ratedAt", max_length=40, description="评价时间，YYYY-MM-DD HH:MM:SS（北京时间）"
    )
    aspects: dict[str, Any] = Field(default_factory=dict, description="分项评价：分项代码 → 等级")
    content: str = Field("", max_length=2000, description="评价内容")
    rater_name: str = Field("", alias="raterName", max_length=50)
    rater_phone: str = Field("", alias="raterPhone", max_length=20)


class ProvinceBadReviewOut(Schema):
    received: bool = Field(description="true：本次新接收；false：此前已接收（重复推送）")
    rating_id: int
    work_order: str | None = Field(description="本系统生成的差评整改工单号")
    rated_at: dt.datetime


@router.post(
    "/province/bad-reviews",
    auth=SignedInbound("reviews"),
    response={200: ProvinceBadReviewOut, 201: ProvinceBadReviewOut},
    summary="省好差评系统推送差评（签名验证，按省平台评价编号幂等）",
)
def province_bad_review(request: HttpRequest, payload: ProvinceBadReviewIn) -> Status:
    rating, new = services.rating_receive_from_province(
        external_id=payload.evaluation_id,
        case_number=payload.case_number,
        level=payload.level,
        rated_at=payload.rated_at,
        aspects=payload.aspects,
        text=payload.content,
        rater_name=payload.rater_name,
        rater_phone=payload.rater_phone,
    )
    order = selectors.work_order_of(rating)
    out = ProvinceBadReviewOut(
        received=new,
        rating_id=rating.pk,
        work_order=order.number if order is not None else None,
        rated_at=rating.created_at,
    )
    return Status(201 if new else 200, out)
