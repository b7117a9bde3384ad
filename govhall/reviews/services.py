"""好差评 services (STD-6). Pages and the API call these; each is atomic and audited.

Ratings come from the rater only (`rating_submit_case`, `rating_submit_visit`, `rating_supplement`): no
service takes a staff member as the author of a rating, and none changes or deletes one. Bad reviews get a
work order (`work_order_*`), the rated unit may appeal (`appeal_*`), the bureau checks abuse flags
(`flag_decide`). Deadlines are working days (`govhall.core.calendar`) from `ReviewSettings`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from govhall.accounts.models import UnitKind
from govhall.accounts.selectors import staff_phone
from govhall.cases.models import Case, CaseStatus, ResultKind
from govhall.cases.notify import notify_staff
from govhall.cases.selectors import track_by_number
from govhall.core import provisional
from govhall.core.audit import audit_record
from govhall.core.calendar import Deadline, deadline
from govhall.core.crypto import lookup_digest, token_digest
from govhall.core.errors import Conflict, Forbidden, NotFound, ServiceError, field_error
from govhall.core.events import publish_on_commit
from govhall.core.hooks import Hook
from govhall.core.ids import mask_mobile, normalize_mobile
from govhall.core.workflow import Action, Done, Lifecycle, Written, nothing, wrong_state
from govhall.exchange.models import SyncDataset
from govhall.exchange.services import notify_sms
from govhall.onething.models import ThingCase, ThingCaseStatus
from govhall.orgs.models import Centre, CentreLevel, Window
from govhall.orgs.policy import can_manage_centre
from govhall.queueing.models import Ticket, TicketStatus
from govhall.reviews.feed import feed_appeal, feed_order_step, feed_rating
from govhall.reviews.links import case_rating_url
from govhall.reviews.models import (
    BAD_LEVELS,
    ONLINE_ASPECTS,
    ONSITE_ASPECTS,
    OPEN_ORDER_STATUSES,
    TOP_LEVEL,
    Appeal,
    AppealReason,
    AppealStatus,
    Channel,
    Finding,
    FlagKind,
    FlagStatus,
    Invitation,
    Level,
    OrderStatus,
    Outcome,
    Rating,
    RatingFlag,
    RatingPad,
    RatingSupplement,
    ReviewSettings,
    Stage,
    VisitSatisfaction,
    WarningLevel,
    WorkOrder,
)
from govhall.reviews.policy import can_appeal, can_decide_appeals, can_manage_settings, require_order_handler

TEXT_MAX = 500
VISIT_CHANNELS = (Channel.PAD, Channel.QR, Channel.SMS)
RESULT_CHANNELS = (Channel.QR, Channel.ONLINE, Channel.SMS)
ONLINE_CASE_CHANNELS = ("online", "mobile")  # cases.Channel values applied for online


# Called inside the transaction that opens a 差评 work order (order=…): the hotline app connects here to turn
# the 差评 into a 12345 work order where the bureau's setting says so (docs/architecture.md, hooks).
bad_review_opened = Hook("reviews.bad_review_opened")


def _now() -> dt.datetime:
    return timezone.now()


# --- settings ----------------------------------------------------------------------------------------


def review_settings_in_force(centre: Centre | None) -> ReviewSettings:
    """The review settings in force at a centre: its own row, else its town's, else the city default, else
    the built-in defaults (never saved)."""
    candidates: list[int | None] = []
    if centre is not None:
        candidates.append(centre.pk)
        if centre.level == CentreLevel.VILLAGE and centre.parent_id:
            candidates.append(centre.parent_id)
    rows = {
        r.centre_id: r
        for r in ReviewSettings.objects.filter(
            Q(centre_id__in=[c for c in candidates if c]) | Q(centre__isnull=True)
        )
    }
    for key in [*candidates, None]:
        if key in rows:
            return rows[key]
    return ReviewSettings()


SETTING_FIELDS = (
    "verify_days",
    "decide_days",
    "reply_days",
    "visit_days",
    "warn_days",
    "appeal_days",
    "appeal_decide_days",
    "supplement_days",
    "result_rating_days",
    "visit_rating_hours",
    "pad_minutes",
    "burst_count",
    "burst_minutes",
)
STAGE_FIELDS = ("verify_days", "decide_days", "reply_days", "visit_days")


@transaction.atomic
def review_settings_save(
    *, actor: Any, centre: Centre | None = None, values: dict[str, Any]
) -> ReviewSettings:
    """Set the city default (centre None) or a centre's own deadlines. Bureau admin only."""
    if not can_manage_settings(actor):
        raise Forbidden("只有市行政审批局管理员可以修改好差评设置。")
    row = ReviewSettings.objects.select_for_update().filter(centre=centre).first() or ReviewSettings(
        centre=centre
    )
    before = {f: getattr(row, f) for f in SETTING_FIELDS} if row.pk else None
    errors: dict[str, str] = {}
    for name, raw in values.items():
        if name not in SETTING_FIELDS:
            errors[name] = "未知的设置项。"
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[name] = "请输入整数。"
            continue
        label = str(getattr(ReviewSettings._meta.get_field(name), "verbose_name", name))
        if value < 0:
            errors[name] = f"{label}不能为负数。"
        elif name in STAGE_FIELDS and value > 15:
            errors[name] = f"{label}不能超过15个工作日。"
        elif name == "burst_count" and value < 2:
            errors[name] = f"{label}至少为2。"
        elif (
            name in ("burst_minutes", "pad_minutes", "visit_rating_hours", "result_rating_days") and value < 1
        ):
            errors[name] = f"{label}至少为1。"
        else:
            setattr(row, name, value)
    if errors:
        raise ServiceError("设置有误，请检查标注的项目。", fields=errors)
    row.save()
    audit_record(
        action="reviews.settings",
        obj=row,
        before=before,
        after={f: getattr(row, f) for f in SETTING_FIELDS},
        actor=actor,
    )
    return row


# --- ratings --------------------------------------------------------------------------------------------


@dataclass
class Rater:
    """What the public page knows about who is rating: a device fingerprint (cookie + browser), an optional
    phone typed in, and the logged-in staff member if the browser has one (then the rating is flagged)."""

    device: str = ""
    phone: str = ""
    name: str = ""
    user: Any = None


