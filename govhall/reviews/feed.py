"""The feed to the provincial 好差评 system (STD-6; 国办发〔2019〕51号; GB/T 39734/39735-2020), NET-2.

Every rating given here, every step of a 差评 work order (回访核实, 整改处理, 台账整改完成, 答复, 回访, 办结) and
every appeal result is queued, in the transaction of the change, on the exchange outbox
(`govhall.exchange.sync.sync_enqueue`, target 省好差评系统: signed, retried, audited). All of them share one
stream, so after an outage they reach the province in the order they happened, each carrying its own
original time (`ratedAt`, `at`, `decidedAt`), not the time it was finally sent.

Rater identity goes only as the standard allows: a real-name rater's name and phone masked (张*, 139****9000),
an anonymous rating none. The clerk is named by 工号 (staff id) only. docs/exchange.md maps every key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from govhall.core.ids import mask_mobile, mask_name
from govhall.exchange.models import SyncDataset, SyncKind
from govhall.exchange.sync import sync_enqueue
from govhall.reviews.models import (
    ASPECT_LABELS,
    Appeal,
    AppealStatus,
    Channel,
    Level,
    Rating,
    Stage,
    WorkOrder,
)

STREAM = "reviews"  # one ordered stream for the whole feed

# GB/T 39735 评价渠道: our channel (and stage) → the feed's channel code and name.
CHANNELS: dict[tuple[str, str], tuple[str, str]] = {
    (Channel.PAD, Stage.VISIT): ("onsite", "现场评价（窗口评价器）"),
    (Channel.QR, Stage.VISIT): ("onsite", "现场评价（扫码）"),
    (Channel.SMS, Stage.VISIT): ("sms", "短信评价"),
    (Channel.QR, Stage.RESULT): ("mobile", "移动端评价（扫码）"),
    (Channel.ONLINE, Stage.RESULT): ("online", "网上评价"),
    (Channel.SMS, Stage.RESULT): ("sms", "短信评价"),
    (Channel.PROVINCE, Stage.RESULT): ("app", "移动端评价（省政务服务APP）"),
}
MODES = {Stage.VISIT: "一次一评", Stage.RESULT: "一事一评"}


def feed_on() -> bool:
    return bool(settings.REVIEWS_FEED_AUTO)


def _t(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else None


def evaluation_id(rating: Rating) -> str:
    return f"QDGH-R{rating.pk}"


def _staff_id(user: Any) -> str | None:
    return (getattr(user, "staff_no", None) or None) if user is not None else None


def _subject(rating: Rating) -> dict[str, Any]:
    """What every record of the feed says about the rating it concerns."""
    return {
        "evaluationId": evaluation_id(rating),
        "provinceEvaluationId": rating.external_id or None,
        "caseNumber": rating.subject_number,
        "matterCode": rating.matter.code if rating.matter is not None else None,
        # 一事一评 of a 一件事: the composition's code and name instead of one matter's (MODE-1).
        "oneThingCode": rating.thing_case.thing.code if rating.thing_case is not None else None,
    }


def rating_payload(rating: Rating) -> dict[str, Any]:
    """The 评价 record (GB/T 39735 评价数据)."""
    channel, channel_name = CHANNELS.get((rating.channel, rating.stage), (rating.channel, rating.channel))
    window = rating.window
    centre = rating.centre
    real = rating.real_name and bool(rating.rater_phone or rating.rater_name)
    return {
        **_subject(rating),
        "matterName": rating.matter.name
        if rating.matter is not None
        else (rating.thing_case.thing.name if rating.thing_case is not None else None),
        "mode": MODES.get(Stage(rating.stage), rating.stage),
        "stage": rating.stage,
        "channel": channel,
        "channelName": channel_name,
        "level": str(rating.level),
        "levelName": Level(rating.level).label,
        "aspects": [
            {"code": code, "name": ASPECT_LABELS.get(code, code), "level": str(value)}
            for code, value in sorted(rating.aspects.items())
        ],
        "content": rating.text or None,
        "ratedAt": _t(rating.created_at),
        "centreCode": centre.division.code,
        "centreName": centre.name,
        "windowNo": window.number if window is not None else None,
        "windowName": window.name if window is not None else None,
        "staffId": _staff_id(rating.clerk),
        "departmentCode": rating.department.code if rating.department is not None else None,
        "raterType": "实名" if real else "匿名",
        "raterName": mask_name(rating.rater_name) if real and rating.rater_name else None,
        "raterPhone": mask_mobile(rating.rater_phone) if real and rating.rater_phone else None,
        "bad": rating.is_bad,
    }


def _order_step(order: WorkOrder, step: str) -> dict[str, Any]:
    if step == SyncDataset.VERIFY:
        return {
            "at": _t(order.verified_at),
            "staffId": _staff_id(order.verified_by),
            "finding": order.finding,
            "findingName": order.get_finding_display(),
            "note": order.verify_note,
        }
    if step == SyncDataset.DECIDE:
        return {
            "at": _t(order.decided_at),
            "staffId": _staff_id(order.decided_by),
            "outcome": order.outcome,
            "outcomeName": order.get_outcome_display(),
            "measures": order.measures,
            "ledgerDue": order.ledger_due.isoformat() if order.ledger_due else None,
        }
    if step == SyncDataset.LEDGER:
        return {"at": _t(order.ledger_done_at), "note": order.ledger_note}
    if step == SyncDataset.REPLY:
        return {"at": _t(order.replied_at), "staffId": _staff_id(order.replied_by), "reply": order.reply_text}
    if step == SyncDataset.VISIT:
        return {
            "at": _t(order.visited_at),
            "staffId": _staff_id(order.visited_by),
            "satisfaction": order.visit_satisfaction,
            "satisfactionName": order.get_visit_satisfaction_display(),
            "note": order.visit_note or None,
        }
    if step == SyncDataset.CLOSE:
        return {
            "at": _t(order.closed_at),
            "staffId": _staff_id(order.closed_by),
            "rectified": order.is_rectified,
            "overdueStages": list(order.overdue_stages),
        }
    raise ValueError(f"not a work-order step: {step}")


def order_payload(order: WorkOrder, step: str) -> dict[str, Any]:
    """One step of a 差评 work order (整改 / 答复 / 回访 …)."""
    return {
        **_subject(order.rating),
        "workOrderNumber": order.number,
        "openedAt": _t(order.created_at),
        "step": step,
        "stepName": SyncDataset(step).label,
        "status": order.status,
        "statusName": order.get_status_display(),
        **_order_step(order, step),
    }


def appeal_payload(appeal: Appeal) -> dict[str, Any]:
    """The result of an appeal (申诉复核): upheld → the rating no longer counts."""
    return {
        **_subject(appeal.rating),
        "reason": appeal.reason,
        "reasonName": appeal.get_reason_display(),
        "filedAt": _t(appeal.filed_at),
        "result": appeal.status,
        "resultName": appeal.get_status_display(),
        "decidedAt": _t(appeal.decided_at),
        "note": appeal.decision_note,
        "excluded": appeal.status == AppealStatus.UPHELD or appeal.rating.excluded,
    }


def feed_rating(rating: Rating) -> None:
    """Queue a rating given here (a rating the province sent down is the province's already)."""
    if feed_on() and rating.channel != Channel.PROVINCE:
        sync_enqueue(
            kind=SyncKind.RATING,
            obj=rating,
            dataset=SyncDataset.RATING,
            payload=rating_payload(rating),
            stream=STREAM,
        )


def feed_order_step(order: WorkOrder, step: str) -> None:
    if feed_on():
        sync_enqueue(
            kind=SyncKind.REVIEW_ORDER,
            obj=order,
            dataset=step,
            payload=order_payload(order, step),
            stream=STREAM,
        )


def feed_appeal(appeal: Appeal) -> None:
    if feed_on():
        sync_enqueue(
            kind=SyncKind.APPEAL,
            obj=appeal,
            dataset=SyncDataset.APPEAL,
            payload=appeal_payload(appeal),
            stream=STREAM,
        )