def _as_level(value: Any) -> int:
    """1–5 from an int or a digit string; anything else (2.5, True, "x", None) is 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return 0


def _level(value: Any) -> int:
    level = _as_level(value)
    if level not in Level.values:
        raise field_error(
            "level",
            "评价等级应为1（非常满意）、2（满意）、3（基本满意）、4（不满意）或5（非常不满意）。",
            code="unknown_level",
        )
    return level


def _aspects(raw: Any, allowed: dict[str, str]) -> dict[str, int]:
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise field_error("aspects", "分项评价格式有误。")
    out: dict[str, int] = {}
    for key, value in raw.items():
        if value in (None, ""):
            continue
        if key not in allowed:
            raise field_error(
                "aspects", f"分项“{key}”不适用于本次评价，可评分项：{'、'.join(allowed.values())}。"
            )
        level = _as_level(value)
        if level not in Level.values:
            raise field_error("aspects", f"分项“{allowed[key]}”的等级应为1至5。")
        out[key] = level
    return out


def _text(value: Any, field: str = "text") -> str:
    text = str(value or "").strip()
    if len(text) > TEXT_MAX:
        raise field_error(field, f"评价内容不能超过{TEXT_MAX}字（现为{len(text)}字）。")
    return text


def _phone(value: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        return normalize_mobile(value)
    except ValidationError as exc:
        raise field_error("phone", exc.messages[0]) from None


def _device_digest(device: str) -> str:
    return lookup_digest("device:" + device[:300]) if device else ""


def _clerk_label(user: Any) -> str:
    return str(user)[:80] if user is not None else ""


def _town_of(centre: Centre) -> int:
    return centre.parent_id if centre.level == CentreLevel.VILLAGE and centre.parent_id else centre.pk


def _stage_due(moment: dt.datetime, days: int, warn_days: int) -> tuple[Deadline, Deadline]:
    """(due, warn): due at the end of the `days`-th working day; the warning from the start of the
    `warn_days`-th working day before it (0: the due day itself). Either may be provisional (STD-3)."""
    due = deadline(moment, days)
    lead = days - warn_days - 1
    if lead < 0:
        return due, Deadline(at=moment)
    warn = deadline(moment, lead)
    return due, Deadline(
        at=warn.at + dt.timedelta(microseconds=1),
        waits_for_year=warn.waits_for_year,
        anchor=warn.anchor,
        days=warn.days,
    )


def _set_stage_due(order: WorkOrder, due: Deadline | None, warn: Deadline | None) -> None:
    provisional.apply(order, "stage_due_at", due)
    provisional.apply(order, "warn_at", warn)


def track_deadlines() -> None:
    """Declare the work-order and appeal deadlines that may be provisional (from ReviewsConfig.ready)."""
    provisional.track(WorkOrder, "stage_due_at", is_open=lambda o: o.status in OPEN_ORDER_STATUSES)
    provisional.track(WorkOrder, "warn_at", is_open=lambda o: o.status in OPEN_ORDER_STATUSES)
    provisional.track(Appeal, "due_at", is_open=lambda a: a.status == AppealStatus.PENDING)


def _create_rating(*, fields: dict[str, Any], rater: Rater, now: dt.datetime) -> Rating:
    rating = Rating(**{"created_at": now, **fields})
    try:
        with transaction.atomic():
            rating.save(force_insert=True)
    except IntegrityError:
        raise Conflict(
            "本次服务已经评价过，不能重复评价；如需补充，请使用“补充评价”。", code="already_rated"
        ) from None
    audit_record(
        action="rating.create",
        obj=rating,
        after={
            "stage": rating.stage,
            "channel": rating.channel,
            "level": rating.level,
            "case": rating.case_id,
            "ticket": rating.ticket_id,
            "clerk": rating.clerk_id,
            "window": rating.window_id,
            "centre": rating.centre_id,
        },
        actor=rater.user if getattr(rater.user, "is_authenticated", False) else None,
    )
    s = review_settings_in_force(rating.centre)
    _flag_suspicious(rating, rater, s, now)
    feed_rating(rating)
    if rating.is_bad:
        _open_work_order(rating, s, now)
    publish_on_commit(
        f"reviews.centre.{rating.centre_id}.rated",
        {"rating": rating.pk, "window": rating.window_id, "ticket": rating.ticket_id},
    )
    return rating


def _clean_common(
    *, level: Any, aspects: Any, text: Any, allowed: dict[str, str]
) -> tuple[int, dict[str, int], str]:
    return _level(level), _aspects(aspects, allowed), _text(text)


def aspects_for_case(case: Any) -> dict[str, str]:
    """The sub-ratings that fit a case or a 一件事办件: online aspects for an online application."""
    return ONLINE_ASPECTS if case.channel in ONLINE_CASE_CHANNELS else ONSITE_ASPECTS


def case_can_be_rated(case: Any) -> bool:
    return case.status in (CaseStatus.FINISHED, CaseStatus.DELIVERED) and case.result != ResultKind.VOIDED


def thing_can_be_rated(parent: Any) -> bool:
    """一事一评 of a 一件事: once every member is finished or lawfully refused (统一出件 or after)."""
    return parent.status in (ThingCaseStatus.FINISHED, ThingCaseStatus.DELIVERED)


def _case_subject(case: Any) -> dict[str, Any]:
    """Who and what a 一事一评 of `case` rates: its clerk, window, matter, department and centre."""
    clerk = case.accepted_by or case.receiver
    centre = case.handling_centre
    window = case.window if case.window is not None and case.window.centre_id == centre.pk else None
    return {
        "case": case,
        "ticket_id": case.ticket_id,
        "clerk": clerk,
        "clerk_label": _clerk_label(clerk),
        "window": window,
        "matter_id": case.matter_id,
        "department_id": case.department_id,
        "centre": centre,
        "town_centre_id": _town_of(centre),
    }


def _thing_subject(parent: Any) -> dict[str, Any]:
    """Who and what a 一事一评 of a 一件事办件 rates: the comprehensive window that accepted it, its clerk
    and the handling centre. No single matter or department: the whole thing is the subject (MODE-1)."""
    clerk = parent.accepted_by or parent.receiver
    centre = parent.handling_centre
    window = parent.window if parent.window is not None and parent.window.centre_id == centre.pk else None
    return {
        "thing_case": parent,
        "clerk": clerk,
        "clerk_label": _clerk_label(clerk),
        "window": window,
        "centre": centre,
        "town_centre_id": _town_of(centre),
    }


def _thing_phone(parent: Any) -> str:
    """The applicant's mobile, held (encrypted) on the first member's case; the parent keeps none."""
    lead = parent.members.select_related("case").exclude(case=None).order_by("order").first()
    return (lead.case.applicant_phone or "") if lead is not None else ""


@dataclass
class _Rated:
    """What a 办结评价 (一事一评) is about: a case or a whole 一件事办件, as the shared checks need it."""

    what: str  # 办件 / 一件事办件, for the messages
    number: str
    status_label: str
    rateable: bool
    finished_at: dt.datetime | None
    centre: Centre
    aspects: dict[str, str]
    subject: dict[str, Any]
    rater_name: str
    phone: str
    already: bool


def _rated_case(case: Any) -> _Rated:
    return _Rated(
        what="办件",
        number=case.number,
        status_label=case.get_status_display(),
        rateable=case_can_be_rated(case),
        finished_at=case.finished_at,
        centre=case.handling_centre,
        aspects=aspects_for_case(case),
        subject=_case_subject(case),
        rater_name=case.applicant_name,
        phone=case.applicant_phone or "",
        already=Rating.objects.filter(case=case, stage=Stage.RESULT).exists(),
    )


def _rated_thing(parent: Any) -> _Rated:
    return _Rated(
        what="一件事办件",
        number=parent.number,
        status_label=parent.get_status_display(),
        rateable=thing_can_be_rated(parent),
        finished_at=parent.finished_at,
        centre=parent.handling_centre,
        aspects=aspects_for_case(parent),
        subject=_thing_subject(parent),
        rater_name=parent.applicant_name,
        phone=_thing_phone(parent),
        already=Rating.objects.filter(thing_case=parent).exists(),
    )


def _rate_result(
    rated: _Rated, *, channel: str, level: Any, aspects: Any, text: Any, rater: Rater, now: dt.datetime
) -> Rating:
    """The checks and the write every 办结评价 shares, whatever its subject (call inside a transaction that
    holds the subject's row lock)."""
    level_v, aspects_v, text_v = _clean_common(level=level, aspects=aspects, text=text, allowed=rated.aspects)
    phone = _phone(rater.phone)
    if not rated.rateable:
        raise Conflict(
            f"{rated.what}{rated.number}当前为“{rated.status_label}”，办结后才能评价。",
            code="case_not_finished",
        )
    s = review_settings_in_force(rated.centre)
    if rated.finished_at and now > deadline(rated.finished_at, s.result_rating_days).at:
        raise Conflict(
            f"{rated.what}已于{timezone.localtime(rated.finished_at):%Y-%m-%d}办结，已超过"
            f"{s.result_rating_days}个工作日的评价期限。",
            code="rating_closed",
        )
    if rated.already:
        raise Conflict(
            f"{rated.what}{rated.number}的办结评价已提交，不能重复评价；可在期限内补充评价。",
            code="already_rated",
        )
    phone = phone or rated.phone
    return _create_rating(
        fields={
            "stage": Stage.RESULT,
            "channel": channel,
            "level": level_v,
            "aspects": aspects_v,
            "text": text_v,
            **rated.subject,
            "real_name": True,
            "rater_name": rated.rater_name,
            "rater_phone": phone,
            "rater_phone_digest": lookup_digest(phone) if phone else "",
            "device_digest": _device_digest(rater.device),
        },
        rater=rater,
        now=now,
    )


_RESULT_RELATED = ("handling_centre", "accepted_by", "receiver", "window")


def _lock_subject(model: Any, **lookup: Any) -> Any:
    """The case or 一件事办件 rated, locked for the check-then-insert of its one rating."""
    return (
        model.objects.select_for_update(of=("self",))
        .select_related(*_RESULT_RELATED)
        .filter(**lookup)
        .first()
    )


def _submit_result(
    *,
    find: Callable[[], Any],
    rated: Callable[[Any], _Rated],
    missing: str,
    channel: str,
    level: Any,
    aspects: Any,
    text: Any,
    rater: Rater | None,
    now: dt.datetime | None,
) -> Rating:
    rater = rater or Rater()
    now = now or _now()
    if channel not in RESULT_CHANNELS:
        raise field_error("channel", "办结评价的渠道应为扫码、网上或短信。")
    with transaction.atomic():
        subject = find()
        if subject is None:
            raise NotFound(missing)
        return _rate_result(
            rated(subject), channel=channel, level=level, aspects=aspects, text=text, rater=rater, now=now
        )


def rating_submit_case(
    *,
    case_id: int,
    channel: str,
    level: Any,
    aspects: Any = None,
    text: Any = "",
    rater: Rater | None = None,
    now: dt.datetime | None = None,
) -> Rating:
    """一事一评: the applicant rates a finished case (办结评价), once. Real-name: the rater is the applicant."""
    return _submit_result(
        find=lambda: _lock_subject(Case, pk=case_id),
        rated=_rated_case,
        missing="未找到该办件。",
        channel=channel,
        level=level,
        aspects=aspects,
        text=text,
        rater=rater,
        now=now,
    )


def rating_submit_thing(
    *,
    thing_case_id: int,
    channel: str,
    level: Any,
    aspects: Any = None,
    text: Any = "",
    rater: Rater | None = None,
    now: dt.datetime | None = None,
) -> Rating:
    """一事一评 of a 一件事 (MODE-1, STD-6): the applicant rates the whole thing once, when every member is
    finished or lawfully refused. It flows like any rating: a 差评 opens a work order, the provincial feed
    sends it, the figures count it. Per-member ratings stay possible on each member's case."""
    return _submit_result(
        find=lambda: _lock_subject(ThingCase, pk=thing_case_id),
        rated=_rated_thing,
        missing="未找到该一件事办件。",
        channel=channel,
        level=level,
        aspects=aspects,
        text=text,
        rater=rater,
        now=now,
    )


PROVINCE_SKEW = dt.timedelta(minutes=5)  # a province clock a little ahead of ours is not an error


def _province_time(value: Any) -> dt.datetime:
    """The province's 评价时间: an aware datetime, or a naive one / "YYYY-MM-DD HH:MM:SS" in Beijing time."""
    moment = value
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if not isinstance(moment, dt.datetime):
        raise field_error("ratedAt", "评价时间格式应为 YYYY-MM-DD HH:MM:SS（北京时间）。")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def rating_receive_from_province(
    *,
    external_id: str,
    case_number: str,
    level: Any,
    rated_at: Any,
    aspects: Any = None,
    text: Any = "",
    rater_name: str = "",
    rater_phone: str = "",
    now: dt.datetime | None = None,
) -> tuple[Rating, bool]:
    """A 差评 rated on the provincial app and pushed down by the provincial 好差评 system (STD-6): matched to
    the case by its number, recorded with its original time, and a work order opened here. Idempotent on
    the province's id: a repeat returns the rating already received (and False). An unknown case, a level
    that is not a 差评 or a bad field is refused with nothing written."""
    now = now or _now()
    external_id = str(external_id or "").strip()
    if not external_id or len(external_id) > 64:
        raise field_error("evaluationId", "省平台评价编号不能为空，且不超过64个字符。")
    existing = Rating.objects.filter(external_id=external_id).first()
    if existing is not None:
        return existing, False
    level_v = _level(level)
    if level_v not in BAD_LEVELS:
        raise field_error("level", "省平台推送的应为差评：4（不满意）或5（非常不满意）。", code="not_bad")
    moment = _province_time(rated_at)
    if moment > now + PROVINCE_SKEW:
        raise field_error("ratedAt", "评价时间晚于当前时间。")
    number = str(case_number or "").strip()
    name = str(rater_name or "").strip()[:50]
    with transaction.atomic():
        case = _lock_subject(Case, number=number) if number else None
        # A 一件事 is rated on the provincial app under its parent number, like a case under its own.
        parent = _lock_subject(ThingCase, number=number) if case is None and number else None
        if case is None and parent is None:
            raise NotFound(
                f"未找到办件编号为“{number}”的办件，评价未接收。",
                code="case_not_found",
                fields={"caseNumber": "本系统没有该办件"},
            )
        rated = _rated_case(case) if case is not None else _rated_thing(parent)
        aspects_v = _aspects(aspects, rated.aspects)
        text_v = _text(text, "content")
        phone = _phone(rater_phone)
        if rated.already:
            raise Conflict(
                f"{rated.what}{rated.number}已有办结评价（一事一评只评一次），省平台的评价未接收。",
                code="already_rated",
            )
        try:
            rating = _create_rating(
                fields={
                    "stage": Stage.RESULT,
                    "channel": Channel.PROVINCE,
                    "external_id": external_id,
                    "created_at": moment,
                    "level": level_v,
                    "aspects": aspects_v,
                    "text": text_v,
                    **rated.subject,
                    "real_name": bool(phone or name),
                    "rater_name": name,
                    "rater_phone": phone,
                    "rater_phone_digest": lookup_digest(phone) if phone else "",
                },
                rater=Rater(),
                now=now,
            )
        except Conflict:
            existing = Rating.objects.filter(external_id=external_id).first()
            if existing is None:
                raise
            return existing, False  # the same push arrived twice at once
    return rating, True


def _visit_case(ticket: Any) -> Any:
    """The case accepted during this visit, if any (the first one: one visit may start several)."""
    return ticket.cases.order_by("id").first()


def ticket_rating_open(
    ticket: Any, *, now: dt.datetime, minutes: int | None = None, hours: int | None = None
) -> bool:
    if ticket.status not in (TicketStatus.DONE, TicketStatus.UNSERVED) or ticket.served_by_id is None:
        return False
    if ticket.finished_at is None:
        return False
    limit = dt.timedelta(minutes=minutes) if minutes is not None else dt.timedelta(hours=hours or 24)
    return now - ticket.finished_at <= limit


def rating_submit_visit(
    *,
    ticket_id: int,
    channel: str,
    level: Any,
    aspects: Any = None,
    text: Any = "",
    rater: Rater | None = None,
    pad: RatingPad | None = None,
    now: dt.datetime | None = None,
) -> Rating:
    """一次一评: the visitor rates the service just received at a window (on the pad, or by the QR code on
    the ticket), once per visit. The rating goes to the clerk who served, the window, the matter, the centre,
    and the case accepted during the visit."""
    rater = rater or Rater()
    now = now or _now()
    if channel not in VISIT_CHANNELS:
        raise field_error("channel", "现场服务评价的渠道应为评价器、扫码或短信。")
    if (channel == Channel.PAD) != (pad is not None):
        raise field_error("channel", "评价器评价须通过已配对的评价器提交。")
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("centre", "called_window", "served_by", "matter")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is None:
            raise NotFound("未找到该排队号。")
        level_v, aspects_v, text_v = _clean_common(
            level=level, aspects=aspects, text=text, allowed=ONSITE_ASPECTS
        )
        phone = _phone(rater.phone)
        s = review_settings_in_force(ticket.centre)
        if pad is not None:
            if ticket.called_window_id != pad.window_id:
                raise NotFound("未找到该排队号。")
            if not ticket_rating_open(
                ticket, now=now, minutes=s.pad_minutes
            ) or ticket.pk != _latest_finished_id(pad):
                raise Conflict(
                    f"{ticket.code}号的评价器评价时间已过，可扫描排队号上的二维码评价。", code="rating_closed"
                )
        elif not ticket_rating_open(ticket, now=now, hours=s.visit_rating_hours):
            if ticket.finished_at is None or ticket.served_by_id is None:
                raise Conflict(
                    f"{ticket.code}号当前为“{ticket.get_status_display()}”，办理结束后才能评价。",
                    code="visit_not_finished",
                )
            raise Conflict(
                f"{ticket.code}号已超过{s.visit_rating_hours}小时的评价期限。", code="rating_closed"
            )
        if Rating.objects.filter(ticket=ticket, stage=Stage.VISIT).exists():
            raise Conflict(f"{ticket.code}号的本次服务已评价，不能重复评价。", code="already_rated")
        case = _visit_case(ticket)
        if case is not None and Rating.objects.filter(case=case, stage=Stage.VISIT).exists():
            case = None  # the case's visit was rated already (another ticket): rate this visit on its own
        window = ticket.called_window
        clerk = ticket.served_by
        phone = phone or ticket.phone or ""
        matter_id = ticket.matter_id or (case.matter_id if case else None)
        department_id = (
            window.department_id
            if window and window.department_id
            else (case.department_id if case else ticket.department_id)
        )
        return _create_rating(
            fields={
                "stage": Stage.VISIT,
                "channel": channel,
                "level": level_v,
                "aspects": aspects_v,
                "text": text_v,
                "case": case,
                "ticket": ticket,
                "clerk": clerk,
                "clerk_label": _clerk_label(clerk),
                "window": window,
                "matter_id": matter_id,
                "department_id": department_id,
                "centre": ticket.centre,
                "town_centre_id": _town_of(ticket.centre),
                "real_name": bool(phone),
                "rater_name": (rater.name or "").strip()[:40] or (case.applicant_name if case else ""),
                "rater_phone": phone,
                "rater_phone_digest": lookup_digest(phone) if phone else "",
                "device_digest": _device_digest(rater.device)
                if pad is None
                else lookup_digest(f"pad:{pad.pk}"),
            },
            rater=rater,
            now=now,
        )


@transaction.atomic
def rating_supplement(
    *, rating: Rating, text: Any, channel: str, rater: Rater | None = None, now: dt.datetime | None = None
) -> RatingSupplement:
    """补充评价: once, within the configured working days of the rating."""
    rater = rater or Rater()
    now = now or _now()
    body = _text(text)
    if not body:
        raise field_error("text", "请填写补充评价的内容。")
    if channel not in Channel.values:
        raise field_error("channel", "评价渠道有误。")
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    s = review_settings_in_force(rating.centre)
    if now > deadline(rating.created_at, s.supplement_days).at:
        raise Conflict(f"已超过{s.supplement_days}个工作日的补充评价期限。", code="supplement_closed")
    if RatingSupplement.objects.filter(rating=rating).exists():
        raise Conflict("该评价已补充过，不能再次补充。", code="already_supplemented")
    row = RatingSupplement.objects.create(
        rating=rating, text=body, channel=channel, device_digest=_device_digest(rater.device), created_at=now
    )
    audit_record(
        action="rating.supplement",
        obj=rating,
        after={"supplement": row.pk, "channel": channel},
        actor=rater.user if getattr(rater.user, "is_authenticated", False) else None,
    )
    return row


# --- abuse flags ---------------------------------------------------------------------------------------


def _staff_phone_digest(user: Any) -> str:
    mobile = staff_phone(user.pk)
    if not mobile:
        return ""
    try:
        return lookup_digest(normalize_mobile(mobile))
    except ValidationError:
        return ""


def _flag(rating_id: int, kind: str, detail: str, now: dt.datetime) -> None:
    RatingFlag.objects.get_or_create(
        rating_id=rating_id, kind=kind, defaults={"detail": detail[:300], "created_at": now}
    )


def _flag_suspicious(rating: Rating, rater: Rater, s: ReviewSettings, now: dt.datetime) -> None:
    """Flags for the bureau: bursts of top ratings from one device or phone, a clerk rating their own
    service (their notification mobile given as the rater's, or their login on the rating browser), and
    ratings given from a browser logged in as staff of the rated centre."""
    user = rater.user if getattr(rater.user, "is_authenticated", False) else None
    if user is not None and rating.clerk_id == user.pk:
        _flag(rating.pk, FlagKind.SELF_RATING, f"评价提交时浏览器登录的是被评价人本人（{user}）。", now)
    elif user is not None and user.unit_kind == UnitKind.CENTRE and user.centre_id == rating.centre_id:
        _flag(rating.pk, FlagKind.STAFF_SESSION, f"评价提交时浏览器登录的是本中心工作人员（{user}）。", now)
    if rating.clerk_id and rating.rater_phone_digest and rating.clerk is not None:
        if _staff_phone_digest(rating.clerk) == rating.rater_phone_digest:
            _flag(rating.pk, FlagKind.SELF_RATING, "评价人手机号与被评价人的通知手机相同。", now)
    if rating.level != TOP_LEVEL:
        return
    since = now - dt.timedelta(minutes=s.burst_minutes)
    for digest, kind, what in (
        (rating.device_digest, FlagKind.DEVICE_BURST, "设备"),
        (rating.rater_phone_digest, FlagKind.PHONE_BURST, "手机号"),
    ):
        if not digest:
            continue
        field = "device_digest" if kind == FlagKind.DEVICE_BURST else "rater_phone_digest"
        burst = list(
            Rating.objects.filter(
                **{field: digest}, level=TOP_LEVEL, created_at__gte=since, created_at__lte=now
            ).values_list("pk", flat=True)
        )
        if len(burst) >= s.burst_count:
            detail = f"同一{what}{s.burst_minutes}分钟内{len(burst)}条“非常满意”（阈值{s.burst_count}条）。"
            for pk in burst:
                _flag(pk, kind, detail, now)


def _exclude(rating: Rating, reason: str, actor: Any, now: dt.datetime) -> None:
    Rating.objects.filter(pk=rating.pk).update(excluded=True, excluded_at=now, excluded_reason=reason[:200])
    audit_record(
        action="rating.exclude",
        obj=rating,
        before={"excluded": False},
        after={"excluded": True, "reason": reason[:200]},
        actor=actor,
    )
    order = (
        WorkOrder.objects.select_for_update().filter(rating=rating, status__in=OPEN_ORDER_STATUSES).first()
    )
    if order is not None:
        before = order.status
        order.status, order.warning_level = OrderStatus.EXCLUDED, WarningLevel.NONE
        order.closed_at, order.closed_by = now, actor
        order.save(update_fields=["status", "warning_level", "closed_at", "closed_by"])
        audit_record(
            action="review_order.exclude",
            obj=order,
            before={"status": before},
            after={"status": order.status},
            actor=actor,
        )


@transaction.atomic
def flag_decide(
    *, flag: RatingFlag, actor: Any, confirmed: bool, note: str, now: dt.datetime | None = None
) -> RatingFlag:
    """The bureau checks a flag: normal (dismissed), or abuse confirmed — the rating leaves the figures."""
    now = now or _now()
    if not can_decide_appeals(actor):
        raise Forbidden("只有市行政审批局可以核查异常评价。")
    note = (note or "").strip()
    if not note:
        raise field_error("note", "请填写核查意见。")
    flag = RatingFlag.objects.select_for_update().select_related("rating").get(pk=flag.pk)
    if flag.status != FlagStatus.OPEN:
        raise Conflict(f"该线索已核查（{flag.get_status_display()}）。", code="wrong_state")
    flag.status = FlagStatus.CONFIRMED if confirmed else FlagStatus.DISMISSED
    flag.decided_by, flag.decided_at, flag.decision_note = actor, now, note[:300]
    flag.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        action="rating_flag.decide",
        obj=flag,
        before={"status": FlagStatus.OPEN},
        after={"status": flag.status, "note": flag.decision_note},
        actor=actor,
    )
    if confirmed and not flag.rating.excluded:
        _exclude(flag.rating, f"异常评价（{flag.get_kind_display()}）：{note}", actor, now)
    return flag


# --- work orders --------------------------------------------------------------------------------------


def _open_work_order(rating: Rating, s: ReviewSettings, now: dt.datetime) -> WorkOrder:
    due, warn = _stage_due(now, s.verify_days, s.warn_days)
    order = WorkOrder.objects.create(
        rating=rating,
        centre_id=rating.centre_id,
        real_name=rating.real_name,
        created_at=now,
        stage_due_at=due.at,
        warn_at=warn.at,
    )
    if due.provisional or warn.provisional:
        _set_stage_due(order, due, warn)
    audit_record(
        action="review_order.create",
        obj=order,
        after={"status": order.status, "rating": rating.pk, "due": due.at},
        actor=None,
    )
    bad_review_opened.send(order=order)
    return order


def _lock_order(order: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("rating", "rating__clerk", "centre")
        .get(pk=order.pk)
    )


def _advance(order: WorkOrder, status: str, days: int | None, now: dt.datetime) -> None:
    """Move to the next stage; a stage finished late is remembered in `overdue_stages`."""
    if order.stage_due_at and now > order.stage_due_at:
        order.overdue_stages = [*order.overdue_stages, order.status]
    order.status = status
    order.warning_level = WarningLevel.NONE
    if days is None:
        _set_stage_due(order, None, None)
    else:
        s = review_settings_in_force(order.centre)
        _set_stage_due(order, *_stage_due(now, days, s.warn_days))


def _order_state(order: WorkOrder) -> dict[str, Any]:
    return {"status": order.status, "due": order.stage_due_at}


# --- the work-order lifecycle: one table of actions, applied one way (core.workflow) -----------------------


def _write_verify(order: WorkOrder, *, actor: Any, now: dt.datetime, finding: str, note: str) -> Written:
    if finding not in Finding.values:
        raise field_error("finding", "请选择核实结论：情况属实、部分属实、情况不属实或无法联系评价人。")
    note = (note or "").strip()
    if not note:
        raise field_error("note", "请填写核实情况（与评价人的沟通和调查经过）。")
    order.verified_at, order.verified_by, order.finding, order.verify_note = now, actor, finding, note
    _advance(order, OrderStatus.DECIDE, review_settings_in_force(order.centre).decide_days, now)
    return Written(data={"finding": finding})


def _write_decide(
    order: WorkOrder,
    *,
    actor: Any,
    now: dt.datetime,
    outcome: str,
    measures: str,
    ledger_due: dt.date | None,
) -> Written:
    if outcome not in Outcome.values:
        raise field_error("outcome", "请选择处理方式：即知即改、列入整改台账或解释说明。")
    measures = (measures or "").strip()
    if not measures:
        raise field_error(
            "measures", "请填写整改措施或解释说明。" if outcome != Outcome.EXPLAIN else "请填写解释说明。"
        )
    if outcome == Outcome.LEDGER:
        if ledger_due is None:
            raise field_error("ledger_due", "列入整改台账须填写整改期限。")
        if ledger_due < timezone.localtime(now).date():
            raise field_error("ledger_due", "整改期限不能早于今天。")
    elif ledger_due is not None:
        raise field_error("ledger_due", "只有列入整改台账时才填写整改期限。")
    order.decided_at, order.decided_by, order.outcome, order.measures = now, actor, outcome, measures
    order.ledger_due = ledger_due
    s = review_settings_in_force(order.centre)
    if order.real_name:
        _advance(order, OrderStatus.REPLY, s.reply_days, now)
    else:  # an anonymous rater cannot be answered or visited
        _advance(order, OrderStatus.CLOSE, None, now)
    return Written(data={"outcome": outcome, "ledger_due": ledger_due})


def _write_ledger_done(order: WorkOrder, *, actor: Any, now: dt.datetime, note: str) -> Written:
    note = (note or "").strip()
    if not note:
        raise field_error("note", "请填写台账整改完成情况。")
    order.ledger_done_at, order.ledger_note = now, note
    return Written(data={"ledger_done_at": now}, fields=("ledger_done_at", "ledger_note"))


def _write_reply(order: WorkOrder, *, actor: Any, now: dt.datetime, text: str) -> Written:
    text = (text or "").strip()
    if not text:
        raise field_error("text", "请填写答复内容。")
    if len(text) > 400:
        raise field_error("text", f"答复内容不能超过400字（现为{len(text)}字）。")
    order.replied_at, order.replied_by, order.reply_text = now, actor, text
    _advance(order, OrderStatus.VISIT, review_settings_in_force(order.centre).visit_days, now)
    return Written(data={"sms": bool(order.rating.rater_phone)}, note=text)


def _sms_reply(order: WorkOrder, written: Written) -> None:
    """The answer goes to the rater by SMS (through the outbox) when a phone is known."""
    phone = order.rating.rater_phone
    if phone:
        notify_sms(
            phone=phone,
            text=f"【{order.centre.name}】关于您的评价：{written.note}",
            related=order,
            template="reviews.reply",
        )


def _write_visit(order: WorkOrder, *, actor: Any, now: dt.datetime, satisfaction: str, note: str) -> Written:
    if satisfaction not in VisitSatisfaction.values:
        raise field_error("satisfaction", "请选择回访满意度：满意、基本满意、不满意或无法联系。")
    note = (note or "").strip()
    if satisfaction in (VisitSatisfaction.DISSATISFIED, VisitSatisfaction.UNREACHABLE) and not note:
        raise field_error("note", "回访不满意或无法联系时，请填写回访情况。")
    order.visited_at, order.visited_by, order.visit_satisfaction, order.visit_note = (
        now,
        actor,
        satisfaction,
        note,
    )
    _advance(order, OrderStatus.CLOSE, None, now)
    return Written(data={"satisfaction": satisfaction})


def _write_close(order: WorkOrder, *, actor: Any, now: dt.datetime) -> Written:
    order.status, order.closed_at, order.closed_by = OrderStatus.CLOSED, now, actor
    _set_stage_due(order, None, None)
    order.warning_level = WarningLevel.NONE
    return Written()


def _ledger_open(order: WorkOrder) -> Conflict | None:
    if order.outcome != Outcome.LEDGER or order.ledger_done_at is not None:
        return Conflict("该工单没有待完成的整改台账事项。", code="wrong_state")
    if order.status == OrderStatus.EXCLUDED:  # the 差评 no longer counts: its ledger item is not due
        return wrong_state(order, "完成台账整改")
    return None


def _complete(order: WorkOrder) -> Conflict | None:
    """办结: not twice, and a real-name 差评 not before the rater was answered and visited."""
    if order.status in (OrderStatus.CLOSED, OrderStatus.EXCLUDED):
        return Conflict(f"工单{order.number}已{order.get_status_display()}。", code="wrong_state")
    missing = []
    if order.verified_at is None:
        missing.append("回访核实")
    if order.decided_at is None:
        missing.append("处理（整改/解释说明）")
    if order.real_name and order.replied_at is None:
        missing.append("答复评价人")
    if order.real_name and order.visited_at is None:
        missing.append("回访")
    if missing:
        return Conflict(
            f"工单{order.number}当前为“{order.get_status_display()}”，尚未完成：{'、'.join(missing)}，"
            "不能办结。",
            code="order_incomplete",
        )
    return None


def _record(order: WorkOrder, done: Done) -> None:
    """The audit entry (an action without a "before" records only its own facts) and the province's record."""
    data = done.written.data
    after = data if done.before is None else {**_order_state(order), **data}
    audit_record(
        action=f"review_order.{done.action.step}",
        obj=order,
        before=done.before,
        after=after,
        actor=done.actor,
    )
    feed_order_step(order, FEED_DATASET[done.action.step])


# what each action of the table sends to the provincial 好差评 system (GB/T 39735)
FEED_DATASET = {
    "verify": SyncDataset.VERIFY,
    "decide": SyncDataset.DECIDE,
    "ledger_done": SyncDataset.LEDGER,
    "reply": SyncDataset.REPLY,
    "visit": SyncDataset.VISIT,
    "close": SyncDataset.CLOSE,
}


WORK_ORDER: Lifecycle[WorkOrder] = Lifecycle(
    actions={
        "verify": Action(
            "verify", "回访核实", frozenset({OrderStatus.VERIFY}), require_order_handler, _write_verify
        ),
        "decide": Action(
            "decide", "作出处理", frozenset({OrderStatus.DECIDE}), require_order_handler, _write_decide
        ),
        "ledger_done": Action(
            "ledger_done",
            "完成台账整改",
            None,
            require_order_handler,
            _write_ledger_done,
            guard=_ledger_open,
            before=nothing,
        ),
        "reply": Action(
            "reply",
            "答复",
            frozenset({OrderStatus.REPLY}),
            require_order_handler,
            _write_reply,
            emit=_sms_reply,
        ),
        "visit": Action("visit", "回访", frozenset({OrderStatus.VISIT}), require_order_handler, _write_visit),
        "close": Action("close", "办结", None, require_order_handler, _write_close, guard=_complete),
    },
    lock=_lock_order,
    state=_order_state,
    record=_record,
)


def work_order_verify(
    *, order: WorkOrder, actor: Any, finding: str, note: str, now: dt.datetime | None = None
) -> WorkOrder:
    """回访核实: contact the rater and check what happened."""
    return WORK_ORDER.apply("verify", order, actor=actor, now=now or _now(), finding=finding, note=note)


def work_order_decide(
    *,
    order: WorkOrder,
    actor: Any,
    outcome: str,
    measures: str,
    ledger_due: dt.date | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """处理: 整改 (属实, fixed at once, with the measures), 台账 (complex: a ledger entry with a due date), or
    解释说明 (no legal basis / unreasonable: the explanation)."""
    return WORK_ORDER.apply(
        "decide",
        order,
        actor=actor,
        now=now or _now(),
        outcome=outcome,
        measures=measures,
        ledger_due=ledger_due,
    )


def work_order_ledger_complete(
    *, order: WorkOrder, actor: Any, note: str, now: dt.datetime | None = None
) -> WorkOrder:
    """A ledger item (complex rectification) is done."""
    return WORK_ORDER.apply("ledger_done", order, actor=actor, now=now or _now(), note=note)


def work_order_reply(*, order: WorkOrder, actor: Any, text: str, now: dt.datetime | None = None) -> WorkOrder:
    """答复 the rater (by SMS through the outbox when a phone is known)."""
    return WORK_ORDER.apply("reply", order, actor=actor, now=now or _now(), text=text)


def work_order_visit(
    *, order: WorkOrder, actor: Any, satisfaction: str, note: str = "", now: dt.datetime | None = None
) -> WorkOrder:
    """回访: ask the rater whether the handling satisfied them."""
    return WORK_ORDER.apply(
        "visit", order, actor=actor, now=now or _now(), satisfaction=satisfaction, note=note
    )


def work_order_close(*, order: WorkOrder, actor: Any, now: dt.datetime | None = None) -> WorkOrder:
    """办结. A real-name 差评 cannot be closed before the rater was answered and visited."""
    return WORK_ORDER.apply("close", order, actor=actor, now=now or _now())


def work_orders_scan_deadlines(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Periodic: open work orders past their warning time turn yellow, past their stage deadline red (and
    the centre's director is told once per level); ledger items past their due date turn red too."""
    now = now or _now()
    counts = {"warned": 0, "overdue": 0, "ledger_overdue": 0}
    with transaction.atomic():
        red = list(
            WorkOrder.objects.select_for_update(of=("self",))
            .filter(status__in=OPEN_ORDER_STATUSES, stage_due_at__lt=now)
            .exclude(warning_level=WarningLevel.RED)
            .select_related("centre", "centre__director")
        )
        for order in red:
            _raise_warning(order, WarningLevel.RED, now)
            counts["overdue"] += 1
        yellow = list(
            WorkOrder.objects.select_for_update(of=("self",))
            .filter(status__in=OPEN_ORDER_STATUSES, warn_at__lte=now, warning_level=WarningLevel.NONE)
            .select_related("centre", "centre__director")
        )
        for order in yellow:
            _raise_warning(order, WarningLevel.YELLOW, now)
            counts["warned"] += 1
        today = timezone.localtime(now).date()
        ledger = list(
            WorkOrder.objects.select_for_update(of=("self",))
            .filter(outcome=Outcome.LEDGER, ledger_done_at__isnull=True, ledger_due__lt=today)
            .exclude(status=OrderStatus.EXCLUDED)
            .exclude(warning_level=WarningLevel.RED)
            .select_related("centre", "centre__director")
        )
        for order in ledger:
            _raise_warning(order, WarningLevel.RED, now, ledger=True)
            counts["ledger_overdue"] += 1
    return counts


def _raise_warning(order: WorkOrder, level: int, now: dt.datetime, *, ledger: bool = False) -> None:
    before = order.warning_level
    order.warning_level = level
    order.save(update_fields=["warning_level"])
    what = (
        "整改台账逾期未完成"
        if ledger
        else f"“{order.get_status_display()}”环节" + ("已超期" if level == WarningLevel.RED else "即将到期")
    )
    audit_record(
        action="review_order.warning",
        obj=order,
        before={"warning_level": before},
        after={"warning_level": level, "ledger": ledger},
        actor=None,
    )
    parent = order.centre.parent
    director = order.centre.director or (parent.director if parent is not None else None)
    if director is not None:
        notify_staff(
            director,
            f"【好差评】差评整改工单{order.number}{what}，请及时处理。",
            related=order,
            template="reviews.order_warning",
        )


# --- appeals ---------------------------------------------------------------------------------------------


@transaction.atomic
def appeal_file(
    *, rating: Rating, actor: Any, reason: str, statement: str, now: dt.datetime | None = None
) -> Appeal:
    """申诉: the rated unit contests a 差评 it thinks mistaken or malicious, within the appeal period."""
    now = now or _now()
    rating = Rating.objects.select_for_update().select_related("centre").get(pk=rating.pk)
    if not can_appeal(actor, rating):
        raise Forbidden(f"只有被评价单位（{rating.centre.name}）的工作人员可以申诉。")
    if not rating.is_bad:
        raise Conflict("只能对差评（不满意、非常不满意）申诉。", code="not_bad")
    if rating.excluded:
        raise Conflict("该评价已不计入统计，无需申诉。", code="wrong_state")
    if reason not in AppealReason.values:
        raise field_error("reason", "请选择申诉理由：误评、恶意差评、非本单位职责或其他。")
    statement = (statement or "").strip()
    if not statement:
        raise field_error("statement", "请写明申诉的事实和理由。")
    if Appeal.objects.filter(rating=rating).exists():
        raise Conflict("该差评已申诉过，每条差评只能申诉一次。", code="already_appealed")
    s = review_settings_in_force(rating.centre)
    if now > deadline(rating.created_at, s.appeal_days).at:
        raise Conflict(f"已超过评价后{s.appeal_days}个工作日的申诉期限。", code="appeal_closed")
    due = deadline(now, s.appeal_decide_days)
    appeal = Appeal.objects.create(
        rating=rating,
        centre=rating.centre,
        reason=reason,
        statement=statement,
        filed_by=actor,
        filed_at=now,
        due_at=due.at,
    )
    if due.provisional:
        appeal.save(update_fields=provisional.apply(appeal, "due_at", due))
    audit_record(
        action="review_appeal.file", obj=appeal, after={"rating": rating.pk, "reason": reason}, actor=actor
    )
    return appeal


@transaction.atomic
def appeal_decide(
    *, appeal: Appeal, actor: Any, upheld: bool, note: str, now: dt.datetime | None = None
) -> Appeal:
    """复核 by the bureau. Upheld: the rating is excluded from every figure but kept in the records, and its
    work order ends."""
    now = now or _now()
    if not can_decide_appeals(actor):
        raise Forbidden("申诉由市行政审批局复核。")
    appeal = Appeal.objects.select_for_update().select_related("rating").get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise Conflict(f"该申诉已复核（{appeal.get_status_display()}）。", code="wrong_state")
    note = (note or "").strip()
    if not note:
        raise field_error("note", "请填写复核意见。")
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision_note = actor, now, note
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        action="review_appeal.decide",
        obj=appeal,
        before={"status": AppealStatus.PENDING},
        after={"status": appeal.status, "note": note},
        actor=actor,
    )
    if upheld:
        _exclude(appeal.rating, f"申诉成立：{note}", actor, now)
    feed_appeal(appeal)
    return appeal


# --- pads -------------------------------------------------------------------------------------------------


@transaction.atomic
def pad_pair(
    *, window: Window, actor: Any, label: str = "", now: dt.datetime | None = None
) -> tuple[RatingPad, str]:
    """Pair a tablet with a window. Returns the pad and its secret token (shown once)."""
    now = now or _now()
    if not can_manage_centre(actor, window.centre):
        raise Forbidden("只有本中心主任或市行政审批局管理员可以配对窗口评价器。")
    token = secrets.token_urlsafe(24)
    pad = RatingPad.objects.create(
        window=window,
        label=(label or "").strip()[:60],
        token_digest=token_digest(token),
        prefix=token[:6],
        created_by=actor,
        created_at=now,
    )
    audit_record(
        action="rating_pad.pair", obj=pad, after={"window": window.pk, "prefix": pad.prefix}, actor=actor
    )
    return pad, token


@transaction.atomic
def pad_revoke(*, pad: RatingPad, actor: Any, now: dt.datetime | None = None) -> RatingPad:
    now = now or _now()
    pad = RatingPad.objects.select_for_update().select_related("window__centre").get(pk=pad.pk)
    if not can_manage_centre(actor, pad.window.centre):
        raise Forbidden("只有本中心主任或市行政审批局管理员可以解除评价器配对。")
    if pad.revoked_at is not None:
        raise Conflict("该评价器已解除配对。", code="wrong_state")
    pad.revoked_at = now
    pad.save(update_fields=["revoked_at"])
    audit_record(
        action="rating_pad.revoke", obj=pad, before={"active": True}, after={"active": False}, actor=actor
    )
    return pad


def pad_by_token(token: str, *, touch: bool = True) -> RatingPad:
    pad = (
        RatingPad.objects.select_related("window", "window__centre")
        .filter(token_digest=token_digest(str(token or "")[:64]), revoked_at__isnull=True)
        .first()
    )
    if pad is None or not pad.window.is_active:
        raise NotFound("评价器未配对或已解除配对，请联系中心主任重新配对。")
    now = _now()
    if touch and (pad.last_seen_at is None or now - pad.last_seen_at > dt.timedelta(minutes=1)):
        RatingPad.objects.filter(pk=pad.pk).update(last_seen_at=now)
    return pad


def _latest_finished_id(pad: RatingPad) -> int | None:
    return (
        Ticket.objects.filter(
            called_window_id=pad.window_id,
            status__in=(TicketStatus.DONE, TicketStatus.UNSERVED),
            finished_at__isnull=False,
        )
        .order_by("-finished_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )


# --- SMS invitations ------------------------------------------------------------------------------------


def invitations_send(*, now: dt.datetime | None = None, within_hours: int = 48, limit: int = 500) -> int:
    """Periodic: text each applicant of a recently finished case a link to rate it (once per case)."""
    now = now or _now()
    sent = 0
    candidates = (
        Case.objects.filter(
            status__in=(CaseStatus.FINISHED, CaseStatus.DELIVERED),
            finished_at__gte=now - dt.timedelta(hours=within_hours),
            finished_at__lte=now,
            rating_invitation__isnull=True,
        )
        .exclude(result=ResultKind.VOIDED)
        .exclude(ratings__stage=Stage.RESULT)
        .select_related("handling_centre")
        .order_by("finished_at")[:limit]
    )
    for case in candidates:
        with transaction.atomic():
            if not case.applicant_phone:
                continue
            try:
                phone = normalize_mobile(case.applicant_phone)
            except ValidationError:
                continue
            _, created = Invitation.objects.get_or_create(
                case=case, defaults={"sent_at": now, "phone_masked": mask_mobile(phone)}
            )
            if not created:
                continue
            notify_sms(
                phone=phone,
                related=case,
                template="reviews.invite",
                text=f"【{case.handling_centre.name}】您的办件{case.number}（{case.matter_name}）已办结，"
                f"请对我们的服务进行评价：{case_rating_url(case.pk, via='sms')}",
            )
            sent += 1
    return sent


# --- public look-up --------------------------------------------------------------------------------------


def case_by_number_and_password(*, number: str, password: str) -> Any:
    """The applicant's own case, by 办件编号 and 查询密码 — the cases app's throttled look-up."""
    if not (number or "").strip():
        raise field_error("number", "请输入办件编号。")
    if not (password or "").strip():
        raise field_error("password", "请输入查询密码。")
    return track_by_number(number, password)
